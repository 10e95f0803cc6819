/**
 * Candidates for metadata fields from signals beyond the article's own declarations: JSON-LD
 * objects the article refers to (`author: {"@id": …}`), breadcrumb trails (JSON-LD
 * `BreadcrumbList` and visible ones), `rel=tag` links, links to category pages, and the labelled
 * lines a reader sees (`labelled-lines.ts`). `metadata.ts` orders them and cross-checks.
 */
import { parseTextDate, type LocalDateTime } from './dates.js';
import { hasAncestor, isTag, visibleText, type Element } from './dom.js';
import { authorOfLine, labelledLines, tagsOfLine, type LabelKind, type LabelledLine } from './labelled-lines.js';
import { isInside, ld, otherArticlePredicate, rootText, siteNames, type Scope } from './metadata-scope.js';
import { skipped } from './page-text.js';
import { ldString, typesOfLd } from './signals.js';
import { textSimilarity } from './title.js';

/** schema.org types of organisations (`Organization` and its subtypes a publisher uses). */
const ORGANISATION_TYPE = /Organization$|^(?:Corporation|NGO|NewsMediaOrganization|WebSite|Brand)$/;
/** Labelled lines and breadcrumbs are read once per page. */
const linesCache = new WeakMap<Scope, LabelledLine[]>();

/** The JSON-LD object an `{"@id": …}` reference names, when the page declares it. */
function resolveRef(scope: Scope, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const id = obj['@id'];
  if (typeof id !== 'string' || obj['name'] !== undefined) return value;
  return scope.signals.jsonLdAll.find((o) => o['@id'] === id && o !== obj) ?? value;
}

/**
 * The article's JSON-LD authors, people apart from organisations: a publisher names itself as
 * the author (`{"@type": "Organization", "name": "自由時報"}`, a reference to its own
 * Organization, or its own name) while the page's byline names the reporter.
 */
export function ldAuthors(scope: Scope): { people: string[]; organisations: string[] } {
  const raw = ld(scope.signals, 'author');
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const sites = siteNameSet(scope);
  const people: string[] = [];
  const organisations: string[] = [];
  for (const item of list.slice(0, 20)) {
    const value = resolveRef(scope, item);
    const name = ldString(value)?.trim();
    if (!name || /^(?:https?:)?\/\//i.test(name)) continue;
    const types =
      value && typeof value === 'object' && !Array.isArray(value) ? typesOfLd(value as Record<string, unknown>) : [];
    if (types.some((t) => ORGANISATION_TYPE.test(t)) || sites.has(name.toLowerCase())) organisations.push(name);
    else people.push(name);
  }
  return { people, organisations };
}

/** Names of the article's JSON-LD publisher. */
export function publisherNames(scope: Scope): string[] {
  const name = ldString(resolveRef(scope, ld(scope.signals, 'publisher')))?.trim();
  return name ? [name] : [];
}

const siteNameSets = new WeakMap<Scope, ReadonlySet<string>>();
/** The site's names, lower-cased, gathered once per page. */
function siteNameSet(scope: Scope): ReadonlySet<string> {
  let set = siteNameSets.get(scope);
  if (!set) {
    set = new Set([...siteNames(scope), ...publisherNames(scope)].map((n) => n.trim().toLowerCase()));
    siteNameSets.set(scope, set);
  }
  return set;
}

/** Whether a name is the site's own (its profile name, `og:site_name`, its JSON-LD publisher). */
export function isSiteName(scope: Scope, name: string): boolean {
  return siteNameSet(scope).has(name.trim().toLowerCase());
}

/** Breadcrumb words for the home page, never a category. */
const HOME = /^(?:首頁|首页|主頁|主页|主页面|home|homepage|top|トップ)$/i;

/** The last breadcrumb item that is neither home nor the article itself. */
function categoryOfTrail(items: readonly string[], title: string): string | undefined {
  const kept = items
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s !== '' && !HOME.test(s) && s.length <= 40);
  while (kept.length > 0 && title !== '' && textSimilarity(kept[kept.length - 1]!, title) > 0.75) kept.pop();
  return kept[kept.length - 1];
}

/** A JSON-LD `BreadcrumbList`: its items by position. */
export function ldBreadcrumbCategory(scope: Scope, title: string): string | undefined {
  for (const obj of scope.signals.jsonLdAll) {
    if (!typesOfLd(obj).includes('BreadcrumbList')) continue;
    const list = obj['itemListElement'];
    if (!Array.isArray(list)) continue;
    const items = list
      .slice(0, 20)
      .filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object')
      .sort((a, b) => Number(a['position'] ?? 0) - Number(b['position'] ?? 0))
      .map((i) => ldString(i['name']) ?? ldString(i['item']) ?? '');
    const found = categoryOfTrail(items, title);
    if (found) return found;
  }
  return undefined;
}

/** Separators between the items of a breadcrumb written as text (`首頁 › 眾聞`). */
const TRAIL_SEPARATOR = /\s*[›»>＞→/|｜]\s*/;

/** A visible breadcrumb trail: its list items, else its text split at the separators. */
export function visibleBreadcrumbCategory(scope: Scope, title: string): string | undefined {
  for (const trail of scope.signals.breadcrumbs) {
    const items = trail.children.filter((c): c is Element => isTag(c) && c.name === 'li');
    const texts = items.length > 0 ? items.map((li) => visibleText(li)) : visibleText(trail).split(TRAIL_SEPARATOR);
    if (texts.join('').length > 300) continue;
    const found = categoryOfTrail(texts, title);
    if (found) return found;
  }
  return undefined;
}

/** The labelled lines of the article's area, outside the body and other articles' lists. */
export function linesOf(scope: Scope): LabelledLine[] {
  let lines = linesCache.get(scope);
  if (!lines) {
    const isOther = otherArticlePredicate(scope.site);
    const root = scope.root ?? scope.doc.children.find((c): c is Element => isTag(c) && c.name === 'html');
    lines = root ? labelledLines(root, (el) => isOther(el) || (el.name !== 'body' && skipped(el)), scope.body) : [];
    linesCache.set(scope, lines);
  }
  return lines;
}

/**
 * The lines of a kind. Bylines only outside the body: inside it, `作者：` names a book's author in a
 * review. Tags, category and update lines stand inside a short article's column too.
 */
/**
 * Words each kind of line holds: a page whose article text has none of them has no such line and
 * is spared the walk (the text is read once per page and shared by every field).
 */
const KIND_WORDS: Readonly<Record<LabelKind, RegExp>> = {
  author: /作\s*者|撰\s*[文稿]|執\s*筆|执\s*笔|文\s*[:：｜|/／]|記者|记者/,
  tags: /標\s*籤|标\s*签|關鍵|关键|主題|話題|话题|tag|keyword|topic|#/i,
  category: /分\s*[類类]|[類类]\s*別|[类類]\s*别|[欄栏]\s*目|category|section/i,
  updated: /更新|updated/i,
};

const firstOfKind = (scope: Scope, kind: LabelKind): LabelledLine[] => {
  if (!KIND_WORDS[kind].test(rootText(scope))) return [];
  const lines = linesOf(scope).filter((l) => l.kind === kind);
  const outside = lines.filter((l) => !l.inBody);
  // Lines outside the body first: a hashtag line inside an article is its text, not its tags.
  return kind === 'author' || outside.length > 0 ? outside : lines;
};

export function labelledAuthor(scope: Scope): string | undefined {
  for (const line of firstOfKind(scope, 'author')) {
    const name = authorOfLine(line);
    if (name !== undefined && !isSiteName(scope, name)) {
      scope.how = `"${line.label}"`;
      return name;
    }
  }
  return undefined;
}

export function labelledTags(scope: Scope): string[] | undefined {
  const line = firstOfKind(scope, 'tags')[0];
  if (!line) return undefined;
  scope.how = `"${line.label}"`;
  return tagsOfLine(line);
}

export function labelledCategory(scope: Scope): string | undefined {
  const line = firstOfKind(scope, 'category')[0];
  if (!line) return undefined;
  scope.how = `"${line.label}"`;
  const linked = line.links[0] ? visibleText(line.links[0]).trim() : '';
  return (linked || line.value).slice(0, 40) || undefined;
}

/** `06/02/2019 10:00`: day or month first, told by a part over 12, else by the site's convention. */
const NUMERIC_DMY = /(?<![\d/])(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;

/** A date as a labelled line writes it, with the site's day-month order for `dd/mm/yyyy`. */
export function parseLineDate(
  value: string,
  offset: number | undefined,
  dayFirst: boolean | undefined,
): LocalDateTime | undefined {
  const m = NUMERIC_DMY.exec(value);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const first = a > 12 ? 'day' : b > 12 ? 'month' : dayFirst === undefined ? undefined : dayFirst ? 'day' : 'month';
    if (first === undefined) return undefined;
    const [d, mo] = first === 'day' ? [a, b] : [b, a];
    const pad = (n: number | string): string => String(n).padStart(2, '0');
    const time = m[4] === undefined ? '' : ` ${pad(m[4])}:${m[5]}:${m[6] ?? '00'}`;
    return parseTextDate(`${m[3]}-${pad(mo)}-${pad(d)}${time}`, offset);
  }
  return parseTextDate(value, offset);
}

export function labelledUpdate(scope: Scope): LocalDateTime | undefined {
  for (const line of firstOfKind(scope, 'updated')) {
    const value = parseLineDate(line.value, scope.site.utcOffsetMinutes, scope.site.dayFirst);
    if (value) {
      scope.how = `"${line.label}"`;
      return value;
    }
  }
  return undefined;
}

/** Links marked `rel=tag` (microformats rel-tag) in the article's area. */
export function relTags(scope: Scope): string[] {
  const isOther = otherArticlePredicate(scope.site);
  return scope.signals.links
    .filter(
      (a) =>
        (a.attribs['rel'] ?? '').toLowerCase().split(/\s+/).includes('tag') &&
        (!scope.root || isInside(a, scope.root)) &&
        !hasAncestor(a, isOther) &&
        !(scope.body && isInside(a, scope.body)),
    )
    .map((a) => visibleText(a).replace(/^#/, '').trim())
    .filter((t) => t !== '');
}

/** Paths of category pages on most CMSs: `/category/<name>`, `/section/<name>`, `/cat/<name>`. */
const CATEGORY_PATH = /^\/(?:category|categories|section|sections|cat|channel|column)\/([^/]+)\/?$/i;

/** The text of the first link to a category page in the article's header area. */
export function categoryLink(links: readonly { el: Element; path: string }[]): string | undefined {
  for (const { el, path } of links) {
    if (!CATEGORY_PATH.test(path)) continue;
    const text = visibleText(el).trim();
    if (text !== '' && text.length <= 40) return text;
  }
  return undefined;
}
