/**
 * Memento (RFC 7089) for article pages: the `original`, `memento` and `timemap` links of a page
 * (HTML `<link>` elements and the HTTP `Link` header, RFC 8288), and the article's TimeMap in
 * link-format (RFC 6690, RFC 7089 §5.1.1): the mementos of the article that the archive holds.
 * Pure: the file's metadata and the index's held captures in, text out.
 *
 * URLs come from archive files and the crawl state, and are data: only absolute http(s) URLs
 * ({@link safeExternalUrl}) become links, and in link-format and the `Link` header each is written
 * as a browser reads it and then as an RFC 3986 URI-reference ({@link uriReference}), so no `>`,
 * `"`, comma-in-quotes trick, space or line break in one can end the link, the header or the file
 * early.
 */
import type { HeldMemento } from '../search/index.js';
import { isoToTimestamp, mementoUrl, parseMemento, timeGateUrl, timestampToHttpDate } from '../memento.js';
import { attributeUrl } from './cite.js';
import { html, type Html } from './html.js';
import { safeExternalUrl } from './markdown-html.js';

/** The media type of a TimeMap (RFC 7089 §5.1.1; RFC 6690 §7.1). */
export const TIMEMAP_CONTENT_TYPE = 'application/link-format';

/**
 * Where an article's TimeMap is, in the server and in the static mirror alike. `.txt`: a static
 * host picks a file's type by its extension and none knows one for link-format (mime-db lists no
 * extension for `application/link-format`), so without one GitHub Pages and Cloudflare Pages would
 * send `application/octet-stream` (a download); `text/plain` shows in a browser and Memento
 * tools read the body either way. The body is ASCII ({@link uriReference}), so no charset is needed.
 */
export const timeMapHref = (id: number): string => `/article/${id}/timemap.txt`;

/** One typed link (RFC 8288 §3): a target, its relation types, and the parameters Memento uses. */
export interface TypedLink {
  /** An absolute URL, or a path from the site's root (`/article/1/timemap.txt`). */
  target: string;
  /** Space-separated relation types (`first memento`). */
  rel: string;
  type?: string;
  /** RFC 7089 `datetime`, `from`, `until`: HTTP-dates. */
  datetime?: string;
  from?: string;
  until?: string;
}

/**
 * The characters of an RFC 3986 URI-reference (§2: unreserved, gen-delims, sub-delims) and `%`
 * before two hex digits; everything else (space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`,
 * controls, a stray `%`, any non-ASCII character) is what this regex finds.
 */
const NOT_URI_CHARACTER = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/gu;
const UTF8 = new TextEncoder();

/**
 * `url` as an RFC 3986 URI-reference: every character a URI cannot hold percent-encoded as UTF-8
 * (a lone surrogate as U+FFFD), the rest unchanged. Such a character has no meaning of its own
 * in a URI, so its escape names what a server decodes it to (browsers send most of them escaped
 * the same way); reserved characters (`,`, `;`, `=`, …) are kept, since escaping those would name
 * another resource (§2.2).
 */
export function uriReference(url: string): string {
  return url.replace(NOT_URI_CHARACTER, (c) =>
    [...UTF8.encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * A link's target as link-format writes it: an absolute URL first as a browser reads it (WHATWG
 * URL: `\` is `/`, the host in ASCII, dot segments resolved), so the header, the TimeMap and the
 * page's `<link>` (which a browser resolves so) name one resource; then as a URI-reference.
 */
function linkTarget(target: string): string {
  if (target.startsWith('/')) return uriReference(target);
  try {
    return uriReference(new URL(target).href);
  } catch {
    return uriReference(target);
  }
}

/** A quoted-string (RFC 9110 §5.6.4) of one of our own parameter values, escaped all the same. */
const quoted = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * Links as link-format (RFC 6690 §2), which is also a valid `Link` header value (RFC 8288 §3,
 * whose optional white space it leaves out): `<target>;rel="…";type="…";datetime="…"`, joined
 * by commas, no white space or line breaks (the RFC 6690 grammar has none; the Wayback's own
 * TimeMaps break lines after the commas, which parsers written for them skip just the same).
 */
export function formatLinks(links: readonly TypedLink[]): string {
  return links
    .map((l) => {
      let out = `<${linkTarget(l.target)}>;rel=${quoted(l.rel)}`;
      if (l.type !== undefined) out += `;type=${quoted(l.type)}`;
      for (const key of ['datetime', 'from', 'until'] as const) {
        const value = l[key];
        if (value !== undefined) out += `;${key}=${quoted(value)}`;
      }
      return out;
    })
    .join(',');
}

/**
 * Bytes of links the `Link` header carries at most. A reverse proxy reads an upstream answer's
 * whole header block into one buffer: nginx's `proxy_buffer_size` defaults to one memory page
 * (4 KiB on x86-64), and a larger block is a 502 ("upstream sent too big header"); the reader's
 * other headers take about 0.7 KiB. hkcnews URLs are long (49,118 files, 2026-12-07: median 369
 * characters, 99th percentile 1,464, longest 3,000), and the original is in two of the links.
 */
export const MAX_LINK_HEADER_BYTES = 3072;
/** Which links the header keeps first when they do not all fit: the TimeMap lists the others. */
const HEADER_PRIORITY: Readonly<Record<string, number>> = { timemap: 0, original: 1 };

/**
 * The `Link` header value of links (RFC 8288, written as {@link formatLinks}), at most
 * {@link MAX_LINK_HEADER_BYTES}: the `timemap` link first, then `original`, then the others while
 * they fit; a link left out stays in the page's `<link>` elements and in the TimeMap. In the
 * order given.
 */
export function linkHeader(links: readonly TypedLink[]): string {
  const texts = links.map((l) => formatLinks([l]));
  const rank = (i: number): number => HEADER_PRIORITY[links[i]?.rel ?? ''] ?? 2;
  const byPriority = texts.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
  const kept = new Set<number>();
  let bytes = 0;
  for (const i of byPriority) {
    const size = (texts[i]?.length ?? 0) + (kept.size > 0 ? 1 : 0); // and its comma
    if (bytes + size > MAX_LINK_HEADER_BYTES) continue;
    kept.add(i);
    bytes += size;
  }
  return texts.filter((_, i) => kept.has(i)).join(',');
}

/** A memento: its URL (absolute http(s)) and when it was captured. */
export interface Memento {
  href: string;
  /** 14 digits, UTC. */
  timestamp: string;
  /** The same instant as an HTTP-date, as Memento's `datetime` writes it. */
  datetime: string;
}

/** A memento at `timestamp`, or undefined when that is no real instant. */
function memento(href: string, timestamp: string | undefined): Memento | undefined {
  const datetime = timestamp === undefined ? undefined : timestampToHttpDate(timestamp);
  return timestamp === undefined || datetime === undefined ? undefined : { href, timestamp, datetime };
}

/** What an article file says of its capture (FORMAT.md frontmatter `url`, `original_url`, `captured_at`). */
export interface CaptureFields {
  url?: string | undefined;
  originalUrl?: string | undefined;
  capturedAt?: string | undefined;
}

/** The Memento facts of one article. */
export interface ArticleMementos {
  /** The article's URL on the dead site (absolute http(s)), when known. */
  original?: string;
  /** The capture the article's file was made from, when its URL and time are known. */
  memento?: Memento;
  /** Every memento the archive holds of the article (the file's own among them), oldest first. */
  mementos: Memento[];
}

/** `captured_at` as FORMAT.md writes it: a UTC instant (other zones are not guessed at). */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const FULL_TIMESTAMP = /^\d{14}$/;

/** The 14-digit time of a file's capture: `captured_at`, else the memento URL's timestamp. */
function captureTimestamp(file: CaptureFields): string | undefined {
  const fromFile = file.capturedAt !== undefined && UTC_INSTANT.test(file.capturedAt) ? file.capturedAt : undefined;
  const ts = fromFile !== undefined ? isoToTimestamp(fromFile) : parseMemento(file.url ?? '')?.timestamp;
  return ts !== undefined && FULL_TIMESTAMP.test(ts) ? ts : undefined;
}

/** Two mementos are one when their memento URLs name the same capture (time and original URL). */
function mementoKey(href: string, timestamp: string): string {
  const parts = parseMemento(href);
  return parts === undefined ? href : `${timestamp} ${parts.original}`;
}

/**
 * An article's Memento facts from its file and the captures the archive holds of it (the
 * index's `heldMementos`: none for an imported archive, whose one memento is the file's).
 */
export function articleMementos(file: CaptureFields, held: readonly HeldMemento[]): ArticleMementos {
  const out: ArticleMementos = { mementos: [] };
  const original = safeExternalUrl(file.originalUrl) ?? safeExternalUrl(parseMemento(file.url ?? '')?.original);
  if (original !== undefined) out.original = original;
  const href = safeExternalUrl(file.url);
  const own = href === undefined ? undefined : memento(href, captureTimestamp(file));
  const byKey = new Map<string, Memento>();
  if (own !== undefined) {
    out.memento = own;
    byKey.set(mementoKey(own.href, own.timestamp), own);
  }
  for (const h of held) {
    // The crawl state's URLs are data too: the CDX lists whatever was captured.
    const m =
      safeExternalUrl(h.original) === h.original
        ? memento(mementoUrl(h.timestamp, h.original), h.timestamp)
        : undefined;
    if (m === undefined) continue;
    const key = mementoKey(m.href, m.timestamp);
    if (!byKey.has(key)) byKey.set(key, m);
  }
  out.mementos = [...byKey.values()].sort((a, b) =>
    a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.href < b.href ? -1 : a.href > b.href ? 1 : 0,
  );
  return out;
}

/** The page's own links: `original`, `memento` (the file's capture) and `timemap`. */
export function pageMementoLinks(id: number, m: ArticleMementos): TypedLink[] {
  const links: TypedLink[] = [];
  if (m.original !== undefined) links.push({ target: m.original, rel: 'original' });
  if (m.memento !== undefined) links.push({ target: m.memento.href, rel: 'memento', datetime: m.memento.datetime });
  links.push({ target: timeMapHref(id), rel: 'timemap', type: TIMEMAP_CONTENT_TYPE });
  return links;
}

/**
 * The page's links as `<link>` elements for its head. URLs as the other metadata attributes
 * write them ({@link attributeUrl}: an IRI when it maps back to the same URL), escaped.
 */
export function mementoLinkElements(links: readonly TypedLink[]): Html[] {
  return links.map((l) => {
    const href = l.target.startsWith('/') ? l.target : (attributeUrl(l.target) ?? '');
    return html`<link rel="${l.rel}"${l.type !== undefined ? html` type="${l.type}"` : ''} href="${href}"${l.datetime !== undefined ? html` datetime="${l.datetime}"` : ''}>\n`;
  });
}

/**
 * The article's TimeMap (RFC 7089 §5.1.1): the original, the TimeMap itself (`self`, with `from`
 * and `until` when it lists a memento), the Wayback Machine's TimeGate for the original, and every
 * memento oldest first, the first and the last marked so (`first last memento` when there is one).
 * `self` is the TimeMap's path from the site's root, which RFC 6690 (relative to the origin) and
 * RFC 3986 (relative to the TimeMap) resolve alike.
 */
export function timeMapBody(self: string, m: ArticleMementos): string {
  const links: TypedLink[] = [];
  if (m.original !== undefined) links.push({ target: m.original, rel: 'original' });
  const first = m.mementos[0];
  const last = m.mementos[m.mementos.length - 1];
  links.push({
    target: self,
    rel: 'self',
    type: TIMEMAP_CONTENT_TYPE,
    ...(first !== undefined && last !== undefined ? { from: first.datetime, until: last.datetime } : {}),
  });
  if (m.original !== undefined) links.push({ target: timeGateUrl(m.original), rel: 'timegate' });
  m.mementos.forEach((each, i) => {
    const rel = [i === 0 ? 'first' : '', i === m.mementos.length - 1 ? 'last' : '', 'memento'].filter((r) => r !== '');
    links.push({ target: each.href, rel: rel.join(' '), datetime: each.datetime });
  });
  return formatLinks(links);
}
