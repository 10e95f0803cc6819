/** Verification: `salvage verify` recomputes every stored digest of an archive folder, bag, dump or WARC file and reports what is missing, altered or extra. */
export { verifyPath, verifyTargetOf } from './verify.js';
export {
  DEFAULT_VERIFY_OPTIONS,
  type FindingCounts,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  type VerifyTarget,
} from './report.js';
export type { IntegrityFinding, IntegrityProblem, IntegrityCheck } from '../store/index.js';
