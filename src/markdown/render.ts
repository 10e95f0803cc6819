/**
 * Article → archive file text (FORMAT.md): frontmatter, `# title`, one block per paragraph,
 * blank lines between blocks, exactly one final newline. Deterministic: same Article, same bytes.
 */
import type { Article, Block, Inline, TableBlock } from '../extract/index.js';
import { escapeHtmlAttribute, escapeHtmlText, escapeInline, escapeLineStart, linkDestination } from './escape.js';
import { renderFrontmatter, type FrontmatterStyle } from './frontmatter.js';
import { imageMementoUrl, mementoUrl, siteHost } from './wayback-urls.js';

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

function imageTarget(src: string, ctx: Context): string {
  return HTTP.test(src) ? imageMementoUrl(ctx.timestamp, src) : src;
}

/** Emphasis markers must touch their text: edge spaces move outside. */
function wrap(marker: string, inner: string): string {
  const lead = /^ */.exec(inner)?.[0] ?? '';
  const rest = inner.slice(lead.length);
  const trail = / *$/.exec(rest)?.[0] ?? '';
  const core = rest.slice(0, rest.length - trail.length);
  return core === '' ? lead + trail : `${lead}${marker}${core}${marker}${trail}`;
}

function inlineMarkdown(nodes: readonly Inline[], ctx: Context): string {
  let out = '';
  for (const n of nodes) {
    switch (n.type) {
      case 'text': out += escapeInline(n.text); break;
      case 'break': out += '\\\n'; break;
      case 'strong': out += wrap('**', inlineMarkdown(n.children, ctx)); break;
      case 'em': out += wrap('*', inlineMarkdown(n.children, ctx)); break;
      case 'del': out += wrap('~~', inlineMarkdown(n.children, ctx)); break;
      case 'link': {
        const text = inlineMarkdown(n.children, ctx).replace(/\\\n/g, ' ');
        out += text.trim() === '' ? '' : `[${text}](${linkDestination(linkTarget(n.href, ctx))})`;
        break;
      }
    }
  }
  return out;
}

/** Inline content as paragraph lines: each line escaped for block syntax at its start. */
function paragraphMarkdown(nodes: readonly Inline[], ctx: Context): string {
  return inlineMarkdown(nodes, ctx).split('\n').map(escapeLineStart).join('\n');
}

/** Headings and table cells hold one line: breaks become spaces. */
function singleLine(nodes: readonly Inline[], ctx: Context): string {
  return inlineMarkdown(nodes, ctx).replace(/\\\n/g, ' ');
}

function captionHtml(nodes: readonly Inline[], ctx: Context): string {
  let out = '';
  for (const n of nodes) {
    switch (n.type) {
      case 'text': out += escapeHtmlText(n.text); break;
      case 'break': out += '<br>'; break;
      case 'strong': out += `<strong>${captionHtml(n.children, ctx)}</strong>`; break;
      case 'em': out += `<em>${captionHtml(n.children, ctx)}</em>`; break;
      case 'del': out += `<del>${captionHtml(n.children, ctx)}</del>`; break;
      case 'link': out += `<a href="${escapeHtmlAttribute(linkTarget(n.href, ctx))}">${captionHtml(n.children, ctx)}</a>`; break;
    }
  }
  return out;
}

function tableMarkdown(table: TableBlock, ctx: Context): string {
  const width = Math.max(...table.rows.map((r) => r.length));
  const row = (cells: readonly (readonly Inline[])[]): string => {
    const texts = Array.from({ length: width }, (_, i) => singleLine(cells[i] ?? [], ctx));
    return '| ' + texts.join(' | ') + ' |';
  };
  const [head, ...rest] = table.rows;
  const lines = [row(head ?? []), '| ' + Array.from({ length: width }, () => '---').join(' | ') + ' |', ...rest.map(row)];
  return lines.join('\n');
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line, i) => (i === 0 || line === '' ? line : by + line)).join('\n');
}

function blockMarkdown(block: Block, ctx: Context): string {
  switch (block.type) {
    case 'paragraph': return paragraphMarkdown(block.children, ctx);
    case 'heading': return '#'.repeat(block.level) + ' ' + singleLine(block.children, ctx).replace(/#/g, '\\#');
    case 'rule': return '---';
    case 'embed': return `<iframe src="${escapeHtmlAttribute(block.src)}"></iframe>`;
    case 'figure': {
      const lines = ['<figure>', `<img src="${escapeHtmlAttribute(imageTarget(block.src, ctx))}" alt="${escapeHtmlAttribute(block.alt)}">`];
      if (block.caption && block.caption.length > 0) lines.push(`<figcaption>${captionHtml(block.caption, ctx)}</figcaption>`);
      lines.push('</figure>');
      return lines.join('\n');
    }
    case 'table': return tableMarkdown(block, ctx);
    case 'quote': {
      const inner = block.children.map((b) => blockMarkdown(b, ctx)).join('\n\n');
      return inner.split('\n').map((line) => (line === '' ? '>' : '> ' + line)).join('\n');
    }
    case 'list': {
      const loose = block.items.some((item) => item.length > 1);
      return block.items.map((item, i) => {
        const marker = block.ordered ? `${block.start + i}. ` : '- ';
        const body = item.map((b) => blockMarkdown(b, ctx)).join('\n\n');
        return marker + indent(body, ' '.repeat(marker.length));
      }).join(loose ? '\n\n' : '\n');
    }
  }
}

/** The body: `# title`, then the blocks. */
export function renderBody(article: Article): string {
  const ctx: Context = { timestamp: article.provenance.timestamp, host: siteHost(article.provenance.originalUrl) };
  const title = escapeInline(article.title.trim().replace(/\s*[\r\n]+\s*/g, ' ')).replace(/#/g, '\\#');
  const parts = ['# ' + title, ...article.blocks.map((b) => blockMarkdown(b, ctx)).filter((s) => s.trim() !== '')];
  return parts.join('\n\n') + '\n';
}

/** The whole archive file. */
export function renderArticle(article: Article, options: RenderOptions = {}): string {
  return renderFrontmatter(article, options.frontmatter ?? 'full') + '\n' + renderBody(article);
}
