/**
 * Archive Markdown body → safe HTML for the reader.
 *
 * Two steps. markdown-it 14 (CommonMark + GFM tables and strikethrough, `html: true` because the
 * archive body carries raw `<figure>`/`<iframe>` blocks) with markdown-it-cjk-friendly, so that
 * `**「引號」**` bolds (CommonMark's flanking rules do not see CJK punctuation as a word boundary).
 * Then an allow-list re-serializer over htmlparser2's tree: only the elements and attributes
 * listed below are written, every text and attribute value is escaped here, and nothing of the
 * input passes through verbatim.
 *
 * Why not sanitize-html: 2.17.6 and later declare `engines: node >=22.12` and we run on Node 20;
 * pinning 2.17.5 would freeze us on an unmaintained line. DOMPurify needs a browser DOM (jsdom).
 * htmlparser2 12 is already our parser (src/extract), maintained, and a re-serializer from its
 * tree cannot be fooled by parser differentials the way a filter-and-pass-through sanitizer can:
 * the browser parses only what we wrote, and we write only allow-listed tags with escaped text.
 */
import MarkdownIt from 'markdown-it';
import cjkFriendly from 'markdown-it-cjk-friendly';
import { Parser } from 'htmlparser2';
import { DomHandler, isTag, isText, type ChildNode, type Element } from 'domhandler';
import { escapeHtml } from '../markdown/index.js';
import { parseMemento, WAYBACK_ORIGIN } from '../memento.js';

export interface RenderHtmlOptions {
  /**
   * Show images inline (`<img loading="lazy" referrerpolicy="no-referrer">`), only for
   * `https://web.archive.org/` sources. Default false: every image is a link to its Wayback copy,
   * so a page makes no third-party request unless the reader asks for images.
   */
  loadImages?: boolean;
  /**
   * Where a link should point instead, or undefined to keep it: e.g. a Wayback link to another
   * article of the archive → its reader page (`/article/<id>/`). Called with the checked href; a
   * returned same-origin path gets no `rel`. Default: links are kept.
   */
  internalHref?: (href: string) => string | undefined;
  /**
   * The archive's own copy of an image (its media store, `salvage media`), looked up by the
   * image's checked `src`: shown from the reader itself, lazily, with its intrinsic size, as a
   * link to the full-size file. Images without one are written as without this option.
   */
  localImage?: (src: string) => LocalImage | undefined;
}

/** A stored image as a page shows it. */
export interface LocalImage {
  /** Same-origin path of the file. */
  href: string;
  /** Intrinsic size, when the file's headers give one (no layout shift while it loads). */
  width?: number;
  height?: number;
}

/**
 * Body characters rendered as Markdown and HTML; the rest is shown as plain text (see
 * renderArticleHtml). Rendering is linear but not cheap (a 400 KB body of one wide table: 3-4 s),
 * and a hostile file may hold 20 MiB, so the cap bounds the work of one article page. The largest
 * of the 49,118 hkcnews archive files is 44,805 characters whole (measured 2026-12-06), so no
 * real article reaches it.
 */
export const MAX_RENDERED_BODY_CHARS = 100_000;
/** Said before the plain-text rest of an over-long body. */
export const BODY_OVERFLOW_NOTE = '本文過長，以下部分以純文字顯示。';

export const DEFAULT_RENDER_HTML_OPTIONS: Required<Omit<RenderHtmlOptions, 'internalHref' | 'localImage'>> = {
  loadImages: false,
};

/** `rel` of every link that leaves the reader: no opener, no referrer, no endorsement. */
export const EXTERNAL_REL = 'noopener noreferrer nofollow';
/** Label prefixes (the reader is Traditional Chinese, FORMAT.md). */
export const IMAGE_LABEL = '圖片';
/** Name of the link from a shown image to its full-size file, when the image has no alt text. */
export const FULL_IMAGE_LABEL = '原尺寸圖片';
export const EMBED_LABEL = '嵌入內容';
/** The only origin images may load from with `loadImages`. */
export const IMAGE_ORIGIN = 'https://web.archive.org';

/** Elements written as they are, with the attributes each may keep. */
const ALLOWED: ReadonlyMap<string, readonly string[]> = new Map([
  ['p', []],
  ['h2', []],
  ['h3', []],
  ['h4', []],
  ['h5', []],
  ['h6', []],
  ['a', ['href', 'title']],
  ['em', []],
  ['strong', []],
  ['code', []],
  ['pre', []],
  ['blockquote', []],
  // The archive keeps strikethrough (README "What it does"); markdown-it writes it as <s>.
  ['s', []],
  ['del', []],
  ['ul', []],
  ['ol', ['start']],
  ['li', []],
  ['table', []],
  ['thead', []],
  ['tbody', []],
  ['tr', []],
  ['th', ['colspan', 'rowspan']],
  ['td', ['colspan', 'rowspan']],
  ['br', []],
  ['hr', []],
  ['figure', []],
  ['figcaption', []],
]);
/** Presentational synonyms written as their allowed equivalent. */
const RENAMED: ReadonlyMap<string, string> = new Map([
  ['h1', 'h2'],
  ['b', 'strong'],
  ['i', 'em'],
  ['strike', 's'],
]);
const VOID = new Set(['br', 'hr', 'img']);
/** Removed together with everything inside them (scripts, styles, forms' controls, foreign content, frames). */
const DROPPED_WITH_CONTENT = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'title',
  'head',
  'textarea',
  'select',
  'option',
  'button',
  'input',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'frame',
  'frameset',
  'noframes',
  'noembed',
  'xmp',
  'plaintext',
  'audio',
  'video',
  'canvas',
  'map',
  'link',
  'meta',
  'base',
  'param',
  'source',
  'track',
]);
/** Where an embed's link needs a paragraph of its own. */
const BLOCK_CONTEXTS = new Set(['#root', 'blockquote', 'figure', 'li', 'td', 'th']);
/** Attributes whose values are numbers only. */
const NUMERIC_ATTRIBUTES = new Set(['start', 'colspan', 'rowspan']);
const DIGITS = /^\d{1,4}$/;

/** A URL scheme, after the characters browsers ignore are removed. */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/** Browsers strip ASCII tab and newlines anywhere in a URL, and C0 controls/space at its ends (WHATWG URL). */
const URL_IGNORED = /[\t\n\r]/g;
const URL_TRIM = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const CONTROL = /[\u0000-\u001f\u007f]/;
// The existing archive writes embeds as Hugo shortcodes `{{< video src="…" >}}` (10,843 articles);
// they become the same link as an `<iframe>`.
const VIDEO_SHORTCODE = /^[ \t]*\{\{<\s*video\s+src="([^"]*)"\s*>\}\}[ \t]*$/gm;

const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false }).use(cjkFriendly);

/**
 * Render an archive body (FORMAT.md "Body", or the existing archive's) as sanitized HTML. The
 * leading `# title` line is dropped (the page shows the title); any other `h1` becomes `h2`.
 */
export function renderArticleHtml(body: string, options: RenderHtmlOptions = {}): string {
  const loadImages = options.loadImages ?? DEFAULT_RENDER_HTML_OPTIONS.loadImages;
  if (body.length > MAX_RENDERED_BODY_CHARS) {
    // Rendering costs time in the body's size (a 400 KB table: 3 s); past the cap the rest is
    // shown as escaped text, which costs next to nothing. Cut at a paragraph break when there is one.
    const breakAt = body.lastIndexOf('\n\n', MAX_RENDERED_BODY_CHARS);
    const cut = breakAt > MAX_RENDERED_BODY_CHARS / 2 ? breakAt : MAX_RENDERED_BODY_CHARS;
    return `${renderArticleHtml(body.slice(0, cut), options)}<p class="body-overflow-note">${escapeHtml(BODY_OVERFLOW_NOTE)}</p><pre class="body-overflow">${escapeHtml(body.slice(cut))}</pre>`;
  }
  const source = body.replace(VIDEO_SHORTCODE, (_, src: string) => `<iframe src="${src}"></iframe>`);
  const tokens = markdown.parse(source, {});
  const first = tokens[0];
  if (first?.type === 'heading_open' && first.tag === 'h1') {
    const close = tokens.findIndex((t) => t.type === 'heading_close');
    tokens.splice(0, close + 1);
  }
  const html = markdown.renderer.render(tokens, markdown.options, {});
  return sanitizeHtml(html, {
    loadImages,
    ...(options.internalHref !== undefined ? { internalHref: options.internalHref } : {}),
    ...(options.localImage !== undefined ? { localImage: options.localImage } : {}),
  });
}

/**
 * Open elements the parser keeps: at this depth a further open tag first closes the innermost
 * one (the markup is flattened into siblings; its text stays, in order). htmlparser2 12 keeps its
 * open-element stack with `unshift`/`shift` and finds closing tags with `indexOf`, so each tag
 * costs time in the depth: a body of 200,000 unclosed `<div>`s took 45.8 s to render (issue 12,
 * measured 2026-12-06), blocking the whole server. Real bodies nest a few levels, and the writer
 * keeps only {@link MAX_DEPTH} of them anyway. Same technique as src/extract/dom.ts.
 */
export const MAX_PARSE_DEPTH = 128;

/** The htmlparser2 12 internals the depth cap works through (private in its typings). */
interface ParserInternals {
  stack: string[];
  emitOpenTag(name: string): void;
  popElement(implied: boolean): void;
  isVoidElement(name: string): boolean;
}

/** A parser whose open-element stack never grows past MAX_PARSE_DEPTH (see there). */
function createParser(handler: DomHandler): Parser {
  const parser = new Parser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const internals = parser as unknown as ParserInternals;
  if (
    !Array.isArray(internals.stack) ||
    typeof internals.emitOpenTag !== 'function' ||
    typeof internals.popElement !== 'function' ||
    typeof internals.isVoidElement !== 'function'
  ) {
    throw new Error('htmlparser2 internals changed: the parse depth cap of markdown-html.ts needs updating');
  }
  // Called with the parser as `this` below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emitOpenTag = internals.emitOpenTag;
  internals.emitOpenTag = function cappedEmitOpenTag(this: ParserInternals, name: string): void {
    if (this.stack.length >= MAX_PARSE_DEPTH && !this.isVoidElement(name)) this.popElement(true);
    emitOpenTag.call(this, name);
  };
  return parser;
}

/** `html` parsed as the sanitizer reads it (nesting capped at MAX_PARSE_DEPTH): its root's children. */
export function parseBodyHtml(html: string): ChildNode[] {
  const handler = new DomHandler();
  createParser(handler).end(html);
  return handler.root.children;
}

/** Re-serialize `html`, keeping only the allow-listed elements and attributes (module doc). */
export function sanitizeHtml(html: string, options: RenderHtmlOptions = {}): string {
  const children = parseBodyHtml(html);
  const out: string[] = [];
  const ctx: Context = { parent: '#root', depth: 0, inLink: false, loadImages: options.loadImages === true };
  if (options.internalHref !== undefined) ctx.internalHref = options.internalHref;
  if (options.localImage !== undefined) ctx.localImage = options.localImage;
  writeNodes(children, ctx, out);
  return out.join('');
}

interface Context {
  parent: string;
  /** Elements open around this node. */
  depth: number;
  inLink: boolean;
  loadImages: boolean;
  internalHref?: (href: string) => string | undefined;
  localImage?: (src: string) => LocalImage | undefined;
}

/** A same-origin path: one slash, then not a second slash or backslash. */
const SAME_ORIGIN_PATH = /^\/(?![/\\])/;

/**
 * Deeper markup is written as its text only. Real bodies nest a few levels (markdown-it itself
 * stops at 100); the bound keeps hostile input (10,000 nested spans) from exhausting the stack.
 */
export const MAX_DEPTH = 64;

function writeNodes(nodes: readonly ChildNode[], ctx: Context, out: string[]): void {
  if (ctx.depth >= MAX_DEPTH) return writeTextOnly(nodes, out);
  for (const node of nodes) {
    if (isText(node)) out.push(escapeHtml(node.data));
    else if (isTag(node)) writeElement(node, ctx, out);
    // Comments, CDATA and processing instructions are dropped.
  }
}

/** The text of `nodes` (without dropped elements' content), escaped; iterative, for any depth. */
function writeTextOnly(nodes: readonly ChildNode[], out: string[]): void {
  const stack: ChildNode[] = [...nodes].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isText(node)) out.push(escapeHtml(node.data));
    else if (isTag(node) && !DROPPED_WITH_CONTENT.has(node.name)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!); // i < length
    }
  }
}

function writeElement(el: Element, ctx: Context, out: string[]): void {
  const name = RENAMED.get(el.name) ?? el.name;
  if (name === 'img') return writeImage(el, ctx, out);
  if (name === 'iframe') return writeEmbed(el, ctx, out);
  if (DROPPED_WITH_CONTENT.has(name)) return;
  const allowed = ALLOWED.get(name);
  if (allowed === undefined) return writeNodes(el.children, { ...ctx, depth: ctx.depth + 1 }, out); // unknown element: keep its content
  const attrs: string[] = [];
  if (name === 'a') {
    const checked = safeUrl(el.attribs.href, ['http', 'https', 'mailto']);
    // A link with a refused target, or a link inside a link (browsers would split it), keeps its text only.
    if (checked === undefined || ctx.inLink) return writeNodes(el.children, { ...ctx, depth: ctx.depth + 1 }, out);
    const internal = ctx.internalHref?.(checked);
    const href = internal !== undefined && SAME_ORIGIN_PATH.test(internal) ? internal : checked;
    attrs.push(attribute('href', href));
    if (el.attribs.title) attrs.push(attribute('title', el.attribs.title));
    if (isExternal(href)) attrs.push(attribute('rel', EXTERNAL_REL));
  } else {
    for (const key of allowed) {
      const value = el.attribs[key];
      if (value !== undefined && (!NUMERIC_ATTRIBUTES.has(key) || DIGITS.test(value.trim())))
        attrs.push(attribute(key, value.trim()));
    }
  }
  out.push(`<${name}${attrs.join('')}>`);
  if (VOID.has(name)) return;
  writeNodes(el.children, { ...ctx, parent: name, depth: ctx.depth + 1, inLink: ctx.inLink || name === 'a' }, out);
  out.push(`</${name}>`);
}

function writeImage(el: Element, ctx: Context, out: string[]): void {
  const src = safeUrl(el.attribs.src, ['http', 'https']);
  // FORMAT.md: an image without a real (absolute) source is dropped.
  if (src === undefined || !isExternal(src)) return;
  const alt = (el.attribs.alt ?? '').trim();
  const local = ctx.localImage?.(src);
  if (local !== undefined && SAME_ORIGIN_PATH.test(local.href)) {
    const size =
      local.width !== undefined && local.height !== undefined
        ? `${attribute('width', String(local.width))}${attribute('height', String(local.height))}`
        : '';
    const img = `<img${attribute('src', local.href)}${attribute('alt', alt)}${size} loading="lazy" decoding="async">`;
    // A click opens the full-size file; inside a link the image stays what the link shows.
    if (ctx.inLink) out.push(img);
    else
      out.push(
        `<a class="image-full"${attribute('href', local.href)}${alt === '' ? attribute('aria-label', FULL_IMAGE_LABEL) : ''}>${img}</a>`,
      );
    return;
  }
  if (ctx.loadImages && isWaybackUrl(src)) {
    out.push(
      `<img${attribute('src', src)}${attribute('alt', alt)} loading="lazy" decoding="async" referrerpolicy="no-referrer">`,
    );
    return;
  }
  const label = alt === '' ? IMAGE_LABEL : `${IMAGE_LABEL}：${alt}`;
  if (ctx.inLink) out.push(escapeHtml(`[${label}]`));
  else
    out.push(
      `<a class="image-link"${attribute('href', src)}${attribute('rel', EXTERNAL_REL)}>${escapeHtml(label)}</a>`,
    );
}

function writeEmbed(el: Element, ctx: Context, out: string[]): void {
  const src = safeUrl(el.attribs.src, ['http', 'https']);
  if (src === undefined || !isExternal(src)) return;
  const label = `${EMBED_LABEL}：${embedHost(src)}`;
  if (ctx.inLink) return void out.push(escapeHtml(`[${label}]`));
  const link = `<a class="embed-link"${attribute('href', src)}${attribute('rel', EXTERNAL_REL)}>${escapeHtml(label)}</a>`;
  out.push(BLOCK_CONTEXTS.has(ctx.parent) ? `<p class="embed">${link}</p>` : link);
}

/** The host an embed shows: the original's, when the source is a Wayback memento of it. */
function embedHost(src: string): string {
  // A Wayback memento (any modifier): its original URL names the embed's real host.
  const inner = parseMemento(src)?.original;
  for (const candidate of inner === undefined ? [src] : [inner, src]) {
    try {
      return new URL(candidate).hostname;
    } catch {
      // try the next
    }
  }
  return src;
}

/**
 * `raw` as a URL safe to write, or undefined. Browser-ignored characters are removed first, so
 * `java\tscript:` is seen as the scheme it is. Relative URLs are kept (`/web/…` gets the Wayback
 * origin); protocol-relative ones become https.
 */
export function safeUrl(raw: string | undefined, schemes: readonly string[]): string | undefined {
  if (raw === undefined) return undefined;
  const url = raw.replace(URL_TRIM, '').replace(URL_IGNORED, '');
  if (url === '' || CONTROL.test(url)) return undefined;
  // The existing public archive (FORMAT.md "Defects") has 41,634 links `/web/<ts>/<url>` that only
  // work inside the Wayback Machine; served by the reader they would 404, so they get its origin.
  if (url.startsWith('/web/') && parseMemento(url)?.host === '') return `${WAYBACK_ORIGIN}${url}`;
  if (url.startsWith('//') || url.startsWith('/\\') || url.startsWith('\\')) {
    // Browsers read `\` as `/` in http(s) URLs: all of these are protocol-relative.
    const absolute = `https:${url.replace(/^[/\\]+/, '//')}`;
    return parses(absolute) ? absolute : undefined;
  }
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return url; // relative: same origin
  if (!schemes.includes(scheme)) return undefined;
  return scheme === 'mailto' || parses(url) ? url : undefined;
}

/** An absolute http(s) URL with an authority: scheme, `//`, then a host character (not `/` or `\\`). */
const ABSOLUTE_HTTP = /^https?:\/\/[^/\\]/i;

/**
 * `raw` as an absolute `http:`/`https:` URL to write in an attribute, or undefined: the one check
 * for every URL the reader and the static export take from an archive file's metadata (`url`,
 * `original_url`: provenance links, Robust Links attributes, JSON-LD, Dublin Core, BibTeX `url`).
 * Stricter than {@link safeUrl} for body links: no relative or protocol-relative URL (`//host`,
 * `/\host`, `\\host`) and no other scheme, since metadata names a page on the web or nothing.
 * Characters browsers ignore are removed first (`java\tscript:`), so what is checked is what a
 * browser would follow. A value refused here is shown as text, never as a link.
 */
export function safeExternalUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const url = raw.replace(URL_TRIM, '').replace(URL_IGNORED, '');
  if (!ABSOLUTE_HTTP.test(url) || CONTROL.test(url) || !parses(url)) return undefined;
  return url;
}

function parses(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

function isExternal(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function isWaybackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.origin === IMAGE_ORIGIN && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

function attribute(name: string, value: string): string {
  return ` ${name}="${escapeHtml(value)}"`;
}
