/**
 * Recognising captures that are not the article: error pages, challenges, farewell pages,
 * truncated or empty payloads. The rescuer uses the reason to try another capture.
 */

/** Why a capture is not written as an article. Stable strings: they appear in reports and JSON. */
export type RejectReason =
  | 'empty' // no bytes, or no text
  | 'not-html' // an image, a binary, a non-HTML document
  | 'too-large' // over the page size limit
  | 'http-status' // the archived response was not 200 (redirect, 404, 5xx)
  | 'not-found' // a "page not found" page served with 200
  | 'wayback-error' // the Wayback Machine's own error page ("Temporarily Offline")
  | 'challenge' // a CDN bot challenge ("Just a moment…", "Attention Required!")
  | 'farewell' // the site's closing notice served for every path
  | 'truncated' // the capture ends before the document does
  | 'no-title' // an article layout without a title (an empty CMS page)
  | 'no-body' // no article body anywhere on the page
  | 'other-site'; // the page says it belongs to another site

export const REJECT_REASONS: readonly RejectReason[] = [
  'empty',
  'not-html',
  'too-large',
  'http-status',
  'not-found',
  'wayback-error',
  'challenge',
  'farewell',
  'truncated',
  'no-title',
  'no-body',
  'other-site',
];

export interface Rejection {
  reason: RejectReason;
  message: string;
}

/** Magic numbers of payloads that are certainly not HTML. */
const BINARY_MAGIC: readonly [string, readonly number[]][] = [
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['WebP/RIFF file', [0x52, 0x49, 0x46, 0x46]],
  ['ZIP archive', [0x50, 0x4b, 0x03, 0x04]],
];

/** Checks on the raw bytes, before decoding. */
export function rejectBytes(
  bytes: Uint8Array,
  maxBytes: number,
  contentType: string | undefined,
  wholeBytes = bytes.length,
): Rejection | undefined {
  const size = Math.max(bytes.length, wholeBytes);
  if (size > maxBytes) {
    return {
      reason: 'too-large',
      message: `the payload is ${(size / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(0)} MiB page limit (--max-page-mb)`,
    };
  }
  if (bytes.length === 0) return { reason: 'empty', message: 'the payload is empty (0 bytes)' };
  for (const [what, magic] of BINARY_MAGIC) {
    if (magic.every((b, i) => bytes[i] === b))
      return { reason: 'not-html', message: `the payload is a ${what}, not an HTML page` };
  }
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (
    type &&
    (/^(?:image|audio|video|font|model)\//.test(type) || !/html|xml|text\/plain|octet-stream|unk|^-$/.test(type))
  ) {
    return { reason: 'not-html', message: `the capture is ${type}, not an HTML page` };
  }
  // NUL bytes never occur in text; a few per kilobyte mean binary data. Except in UTF-16, where
  // every ASCII character has one: a page that starts with a UTF-16 byte order mark is decoded
  // by it (decode.ts), not refused.
  const utf16Bom = (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe);
  if (utf16Bom) return undefined;
  let nul = 0;
  const probe = Math.min(bytes.length, 8192);
  const head = bytes.subarray(0, probe);
  if (head.indexOf(0) >= 0) for (let i = 0; i < probe; i++) if (head[i] === 0) nul++;
  if (nul > probe / 64) return { reason: 'not-html', message: 'the payload is binary data, not an HTML page' };
  return undefined;
}

// WAYBACK-QUIRK: when the Wayback Machine could not reach its storage it archived (and serves)
// its own "Temporarily Offline" page in place of the capture. Source: FORMAT.md (260 such files
// in the existing archive). Test: "rejects the Wayback offline page".
const WAYBACK_ERROR_TITLES = /^(?:Temporarily Offline|Wayback Machine(?: - Error)?|Internet Archive: Error|Hrm\.?)$/i;
/** CDN bot checks (Cloudflare's two pages, and the generic wording others copy). */
const CHALLENGE_TITLES =
  /^(?:Just a moment(?:\.{0,3}|…)|Attention Required! \| Cloudflare|Please Wait\.{0,3} \| Cloudflare|DDoS-Guard|Checking your browser.*)$/i;
/**
 * Challenge pages are small (Cloudflare's are 5–30 KB): their markers are looked for at both ends
 * of a page, never through the middle of a large one (a whole-page scan was 5% of generic extraction).
 */
const CHALLENGE_SCAN_CHARS = 65536;
const CHALLENGE_MARKERS = /\bcf-browser-verification\b|\bid="challenge-form"|\bcf_chl_opt\b|\bcf-error-details\b/;
const NOT_FOUND_TITLES =
  /(?:^|\b)(?:404|Not Found|Page not found)(?:\b|$)|找不到頁面|找不到网页|頁面不存在|页面不存在/i;
const HTML_OPEN = /<html[\s>]|<body[\s>]/i;
const HTML_CLOSE = /<\/html\s*>|<\/body\s*>/i;
/** How far from the end a closing tag is looked for: trailers (analytics, comments) follow it. */
const CLOSING_TAG_WINDOW = 16384;
/** Nearly every page ends right after `</html>`: look there first, cheaply. */
const CLOSING_TAG_QUICK_WINDOW = 256;

/**
 * Old portals put tens of kilobytes of ad scripts (and crawlers a wrapper) after `</html>`, so a
 * page without the tag near its end is searched whole before it is called truncated; a capture
 * cut off by the network has no closing tag anywhere.
 */
function hasClosingTag(text: PagePieces): boolean {
  return (
    text.tailContains(HTML_CLOSE, CLOSING_TAG_QUICK_WINDOW) ||
    text.tailContains(HTML_CLOSE, CLOSING_TAG_WINDOW) ||
    text.contains(HTML_CLOSE)
  );
}

/** Longest marker text CHALLENGE_MARKERS looks for: a match across two pieces is within this many characters of the seam. */
const MARKER_SEAM_CHARS = 32;

/**
 * The decoded page in pieces (`DecodedPayload.chunks`), read without joining it: joining a large
 * page into one string costs more than these checks.
 */
class PagePieces {
  constructor(private readonly pieces: readonly string[]) {}

  isBlank(): boolean {
    return this.pieces.every((p) => !/\S/.test(p));
  }

  /** The first `chars` characters; a slice of the first piece when it is long enough (no copy). */
  head(chars: number): string {
    const first = this.pieces[0] ?? '';
    if (first.length >= chars || this.pieces.length === 1) return first.slice(0, chars);
    let out = '';
    for (const p of this.pieces) {
      out += p.slice(0, chars - out.length);
      if (out.length >= chars) break;
    }
    return out;
  }

  /**
   * Does `pattern` (matching at most MARKER_SEAM_CHARS characters) occur in the first `chars`
   * characters? Piece by piece, as every scan here: a regular expression run over 64 KB joined
   * from two pieces was ten times slower than over the pieces (V8 flattens the joined string
   * first); the challenge check alone was 5–9% of generic extraction.
   */
  headContains(pattern: RegExp, chars: number): boolean {
    let left = chars;
    let carry = ''; // the last characters before this piece, however many pieces they span
    for (let i = 0; i < this.pieces.length && left > 0; i++) {
      const p = this.pieces[i] ?? '';
      const part = p.length > left ? p.slice(0, left) : p;
      if (pattern.test(part) || (carry !== '' && pattern.test(carry + part.slice(0, MARKER_SEAM_CHARS)))) return true;
      left -= part.length;
      carry = (carry + part).slice(-MARKER_SEAM_CHARS);
    }
    return false;
  }

  /** Does `pattern` (matching at most MARKER_SEAM_CHARS characters) occur in the last `chars` characters? */
  tailContains(pattern: RegExp, chars: number): boolean {
    let left = chars;
    let carry = ''; // the first characters after this piece, however many pieces they span
    for (let i = this.pieces.length - 1; i >= 0 && left > 0; i--) {
      const p = this.pieces[i] ?? '';
      const part = p.length > left ? p.slice(p.length - left) : p;
      if (pattern.test(part) || (carry !== '' && pattern.test(part.slice(-MARKER_SEAM_CHARS) + carry))) return true;
      left -= part.length;
      carry = (part + carry).slice(0, MARKER_SEAM_CHARS);
    }
    return false;
  }

  /** Does `pattern` (matching at most MARKER_SEAM_CHARS characters) occur anywhere? */
  contains(pattern: RegExp): boolean {
    return this.headContains(pattern, Infinity);
  }
}

export interface PageFacts {
  /** The decoded page, whole or in pieces. */
  text: string | readonly string[];
  title: string | undefined;
  hasBody: boolean;
}

/** Page-level checks on the decoded text. `siteRules` are the site's own non-article pages. */
export function rejectPage(
  facts: PageFacts,
  siteRules: readonly { reason: RejectReason; title: RegExp; onlyWithoutBody?: boolean }[] = [],
): Rejection | undefined {
  const { title, hasBody } = facts;
  const text = new PagePieces(typeof facts.text === 'string' ? [facts.text] : facts.text);
  if (text.isBlank()) return { reason: 'empty', message: 'the page has no text' };
  const head = text.head(4096);
  if (!/<[a-z!]/i.test(head)) return { reason: 'not-html', message: 'the payload has no HTML markup' };
  if (/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head))
    return { reason: 'not-html', message: 'the payload is an SVG image, not an HTML page' };
  const t = (title ?? '').replace(/\s+/g, ' ').trim();
  if (WAYBACK_ERROR_TITLES.test(t))
    return { reason: 'wayback-error', message: `the capture is the Wayback Machine's error page "${t}"` };
  // Challenge pages have no article body; scanning a real article's text for their markers is wasted work.
  if (
    CHALLENGE_TITLES.test(t) ||
    (!hasBody &&
      (text.headContains(CHALLENGE_MARKERS, CHALLENGE_SCAN_CHARS) ||
        text.tailContains(CHALLENGE_MARKERS, CHALLENGE_SCAN_CHARS)))
  )
    return {
      reason: 'challenge',
      message: `the capture is a CDN challenge page${t ? ` "${t}"` : ''}, not the article`,
    };
  for (const rule of siteRules) {
    if (rule.title.test(t) && (!rule.onlyWithoutBody || !hasBody))
      return { reason: rule.reason, message: `the capture is the site's ${rule.reason} page "${t}"` };
  }
  if (!hasBody && NOT_FOUND_TITLES.test(t))
    return { reason: 'not-found', message: `the capture is a "page not found" page "${t}"` };
  if (!hasClosingTag(text) && text.headContains(HTML_OPEN, 65536)) {
    return { reason: 'truncated', message: 'the capture ends before the page does (no closing </html>): truncated' };
  }
  return undefined;
}
