/**
 * The one place HTML is parsed. htmlparser2 + domhandler: a forgiving, fast parser (≈7 ms for a
 * 145 KB page here, STACK.md) whose tree the rest of `extract` reads through these helpers.
 */
import { Parser } from 'htmlparser2';
import { DomHandler, isTag, isText, type Element, type AnyNode, type ChildNode, type Document, type ParentNode } from 'domhandler';
import { compile, selectAll, selectOne } from 'css-select';

export type { AnyNode, ChildNode, Document, Element, ParentNode };
export { isTag, isText };

/**
 * Deeper elements are not built (their text is kept). Real pages nest < 60 levels; hostile input can
 * nest 100k levels and would overflow every recursive walk (ours and css-select's).
 */
export const MAX_DEPTH = 256;

/**
 * Elements opened deeper than MAX_DEPTH are not created: their text lands in the deepest
 * allowed element. The parser closes elements last-in first-out, so the first closes after
 * an ignored open belong to ignored elements. Costs nothing on ordinary pages.
 */
class DepthLimitedHandler extends DomHandler {
  private ignored = 0;

  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_DEPTH) { this.ignored++; return; }
    super.onopentag(name, attribs);
  }

  override onclosetag(): void {
    if (this.ignored > 0) { this.ignored--; return; }
    super.onclosetag();
  }
}

const PARSE_OPTIONS = { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true } as const;

/** Parse a page. Never throws on malformed markup; nesting is capped at MAX_DEPTH. */
export function parseHtml(html: string): Document {
  const handler = new DepthLimitedHandler();
  new Parser(handler, PARSE_OPTIONS).end(html);
  return handler.root;
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

export function attr(el: Element, name: string): string | undefined {
  return el.attribs[name];
}

export function hasClass(el: Element, className: string): boolean {
  const cls = el.attribs['class'];
  return cls !== undefined && (' ' + cls + ' ').replace(/\s+/g, ' ').includes(' ' + className + ' ');
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

export function isElement(node: AnyNode, ...names: string[]): node is Element {
  return isTag(node) && names.includes(node.name);
}

/** A selector compiled once into a predicate (css-select), for checks on every element. */
export function compileSelector(selector: string): (el: Element) => boolean {
  const query = compile<AnyNode, Element>(selector);
  return (el) => query(el);
}
