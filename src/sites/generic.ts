/**
 * Any news site salvage has no module for. Everything comes from the engine's generic signals
 * (JSON-LD, meta tags, microdata, visible bylines and dates, DOM content scoring); this profile
 * adds only what a site module must say: which URLs are articles and what their ids are.
 */
import type { SiteProfile } from '../extract/index.js';

/** Query parameters that track a click, not name a page (`utm_*`, `fbclid`, …). */
const TRACKING_PARAM = /^(?:utm_\w+|fbclid|gclid|mc_[ce]id|_ga|ref|from|spm)$/i;

/**
 * One URL as its site meant it: scheme, `www.`, default port, fragment and tracking parameters
 * dropped, host lower-cased, so http/https and www/bare captures of one page share an id.
 */
export function normalizeArticleUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const host = parsed.hostname.toLowerCase().replace(/^www\./, '');
  const params = [...parsed.searchParams]
    .filter(([k]) => !TRACKING_PARAM.test(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length > 0 ? '?' + new URLSearchParams(params).toString() : '';
  let path = parsed.pathname.replace(/\/+$/, '') || '/';
  try {
    // `%E7%9C%BE` and `%e7%9c%be` (and the raw characters) are one path.
    path = decodeURIComponent(path).normalize('NFC');
  } catch {
    // a malformed escape stays as captured
  }
  return `${host}${path}${query}`;
}

/**
 * Paths that are never one article on any CMS: the home page, tag/category/author listings,
 * paging, search, feeds, WordPress plumbing and static files. A prefix rescue of an unknown site
 * lists every URL under it; these are not worth a fetch. Listing pages that slip through (a
 * section front at `/news/`) have no article body and are rejected by extraction.
 */
const NOT_ARTICLE_PATH =
  /\/(?:tags?|category|categories|author|authors|page|search|feed|rss|wp-json|wp-admin|wp-content|wp-includes|cdn-cgi)(?:\/|$)|\.(?:jpe?g|png|gif|webp|svg|ico|css|js|mjs|json|xml|rss|atom|pdf|zip|mp3|mp4|woff2?|ttf|txt)$/i;

/**
 * The archive format names files by an integer id (FORMAT.md). An unknown site's own ids cannot
 * be told from its URLs without knowing the site (a number in a path may be a date, a section or
 * a page), so the generic id is a number drawn from the normalized URL: a 48-bit hash of it
 * (`hashId`: at most 15 decimal digits, which the archive's file names allow, and exact as a
 * JavaScript number, in JSON and in SQLite). Two of 50,000 articles share one with a
 * chance of 1 in 200,000; two of a million, 1 in 560. A site profile that knows the real ids replaces it.
 */
export function genericArticleId(url: string): string | undefined {
  const normalized = normalizeArticleUrl(url);
  if (normalized === undefined) return undefined;
  const pathAndQuery = normalized.slice(normalized.indexOf('/'));
  // The bare home page is no article; `/?p=1700` (WordPress's default permalink) is one.
  if (pathAndQuery === '/' || NOT_ARTICLE_PATH.test(pathAndQuery.replace(/\?.*$/, ''))) return undefined;
  return hashId(normalized);
}

/** Ids a site writes as digits; longer runs are not exact as numbers and are hashed like any key. */
const NUMERIC_ID = /^0*([1-9]\d{0,14})$/;

/**
 * An article id from the part of a URL a profile says is the id: digits as the number they are
 * (`00123` → `123`), anything else (a slug, an opaque key like `FLXATT4LKVBGVEBRLAECJPTCHM`) as a
 * stable number drawn from it, as `genericArticleId` does for whole URLs.
 */
export function articleIdFromText(key: string): string | undefined {
  const digits = NUMERIC_ID.exec(key)?.[1];
  if (digits !== undefined) return digits;
  if (key === '' || /^0+$/.test(key)) return undefined;
  let decoded = key;
  try {
    decoded = decodeURIComponent(key);
  } catch {
    // a malformed escape is part of the key as captured
  }
  return hashId(decoded.normalize('NFC').toLowerCase());
}

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/**
 * A positive id of at most 15 digits drawn from `text`: the top 48 bits of its 64-bit FNV-1a hash
 * (over UTF-8). FNV is a published, fixed function, so ids never change between versions or
 * machines, and it needs no `node:crypto`: site code also runs in the static export's browser bundle.
 */
function hashId(text: string): string {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return String(hash >> 16n || 1n);
}

export const generic: SiteProfile = {
  id: 'generic',
  name: '',
  hosts: [],
  articleId: genericArticleId,
};
