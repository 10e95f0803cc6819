/**
 * The one place HTML is parsed. htmlparser2 + domhandler: a forgiving, fast parser (≈7 ms for a
 * 145 KB page here, STACK.md) whose tree the rest of `extract` reads through these helpers.
 */
import { parseDocument } from 'htmlparser2';
import { Element, Text, isTag, isText, type AnyNode, type ChildNode, type Document, type ParentNode } from 'domhandler';
import { compile, selectAll, selectOne } from 'css-select';

export type { AnyNode, ChildNode, Document, Element, ParentNode };
export { isTag, isText };

/**
 * Deeper subtrees are flattened into their text. Real pages nest < 60 levels; hostile input can
 * nest 100k levels and would overflow every recursive walk (ours and css-select's).
 */
export const MAX_DEPTH = 256;

/** Parse a page. Never throws on malformed markup. */
export function parseHtml(html: string): Document {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  limitDepth(doc);
  return doc;
}

function limitDepth(root: ParentNode): void {
  const stack: [ParentNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!; // non-empty: checked by the loop condition
    if (depth >= MAX_DEPTH) {
      const text = new Text(textOf(node));
      for (const child of node.children) child.parent = null;
      node.children = [text];
      text.parent = node;
      continue;
    }
    for (const child of node.children) if (isTag(child)) stack.push([child, depth + 1]);
  }
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

export function select(selector: string, root: AnyNode | AnyNode[]): Element[] {
  return selectAll(selector, root);
}

export function selectFirst(selector: string, root: AnyNode | AnyNode[]): Element | null {
  return selectOne(selector, root);
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
