/**
 * Choosing each metadata field from every signal a page offers, most explicit first: JSON-LD,
 * then `<meta>` (OpenGraph, `article:*`, Dublin Core), then microdata, then what a reader sees
 * (the document title, labelled bylines and dates near the title: `byline.ts`, `visible-date.ts`).
 * A government document's labelled date (`成文日期`) comes first, and its issuing authority
 * (`发文机关`) is its author when no person is named; a page with no publication date at all is
 * dated by its last update.
 * Each choice is recorded in `notes` ("title: json-ld headline", "author: visible byline (reporter
 * label "记者")") for `--explain`.
 */
import type { Article } from './article.js';
import type { SiteProfile } from './site-profile.js';
import { byLine, issuingAuthority, markedByline, textByline } from './byline.js';
import { formatDateTime, parseIsoDate, parseTextDate, urlDate, type LocalDateTime } from './dates.js';
import { hasAncestor, isTag, select, visibleText, type Document, type Element } from './dom.js';
import {
  disagreement,
  first,
  isInside,
  rootText,
  type FieldEvidence,
  ld,
  meta,
  metaAll,
  otherArticlePredicate,
  prop,
  siteNames,
  squeeze,
  textOfPage,
  titlePosition,
  type Scope,
} from './metadata-scope.js';
import { skipped } from './page-text.js';
import { ldString, ldStrings, type PageSignals } from './signals.js';
import { boldLine, cleanTitle, headlineOfDocumentTitle, lineAboveBody, textSimilarity } from './title.js';
import { documentDate, visibleDate } from './visible-date.js';
import {
  categoryLink,
  isSiteName,
  labelledAuthor,
  labelledCategory,
  labelledTags,
  labelledUpdate,
  ldAuthors,
  ldBreadcrumbCategory,
  relTags,
  visibleBreadcrumbCategory,
} from './metadata-visible.js';

export { cleanTitle } from './title.js';

/** The Article fields that come from metadata rather than the body. */
export type Metadata = Pick<Article, 'title' | 'date' | 'lastUpdated' | 'author' | 'category' | 'tags'>;

/**
 * JSON-LD `headline`, or `name` when `name` agrees better with the document `<title>` (some
 * publishers put their own name in `name`, others a short label in `headline`: Readability.js
 * settles it by the same agreement test).
 */
function jsonLdTitle(scope: Scope): string | undefined {
  const headline = ldString(ld(scope.signals, 'headline'))?.trim() || undefined;
  const name = ldString(ld(scope.signals, 'name'))?.trim() || undefined;
  if (headline === undefined || name === undefined || headline === name) return headline ?? name;
  const reference = scope.signals.titleElement ?? '';
  return textSimilarity(name, reference) > textSimilarity(headline, reference) ? name : headline;
}

/**
 * Declared titles first, as the publisher wrote them (JSON-LD, Dublin Core, OpenGraph, `<meta
 * name=title>`, Twitter, Parse.ly: Readability.js's order), cut only of the site profile's own name;
 * then the document `<title>` with the site's name cut off (`title.ts`); the `<h1>` last, because a
 * page's first `<h1>` is as often the site's logo or a section name as the headline.
 */
function resolveTitle(scope: Scope): string {
  const profileNames = scope.site.name ? [scope.site.name] : [];
  const h1 = (): string | undefined => {
    const within = scope.signals.h1.filter((el) => !scope.root || isInside(el, scope.root));
    return within.map((el) => visibleText(el)).find((t) => t !== '');
  };
  const headline = h1();
  const docTitle = scope.signals.titleElement === undefined ? '' : squeeze(scope.signals.titleElement);
  const confirms = (text: string | undefined): text is string =>
    text !== undefined && squeeze(text).length >= 2 && docTitle.includes(squeeze(text)) && !isSiteName(scope, text);
  // The visible headline, when the document title confirms it: the page's own two words for it.
  // A page without an <h1> sets it in an <h2> (text-only and mobile editions).
  const confirmedHeadline = confirms(headline)
    ? headline
    : scope.signals.h1.length === 0
      ? scope.signals.h2.map((el) => visibleText(el)).find(confirms)
      : undefined;
  scope.headline = confirmedHeadline;
  const declared = (v: string | undefined, literal = false): string | undefined => {
    if (v === undefined) return undefined;
    const cleaned = cleanTitle(v, profileNames, literal) || undefined;
    if (cleaned === undefined || confirmedHeadline === undefined) return cleaned;
    return crossCheckTitle(scope, cleaned, confirmedHeadline);
  };
  const documentTitle = (): string | undefined => {
    if (scope.signals.titleElement === undefined) return undefined;
    const { title, how } = headlineOfDocumentTitle(scope.signals.titleElement, siteNames(scope));
    scope.how = how;
    return title || undefined;
  };
  return (
    first(scope, 'title', [
      // Declared values are data: their white space is kept as published (see cleanTitle).
      ['json-ld headline', () => declared(jsonLdTitle(scope), true)],
      [
        'meta dc:title',
        () => declared(meta(scope.signals, 'dc:title', 'dcterm:title', 'dcterms:title', 'dc.title'), true),
      ],
      ['og:title', () => declared(meta(scope.signals, 'og:title'), true)],
      [
        'meta title',
        () =>
          declared(
            meta(
              scope.signals,
              'weibo:article:title',
              'weibo:webpage:title',
              'title',
              'twitter:title',
              'parsely-title',
            ),
            true,
          ),
      ],
      ['microdata headline', () => declared(prop(scope.signals, 'headline'))],
      // The <h1> inside the document title after the site's parts (`眾新聞 | 眾聞 | <h1>`).
      [
        'h1 confirmed by <title>',
        () =>
          confirmedHeadline !== undefined &&
          !docTitle.startsWith(squeeze(confirmedHeadline)) &&
          onlyShortPartsBeside(docTitle, squeeze(confirmedHeadline))
            ? declared(confirmedHeadline)
            : undefined,
      ],
      [
        '<title>',
        () => {
          const found = documentTitle();
          // ` - 眾新聞 (文字版)`: a document title that opens with a separator has an empty headline
          // before it (an empty article page's template), so the page has no title.
          if (
            found !== undefined &&
            LEADING_SEPARATOR.test(found) &&
            LEADING_SEPARATOR.test(scope.signals.titleElement ?? '')
          ) {
            scope.notes.push(
              `title: the document title "${found.slice(0, 40)}" has nothing before its first separator: no headline`,
            );
            return undefined;
          }
          // A document title cut to something that is not the confirmed headline (`X - 眾新聞 (文字版)`
          // read as the edition's name): the headline.
          if (
            found !== undefined &&
            confirmedHeadline !== undefined &&
            !squeeze(found).includes(squeeze(confirmedHeadline)) &&
            onlyShortPartsBeside(docTitle, squeeze(confirmedHeadline))
          ) {
            scope.how = `"${found.slice(0, 40)}" is not the headline the page shows: the headline`;
            return confirmedHeadline;
          }
          // `X - 眾新聞 (文字版)`: the headline, the site's name and an edition or section beside it.
          if (
            found !== undefined &&
            confirmedHeadline !== undefined &&
            found.trim() !== confirmedHeadline.trim() &&
            found.trim().startsWith(confirmedHeadline.trim())
          ) {
            const parts = found
              .trim()
              .slice(confirmedHeadline.trim().length)
              .split(TITLE_PARTS)
              .map((p) => p.trim())
              .filter((p) => p !== '');
            if (parts.some((p) => isSiteName(scope, p)) && parts.every((p) => p.length <= MAX_SIDE_PART_CHARS)) {
              scope.how = "the site's name and parts beside the headline cut";
              return confirmedHeadline;
            }
          }
          return found;
        },
      ],
      ['h1', () => declared(headline)],
      // Only for pages with no <title> element at all: one that says only the site's name marks an
      // empty article page, which must stay without a title (and be rejected).
      ['first heading or bold line', () => (scope.signals.titleElement === undefined ? boldLine(scope) : undefined)],
      ['line above the body', () => (scope.signals.titleElement === undefined ? lineAboveBody(scope) : undefined)],
    ]) ?? ''
  );
}

/**
 * `立委補選 藍綠角力 | 社會`: a title that is the visible headline followed by the article's own
 * section (its category) — and perhaps the site's name — is the headline. Site names alone stay, as
 * declared titles are kept as written.
 */
function cutSectionSuffix(scope: Scope, title: string, category: string | undefined): string {
  const headline = scope.headline;
  if (headline === undefined || category === undefined || category === '') return title;
  const t = title.trim();
  const h = headline.trim();
  if (t === h || !t.startsWith(h)) return title;
  const rest = t.slice(h.length);
  if (!ADDED_PART.test(rest)) return title;
  const parts = rest
    .split(TITLE_PARTS)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (!parts.some((p) => p === category.trim())) return title;
  disagreement(scope, 'title', `"${t.slice(0, 60)}" is the headline with its section "${category}": the headline`);
  return h;
}

/** A document title that opens with a separator (`- Site`, `| Section | Site`). */
const LEADING_SEPARATOR = /^\s*[|｜\-–—:：·•»]\s/;

/** Separators of a document title's parts: `眾新聞 | 眾說 | 同路人`, `X - 眾新聞 (文字版)`. */
const TITLE_PARTS = /[|｜\-–—_:：·•»/()（）[\]【】]+/;
/** A site name, section or edition beside the headline in a document title is a few words. */
const MAX_SIDE_PART_CHARS = 10;

/** Whether the (squeezed) document title is the headline with only short parts (site, section, edition) beside it. */
function onlyShortPartsBeside(docTitle: string, headline: string): boolean {
  const at = docTitle.indexOf(headline);
  if (at < 0) return false;
  const rest = docTitle.slice(0, at) + '|' + docTitle.slice(at + headline.length);
  return rest.split(TITLE_PARTS).every((part) => part.length <= MAX_SIDE_PART_CHARS);
}
/** Separators a title's added parts begin with (` | 社會`, ` - Section`). */
const ADDED_PART = /^\s*[|｜\-–—_:：/·•»]/;
/** How alike two titles must be to be the same headline (Readability's `_textSimilarity` bar). */
const SAME_HEADLINE = 0.75;

/**
 * A declared title checked against the visible headline that the document title confirms:
 * - it agrees: kept, unless it is the headline plus a section or site part (` | 社會`), which goes;
 * - it is the headline cut short (`…`, `...`, AMP's 110 characters): the headline;
 * - it agrees with neither the headline nor the document title (a teaser's JSON-LD on the page): dropped.
 * Each decision is a note for `--explain`.
 */
function crossCheckTitle(scope: Scope, value: string, headline: string): string | undefined {
  const v = squeeze(value);
  const h = squeeze(headline);
  if (v === h) return value;
  // The headline with more after it (` | 社會`, ` - Site`): kept as the publisher declared it here;
  // a section part is cut once the category is known (`cutSectionSuffix`).
  if (value.trim().startsWith(headline.trim()) && ADDED_PART.test(value.trim().slice(headline.trim().length)))
    return value;
  const cut = v.replace(/(?:…|\.\.\.)$/, '');
  if (cut !== v && h.startsWith(cut)) {
    disagreement(scope, 'title', 'the declared title is the headline cut short: the headline');
    return headline;
  }
  const docTitle = squeeze(scope.signals.titleElement ?? '');
  const agrees =
    textSimilarity(value, headline) >= SAME_HEADLINE ||
    textSimilarity(headline, value) >= SAME_HEADLINE ||
    docTitle.includes(v) ||
    h.includes(v);
  if (agrees) return value;
  disagreement(
    scope,
    'title',
    `"${value.slice(0, 60)}" disagrees with the headline and the document title (another item's): skipped`,
  );
  return undefined;
}

/**
 * `<meta name=SiteIDCode>` (and `ColumnName`): page tags every Chinese government website must carry
 * (State Council, 政府网站发展指引, 2017, annex "网站页面标签"), lower-cased as signals keep them.
 */
const GOVERNMENT_SITE_TAGS = ['siteidcode', 'columnname'] as const;

/** An ISO date-time, else any date written in the value (`Dec 22, 2016`, `2019年2月27日`). */
function anyDate(v: string | undefined, offset: number | undefined): LocalDateTime | undefined {
  return v === undefined ? undefined : (parseIsoDate(v, offset) ?? parseTextDate(v, offset));
}

function resolveDates(scope: Scope, title: string): { date?: string; lastUpdated?: string } {
  const offset = scope.site.utcOffsetMinutes;
  const iso = (v: string | undefined): LocalDateTime | undefined => anyDate(v, offset);
  const isOther = otherArticlePredicate(scope.site);
  const timeElement = (): LocalDateTime | undefined => {
    const times = scope.signals.times.filter(
      (t) =>
        (!scope.root || isInside(t, scope.root)) &&
        !hasAncestor(t, isOther) &&
        !(scope.body && isInside(t, scope.body)),
    );
    for (const t of times) {
      const parsed = parseIsoDate(t.attribs['datetime'] ?? '', offset) ?? parseTextDate(visibleText(t), offset);
      if (parsed) return parsed;
    }
    return undefined;
  };
  const visible = (): LocalDateTime | undefined => {
    const page = textOfPage(scope);
    const [start, end] = title ? titlePosition(scope, title) : [-1, -1];
    // The capture URL may be a query (`?id=123`) where the canonical link spells the date.
    const fromUrl = scope.urls.map(urlDate).find((d) => d !== undefined);
    const found =
      (HAN_CHAR.test(title) ? documentDate(page) : undefined) ??
      visibleDate(
        page,
        start,
        end,
        fromUrl,
        scope.timestamp === undefined ? undefined : { timestamp: scope.timestamp, utcOffsetMinutes: offset },
      );
    scope.how = found?.how;
    return found?.value;
  };
  const visibleUpdate = (): LocalDateTime | undefined => {
    const pattern = scope.site.lastUpdatedText;
    if (!pattern || !scope.root) return undefined;
    const m = pattern.exec(rootText(scope));
    return m?.[1] ? parseTextDate(`${m[1]} ${m[2] ?? ''}`.trim(), offset) : undefined;
  };
  const updateCandidates: [string, () => LocalDateTime | undefined][] = [
    ['json-ld dateModified', () => iso(ldString(ld(scope.signals, 'dateModified')))],
    [
      'meta modified_time',
      () =>
        iso(
          meta(
            scope.signals,
            'article:modified_time',
            'og:updated_time',
            'datemodified',
            'dcterms.modified',
            'last-modified',
          ),
        ),
    ],
    // `dateUpdate` is no schema.org name, but encyclopedias (Baidu Baike) write it.
    [
      'microdata dateModified',
      () =>
        iso(
          prop(scope.signals, 'datemodified') ??
            prop(scope.signals, 'dateupdate') ??
            prop(scope.signals, 'dateupdated'),
        ),
    ],
    ['visible update line', visibleUpdate],
    ['labelled update line', () => labelledUpdate(scope)],
  ];
  const lastUpdate = (): LocalDateTime | undefined => {
    for (const [, get] of updateCandidates) {
      const value = get();
      if (value) return value;
    }
    return undefined;
  };
  // A government document's own date, labelled in its page (`成文日期`, see `documentDate`), before
  // any declared date: those say when it was posted. Looked for up front only on pages that carry
  // the government-site tags (other pages are spared a page-text walk); on the others, with the
  // visible dates.
  const documentWritten = (): LocalDateTime | undefined => {
    if (!HAN_CHAR.test(title) || !GOVERNMENT_SITE_TAGS.some((key) => scope.signals.meta.has(key))) return undefined;
    const found = documentDate(textOfPage(scope));
    scope.how = found?.how;
    return found?.value;
  };
  const published = first(scope, 'date', [
    ['visible document date', documentWritten],
    [
      'json-ld datePublished',
      () => iso(ldString(ld(scope.signals, 'datePublished')) ?? ldString(ld(scope.signals, 'dateCreated'))),
    ],
    [
      'meta published_time',
      () =>
        iso(
          meta(
            scope.signals,
            'article:published_time',
            'og:article:published_time',
            'parsely-pub-date',
            'datepublished',
            'pubdate',
            'publishdate',
            'publish-date',
            'publish_date',
            'og:release_date',
            'dc.date.issued',
            'dc.date',
            'dc:date',
            'dcterms.date',
            'dcterms.created',
            'sailthru.date',
            'date',
          ),
        ),
    ],
    ['microdata datePublished', () => iso(prop(scope.signals, 'datepublished'))],
    ['<time>', timeElement],
    ['visible date', visible],
    // A page that says when it was last changed and not when it was first published (an
    // encyclopedia entry, a reference page) is dated by that version.
    ['last update (no publication date)', lastUpdate],
  ]);
  const modified = first(scope, 'last_updated', updateCandidates);
  const out: { date?: string; lastUpdated?: string } = {};
  if (published) out.date = published.date;
  if (modified) out.lastUpdated = formatDateTime(modified);
  return out;
}

const URL_LIKE = /^(?:https?:)?\/\//i;
/** A value that starts with a host name (`www.yunnan.cn,云南日报`, `51offer.com`): a site, not a person. */
const DOMAIN_LIKE = /^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|cn|hk|tw|gov|edu|info|co|io)\b/i;
/**
 * Words of organisations and software credits, which `<meta name=author>` often holds instead of
 * a person (`Discuz! Team`, `大汉网络`, `汉斯出版社`): the page's visible byline is asked instead.
 */
const ORGANISATION =
  /\b(?:Team|Inc|Ltd|LLC|Corp|Corporation|Publishers|Software|Studio|Webmaster)\b|网络|網絡|出版社|集团|集團|公司|报业|報業|网站|網站/i;
/** An e-mail address (a comment form's placeholder, a contact line): not a byline. */
const EMAIL_LIKE = /[\w.+-]+@[\w-]+\.[\w.-]+/;
/** A CMS user id (`L_104485`, `HN666`, `10342`), not a name. */
const ID_LIKE = /^[A-Za-z]{0,4}_?\d{3,}$/;
/** A Han character: the page is written in Chinese. */
const HAN_CHAR = /[\u3400-\u9fff]/;
/** Han characters: a list of Chinese names is joined with `、`, other names with `, `. */
const HAN = /^[\u3400-\u9fff·\s]+$/;

const joinNames = (names: string[]): string => names.join(names.every((n) => HAN.test(n)) ? '、' : ', ');

function resolveAuthor(scope: Scope, title: string): string | undefined {
  const notUrl = (v: string | undefined): string | undefined =>
    v === undefined || URL_LIKE.test(v.trim()) ? undefined : v.trim() || undefined;
  // A person's name, not an organisation or an address. A site's name is a fine byline for a staff
  // story (`BBC News`), so it is not refused.
  const person = (v: string): boolean =>
    !URL_LIKE.test(v) && !DOMAIN_LIKE.test(v) && !ORGANISATION.test(v) && !EMAIL_LIKE.test(v);
  const metaAuthors = (...keys: string[]): string | undefined => {
    const names = metaAll(scope.signals, ...keys);
    const people = names.length > 0 && names.every((n) => person(n) && !ID_LIKE.test(n) && !isSiteName(scope, n));
    if (names.length > 0 && !people)
      disagreement(
        scope,
        'author',
        `meta ${keys[0]} "${names.join(', ').slice(0, 40)}" skipped (the site, a company or an id)`,
      );
    return people ? joinNames(names) : undefined;
  };
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
  // People first; an organisation (or the site itself) named as author only when no person is.
  const authorsLd = ldAuthors(scope);
  const ldAuthor = (): string | undefined => {
    if (authorsLd.people.length === 0 && authorsLd.organisations.length > 0)
      disagreement(
        scope,
        'author',
        `json-ld author "${authorsLd.organisations.join(', ').slice(0, 40)}" is an organisation: a person is looked for first`,
      );
    return authorsLd.people.length > 0 ? joinNames(authorsLd.people) : undefined;
  };
  const labelled = (): string | undefined => {
    const page = textOfPage(scope);
    const [start, end] = title ? titlePosition(scope, title) : [-1, -1];
    const found = textByline(page, start, end);
    if (found) scope.how = found.how;
    return found?.text;
  };
  const marked = (): string | undefined => {
    // Navigation, sidebars, comments and the site's other-article lists hold other people's names;
    // an `<aside>` inside the article (an author box) does not.
    const found = markedByline(scope.signals.bylineHints, (el) => el.name !== 'aside' && (skipped(el) || isOther(el)));
    return found !== undefined && person(found) && !ID_LIKE.test(found) ? found : undefined;
  };
  return first(scope, 'author', [
    ['json-ld author', ldAuthor],
    ['meta dc:creator', () => metaAuthors('dc:creator', 'dcterm:creator', 'dcterms:creator', 'dc.creator')],
    ['meta author', () => metaAuthors('author', 'parsely-author', 'sailthru.author')],
    ['meta article:author', () => notUrl(meta(scope.signals, 'article:author', 'og:article:author'))],
    ['site byline markup', () => visible(scope.site.selectors?.author ?? [])],
    ['labelled byline line', () => labelledAuthor(scope)],
    ['visible byline', labelled],
    // Only Chinese government pages print it: others are spared the page-text walk.
    ['issuing authority', () => (HAN_CHAR.test(title) ? issuingAuthority(textOfPage(scope)) : undefined)],
    ['byline markup', marked],
    ['visible "By" line', () => (title ? byLine(textOfPage(scope), titlePosition(scope, title)[1]) : undefined)],
    [
      'json-ld author (an organisation)',
      () => (authorsLd.organisations.length > 0 ? joinNames(authorsLd.organisations) : undefined),
    ],
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

function resolveCategory(scope: Scope, links: { el: Element; path: string }[], title: string): string | undefined {
  const byPath = scope.site.categoryByPath ?? {};
  const visible = (): string | undefined => {
    for (const { el, path } of links) {
      const name = byPath[path.replace(/\/+$/, '')];
      if (name !== undefined) return visibleText(el) || name;
    }
    return undefined;
  };
  return first(scope, 'category', [
    ['json-ld articleSection', () => ldString(ld(scope.signals, 'articleSection'))?.trim() || undefined],
    ['meta article:section', () => meta(scope.signals, 'article:section')?.trim() || undefined],
    ['microdata articleSection', () => prop(scope.signals, 'articlesection')?.trim() || undefined],
    ['json-ld breadcrumb', () => ldBreadcrumbCategory(scope, title)],
    ['breadcrumb', () => visibleBreadcrumbCategory(scope, title)],
    ['labelled category line', () => labelledCategory(scope)],
    ['section link', visible],
    ['category page link', () => categoryLink(links)],
  ]);
}

function resolveTags(scope: Scope, links: { el: Element; path: string }[]): string[] {
  const clean = (list: string[]): string[] => list.map((t) => t.trim()).filter((t) => t !== '');
  const tagPath = scope.site.tagPath ?? /^\/tags?\/([^/]+)\/?$/;
  const visible = (): string[] =>
    clean(
      links
        .filter(({ path }) => tagPath.test(path))
        .map(({ el, path }) => {
          const text = visibleText(el).replace(/^#/, '');
          return text !== '' ? text : decodePathSegment(tagPath.exec(path)?.[1] ?? '');
        }),
    );
  const keywords = (): string[] => {
    const value = ld(scope.signals, 'keywords');
    if (Array.isArray(value)) return clean(ldStrings(value));
    const s = ldString(value);
    return s === undefined ? [] : clean(s.split(/[,，]/));
  };
  return (
    first(scope, 'tags', [
      ['json-ld keywords', keywords],
      ['meta article:tag', () => clean(scope.signals.meta.get('article:tag') ?? [])],
      ['rel=tag links', () => relTags(scope)],
      ['tag links', visible],
      ['labelled tag line', () => clean(labelledTags(scope) ?? [])],
    ]) ?? []
  );
}

export interface MetadataOptions {
  /** The capture URL (its path may hold the date). */
  url?: string;
  /** The capture's 14-digit Wayback timestamp: what an age on the page (`3小時前`) counts back from. */
  timestamp?: string;
  /** Filled with which signal gave each field (the layout report). */
  evidence?: FieldEvidence;
  /** `--explain`: note every candidate of every field. */
  allCandidates?: boolean;
}

/** Every metadata field of the article, with the source of each choice appended to `notes`. */
export function resolveMetadata(
  doc: Document,
  signals: PageSignals,
  site: SiteProfile,
  root: Element | undefined,
  body: Element | undefined,
  notes: string[],
  options: MetadataOptions = {},
): Metadata {
  const { url, timestamp, evidence = {}, allCandidates = false } = options;
  const scope: Scope = {
    evidence,
    allCandidates,
    doc,
    signals,
    site,
    root,
    body,
    notes,
    timestamp,
    urls: [url, signals.canonical, signals.meta.get('og:url')?.[0]].filter((u): u is string => u !== undefined),
  };
  const links = areaLinks(scope);
  const title = resolveTitle(scope);
  const result: Metadata = { title, tags: resolveTags(scope, links), ...resolveDates(scope, title) };
  const author = resolveAuthor(scope, title);
  if (author !== undefined) result.author = author;
  const category = resolveCategory(scope, links, title);
  if (category !== undefined) result.category = category;
  result.title = cutSectionSuffix(scope, title, category);
  return result;
}

/**
 * The element that holds the title and the body: the nearest ancestor of the body with an `<h1>`.
 * `h1s` are the page's `<h1>` elements (gathered while parsing): each marks its ancestors, so the
 * climb never searches a subtree (it did, once per level, and that was quadratic on deep pages).
 */
export function articleRoot(body: Element | undefined, h1s: readonly Element[]): Element | undefined {
  if (!body) return undefined;
  const holdsH1 = new Set<Element>();
  for (const h1 of h1s) for (let a = h1.parent; a && isTag(a) && !holdsH1.has(a); a = a.parent) holdsH1.add(a);
  for (let el: Element | null = body; el; el = el.parent && isTag(el.parent) ? el.parent : null) {
    if (el.name === 'article') return el;
    if (el !== body && holdsH1.has(el)) return el;
    if (el.name === 'body') return el;
  }
  return body;
}
