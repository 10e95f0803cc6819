/**
 * WARC files of captures (warcio): writing `response` records; reading them is warc-reader.ts.
 * A capture's record keeps the archived HTTP status line and headers and the payload bytes
 * exactly as the Wayback Machine returned them with `id_`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { WARCRecord } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { SalvageError } from '../errors.js';
import { timestampToIso } from '../memento.js';

export {
  captureInput,
  readWarcCaptures,
  readWarcCaptureAt,
  MAX_WARC_HEADER_BYTES,
  MAX_HTTP_HEADER_BYTES,
  type WarcCapture,
  type WarcDamage,
  type WarcDamageReason,
  type WarcReadOptions,
} from './warc-reader.js';

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
  if (!date)
    throw new SalvageError('INPUT_INVALID', `capture timestamp ${JSON.stringify(input.timestamp)} is not 14 digits`, {
      subject: input.url,
    });
  const status = input.httpStatus ?? 200;
  const record = WARCRecord.create(
    {
      url: input.url,
      date,
      type: 'response',
      warcVersion: 'WARC/1.1',
      statusline: `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Status'}`,
      httpHeaders: { ...(input.httpHeaders ?? {}), 'Content-Length': String(input.payload.length) },
      ...(input.warcHeaders ? { warcHeaders: input.warcHeaders } : {}),
    },
    [input.payload],
  );
  // warcio normalises the target with WHATWG URL parsing, which percent-encodes `'` in queries
  // (article 22930: `…?+Let's+take…`). The archive keeps the original exactly as the CDX index
  // spells it; only white space and control characters, which a header cannot hold, are encoded.
  record.warcHeaders.headers.set(
    'WARC-Target-URI',
    input.url.replace(/[\s\u0000-\u001f\u007f]/g, (ch) => encodeURIComponent(ch)),
  );
  return WARCSerializer.serialize(record, { gzip: true });
}

/** Appends records to one WARC file. */
export class WarcWriter {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

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
