/** Export: data dumps of an archive (JSON lines, SQLite), its captures as a WACZ, a BagIt bag of a release, and the reader as a static site with client-side search. */
export {
  exportDump,
  archiveFilesById,
  salvageVersion,
  DUMP_FIELDS,
  DUMP_FORMAT,
  DUMP_SCHEMA_VERSION,
  type DumpFormat,
  type DumpRecord,
  type DumpReport,
  type ExportDumpOptions,
} from './dump.js';
export {
  exportSite,
  isArchiveDate,
  sitePathOf,
  shardsFor,
  SITE_MARKER,
  CLIENT_SCRIPT_PATH,
  SEARCH_INDEX_DIR,
  DEFAULT_EXPORT_SITE_OPTIONS,
  COMPACT_MAX_FILES,
  PAGES_SCRIPT_PATH,
  type ExportSiteOptions,
  type ExportSiteProgress,
  type ExportSiteReport,
} from './site.js';
export {
  exportBag,
  jsonPart,
  releaseParts,
  BAG_DUMP_PATH,
  DEFAULT_BAG_OPTIONS,
  type BagPart,
  type ExportBagOptions,
  type ExportBagProgress,
  type ExportBagReport,
} from './bag.js';
export {
  encodeManifestPath,
  decodeManifestPath,
  parseBagInfoLine,
  formatBagInfo,
  BAG_ALGORITHMS,
  BAG_DECLARATION,
  type BagInfoEntry,
} from './bagit.js';
export { hashFile, type DigestAlgorithm, type FileDigests } from './file-hash.js';
export { indexDocuments } from './index-documents.js';
export { type Leftover } from './leftovers.js';
export { foldTable } from './fold-table.js';
export {
  writeStaticIndex,
  DEFAULT_STATIC_INDEX_OPTIONS,
  type StaticIndexDocument,
  type StaticIndexOptions,
  type StaticIndexProgress,
  type StaticIndexStats,
} from './search-index.js';
export { StaticSearchIndex, minimalCover, type IndexLoader } from './client/search-core.js';
export { fileLoader, type CountingLoader } from './loader.js';
export { bundleClient } from './bundle.js';
export {
  writeWacz,
  WACZ_VERSION,
  WACZ_INDEX_PATH,
  WACZ_ZIPNUM_PATH,
  WACZ_ZIPNUM_IDX_PATH,
  WACZ_PAGES_PATH,
  DEFAULT_WACZ_OPTIONS,
  MAX_LISTED as WACZ_MAX_LISTED,
  type WriteWaczOptions,
  type WaczProgress,
  type WaczReport,
  type WaczResource,
  type WaczDamage,
} from './wacz.js';
export { checkDump, dumpFiles, type DumpCheckSummary } from './verify-dump.js';
export { checkBag, isBag, bagInfo, type BagCheckSummary } from './verify-bag.js';
export { checkWacz, isWacz, type WaczCheckSummary } from './verify-wacz.js';
