/** Export: data dumps of an archive (JSON lines, SQLite) and the reader as a static site with client-side search. */
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
export { checkDump, dumpFiles, type DumpCheckSummary } from './verify-dump.js';
export { checkBag, isBag, bagInfo, type BagCheckSummary } from './verify-bag.js';
export { checkWacz, isWacz, type WaczCheckSummary } from './verify-wacz.js';
