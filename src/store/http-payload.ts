/**
 * An archived HTTP body as its headers describe it. Crawlers that record the bytes on the wire
 * (Heritrix, warcprox, gowarc) keep `Transfer-Encoding: chunked` framing in the WARC payload,
 * often around a gzip `Content-Encoding` body (WAYBACK.md, "WARC files written by other tools").
 * The framing belongs to the connection, not to the page: it is removed here, so the page text
 * never holds chunk-size lines and the payload digest covers the entity. The content coding is
 * left to extraction (`extract/decode.ts` sniffs gzip by its magic bytes).
 */

/** Longest chunk-size line read (hex digits and extensions, RFC 9112 §7.1), in bytes. */
const MAX_CHUNK_LINE_BYTES = 1024;
const CR = 13;
const LF = 10;

/** Whether a `Transfer-Encoding` header value ends in `chunked` (RFC 9112 §6.1: it must come last). */
export function isChunked(transferEncoding: string | undefined): boolean {
  if (transferEncoding === undefined) return false;
  const codings = transferEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return codings.at(-1) === 'chunked';
}

/** The end of the line that starts at `from` (the index of its LF), or -1 within `max` bytes. */
function lineEnd(bytes: Uint8Array, from: number, max: number): number {
  const stop = Math.min(bytes.length, from + max);
  for (let i = from; i < stop; i++) if (bytes[i] === LF) return i;
  return -1;
}

/**
 * The body inside chunked framing (RFC 9112 §7.1): chunk sizes in hex, each chunk followed by CRLF,
 * a zero-size last chunk, then trailers. Undefined when `bytes` is not chunked framing at all (a
 * tool removed the framing but kept the header): the payload is then taken as it is. A framing
 * that breaks off after at least one whole chunk (a capture cut short) gives the chunks read so
 * far. Output never exceeds the input: bounded work for any bytes.
 */
export function dechunk(bytes: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let size = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const end = lineEnd(bytes, pos, MAX_CHUNK_LINE_BYTES);
    if (end < 0) break;
    // `1a2f;name=value` → 1a2f; a bare LF is accepted as line end, as most readers do.
    const line = Buffer.from(bytes.buffer, bytes.byteOffset + pos, end - pos)
      .toString('latin1')
      .replace(/\r$/, '');
    const hex = /^\s*([0-9a-fA-F]{1,8})\s*(?:;.*)?$/.exec(line)?.[1];
    if (hex === undefined) break;
    const length = parseInt(hex, 16);
    const start = end + 1;
    if (length === 0) return concat(parts, size); // the last chunk: trailers may follow
    if (start + length > bytes.length) {
      // Cut short inside a chunk: keep what arrived, if the framing was already proven.
      if (parts.length === 0) return undefined;
      parts.push(bytes.subarray(start));
      return concat(parts, size + bytes.length - start);
    }
    parts.push(bytes.subarray(start, start + length));
    size += length;
    pos = start + length;
    if (bytes[pos] === CR) pos++;
    if (bytes[pos] === LF) pos++;
    else if (pos < bytes.length) return parts.length > 1 ? concat(parts, size) : undefined;
  }
  // No last chunk: framing that was cut short, or bytes that were never chunked.
  return parts.length > 0 ? concat(parts, size) : undefined;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}
