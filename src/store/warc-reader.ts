/**
 * Reading WARC files as evidence: every intact record is read, and every damaged or short one is
 * reported with its offset, never silently dropped. A `.warc.gz` is read one gzip member at a time
 * (gzip-member.ts) and resynchronised on the next member after damage; a plain `.warc` on the next
 * `WARC/` version line. Payloads over the caller's cap are never held: they are skipped while
 * reading and the capture comes out flagged `tooLargeBytes`. Header blocks are capped too.
 */
import { open } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import { DEFAULT_EXTRACT_OPTIONS, isoToTimestamp } from '../extract/index.js';
import { BlockFile, FILE_BLOCK_BYTES, findNextMember, MemberDamage, MemberSource, openMember, ResyncBudget } from './gzip-member.js';

export interface WarcCapture {
  /** `WARC-Target-URI`: the capture's original URL. */
  url: string;
  /** 14-digit timestamp from `WARC-Date` (the capture time). */
  timestamp: string;
  httpStatus: number | undefined;
  contentType: string | undefined;
  /** The HTTP payload as stored (no transfer or content decoding); empty when `tooLargeBytes` is set. */
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

/** Why bytes of a WARC file gave no record. Stable strings: they appear in reports. */
export type WarcDamageReason =
  | 'gzip'      // a gzip member that does not inflate, or whose CRC-32 or size is wrong
  | 'truncated' // the file ends inside a record or member
  | 'short'     // a record's content is shorter than its Content-Length
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
/** Records whose `WARC-Type` carries a capture's payload. */
const CAPTURE_TYPES = new Set(['response', 'resource']);
const CRLFCRLF = Buffer.from('\r\n\r\n');
const WARC_START = Buffer.from('WARC/');
const LINE_WARC = Buffer.from('\nWARC/');
const CONTENT_LENGTH = /^\d{1,15}$/;

interface ByteSource {
  /** Bytes handed out so far (a file offset for a plain WARC, an inflated offset in a member). */
  position: number;
  read(): Promise<Uint8Array | null>;
  unread(bytes: Uint8Array): void;
  skip(n: number): Promise<number | 'abandoned'>;
}

/** A plain WARC: positional reads, so putting back and skipping only move the position. */
class FileSource implements ByteSource {
  constructor(private readonly file: BlockFile, public position: number, private readonly limit: number) {}
  async read(): Promise<Uint8Array | null> {
    if (this.position >= this.limit) return null;
    const block = await this.file.readSome(this.position, Math.min(FILE_BLOCK_BYTES, this.limit - this.position));
    if (block.length === 0) return null;
    this.position += block.length;
    return block;
  }
  unread(bytes: Uint8Array): void {
    this.position -= bytes.length;
  }
  async skip(n: number): Promise<number> {
    const k = Math.max(0, Math.min(n, this.limit - this.position));
    this.position += k;
    return k;
  }
}

/** The next bytes, at most `max` of them (the rest put back), or null at the end. */
async function readAtMost(src: ByteSource, max: number): Promise<Uint8Array | null> {
  const chunk = await src.read();
  if (chunk === null || chunk.length <= max) return chunk;
  src.unread(chunk.subarray(max));
  return chunk.subarray(0, max);
}

type HeaderBlock = { bytes: Buffer } | { kind: 'end' | 'cut' | 'unterminated' | 'too-long'; got: number };

/**
 * The bytes up to and including the first CRLFCRLF, reading no more than `within` bytes and
 * looking no further than `max`: `end` when nothing is left, `cut` when the source ends inside,
 * `unterminated` when all `within` bytes hold no blank line, `too-long` past `max`.
 */
async function readHeaderBlock(src: ByteSource, max: number, within = Infinity): Promise<HeaderBlock> {
  const scan = Math.min(max, within);
  let acc: Buffer = Buffer.alloc(0);
  while (true) {
    const chunk = await readAtMost(src, scan - acc.length);
    if (chunk === null) return { kind: acc.length === 0 ? 'end' : 'cut', got: acc.length };
    const from = Math.max(0, acc.length - 3);
    acc = acc.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : Buffer.concat([acc, chunk]);
    const at = acc.indexOf(CRLFCRLF, from);
    if (at >= 0) {
      src.unread(acc.subarray(at + 4));
      return { bytes: acc.subarray(0, at + 4) };
    }
    if (acc.length >= scan) return { kind: scan >= within ? 'unterminated' : 'too-long', got: acc.length };
  }
}

const UTF8 = new TextDecoder('utf-8');

/**
 * A header block (status line, `Name: value` lines, continuation lines folded in) as warcio reads
 * one, but synchronously: warcio's async parser and a Headers object per block were half the
 * reading time of small records. Names are lower-cased; a repeated name's values are joined by ", ".
 */
export function parseHeaderBlock(bytes: Uint8Array): { statusline: string; headers: Map<string, string> } {
  const lines = UTF8.decode(bytes).split(/\r?\n/);
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''}${line.trimEnd()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) { last = undefined; continue; }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
    last = name;
  }
  return { statusline: (lines[0] ?? '').trimEnd(), headers };
}

/** Read `n` bytes into one buffer: fewer when the source ends first. */
async function readExactly(src: ByteSource, n: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let got = 0;
  while (got < n) {
    const chunk = await readAtMost(src, n - got);
    if (chunk === null) break;
    chunks.push(chunk);
    got += chunk.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got); // one chunk: no copy
}

/** After a record's content: pass its newlines and say what follows. */
async function afterContent(src: ByteSource): Promise<'end' | 'next' | 'junk'> {
  while (true) {
    const chunk = await src.read();
    if (chunk === null) return 'end';
    let i = 0;
    while (i < chunk.length && (chunk[i] === 13 || chunk[i] === 10)) i++;
    if (i < chunk.length) { src.unread(chunk.subarray(i)); break; }
  }
  const head = await readExactly(src, WARC_START.length);
  src.unread(head);
  return Buffer.from(head.buffer, head.byteOffset, head.length).equals(WARC_START) ? 'next' : 'junk';
}

type CaptureFields = Omit<WarcCapture, 'offset' | 'length'>;

type RecordOutcome =
  | { kind: 'end' }
  /** A whole record (`capture` when it is one), and what follows its content. */
  | { kind: 'record'; capture: CaptureFields | undefined; contentStart: number; contentEnd: number; next: 'end' | 'next' | 'junk'; nextStart: number }
  /** Skipping an unwanted payload cost too much: the member was closed after the record's start. */
  | { kind: 'abandoned'; capture: CaptureFields | undefined }
  | { kind: 'damage'; reason: WarcDamageReason; message: string; contentStart?: number };

const shortReason = (src: ByteSource): WarcDamageReason => (src instanceof MemberSource ? 'short' : 'truncated');

/** One record from `src`. Throws MemberDamage when `src` is a member that turns out damaged. */
async function readRecord(src: ByteSource, maxPayloadBytes: number): Promise<RecordOutcome> {
  const warc = await readHeaderBlock(src, MAX_WARC_HEADER_BYTES);
  if ('kind' in warc) {
    if (warc.kind === 'end') return { kind: 'end' };
    if (warc.kind === 'cut') return { kind: 'damage', reason: shortReason(src), message: `the record ends inside its WARC header (${warc.got} bytes)` };
    return { kind: 'damage', reason: 'malformed', message: `no end of the WARC header within ${MAX_WARC_HEADER_BYTES} bytes` };
  }
  if (!warc.bytes.subarray(0, WARC_START.length).equals(WARC_START)) return { kind: 'damage', reason: 'malformed', message: 'not a WARC record (no WARC/ version line)' };
  const { headers } = parseHeaderBlock(warc.bytes);
  const declared = headers.get('content-length')?.trim() ?? '';
  if (!CONTENT_LENGTH.test(declared)) return { kind: 'damage', reason: 'malformed', message: `the record has no valid Content-Length (${JSON.stringify(declared.slice(0, 40))})` };
  const contentLength = Number(declared);
  const contentStart = src.position;
  const type = headers.get('warc-type') ?? '';
  const cut = (got: number): RecordOutcome => ({ kind: 'damage', reason: shortReason(src), message: `the record's content ends after ${got} of its ${contentLength} declared bytes (Content-Length)`, contentStart });

  let capture: CaptureFields | undefined;
  let rest = contentLength;
  if (CAPTURE_TYPES.has(type)) {
    let httpStatus: number | undefined;
    let contentType: string | undefined;
    if (type === 'response') {
      const http = await readHeaderBlock(src, MAX_HTTP_HEADER_BYTES, contentLength);
      if ('kind' in http && http.kind === 'too-long') return { kind: 'damage', reason: 'malformed', message: `no end of the HTTP header within ${MAX_HTTP_HEADER_BYTES} bytes`, contentStart };
      if ('kind' in http && http.kind === 'cut') return cut(http.got);
      // Without a blank line the whole content is the header, as warcio reads it.
      const block = 'bytes' in http ? http.bytes : undefined;
      if (block) {
        const parsed = parseHeaderBlock(block);
        const status = /^HTTP\/\S+\s+(\d{3})\b/.exec(parsed.statusline);
        if (status) httpStatus = Number(status[1]);
        contentType = parsed.headers.get('content-type') ?? undefined;
      }
      rest -= src.position - contentStart;
    } else {
      contentType = headers.get('content-type') ?? undefined;
    }
    const common = { url: headers.get('warc-target-uri') ?? '', timestamp: isoToTimestamp(headers.get('warc-date') ?? '') ?? '', httpStatus, contentType };
    if (rest > maxPayloadBytes) {
      capture = { ...common, payload: new Uint8Array(), tooLargeBytes: rest };
    } else {
      const payload = await readExactly(src, rest);
      if (payload.length < rest) return cut(contentLength - rest + payload.length);
      capture = { ...common, payload };
      rest = 0;
    }
  }
  if (rest > 0) {
    const skipped = await src.skip(rest);
    if (skipped === 'abandoned') return { kind: 'abandoned', capture };
    if (skipped < rest) return cut(contentLength - rest + skipped);
  }
  const contentEnd = src.position;
  const next = await afterContent(src);
  return { kind: 'record', capture, contentStart, contentEnd, next, nextStart: src.position };
}

/** A capture, a record of another type (counted: a WARC of request records only is still a WARC), or damage. */
type Item = { capture: WarcCapture } | { other: number } | { damage: WarcDamage };

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
async function* plainItems(path: string, file: BlockFile, start: number, limit: number, maxPayloadBytes: number): AsyncGenerator<Item> {
  let pos = start;
  const budget = new ResyncBudget();
  let resynced = false;
  while (pos < limit) {
    const src = new FileSource(file, pos, limit);
    if (pos === start && (await afterContent(src)) === 'end') return; // leading newlines only
    const recordStart = src.position;
    const out = await readRecord(src, maxPayloadBytes);
    if (out.kind === 'end') return;
    const whole = out.kind === 'record' && out.next !== 'junk';
    if (resynced && !whole) { budget.candidates++; budget.bytes += src.position - recordStart; }
    resynced = !whole;
    if (out.kind === 'record' && out.next !== 'junk') {
      yield out.capture ? { capture: { ...out.capture, offset: recordStart, length: src.position - recordStart } } : { other: recordStart };
      pos = src.position;
      continue;
    }
    // Resynchronise on the next version line: from inside the content when the record's length
    // is in doubt (a short record's successor starts there), else just past this record's start.
    const from = (out.kind === 'record' || out.kind === 'damage') && out.contentStart !== undefined ? out.contentStart : recordStart + 1;
    const next = budget.exhausted ? -1 : await findNextLine(file, from, limit);
    const until = next < 0 ? limit : next;
    if (out.kind === 'record' && until >= out.contentEnd) {
      // The record is whole; what follows it up to the next record is junk.
      yield out.capture ? { capture: { ...out.capture, offset: recordStart, length: out.nextStart - recordStart } } : { other: recordStart };
      yield { damage: { file: path, offset: out.nextStart, length: until - out.nextStart, reason: 'malformed', message: `${until - out.nextStart} bytes after a record are not a WARC record${budget.note}` } };
    } else if (out.kind === 'record') {
      yield { damage: { file: path, offset: recordStart, length: until - recordStart, reason: 'short', message: `the record is shorter than its Content-Length: the next record starts ${until - out.contentStart} bytes into its ${out.contentEnd - out.contentStart} declared bytes${budget.note}` } };
    } else if (out.kind === 'damage') {
      yield { damage: { file: path, offset: recordStart, length: until - recordStart, reason: out.reason, message: out.message + budget.note } };
    }
    if (next < 0) return;
    pos = next;
  }
}

/** Records of a gzipped WARC, member by member, between `start` and `limit`. */
async function* gzipItems(path: string, file: BlockFile, start: number, limit: number, maxPayloadBytes: number): AsyncGenerator<Item> {
  let pos = start;
  const budget = new ResyncBudget();
  let resynced = false;
  const damaged = async function* (offset: number, reason: WarcDamageReason, message: string, from: number): AsyncGenerator<Item, number> {
    if (resynced) budget.candidates++; // a member found by its header that still failed
    const next = await findNextMember(file, from, limit, budget);
    resynced = true;
    yield { damage: { file: path, offset, length: (next < 0 ? limit : next) - offset, reason, message: message + budget.note } };
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
        const out = await readRecord(member, maxPayloadBytes);
        if (out.kind === 'end') { resume = member.end!; resynced = false; break; } // read() returned null: the member ended, verified
        if (out.kind === 'abandoned') {
          // From just past this member's start, not from where zlib stopped: damaged deflate data
          // can run on into the next member's bytes, and no header inside this one passes as a record.
          const next = await findNextMember(file, pos + 1, limit, budget);
          yield out.capture ? { capture: { ...out.capture, offset: pos, length: first ? (next < 0 ? limit : next) - pos : 0 } } : { other: pos };
          if (next < 0 && budget.exhausted) yield { damage: { file: path, offset: pos, length: limit - pos, reason: 'malformed', message: `after a record too large to read${budget.note}` } };
          resynced = false;
          resume = next < 0 ? limit : next;
          break;
        }
        if (out.kind === 'damage' || out.next === 'junk') {
          await member.abandon();
          const message = out.kind === 'damage' ? out.message : 'bytes after the record’s content are not a WARC record';
          const next = yield* damaged(pos, out.kind === 'damage' ? out.reason : 'malformed', message, pos + 1);
          resume = next < 0 ? limit : next;
          break;
        }
        if (out.next === 'end') {
          yield out.capture ? { capture: { ...out.capture, offset: pos, length: first ? member.end! - pos : 0 } } : { other: pos }; // ended: end is set
          resynced = false;
          resume = member.end!;
          break;
        }
        yield out.capture ? { capture: { ...out.capture, offset: pos, length: 0 } } : { other: pos }; // more records share this member
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
async function* warcItems(path: string, options: WarcReadOptions, range?: { offset: number; length: number }): AsyncGenerator<Item> {
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_EXTRACT_OPTIONS.maxPageBytes;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new SalvageError('INPUT_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, { cause: error, subject: path });
  }
  try {
    const size = (await handle.stat()).size;
    const file = new BlockFile(handle, size);
    const start = range?.offset ?? 0;
    const limit = range ? Math.min(size, range.offset + range.length) : size;
    const head = await file.read(start, 2);
    // By content, not name; a `.gz` name whose first member is damaged is still read member by member.
    const gzipped = head[0] === 0x1f && head[1] === 0x8b ? true : head[0] === WARC_START[0] ? false : !range && /\.gz$/i.test(path);
    yield* (gzipped ? gzipItems : plainItems)(path, file, start, limit, maxPayloadBytes);
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
    throw new SalvageError('WARC_MALFORMED', `${path}: ${damages.length} damaged stretch${damages.length === 1 ? '' : 'es'}, the first at offset ${first.offset}: ${first.message}`, { subject: path });
  }
  if (records === 0) throw new SalvageError('WARC_MALFORMED', `${path}: no WARC records found (is it a WARC file?)`, { subject: path });
}

/**
 * The one capture record at `offset`, `length` bytes long (a gzip member or a plain record), read
 * with the same caps. Throws WARC_MALFORMED, naming the offset, when those bytes are not exactly
 * one whole capture record.
 */
export async function readWarcCaptureAt(path: string, offset: number, length: number, options: Omit<WarcReadOptions, 'onDamage'> = {}): Promise<WarcCapture> {
  let found: WarcCapture | undefined;
  for await (const item of warcItems(path, options, { offset, length })) {
    if ('damage' in item) throw new SalvageError('WARC_MALFORMED', `${path}: the record at offset ${offset} is damaged: ${item.damage.message}`, { subject: path });
    if (found || !('capture' in item)) { found = undefined; break; }
    found = item.capture;
  }
  if (!found || found.offset !== offset || (found.length !== length && found.tooLargeBytes === undefined)) {
    throw new SalvageError('WARC_MALFORMED', `${path}: no whole WARC capture record of ${length} bytes at offset ${offset} (the crawl state and the file disagree)`, { subject: path });
  }
  return found;
}
