/** Extraction: captured bytes → the Article model (decoding, parsing, metadata, body, validation). */
export type {
  Article,
  ArticleMetadata,
  Block,
  Inline,
  Provenance,
  ParagraphBlock,
  HeadingBlock,
  ListBlock,
  QuoteBlock,
  TableBlock,
  FigureBlock,
  EmbedBlock,
  RuleBlock,
} from './article.js';
export { articleText, articleLinks, inlineText } from './article.js';
export {
  decodePayload,
  sniffGunzip,
  undoContentCoding,
  DEFAULT_DECODE_OPTIONS,
  type DecodeOptions,
  type DecodedPayload,
} from './decode.js';
export {
  extractCapture,
  DEFAULT_EXTRACT_OPTIONS,
  type CaptureInput,
  type ExtractOptions,
  type ExtractResult,
  type PageLayout,
} from './extract.js';
export {
  LayoutReport,
  layoutReportLines,
  REPORTED_FIELDS,
  MAX_LAYOUTS,
  type LayoutPage,
  type LayoutSummary,
} from './layout.js';
export type { FieldEvidence } from './metadata-scope.js';
export type { SiteProfile, SiteSelectors, NotArticleRule } from './site-profile.js';
export { REJECT_REASONS, type RejectReason } from './validate.js';
export { declaredPageUrl } from './page-url.js';
export {
  MAX_TITLE_CHARS,
  MAX_AUTHOR_CHARS,
  MAX_CATEGORY_CHARS,
  MAX_TAGS,
  MAX_TAG_CHARS,
  MAX_URL_CHARS,
} from './limits.js';
