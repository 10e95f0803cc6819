/** Markdown: Article → archive file text (FORMAT.md), and writing it atomically into an archive folder. */
export { renderArticle, renderBody, type RenderOptions } from './render.js';
export { renderFrontmatter, frontmatterValues, type FrontmatterStyle } from './frontmatter.js';
export {
  archiveFiles,
  articlePath,
  processAlive,
  removeStaleTempFiles,
  writeArticleFile,
  writeFileAtomic,
  BUCKET_SIZE,
  ARTICLE_FILE,
  TEMP_FILE,
  type AtomicWriteOptions,
} from './write.js';
export { imageMementoUrl, articleImages, imageKey, imageOriginal, type ArticleImage } from './wayback-urls.js';
export { escapeHtml, escapeInline } from './escape.js';
export { parseArchiveFile, type ParsedArchiveFile } from './parse.js';
export {
  importArchive,
  realPathOf,
  within,
  DEFAULT_IMPORT_CONCURRENCY,
  type ImportOptions,
  type ImportResult,
} from './import.js';
export { readTakedowns, takedownListHash, TAKEDOWNS_FILE, type Takedown } from './takedowns.js';
