/**
 * Payload bytes → text. Deterministic, never statistical: a BOM, then the declared charset (HTTP
 * header, then `<meta>`), then strict UTF-8, then a stated fallback. Statistical detectors
 * decoded one hkcnews page of the existing archive as PT154 (article 43693); we do not guess.
 */
import { Buffer, isAscii, isUtf8, transcode } from 'node:buffer';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export interface DecodeOptions {
  /** `Content-Type` header of the captured response, if known (may carry `charset=`). */
  contentType?: string;
  /** Encoding used when nothing is declared and the bytes are not valid UTF-8. Default `windows-1252`, the HTML standard's default for undeclared pages. */
  fallbackEncoding?: string;
  /** Largest gunzipped payload accepted, in bytes. Default 64 MiB (a defence against gzip bombs). */
  maxInflatedBytes?: number;
}

export const DEFAULT_DECODE_OPTIONS = {
  fallbackEncoding: 'windows-1252',
  maxInflatedBytes: 64 * 1024 * 1024,
} as const;

/** How the text was obtained, for `--explain` and tests. */
export type EncodingSource =
  | 'bom'
  | 'http'
  | 'meta'
  | 'utf8'
  | 'fallback'
  | 'utf8-over-declared'
  | 'chinese-legacy'
  | 'utf8-nearly'
  | 'chinese-over-declared';

export interface DecodedPayload {
  /** The whole text, joined from `chunks` when first read (the parser reads the chunks). */
  readonly text: string;
  /** The text in pieces of about DECODE_CHUNK_BYTES payload bytes each, in order; never empty. */
  readonly chunks: readonly string[];
  encoding: string;
  source: EncodingSource;
  /** The payload was gzip although nothing said so (or the headers said otherwise). */
  gunzipped: boolean;
  /** Something the reader of the article should know: bytes replaced by U+FFFD, a declaration overruled. */
  warning?: string;
}

/**
 * Pages are decoded in pieces of this many bytes. One string for a whole large page is allocated
 * outside V8's young generation, and that allocation dominated decoding: a 1.6 MB page took 21 ms
 * to decode whole and 3.9 ms in 64 KB pieces, and parsing it from the pieces 38 ms instead of 57
 * (measured 2026-11-26, Node 20.20.2, readability `yahoo-2`). Small pages are one piece.
 */
const DECODE_CHUNK_BYTES = 64 * 1024;

/**
 * A class, not an object literal with a getter: a getter closure made per page was cached by the
 * call site that read `text` and kept the last page alive, and young-generation GCs took 4× longer
 * (hkcnews extraction 2,350 → 1,850 pages/s, measured 2026-11-26 with --trace-gc).
 */
class Decoded implements DecodedPayload {
  #joined: string | undefined;

  warning?: string;

  constructor(
    readonly chunks: readonly string[],
    public encoding: string,
    public source: EncodingSource,
    public gunzipped: boolean,
    warning?: string,
  ) {
    if (warning !== undefined) this.warning = warning;
  }

  get text(): string {
    return (this.#joined ??= this.chunks.length === 1 ? (this.chunks[0] ?? '') : this.chunks.join(''));
  }
}

// WAYBACK-QUIRK: some id_ payloads are still gzip-compressed while the response headers claim
// plain bytes (or the reverse). Source: WAYBACK.md, "gzip". Test: "sniffs gzip by magic bytes".
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Undo a gzip layer that the headers may not mention; returns the input when it is not gzip. */
export function sniffGunzip(
  bytes: Uint8Array,
  maxInflatedBytes: number = DEFAULT_DECODE_OPTIONS.maxInflatedBytes,
): { bytes: Uint8Array; gunzipped: boolean } {
  if (bytes.length < 18 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return { bytes, gunzipped: false };
  try {
    return { bytes: gunzipSync(bytes, { maxOutputLength: maxInflatedBytes }), gunzipped: true };
  } catch {
    // Not really gzip (or a truncated/oversized stream): keep the bytes; validation rejects them.
    return { bytes, gunzipped: false };
  }
}

/**
 * Undo the content codings an archived response names (RFC 9110 §8.4.1: `Content-Encoding` lists
 * them in the order applied, so the last is undone first), then any gzip layer nothing names.
 * Crawlers that record the wire (warcprox, gowarc, Heritrix) keep `br` and `deflate` bodies as
 * the server sent them; brotli has no magic bytes, so only the header can say. A coding that does
 * not decode means the header outlived a decoding (a tool that stored the plain body and kept the
 * header): the bytes are kept as they are and validation judges them. `deflate` is the zlib
 * format, but servers have long sent raw deflate under that name; both are read, as browsers do.
 * Every step is bounded by `maxInflatedBytes`.
 */
export function undoContentCoding(
  bytes: Uint8Array,
  contentEncoding: string | undefined,
  maxInflatedBytes: number = DEFAULT_DECODE_OPTIONS.maxInflatedBytes,
): { bytes: Uint8Array; gunzipped: boolean } {
  const codings = (contentEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  let out = bytes;
  let decoded = false;
  for (const coding of codings.reverse()) {
    const next = undoOneCoding(out, coding, maxInflatedBytes);
    if (next === undefined) break;
    out = next;
    decoded = true;
  }
  const sniffed = sniffGunzip(out, maxInflatedBytes);
  return { bytes: sniffed.bytes, gunzipped: decoded || sniffed.gunzipped };
}

/** Whether the bytes open like a text document: `<` after a BOM and white space. */
function looksLikeMarkup(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && i < 256 && (bytes[i] === 0x20 || (bytes[i]! >= 0x09 && bytes[i]! <= 0x0d))) i++;
  return bytes[i] === 0x3c;
}

function undoOneCoding(bytes: Uint8Array, coding: string, maxOutputLength: number): Uint8Array | undefined {
  const attempt = (decode: () => Uint8Array): Uint8Array | undefined => {
    try {
      return decode();
    } catch {
      return undefined;
    }
  };
  switch (coding) {
    case 'gzip':
    case 'x-gzip': {
      const { bytes: out, gunzipped } = sniffGunzip(bytes, maxOutputLength);
      return gunzipped ? out : undefined;
    }
    // Brotli and raw deflate carry no header or checksum: markup under their name was decoded
    // already, and is not fed to a decoder that might make bytes of it.
    case 'br':
      return looksLikeMarkup(bytes) ? undefined : attempt(() => brotliDecompressSync(bytes, { maxOutputLength }));
    case 'deflate':
      return (
        attempt(() => inflateSync(bytes, { maxOutputLength })) ??
        (looksLikeMarkup(bytes) ? undefined : attempt(() => inflateRawSync(bytes, { maxOutputLength })))
      );
    default:
      // compress (LZW), zstd and unknown codings: nothing here reads them; the bytes stay as they are.
      return undefined;
  }
}

const CHARSET_PARAM = /charset\s*=\s*["']?([\w.:-]+)/i;
// The HTML standard's prescan looks at the first 1024 bytes; real pages put <meta charset> after
// long <title>s and comments, so we look a little further (our measurement on hkcnews shells).
const META_PRESCAN_BYTES = 4096;
const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i;

/** A label TextDecoder knows, normalised; undefined for unknown labels. */
function normaliseLabel(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label.trim().toLowerCase()).encoding;
  } catch {
    return undefined;
  }
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  return normaliseLabel(CHARSET_PARAM.exec(contentType)?.[1]);
}

export function charsetFromMeta(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, META_PRESCAN_BYTES)).toString(
    'latin1',
  );
  return normaliseLabel(META_CHARSET.exec(head)?.[1]);
}

function bomEncoding(bytes: Uint8Array): { encoding: string; skip: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  return undefined;
}

function hasNonAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

/** Encodings whose first 128 code points are ASCII: all-ASCII bytes decode the same in each. */
const ASCII_COMPATIBLE =
  /^(?:utf-8|windows-\d+|iso-8859-\d+|koi8-[ru]|macintosh|x-mac-cyrillic|gbk|gb18030|big5|euc-jp|euc-kr|shift_jis)$/;

/**
 * Bytes already known to be valid UTF-8 (`isUtf8`), in pieces cut before a lead byte. V8's own
 * UTF-8 decoder is scalar: a 46 KB hkcnews page (half its bytes Chinese) took 118 µs through
 * `toString('utf8')` or TextDecoder and 16 µs through ICU's converter to UTF-16 (`transcode`),
 * whose output becomes a string by a copy (measured 2026-12-08, Node 20.20.2); a quarter of a
 * page's extraction time was this decoding. ICU refuses invalid bytes (it throws; it would not
 * replace them as the WHATWG decoder does), so only validated bytes come here, and a throw (a
 * piece cut wrong, a node built without ICU) hands the page to the usual decoder: a mistake here
 * costs speed, never text. All-ASCII pieces stay latin1 strings (one byte a character).
 */
function decodeValidUtf8(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: string[] = [];
  try {
    for (let start = 0; start < buffer.length;) {
      let end = Math.min(buffer.length, start + DECODE_CHUNK_BYTES);
      // Continuation bytes are 10xxxxxx: a piece ends before the lead byte of a character.
      while (end < buffer.length && end > start && (buffer[end]! & 0xc0) === 0x80) end--;
      if (end === start) end = Math.min(buffer.length, start + DECODE_CHUNK_BYTES); // not UTF-8 after all
      const piece = buffer.subarray(start, end);
      out.push(isAscii(piece) ? piece.toString('latin1') : transcode(piece, 'utf8', 'utf16le').toString('utf16le'));
      start = end;
    }
  } catch {
    return decodeInChunks('utf-8', bytes);
  }
  return out.length > 0 ? out : [''];
}

/**
 * Decode with replacement characters, in pieces (DECODE_CHUNK_BYTES). An all-ASCII page in any
 * ASCII-compatible encoding is its latin1 reading, which node's own decoder does fastest.
 */
function decodeInChunks(encoding: string, bytes: Uint8Array, options: { ignoreBOM?: boolean } = {}): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const latin1 = encoding !== 'utf-8' && ASCII_COMPATIBLE.test(encoding) && !hasNonAscii(bytes);
  if (latin1) {
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += DECODE_CHUNK_BYTES)
      out.push(buffer.toString('latin1', i, Math.min(bytes.length, i + DECODE_CHUNK_BYTES)));
    return out.length > 0 ? out : [''];
  }
  if (bytes.length <= DECODE_CHUNK_BYTES)
    return [encoding === 'utf-8' ? buffer.toString('utf8') : new TextDecoder(encoding, options).decode(bytes)];
  const decoder = new TextDecoder(encoding, options);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += DECODE_CHUNK_BYTES) {
    const piece = decoder.decode(bytes.subarray(i, i + DECODE_CHUNK_BYTES), { stream: true });
    if (piece !== '') out.push(piece);
  }
  const rest = decoder.decode();
  if (rest !== '') out.push(rest);
  return out.length > 0 ? out : [''];
}

/**
 * Characters so frequent in written Chinese, in both scripts, that text decoded with its right
 * encoding is full of them (的 alone is ~4% of running text) and text decoded with the wrong one
 * almost never shows them: GBK bytes read as Big5, or Big5 bytes read as GBK, come out as rare
 * characters and replacement marks.
 */
const CHINESE_FUNCTION_CHARS =
  /[的一是不了在人有我他中大和上也到以就要出可你年生子而之於于這这個个們们說说時时為为會会來来]/g;
/** Legacy Chinese encodings told apart when a page declares none (the 2000s web wrote both). */
const CHINESE_LEGACY_ENCODINGS = ['gbk', 'big5'] as const;
/** Below this many function characters the page is too short to tell; it keeps the fallback. */
const MIN_FUNCTION_CHARS = 8;
/** Each replacement mark weighs as much as this many function characters against an encoding. */
const REPLACEMENT_PENALTY = 4;

/**
 * An undeclared page that is not UTF-8 may be GB2312/GBK or Big5 (2000s Chinese sites often
 * declared nothing). Both decode most byte pairs of the other, so structure cannot tell them
 * apart; which one turns the text into ordinary Chinese can. A fixed two-way choice with a fixed
 * character list, not a statistical detector: the same bytes always decode the same way, and a
 * page that is neither keeps the windows-1252 fallback.
 */
function chineseLegacyDecoding(bytes: Uint8Array): { text: string; encoding: string } | undefined {
  let best: { text: string; encoding: string; score: number } | undefined;
  for (const encoding of CHINESE_LEGACY_ENCODINGS) {
    const text = new TextDecoder(encoding).decode(bytes);
    const hits = text.match(CHINESE_FUNCTION_CHARS)?.length ?? 0;
    if (hits < MIN_FUNCTION_CHARS) continue;
    let replacements = 0;
    for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) replacements++;
    const score = hits - REPLACEMENT_PENALTY * replacements;
    if (score > 0 && (!best || score > best.score)) best = { text, encoding, score };
  }
  return best && { text: best.text, encoding: best.encoding };
}

/** Valid multi-byte sequences and invalid sequences (WHATWG's maximal subparts) in bytes read as UTF-8. */
export function utf8Census(bytes: Uint8Array): { multibyte: number; invalid: number } {
  let multibyte = 0,
    invalid = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number,
      lower = 0x80,
      upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      else if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      else if (b === 0xf4) upper = 0x8f;
    } else {
      invalid++;
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || c < (j === 1 ? lower : 0x80) || c > (j === 1 ? upper : 0xbf)) break;
    }
    if (j > need) {
      multibyte++;
      i += need + 1;
    } else {
      invalid++;
      i += j;
    }
  }
  return { multibyte, invalid };
}

/**
 * Bytes that are UTF-8 but for a few damaged sequences (a byte lost at a capture's edge, one
 * stray legacy character pasted in) decode as UTF-8, the damage as U+FFFD: at least this many
 * valid multi-byte sequences per invalid one. Legacy text almost never forms valid UTF-8
 * sequences (windows-1252 letters are single high bytes followed by ASCII; about 1 GBK or Big5
 * character in 10 happens to), so they stay far below it; one bad byte in a page of Chinese, or
 * of English with a few curly quotes, is above it.
 */
export const NEARLY_UTF8_RATIO = 2;

function nearlyUtf8(census: { multibyte: number; invalid: number }): boolean {
  return census.multibyte > 0 && census.multibyte >= NEARLY_UTF8_RATIO * census.invalid;
}

const replaced = (invalid: number): string =>
  `${invalid} invalid UTF-8 byte sequence${invalid === 1 ? '' : 's'} replaced by U+FFFD`;

/**
 * Decode a captured payload. A declared charset wins, with one deterministic exception: bytes
 * that are valid UTF-8 and contain multi-byte sequences are UTF-8 even when a legacy charset is
 * declared (lying `iso-8859-1` headers are common; legacy text that happens to be valid UTF-8
 * is vanishingly rare). A declared charset decodes with replacement characters, as browsers do.
 */
export function decodePayload(input: Uint8Array, options: DecodeOptions = {}): DecodedPayload {
  const { fallbackEncoding, maxInflatedBytes } = { ...DEFAULT_DECODE_OPTIONS, ...options };
  const { bytes, gunzipped } = sniffGunzip(input, maxInflatedBytes);

  const bom = bomEncoding(bytes);
  if (bom)
    return new Decoded(
      decodeInChunks(bom.encoding, bytes.subarray(bom.skip), { ignoreBOM: true }),
      bom.encoding,
      'bom',
      gunzipped,
    );

  const declared: [string | undefined, EncodingSource][] = [
    [charsetFromContentType(options.contentType), 'http'],
    [charsetFromMeta(bytes), 'meta'],
  ];
  for (const [encoding, source] of declared) {
    if (!encoding) continue;
    // isUtf8 is node's SIMD validator: far cheaper than a fatal TextDecoder (or the census).
    if (isUtf8(bytes)) {
      if (encoding !== 'utf-8' && hasNonAscii(bytes))
        return new Decoded(decodeValidUtf8(bytes), 'utf-8', 'utf8-over-declared', gunzipped);
      return new Decoded(
        encoding === 'utf-8' ? decodeValidUtf8(bytes) : decodeInChunks(encoding, bytes),
        encoding,
        source,
        gunzipped,
      );
    }
    const census = utf8Census(bytes);
    if (nearlyUtf8(census)) {
      const how = encoding === 'utf-8' ? source : 'utf8-over-declared';
      return new Decoded(
        decodeInChunks('utf-8', bytes),
        'utf-8',
        how,
        gunzipped,
        `${replaced(census.invalid)}${encoding === 'utf-8' ? '' : ` (declared ${encoding}; the bytes are UTF-8)`}`,
      );
    }
    if (encoding === 'utf-8') {
      // Declared UTF-8 that mostly is not: the 2000s Chinese web relabelled pages without
      // re-encoding them. The same two-way choice as for undeclared pages, or the damage said.
      const chinese = chineseLegacyDecoding(bytes);
      if (chinese)
        return new Decoded(
          [chinese.text],
          chinese.encoding,
          'chinese-over-declared',
          gunzipped,
          `declared UTF-8, but ${census.invalid} byte sequences are not UTF-8; read as ${chinese.encoding}`,
        );
      return new Decoded(
        decodeInChunks('utf-8', bytes),
        'utf-8',
        source,
        gunzipped,
        `declared UTF-8, but ${replaced(census.invalid)}`,
      );
    }
    return new Decoded(decodeInChunks(encoding, bytes), encoding, source, gunzipped);
  }

  if (isUtf8(bytes)) return new Decoded(decodeValidUtf8(bytes), 'utf-8', 'utf8', gunzipped);
  const census = utf8Census(bytes);
  if (nearlyUtf8(census))
    return new Decoded(decodeInChunks('utf-8', bytes), 'utf-8', 'utf8-nearly', gunzipped, replaced(census.invalid));
  // A site's stated default wins; only the generic default leaves room to recognise Chinese.
  if (options.fallbackEncoding === undefined) {
    const chinese = chineseLegacyDecoding(bytes);
    if (chinese) return new Decoded([chinese.text], chinese.encoding, 'chinese-legacy', gunzipped);
  }
  const fallback = normaliseLabel(fallbackEncoding) ?? 'windows-1252';
  return new Decoded(decodeInChunks(fallback, bytes), fallback, 'fallback', gunzipped);
}
