/**
 * Choosing each metadata field from every signal a page offers, most explicit first: JSON-LD,
 * then `<meta>` (OpenGraph, `article:*`, Dublin Core), then microdata, then visible markup.
 * Each choice is recorded in `notes` ("title: json-ld headline") for `--explain`.
 */
import type { Article } from './article.js';
import type { SiteProfile } from './site-profile.js';
import { formatDateTime, parseIsoDate, parseTextDate, type LocalDateTime } from './dates.js';
import { compileSelector, hasAncestor, isTag, select, textOf, visibleText, type Document, type Element } from './dom.js';
import { ldString, ldStrings, type PageSignals } from './signals.js';

/** The Article fields that come from metadata rather than the body. */
export type Metadata = Pick<Article, 'title' | 'date' | 'lastUpdated' | 'author' | 'category' | 'tags'>;

interface Scope {
  doc: Document;
  signals: PageSignals;
  site: SiteProfile;
  /** The element holding title, byline and body (an `<article>`, a main column). */
  root: Element | undefined;
  body: Element | undefined;
  notes: string[];
}

function isInside(node: Element, container: Element): boolean {
  for (let n: Element['parent'] = node; n; n = n.parent) if (n === container) return true;
  return false;
}

const SEPARATOR = '[-|–—:：·]';
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Remove a trailing "- Site Name" from a title; a title that is only the site name is no title. */
export function cleanTitle(raw: string, siteNames: readonly string[]): string {
  let t = raw.trim();
  if (t.includes('\n')) t = t.replace(/[ \t]*[\r\n]+\s*/g, ' ');
  for (const name of siteNames) {
    if (!name) continue;
    if (t === name) return '';
    if (!t.endsWith(name)) continue;
    const suffix = siteSuffix(name);
    if (suffix.test(t)) return t.replace(suffix, '').trim();
  }
  return t;
}

const suffixCache = new Map<string, RegExp>();
/** `" - NAME"`, `" | NAME"` … at the end of a title; compiled once per site name. */
function siteSuffix(name: string): RegExp {
  let re = suffixCache.get(name);
  if (!re) {
    re = new RegExp(`\\s*${SEPARATOR}\\s*${escapeRegExp(name)}\\s*$`);
    if (suffixCache.size < 64) suffixCache.set(name, re);
  }
  return re;
}

function meta(signals: PageSignals, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = signals.meta.get(key)?.find((x) => x.trim() !== '');
    if (v !== undefined) return v;
  }
  return undefined;
}

function prop(signals: PageSignals, key: string): string | undefined {
  return signals.itemprops.get(key)?.find((x) => x.trim() !== '');
}

function ld(signals: PageSignals, key: string): unknown {
  for (const obj of signals.jsonLdArticles) if (obj[key] !== undefined && obj[key] !== null && obj[key] !== '') return obj[key];
  return undefined;
}

function first<T>(notes: string[], field: string, candidates: [string, () => T | undefined][]): T | undefined {
  for (const [source, get] of candidates) {
    const value = get();
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) {
      notes.push(`${field}: ${source}`);
      return value;
    }
  }
  notes.push(`${field}: none`);
  return undefined;
}

function siteNames(scope: Scope): string[] {
  const names = [scope.site.name];
  const ogSite = meta(scope.signals, 'og:site_name');
  if (ogSite && ogSite.trim() !== scope.site.name) names.push(ogSite.trim());
  return names;
}

const otherArticleCache = new WeakMap<SiteProfile, (el: Element) => boolean>();
/** Lists of other articles (and navigation): their links and dates are not this article's. */
function otherArticlePredicate(site: SiteProfile): (el: Element) => boolean {
  let predicate = otherArticleCache.get(site);
  if (!predicate) {
    const selectors = site.selectors?.otherArticles ?? [];
    const compiled = selectors.length > 0 ? compileSelector(selectors) : undefined;
    predicate = (el) => el.name === 'nav' || el.name === 'aside' || (compiled?.(el) ?? false);
    otherArticleCache.set(site, predicate);
  }
  return predicate;
}

function resolveTitle(scope: Scope): string {
  const names = siteNames(scope);
  const clean = (v: string | undefined): string | undefined => (v === undefined ? undefined : cleanTitle(v, names) || undefined);
  const h1 = (): string | undefined => {
    const within = scope.signals.h1.filter((el) => !scope.root || isInside(el, scope.root));
    return within.map((el) => textOf(el)).find((t) => t.trim() !== '');
  };
  return first(scope.notes, 'title', [
    ['json-ld headline', () => clean(ldString(ld(scope.signals, 'headline')) ?? ldString(ld(scope.signals, 'name')))],
    ['og:title', () => clean(meta(scope.signals, 'og:title', 'twitter:title'))],
    ['microdata headline', () => clean(prop(scope.signals, 'headline'))],
    ['h1', () => clean(h1())],
    ['<title>', () => clean(scope.signals.titleElement)],
  ]) ?? '';
}

function resolveDates(scope: Scope): { date?: string; lastUpdated?: string } {
  const offset = scope.site.utcOffsetMinutes;
  const iso = (v: string | undefined): LocalDateTime | undefined => (v === undefined ? undefined : parseIsoDate(v, offset));
  const isOther = otherArticlePredicate(scope.site);
  const timeElement = (): LocalDateTime | undefined => {
    const times = scope.signals.times.filter((t) => (!scope.root || isInside(t, scope.root)) && !hasAncestor(t, isOther) && !(scope.body && isInside(t, scope.body)));
    for (const t of times) {
      const parsed = iso(t.attribs['datetime']) ?? parseTextDate(visibleText(t), offset);
      if (parsed) return parsed;
    }
    return undefined;
  };
  const published = first(scope.notes, 'date', [
    ['json-ld datePublished', () => iso(ldString(ld(scope.signals, 'datePublished')) ?? ldString(ld(scope.signals, 'dateCreated')))],
    ['meta published_time', () => iso(meta(scope.signals, 'article:published_time', 'og:article:published_time', 'datepublished', 'pubdate', 'publishdate', 'publish-date', 'dc.date.issued', 'dc.date', 'dcterms.date', 'sailthru.date', 'parsely-pub-date'))],
    ['microdata datePublished', () => iso(prop(scope.signals, 'datepublished'))],
    ['<time>', timeElement],
  ]);
  const visibleUpdate = (): LocalDateTime | undefined => {
    const pattern = scope.site.lastUpdatedText;
    if (!pattern || !scope.root) return undefined;
    const m = pattern.exec(textOf(scope.root));
    return m?.[1] ? parseTextDate(`${m[1]} ${m[2] ?? ''}`.trim(), offset) : undefined;
  };
  const modified = first(scope.notes, 'last_updated', [
    ['json-ld dateModified', () => iso(ldString(ld(scope.signals, 'dateModified')))],
    ['meta modified_time', () => iso(meta(scope.signals, 'article:modified_time', 'og:updated_time', 'datemodified', 'dcterms.modified', 'last-modified'))],
    ['microdata dateModified', () => iso(prop(scope.signals, 'datemodified'))],
    ['visible update line', visibleUpdate],
  ]);
  const out: { date?: string; lastUpdated?: string } = {};
  if (published) out.date = published.date;
  if (modified) out.lastUpdated = formatDateTime(modified);
  return out;
}

const URL_LIKE = /^(?:https?:)?\/\//i;

function resolveAuthor(scope: Scope): string | undefined {
  const notUrl = (v: string | undefined): string | undefined => (v === undefined || URL_LIKE.test(v.trim()) ? undefined : v.trim() || undefined);
  const isOther = otherArticlePredicate(scope.site);
  const visible = (selectors: readonly string[]): string | undefined => {
    for (const selector of selectors) {
      for (const el of select(selector, scope.root ?? scope.doc)) {
        if (hasAncestor(el, isOther) || (scope.body && hasAncestor(el, (a) => a === scope.body))) continue;
        const text = visibleText(el);
        if (text !== '') return text;
      }
    }
    return undefined;
  };
  const ldAuthor = (): string | undefined => {
    const names = ldStrings(ld(scope.signals, 'author')).map((s) => s.trim()).filter((s) => s !== '' && !URL_LIKE.test(s));
    return names.length > 0 ? names.join('、') : undefined;
  };
  return first(scope.notes, 'author', [
    ['json-ld author', ldAuthor],
    ['meta author', () => notUrl(meta(scope.signals, 'article:author', 'author', 'dc.creator', 'dcterms.creator', 'sailthru.author', 'parsely-author'))],
    ['microdata author', () => notUrl(prop(scope.signals, 'author'))],
    ['byline markup', () => visible([...(scope.site.selectors?.author ?? []), '[rel~="author"]', 'a[href*="/author/"]'])],
  ]);
}

function decodePathSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The path of an href on this site (absolute, protocol-relative or root-relative). */
const HREF_PATH = /^\s*(?:https?:)?(?:\/\/[^/?#]*)?(\/[^?#]*)/i;

/** Links of the article header/footer area (outside the body and other-article lists). */
function areaLinks(scope: Scope): { el: Element; path: string }[] {
  if (!scope.root) return [];
  const isOther = otherArticlePredicate(scope.site);
  const out: { el: Element; path: string }[] = [];
  for (const a of scope.signals.links) {
    if (!isInside(a, scope.root) || hasAncestor(a, isOther) || (scope.body && isInside(a, scope.body))) continue;
    const path = HREF_PATH.exec(a.attribs['href'] ?? '')?.[1];
    if (path !== undefined) out.push({ el: a, path });
  }
  return out;
}

function resolveCategory(scope: Scope, links: { el: Element; path: string }[]): string | undefined {
  const byPath = scope.site.categoryByPath ?? {};
  const visible = (): string | undefined => {
    for (const { el, path } of links) {
      const name = byPath[path.replace(/\/+$/, '')];
      if (name !== undefined) return visibleText(el) || name;
    }
    return undefined;
  };
  return first(scope.notes, 'category', [
    ['json-ld articleSection', () => ldString(ld(scope.signals, 'articleSection'))?.trim() || undefined],
    ['meta article:section', () => meta(scope.signals, 'article:section')?.trim() || undefined],
    ['microdata articleSection', () => prop(scope.signals, 'articlesection')?.trim() || undefined],
    ['section link', visible],
  ]);
}

function resolveTags(scope: Scope, links: { el: Element; path: string }[]): string[] {
  const clean = (list: string[]): string[] => list.map((t) => t.trim()).filter((t) => t !== '');
  const tagPath = scope.site.tagPath ?? /^\/tags?\/([^/]+)\/?$/;
  const visible = (): string[] => clean(links.filter(({ path }) => tagPath.test(path)).map(({ el, path }) => {
    const text = visibleText(el).replace(/^#/, '');
    return text !== '' ? text : decodePathSegment(tagPath.exec(path)?.[1] ?? '');
  }));
  const keywords = (): string[] => {
    const value = ld(scope.signals, 'keywords');
    if (Array.isArray(value)) return clean(ldStrings(value));
    const s = ldString(value);
    return s === undefined ? [] : clean(s.split(/[,，]/));
  };
  return first(scope.notes, 'tags', [
    ['json-ld keywords', keywords],
    ['meta article:tag', () => clean(scope.signals.meta.get('article:tag') ?? [])],
    ['tag links', visible],
  ]) ?? [];
}

/** Every metadata field of the article, with the source of each choice appended to `notes`. */
export function resolveMetadata(doc: Document, signals: PageSignals, site: SiteProfile, root: Element | undefined, body: Element | undefined, notes: string[]): Metadata {
  const scope: Scope = { doc, signals, site, root, body, notes };
  const links = areaLinks(scope);
  const result: Metadata = { title: resolveTitle(scope), tags: resolveTags(scope, links), ...resolveDates(scope) };
  const author = resolveAuthor(scope);
  if (author !== undefined) result.author = author;
  const category = resolveCategory(scope, links);
  if (category !== undefined) result.category = category;
  return result;
}

/** The element that holds the title and the body: the nearest ancestor of the body with an `<h1>`. */
export function articleRoot(body: Element | undefined): Element | undefined {
  if (!body) return undefined;
  for (let el: Element | null = body; el; el = el.parent && isTag(el.parent) ? el.parent : null) {
    if (el.name === 'article') return el;
    if (el !== body && select('h1', el).length > 0) return el;
    if (el.name === 'body') return el;
  }
  return body;
}
