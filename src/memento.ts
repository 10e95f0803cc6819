/**
 * Wayback timestamps and memento URLs: the one module every stage reads and writes them with
 * (shared like errors.ts). A timestamp is 14 digits of UTC, `YYYYMMDDhhmmss`; a memento URL is
 * `<origin>/web/<timestamp><modifier>/<original>` (WAYBACK.md, captures), with the modifier
 * `id_` (raw bytes), `im_` (an image) or none (the replay page people open).
 */

/** The Wayback Machine. */
export const WAYBACK_ORIGIN = 'https://web.archive.org';

const TIMESTAMP_14 = /^\d{14}$/;

/** 14-digit timestamp → milliseconds since the epoch (UTC), or NaN when it is not a real calendar time. */
export function timestampToMs(ts: string): number {
  if (!TIMESTAMP_14.test(ts)) return Number.NaN;
  const [y, mo, d, h, mi, s] = [
    +ts.slice(0, 4),
    +ts.slice(4, 6),
    +ts.slice(6, 8),
    +ts.slice(8, 10),
    +ts.slice(10, 12),
    +ts.slice(12, 14),
  ];
  // setUTCFullYear, not Date.UTC, which maps years 0–99 to 1900–1999. Both roll over (month 13 →
  // next January): a real time comes back with the same fields.
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  const ms = t.getTime();
  if (
    t.getUTCFullYear() !== y ||
    t.getUTCMonth() !== mo - 1 ||
    t.getUTCDate() !== d ||
    t.getUTCHours() !== h ||
    t.getUTCMinutes() !== mi ||
    t.getUTCSeconds() !== s
  )
    return Number.NaN;
  return ms;
}

/** A Date → 14-digit UTC timestamp. */
export function toTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** `20210628174710` → `2021-06-28T17:47:10Z`; undefined unless 14 digits of a real instant. */
export function timestampToIso(timestamp: string): string | undefined {
  if (Number.isNaN(timestampToMs(timestamp))) return undefined;
  const t = timestamp;
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}Z`;
}

/** A WARC-Date / ISO instant (`2021-06-28T17:47:10Z`, fractions allowed) → 14-digit timestamp. */
export function isoToTimestamp(iso: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso);
  return m ? m.slice(1, 7).join('') : undefined;
}

/**
 * An instant (ms since the epoch) as an HTTP-date in the IMF-fixdate form, `Mon, 28 Jun 2021
 * 17:47:10 GMT` (RFC 9110 §5.6.7): the "RFC 1123" date of Memento's `Memento-Datetime` header and
 * its `datetime`, `from` and `until` link parameters (RFC 7089 §2.1.1, §5.1.1). ECMA-262 fixes
 * `Date.prototype.toUTCString` to exactly this form (day name, two-digit day, month name, year
 * of at least four digits, `HH:MM:SS GMT`), so no table of names is kept here.
 */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** A 14-digit timestamp as an HTTP-date ({@link httpDate}); undefined unless a real instant. */
export function timestampToHttpDate(timestamp: string): string | undefined {
  const ms = timestampToMs(timestamp);
  return Number.isNaN(ms) ? undefined : httpDate(ms);
}

/** The memento URL of `original` at `timestamp`, as the Wayback spells it. `original` goes in as it is. */
export function mementoUrl(
  timestamp: string,
  original: string,
  modifier: '' | 'id_' | 'im_' = '',
  origin: string = WAYBACK_ORIGIN,
): string {
  return `${origin}/web/${timestamp}${modifier}/${original}`;
}

/**
 * The Wayback Machine's TimeGate of `original` (RFC 7089 §4: it answers `Accept-Datetime` with
 * the memento closest in time): `<origin>/web/<original>`, the memento URL without a timestamp.
 */
export function timeGateUrl(original: string, origin: string = WAYBACK_ORIGIN): string {
  return `${origin}/web/${original}`;
}

/** A memento URL taken apart. */
export interface MementoParts {
  /** The host before `/web/` (`web.archive.org`, a simulator's `127.0.0.1:8080`); '' for the relative `/web/…` form. */
  host: string;
  /** 1 to 14 digits (an inexact time the service redirects), or `*` (a listing of every capture). */
  timestamp: string;
  /** `id_`, `im_`, `if_`, …; '' without one. */
  modifier: string;
  /** The original URL, as written after the timestamp. */
  original: string;
}

// Scheme and host are optional (`//web.archive.org/web/…`, `web.archive.org/web/…` and the
// relative `/web/…` of the old archive's links all occur); a modifier is two letters and `_`.
const MEMENTO = /^(?:(?:https?:)?\/\/)?([^/\s]*)\/web\/(\d{1,14}|\*)([a-z]{2}_)?\/(.+)$/is;
const ARCHIVE_HOST = /^(?:web\.)?archive\.org(?::\d+)?$/i;

/**
 * The parts of a memento URL of the Wayback Machine (host `web.archive.org` or `archive.org`, or
 * none), or of any host with `anyHost` (our client follows redirects on its configured origin,
 * which is the simulator in tests). Undefined for any other URL.
 */
export function parseMemento(url: string, options: { anyHost?: boolean } = {}): MementoParts | undefined {
  const m = MEMENTO.exec(url);
  if (!m) return undefined;
  const host = m[1]!;
  if (options.anyHost !== true && host !== '' && !ARCHIVE_HOST.test(host)) return undefined;
  return { host, timestamp: m[2]!, modifier: (m[3] ?? '').toLowerCase(), original: m[4]! };
}
