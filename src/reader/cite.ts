/**
 * Citation data for an archived article: APA 7, MLA 9 and BibTeX strings, Robust Links
 * attributes, schema.org NewsArticle JSON-LD and Dublin Core meta. Pure: no clock (the access
 * date is passed in), no I/O. A `url` or `original_url` that is not an absolute http(s) URL
 * ({@link safeExternalUrl}) stays text in the APA, MLA and BibTeX note prose, and is never written
 * where a program would follow it (Robust Links `href`/`data-originalurl`, JSON-LD, Dublin Core
 * identifiers, BibTeX `url`).
 */
import { isCalendarDate } from '../search/index.js';
import { safeExternalUrl } from './markdown-html.js';
import { escapeHtml } from '../markdown/index.js';
import { parseMemento } from '../memento.js';

/** What the citation functions read of an article (the index's fields; FORMAT.md frontmatter). */
export interface CiteMeta {
  /** The site's article id. */
  id: number | string;
  title: string;
  /** Publication date `YYYY-MM-DD` (site-local), or `YYYY-MM` / `YYYY` when only those are known. */
  date?: string | undefined;
  /** Modification time `YYYY-MM-DD HH:MM:SS` (site-local), when the page stated one. */
  lastUpdated?: string | undefined;
  author?: string | undefined;
  category?: string | undefined;
  tags?: readonly string[] | undefined;
  /** The Wayback memento: `https://web.archive.org/web/<14 digits>/<original>`. */
  url?: string | undefined;
  /** The article's address on the dead site. */
  originalUrl?: string | undefined;
  /** Capture time, ISO 8601 UTC (`2021-06-28T17:47:10Z`). Default: the memento's timestamp. */
  capturedAt?: string | undefined;
  /** Site id, used in BibTeX keys. Default `hkcnews`. */
  site?: string | undefined;
  /** The publication's name. Default 眾新聞. */
  siteName?: string | undefined;
}

export interface CiteOptions {
  /** When the reader accessed the archived copy (APA "Retrieved", MLA "Accessed", BibTeX urldate). Default: not stated. */
  accessed?: Date;
}

/** The publisher when `CiteMeta` names none: hkcnews (HKCNEWS.md). */
export const DEFAULT_PUBLISHER = {
  site: 'hkcnews',
  name: '眾新聞',
  alternateName: 'Citizen News',
  url: 'https://www.hkcnews.com/',
  /** hkcnews dates are Hong Kong time (HKCNEWS.md; src/sites/hkcnews.ts utcOffsetMinutes). */
  utcOffset: '+08:00',
  /** BCP 47 tag of the content: Traditional Chinese as written in Hong Kong. */
  language: 'zh-Hant-HK',
} as const;

/** The archive that holds the copies cited. */
export const ARCHIVE_NAME = 'Wayback Machine';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
/** MLA 9 abbreviates months longer than four letters (MLA Handbook 9th ed., appendix 1). */
const MLA_MONTHS = [
  'Jan.',
  'Feb.',
  'Mar.',
  'Apr.',
  'May',
  'June',
  'July',
  'Aug.',
  'Sept.',
  'Oct.',
  'Nov.',
  'Dec.',
] as const;
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;
const LAST_UPDATED = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/;
/** Sentence-final punctuation after which no period is added (Latin and CJK). */
const ENDS_SENTENCE = /[.?!。？！…]$/u;
/**
 * Bylines that name an organization, not a person: the site's own desk ("眾新聞記者"), agencies,
 * groups. A byline with a role prefix ("記者林勵") is a person.
 */
const ORGANIZATION_AUTHOR =
  /^(?:眾新聞|本網|本報|本台)|編輯部|新聞社|通訊社|美聯社|路透社|法新社|彭博|^(?:Reuters|AP|AFP|Bloomberg)$|(?:聯盟|協會|學會|關注組|大聯盟|工會|委員會|中心)$|^[^\s]{0,6}記者$/u;
/** Several people in one byline. */
const AUTHOR_SEPARATOR = /\s*[、，／]\s*|\s+(?:及|和|與|and)\s+/u;

interface DateParts {
  year: number;
  month?: number;
  day?: number;
}

function dateParts(date: string | undefined): DateParts | undefined {
  const m = date === undefined ? null : PARTIAL_DATE.exec(date);
  if (!m?.[1]) return undefined;
  const parts: DateParts = { year: Number(m[1]) };
  const month = Number(m[2]);
  if (month >= 1 && month <= 12) {
    parts.month = month;
    const day = Number(m[3]);
    // Only a day the month has (a file may say 2020-02-30).
    if (day >= 1 && day <= new Date(Date.UTC(parts.year, month, 0)).getUTCDate()) parts.day = day;
  }
  return parts;
}

function utcParts(date: Date): DateParts {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The capture date `YYYY-MM-DD` (UTC), from `capturedAt` or the memento's timestamp. */
export function captureDate(meta: Pick<CiteMeta, 'capturedAt' | 'url'>): string | undefined {
  const iso = meta.capturedAt === undefined ? undefined : /^(\d{4}-\d{2}-\d{2})/.exec(meta.capturedAt)?.[1];
  if (iso !== undefined) return iso;
  const ts = meta.url === undefined ? undefined : parseMemento(meta.url)?.timestamp;
  return ts !== undefined && /^\d{8}/.test(ts) ? `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}` : undefined;
}

/** "2019, February 27" (APA). */
function apaDate(p: DateParts | undefined): string {
  if (p === undefined) return 'n.d.';
  const month = p.month === undefined ? undefined : MONTHS[p.month - 1];
  if (month === undefined) return String(p.year);
  return p.day === undefined ? `${p.year}, ${month}` : `${p.year}, ${month} ${p.day}`;
}

/** "February 27, 2019" (APA retrieval dates). */
function apaLongDate(p: DateParts): string {
  const month = p.month === undefined ? '' : `${MONTHS[p.month - 1]} `;
  return p.day === undefined ? `${month}${p.year}` : `${month}${p.day}, ${p.year}`;
}

/** "27 Feb. 2019" (MLA). */
function mlaDate(p: DateParts): string {
  const month = p.month === undefined ? undefined : MLA_MONTHS[p.month - 1];
  if (month === undefined) return String(p.year);
  return p.day === undefined ? `${month} ${p.year}` : `${p.day} ${month} ${p.year}`;
}

/** `text` closed with a period unless it already ends a sentence. */
function sentence(text: string): string {
  return ENDS_SENTENCE.test(text) ? text : `${text}.`;
}

/** Line breaks and tabs, which a one-line citation cannot hold. U+3000 and NBSP are text (FORMAT.md) and stay. */
const LINE_BREAKS = /[\t\n\r\f\v\u0085\u2028\u2029]+/g;

function clean(text: string | undefined): string | undefined {
  const t = text?.replace(LINE_BREAKS, ' ').trim();
  return t === '' ? undefined : t;
}

export interface Citations {
  /** APA 7, plain text (the container name would be italic). */
  apa: string;
  /** MLA 9, plain text (the container names would be italic). */
  mla: string;
  /** A biblatex `@online` entry. */
  bibtex: string;
  /** APA with the container in `<i>`, HTML-escaped. */
  apaHtml: string;
  /** MLA with the containers in `<i>`, HTML-escaped. */
  mlaHtml: string;
}

/**
 * APA, MLA and BibTeX citations of the archived copy. The cited URL is the memento (stable);
 * MLA and BibTeX also give the original URL.
 *
 * APA 7 (Publication Manual §10.2, news website articles; §9.16: "Retrieved from" only with a
 * retrieval date): `Author. (2019, February 27). Title. 眾新聞. Retrieved November 26, 2026, from <memento>`.
 * MLA 9 (original as first container, the Wayback Machine as second): `Author. "Title." 眾新聞,
 * 27 Feb. 2019, <original>. Wayback Machine, 28 June 2021, <memento>. Accessed 26 Nov. 2026.`
 */
export function citations(meta: CiteMeta, options: CiteOptions = {}): Citations {
  const site = clean(meta.siteName) ?? DEFAULT_PUBLISHER.name;
  const title = clean(meta.title) ?? '';
  const author = clean(meta.author);
  const published = dateParts(meta.date);
  const memento = clean(meta.url);
  const original = clean(meta.originalUrl);
  const cited = memento ?? original;
  const captured = dateParts(captureDate(meta));
  const accessed = options.accessed === undefined ? undefined : utcParts(options.accessed);

  // APA: an article without an author moves its title to the author position.
  const apaHead =
    author === undefined
      ? `${sentence(title)} (${apaDate(published)}).`
      : `${sentence(author)} (${apaDate(published)}). ${sentence(title)}`;
  const apaTail =
    cited === undefined
      ? ''
      : accessed === undefined
        ? ` ${cited}`
        : ` Retrieved ${apaLongDate(accessed)}, from ${cited}`;
  const apa = `${apaHead} ${site}.${apaTail}`;
  const apaHtml = `${escapeHtml(apaHead)} <i>${escapeHtml(site)}</i>.${escapeHtml(apaTail)}`;

  // MLA: Author. "Title." Container, date, location. Second container, date, location. Accessed date.
  const mlaParts: { text: string; italic?: boolean }[] = [];
  if (author !== undefined) mlaParts.push({ text: `${sentence(author)} ` });
  mlaParts.push({ text: `"${sentence(title)}" ` }, { text: site, italic: true });
  const first = [published === undefined ? undefined : mlaDate(published), original].filter((x) => x !== undefined);
  mlaParts.push({ text: first.length > 0 ? `, ${first.join(', ')}.` : '.' });
  if (memento !== undefined) {
    mlaParts.push({ text: ' ' }, { text: ARCHIVE_NAME, italic: true });
    const second = [captured === undefined ? undefined : mlaDate(captured), memento].filter((x) => x !== undefined);
    mlaParts.push({ text: `, ${second.join(', ')}.` });
  }
  if (accessed !== undefined) mlaParts.push({ text: ` Accessed ${mlaDate(accessed)}.` });
  const mla = mlaParts.map((p) => p.text).join('');
  const mlaHtml = mlaParts.map((p) => (p.italic ? `<i>${escapeHtml(p.text)}</i>` : escapeHtml(p.text))).join('');

  return {
    apa,
    mla,
    bibtex: bibtex(meta, { site, title, author, memento, original, accessed, captured }),
    apaHtml,
    mlaHtml,
  };
}

interface BibtexFields {
  site: string;
  title: string;
  author: string | undefined;
  memento: string | undefined;
  original: string | undefined;
  accessed: DateParts | undefined;
  captured: DateParts | undefined;
}

function bibtex(meta: CiteMeta, f: BibtexFields): string {
  const key = `${meta.site ?? DEFAULT_PUBLISHER.site}-${meta.id}`.replace(/[^A-Za-z0-9_:-]/g, '');
  const fields: [string, string][] = [];
  // Double braces: the name is one literal name (BibTeX would otherwise split "A and B", and
  // reorder "Last, First"); the title keeps its letter case.
  if (f.author !== undefined) fields.push(['author', `{${bibtexEscape(f.author)}}`]);
  fields.push(['title', `{${bibtexEscape(f.title)}}`]);
  const published = dateParts(meta.date);
  if (published !== undefined) {
    fields.push(['date', bibtexDate(published)]);
    fields.push(['year', String(published.year)]);
  }
  fields.push(['organization', bibtexEscape(f.site)]);
  const category = clean(meta.category);
  if (category !== undefined) fields.push(['type', bibtexEscape(category)]);
  const tags = (meta.tags ?? []).map(clean).filter((t): t is string => t !== undefined);
  if (tags.length > 0) fields.push(['keywords', tags.map(bibtexEscape).join(', ')]);
  fields.push(['langid', 'chinese']);
  // biblatex typesets `url` as a link (hyperref \url): only a URL that is safe to follow.
  const cited = safeExternalUrl(f.memento) ?? safeExternalUrl(f.original);
  if (cited !== undefined) fields.push(['url', bibtexUrl(cited)]);
  const urldate = f.accessed ?? (f.memento === undefined ? undefined : f.captured);
  if (urldate !== undefined) fields.push(['urldate', bibtexDate(urldate)]);
  if (f.memento !== undefined && f.original !== undefined) {
    const when = f.captured === undefined ? '' : ` on ${bibtexDate(f.captured)}`;
    fields.push([
      'note',
      `Archived by the ${ARCHIVE_NAME}${when}. Original URL: ${bibtexEscape(readableUrl(f.original))}`,
    ]);
  }
  return `@online{${key},\n${fields.map(([k, v]) => `  ${k} = {${v}},`).join('\n')}\n}`;
}

function bibtexDate(p: DateParts): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return [
    String(p.year),
    ...(p.month === undefined ? [] : [pad(p.month)]),
    ...(p.day === undefined ? [] : [pad(p.day)]),
  ].join('-');
}

const BIBTEX_SPECIAL: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '%': '\\%',
  '&': '\\&',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

/** Text for a BibTeX field value inside braces: LaTeX specials escaped, braces always balanced. */
export function bibtexEscape(text: string): string {
  return text.replace(/[\\{}%&$#_^~]/g, (c) => BIBTEX_SPECIAL[c] ?? c).replace(LINE_BREAKS, ' ');
}

/**
 * `url` with percent-encoded non-ASCII UTF-8 shown as characters (an IRI), for prose fields: in a
 * note every `%` would need a LaTeX escape, and `%E5%85%A8…` says nothing to a reader. ASCII
 * escapes (`%25`, `%2F`, `%20`, controls) and undecodable bytes stay encoded, so the IRI maps back
 * to the same URL.
 */
export function readableUrl(url: string): string {
  return url.replace(NON_ASCII_ESCAPES, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
/**
 * A metadata URL checked by {@link safeExternalUrl}, as an IRI for attributes, JSON-LD and Dublin
 * Core, where no person reads it: HTML, JSON-LD (IRIs by definition) and browsers take IRIs and
 * map them back to the same URL (RFC 3987 §3.1). The hkcnews URLs carry their Chinese slugs
 * percent-encoded, ~430 bytes each and written ~8 times an article page: as IRIs they are ~40%
 * of that, ~2 KB less per page (~90 MB on the static mirror of 49k articles). Citation text keeps
 * the URL as published.
 */
export function attributeUrl(raw: string | undefined): string | undefined {
  const url = safeExternalUrl(raw);
  if (url === undefined) return undefined;
  const iri = readableUrl(url);
  // Only when a URL parser maps the IRI back to the URL as published: not for lowercase escapes
  // (`%e4%b8%ad` comes back as `%E4%B8%AD`, another URL to a strict server), nor for anything
  // else a parser would spell otherwise.
  try {
    return iri !== url && new URL(iri).href === new URL(url).href ? iri : url;
  } catch {
    return url;
  }
}

/** Runs of percent-escapes of bytes 0x80–0xFF (UTF-8 sequences of non-ASCII characters). */
const NON_ASCII_ESCAPES = /(?:%[89A-Fa-f][0-9A-Fa-f])+/g;

/** A URL for biblatex's verbatim `url` field: characters that would unbalance or end it percent-encoded. */
function bibtexUrl(url: string): string {
  return url.replace(/[{}\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Robust Links attributes (https://robustlinks.mementoweb.org/spec/): the link goes to the
 * memento, and carries the original URL and the version date, so the link survives either
 * resource's loss. `data-versiondate` is the capture day (UTC).
 */
export function robustLinkAttributes(meta: CiteMeta): Record<string, string> {
  const attrs: Record<string, string> = {};
  const memento = attributeUrl(meta.url);
  const original = attributeUrl(meta.originalUrl);
  const href = memento ?? original;
  if (href !== undefined) attrs.href = href;
  if (original !== undefined) attrs['data-originalurl'] = original;
  const version = captureDate(meta);
  if (version !== undefined) attrs['data-versiondate'] = version;
  return attrs;
}

/**
 * A site-local date (`2019-02-27`) or time (`2019-02-28 09:10:11`) as an RFC 3339 date-time with
 * the site's offset (a date is its day's first second), for Atom; undefined for anything else.
 */
export function siteDateTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (isCalendarDate(v)) return `${v}T00:00:00${DEFAULT_PUBLISHER.utcOffset}`;
  const full = LAST_UPDATED.exec(v);
  if (!full || !isCalendarDate(full[1]!)) return undefined; // group 1 takes part in every match
  return `${full[1]}T${full[2]!.length === 5 ? `${full[2]}:00` : full[2]}${DEFAULT_PUBLISHER.utcOffset}`;
}

/** A site-local date or time as ISO 8601 with the site's offset. */
function isoLocal(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // A file's `2020-13-45 10:00` is no time: only a real calendar day becomes an ISO datetime.
  if (LAST_UPDATED.test(value.trim())) {
    const time = siteDateTime(value);
    if (time !== undefined) return time;
  }
  const p = dateParts(value);
  return p === undefined ? undefined : bibtexDate(p);
}

function jsonLdAuthor(author: string): Record<string, string> | Record<string, string>[] {
  const names = author.split(AUTHOR_SEPARATOR).filter((n) => n !== '');
  const one = (name: string): Record<string, string> => ({
    '@type': ORGANIZATION_AUTHOR.test(name) ? 'Organization' : 'Person',
    name,
  });
  return names.length > 1 ? names.map(one) : one(author);
}

/**
 * schema.org NewsArticle as a JSON string that is safe inside `<script type="application/ld+json">`:
 * `<`, `>`, `&`, U+2028 and U+2029 are written as `\u` escapes (so `</script>` cannot close the
 * element and the text stays valid JavaScript too).
 */
export function newsArticleJsonLd(meta: CiteMeta): string {
  const author = clean(meta.author);
  const tags = (meta.tags ?? []).map(clean).filter((t): t is string => t !== undefined);
  const memento = attributeUrl(meta.url);
  const siteName = clean(meta.siteName) ?? DEFAULT_PUBLISHER.name;
  const data: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: clean(meta.title) ?? '',
    identifier: String(meta.id),
    datePublished: isoLocal(meta.date),
    dateModified: isoLocal(meta.lastUpdated),
    author: author === undefined ? undefined : jsonLdAuthor(author),
    articleSection: clean(meta.category),
    keywords: tags.length > 0 ? tags : undefined,
    inLanguage: DEFAULT_PUBLISHER.language,
    url: attributeUrl(meta.originalUrl) ?? memento,
    isBasedOn: memento,
    archivedAt: memento,
    publisher: {
      '@type': 'NewsMediaOrganization',
      name: siteName,
      ...(siteName === DEFAULT_PUBLISHER.name
        ? { alternateName: DEFAULT_PUBLISHER.alternateName, url: DEFAULT_PUBLISHER.url }
        : {}),
    },
  };
  return safeJson(data);
}

/** JSON with the characters that could end or confuse an HTML script element escaped. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Dublin Core `<meta name content>` pairs (DCMI "Expressing Dublin Core metadata using HTML/XHTML meta and link elements"). */
export function dublinCoreMeta(meta: CiteMeta): { name: string; content: string }[] {
  const out: { name: string; content: string }[] = [];
  const add = (name: string, content: string | undefined): void => {
    if (content !== undefined) out.push({ name, content });
  };
  add('DC.title', clean(meta.title));
  add('DC.creator', clean(meta.author));
  add('DC.date', clean(meta.date));
  for (const tag of meta.tags ?? []) add('DC.subject', clean(tag));
  add('DC.language', DEFAULT_PUBLISHER.language);
  add('DC.identifier', attributeUrl(meta.url) ?? attributeUrl(meta.originalUrl));
  add('DC.source', attributeUrl(meta.originalUrl));
  add('DC.publisher', clean(meta.siteName) ?? DEFAULT_PUBLISHER.name);
  add('DC.type', 'Text');
  return out;
}
