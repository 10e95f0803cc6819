/**
 * Payload bytes → text. Deterministic, never statistical: a BOM, then the declared charset (HTTP
 * header, then `<meta>`), then strict UTF-8, then a stated fallback. Statistical detectors
 * decoded one hkcnews page of the existing archive as PT154 (article 43693); we do not guess.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';

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
export type EncodingSource = 'bom' | 'http' | 'meta' | 'utf8' | 'fallback' | 'utf8-over-declared';

export interface DecodedPayload {
  text: string;
  encoding: string;
  source: EncodingSource;
  /** The payload was gzip although nothing said so (or the headers said otherwise). */
  gunzipped: boolean;
}

// WAYBACK-QUIRK: some id_ payloads are still gzip-compressed while the response headers claim
// plain bytes (or the reverse). Source: WAYBACK.md, "gzip". Test: "sniffs gzip by magic bytes".
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Undo a gzip layer that the headers may not mention; returns the input when it is not gzip. */
export function sniffGunzip(bytes: Uint8Array, maxInflatedBytes: number = DEFAULT_DECODE_OPTIONS.maxInflatedBytes): { bytes: Uint8Array; gunzipped: boolean } {
  if (bytes.length < 18 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return { bytes, gunzipped: false };
  try {
    return { bytes: gunzipSync(bytes, { maxOutputLength: maxInflatedBytes }), gunzipped: true };
  } catch {
    // Not really gzip (or a truncated/oversized stream): keep the bytes; validation rejects them.
    return { bytes, gunzipped: false };
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
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, META_PRESCAN_BYTES)).toString('latin1');
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

/** Strict UTF-8 (node's SIMD validator, then a plain decode: 3-4x faster than a fatal TextDecoder). */
function tryStrictUtf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** Decode with replacement characters; node's own UTF-8 decoder is several times faster than TextDecoder's. */
function decodeAs(encoding: string, bytes: Uint8Array): string {
  if (encoding === 'utf-8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  return new TextDecoder(encoding).decode(bytes);
}

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
  if (bom) {
    return { text: new TextDecoder(bom.encoding, { ignoreBOM: true }).decode(bytes.subarray(bom.skip)), encoding: bom.encoding, source: 'bom', gunzipped };
  }

  const declared: [string | undefined, EncodingSource][] = [
    [charsetFromContentType(options.contentType), 'http'],
    [charsetFromMeta(bytes), 'meta'],
  ];
  for (const [encoding, source] of declared) {
    if (!encoding) continue;
    if (encoding !== 'utf-8' && hasNonAscii(bytes)) {
      const utf8 = tryStrictUtf8(bytes);
      if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', source: 'utf8-over-declared', gunzipped };
    }
    return { text: decodeAs(encoding, bytes), encoding, source, gunzipped };
  }

  const utf8 = tryStrictUtf8(bytes);
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', source: 'utf8', gunzipped };
  const fallback = normaliseLabel(fallbackEncoding) ?? 'windows-1252';
  return { text: new TextDecoder(fallback).decode(bytes), encoding: fallback, source: 'fallback', gunzipped };
}
