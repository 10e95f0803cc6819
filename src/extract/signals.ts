/**
 * Metadata signals a page offers, read in one pass: JSON-LD, `<meta>` (OpenGraph, `article:*`,
 * Dublin Core, name=…), microdata (`itemprop`), and `<title>`. Fields are chosen from these by
 * `metadata.ts`; keeping the reading apart lets `--explain` show every candidate.
 */
import { hasAncestor, isTag, isText, textOf, type Element } from './dom.js';

export interface PageSignals {
  /** JSON-LD objects of article types (`NewsArticle`, `Article`, `BlogPosting`, …), in page order. */
  jsonLdArticles: Record<string, unknown>[];
  /** Every typed JSON-LD object of the page (breadcrumbs, organisations, people), first MAX_LD_OBJECTS. */
  jsonLdAll: Record<string, unknown>[];
  /** `<meta property|name|itemprop>` values by lower-cased key, in page order. */
  meta: Map<string, string[]>;
  /** Microdata `itemprop` values (content attribute, else datetime, else text) by name. */
  itemprops: Map<string, string[]>;
  /** `<title>` text, as written (entities decoded). */
  titleElement: string | undefined;
  /** `<link rel="canonical">` href. */
  canonical: string | undefined;
  /** Elements metadata looks at, in document order, gathered in the same pass. */
  h1: Element[];
  /** The first `<h2>` elements (a page without an `<h1>` sets its headline in one). */
  h2: Element[];
  times: Element[];
  links: Element[];
  /**
   * Elements that say they hold a byline (`rel=author`, `itemprop~=author`, or a class/id such as
   * `byline`, `author`, `writer`, `zuozhe`), in document order: read in `byline.ts`.
   */
  bylineHints: Element[];
  /** Breadcrumb trails (class, id or `aria-label` naming a breadcrumb), in document order. */
  breadcrumbs: Element[];
}

/** JSON-LD objects kept per page: a page declares a handful; a hostile one millions. */
const MAX_LD_OBJECTS = 500;
/** A breadcrumb trail's container: `breadcrumb`, `bread-crumbs`, `c-crumbs`, `crumb`. */
const BREADCRUMB_HINT = /bread-?crumb|(?:^|[\s_-])crumbs?(?:$|[\s_-])/i;

/**
 * Class/id words of byline containers. The English set is Readability.js's own (`byline`,
 * `author`, `dateline`, `writtenby`, `p-author`: mozilla/readability REGEXPS.byline); `writer`
 * and pinyin `zuozhe` (作者) are common on Chinese CMSs.
 */
const BYLINE_HINT = /byline|author|dateline|writtenby|p-author|writer|zuozhe/i;

/**
 * `<meta property>` holds a space-separated list of names (RDFa: `property="og:title twitter:title"`);
 * `<meta name>` holds one. Both are kept under every name they give.
 */
const SPACE_LIST = /\s+/;
/** The `<title>` text kept: 8× the longest title written (MAX_TITLE_CHARS), room for any site-name suffix. */
const TITLE_ELEMENT_MAX_CHARS = 8_000;

/**
 * schema.org's CreativeWork types an article page declares itself as: every `…Article` subtype
 * (`NewsArticle`, `ReportageNewsArticle`, `MedicalScholarlyArticle`, …: all end in "Article"),
 * postings, reports, and `WebPage` (taken last: see `finish`).
 */
const ARTICLE_TYPES =
  /^[A-Za-z]*Article$|^(?:BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|APIReference|WebPage|Report)$/;

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function typesOf(obj: Record<string, unknown>): string[] {
  const t = obj['@type'];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : [];
}

/** Flatten JSON-LD (`@graph`, arrays, nested `mainEntity`) into objects. */
function collectJsonLd(value: unknown, out: Record<string, unknown>[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectJsonLd(v, out, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (typesOf(obj).length > 0 && out.length < MAX_LD_OBJECTS) out.push(obj);
  if (obj['@graph']) collectJsonLd(obj['@graph'], out, depth + 1);
  if (obj['mainEntity']) collectJsonLd(obj['mainEntity'], out, depth + 1);
}

/** Parse a JSON-LD script body; pages often ship trailing commas or HTML comments around it. */
function parseJsonLd(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // repaired below
  }
  // CMSs wrap JSON-LD in `<![CDATA[ … ]]>` (Drupal, Nuxt; seen on aclu and gitlab-blog of the readability bench set).
  const cleaned = text
    .trim()
    .replace(/^<!\[CDATA\[|\]\]>$/g, '')
    .trim()
    .replace(/^<!--|-->$/g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  try {
    return JSON.parse(cleaned);
  } catch {
    try {
      return JSON.parse(cleaned.replace(/,\s*([}\]])/g, '$1'));
    } catch {
      return undefined;
    }
  }
}

/**
 * Gathers signals element by element, in document order, while the parser builds the tree
 * (`visit` as its element callback: no second walk of the page).
 * Values that need an element's text are read in `finish()`, once the text is there.
 */
export class SignalCollector {
  private readonly signals: PageSignals = {
    jsonLdArticles: [],
    jsonLdAll: [],
    meta: new Map(),
    itemprops: new Map(),
    titleElement: undefined,
    canonical: undefined,
    h1: [],
    h2: [],
    times: [],
    links: [],
    bylineHints: [],
    breadcrumbs: [],
  };
  private title: Element | undefined;
  private readonly ldScripts: Element[] = [];
  private readonly props: Element[] = [];
  private readonly extraLd: string[] = [];

  readonly visit = (el: Element): void => {
    const a = el.attribs;
    switch (el.name) {
      case 'meta': {
        const content = a['content'];
        if (content === undefined) return;
        const property = a['property'];
        if (property)
          for (const key of property.toLowerCase().split(SPACE_LIST)) if (key) pushTo(this.signals.meta, key, content);
        const name = a['name'];
        if (name) pushTo(this.signals.meta, name.trim().toLowerCase(), content);
        // `<meta itemprop=… content=…>` is microdata (read with the other itemprops), not a page-level meta.
        else if (!property && a['itemprop']) this.props.push(el);
        return;
      }
      case 'title':
        if (this.title === undefined && !hasSvgAncestor(el)) this.title = el;
        return;
      case 'link':
        if (
          this.signals.canonical === undefined &&
          a['href'] &&
          (a['rel'] ?? '').toLowerCase().split(/\s+/).includes('canonical')
        )
          this.signals.canonical = a['href'];
        return;
      case 'script':
        if ((a['type'] ?? '').toLowerCase().includes('ld+json')) this.ldScripts.push(el);
        return;
      case 'h1':
        this.signals.h1.push(el);
        break;
      case 'h2':
        if (this.signals.h2.length < 20) this.signals.h2.push(el);
        break;
      case 'time':
        this.signals.times.push(el);
        break;
      case 'a':
        if (a['href'] !== undefined) this.signals.links.push(el);
        break;
    }
    if (a['itemprop']) this.props.push(el);
    if (isBylineHint(a)) this.signals.bylineHints.push(el);
    if (
      this.signals.breadcrumbs.length < 8 &&
      (mayBeCrumb(a['class']) || mayBeCrumb(a['id']) || mayBeCrumb(a['aria-label']))
    )
      this.signals.breadcrumbs.push(el);
  };

  /** JSON-LD found outside the parsed part of the page. */
  addJsonLd(text: string): void {
    this.extraLd.push(text);
  }

  finish(): PageSignals {
    const signals = this.signals;
    // Cut long before any title heuristic reads it: a title is at most MAX_TITLE_CHARS (limits.ts),
    // and a 2,000,000-character <title> cost seconds in each heuristic that read it whole.
    if (this.title) signals.titleElement = textOf(this.title).slice(0, TITLE_ELEMENT_MAX_CHARS);
    const allLd: Record<string, unknown>[] = [];
    for (const script of this.ldScripts)
      collectJsonLd(parseJsonLd(script.children.map((c) => (isText(c) ? c.data : '')).join('')), allLd);
    for (const text of this.extraLd) collectJsonLd(parseJsonLd(text), allLd);
    for (const el of this.props) {
      if (hasAncestor(el, (p) => p.name === 'script' || p.name === 'style' || p.name === 'template')) continue;
      const value =
        el.attribs['content'] ??
        el.attribs['datetime'] ??
        (el.name === 'a' || el.name === 'link' ? undefined : textOf(el));
      if (value !== undefined)
        for (const p of (el.attribs['itemprop'] ?? '').toLowerCase().split(/\s+/)) pushTo(signals.itemprops, p, value);
    }
    signals.jsonLdAll = allLd;
    signals.jsonLdArticles = allLd.filter((o) => typesOf(o).some((t) => ARTICLE_TYPES.test(t)));
    // Prefer real article types over WebPage.
    signals.jsonLdArticles.sort(
      (x, y) => Number(typesOf(x).includes('WebPage')) - Number(typesOf(y).includes('WebPage')),
    );
    return signals;
  }
}

/** A breadcrumb's class, id or label (`includes` first: this runs for every element). */
function mayBeCrumb(value: string | undefined): boolean {
  return value !== undefined && (value.includes('rumb') || value.includes('RUMB')) && BREADCRUMB_HINT.test(value);
}

function isBylineHint(a: Record<string, string>): boolean {
  const cls = a['class'];
  const id = a['id'];
  const rel = a['rel'];
  return (
    (cls !== undefined && BYLINE_HINT.test(cls)) ||
    (id !== undefined && BYLINE_HINT.test(id)) ||
    (a['itemprop']?.includes('author') ?? false) ||
    (rel !== undefined && /(?:^|\s)author(?:\s|$)/i.test(rel))
  );
}

function hasSvgAncestor(el: Element): boolean {
  for (let p = el.parent; p; p = p.parent) if (isTag(p) && p.name === 'svg') return true;
  return false;
}

/** First string value of a JSON-LD property (following `name` of objects, first of arrays). */
export function typesOfLd(obj: Record<string, unknown>): string[] {
  return typesOf(obj);
}

export function ldString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    for (const v of value) {
      const s = ldString(v);
      if (s !== undefined) return s;
    }
    return undefined;
  }
  if (value && typeof value === 'object') return ldString((value as Record<string, unknown>)['name']);
  return undefined;
}

/** All string values of a JSON-LD property (arrays flattened, comma lists kept whole). */
export function ldStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(ldStrings);
  if (value && typeof value === 'object') {
    const s = ldString(value);
    return s === undefined ? [] : [s];
  }
  return [];
}
