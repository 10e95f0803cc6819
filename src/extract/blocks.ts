/**
 * HTML content → Block[]: the structural half of extraction. Given the element that holds an
 * article body, produce paragraphs, headings, lists, quotes, tables, figures and embeds in
 * document order. Site-independent; sites only say which container and which chrome.
 */
import type { Block, Inline, ListBlock, TableBlock } from './article.js';
import { collapseHtmlSpace, isTag, isText, textOf, type AnyNode, type Element } from './dom.js';
import { cloudflareMailto, decodeCloudflareEmail, embedSource, imageSource, isImageUrl, resolveUrl } from './urls.js';

export interface BlockOptions {
  /** URL the page was served from; relative URLs resolve against it. */
  baseUrl: string;
  /** Elements to leave out with everything inside (site chrome: share bars, author boxes, ads). */
  isChrome?: (el: Element) => boolean;
}

/** Never content: code, styling, forms, ad slots. */
const SKIPPED_ELEMENTS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'meta',
  'link',
  'base',
  'ins',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'label',
  'svg',
  'canvas',
  'map',
  'area',
  'object',
  'param',
  'track',
  'source',
  'dialog',
  'menu',
  // AMP's ad slots, analytics, menus and share buttons (amp.dev component catalogue).
  'amp-ad',
  'amp-embed',
  'amp-sticky-ad',
  'amp-auto-ads',
  'amp-analytics',
  'amp-pixel',
  'amp-sidebar',
  'amp-social-share',
  'amp-consent',
  'amp-user-notification',
]);
/** Image elements: HTML's and AMP's (`<amp-img>`, `<amp-anim>` for GIFs). */
const IMAGE_ELEMENTS = new Set(['img', 'amp-img', 'amp-anim']);
/**
 * A caption's holder, told by its class or id (`caption`, `credit`, `cutline`, `legend`, Chinese
 * CMSs' `pic-text`/`img-desc`/`shuoming`): captions are put in `<figcaption>`, in a `<small>`, or
 * in any element so named.
 */
const CAPTION_CLASS =
  /caption|credit|cutline|legend|pic-?(?:text|desc|info)|img-?(?:text|desc|info)|photo-?(?:text|desc|info)|shuoming|tushuo/i;
/** A caption is a line or two; a longer text next to an image is the article's own. */
const MAX_CAPTION_CHARS = 300;
/**
 * Dividers and end marks drawn as images (`article_end.gif`, 600 × 12): a declared height this
 * small with a width many times larger is a rule, not a picture.
 */
const MAX_RULE_IMAGE_HEIGHT = 16;
const MIN_RULE_IMAGE_RATIO = 10;
/** Elements that open a new block; anything else is inline. */
const CONTAINER_ELEMENTS = new Set([
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'aside',
  'nav',
  'center',
  'address',
  'details',
  'summary',
  'dl',
  'dd',
  'dt',
  'fieldset',
  'hgroup',
  'body',
  'html',
  'picture',
  'li',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'td',
  'th',
  'caption',
]);
const BLOCK_ELEMENTS = new Set([
  ...CONTAINER_ELEMENTS,
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'blockquote',
  'table',
  'figure',
  'hr',
  'pre',
  'iframe',
  'video',
  'embed',
  ...['amp-iframe', 'amp-youtube', 'amp-video'],
]);
/** Players: HTML's and AMP's. */
const EMBED_ELEMENTS = new Set(['iframe', 'video', 'embed', 'amp-iframe', 'amp-youtube', 'amp-video']);
const HEADING_LEVEL: Record<string, 1 | 2 | 3 | 4 | 5 | 6> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
/** Tracking pixels and spacers declare a tiny size. */
const MAX_PIXEL_SIZE = 2;
/**
 * Icons (arrows, bullets, print/close buttons, smileys) declare both sides this small: no photo
 * or chart is set at 24 px, and as a figure of its own an icon is noise that also hides the
 * navigation line it sat in from the trailing-chrome check.
 */
const MAX_ICON_SIZE = 24;

/** Inline content while it is built: media found inside text is lifted out as blocks. */
type Piece = Inline | { type: 'lift'; block: Block };
type PieceContainer =
  { type: 'strong' | 'em' | 'del'; children: Piece[] } | { type: 'link'; href: string; children: Piece[] };

function isHidden(el: Element): boolean {
  if (el.attribs['hidden'] !== undefined || el.attribs['aria-hidden'] === 'true') return true;
  const style = el.attribs['style'];
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style);
}

export class BlockBuilder {
  private readonly baseUrl: string;
  private readonly isChrome: (el: Element) => boolean;

  constructor(options: BlockOptions) {
    this.baseUrl = options.baseUrl;
    this.isChrome = options.isChrome ?? (() => false);
  }

  /** Blocks of a container's children. */
  blocks(container: Element): Block[] {
    return this.blocksOf(container.children);
  }

  /** Blocks of a run of nodes read as one container's content (a body and its sibling paragraphs). */
  blocksOf(nodes: readonly AnyNode[]): Block[] {
    const out: Block[] = [];
    this.walk(nodes, out);
    return out;
  }

  private skip(el: Element): boolean {
    return SKIPPED_ELEMENTS.has(el.name) || isHidden(el) || this.isChrome(el);
  }

  private walk(nodes: readonly AnyNode[], out: Block[]): void {
    let pending: Piece[] = [];
    const flush = (): void => {
      if (pending.length > 0) this.emitParagraphs(pending, out);
      pending = [];
    };
    for (const node of nodes) {
      if (isText(node)) {
        pending.push({ type: 'text', text: node.data });
        continue;
      }
      if (!isTag(node) || this.skip(node)) continue;
      const name = node.name;
      if (name === 'br') {
        pending.push({ type: 'break' });
        continue;
      }
      if (IMAGE_ELEMENTS.has(name)) {
        const fig = this.figureOfImage(node);
        if (fig) pending.push({ type: 'lift', block: fig });
        continue;
      }
      if (!BLOCK_ELEMENTS.has(name) && !this.containsBlock(node)) {
        pushAll(pending, this.inline(node));
        continue;
      }
      flush();
      this.block(node, out);
    }
    flush();
  }

  private containsBlock(el: Element): boolean {
    const stack: AnyNode[] = [...el.children];
    while (stack.length > 0) {
      const n = stack.pop()!; // non-empty: checked by the loop condition
      if (!isTag(n)) continue;
      if (BLOCK_ELEMENTS.has(n.name) && !EMBED_ELEMENTS.has(n.name)) return true;
      pushAll(stack, n.children);
    }
    return false;
  }

  private block(el: Element, out: Block[]): void {
    const name = el.name;
    if (name !== 'figure' && this.captionedImage(el, out)) return;
    const level = HEADING_LEVEL[name];
    if (level !== undefined) {
      for (const part of this.split(this.inline(el))) {
        if (Array.isArray(part)) {
          const children = normaliseInline(part, true);
          if (children.length > 0) out.push({ type: 'heading', level, children });
        } else out.push(part);
      }
      return;
    }
    switch (name) {
      case 'p':
        this.emitParagraphs(this.inlineChildren(el), out);
        return;
      case 'ul':
      case 'ol': {
        const list = this.list(el, out);
        if (list) out.push(list);
        return;
      }
      case 'blockquote': {
        const children: Block[] = [];
        this.walk(el.children, children);
        if (children.length > 0) out.push({ type: 'quote', children });
        return;
      }
      case 'table':
        this.table(el, out);
        return;
      case 'figure':
        this.figure(el, out);
        return;
      case 'hr':
        out.push({ type: 'rule' });
        return;
      case 'pre':
        this.emitParagraphs(preformatted(textOf(el)), out);
        return;
      case 'iframe':
      case 'video':
      case 'embed':
      case 'amp-iframe':
      case 'amp-youtube':
      case 'amp-video': {
        const embed = this.embed(el);
        if (embed) out.push(embed);
        return;
      }
      default:
        this.walk(el.children, out);
    }
  }

  /** Split pieces at lifted media and at double line breaks into paragraphs and blocks. */
  private emitParagraphs(pieces: Piece[], out: Block[]): void {
    for (const part of hasLift(pieces) ? this.split(pieces) : [pieces as Inline[]]) {
      if (!Array.isArray(part)) {
        out.push(part);
        continue;
      }
      for (const para of splitAtDoubleBreaks(normaliseInline(part, false)))
        out.push({ type: 'paragraph', children: para });
    }
  }

  /** Lift media out of inline content: returns runs of inline content and the lifted blocks in order. */
  private split(pieces: Piece[]): (Inline[] | Block)[] {
    const out: (Inline[] | Block)[] = [];
    let run: Inline[] = [];
    const visit = (list: Piece[], wrap: (children: Inline[]) => Inline[]): void => {
      let local: Piece[] = [];
      const flushLocal = (): void => {
        if (local.length > 0) pushAll(run, wrap(local as Inline[]));
        local = [];
      };
      for (const piece of list) {
        if (piece.type === 'lift') {
          flushLocal();
          out.push(run);
          run = [];
          out.push(piece.block);
        } else if (
          (piece.type === 'strong' || piece.type === 'em' || piece.type === 'del' || piece.type === 'link') &&
          hasLift(piece.children)
        ) {
          flushLocal();
          const container = piece as PieceContainer;
          visit(container.children, (children) => wrap([{ ...container, children }]));
        } else local.push(piece);
      }
      flushLocal();
    };
    visit(pieces, (children) => children);
    out.push(run);
    return out.filter((p) => !Array.isArray(p) || p.length > 0);
  }

  private inlineChildren(el: Element): Piece[] {
    const out: Piece[] = [];
    for (const child of el.children) this.inlineNode(child, out);
    return out;
  }

  private inline(el: Element): Piece[] {
    const out: Piece[] = [];
    this.inlineNode(el, out);
    return out;
  }

  private inlineNode(node: AnyNode, out: Piece[]): void {
    if (isText(node)) {
      out.push({ type: 'text', text: node.data });
      return;
    }
    if (!isTag(node) || this.skip(node)) return;
    const el = node;
    const cfHex = el.attribs['data-cfemail'];
    if (cfHex !== undefined) {
      const email = decodeCloudflareEmail(cfHex);
      const text: Inline = { type: 'text', text: email ?? textOf(el) };
      out.push(el.name === 'a' && email ? { type: 'link', href: 'mailto:' + email, children: [text] } : text);
      return;
    }
    switch (el.name) {
      case 'br':
        out.push({ type: 'break' });
        return;
      case 'img':
      case 'amp-img':
      case 'amp-anim': {
        const fig = this.figureOfImage(el);
        if (fig) out.push({ type: 'lift', block: fig });
        return;
      }
      case 'iframe':
      case 'video':
      case 'embed':
      case 'amp-iframe':
      case 'amp-youtube':
      case 'amp-video': {
        const embed = this.embed(el);
        if (embed) out.push({ type: 'lift', block: embed });
        return;
      }
      case 'strong':
      case 'b':
        out.push({ type: 'strong', children: this.inlineChildren(el) } as Inline);
        return;
      case 'em':
      case 'i':
      case 'cite':
      case 'dfn':
        out.push({ type: 'em', children: this.inlineChildren(el) } as Inline);
        return;
      case 'del':
      case 's':
      case 'strike':
        out.push({ type: 'del', children: this.inlineChildren(el) } as Inline);
        return;
      case 'a': {
        const raw = el.attribs['href'];
        const href = raw === undefined ? undefined : (cloudflareMailto(raw) ?? resolveUrl(raw, this.baseUrl));
        // A thumbnail linking to its full-size picture: the picture is the figure.
        const large = href !== undefined && isImageUrl(href) ? this.linkedImage(el) : undefined;
        if (large) {
          out.push({ type: 'lift', block: large });
          return;
        }
        const children = this.inlineChildren(el);
        if (href === undefined) {
          pushAll(out, children);
          return;
        }
        // A link inside a link: browsers close the outer one where the inner one starts.
        const nested = children.findIndex((c) => c.type === 'link');
        if (nested < 0) {
          out.push({ type: 'link', href, children } as Inline);
          return;
        }
        if (nested > 0) out.push({ type: 'link', href, children: children.slice(0, nested) } as Inline);
        pushAll(out, children.slice(nested));
        return;
      }
      default:
        if (BLOCK_ELEMENTS.has(el.name)) {
          // Block inside inline context (a table cell's <p>, a <div> in a <span>): keep a line break.
          // Straight into `out`: a copy per level costs depth × pieces on a deep nest.
          out.push({ type: 'break' });
          for (const child of el.children) this.inlineNode(child, out);
          out.push({ type: 'break' });
          return;
        }
        for (const child of el.children) this.inlineNode(child, out);
    }
  }

  private figureOfImage(img: Element): Block | undefined {
    const width = Number(img.attribs['width']);
    const height = Number(img.attribs['height']);
    if ((width > 0 && width <= MAX_PIXEL_SIZE) || (height > 0 && height <= MAX_PIXEL_SIZE)) return undefined;
    if (width > 0 && width <= MAX_ICON_SIZE && height > 0 && height <= MAX_ICON_SIZE) return undefined;
    if (height > 0 && height <= MAX_RULE_IMAGE_HEIGHT && width >= height * MIN_RULE_IMAGE_RATIO) return undefined;
    const src = imageSource(img, this.baseUrl);
    if (src === undefined) return undefined;
    return { type: 'figure', src, alt: collapseHtmlSpace(img.attribs['alt'] ?? '').trim() };
  }

  /** The meaningful children of an element: elements not skipped and not `<br>`, and text that is not blank. */
  private meaningful(el: Element): AnyNode[] {
    return el.children.filter((c) => (isText(c) ? c.data.trim() !== '' : isTag(c) && !this.skip(c) && c.name !== 'br'));
  }

  /** The one image an element holds, alone (through `<picture>`, a link or a wrapper), with the link around it. */
  private soleImage(el: Element, depth = 0): { img: Element; link?: Element } | undefined {
    if (IMAGE_ELEMENTS.has(el.name)) return { img: el };
    if (depth > 4) return undefined;
    const only = this.meaningful(el);
    const child = only.length === 1 && isTag(only[0]!) ? only[0] : undefined;
    if (!child) return undefined;
    const inner = this.soleImage(child, depth + 1);
    return inner && el.name === 'a' && inner.link === undefined ? { ...inner, link: el } : inner;
  }

  /** A figure for an image holder: the linked full-size picture when the link points at one, the link's title as caption. */
  private figureOf(found: { img: Element; link?: Element }): (Block & { type: 'figure' }) | undefined {
    const href = found.link ? resolveUrl(found.link.attribs['href'], this.baseUrl) : undefined;
    const fig = this.figureOfImage(found.img);
    if (fig?.type !== 'figure') return undefined;
    const title = collapseHtmlSpace(found.link?.attribs['title'] ?? '').trim();
    const out = href !== undefined && isImageUrl(href) ? { ...fig, src: href } : fig;
    return title !== '' && title !== fig.alt && title.length <= MAX_CAPTION_CHARS
      ? { ...out, caption: [{ type: 'text', text: title }] }
      : out;
  }

  /** `<a href="large.jpg"><img src="thumb.jpg"></a>`: the large picture, when the link holds only the image. */
  private linkedImage(a: Element): Block | undefined {
    const found = this.soleImage(a);
    return found ? (this.figureOf({ ...found, link: found.link ?? a }) ?? undefined) : undefined;
  }

  /** Whether an element is a caption's holder: `<figcaption>`, `<small>`, or named a caption. */
  private isCaptionHolder(el: Element): boolean {
    if (el.name === 'figcaption' || el.name === 'small') return true;
    return CAPTION_CLASS.test(`${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`);
  }

  /** The caption text of a holder, when it is short and holds no image. */
  private captionOf(el: Element): Inline[] | undefined {
    const text = textOf(el).trim();
    if (text === '' || text.length > MAX_CAPTION_CHARS || this.containsImage(el)) return undefined;
    const c = normaliseInline(this.split(this.inlineChildren(el)).filter(Array.isArray).flat(), false);
    return c.length > 0 ? c : undefined;
  }

  private containsImage(el: Element): boolean {
    const stack: AnyNode[] = [...el.children];
    for (let seen = 0; stack.length > 0 && seen < 10_000; seen++) {
      const n = stack.pop()!; // non-empty: checked by the loop condition
      if (!isTag(n)) continue;
      if (IMAGE_ELEMENTS.has(n.name)) return true;
      pushAll(stack, n.children);
    }
    return false;
  }

  /**
   * A block that is one image and its caption, as pages lay photos out without `<figure>`: the
   * image (or a thumbnail linking to it), then a caption holder (`<small>`, an element named a
   * caption), or — in a layout table of two cells — the text of the other cell.
   */
  private captionedImage(el: Element, out: Block[]): boolean {
    let parts = this.meaningful(el);
    const isTable = el.name === 'table';
    if (isTable) {
      const cells: Element[] = [];
      const stack: AnyNode[] = [...el.children].reverse();
      for (let seen = 0; stack.length > 0 && seen < 64; seen++) {
        const n = stack.pop()!; // non-empty: checked by the loop condition
        if (!isTag(n) || this.skip(n)) continue;
        if (n.name === 'td' || n.name === 'th') {
          if (this.meaningful(n).length > 0) cells.push(n);
        } else if (n.name === 'tr' || n.name === 'tbody' || n.name === 'thead' || n.name === 'tfoot')
          for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
        else return false;
      }
      if (stack.length > 0) return false;
      parts = cells;
    }
    if (parts.length !== 2 || !isTag(parts[0]!) || !isTag(parts[1]!)) return false;
    const found = this.soleImage(parts[0]);
    if (!found) return false;
    const holder = parts[1];
    if (!isTable && !this.isCaptionHolder(holder)) return false;
    const caption = this.captionOf(holder);
    const fig = caption ? this.figureOf(found) : undefined;
    if (!fig || !caption) return false;
    out.push({ ...fig, caption });
    return true;
  }

  private embed(el: Element): Block | undefined {
    // AMP's YouTube player names the video, not a URL (amp.dev, amp-youtube).
    const videoId = el.name === 'amp-youtube' ? el.attribs['data-videoid'] : undefined;
    let src =
      videoId !== undefined && /^[\w-]{6,20}$/.test(videoId)
        ? `https://www.youtube.com/embed/${videoId}`
        : el.attribs['src'];
    if (!src && (el.name === 'video' || el.name === 'amp-video')) {
      const source = el.children.find((c): c is Element => isTag(c) && c.name === 'source');
      src = source?.attribs['src'];
    }
    const url = embedSource(src, this.baseUrl);
    return url === undefined ? undefined : { type: 'embed', src: url };
  }

  /** A figure's images and players, with its caption on the last image; any other content it holds is kept as blocks. */
  private figure(el: Element, out: Block[]): void {
    // Appended in place, joined by line breaks: a copy per caption holder was quadratic on a
    // figure of 100,000 `<small>`s (173 s).
    const parts: Inline[] = [];
    const rest: AnyNode[] = [];
    for (const child of el.children) {
      if (
        isTag(child) &&
        child.name !== 'a' &&
        !IMAGE_ELEMENTS.has(child.name) &&
        this.isCaptionHolder(child) &&
        !this.skip(child) &&
        !this.containsImage(child)
      ) {
        const c = normaliseInline(this.split(this.inlineChildren(child)).filter(Array.isArray).flat(), false);
        if (c.length === 0) continue;
        if (parts.length > 0) parts.push({ type: 'break' });
        pushAll(parts, c);
      } else rest.push(child);
    }
    const caption = parts.length > 0 ? parts : undefined;
    const blocks: Block[] = [];
    this.walk(rest, blocks);
    const lastFigure = blocks.findLastIndex((b) => b.type === 'figure');
    const fig = blocks[lastFigure];
    if (caption && fig?.type === 'figure') blocks[lastFigure] = { ...fig, caption };
    pushAll(out, blocks);
    // A caption without an image is still text the page showed.
    if (caption && lastFigure < 0) out.push({ type: 'paragraph', children: caption });
  }

  private list(el: Element, out: Block[]): ListBlock | undefined {
    const items: Block[][] = [];
    for (const child of el.children) {
      if (!isTag(child) || this.skip(child)) continue;
      const item: Block[] = [];
      if (child.name === 'li') this.walk(child.children, item);
      else if (child.name === 'ul' || child.name === 'ol') {
        const sub = this.list(child, out);
        if (sub) item.push(sub);
      } else this.walk([child], item);
      if (item.length > 0) items.push(item);
    }
    if (items.length === 0) return undefined;
    const ordered = el.name === 'ol';
    const start = ordered ? Number.parseInt(el.attribs['start'] ?? '1', 10) : 1;
    return { type: 'list', ordered, start: Number.isFinite(start) && start >= 0 ? start : 1, items };
  }

  private table(el: Element, out: Block[]): void {
    const rows: Element[] = [];
    const stack: AnyNode[] = [...el.children].reverse();
    let nested = false;
    // Text outside any cell (broken markup, or text kept when nesting was capped) is content too.
    let strayText = false;
    while (stack.length > 0) {
      const n = stack.pop()!; // non-empty: checked by the loop condition
      if (isText(n) && n.data.trim() !== '') strayText = true;
      if (!isTag(n) || this.skip(n)) continue;
      if (n.name === 'tr') rows.push(n);
      else if (n.name === 'thead' || n.name === 'tbody' || n.name === 'tfoot')
        for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
      else if (n.name === 'caption') this.emitParagraphs(this.inlineChildren(n), out);
      // A cell outside any row: broken markup, or a table nest flattened at the depth cap (dom.ts).
      else if (n.name === 'td' || n.name === 'th') strayText = true;
    }
    const cellsOf = (tr: Element): Element[] =>
      tr.children.filter((c): c is Element => isTag(c) && (c.name === 'td' || c.name === 'th'));
    for (const tr of rows) if (tr.children.some((c) => isText(c) && c.data.trim() !== '')) strayText = true;
    for (const tr of rows)
      for (const cell of cellsOf(tr)) if (cell.children.some((c) => isTag(c) && c.name === 'table')) nested = true;
    let maxCells = 0;
    for (const r of rows) maxCells = Math.max(maxCells, cellsOf(r).length);
    // Layout tables (one column, or tables of tables) hold content, not data.
    if (strayText) {
      this.walk(el.children, out);
      return;
    }
    if (nested || maxCells <= 1) {
      this.walk(
        rows.flatMap((r) => cellsOf(r)),
        out,
      );
      return;
    }
    const lifted: Block[] = [];
    const tableRows: Inline[][][] = [];
    for (const tr of rows) {
      const cells = cellsOf(tr).map((cell) => {
        const parts = this.split(this.inlineChildren(cell));
        for (const p of parts) if (!Array.isArray(p)) lifted.push(p);
        return normaliseInline(parts.filter(Array.isArray).flat(), true);
      });
      if (cells.length > 0) tableRows.push(cells);
    }
    if (tableRows.length === 0) {
      pushAll(out, lifted);
      return;
    }
    const first = rows[0];
    const header =
      first !== undefined &&
      ((first.parent !== null && isTag(first.parent) && first.parent.name === 'thead') ||
        cellsOf(first).every((c) => c.name === 'th'));
    const table: TableBlock = { type: 'table', header, rows: tableRows };
    out.push(table);
    pushAll(out, lifted);
  }
}

/**
 * `out.push(...items)` without the spread: a spread passes every item as an argument on the
 * stack, and a flattened hostile page has 200,000 siblings in one element (dom.ts MAX_DEPTH).
 */
function pushAll<T>(out: T[], items: readonly T[]): void {
  for (const item of items) out.push(item);
}

function hasLift(pieces: readonly Piece[]): boolean {
  for (const p of pieces) {
    if (p.type === 'lift') return true;
    if ((p.type === 'strong' || p.type === 'em' || p.type === 'del' || p.type === 'link') && hasLift(p.children))
      return true;
  }
  return false;
}

function preformatted(text: string): Piece[] {
  const out: Piece[] = [];
  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .forEach((line, i) => {
      if (i > 0) out.push({ type: 'break' });
      out.push({ type: 'text', text: line });
    });
  return out;
}

function splitAtDoubleBreaks(nodes: Inline[]): Inline[][] {
  const paras: Inline[][] = [];
  let cur: Inline[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.type === 'break' && nodes[i + 1]?.type === 'break') {
      while (nodes[i + 1]?.type === 'break') i++;
      if (cur.length > 0) paras.push(cur);
      cur = [];
      continue;
    }
    cur.push(n);
  }
  if (cur.length > 0) paras.push(cur);
  return paras;
}

/** C0 controls other than white space, and DEL: never text. */
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g;
/** Text with tabs, newlines, runs of spaces or controls needs collapsing; most runs have none. */
const NEEDS_CLEANING = /[\u0000-\u001f\u007f]| {2}/;

/**
 * HTML white-space rules over a run of inline content: ASCII white space collapses to one space
 * across element boundaries, is trimmed at the block's edges and around line breaks, and empty
 * formatting disappears. `flat` turns line breaks into spaces (headings, table cells).
 */
export function normaliseInline(nodes: readonly Inline[], flat: boolean): Inline[] {
  // Pass 1: collapse, tracking whether the previous visible character was a space.
  const texts: { type: 'text'; text: string }[] = [];
  let prevSpace = true;
  const collapse = (list: readonly Inline[]): Inline[] => {
    const result: Inline[] = [];
    for (const n of list) {
      if (n.type === 'text') {
        let t = NEEDS_CLEANING.test(n.text) ? collapseHtmlSpace(n.text.replace(CONTROL_CHARS, '')) : n.text;
        if (prevSpace && t.startsWith(' ')) t = t.slice(1);
        if (t === '') continue;
        prevSpace = t.endsWith(' ');
        const node = { type: 'text' as const, text: t };
        texts.push(node);
        result.push(node);
      } else if (n.type === 'break') {
        if (flat) {
          if (!prevSpace) {
            const node = { type: 'text' as const, text: ' ' };
            texts.push(node);
            result.push(node);
            prevSpace = true;
          }
          continue;
        }
        const last = texts[texts.length - 1];
        if (last && last.text.endsWith(' ')) last.text = last.text.slice(0, -1);
        prevSpace = true;
        result.push(n);
      } else {
        const children = collapse(n.children);
        result.push({ ...n, children });
      }
    }
    return result;
  };
  const collapsed = collapse(nodes);
  const last = texts[texts.length - 1];
  if (last && last.text.endsWith(' ')) last.text = last.text.slice(0, -1);
  return prune(collapsed, true);
}

/**
 * Pruned `items` appended to a pruned run, merging only at the seam: what re-pruning the joined
 * run gives, without re-reading the run (`<b>x</b>` × 1,000,000 re-pruned it per element:
 * quadratic). Formatting nodes in a pruned run are prune's own copies, so they may be extended.
 */
function appendPruned(target: Inline[], items: readonly Inline[]): void {
  for (const item of items) {
    const last = target[target.length - 1];
    if (last?.type === 'text' && item.type === 'text')
      target[target.length - 1] = { type: 'text', text: last.text + item.text };
    else if (
      last &&
      last.type !== 'text' &&
      last.type !== 'break' &&
      item.type !== 'text' &&
      item.type !== 'break' &&
      sameFormatting(last, item)
    )
      appendPruned(last.children, item.children);
    else target.push(item);
  }
}

function sameFormatting(a: Inline | undefined, b: Inline): boolean {
  if (!a || a.type !== b.type) return false;
  if (a.type === 'link' && b.type === 'link') return a.href === b.href;
  return a.type === 'strong' || a.type === 'em' || a.type === 'del';
}

/**
 * Drop empty text and formatting; line breaks at the edges of formatting move outside it
 * (`<b>標題<br></b>`); adjacent identical formatting merges (`<b>粗</b><b>體</b>`); no line
 * breaks at the edges of the run.
 */
function prune(nodes: Inline[], top: boolean): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (n.type === 'text') {
      const last = out[out.length - 1];
      if (n.text === '') continue;
      if (last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + n.text };
      else out.push(n);
      continue;
    }
    if (n.type === 'break') {
      out.push(n);
      continue;
    }
    let children = prune(n.children, false);
    let trailing = 0;
    // Counted, then cut once: `shift()` per break is quadratic on 100,000s of breaks (hostile pages).
    let leading = 0;
    while (children[leading]?.type === 'break') {
      leading++;
      out.push({ type: 'break' });
    }
    if (leading > 0) children = children.slice(leading);
    while (children[children.length - 1]?.type === 'break') {
      children.pop();
      trailing++;
    }
    if (children.length > 0) {
      const last = out[out.length - 1];
      if (last && sameFormatting(last, n) && last.type !== 'text' && last.type !== 'break')
        appendPruned(last.children, children);
      else out.push({ ...n, children });
    }
    for (let i = 0; i < trailing; i++) out.push({ type: 'break' });
  }
  if (top) {
    let leading = 0;
    while (out[leading]?.type === 'break') leading++;
    while (out.length > leading && out[out.length - 1]?.type === 'break') out.pop();
    return leading > 0 ? out.slice(leading) : out;
  }
  return out;
}
