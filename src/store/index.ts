/** Storage of captures: WARC files, read and appended by offset, and the crawl state database. */
export {
  captureInput,
  readWarcCaptures,
  readWarcCaptureAt,
  serializeResponseRecord,
  WarcWriter,
  type WarcCapture,
  type WarcDamage,
  type WarcDamageReason,
  type WarcReadOptions,
  type ResponseRecordInput,
} from './warc.js';
export { CaptureStore, WARC_ROTATE_BYTES, type StoredRecord } from './capture-store.js';
export { recoverCaptures, requestedCaptureHeaders, type RecoveryEvent, type RecoverySummary } from './recover.js';
export {
  CrawlState,
  STATE_FILE,
  STATE_SCHEMA_VERSION,
  type ArticleRow,
  type ArticleState,
  type CaptureFields,
  type HeldCapture,
  type NewCapture,
  type StoredCapture,
  type Unrecovered,
} from './state.js';
export { readCoverage, CDX_ROW_SKIPPED_EVENT, type CoverageReport } from './coverage.js';
export {
  MediaStore,
  MEDIA_DIR,
  MEDIA_INDEX_FILE,
  MEDIA_FILES_DIR,
  MEDIA_CAPTURES_DIR,
  FINAL_MEDIA_OUTCOMES,
  ARTICLE_YEAR_HEADER,
  waybackPayloadDigest,
  captureKey,
  type ClassifyRecord,
  type MediaOutcome,
  type MediaRow,
  type MediaCounts,
} from './media-store.js';
export { scanMembers, type DamagedStretch, type RecordHead } from './warc-scan.js';
export { snapshotMediaIndex, type MediaSnapshot } from './media-snapshot.js';
export { checkImage, WEB_IMAGE_TYPES, type ImageCheck, type ImageProblem, type WebImageType } from './image-check.js';
export {
  DIGEST_ALGORITHMS,
  labelledAlgorithm,
  matchesLabelledDigest,
  type DigestOutcome,
  type DigestVerdict,
  type RecordDigests,
} from './warc-digest.js';
export { readWarcRecords, type RecordFacts, type WarcRecordRead } from './warc-reader.js';
export { hashFile, isDamage, type IntegrityCheck, type IntegrityFinding, type IntegrityProblem } from './integrity.js';
export {
  checkWarcFolder,
  checkWarcFile,
  warcFolderBytes,
  warcFilesIn,
  type WarcFolderOptions,
  type WarcFolderSummary,
  type WarcPlace,
} from './warc-verify.js';
export { checkMediaFiles, type MediaCheckSummary } from './media-verify.js';
export { undeclaredGzip } from './undeclared-gzip.js';
