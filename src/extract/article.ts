/**
 * The Article model: one article as published, independent of HTML and of Markdown. Everything
 * downstream (Markdown writer, index, reader, exports) reads this, never the page.
 *
 * URLs in the model are absolute URLs as the page meant them (relative ones resolved against the
 * original URL, Cloudflare e-mail links decoded). Mapping them onto the Wayback Machine is the
 * writer's business, so a reader can instead point links at its own copies.
 */

/** Inline content of a paragraph, heading, list item, table cell or caption. */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'break' }
  | { type: 'strong' | 'em' | 'del'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] };

export interface ParagraphBlock {
  type: 'paragraph';
  children: Inline[];
}
export interface HeadingBlock {
  type: 'heading';
  level: 1 | 2 | 3 | 4 | 5 | 6;
  children: Inline[];
}
export interface ListBlock {
  type: 'list';
  ordered: boolean;
  start: number;
  items: Block[][];
}
export interface QuoteBlock {
  type: 'quote';
  children: Block[];
}
/** Rows of cells; `header` says whether the first row is a header row. */
export interface TableBlock {
  type: 'table';
  header: boolean;
  rows: Inline[][][];
}
export interface FigureBlock {
  type: 'figure';
  src: string;
  alt: string;
  caption?: Inline[];
}
/** An embedded player (YouTube, Facebook video, …): the URL the page embedded. */
export interface EmbedBlock {
  type: 'embed';
  src: string;
}
export interface RuleBlock {
  type: 'rule';
}

export type Block =
  ParagraphBlock | HeadingBlock | ListBlock | QuoteBlock | TableBlock | FigureBlock | EmbedBlock | RuleBlock;

/** Where the article's bytes came from. */
export interface Provenance {
  /** The capture's original URL exactly as the CDX index spells it (percent-encoded). */
  originalUrl: string;
  /** 14-digit Wayback timestamp of the capture (UTC). */
  timestamp: string;
  /** Hex SHA-256 of the capture's raw payload bytes. */
  sha256: string;
}

/** The descriptive fields of an article, as extraction finds them and an archive file holds them. */
export interface ArticleMetadata {
  title: string;
  /** Publication date `YYYY-MM-DD`, in the site's local time as published. */
  date?: string;
  /** Modification time `YYYY-MM-DD HH:MM:SS`, only when the page states one. */
  lastUpdated?: string;
  author?: string;
  category?: string;
  tags: string[];
}

export interface Article extends ArticleMetadata {
  /** Site module id, e.g. `hkcnews`. */
  site: string;
  /** The site's own article id (digits for hkcnews). */
  id: string;
  blocks: Block[];
  provenance: Provenance;
}

/** Plain text of inline content: breaks become newlines. */
export function inlineText(nodes: readonly Inline[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.text;
    else if (node.type === 'break') out += '\n';
    else out += inlineText(node.children);
  }
  return out;
}

function blockLines(block: Block): string[] {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return [inlineText(block.children).replace(/\n/g, ' ')];
    case 'list':
      return block.items.flatMap((item) => item.flatMap(blockLines));
    case 'quote':
      return block.children.flatMap(blockLines);
    case 'table':
      return block.rows.map((row) => row.map((cell) => inlineText(cell).replace(/\n/g, ' ')).join('\t'));
    case 'figure':
      return block.caption ? [inlineText(block.caption).replace(/\n/g, ' ')] : [];
    case 'embed':
    case 'rule':
      return [];
  }
}

/** The body as plain text, one block per line (table rows as tab-separated lines). */
export function articleText(article: Pick<Article, 'blocks'>): string {
  return article.blocks
    .flatMap(blockLines)
    .filter((line) => line.trim() !== '')
    .join('\n');
}

/** Every link of the body in document order. */
export function articleLinks(article: Pick<Article, 'blocks'>): { text: string; href: string }[] {
  const out: { text: string; href: string }[] = [];
  const visitInline = (nodes: readonly Inline[]): void => {
    for (const n of nodes) {
      if (n.type === 'link') out.push({ text: inlineText(n.children), href: n.href });
      else if (n.type !== 'text' && n.type !== 'break') visitInline(n.children);
    }
  };
  const visit = (blocks: readonly Block[]): void => {
    for (const b of blocks) {
      if (b.type === 'paragraph' || b.type === 'heading') visitInline(b.children);
      else if (b.type === 'list') b.items.forEach(visit);
      else if (b.type === 'quote') visit(b.children);
      else if (b.type === 'table') b.rows.forEach((r) => r.forEach(visitInline));
      else if (b.type === 'figure' && b.caption) visitInline(b.caption);
    }
  };
  visit(article.blocks);
  return out;
}
