/** Search: a SQLite FTS5 index of an archive with exact CJK substring matching; Simplified queries read as Traditional. */
export { fold, foldWithOrigin, type FoldedText } from './fold.js';
export { foldBy, foldWithOriginBy, type FoldCodePoint } from './fold-core.js';
export {
  termForms,
  traditionalReadings,
  isSimplifiedOnly,
  convertibleChars,
  mayBeSimplified,
  cjkRuns,
  conversionTablesFrom,
  MAX_TERM_FORMS,
  type ConversionTables,
  type ConversionSource,
} from './zh.js';
export { conversionTables, CONVERSION_SOURCE } from './zh-data.js';
export {
  unigramTokens,
  bigramTokens,
  termTokens,
  findTerm,
  termMatchesAt,
  RUN_SEPARATOR,
  type TermTokens,
} from './tokens.js';
export {
  SearchIndex,
  GroupTable,
  groupKey,
  sortKey,
  sortKeyRange,
  yearOfSortKey,
  titleLength,
  isCalendarDate,
  dayNumber,
  SORT_DAY_SCALE,
  SEARCH_INDEX_FILE,
  SEARCH_SCHEMA_VERSION,
  DEFAULT_BATCH_SIZE,
  type SearchDocument,
  type SearchIndexOptions,
} from './index-db.js';
export {
  parseQuery,
  search,
  snippet,
  searchResult,
  type ResultSource,
  ftsConstraints,
  type FtsConstraints,
  DEFAULT_SEARCH_OPTIONS,
  MAX_LIMIT,
  SNIPPET_CHARS,
  MAX_QUERY_CHARS,
  MAX_QUERY_TERMS,
  MAX_QUERY_EXCLUSIONS,
  QUERY_LIMITS,
  MAX_CHECKED_ROWS,
  type QueryLimited,
  type ParsedQuery,
  type SearchOptions,
  type SearchResponse,
  type SearchResult,
  type SearchSort,
  facetsOf,
  type FacetCount,
  type SearchFacets,
} from './query.js';
export {
  SearchPool,
  SEARCH_TIME_BUDGET_MS,
  DEFAULT_SEARCH_THREADS,
  MAX_QUEUED_SEARCHES,
  type SearchPoolOptions,
} from './search-pool.js';
export {
  buildIndex,
  buildIndexInParallel,
  type BuildOptions,
  type ParallelBuildOptions,
  type BuildProgress,
} from './build.js';
export {
  Catalog,
  MAX_GROUP_MEMBERS,
  type ArticleSummary,
  type CatalogArticle,
  type CatalogCount,
  type CatalogFacet,
  type CatalogItem,
  type CatalogPage,
} from './catalog.js';
