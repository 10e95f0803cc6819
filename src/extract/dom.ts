/**
 * The one place HTML is parsed. htmlparser2 + domhandler: a forgiving, fast parser (≈7 ms for a
 * 145 KB page here, STACK.md) whose tree the rest of `extract` reads through these helpers.
 */
import { Parser, Tokenizer } from 'htmlparser2';
import { decodeHTML, decodeHTMLAttribute } from 'entities';
import {
  DomHandler,
  isTag,
  isText,
  type Element,
  type AnyNode,
  type ChildNode,
  type Document,
  type ParentNode,
  type DataNode,
} from 'domhandler';
import { compile, selectAll, selectOne } from 'css-select';

export type { AnyNode, ChildNode, Document, Element, ParentNode };
export { isTag, isText };

/**
 * Nesting is capped here: at this depth a further open tag first closes the innermost open element,
 * so it is built as that element's next sibling (flattened) rather than one level deeper, and its
 * text is kept in order. Real pages nest < 60 levels (the deepest of the 130 pages of the
 * readability bench, wikipedia-2, is 39 with its text: measured 2026-12-06), so 256 leaves a wide margin. Hostile input can nest 200k levels: htmlparser2 keeps its open-element
 * stack with `unshift`/`shift` and looks closing tags up with `indexOf`, so every tag costs time in
 * the depth (200,000 nested `<div>`s: 51 s, issue 12), and every recursive walk (ours, css-select's)
 * would overflow. With the cap every tag costs at most MAX_DEPTH steps: linear in the page.
 */
export const MAX_DEPTH = 256;

/**
 * Elements built per page; past it, tags are read but not built and their text joins the element
 * open at that point (a line break where a block would have started). News pages have a few
 * thousand elements (the most of the 130 readability bench pages: 9,888, wikipedia-2; measured
 * 2026-12-06), so 100,000 is ten times any of them;
 * every later step costs time per element, and a 20 MiB page of 1,000,000 `<p>`s or `<li>`s
 * took 20-40 s (issue 12). With the cap, page size costs only text.
 */
export const MAX_ELEMENTS = 100_000;

/** The htmlparser2 12 internals the depth cap works through (private in its typings). */
interface ParserInternals {
  stack: string[];
  startIndex: number;
  endIndex: number;
  onclosetag(start: number, endIndex: number): void;
  readTagName(start: number, endIndex: number): string;
  emitOpenTag(name: string): void;
  popElement(implied: boolean): void;
  isVoidElement(name: string): boolean;
  isInForeignContext(): boolean;
  oncdata(start: number, endIndex: number, offset: number): void;
  /** The handler. Read through the parser, never captured: see DepthLimitedHandler.parser_. */
  cbs: unknown;
}

/**
 * A parser whose open-element stack never grows past MAX_DEPTH (see there). Done in the parser,
 * not the handler: the handler only sees the tags, while the quadratic cost is the parser's stack.
 */
export function createParser(handler: DomHandler): Parser {
  const parser = new Parser(handler, PARSE_OPTIONS);
  const internals = parser as unknown as ParserInternals;
  if (
    !Array.isArray(internals.stack) ||
    typeof internals.emitOpenTag !== 'function' ||
    typeof internals.popElement !== 'function' ||
    typeof internals.readTagName !== 'function'
  ) {
    throw new Error('htmlparser2 internals changed: the parse depth cap of dom.ts needs updating');
  }
  // Elements closed early to make room, by name: the page still closes each of them later, and
  // those closing tags must not close the real ancestors (the page's own containers) instead.
  const flattened = new Map<string, number>();
  // Called with the parser as `this` below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emitOpenTag = internals.emitOpenTag;
  internals.emitOpenTag = function cappedEmitOpenTag(this: ParserInternals, name: string): void {
    // The tokenizer chose raw text or markup for this tag's content before the cap below may close
    // an <svg> or <math>: the handler decodes by the same context (see DepthLimitedHandler.rawText).
    // The handler is reached as `this.cbs`: a closure over it, kept on the parser, made V8 keep
    // each page's DOM alive past young-generation GCs (measured 2026-12-07: 20-25% slower).
    if (this.cbs instanceof DepthLimitedHandler) this.cbs.tagInForeignContext = this.isInForeignContext();
    if (this.stack.length >= MAX_DEPTH && !this.isVoidElement(name)) {
      const top = this.stack[0]!; // the stack is MAX_DEPTH long
      flattened.set(top, (flattened.get(top) ?? 0) + 1);
      this.popElement(true);
    }
    emitOpenTag.call(this, name);
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const onclosetag = internals.onclosetag;
  internals.onclosetag = function cappedOnCloseTag(this: ParserInternals, start: number, endIndex: number): void {
    if (flattened.size > 0) {
      // Unflattened, the closed elements would be open inside everything on the stack but an
      // element at the cap itself (opened after them): a closing tag closes one of them, unless
      // it is for that element, innermost first.
      const name = this.readTagName(start, endIndex);
      const count = flattened.get(name);
      if (count !== undefined && !(this.stack.length >= MAX_DEPTH && this.stack[0] === name)) {
        if (count === 1) flattened.delete(name);
        else flattened.set(name, count - 1);
        this.endIndex = endIndex;
        this.startIndex = endIndex + 1;
        return;
      }
    }
    onclosetag.call(this, start, endIndex);
  };
  // CDATA in SVG or MathML reaches the handler as text of the run around it, and is never decoded.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const oncdata = internals.oncdata;
  internals.oncdata = function rawCdata(this: ParserInternals, start: number, endIndex: number, offset: number): void {
    const cbs = this.cbs;
    if (!(cbs instanceof DepthLimitedHandler)) return oncdata.call(this, start, endIndex, offset);
    cbs.rawSection(true);
    oncdata.call(this, start, endIndex, offset);
    cbs.rawSection(false);
  };
  return parser;
}

/**
 * Builds the tree, leaving out ignored subtrees and every element past MAX_ELEMENTS (and, as a
 * guard, deeper than MAX_DEPTH, which createParser already prevents): their text lands in the
 * element open at that point. The parser closes elements last-in first-out, so the first closes
 * after an unbuilt open belong to unbuilt elements. Costs nothing on ordinary pages.
 */
class DepthLimitedHandler extends DomHandler {
  /** Open elements not built: too deep, or inside an ignored subtree. */
  private unbuilt = 0;
  /** Elements built so far (see MAX_ELEMENTS). */
  private built = 0;
  /** Text is dropped while inside an ignored subtree (kept when only too deep). */
  private ignoring = false;
  /** The `unbuilt` level of the element whose subtree is being ignored. */
  private ignoreLevel = 1;

  /**
   * The parser feeding this handler, kept to pause it where the article part ends. Taken from
   * `onparserinit`, not from a closure set after construction: with the closure, V8 kept every
   * page's whole DOM alive past young-generation GCs until the next full GC, and GC became a
   * third of extraction time (measured 2026-11-26: 360 µs of GC a page against 6 µs).
   */
  private parser_: Parser | undefined;
  stopped = false;

  constructor(private readonly parseOptions: ParseOptions) {
    super();
  }

  override onparserinit(parser: Parser): void {
    super.onparserinit(parser);
    this.parser_ = parser;
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    this.flushEntities();
    decodeAttributes(attribs);
    // Raw text (script, style…) is read only for its end tag, and never in SVG or MathML.
    this.rawText = RAW_TEXT.has(name) && !this.tagInForeignContext;
    if (this.unbuilt > 0) {
      this.unbuilt++;
      if (!this.ignoring) {
        // Past MAX_ELEMENTS text is kept, but never a script's or a style's.
        if (this.parseOptions.ignore?.(name, attribs)) {
          this.ignoring = true;
          this.ignoreLevel = this.unbuilt;
        } else if (LINE_BREAKING.has(name)) super.ontext('\n');
      }
      return;
    }
    const { ignore, stopAt, onElement } = this.parseOptions;
    if (stopAt?.(name, attribs)) {
      this.stopped = true;
      this.parser_?.pause();
      this.unbuilt = 1;
      this.ignoring = true;
      this.ignoreLevel = 1;
      return;
    }
    if (ignore?.(name, attribs)) {
      this.unbuilt = 1;
      this.ignoring = true;
      this.ignoreLevel = 1;
      return;
    }
    if (this.tagStack.length > MAX_DEPTH || this.built >= MAX_ELEMENTS) {
      this.unbuilt = 1;
      // Words of blocks not built stay apart, as a line break keeps them on a built page.
      if (LINE_BREAKING.has(name)) super.ontext('\n');
      return;
    }
    this.built++;
    super.onopentag(name, attribs);
    if (PRESERVES_SPACE.has(name)) this.preformatted++;
    if (onElement) onElement(this.tagStack[this.tagStack.length - 1] as Element);
  }

  override onclosetag(): void {
    this.flushEntities();
    this.rawText = false;
    if (this.unbuilt > 0) {
      if (this.ignoring && this.unbuilt === this.ignoreLevel) this.ignoring = false;
      this.unbuilt--;
      return;
    }
    const closing = this.tagStack[this.tagStack.length - 1];
    if (closing && closing.type === 'tag' && PRESERVES_SPACE.has(closing.name)) this.preformatted--;
    super.onclosetag();
  }

  override ontext(data: string): void {
    if (this.ignoring) return;
    // A run of text ends at any tag, built or not (a stray `</b>` never reaches the handler): text
    // that does not start where the last text ended begins a run of its own.
    const parser = this.parser_;
    if (parser === undefined || parser.startIndex !== this.textEnd) this.flushEntities();
    if (parser !== undefined) this.textEnd = parser.endIndex + 1;
    // White space where a line starts (after a block or a <br>, or first in a block) is never
    // shown (CSS white-space collapsing): not building it saves a fifth of the nodes of a
    // pretty-printed page. A continuation of a text node is always kept (lastNode is text).
    if (this.lastNode === null && this.preformatted === 0 && isHtmlSpace(data) && this.atLineStart()) return;
    const continued = this.lastNode !== null && isText(this.lastNode) ? this.lastNode : null;
    if (continued !== null && continued !== this.pending) {
      // Text after an element that was not built joins the text before it; only the new part is raw.
      this.flushEntities();
      this.pending = continued;
      this.decodedPrefix = continued.data;
    }
    super.ontext(data);
    if (continued === null) {
      this.flushEntities();
      this.pending = this.lastNode;
    }
    this.rawRun += data;
    if (!this.rawText && data.includes('&')) this.pendingAmp = true;
  }

  /**
   * The parser runs with `decodeEntities: false`: its tokenizer then skips to the next `<` instead
   * of stepping through a state machine per character (half its time on hkcnews pages, measured
   * 2026-12-07). Text is decoded here once its run ends, so a reference split between two
   * chunks of input is decoded whole, with the rules the tokenizer would use (entities' legacy
   * mode, the WHATWG rules for text). The node's text is then its decoded part before the run
   * plus the decoded run, joined without reading the node's text again: a node that takes a run
   * after every unbuilt element (past MAX_ELEMENTS) stays linear in its length.
   */
  private pending: DataNode | null = null;
  /** The pending node's text before the current run (already decoded). */
  private decodedPrefix = '';
  /** The current run of text as written. */
  private rawRun = '';
  /** Where the last text handed over ended in the input (the parser's offsets). */
  private textEnd = -1;
  private pendingAmp = false;
  /** Text read raw by the tokenizer: a raw-text element's, or a CDATA section's. */
  private rawText = false;
  /** Whether the tag being opened started in SVG or MathML (set by createParser's emitOpenTag). */
  tagInForeignContext = false;

  /** A CDATA section starts or ends: its text is a run of its own, kept as written. */
  rawSection(start: boolean): void {
    this.flushEntities();
    this.rawText = start;
    this.textEnd = -1;
  }

  private flushEntities(): void {
    const node = this.pending;
    if (node !== null && this.pendingAmp) node.data = this.decodedPrefix + decodeHTML(this.rawRun);
    this.pending = null;
    this.pendingAmp = false;
    this.decodedPrefix = '';
    this.rawRun = '';
  }

  override onend(): void {
    this.flushEntities();
    super.onend();
  }

  private preformatted = 0;

  private atLineStart(): boolean {
    const parent = this.tagStack[this.tagStack.length - 1]!; // never empty: the root stays
    const prev = parent.children[parent.children.length - 1];
    if (prev === undefined) return parent.type === 'root' || (isTag(parent) && LINE_BREAKING.has(parent.name));
    return isTag(prev) && LINE_BREAKING.has(prev.name);
  }

  override oncomment(data: string): void {
    this.flushEntities();
    if (this.unbuilt === 0) super.oncomment(data);
  }
}

/** Elements that start a new line: white space next to their edges is not shown. */
const LINE_BREAKING: ReadonlySet<string> = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'head',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);
/** Elements whose white space is shown as written. */
const PRESERVES_SPACE: ReadonlySet<string> = new Set(['pre', 'textarea', 'listing', 'xmp', 'plaintext']);

function isHtmlSpace(data: string): boolean {
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13 && c !== 12) return false;
  }
  return true;
}

/** The htmlparser2 12 tokenizer internals IndexOfTokenizer works through (private in its typings). */
interface TokenizerInternals {
  buffer: string;
  index: number;
  offset: number;
  fastForwardTo(c: number): boolean;
}

/**
 * htmlparser2's tokenizer, skipping text and attribute values with the engine's `indexOf` rather
 * than a loop over `charCodeAt`: an eighth of parse time on hkcnews pages (measured 2026-12-07).
 * Same contract as the method it replaces: from the character after `index`, stop on `c`, or at
 * the last character of the buffer when there is none.
 */
class IndexOfTokenizer extends Tokenizer {}
{
  const proto = IndexOfTokenizer.prototype as unknown as TokenizerInternals;
  if (typeof proto.fastForwardTo !== 'function')
    throw new Error('htmlparser2 internals changed: the tokenizer of dom.ts needs updating');
  proto.fastForwardTo = function fastForwardTo(this: TokenizerInternals, c: number): boolean {
    const at = this.buffer.indexOf(String.fromCharCode(c), this.index + 1 - this.offset);
    if (at !== -1) {
      this.index = at + this.offset;
      return true;
    }
    this.index = this.buffer.length + this.offset - 1;
    return false;
  };
}

/** Entities are decoded by the handler (DepthLimitedHandler.flushEntities says why). */
const PARSE_OPTIONS = {
  decodeEntities: false,
  lowerCaseTags: true,
  lowerCaseAttributeNames: true,
  Tokenizer: IndexOfTokenizer,
} as const;

/** Elements whose text the tokenizer reads raw (htmlparser2's special tags other than RCDATA). */
const RAW_TEXT: ReadonlySet<string> = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/** Attribute values as the tokenizer would decode them (the WHATWG attribute rules). */
function decodeAttributes(attribs: Record<string, string>): void {
  for (const name in attribs) {
    const value = attribs[name]!;
    if (value.includes('&')) attribs[name] = decodeHTMLAttribute(value);
  }
}

/** Subtrees that are never read: what an element is can be told from its own tag and attributes. */
export interface IgnoreRules {
  tags?: readonly string[];
  classes?: readonly string[];
  ids?: readonly string[];
}

/**
 * Never content, and never metadata: scripts other than JSON-LD, styles, inline SVG, templates.
 * Not building them saves a third of the DOM of a typical news page (measured on hkcnews).
 */
const ALWAYS_IGNORED_TAGS: ReadonlySet<string> = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'select',
  'textarea',
]);

/** The parser's ignore predicate: the site's rules plus what is never content. */
export function ignorePredicate(rules: IgnoreRules = {}): ElementTest {
  return elementTest(rules, ALWAYS_IGNORED_TAGS);
}

/** One regex that finds any of these class names in a `class` attribute (no splitting, no allocation). */
function classListPattern(classes: readonly string[]): RegExp | undefined {
  if (classes.length === 0) return undefined;
  const alternatives = classes.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`(?:^|\\s)(?:${alternatives})(?:\\s|$)`);
}

/** A predicate for the parser: does the rule name this element (by its own tag and attributes)? */
export function elementTest(rules: IgnoreRules = {}, alwaysTags: ReadonlySet<string> = new Set()): ElementTest {
  const tags = new Set([...alwaysTags, ...(rules.tags ?? [])]);
  const classPattern = classListPattern(rules.classes ?? []);
  const ids = new Set(rules.ids ?? []);
  return (name, attribs) => {
    // Scripts are never content, but JSON-LD scripts are metadata.
    if (name === 'script' && alwaysTags.has('script'))
      return !(attribs['type'] ?? '').toLowerCase().includes('ld+json');
    if (tags.has(name)) return true;
    const id = attribs['id'];
    if (id !== undefined && ids.has(id)) return true;
    const cls = attribs['class'];
    return cls !== undefined && classPattern !== undefined && classPattern.test(cls);
  };
}

/** Tells from an element's own tag name and attributes whether a rule applies to it. */
export type ElementTest = (name: string, attribs: Record<string, string>) => boolean;

export interface ParseOptions {
  /** Elements not built, with everything inside them. */
  ignore?: ElementTest;
  /** Parsing stops where such an element opens: nothing of the article follows it. */
  stopAt?: ElementTest;
  /** Sees every element built, in document order, as soon as it opens (before its children). */
  onElement?: (el: Element) => void;
}

export interface ParsedPage {
  doc: Document;
  /** Offset in the text where parsing stopped early (`stopAt`), if it did. */
  stoppedAt?: number;
}

/**
 * Parse a page, given whole or in pieces (`DecodedPayload.chunks`: parsing 64 KB pieces is faster
 * than one large string, decode.ts). Never throws on malformed markup; nesting is capped at MAX_DEPTH.
 */
export function parseHtml(html: string | readonly string[], options: ParseOptions = {}): ParsedPage {
  const handler = new DepthLimitedHandler(options);
  const parser = createParser(handler);
  if (typeof html === 'string') parser.end(html);
  else {
    // A paused parser (stopAt) buffers what it is given: stop feeding it.
    for (const piece of html) {
      if (handler.stopped) break;
      parser.write(piece);
    }
    parser.end();
  }
  return handler.stopped ? { doc: handler.root, stoppedAt: parser.startIndex } : { doc: handler.root };
}

/** Concatenated text of a subtree (no whitespace processing), iteratively. */
export function textOf(node: AnyNode): string {
  if (isText(node)) return node.data;
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!; // non-empty: checked by the loop condition
    if (isText(n)) out += n.data;
    else if (isTag(n) || n.type === 'root') {
      const kids = (n as ParentNode).children;
      if (isTag(n) && (n.name === 'script' || n.name === 'style' || n.name === 'template')) continue;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return out;
}

/** Text as a reader sees it: HTML white space collapsed, trimmed (NBSP and U+3000 kept). */
export function visibleText(node: AnyNode): string {
  return collapseHtmlSpace(textOf(node)).trim();
}

const HTML_SPACE_RUN = /[ \t\n\r\f]+/g;
/** HTML's white-space collapsing: runs of ASCII white space become one space. */
export function collapseHtmlSpace(text: string): string {
  return text.replace(HTML_SPACE_RUN, ' ');
}

/** Selectors are compiled once per process: compiling costs more than matching on a page. */
const compiled = new Map<string, ReturnType<typeof compile<AnyNode, Element>>>();
function query(selector: string): ReturnType<typeof compile<AnyNode, Element>> {
  let q = compiled.get(selector);
  if (!q) {
    q = compile<AnyNode, Element>(selector);
    compiled.set(selector, q);
  }
  return q;
}

export function select(selector: string, root: AnyNode | AnyNode[]): Element[] {
  return selectAll<AnyNode, Element>(query(selector), root);
}

export function selectFirst(selector: string, root: AnyNode | AnyNode[]): Element | null {
  return selectOne<AnyNode, Element>(query(selector), root);
}

/** True when `node` has an ancestor (or is one) matching the predicate. */
export function hasAncestor(node: AnyNode, predicate: (el: Element) => boolean): boolean {
  for (let n: AnyNode | null = node; n; n = n.parent) if (isTag(n) && predicate(n)) return true;
  return false;
}

const SIMPLE_SELECTOR = /^([.#]?)([\w-]+)$/;

/**
 * A selector list compiled once into a predicate. Lists of plain `.class`, `#id` and `tag`
 * selectors (what site profiles mostly hold) become set look-ups: they are checked on every
 * element of a body, and css-select costs ~30x more per check there (measured 2026-11-26).
 */
export function compileSelector(selectors: string | readonly string[]): (el: Element) => boolean {
  const list = (typeof selectors === 'string' ? selectors.split(',') : [...selectors])
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (list.length === 0) return () => false;
  const simple = list.map((x) => SIMPLE_SELECTOR.exec(x));
  if (simple.every((m) => m !== null)) {
    const classes = new Set<string>();
    const ids = new Set<string>();
    const tags = new Set<string>();
    for (const m of simple)
      (m[1] === '.' ? classes : m[1] === '#' ? ids : tags).add(m[1] === '' ? m[2]!.toLowerCase() : m[2]!); // every entry matched (checked above)
    const classPattern = classListPattern([...classes]);
    return (el) => {
      if (tags.has(el.name)) return true;
      const id = el.attribs['id'];
      if (id !== undefined && ids.has(id)) return true;
      const cls = el.attribs['class'];
      return cls !== undefined && classPattern !== undefined && classPattern.test(cls);
    };
  }
  const query = compile<AnyNode, Element>(list.join(','));
  return (el) => query(el);
}
