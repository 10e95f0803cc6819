/**
 * The headline out of a document `<title>`, which carries the site's name and sections around it
 * (`Headline - Site`, `Headline | Section | Site`, `标题-新华网`). Declared titles (JSON-LD, og:title)
 * are taken as the publisher wrote them; only `<title>` is cut, and only where the cut is safe.
 * Pages with no `<title>` at all show their headline in the page: `boldLine`, `lineAboveBody`.
 */
import { findTextDates } from './dates.js';
import { select, visibleText } from './dom.js';
import { textOfPage, type Scope } from './metadata-scope.js';

const SEPARATOR = '[-|–—:：·]';
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const suffixCache = new Map<string, RegExp>();
/** `" - NAME"`, `" | NAME"` … at the end of a title; compiled once per site name. */
function siteSuffix(name: string): RegExp {
  let re = suffixCache.get(name);
  if (!re) {
    re = new RegExp(`\\s*(?:${SEPARATOR}|_)+\\s*${escapeRegExp(name)}\\s*$`);
    if (suffixCache.size < 64) suffixCache.set(name, re);
  }
  return re;
}

/**
 * HTML's white space (space, tab, LF, FF, CR: HTML §2.3.1 "ASCII whitespace"), the only white
 * space a browser collapses. `\s` also matches U+3000 and NBSP, which titles use on purpose
 * (`峰會　同稱`): 364 hkcnews titles have U+3000 next to a space, and FORMAT.md keeps inner white
 * space as published (issue 13).
 */
const HTML_SPACE_RUN = /[ \t\n\f\r]+/g;
const NEEDS_COLLAPSE = /[ \t\n\f\r]{2,}|[\t\n\f\r]/;

/** Collapse a title written over several lines: runs of HTML white space become one space. */
export function oneLine(raw: string): string {
  const t = raw.trim();
  return NEEDS_COLLAPSE.test(t) ? t.replace(HTML_SPACE_RUN, ' ') : t;
}

/** Line breaks and the spaces around them, in a value that is data rather than rendered text. */
const LINE_BREAK_RUN = /[ \t]*[\n\f\r]+[ \t]*/g;

/**
 * Remove a trailing "- Site Name" from a title; a title that is only the site name is no title.
 * `literal`: the title is a value the page declares (JSON-LD, a meta tag's content), where white
 * space is data, not collapsed by rendering: tabs and double spaces stay as published (FORMAT.md),
 * only line breaks become a space.
 */
export function cleanTitle(raw: string, siteNames: readonly string[], literal = false): string {
  const t = literal ? raw.trim().replace(LINE_BREAK_RUN, ' ') : oneLine(raw);
  for (const name of siteNames) {
    if (!name) continue;
    if (t === name) return '';
    if (!t.endsWith(name)) continue;
    const suffix = siteSuffix(name);
    if (suffix.test(t)) return t.replace(suffix, '').trim();
  }
  return t;
}

/**
 * Separators between a headline and the site or section names, with white space on both sides
 * (Readability.js's set: `|`, `-`, `–`, `—`, `\`, `/`, `>`, `»`). Unspaced ones are part of
 * headlines too often (`Covid-19`, `and/or`) to cut at.
 */
const SPACED_SEPARATOR = /\s[|\-–—\\/>»]\s/g;
/** `\`, `/`, `>`, `»`: a path of sections, where a short last part is still a cut worth making. */
const HIERARCHICAL_SEPARATOR = /\s[\\/>»]\s/;
/**
 * Fewest words a cut title keeps (Readability.js's numbers: a cut leaving < 3 words cuts the
 * other end instead; a result of ≤ 4 words is kept only when the title was a section path).
 * Below that, the "site" part was most likely part of a short headline (`Mozilla - Wikipedia`).
 */
const MIN_WORDS_AFTER_CUT = 3;
const MAX_WORDS_SUSPECT = 4;
/**
 * A Chinese site's name at the end of a title, joined without spaces (`标题-新华网`, `标题--人民网`,
 * `标题|央视网`): ends in 网/報/新闻/频道/在线…, ≤ 12 characters. An underscore joins breadcrumbs
 * (`标题_科技_腾讯网`), which the benches' references keep whole, so it is left alone.
 */
const CJK_SITE_SUFFIX =
  /^(.{4,}?)\s*(?:-{1,2}|—{1,2}|–|\||｜)\s*([^\-—–|｜_]{1,10}(?:网|網|报|報|新闻|新聞|频道|頻道|在线|在線|电视台|電視台))\s*$/u;

/** Han characters, written without spaces: two of them count as one word of a spaced language. */
const HAN_CHAR = /[\u3400-\u9fff]/g;
/** A section name (≤ 6 characters, no figures) joined to the end of a title without spaces. */
const SECTION_SUFFIX = /^(.{4,}?)\s*(?:-{1,2}|_|\||｜)\s*[^\-_|｜\d\s]{1,6}\s*$/u;

const wordCount = (s: string): number =>
  s.trim().split(/\s+/).length + Math.floor((s.match(HAN_CHAR)?.length ?? 0) / 2);

/**
 * The headline in a document `<title>`: a known site name cut off the end; else the last part
 * after a spaced separator cut (the first when too little is left), unless what remains is so
 * short that the cut was more likely wrong; else a Chinese site name joined on without spaces.
 */
export function headlineOfDocumentTitle(raw: string, siteNames: readonly string[]): { title: string; how: string } {
  const written = oneLine(raw);
  const named = cleanTitle(written, siteNames);
  if (named === '') return { title: '', how: 'only the site name' };
  // With the site's name gone, a section may remain (`标题 - 要闻云南`): the same rules cut it.
  const original = named;
  const how = named !== written ? 'site name cut' : undefined;
  const separators = [...original.matchAll(SPACED_SEPARATOR)];
  if (separators.length > 0) {
    const hierarchical = HIERARCHICAL_SEPARATOR.test(original);
    let cut = original.slice(0, separators[separators.length - 1]!.index).trim(); // length > 0 checked
    if (wordCount(cut) < MIN_WORDS_AFTER_CUT) cut = original.slice(separators[0]!.index + 3).trim();
    const words = wordCount(cut);
    // Readability.js's test, word for word: separators removed with their spaces glue neighbours.
    if (words > MAX_WORDS_SUSPECT || (hierarchical && words === wordCount(original.replace(SPACED_SEPARATOR, '')) - 1))
      return { title: cut, how: how ? `${how}, section cut` : 'site part cut' };
  }
  const cjk = CJK_SITE_SUFFIX.exec(original);
  const rest = cjk?.[1] ? cjk[1].trim() : original;
  const cut = how ?? (cjk?.[1] ? 'site name cut' : undefined);
  // The site's name was cut (`标题--文化--人民网`): a short section joined on before it goes too.
  const section = cut ? SECTION_SUFFIX.exec(rest) : null;
  if (section?.[1]) return { title: section[1].trim(), how: `${cut}, section cut` };
  return { title: rest, how: cut ?? 'as written' };
}

/** Words of a text for comparing titles: runs of letters or digits, lower-cased. */
function tokens(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

/** Share of `b`'s text found as words in `a` (Readability.js's `_textSimilarity`). */
export function textSimilarity(a: string, b: string): number {
  const ta = new Set(tokens(a));
  const tb = tokens(b);
  if (tb.length === 0) return 0;
  const unique = tb.filter((t) => !ta.has(t));
  return 1 - unique.join(' ').length / tb.join(' ').length;
}

/** Length of a headline shown in bold (characters): shorter is a label, longer a paragraph. */
const BOLD_TITLE_CHARS = { min: 6, max: 80 } as const;
/** A line of digits, dates and punctuation only: no headline. */
const NO_WORDS = /^[\d\s\p{P}\p{S}年月日]*$/u;

/**
 * Pages with no `<title>`, no declared title and no `<h1>` (hand-made pages of the early web) show
 * their headline as the first `<h2>`/`<h3>`, or in bold: the first such line of headline length.
 * Only reached on those pages, so the selector cost is paid rarely.
 */
export function boldLine(scope: Scope): string | undefined {
  for (const el of select('h2, h3, strong, b', scope.root ?? scope.doc)) {
    const text = visibleText(el);
    if (text.length >= BOLD_TITLE_CHARS.min && text.length <= BOLD_TITLE_CHARS.max && !NO_WORDS.test(text)) return text;
  }
  return undefined;
}

/**
 * A line of labels or counters (`作者:zboygirl 阅读(1660)`, `来源：… 时间：…`, `发表于…`): no headline.
 * One colon is fine (`茉莉：我是怎样卷入八九民运的`).
 */
const LABEL_LINE =
  /\(\d+\)|（\d+）|[:：][^:：]*[:：]|^(?:作\s*者|来源|來源|发表|發表|发布|發佈|时间|時間|日期|编辑|編輯|posted|by\s)/i;
/** How far before the body the line above it is looked for, in characters. */
const LINE_ABOVE_BODY_REACH_CHARS = 2 * BOLD_TITLE_CHARS.max;

/**
 * The last resort of a page with no `<title>`: the line standing right above the body, as a blog
 * post's linked headline does (`<div><a href="…/255509.html">Headline</a></div>` then the post).
 * Only that one line is read: further up is the page's navigation.
 */
export function lineAboveBody(scope: Scope): string | undefined {
  const page = textOfPage(scope);
  if (page.bodyStart <= 0) return undefined;
  const before = page.text.slice(Math.max(0, page.bodyStart - LINE_ABOVE_BODY_REACH_CHARS), page.bodyStart).trimEnd();
  const line = before.slice(before.lastIndexOf('\n') + 1).trim();
  if (
    line.length < BOLD_TITLE_CHARS.min ||
    line.length > BOLD_TITLE_CHARS.max ||
    NO_WORDS.test(line) ||
    LABEL_LINE.test(line) ||
    findTextDates(line).length > 0
  )
    return undefined;
  return line;
}
