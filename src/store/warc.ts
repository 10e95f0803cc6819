/**
 * WARC files of captures (warcio): reading `response` records as captures, writing them.
 * A capture's record keeps the archived HTTP status line and headers and the payload bytes
 * exactly as the Wayback Machine returned them with `id_`.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { WARCParser, WARCRecord } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { SalvageError } from '../errors.js';
import { isoToTimestamp, timestampToIso } from '../extract/index.js';

export interface WarcCapture {
  /** `WARC-Target-URI`: the capture's original URL. */
  url: string;
  /** 14-digit timestamp from `WARC-Date` (the capture time). */
  timestamp: string;
  httpStatus: number | undefined;
  contentType: string | undefined;
  /** The HTTP payload as stored (no transfer or content decoding). */
  payload: Uint8Array;
  /** Byte offset of the record in its file (for error messages and indexes). */
  offset: number;
}

/** Records whose `WARC-Type` carries a capture's payload. */
const CAPTURE_TYPES = new Set(['response', 'resource']);

/** Every capture in a `.warc` or `.warc.gz` file, in file order, streamed. Throws WARC_MALFORMED. */
export async function* readWarcCaptures(path: string): AsyncGenerator<WarcCapture> {
  const parser = new WARCParser(createReadStream(path));
  let index = 0;
  while (true) {
    let record: WARCRecord | null;
    try {
      record = await parser.parse();
    } catch (error) {
      throw new SalvageError('WARC_MALFORMED', `${path}: record ${index + 1} (offset ${parser.offset}) is not a valid WARC record: ${(error as Error).message}`, { cause: error, subject: path });
    }
    if (record === null) {
      if (index === 0) throw new SalvageError('WARC_MALFORMED', `${path}: no WARC records found (is it a WARC file?)`, { subject: path });
      return;
    }
    index++;
    if (!record.warcHeaders.statusline.startsWith('WARC/')) {
      throw new SalvageError('WARC_MALFORMED', `${path}: record ${index} (offset ${parser.offset}) does not start with a WARC version line (is it a WARC file?)`, { subject: path });
    }
    if (!CAPTURE_TYPES.has(record.warcType)) { await record.skipFully(); continue; }
    const url = record.warcTargetURI ?? '';
    const timestamp = isoToTimestamp(record.warcDate ?? '') ?? '';
    const status = record.httpHeaders?.statusCode;
    const httpStatus = status === undefined ? undefined : Number(status);
    const contentType = record.httpHeaders?.headers.get('content-type') ?? undefined;
    const offset = parser.offset;
    const payload = await record.readFully(false);
    yield { url, timestamp, httpStatus: Number.isFinite(httpStatus) ? httpStatus : undefined, contentType: contentType ?? undefined, payload, offset };
  }
}

export interface ResponseRecordInput {
  url: string;
  timestamp: string;
  httpStatus?: number;
  /** Archived response headers (Content-Type …). */
  httpHeaders?: Record<string, string>;
  payload: Uint8Array;
  /** More WARC headers (e.g. `WARC-Source-URI` with the memento URL, fetch time). */
  warcHeaders?: Record<string, string>;
}

/** Serialise one capture as a gzip-member `response` record (WARC/1.1). */
export async function serializeResponseRecord(input: ResponseRecordInput): Promise<Uint8Array> {
  const date = timestampToIso(input.timestamp);
  if (!date) throw new SalvageError('INPUT_INVALID', `capture timestamp ${JSON.stringify(input.timestamp)} is not 14 digits`, { subject: input.url });
  const status = input.httpStatus ?? 200;
  const record = WARCRecord.create({
    url: input.url,
    date,
    type: 'response',
    warcVersion: 'WARC/1.1',
    statusline: `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Status'}`,
    httpHeaders: { ...(input.httpHeaders ?? {}), 'Content-Length': String(input.payload.length) },
    ...(input.warcHeaders ? { warcHeaders: input.warcHeaders } : {}),
  }, [input.payload]);
  // warcio normalises the target with WHATWG URL parsing, which percent-encodes `'` in queries
  // (article 22930: `…?+Let's+take…`). The archive keeps the original exactly as the CDX index
  // spells it; only white space and control characters, which a header cannot hold, are encoded.
  record.warcHeaders.headers.set('WARC-Target-URI', input.url.replace(/[\s\u0000-\u001f\u007f]/g, (ch) => encodeURIComponent(ch)));
  return WARCSerializer.serialize(record, { gzip: true });
}

/** Appends records to one WARC file. */
export class WarcWriter {
  private constructor(private readonly handle: FileHandle, readonly path: string) {}

  static async open(path: string): Promise<WarcWriter> {
    return new WarcWriter(await open(path, 'a'), path);
  }

  async append(input: ResponseRecordInput): Promise<void> {
    await this.handle.write(await serializeResponseRecord(input));
  }

  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }
}
