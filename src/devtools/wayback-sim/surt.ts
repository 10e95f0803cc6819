/**
 * SURT urlkeys as the Wayback CDX server writes them, equal to the rules of the site generator
 * (../shared/tools/hkcnews-site/lib/util.mjs `surt`), so that a query for any spelling of a URL
 * finds the rows the generator wrote.
 */

/** `scheme://authority path query`; the fragment is dropped. Compiled once. */
const ABSOLUTE_URL = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?/i;
/** A URL given without a scheme (`hkcnews.com/article/1`), as CDX queries usually are. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// WAYBACK: `www.`, `wwwN.` and the default ports are folded away, so `www.hkcnews.com`,
// `hkcnews.com`, `:80`/`:443` and http/https share one key (WAYBACK.md, CDX index: urlkey).
const WWW_PREFIX = /^www\d*\./;
const DEFAULT_PORT = /:(?:80|443)$/;
const PORT = /:\d+$/;
const PERCENT_ESCAPE = /%([0-9a-fA-F]{2})/g;
/** IA's canonicaliser decodes escapes until the string is stable; it stops after this many rounds. */
const MAX_UNESCAPE_ROUNDS = 10;

/** Decodes `%XX` byte escapes repeatedly (`%25E5` → `%E5` → byte E5), on a one-char-per-byte string. */
function fullyUnescape(binary: string): string {
  let s = binary;
  for (let i = 0; i < MAX_UNESCAPE_ROUNDS; i++) {
    const next = s.replace(PERCENT_ESCAPE, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === s) break;
    s = next;
  }
  return s;
}

/** Escapes control bytes, space, bytes ≥ 0x7f, `#` and `%`; everything else stays literal. */
function minimalEscape(binary: string): string {
  let out = '';
  for (let i = 0; i < binary.length; i++) {
    const c = binary.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23 || c === 0x25) out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += binary[i];
  }
  return out;
}

/** UTF-8 bytes of a string as a one-char-per-byte ("latin1") string. */
const toBinary = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export interface SurtOptions {
  /**
   * Keep a trailing `/` of the path. Default false (the index's keys drop it). The CDX server
   * keeps it for prefix queries, so `hkcnews.com/article/*` does not match `/articles`.
   */
  keepTrailingSlash?: boolean;
}

/** The reversed, comma-joined host of a URL (`www.hkcnews.com` → `com,hkcnews`), without `)`. */
export function surtHost(url: string): string {
  const m = ABSOLUTE_URL.exec(HAS_SCHEME.test(url) ? url : 'http://' + url);
  if (!m) throw new Error('not a URL: ' + url);
  const authority = (m[2] ?? '').toLowerCase().replace(DEFAULT_PORT, '');
  // A non-default port follows the reversed host (`com,example:8080`), as IA writes it; the
  // generator never writes ports, so its simpler rule and this one agree on every row.
  const port = PORT.exec(authority)?.[0] ?? '';
  const host = authority.slice(0, authority.length - port.length).replace(WWW_PREFIX, '');
  return host.split('.').reverse().join(',') + port;
}

/**
 * SURT urlkey of a URL: scheme dropped (a URL without one is taken as http), host reversed with
 * commas and without `www`/`wwwN` and default ports, `)` before the path, path and query
 * lower-cased, percent-escapes normalised (decoded until stable, then minimally re-escaped, so
 * `%E5`, `%e5` and `%25E5` agree), query arguments sorted, fragment and trailing slash dropped.
 *
 * @example surt('https://www.hkcnews.com/article/2091/226%E7%89%9B') === 'com,hkcnews)/article/2091/226%e7%89%9b'
 */
export function surt(url: string, options: SurtOptions = {}): string {
  const m = ABSOLUTE_URL.exec(HAS_SCHEME.test(url) ? url : 'http://' + url);
  if (!m) throw new Error('not a URL: ' + url);
  let path = minimalEscape(fullyUnescape(toBinary(m[3] || '/'))).toLowerCase();
  if (path.length > 1 && path.endsWith('/') && options.keepTrailingSlash !== true) path = path.slice(0, -1);
  let query = m[4] ? m[4].slice(1) : '';
  if (query)
    query = minimalEscape(fullyUnescape(toBinary(query)))
      .toLowerCase()
      .split('&')
      .sort()
      .join('&');
  return surtHost(url) + ')' + path + (query ? '?' + query : '');
}
