/**
 * Labelled lines a reader sees around an article's headline: `作者：X`, `撰文：X`, `文｜X`,
 * `記者X／台中報導`, `標籤：a、b、c`, `關鍵字：<a>…</a>`, `分類：X`, `更新於 28/02/2019 10:00`, and a
 * line of hashtags (`#a #b`). Pages of every layout print these whatever their markup; the label
 * says what the value is, so no class name is needed. Read from the DOM, one text node at a time:
 * a value runs to the end of its element or to the next line break, so a byline next to a date
 * in another element is read alone.
 */
import { hasAncestor, isTag, isText, textOf, visibleText, type AnyNode, type Element } from './dom.js';

export type LabelKind = 'author' | 'tags' | 'category' | 'updated';

export interface LabelledLine {
  kind: LabelKind;
  /** The label as written (`作者`, `標籤`). */
  label: string;
  /** The value's text (after the label, up to the line's end), white space collapsed. */
  value: string;
  /** Links inside the value (a tag line's tags, a category link). */
  links: Element[];
  /** Inside the article body (a short article's column holds its meta lines). */
  inBody?: boolean;
}

/** The labels, each with what it labels. A single-character label (`文`) needs a separator. */
const LABEL =
  /^(作\s*者|撰\s*文|撰\s*稿|執\s*筆|执\s*笔|文|記者|记者|標\s*籤|标\s*签|關鍵字|关键字|關鍵詞|关键词|相關標籤|主題|話題|话题|Tags?|Keywords?|Topics?|分\s*類|分\s*类|類\s*別|类\s*别|欄\s*目|栏\s*目|Category|Section|最後更新|最后更新|更新時間|更新时间|更新於|更新于|更新|Last updated|Updated)(\s*[:：｜|/／]\s*|\s+|(?=\d))/i;
const KIND_OF: readonly [RegExp, LabelKind][] = [
  [/^(?:作|撰|執|执|文|記者|记者)/, 'author'],
  [/^(?:標|标|關|关|相關|主題|話題|话题|tag|keyword|topic)/i, 'tags'],
  [/^(?:分|類|类|欄|栏|category|section)/i, 'category'],
  [/^(?:最|更|last|updated)/i, 'updated'],
];
/** Labels that must be followed by a separator (`文：`, `記者：`): alone they begin ordinary words. */
const NEEDS_SEPARATOR = /^(?:文|記者|记者|主題|更新|Section|Category|Topics?)$/i;
/** `記者王煌忠／台中報導`: a reporter, a slash, the place filed from. */
export const REPORTER_DATELINE =
  /^(?:記者|记者|特約記者|特约记者)\s*([^\s／/]{2,12}?)\s*[／/]\s*[^\s／/]{1,16}?(?:報導|报道|報道|报导)$/;
/** A line of hashtags: `#林鄭月娥 #Carrie Lam`. */
const HASHTAGS = /^#[^#\s][^#]*(?:\s+#[^#\s][^#]*)*$/;
/** A labelled line is short; a longer one is a sentence that starts with the word. A tag list may run longer. */
const MAX_LINE_CHARS = 200;
const MAX_TAG_LINE_CHARS = 1_000;
/** Siblings read after a label for its value. */
const MAX_LINE_SIBLINGS = 64;
/** A hashtag line's element has few children; a huge one is read no further. */
const MAX_HASHTAG_CHILDREN = 200;
/** Text nodes read per page: the lines stand near the headline, among a few hundred nodes. */
const MAX_TEXT_NODES = 4_000;
/** Elements whose text is never a visible line. */
const NOT_TEXT = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'head',
  'title',
  'button',
  'select',
  'textarea',
  'option',
]);
const INLINE = new Set([
  'a',
  'span',
  'strong',
  'b',
  'em',
  'i',
  'font',
  'small',
  'time',
  'abbr',
  'cite',
  'label',
  'u',
  'bdi',
]);

/** The text after a text node up to the next line break or block, within its parent, and the links in it. */
function restOfLine(node: AnyNode, maxChars: number): { text: string; links: Element[] } {
  let text = '';
  const links: Element[] = [];
  // Bounded: a line is a few inline elements; a run of thousands of empty ones is no line.
  let siblings = 0;
  for (let n = node.next; n && siblings++ < MAX_LINE_SIBLINGS; n = n.next) {
    if (isText(n)) {
      text += n.data;
      continue;
    }
    if (!isTag(n)) continue;
    if (!INLINE.has(n.name)) break;
    if (n.name === 'a') links.push(n);
    else for (const a of descendantsNamed(n, 'a')) links.push(a);
    text += textOf(n);
    if (text.length > maxChars) break;
  }
  return { text, links };
}

function descendantsNamed(el: Element, name: string): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...el.children];
  for (let seen = 0; stack.length > 0 && seen < 200; seen++) {
    const n = stack.pop()!; // non-empty: checked by the loop condition
    if (!isTag(n)) continue;
    if (n.name === name) out.push(n);
    for (const c of n.children) stack.push(c);
  }
  return out;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Every labelled line under `root`, in document order, leaving out the subtrees `skip` names
 * (the body, lists of other articles, navigation).
 */
export function labelledLines(root: Element, skip: (el: Element) => boolean, body?: Element): LabelledLine[] {
  const out: LabelledLine[] = [];
  const stack: AnyNode[] = [...root.children].reverse();
  let texts = 0;
  while (stack.length > 0 && texts < MAX_TEXT_NODES) {
    const node = stack.pop()!; // non-empty: checked by the loop condition
    if (isTag(node)) {
      if (NOT_TEXT.has(node.name) || skip(node)) continue;
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
      continue;
    }
    if (!isText(node)) continue;
    texts++;
    // Most text is no label: its first letter says so before any trimming or matching.
    if (!mayOpenLabel(node.data)) continue;
    const own = node.data.trim();
    if (own === '' || own.length > MAX_TAG_LINE_CHARS) continue;
    const line = lineAt(node, own);
    if (!line) continue;
    // Rare: only a line's place is looked up, by its ancestors.
    const inBody = body !== undefined && (root === body || hasAncestor(node, (el) => el === body));
    out.push(inBody ? { ...line, inBody } : line);
  }
  return out;
}

/** The first letters of every label (LABEL, REPORTER_DATELINE, hashtags), upper and lower case. */
const LABEL_STARTS = new Set([...'作撰執执文記记特標标關关相主話话分類类欄栏最更#TtKkCcSsLlUu']);

/** Whether a text's first non-space letter can open a label. */
function mayOpenLabel(data: string): boolean {
  for (let i = 0; i < data.length && i < 64; i++) {
    const c = data[i]!; // in range
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\u00a0' || c === '\u3000') continue;
    return LABEL_STARTS.has(c);
  }
  return false;
}

function lineAt(node: AnyNode, own: string): LabelledLine | undefined {
  if (own.startsWith('#')) {
    // A line of hashtags is its parent's whole text.
    const parent = node.parent;
    // A headline may begin with a hashtag (`#Pumpuphk`): headings are no tag lines.
    if (parent && isTag(parent) && /^h[1-6]$/.test(parent.name)) return undefined;
    // Only from the element's first text, and only a small element: each of many `#` texts in one
    // huge element re-reading it would be quadratic.
    if (!parent || !isTag(parent) || parent.children.length > MAX_HASHTAG_CHILDREN || node !== firstText(parent))
      return undefined;
    const whole = collapse(visibleText(parent));
    if (whole.length <= MAX_TAG_LINE_CHARS && HASHTAGS.test(whole)) {
      return { kind: 'tags', label: '#', value: whole, links: descendantsNamed(parent, 'a') };
    }
    return undefined;
  }
  const dateline = REPORTER_DATELINE.exec(collapse(own));
  if (dateline?.[1]) return { kind: 'author', label: '記者', value: dateline[1], links: [] };
  const m = LABEL.exec(own);
  if (!m?.[1]) return undefined;
  const label = m[1].replace(/\s+/g, '');
  const separated = /[:：｜|/／]/.test(m[2] ?? '');
  if (NEEDS_SEPARATOR.test(label) && !separated) return undefined;
  const kind = KIND_OF.find(([re]) => re.test(label))?.[1];
  if (!kind) return undefined;
  // Dates follow `更新` directly; other labels need a separator or a space before the value.
  if (kind !== 'updated' && m[2] === '') return undefined;
  const rest = restOfLine(node, kind === 'tags' ? MAX_TAG_LINE_CHARS : MAX_LINE_CHARS);
  const value = collapse(own.slice(m[0].length) + rest.text);
  if (value === '' || value.length > (kind === 'tags' ? MAX_TAG_LINE_CHARS : MAX_LINE_CHARS)) return undefined;
  return { kind, label, value, links: rest.links };
}

function firstText(parent: AnyNode | null): AnyNode | undefined {
  if (!parent || !isTag(parent)) return undefined;
  const stack: AnyNode[] = [...parent.children].reverse();
  for (let seen = 0; stack.length > 0 && seen < 200; seen++) {
    const n = stack.pop()!; // non-empty: checked by the loop condition
    if (isText(n) && n.data.trim() !== '') return n;
    if (isTag(n)) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return undefined;
}

/** The tags a tag line names: its links' texts, else its text split at list separators or hashtags. */
export function tagsOfLine(line: LabelledLine): string[] {
  const linked = line.links.map((a) => collapse(visibleText(a)).replace(/^#/, '')).filter((t) => t !== '');
  if (linked.length > 0) return linked;
  const v = line.value;
  if (v.startsWith('#'))
    return v
      .split(/\s+(?=#)/)
      .map((t) => t.slice(1).trim())
      .filter((t) => t !== '');
  if (/[、,，;；|｜]/.test(v)) return v.split(/\s*[、,，;；|｜]\s*/).filter((t) => t !== '');
  // Chinese tags separated by spaces only (`標籤： 香港 政治`); a Latin phrase stays whole.
  return /^[\u3400-\u9fff\s]+$/.test(v) ? v.split(/\s+/) : [v];
}

/** Words of a value that is no byline: a date, a URL, an e-mail address (a handle such as `李林風@De Tesla` is a name). */
const NOT_A_NAME = /\d{4}|https?:|www\.|[\w.+-]+@[\w-]+\.[\w.]+/i;
/** Another label inside the value: two fields on one line, not a name. */
const INNER_LABEL = /[:：]/;
/** Words that stand for "unknown", "staff" or a role (`佚名`, `本报`, `记者`, `admin`), never for a person. */
export const NO_PERSON =
  /^(?:网络整理|網絡整理|综合整理|綜合整理|整理|文章|本文|此文|该文|帖子|评论|評論|佚名|匿名|未知|不详|不詳|本报|本報|本台|本网|本網|综合|綜合|转载|轉載|原创|原創|网友|網友|编辑|編輯|记者|記者|通讯员|admin|administrator|管理员|管理員|小编|小編)$/i;
/** Longest byline value: a few names. */
const MAX_AUTHOR_CHARS = 40;

/** The person a byline line names, or undefined when the value is no name. */
export function authorOfLine(line: LabelledLine): string | undefined {
  const v = line.value.replace(/[／/]\s*[^\s／/]{1,16}?(?:報導|报道|報道|报导)$/, '').trim();
  if (v === '' || v.length > MAX_AUTHOR_CHARS || NOT_A_NAME.test(v) || NO_PERSON.test(v) || INNER_LABEL.test(v))
    return undefined;
  return v;
}
