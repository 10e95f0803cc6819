/**
 * Finding an article body on a page no site module describes, by scoring the DOM: the heuristics
 * of mozilla/readability (Readability.js `_grabArticle` and `_prepArticle`), adapted to a tree we
 * never mutate and to Chinese pages (CJK punctuation, pinyin class names, 2000s table layouts).
 * One pass over the tree collects every element's text statistics; scoring, the choice of the
 * container and the cleaning inside it read those numbers, never the text again.
 */
import { hasTextDate } from './dates.js';
import { isTag, isText, type AnyNode, type Document, type Element } from './dom.js';
import { Cleaner, textOfNodes } from './content-clean.js';
import { ATTEMPTS, Page, classWeight, countText, describe, elementChildren, type Flags } from './content-page.js';
import {
  ALTERNATIVES_NEEDED,
  ALTERNATIVE_SHARE,
  BYLINE_LINE,
  MIN_BODY_CHARS,
  MIN_PARAGRAPH_CHARS,
  MIN_POSTS,
  MIN_SIBLING_SCORE,
  POST_DEPTH,
  POST_MAX_LINK_DENSITY,
  POST_MIN_CHARS,
  SENTENCE_END,
  SIBLING_MAX_LINK_DENSITY,
  SIBLING_PARAGRAPH_CHARS,
  SIBLING_SHARE,
  TAG_SCORE,
  TOP_CANDIDATES,
  WHOLE_PAGE_MAX_LINK_DENSITY,
} from './content-rules.js';

export { dropLeadingChrome, dropTrailingChrome, isTitleLike } from './content-clean.js';

// ---------- the search ----------

export interface ContentOptions {
  /** The page title, to drop a heading that repeats it at the top of the body. */
  title?: string;
  /**
   * A container the markup names as the article (schema.org `articleBody`, a CMS class), and how
   * it was found. It becomes the body when it holds the best-scored element: markup names the
   * whole article, scoring only its densest part. Otherwise scoring wins: such markup also wraps
   * teasers, one section of many, or nothing of the article (measured on the readability set).
   */
  marked?: { element: Element; how: string };
}

/** The body found by scoring. */
export interface ContentChoice {
  /** The best-scored container: the article's own element. */
  root: Element;
  /** What to read, in document order: the root, and siblings that qualified (elements or loose text). */
  parts: AnyNode[];
  /** Elements inside the parts to leave out, each with everything inside it. */
  dropped: ReadonlySet<Element>;
  /** How it was chosen, for `notes`. */
  note: string;
}

/** Scores every container and returns the article body, or undefined when no text reads as prose. */
export function findContent(doc: Document, options: ContentOptions = {}): ContentChoice | undefined {
  let best: { choice: ContentChoice; weight: number } | undefined;
  let page: Page | undefined;
  for (const flags of ATTEMPTS) {
    // The walk depends only on which regions are left out: relaxed class weights and cleaning reuse it.
    if (!page || page.stripUnlikely !== flags.stripUnlikely) {
      page = new Page(flags.stripUnlikely, options.title);
      page.walk(doc);
    }
    const found = attempt(doc, page, flags, options);
    if (!found) continue;
    if (!best || found.weight > best.weight) best = found;
    if (found.weight >= MIN_BODY_CHARS) break;
  }
  return best?.choice;
}

/** A run of loose text (and inline elements) between blocks. */
interface Run {
  nodes: AnyNode[];
  chars: number;
  linkChars: number;
}

function attempt(
  doc: Document,
  page: Page,
  flags: Flags,
  options: ContentOptions,
): { choice: ContentChoice; weight: number } | undefined {
  const scores = new Map<Element, number>();
  /** The best TOP_CANDIDATES, best first (insertion: no sort of every candidate). */
  const ranked: [Element, number][] = [];
  for (const [el, raw] of page.scores) {
    // Link-heavy containers are navigation, however much text they hold (Readability).
    const final = (flags.weightClasses ? raw : raw - page.classWeights.get(el)!) * (1 - page.linkDensity(el)); // every scored element has a weight
    scores.set(el, final);
    if (ranked.length === TOP_CANDIDATES && final <= ranked[TOP_CANDIDATES - 1]![1]) continue;
    let at = ranked.length;
    while (at > 0 && ranked[at - 1]![1] < final) at--;
    ranked.splice(at, 0, [el, final]);
    if (ranked.length > TOP_CANDIDATES) ranked.pop();
  }
  if (ranked.length === 0) return wholePage(doc, page, flags);
  let [top, topScore] = ranked[0]!; // non-empty: checked above
  const how: string[] = [];

  // Several near-best candidates under one ancestor: the article is split into sections and the
  // ancestor holds all of them (Readability's alternative candidates).
  const alternatives = ranked
    .slice(1, TOP_CANDIDATES)
    .filter(([, s]) => topScore > 0 && s / topScore >= ALTERNATIVE_SHARE)
    .map(([el]) => el);
  if (alternatives.length >= ALTERNATIVES_NEEDED) {
    for (let p = top.parent; p && isTag(p) && p.name !== 'body'; p = p.parent) {
      if (alternatives.filter((alt) => contains(p, alt)).length >= ALTERNATIVES_NEEDED) {
        top = p;
        how.push('common ancestor of runners-up');
        break;
      }
    }
  }
  // A parent scoring better than its best child holds more of the article (Readability).
  let last = scores.get(top) ?? 0;
  const threshold = last / 3;
  for (let p = top.parent; p && isTag(p) && p.name !== 'body'; p = p.parent) {
    const s = scores.get(p);
    if (s === undefined) continue;
    if (s < threshold) break;
    if (s > last) {
      top = p;
      how.push('better parent');
      break;
    }
    last = s;
  }
  // An only child is its parent's content: take the parent, which may hold captions and headings.
  for (
    let p = top.parent;
    p && isTag(p) && p.name !== 'body' && p.name !== 'html' && elementChildren(page, p).length === 1;
    p = p.parent
  )
    top = p;
  // A listing of posts: the first post's best element, as it is (climbing would reach the listing).
  const first = firstPost(page, scores, top);
  if (first) {
    top = first;
    how.push('first post of a listing');
  }
  topScore = scores.get(top) ?? (TAG_SCORE[top.name] ?? 0) + (flags.weightClasses ? classWeight(top) : 0);

  const marked = options.marked;
  const useMarked = marked !== undefined && page.stats.has(marked.element) && contains(marked.element, top);
  if (useMarked) {
    how.push(`inside ${marked.how}`);
    top = marked.element;
  }
  const parts = useMarked ? [top] : siblings(page, scores, top, topScore);
  const cleaner = new Cleaner(page, flags);
  for (const part of parts) if (isTag(part)) cleaner.clean(part);
  let weight = 0;
  for (const part of parts)
    weight += isTag(part) ? (page.stats.get(part)?.weight ?? 0) : isText(part) ? countText(part.data).weight : 0;
  for (const el of cleaner.dropped) weight -= page.stats.get(el)?.weight ?? 0;

  const s = page.stats.get(top);
  const relaxed = flags.stripUnlikely
    ? ''
    : `; unlikely regions kept${flags.weightClasses ? '' : ', class names ignored'}${flags.cleanConditionally ? '' : ', no conditional cleaning'}`;
  const extra = parts.filter((p) => p !== top && isTag(p)).length;
  const note = `body: ${useMarked ? marked.how : 'scored'} ${describe(top)} (score ${topScore.toFixed(1)}, text ${s?.chars ?? 0}, link density ${page.linkDensity(top).toFixed(2)}${extra > 0 ? `, ${extra} sibling${extra > 1 ? 's' : ''}` : ''}${how.length > 0 ? `, ${how.join(', ')}` : ''}${cleaner.dropped.size > 0 ? `, ${cleaner.dropped.size} blocks cleaned` : ''}${relaxed})`;
  return { choice: { root: top, parts, dropped: cleaner.dropped, note }, weight };
}

/**
 * No paragraph long enough to score: the page body, when it holds text that is not mostly links
 * (short pages and test cases; Readability does the same). A page of links is no article.
 */
function wholePage(doc: Document, page: Page, flags: Flags): { choice: ContentChoice; weight: number } | undefined {
  const html = doc.children.find((c): c is Element => isTag(c) && page.stats.has(c));
  const body = html?.name === 'html' ? (elementChildren(page, html).find((c) => c.name === 'body') ?? html) : html;
  const s = body && page.stats.get(body);
  if (!body || !s || s.chars === 0 || page.linkDensity(body) > WHOLE_PAGE_MAX_LINK_DENSITY) return undefined;
  const cleaner = new Cleaner(page, flags);
  cleaner.clean(body);
  return {
    choice: {
      root: body,
      parts: [body],
      dropped: cleaner.dropped,
      note: `body: whole ${describe(body)} (no paragraph of ${MIN_PARAGRAPH_CHARS}+ characters; text ${s.chars})`,
    },
    weight: s.weight,
  };
}

/**
 * On a listing of whole posts, the best-scored element of the first post; undefined when the best
 * element is not inside such a listing or already in its first post.
 */
function firstPost(page: Page, scores: ReadonlyMap<Element, number>, top: Element): Element | undefined {
  let unit = top;
  for (let depth = 0; depth < POST_DEPTH; depth++) {
    const parent = unit.parent;
    if (!parent || !isTag(parent) || parent.name === 'body' || parent.name === 'html') return undefined;
    const alike = elementChildren(page, parent).filter(
      (c) => c.name === unit.name && (c.attribs['class'] ?? '') === (unit.attribs['class'] ?? '') && isProse(page, c),
    );
    // Dates last: reading the text of every sibling at every level would cost a page walk each.
    const posts =
      alike.length >= MIN_POSTS && alike.includes(unit) ? alike.filter((c) => hasTextDate(textOfNodes([c]))) : [];
    if (posts.length >= MIN_POSTS && posts.includes(unit)) {
      if (posts[0] === unit) return undefined;
      let best: [Element, number] | undefined;
      const firstOne = posts[0]!; // MIN_POSTS or more
      for (const [el, score] of scores) if ((!best || score > best[1]) && contains(firstOne, el)) best = [el, score];
      return best?.[0];
    }
    unit = parent;
  }
  return undefined;
}

/**
 * A post has prose, few links (here) and its own date (checked by the caller): sections of one
 * long article (medium-3, quanta-1 in the readability set) are same-template siblings with prose
 * too, but no date each.
 */
function isProse(page: Page, el: Element): boolean {
  const s = page.stats.get(el);
  return s !== undefined && s.chars >= POST_MIN_CHARS && page.linkDensity(el) <= POST_MAX_LINK_DENSITY;
}

function contains(ancestor: Element, node: Element): boolean {
  for (let n: AnyNode | null = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** The top candidate and the siblings that read as more of the same article (Readability). */
function siblings(page: Page, scores: ReadonlyMap<Element, number>, top: Element, topScore: number): AnyNode[] {
  const parent = top.parent;
  if (!parent || !isTag(parent)) return [top];
  const threshold = Math.max(MIN_SIBLING_SCORE, topScore * SIBLING_SHARE);
  const topClass = top.attribs['class'] ?? '';
  const items = childRuns(page, parent);
  const joined = items.map((item): boolean => {
    if (!('nodes' in item)) {
      const el = item;
      if (el === top) return true;
      const bonus = topClass !== '' && el.attribs['class'] === topClass ? topScore * SIBLING_SHARE : 0;
      const score = scores.get(el);
      if (score !== undefined && score + bonus >= threshold) return true;
      if (el.name !== 'p') return false;
      const s = page.stats.get(el);
      // A labelled byline beside the body (`撰文：關你乜事？`) is the page's metadata, not its text;
      // inside the body it stays, as the article printed it.
      return (
        s !== undefined &&
        isProseSibling(s.chars, page.linkDensity(el), () => textOfNodes([el])) &&
        !BYLINE_LINE.test(textOfNodes([el]).trim())
      );
    }
    return (
      isProseSibling(item.chars, item.chars > 0 ? item.linkChars / item.chars : 0, () => textOfNodes(item.nodes)) &&
      !BYLINE_LINE.test(textOfNodes(item.nodes).trim())
    );
  });
  // A photo with its caption beside a joined part (a figure, a one-photo layout table, a paragraph
  // holding an image) is the article's: text scoring gives it nothing, and it is not chrome.
  // Twice, down then up: a run of photos before the text joins from its end.
  const order = [...items.keys(), ...[...items.keys()].reverse()];
  for (const i of order) {
    const item = items[i]!; // in range
    if (joined[i] || 'nodes' in item || !isPhotoBlock(page, item)) continue;
    if (nearestJoined(items, joined, i, -1) || nearestJoined(items, joined, i, 1)) joined[i] = true;
  }
  // Short link-free lines between two joined parts (`【撰文：龍景昌】` under an editor's note, a verse
  // quoted between paragraphs; up to MAX_HOLE_LINES in a row) are the article's own: Readability's
  // sentence test, meant for lines beside the text, would leave a hole in it.
  for (let i = 1; i < items.length - 1; i++) {
    if (joined[i] || !isShortPlainLine(page, items[i]!)) continue;
    let end = i + 1;
    while (
      end < items.length &&
      end - i < MAX_HOLE_LINES &&
      !joined[end] &&
      (isEmptyRun(items[end]!) || isShortPlainLine(page, items[end]!))
    )
      end++;
    if (nearestJoined(items, joined, i, -1) && nearestJoined(items, joined, end - 1, 1))
      for (let k = i; k < end; k++) joined[k] = !isEmptyRun(items[k]!);
    i = end - 1;
  }
  const out: AnyNode[] = [];
  items.forEach((item, i) => {
    if (!joined[i]) return;
    if ('nodes' in item) for (const node of item.nodes) out.push(node);
    else out.push(item);
  });
  return out;
}

/** Whether the nearest part with text in a direction (empty runs passed over) was joined. */
function nearestJoined(
  items: readonly (Element | Run)[],
  joined: readonly boolean[],
  i: number,
  step: number,
): boolean {
  for (let j = i + step; j >= 0 && j < items.length; j += step) if (!isEmptyRun(items[j]!)) return joined[j]!;
  return false;
}

/** Lines in a row that may fill a hole between two joined parts. */
const MAX_HOLE_LINES = 3;

function isEmptyRun(item: Element | Run): boolean {
  return 'nodes' in item && item.chars === 0;
}

/** A paragraph or loose text of a line's length with no link and no image. */
function isShortPlainLine(page: Page, item: Element | Run): boolean {
  if ('nodes' in item)
    return (
      item.chars > 0 &&
      item.chars <= SIBLING_PARAGRAPH_CHARS &&
      item.linkChars === 0 &&
      item.nodes.every((n) => !isTag(n) || (n.name !== 'a' && n.name !== 'img' && !(page.stats.get(n)?.images ?? 0)))
    );
  if (item.name !== 'p') return false;
  const s = page.stats.get(item);
  return s !== undefined && s.chars > 0 && s.chars <= SIBLING_PARAGRAPH_CHARS && s.linkChars === 0 && s.images === 0;
}

/** A caption is a line or two. */
const PHOTO_CAPTION_CHARS = 300;
/** One or two images with at most a caption's text and no linked text: a photo, not a teaser. */
function isPhotoBlock(page: Page, el: Element): boolean {
  const s = page.stats.get(el);
  return s !== undefined && s.images >= 1 && s.images <= 2 && s.chars <= PHOTO_CAPTION_CHARS && s.linkChars === 0;
}

/** A paragraph beside the body joins it when long with few links, or a short link-free sentence. */
function isProseSibling(chars: number, linkDensity: number, text: () => string): boolean {
  if (chars > SIBLING_PARAGRAPH_CHARS) return linkDensity < SIBLING_MAX_LINK_DENSITY;
  return chars > 0 && linkDensity === 0 && SENTENCE_END.test(text().trim() + ' ');
}

/** A parent's children as block elements and runs of loose text between them. */
function childRuns(page: Page, parent: Element): (Element | Run)[] {
  const out: (Element | Run)[] = [];
  let run: Run = { nodes: [], chars: 0, linkChars: 0 };
  const flush = (): void => {
    if (run.nodes.length > 0) out.push(run);
    run = { nodes: [], chars: 0, linkChars: 0 };
  };
  for (const child of parent.children) {
    if (isText(child)) {
      run.nodes.push(child);
      run.chars += countText(child.data).chars;
      continue;
    }
    if (!isTag(child)) continue;
    const s = page.stats.get(child);
    // A <br> has no statistics and belongs to the run; a region left out (hidden, unlikely) does not.
    if (!s) {
      if (!page.excluded.has(child)) run.nodes.push(child);
      continue;
    }
    if (s.hasBlock) {
      flush();
      out.push(child);
      continue;
    }
    run.nodes.push(child);
    run.chars += s.chars;
    run.linkChars += child.name === 'a' ? s.chars : s.linkChars;
  }
  flush();
  return out;
}
