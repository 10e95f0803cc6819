/**
 * A response whose payload is gzip its HTTP headers do not declare. The Wayback Machine serves
 * some `id_` captures gzipped with the `Content-Encoding` lost (WAYBACK.md; edgi wayback issue
 * 309), and a WARC written from its answer records that answer as it came: the evidence. salvage
 * reads such a page by its magic bytes (extract/decode.ts); a replay tool does not: ReplayWeb.page
 * (wabac.js `decodeContent`) decodes only a declared coding, so it shows the page's gzip bytes
 * as text. The mirror uses this to leave such captures unlinked instead of linking to bytes.
 */
import { parseHeaderBlock } from './byte-source.js';
import { isChunked } from './http-payload.js';

const CRLF2 = Buffer.from('\r\n\r\n');
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Whether the start of a WARC `response` record (`bytes`: its WARC header, HTTP header and the
 * first bytes of its payload, decompressed) holds a payload that begins with the gzip magic
 * while neither `Content-Encoding` nor `Transfer-Encoding` names gzip. Chunked framing is looked
 * through (its first chunk-size line). False when the bytes end before the payload begins.
 */
export function undeclaredGzip(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const warcEnd = buffer.indexOf(CRLF2);
  if (warcEnd < 0) return false;
  const httpStart = warcEnd + CRLF2.length;
  const httpEnd = buffer.indexOf(CRLF2, httpStart);
  if (httpEnd < 0) return false;
  const { statusline, headers } = parseHeaderBlock(buffer.subarray(httpStart, httpEnd));
  if (!statusline.startsWith('HTTP/')) return false;
  const coding = `${headers.get('content-encoding') ?? ''},${headers.get('transfer-encoding') ?? ''}`;
  if (/\b(?:x-)?gzip\b/i.test(coding)) return false;
  let payload = httpEnd + CRLF2.length;
  if (isChunked(headers.get('transfer-encoding'))) {
    const lineEnd = buffer.indexOf(0x0a, payload);
    if (lineEnd < 0) return false;
    payload = lineEnd + 1;
  }
  return buffer[payload] === GZIP_MAGIC[0] && buffer[payload + 1] === GZIP_MAGIC[1];
}
