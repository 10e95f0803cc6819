/** Crawling a site: discovery in the CDX index, the choice of capture, fetching, and writing the archive. */
export { isCandidate, nonCandidateSummary, rankCaptures } from './select.js';
export { rescue, writeArchiveFile, CAPTURES_DIR, COVERAGE_FILE, STATE_FILE, type RescueOptions, type RescueProgress, type RescueStop, type RescueSummary } from './rescue.js';
