/**
 * Article → archive file text (FORMAT.md): frontmatter, `# title`, one block per paragraph,
 * blank lines between blocks, exactly one final newline. Deterministic: same Article, same bytes.
 */
import type { Article, Block, Inline, TableBlock } from '../extract/index.js';
import { escapeHtmlAttribute, escapeHtmlText, escapeInline, escapeLineStart, linkDestination } from './escape.js';
import { renderFrontmatter, type FrontmatterStyle } from './frontmatter.js';
import { imageMementoUrl, siteHost } from './wayback-urls.js';
import { mementoUrl, parseMemento } from '../memento.js';

export interface RenderOptions {
  /** `minimal` omits the provenance keys (id, site, captured_at, sha256). Default `full`. */
  frontmatter?: FrontmatterStyle;
}

interface Context {
  timestamp: string;
  host: string | undefined;
}

const HTTP = /^https?:\/\//i;

/** Links to the dead site itself only work inside the Wayback Machine: point them at its capture time. */
function linkTarget(href: string, ctx: Context): string {
  if (HTTP.test(href) && ctx.host !== undefined && siteHost(href) === ctx.host) return mementoUrl(ctx.timestamp, href);
  return href;
}

/**
 * An image as archived at the capture's time. A `src` that already is a Wayback URL (editors
 * embedded Wayback images in live pages; hkcnews has such files) names its own capture and stays
 * as it is: wrapping it again asks the Wayback for an archived copy of a Wayback page.
 */
function imageTarget(src: string, ctx: Context): string {
  return HTTP.test(src) && parseMemento(src) === undefined ? imageMementoUrl(ctx.timestamp, src) : src;
}

/** CommonMark's Unicode whitespace and punctuation (spec 0.31: Zs, and P or S categories). */
const WHITESPACE = /[\s\p{Zs}]/u;
const PUNCTUATION = /[\p{P}\p{S}]/u;
/** Only edge space: anchored, so one pass (a `[…]+$` alternative is retried from every space of a run: quadratic). */
const ALL_EDGE_SPACE = /^[ \t\p{Zs}]*$/u;
const EDGE_SPACE_CHAR = /[ \t\p{Zs}]/u;

/** The run of space characters that ends `text`, found from the end (no regex retried per position). */
function trailingSpace(text: string): string {
  let i = text.length;
  // Every space separator is in the BMP: one UTF-16 unit at a time is exact.
  while (i > 0 && EDGE_SPACE_CHAR.test(text[i - 1]!)) i--;
  return text.slice(i);
}

const MARKERS = { strong: '**', em: '*', del: '~~' } as const;
const HTML_TAGS = { strong: 'strong', em: 'em', del: 'del' } as const;

/** Rendered inline text with the places where emphasis markers were put, to check them afterwards. */
interface Emphasis {
  kind: 'strong' | 'em' | 'del';
  html: boolean;
}
type Piece = string | { emphasis: Emphasis; closing: boolean };

function piecesOf(nodes: readonly Inline[], ctx: Context, inLink: boolean, out: Piece[]): void {
  for (const n of nodes) {
    switch (n.type) {
      case 'text':
        out.push(escapeInline(n.text));
        break;
      case 'break':
        out.push(inLink ? ' ' : '\\\n');
        break;
      case 'strong':
      case 'em':
      case 'del': {
        // Markers must touch their text: white space at the edges (NBSP and U+3000 too) goes outside.
        const inner: Piece[] = [];
        piecesOf(n.children, ctx, inLink, inner);
        const text = inner.map((p) => (typeof p === 'string' ? p : '')).join('');
        if (ALL_EDGE_SPACE.test(text)) {
          out.push(text);
          break;
        }
        const lead = /^[ \t\p{Zs}]*/u.exec(text)?.[0] ?? '';
        const trail = trailingSpace(text);
        trimPieces(inner, lead.length, trail.length);
        const emphasis: Emphasis = { kind: n.type, html: false };
        out.push(lead, { emphasis, closing: false });
        for (const p of inner) out.push(p); // no spread: an article's inline run can hold 100,000s of pieces
        out.push({ emphasis, closing: true }, trail);
        break;
      }
      case 'link': {
        if (inLink) {
          piecesOf(n.children, ctx, true, out);
          break;
        }
        const inner: Piece[] = [];
        piecesOf(n.children, ctx, true, inner);
        if (inner.every((p) => typeof p === 'string' && p.trim() === '')) {
          for (const p of inner) out.push(p);
          break;
        }
        // `![` would make the link an image.
        const last = out.length - 1;
        const prev = out[last];
        if (typeof prev === 'string' && endsWithUnescaped(prev, '!')) out[last] = prev.slice(0, -1) + '\\!';
        out.push('[');
        for (const p of inner) out.push(p);
        out.push(`](${linkDestination(linkTarget(n.href, ctx))})`);
        break;
      }
    }
  }
}

/** `text` ends with `ch` not preceded by an odd number of backslashes (which would escape it). */
function endsWithUnescaped(text: string, ch: string): boolean {
  if (!text.endsWith(ch)) return false;
  let slashes = 0;
  for (let i = text.length - 2; i >= 0 && text[i] === '\\'; i--) slashes++;
  return slashes % 2 === 0;
}

/** Remove `lead` characters from the first text pieces and `trail` from the last ones. */
function trimPieces(pieces: Piece[], lead: number, trail: number): void {
  for (let i = 0; i < pieces.length && lead > 0; i++) {
    const p = pieces[i];
    if (typeof p !== 'string') continue;
    const cut = Math.min(lead, p.length);
    pieces[i] = p.slice(cut);
    lead -= cut;
  }
  for (let i = pieces.length - 1; i >= 0 && trail > 0; i--) {
    const p = pieces[i];
    if (typeof p !== 'string') continue;
    const cut = Math.min(trail, p.length);
    pieces[i] = p.slice(0, p.length - cut);
    trail -= cut;
  }
}

function assemble(pieces: readonly Piece[]): { text: string; at: Map<Piece, number> } {
  let text = '';
  const at = new Map<Piece, number>();
  for (const p of pieces) {
    if (typeof p === 'string') {
      text += p;
      continue;
    }
    at.set(p, text.length);
    const { kind, html } = p.emphasis;
    text += html ? `<${p.closing ? '/' : ''}${HTML_TAGS[kind]}>` : MARKERS[kind];
  }
  return { text, at };
}

const isSpace = (ch: string | undefined): boolean => ch === undefined || WHITESPACE.test(ch);
const isPunct = (ch: string | undefined): boolean => ch !== undefined && PUNCTUATION.test(ch);

/**
 * Whether a delimiter run at [start, end) opens (left-flanking) or closes (right-flanking) as
 * CommonMark defines it, and is not glued to another run of the same character.
 */
function flanks(text: string, start: number, end: number, closing: boolean): boolean {
  const before = text[start - 1];
  const after = text[end];
  const marker = text[start];
  if (before === marker || after === marker) return false;
  if (closing) return !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
  return !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
}

/**
 * Inline Markdown. Emphasis is written with `**`/`*`/`~~` where CommonMark will read it as
 * emphasis; where its flanking rules would not (bold text starting with 「, next to CJK
 * punctuation), the HTML tag is written instead, which every CommonMark renderer honours.
 */
function inlineMarkdown(nodes: readonly Inline[], ctx: Context): string {
  const pieces: Piece[] = [];
  piecesOf(nodes, ctx, false, pieces);
  if (pieces.every((p) => typeof p === 'string')) return pieces.join('');
  for (let round = 0; round < 4; round++) {
    const { text, at } = assemble(pieces);
    let changed = false;
    for (const p of pieces) {
      if (typeof p === 'string' || p.emphasis.html) continue;
      const start = at.get(p)!; // every marker piece was placed by assemble()
      if (!flanks(text, start, start + MARKERS[p.emphasis.kind].length, p.closing)) {
        p.emphasis.html = true;
        changed = true;
      }
    }
    if (!changed) return text;
  }
  for (const p of pieces) if (typeof p !== 'string') p.emphasis.html = true;
  return assemble(pieces).text;
}

/** Inline content as paragraph lines: each line escaped for block syntax at its start. */
function paragraphMarkdown(nodes: readonly Inline[], ctx: Context): string {
  const text = inlineMarkdown(nodes, ctx);
  return text.includes('\n') ? text.split('\n').map(escapeLineStart).join('\n') : escapeLineStart(text);
}

/** Headings and table cells hold one line: breaks become spaces. */
function singleLine(nodes: readonly Inline[], ctx: Context): string {
  return inlineMarkdown(nodes, ctx).replace(/\\\n/g, ' ');
}

function captionHtml(nodes: readonly Inline[], ctx: Context): string {
  let out = '';
  for (const n of nodes) {
    switch (n.type) {
      case 'text':
        out += escapeHtmlText(n.text);
        break;
      case 'break':
        out += '<br>';
        break;
      case 'strong':
        out += `<strong>${captionHtml(n.children, ctx)}</strong>`;
        break;
      case 'em':
        out += `<em>${captionHtml(n.children, ctx)}</em>`;
        break;
      case 'del':
        out += `<del>${captionHtml(n.children, ctx)}</del>`;
        break;
      case 'link':
        out += `<a href="${escapeHtmlAttribute(linkTarget(n.href, ctx))}">${captionHtml(n.children, ctx)}</a>`;
        break;
    }
  }
  return out;
}

function tableMarkdown(table: TableBlock, ctx: Context): string {
  let width = 0; // a loop, not Math.max(...rows): a spread of 400,000 rows overflows the stack
  for (const r of table.rows) width = Math.max(width, r.length);
  const row = (cells: readonly (readonly Inline[])[]): string => {
    const texts = Array.from({ length: width }, (_, i) => singleLine(cells[i] ?? [], ctx));
    return '| ' + texts.join(' | ') + ' |';
  };
  const [head, ...rest] = table.rows;
  const lines = [
    row(head ?? []),
    '| ' + Array.from({ length: width }, () => '---').join(' | ') + ' |',
    ...rest.map(row),
  ];
  return lines.join('\n');
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : by + line))
    .join('\n');
}

function blockMarkdown(block: Block, ctx: Context): string {
  switch (block.type) {
    case 'paragraph':
      return paragraphMarkdown(block.children, ctx);
    case 'heading':
      return '#'.repeat(block.level) + ' ' + singleLine(block.children, ctx).replace(/#/g, '\\#');
    case 'rule':
      return '---';
    case 'embed':
      return `<iframe src="${escapeHtmlAttribute(block.src)}"></iframe>`;
    case 'figure': {
      const lines = [
        '<figure>',
        `<img src="${escapeHtmlAttribute(imageTarget(block.src, ctx))}" alt="${escapeHtmlAttribute(block.alt)}">`,
      ];
      if (block.caption && block.caption.length > 0)
        lines.push(`<figcaption>${captionHtml(block.caption, ctx)}</figcaption>`);
      lines.push('</figure>');
      return lines.join('\n');
    }
    case 'table':
      return tableMarkdown(block, ctx);
    case 'quote': {
      const inner = block.children.map((b) => blockMarkdown(b, ctx)).join('\n\n');
      return inner
        .split('\n')
        .map((line) => (line === '' ? '>' : '> ' + line))
        .join('\n');
    }
    case 'list': {
      const loose = block.items.some((item) => item.length > 1);
      return block.items
        .map((item, i) => {
          const marker = block.ordered ? `${block.start + i}. ` : '- ';
          const body = item.map((b) => blockMarkdown(b, ctx)).join('\n\n');
          return marker + indent(body, ' '.repeat(marker.length));
        })
        .join(loose ? '\n\n' : '\n');
    }
  }
}

/** The body: `# title`, then the blocks. */
export function renderBody(article: Article): string {
  const ctx: Context = { timestamp: article.provenance.timestamp, host: siteHost(article.provenance.originalUrl) };
  const title = escapeInline(article.title.trim().replace(/\s*[\r\n]+\s*/g, ' ')).replace(/#/g, '\\#');
  const parts = ['# ' + title];
  let previous: Block | undefined;
  for (const block of article.blocks) {
    const text = blockMarkdown(block, ctx);
    if (text.trim() === '') continue;
    // Two lists in a row would read as one; an empty HTML comment ends the first (CommonMark
    // spec, "Lists", example 308). Changing the marker would change the visible numbers' text.
    if (block.type === 'list' && previous?.type === 'list' && previous.ordered === block.ordered)
      parts.push('<!-- -->');
    parts.push(text);
    previous = block;
  }
  return parts.join('\n\n') + '\n';
}

/** The whole archive file. */
export function renderArticle(article: Article, options: RenderOptions = {}): string {
  return renderFrontmatter(article, options.frontmatter ?? 'full') + '\n' + renderBody(article);
}
