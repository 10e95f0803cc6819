/** Crawling a site: discovery in the CDX index, the choice of capture, fetching, and writing the archive. */
export { isCandidate, nonCandidateSummary, rankCaptures } from './select.js';
export {
  rescue,
  writeArchiveFile,
  CAPTURES_DIR,
  DEFAULT_RESCUE_OPTIONS,
  COVERAGE_FILE,
  STATE_FILE,
  type RescueEvent,
  type RescueOptions,
  type RescueProgress,
  type RescueStop,
  type RescueSummary,
} from './rescue.js';
export { readStatus, readMediaStatus, writeCoverage } from './coverage.js';
export { rebuildArchive, type RebuildOptions, type RebuildResult } from './rebuild.js';
export {
  rescueMedia,
  restoreMedia,
  DEFAULT_MEDIA_OPTIONS,
  type MediaOptions,
  type MediaProgress,
  type MediaSummary,
} from './media.js';
export { checkArticles, archiveSite, type ArticleCheckOptions, type ArticleCheckSummary } from './verify-articles.js';
