/**
 * The page as a reader sees it, in one string: text in document order, a line break at every block
 * boundary, regions that are never this article's metadata left out (navigation, other-article
 * lists, comments, hidden elements). Visible bylines and dates are looked for in it
 * (`visible-meta.ts`) by their distance from the title and the body, so it keeps where those are.
 */
import { isTag, isText, type AnyNode, type Document, type Element } from './dom.js';

export interface PageText {
  text: string;
  /** Offsets of the body element's text (`[bodyStart, bodyEnd)`), or -1 when there is no body. */
  bodyStart: number;
  bodyEnd: number;
  /** Each `<h1>` kept, with the offsets of its text. */
  headings: { el: Element; start: number; end: number }[];
  /** Offsets `[start, end)` of the text of links (`<a href>`), in order. */
  links: [number, number][];
}

/** Elements whose end is a line break for the reader. */
const BLOCK_TAGS: ReadonlySet<string> = new Set([
  'address',
  'article',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
  'center',
  'font',
]);

/** Never the article's byline or date: navigation and form widgets. */
const SKIPPED_TAGS: ReadonlySet<string> = new Set([
  'nav',
  'aside',
  'select',
  'option',
  'button',
  'textarea',
  'iframe',
  'head',
  'title',
  'script',
  'style',
  'noscript',
  'template',
]);

/**
 * Class/id words of regions holding other articles' bylines and dates, or readers' ones: related
 * and popular lists, comment threads, sidebars, page footers with copyright years. Whole words
 * (`comment`, not `commentary`) so that article containers named `post-comments-count` … still
 * need a separate word to be skipped. A post's own footer named by its class (`post-footer`,
 * `entry-footer`: blog templates' "由海姑娘张贴 @ …", "Posted by … in …") is the article's, as a
 * `<footer>` inside an `<article>` is; a `<footer>` element outside one stays the page's
 * (isPageFooter), whatever its class.
 */
const SKIPPED_REGION =
  /(?:^|[\s_-])(?:comments?|comment-list|related|recommend(?:ed|s)?|sidebar|side-bar|(?<!(?:post|entry|article|story)[_-])footer|copyright|breadcrumbs?|navbar|menu|popular|most-read|trending|hot-?news|ranking|rank)(?:$|[\s_-])/i;

/** Elements whose class describes the whole page or article, never a region beside it. */
const CONTAINER_TAGS: ReadonlySet<string> = new Set(['html', 'body', 'main', 'article']);

/** `style="display:none"` and `hidden`: elements a reader never sees (Readability.js does the same). */
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/** An element whose subtree is never this article's byline or date (see SKIPPED_TAGS, SKIPPED_REGION, hidden). */
export function skipped(el: Element): boolean {
  if (SKIPPED_TAGS.has(el.name)) return true;
  // A page's and an article's own containers name the layout (`<body class="sidebar-primary">`).
  if (CONTAINER_TAGS.has(el.name)) return false;
  const a = el.attribs;
  if (a['hidden'] !== undefined || a['aria-hidden'] === 'true') return true;
  const style = a['style'];
  if (style !== undefined && HIDDEN_STYLE.test(style)) return true;
  const cls = a['class'];
  if (cls !== undefined && SKIPPED_REGION.test(cls)) return true;
  const id = a['id'];
  return id !== undefined && SKIPPED_REGION.test(id);
}

/** `<footer>` of the page (not one closing an `<article>`: that one holds bylines). */
function isPageFooter(el: Element): boolean {
  if (el.name !== 'footer') return false;
  for (let p = el.parent; p; p = p.parent) if (isTag(p) && p.name === 'article') return false;
  return true;
}

/**
 * One walk of the document. `body` (the article body, when found) and its ancestors are never
 * skipped, whatever their class says: the body extractor's choice wins.
 */
export function pageText(doc: Document, body: Element | undefined): PageText {
  const parts: string[] = [];
  let length = 0;
  let bodyStart = -1;
  let bodyEnd = -1;
  const headings: PageText['headings'] = [];
  const links: PageText['links'] = [];
  const openLinks: number[] = [];
  // The body and what holds it are read even inside a region that looks skippable.
  const keep = new Set<AnyNode>();
  for (let n: AnyNode | null = body ?? null; n; n = n.parent) keep.add(n);
  const push = (s: string): void => {
    parts.push(s);
    length += s.length;
  };
  // Iterative walk: an explicit stack of nodes and "close" markers (pages nest deep).
  const stack: (AnyNode | { close: Element })[] = [...doc.children].reverse();
  while (stack.length > 0) {
    const item = stack.pop()!; // non-empty: checked by the loop condition
    if ('close' in item) {
      const el = item.close;
      if (BLOCK_TAGS.has(el.name)) push('\n');
      if (el === body) bodyEnd = length;
      const h = headings[headings.length - 1];
      if (h && h.el === el) h.end = length;
      if (el.name === 'a' && el.attribs['href'] !== undefined) links.push([openLinks.pop() ?? length, length]);
      continue;
    }
    if (isText(item)) {
      push(item.data);
      continue;
    }
    if (!isTag(item)) {
      if (item.type === 'root') for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]!);
      continue;
    }
    if (!keep.has(item) && (skipped(item) || isPageFooter(item))) continue;
    if (BLOCK_TAGS.has(item.name)) push('\n');
    if (item === body) bodyStart = length;
    if (item.name === 'h1') headings.push({ el: item, start: length, end: length });
    if (item.name === 'a' && item.attribs['href'] !== undefined) openLinks.push(length);
    stack.push({ close: item });
    for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]!);
  }
  return { text: parts.join(''), bodyStart, bodyEnd, headings, links };
}
