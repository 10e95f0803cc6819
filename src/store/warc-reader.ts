/**
 * Reading WARC files as evidence: every intact record is read, and every damaged or short one is
 * reported with its offset, never silently dropped. A `.warc.gz` is read one gzip member at a time
 * (gzip-member.ts) and resynchronised on the next member after damage; a plain `.warc` on the next
 * `WARC/` version line. Payloads over the caller's cap are never held: they are skipped while
 * reading and the capture comes out flagged `tooLargeBytes`. Header blocks are capped too.
 */
import { open } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import { DEFAULT_EXTRACT_OPTIONS, type CaptureInput } from '../extract/index.js';
import { isoToTimestamp } from '../memento.js';
import { dechunk, isChunked } from './http-payload.js';
import {
  FileSource,
  parseHeaderBlock,
  readExactly,
  readHeaderBlock,
  readLine,
  TapSource,
  type ByteSource,
} from './byte-source.js';
import { RecordDigester, type RecordDigests } from './warc-digest.js';
import { isArcCapture, MAX_ARC_HEADER_BYTES, parseArcHeader } from './arc-record.js';
import {
  BlockFile,
  FILE_BLOCK_BYTES,
  findNextMember,
  MemberDamage,
  MemberSource,
  openMember,
  ResyncBudget,
} from './gzip-member.js';

export interface WarcCapture {
  /** `WARC-Target-URI`: the capture's original URL. */
  url: string;
  /** 14-digit timestamp from `WARC-Date` (the capture time). */
  timestamp: string;
  httpStatus: number | undefined;
  contentType: string | undefined;
  /** The HTTP `Content-Encoding`: content codings the payload still carries (extraction undoes them). */
  contentEncoding?: string;
  /** The HTTP payload without its transfer framing (chunking removed, content codings kept); empty when `tooLargeBytes` is set. */
  payload: Uint8Array;
  /** Byte offset of the record in its file: its gzip member, or for a plain WARC its version line. */
  offset: number;
  /**
   * Bytes from `offset` that hold the record: its whole gzip member (what `CaptureStore.read`
   * takes back), or for a plain WARC the record and the newlines after it. 0 when the record
   * shares one gzip member with others (a whole file gzipped at once): it cannot be read alone.
   */
  length: number;
  /**
   * Set when the payload is over the reader's `maxPayloadBytes`: its size in bytes as the record
   * declares it. The payload was skipped, not read, and `payload` is empty; extraction rejects
   * such a capture as `too-large`.
   */
  tooLargeBytes?: number;
}

/**
 * A capture as extraction takes it. `at` names the capture as the crawl knows it (the CDX row a
 * stored record was fetched for) when that differs from the record's own target and date.
 */
export function captureInput(c: WarcCapture, at?: { url: string; timestamp: string }): CaptureInput {
  return {
    payload: c.payload,
    url: at?.url ?? c.url,
    timestamp: at?.timestamp ?? c.timestamp,
    ...(c.httpStatus !== undefined ? { httpStatus: c.httpStatus } : {}),
    ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
    ...(c.contentEncoding !== undefined ? { contentEncoding: c.contentEncoding } : {}),
    ...(c.tooLargeBytes !== undefined ? { payloadBytes: c.tooLargeBytes } : {}),
  };
}

/** Why bytes of a WARC file gave no record. Stable strings: they appear in reports. */
export type WarcDamageReason =
  | 'gzip' // a gzip member that does not inflate, or whose CRC-32 or size is wrong
  | 'truncated' // the file ends inside a record or member
  | 'short' // a record's content is shorter than its Content-Length
  | 'malformed'; // bytes that are not a WARC record: no version line, no Content-Length, a header block over its cap, junk between records

/** A stretch of a WARC file that holds no readable record. */
export interface WarcDamage {
  /** The file's path, as given to the reader. */
  file: string;
  /** Where the damaged record, member or stretch starts. */
  offset: number;
  /** How many bytes from `offset` were passed over (up to the next record read, or the end). */
  length: number;
  reason: WarcDamageReason;
  /** One line for the user, without the file name. */
  message: string;
}

export interface WarcReadOptions {
  /**
   * Largest payload read into memory, in bytes; a larger one is skipped while reading and its
   * capture yielded with `tooLargeBytes` set. Default: the extractor's page limit
   * (DEFAULT_EXTRACT_OPTIONS.maxPageBytes, 20 MiB; `extract --max-page-mb`).
   */
  maxPayloadBytes?: number;
  /**
   * Told of each damaged stretch, in file order, as it is found. Without it, `readWarcCaptures`
   * throws WARC_MALFORMED after the last intact capture, naming the first damage.
   */
  onDamage?: (damage: WarcDamage) => void;
}

/**
 * A WARC header block longer than this is not read (a record with a 1 GB header line costs 1 MiB):
 * real ones are under 4 KB; 1 MiB leaves room for the longest URLs seen (60,000 characters).
 */
export const MAX_WARC_HEADER_BYTES = 1024 * 1024;
/** Same for the archived HTTP status line and headers of a response record. */
export const MAX_HTTP_HEADER_BYTES = 1024 * 1024;
const WARC_START = Buffer.from('WARC/');
const LINE_WARC = Buffer.from('\nWARC/');
const CONTENT_LENGTH = /^\d{1,15}$/;

/**
 * After a record's content: pass its newlines and say what follows. In an ARC file (`arc`) any
 * byte that is no line end starts the next record's header line, which its reader then checks.
 */
async function afterContent(src: ByteSource, arc = false): Promise<'end' | 'next' | 'junk'> {
  while (true) {
    const chunk = await src.read();
    if (chunk === null) return 'end';
    let i = 0;
    while (i < chunk.length && (chunk[i] === 13 || chunk[i] === 10)) i++;
    if (i < chunk.length) {
      src.unread(chunk.subarray(i));
      break;
    }
  }
  if (arc) return 'next';
  return (await startsWith(src, WARC_START)) ? 'next' : 'junk';
}

const HTTP_START = Buffer.from('HTTP/');

/** Whether the next bytes are `prefix` (a WARC version line's `WARC/`, a status line's `HTTP/`); nothing is consumed. */
async function startsWith(src: ByteSource, prefix: Buffer): Promise<boolean> {
  const head = await readExactly(src, prefix.length);
  src.unread(head);
  return Buffer.from(head.buffer, head.byteOffset, head.length).equals(prefix);
}

type CaptureFields = Omit<WarcCapture, 'offset' | 'length'>;

type RecordOutcome =
  | { kind: 'end' }
  /** A whole record (`capture` when it is one), and what follows its content. */
  | {
      kind: 'record';
      capture: CaptureFields | undefined;
      contentStart: number;
      contentEnd: number;
      next: 'end' | 'next' | 'junk';
      nextStart: number;
      /** What the record says of itself, with its recomputed digests (when asked for). */
      record?: RecordFacts;
    }
  /** Skipping an unwanted payload cost too much: the member was closed after the record's start. */
  | { kind: 'abandoned'; capture: CaptureFields | undefined }
  | { kind: 'damage'; reason: WarcDamageReason; message: string; contentStart?: number };

const shortReason = (src: ByteSource): WarcDamageReason =>
  (src instanceof TapSource ? src.inner : src) instanceof MemberSource ? 'short' : 'truncated';

/** A record's own headers and recomputed digests (`readWarcRecords`). */
export interface RecordFacts {
  /** `WARC-Type` (`response`, `request`, `revisit`, `warcinfo`…); `arc` for an ARC record. */
  type: string;
  /** `WARC-Target-URI` as written, if any. */
  targetUri: string | undefined;
  /** `WARC-Record-ID`, if any. */
  recordId: string | undefined;
  /** `WARC-Block-Digest` and `WARC-Payload-Digest` against the record's bytes; both `absent` for ARC records. */
  digests: RecordDigests;
}

const NO_DIGESTS: RecordDigests = { block: { verdict: 'absent' }, payload: { verdict: 'absent' } };

/**
 * `WARC-Target-URI` as a URL: wget writes it in angle brackets (`<http://…>`, the WARC 1.0
 * grammar's `<uri>`), which WARC 1.1 dropped; both are read. Spaces some tools leave inside are
 * percent-encoded, as a browser would send them.
 */
function targetUri(value: string | undefined): string {
  const v = (value ?? '').trim();
  const bare = v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1).trim() : v;
  return bare.replace(/ /g, '%20');
}

/**
 * One record from `src`, WARC or ARC. Throws MemberDamage when `src` is a member that turns out
 * damaged. `digests`: recompute the record's stated digests from its block as it is read (its
 * `record` facts), reading through every payload instead of skipping it.
 */
async function readRecord(src: ByteSource, maxPayloadBytes: number, digests = false): Promise<RecordOutcome> {
  if (!(await startsWith(src, WARC_START))) {
    const arc = await readArcRecord(src, maxPayloadBytes);
    return digests && arc.kind === 'record'
      ? { ...arc, record: { type: 'arc', targetUri: arc.capture?.url, recordId: undefined, digests: NO_DIGESTS } }
      : arc;
  }
  const warc = await readHeaderBlock(src, MAX_WARC_HEADER_BYTES);
  if ('kind' in warc) {
    if (warc.kind === 'end') return { kind: 'end' };
    if (warc.kind === 'cut')
      return {
        kind: 'damage',
        reason: shortReason(src),
        message: `the record ends inside its WARC header (${warc.got} bytes)`,
      };
    return {
      kind: 'damage',
      reason: 'malformed',
      message: `no end of the WARC header within ${MAX_WARC_HEADER_BYTES} bytes`,
    };
  }
  const { headers } = parseHeaderBlock(warc.bytes);
  const declared = headers.get('content-length')?.trim() ?? '';
  if (!CONTENT_LENGTH.test(declared))
    return {
      kind: 'damage',
      reason: 'malformed',
      message: `the record has no valid Content-Length (${JSON.stringify(declared.slice(0, 40))})`,
    };
  const type = headers.get('warc-type') ?? '';
  const kind = type === 'response' ? 'http' : type === 'resource' ? 'bytes' : 'other';
  const fields = {
    url: targetUri(headers.get('warc-target-uri')),
    timestamp: isoToTimestamp(headers.get('warc-date') ?? '') ?? '',
    contentType: headers.get('content-type') ?? undefined,
  };
  if (!digests) return readContent(src, Number(declared), kind, fields, maxPayloadBytes, false);
  const digester = new RecordDigester(headers);
  const tapped = new TapSource(src, (bytes) => digester.update(bytes), src.position + Number(declared));
  const out = await readContent(tapped, Number(declared), kind, fields, maxPayloadBytes, false);
  if (out.kind !== 'record') return out;
  const record: RecordFacts = {
    type,
    targetUri: headers.get('warc-target-uri'),
    recordId: headers.get('warc-record-id'),
    digests: digester.finish(),
  };
  return { ...out, record };
}

/** One ARC record (arc-record.ts): its header line, then its content like a WARC record's. */
async function readArcRecord(src: ByteSource, maxPayloadBytes: number): Promise<RecordOutcome> {
  const line = await readLine(src, MAX_ARC_HEADER_BYTES);
  if (line === null) return { kind: 'end' };
  const header = line === 'too-long' ? undefined : parseArcHeader(line.toString('utf8').replace(/\r?\n$/, ''));
  if (!header)
    return {
      kind: 'damage',
      reason: 'malformed',
      message: 'not a WARC or ARC record (no WARC/ version line, no ARC header line)',
    };
  if (!isArcCapture(header))
    return readContent(
      src,
      header.length,
      'other',
      { url: header.url, timestamp: header.timestamp, contentType: undefined },
      maxPayloadBytes,
      true,
    );
  // An ARC record holds the HTTP response as received; a crawler that stored only the body wrote no status line.
  const kind = (await startsWith(src, HTTP_START)) ? 'http' : 'bytes';
  return readContent(
    src,
    header.length,
    kind,
    {
      url: targetUri(header.url),
      timestamp: header.timestamp,
      contentType: header.mime === 'no-type' ? undefined : header.mime,
    },
    maxPayloadBytes,
    true,
  );
}

/**
 * A record's `contentLength` bytes of content: an HTTP response (`http`: status line and headers,
 * then the payload, its chunked framing removed), a payload as it is (`bytes`), or content of no
 * capture (`other`), skipped. `fields.contentType` is the record's own, overruled by the HTTP one.
 */
async function readContent(
  src: ByteSource,
  contentLength: number,
  kind: 'http' | 'bytes' | 'other',
  fields: { url: string; timestamp: string; contentType: string | undefined },
  maxPayloadBytes: number,
  arc: boolean,
): Promise<RecordOutcome> {
  const contentStart = src.position;
  const cut = (got: number): RecordOutcome => ({
    kind: 'damage',
    reason: shortReason(src),
    message: `the record's content ends after ${got} of its ${contentLength} declared bytes (${arc ? 'ARC Archive-length' : 'Content-Length'})`,
    contentStart,
  });

  let capture: CaptureFields | undefined;
  let rest = contentLength;
  if (kind !== 'other') {
    let httpStatus: number | undefined;
    let contentType = kind === 'bytes' ? fields.contentType : undefined;
    let contentEncoding: string | undefined;
    let chunked = false;
    if (kind === 'http') {
      const http = await readHeaderBlock(src, MAX_HTTP_HEADER_BYTES, contentLength, { bareLf: true });
      if ('kind' in http && http.kind === 'too-long')
        return {
          kind: 'damage',
          reason: 'malformed',
          message: `no end of the HTTP header within ${MAX_HTTP_HEADER_BYTES} bytes`,
          contentStart,
        };
      if ('kind' in http && http.kind === 'cut') return cut(http.got);
      // Without a blank line the whole content is the header, as warcio reads it.
      const block = 'bytes' in http ? http.bytes : undefined;
      if (block) {
        const parsed = parseHeaderBlock(block);
        // A status line may lack its reason phrase (`HTTP/1.0 302 `).
        const status = /^HTTP\/\S+\s+(\d{3})\b/.exec(parsed.statusline);
        if (status) httpStatus = Number(status[1]);
        contentType = parsed.headers.get('content-type') ?? undefined;
        chunked = isChunked(parsed.headers.get('transfer-encoding'));
        contentEncoding = parsed.headers.get('content-encoding');
      }
      rest -= src.position - contentStart;
    }
    const common = {
      url: fields.url,
      timestamp: fields.timestamp,
      httpStatus,
      contentType,
      ...(contentEncoding !== undefined ? { contentEncoding } : {}),
    };
    if (rest > maxPayloadBytes) {
      capture = { ...common, payload: new Uint8Array(), tooLargeBytes: rest };
    } else {
      const payload = await readExactly(src, rest);
      if (payload.length < rest) return cut(contentLength - rest + payload.length);
      // The connection's framing is no part of the page (http-payload.ts).
      capture = { ...common, payload: (chunked ? dechunk(payload) : undefined) ?? payload };
      rest = 0;
    }
  }
  if (rest > 0) {
    const skipped = await src.skip(rest);
    if (skipped === 'abandoned') return { kind: 'abandoned', capture };
    if (skipped < rest) return cut(contentLength - rest + skipped);
  }
  const contentEnd = src.position;
  const next = await afterContent(src, arc);
  return { kind: 'record', capture, contentStart, contentEnd, next, nextStart: src.position };
}

/** A capture, a record of another type (counted: a WARC of request records only is still a WARC), or damage. */
type Item =
  | { capture: WarcCapture; record?: RecordFacts }
  | { other: number; length: number; record?: RecordFacts }
  | { damage: WarcDamage };

/** The item of a whole record at `offset`, `length` bytes long (0: it shares its gzip member). */
function recordItem(
  out: { capture: CaptureFields | undefined; record?: RecordFacts },
  offset: number,
  length: number,
): Item {
  const facts = out.record ? { record: out.record } : {};
  return out.capture ? { capture: { ...out.capture, offset, length }, ...facts } : { other: offset, length, ...facts };
}

/** The next `\nWARC/<digit>` line start at or after `from` in a plain WARC, or -1. */
async function findNextLine(file: BlockFile, from: number, limit: number): Promise<number> {
  let pos = Math.max(0, from - 1);
  while (pos < limit) {
    const block = await file.readSome(pos, Math.min(FILE_BLOCK_BYTES, limit - pos));
    if (block.length === 0) return -1;
    for (let i = block.indexOf(LINE_WARC); i >= 0; i = block.indexOf(LINE_WARC, i + 1)) {
      const at = pos + i + 1;
      if (at < from) continue;
      const digit = (await file.read(at + WARC_START.length, 1))[0];
      if (digit !== undefined && digit >= 0x30 && digit <= 0x39) return at;
    }
    if (pos + block.length >= limit) return -1;
    pos += Math.max(1, block.length - (LINE_WARC.length - 1));
  }
  return -1;
}

/** Records of a plain WARC between `start` and `limit`. */
async function* plainItems(
  path: string,
  file: BlockFile,
  start: number,
  limit: number,
  maxPayloadBytes: number,
  digests: boolean,
): AsyncGenerator<Item> {
  let pos = start;
  const budget = new ResyncBudget();
  let resynced = false;
  while (pos < limit) {
    const src = new FileSource(file, pos, limit);
    if (pos === start && (await afterContent(src)) === 'end') return; // leading newlines only
    const recordStart = src.position;
    const out = await readRecord(src, maxPayloadBytes, digests);
    if (out.kind === 'end') return;
    const whole = out.kind === 'record' && out.next !== 'junk';
    if (resynced && !whole) {
      budget.candidates++;
      budget.bytes += src.position - recordStart;
    }
    resynced = !whole;
    if (out.kind === 'record' && out.next !== 'junk') {
      yield recordItem(out, recordStart, src.position - recordStart);
      pos = src.position;
      continue;
    }
    // Resynchronise on the next version line: from inside the content when the record's length
    // is in doubt (a short record's successor starts there), else just past this record's start.
    const from =
      (out.kind === 'record' || out.kind === 'damage') && out.contentStart !== undefined
        ? out.contentStart
        : recordStart + 1;
    const next = budget.exhausted ? -1 : await findNextLine(file, from, limit);
    const until = next < 0 ? limit : next;
    if (out.kind === 'record' && until >= out.contentEnd) {
      // The record is whole; what follows it up to the next record is junk.
      yield recordItem(out, recordStart, out.nextStart - recordStart);
      yield {
        damage: {
          file: path,
          offset: out.nextStart,
          length: until - out.nextStart,
          reason: 'malformed',
          message: `${until - out.nextStart} bytes after a record are not a WARC record${budget.note}`,
        },
      };
    } else if (out.kind === 'record') {
      yield {
        damage: {
          file: path,
          offset: recordStart,
          length: until - recordStart,
          reason: 'short',
          message: `the record is shorter than its Content-Length: the next record starts ${until - out.contentStart} bytes into its ${out.contentEnd - out.contentStart} declared bytes${budget.note}`,
        },
      };
    } else if (out.kind === 'damage') {
      yield {
        damage: {
          file: path,
          offset: recordStart,
          length: until - recordStart,
          reason: out.reason,
          message: out.message + budget.note,
        },
      };
    }
    if (next < 0) return;
    pos = next;
  }
}

/** Records of a gzipped WARC, member by member, between `start` and `limit`. */
async function* gzipItems(
  path: string,
  file: BlockFile,
  start: number,
  limit: number,
  maxPayloadBytes: number,
  digests: boolean,
): AsyncGenerator<Item> {
  let pos = start;
  const budget = new ResyncBudget();
  let resynced = false;
  const damaged = async function* (
    offset: number,
    reason: WarcDamageReason,
    message: string,
    from: number,
  ): AsyncGenerator<Item, number> {
    if (resynced) budget.candidates++; // a member found by its header that still failed
    const next = await findNextMember(file, from, limit, budget);
    resynced = true;
    yield {
      damage: {
        file: path,
        offset,
        length: (next < 0 ? limit : next) - offset,
        reason,
        message: message + budget.note,
      },
    };
    return next;
  };
  while (pos < limit) {
    const member = await openMember(file, pos, limit);
    if (member instanceof MemberDamage) {
      const next = yield* damaged(pos, member.reason, member.message, pos + 1);
      if (next < 0) return;
      pos = next;
      continue;
    }
    let first = true;
    let resume: number;
    try {
      while (true) {
        const out = await readRecord(member, maxPayloadBytes, digests);
        if (out.kind === 'end') {
          resume = member.end!;
          resynced = false;
          break;
        } // read() returned null: the member ended, verified
        if (out.kind === 'abandoned') {
          // From just past this member's start, not from where zlib stopped: damaged deflate data
          // can run on into the next member's bytes, and no header inside this one passes as a record.
          const next = await findNextMember(file, pos + 1, limit, budget);
          yield recordItem(out, pos, first ? (next < 0 ? limit : next) - pos : 0);
          if (next < 0 && budget.exhausted)
            yield {
              damage: {
                file: path,
                offset: pos,
                length: limit - pos,
                reason: 'malformed',
                message: `after a record too large to read${budget.note}`,
              },
            };
          resynced = false;
          resume = next < 0 ? limit : next;
          break;
        }
        if (out.kind === 'damage' || out.next === 'junk') {
          await member.abandon();
          const message =
            out.kind === 'damage' ? out.message : 'bytes after the record’s content are not a WARC record';
          const next = yield* damaged(pos, out.kind === 'damage' ? out.reason : 'malformed', message, pos + 1);
          resume = next < 0 ? limit : next;
          break;
        }
        if (out.next === 'end') {
          yield recordItem(out, pos, first ? member.end! - pos : 0); // ended: end is set
          resynced = false;
          resume = member.end!;
          break;
        }
        yield recordItem(out, pos, 0); // more records share this member
        resynced = false;
        first = false;
      }
    } catch (error) {
      if (!(error instanceof MemberDamage)) throw error;
      await member.close();
      const next = yield* damaged(pos, error.reason, error.message, pos + 1);
      resume = next < 0 ? limit : next;
    } finally {
      await member.close();
    }
    pos = resume;
  }
}

/** Every readable record and every damaged stretch of a WARC file, in file order. */
async function* warcItems(
  path: string,
  options: WarcReadOptions,
  range?: { offset: number; length: number },
  digests = false,
): AsyncGenerator<Item> {
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_EXTRACT_OPTIONS.maxPageBytes;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new SalvageError('INPUT_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
      subject: path,
    });
  }
  try {
    const size = (await handle.stat()).size;
    const file = new BlockFile(handle, size);
    const start = range?.offset ?? 0;
    const limit = range ? Math.min(size, range.offset + range.length) : size;
    const head = await file.read(start, 2);
    // By content, not name; a `.gz` name whose first member is damaged is still read member by member.
    const gzipped =
      head[0] === 0x1f && head[1] === 0x8b ? true : head[0] === WARC_START[0] ? false : !range && /\.gz$/i.test(path);
    yield* (gzipped ? gzipItems : plainItems)(path, file, start, limit, maxPayloadBytes, digests);
  } finally {
    await handle.close();
  }
}

/**
 * Every capture (`response` and `resource` record) in a `.warc` or `.warc.gz` file, in file order,
 * streamed with bounded memory. A damaged member or record is reported through
 * `options.onDamage` and reading goes on at the next intact one; without `onDamage` the first
 * damage is thrown as WARC_MALFORMED once every intact capture has been yielded. A file with no
 * record at all throws WARC_MALFORMED; an unopenable one INPUT_UNREADABLE.
 */
export async function* readWarcCaptures(path: string, options: WarcReadOptions = {}): AsyncGenerator<WarcCapture> {
  const damages: WarcDamage[] = [];
  let records = 0;
  for await (const item of warcItems(path, options)) {
    if ('damage' in item) {
      if (options.onDamage) options.onDamage(item.damage);
      else damages.push(item.damage);
      continue;
    }
    records++;
    if ('capture' in item) yield item.capture;
  }
  const first = damages[0];
  if (first) {
    throw new SalvageError(
      'WARC_MALFORMED',
      `${path}: ${damages.length} damaged stretch${damages.length === 1 ? '' : 'es'}, the first at offset ${first.offset}: ${first.message}`,
      { subject: path },
    );
  }
  if (records === 0)
    throw new SalvageError('WARC_MALFORMED', `${path}: no WARC or ARC records found (is it a WARC file?)`, {
      subject: path,
    });
}

/**
 * The one capture record at `offset`, `length` bytes long (a gzip member or a plain record), read
 * with the same caps. Throws WARC_MALFORMED, naming the offset, when those bytes are not exactly
 * one whole capture record.
 */
export async function readWarcCaptureAt(
  path: string,
  offset: number,
  length: number,
  options: Omit<WarcReadOptions, 'onDamage'> = {},
): Promise<WarcCapture> {
  let found: WarcCapture | undefined;
  for await (const item of warcItems(path, options, { offset, length })) {
    if ('damage' in item)
      throw new SalvageError(
        'WARC_MALFORMED',
        `${path}: the record at offset ${offset} is damaged: ${item.damage.message}`,
        { subject: path },
      );
    if (found || !('capture' in item)) {
      found = undefined;
      break;
    }
    found = item.capture;
  }
  if (!found || found.offset !== offset || (found.length !== length && found.tooLargeBytes === undefined)) {
    throw new SalvageError(
      'WARC_MALFORMED',
      `${path}: no whole WARC capture record of ${length} bytes at offset ${offset} (the crawl state and the file disagree)`,
      { subject: path },
    );
  }
  return found;
}

/** One whole record, as {@link readWarcRecords} gives it. */
export interface WarcRecordRead {
  /** Where the record starts: its gzip member, or for a plain WARC its version line. */
  offset: number;
  /** Bytes from `offset` that hold it (as WarcCapture.length: 0 when it shares a gzip member with others). */
  length: number;
  facts: RecordFacts;
}

/**
 * Every whole record of a WARC (or ARC) file with its stated digests recomputed from its bytes,
 * and every damaged stretch, in file order: the same reading, damage and resynchronisation as
 * {@link readWarcCaptures}, but every record type, and every payload digested as it streams by
 * and never held (bounded memory for records of any size). Throws INPUT_UNREADABLE when the file
 * cannot be opened; a file that holds no record yields only damage (or nothing, when empty).
 */
export async function* readWarcRecords(
  path: string,
): AsyncGenerator<{ record: WarcRecordRead } | { damage: WarcDamage }> {
  for await (const item of warcItems(path, { maxPayloadBytes: 0 }, undefined, true)) {
    if ('damage' in item) yield item;
    else if (item.record !== undefined) {
      const [offset, length] =
        'capture' in item ? [item.capture.offset, item.capture.length] : [item.other, item.length];
      yield { record: { offset, length, facts: item.record } };
    }
  }
}
