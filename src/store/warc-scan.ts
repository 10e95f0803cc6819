/**
 * Member-level checks of salvage's WARC files, trusting nothing: each record is one gzip member,
 * and a member counts as a record only when it inflates completely (trailer CRC and size right)
 * and holds a WARC header block with at least `Content-Length` bytes after it. Used to adopt
 * records the crawl state does not know (a crash between write and commit, a lost state), to
 * check the records the state lists, and to read one record back by its offset.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';

/**
 * The largest record accepted: the Wayback client refuses bodies over 64 MiB (its maxBodyBytes
 * default), plus room for headers. Inflating stops here, so a gzip bomb costs at most this.
 */
export const MAX_RECORD_BYTES = 80 * 1024 * 1024;
/** WARC and HTTP headers are looked for in this much of a record's start (salvage writes < 4 KB). */
export const RECORD_HEAD_BYTES = 64 * 1024;
/** Members whose deflate data ends within this window and inflates to at most FAST_OUTPUT_BYTES take one call. */
const FAST_WINDOW_BYTES = 256 * 1024;
const FAST_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Bytes read from the file at a time. */
const CHUNK_BYTES = 256 * 1024;
/** A gzip member starts with ID1 ID2 CM=deflate (RFC 1952 §2.3). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);
const CRLF2 = Buffer.from('\r\n\r\n');

/** What a record's headers say. */
export interface RecordHead {
  /** WARC header names in lower case. */
  warc: Map<string, string>;
  type: string;
  targetUri: string;
  date: string;
  httpStatus: number | undefined;
  contentType: string | undefined;
}

export type MemberResult =
  /** A whole record: `length` compressed bytes from `offset`. */
  | { kind: 'record'; offset: number; length: number; head: RecordHead; payload?: Uint8Array }
  /** The bytes end inside this member: `available` bytes of it are there. */
  | { kind: 'incomplete'; offset: number; available: number; detail: string }
  /** Not a record (bad gzip, bad CRC, not WARC, shorter than its Content-Length…). */
  | { kind: 'damaged'; offset: number; detail: string };

/** An open file and the last block read from it (members are read in order, mostly from one block). */
export interface ScanSource {
  fd: number;
  block: Buffer;
  blockAt: number;
}

/** A block this large is read at a time: a few typical members. */
const BLOCK_BYTES = 1024 * 1024;

function readAt(src: ScanSource, position: number, length: number): Buffer {
  if (length <= 0) return Buffer.alloc(0);
  if (position >= src.blockAt && position + length <= src.blockAt + src.block.length) {
    return src.block.subarray(position - src.blockAt, position - src.blockAt + length);
  }
  const want = Math.max(length, BLOCK_BYTES);
  const buf = Buffer.allocUnsafe(want);
  let got = 0;
  while (got < want) {
    const n = readSync(src.fd, buf, got, want - got, position + got);
    if (n === 0) break;
    got += n;
  }
  src.block = buf.subarray(0, got);
  src.blockAt = position;
  return src.block.subarray(0, Math.min(length, got));
}

/** Length of the gzip header at the start of `b` (RFC 1952 §2.3), 0 when it is not whole in `b`. */
function gzipHeaderLength(b: Buffer): number {
  if (b.length < 10) return 0;
  const flags = b[3]!;
  let p = 10;
  if (flags & 0x04) {
    if (b.length < p + 2) return 0;
    p += 2 + b.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const z = b.indexOf(0, p);
      if (z < 0) return 0;
      p = z + 1;
    }
  }
  if (flags & 0x02) p += 2;
  return p <= b.length ? p : 0;
}

/** Parse `Name: value` lines up to the first blank line; undefined when there is none in `b`. */
function parseHeaderBlock(b: Buffer): { statusline: string; headers: Map<string, string>; end: number } | undefined {
  const end = b.indexOf(CRLF2);
  if (end < 0) return undefined;
  const lines = b.subarray(0, end).toString('utf8').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { statusline: lines[0] ?? '', headers, end: end + 4 };
}

interface Inflated {
  deflateBytes: number;
  outBytes: number;
  crc: number;
  /** The inflated bytes, or their first `keepLimit`. */
  out: Buffer;
}

/**
 * Most members (a page is ~5–30 KB compressed) inflate in one synchronous call: zlib stops at the
 * end of the deflate stream and reports the input it took. Undefined when the member is longer
 * than the window, inflates past the cap, or is damaged: the streaming path decides those.
 */
function inflateSmall(fd: ScanSource, from: number, end: number): Inflated | undefined {
  const window = readAt(fd, from, Math.min(FAST_WINDOW_BYTES, end - from));
  try {
    const { buffer, engine } = inflateRawSync(window, {
      info: true,
      maxOutputLength: FAST_OUTPUT_BYTES,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { deflateBytes: engine.bytesWritten, outBytes: buffer.length, crc: crc32(buffer), out: buffer };
  } catch {
    return undefined;
  }
}

/** Inflate a member chunk by chunk, keeping `keepLimit` bytes: bounded memory for any size. */
async function inflateStreaming(
  fd: ScanSource,
  offset: number,
  headerLength: number,
  end: number,
  keepLimit: number,
): Promise<Inflated | Exclude<MemberResult, { kind: 'record' }>> {
  const inflate = createInflateRaw();
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let outBytes = 0;
  let crc = 0;
  let tooLarge = false;
  inflate.on('data', (d: Buffer) => {
    outBytes += d.length;
    crc = crc32(d, crc);
    if (keptBytes < keepLimit) {
      kept.push(d);
      keptBytes += d.length;
    }
    if (outBytes > MAX_RECORD_BYTES) {
      tooLarge = true;
      inflate.destroy();
    }
  });
  const settled = new Promise<Error | undefined>((resolve) => {
    inflate.once('end', () => resolve(undefined));
    inflate.once('error', (e) => resolve(e));
    inflate.once('close', () => resolve(tooLarge ? new Error('too large') : undefined));
  });
  let done = false;
  void settled.then(() => {
    done = true;
  });
  let pos = offset + headerLength;
  while (!done && pos < end) {
    const chunk = readAt(fd, pos, Math.min(CHUNK_BYTES, end - pos));
    if (chunk.length === 0) break;
    pos += chunk.length;
    if (!inflate.write(chunk)) await Promise.race([new Promise((ok) => inflate.once('drain', ok)), settled]);
  }
  if (!done) inflate.end();
  const error = await settled;
  if (tooLarge) return { kind: 'damaged', offset, detail: `inflates to more than ${MAX_RECORD_BYTES} bytes` };
  if (error) {
    // Z_BUF_ERROR: the input ended inside the deflate stream.
    return (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR'
      ? { kind: 'incomplete', offset, available: pos - offset, detail: 'the gzip member is cut short' }
      : { kind: 'damaged', offset, detail: `bad gzip data (${error.message})` };
  }
  return { deflateBytes: inflate.bytesWritten, outBytes, crc, out: Buffer.concat(kept, keptBytes) };
}

/**
 * The gzip member at `offset`, read no further than `end` (the file's size, or offset + length
 * when the state says how long the record is). `keepPayload` returns the HTTP payload too.
 */
export async function readMember(
  fd: ScanSource,
  offset: number,
  end: number,
  keepPayload = false,
): Promise<MemberResult> {
  const first = readAt(fd, offset, Math.min(RECORD_HEAD_BYTES, end - offset));
  if (
    first.length < 3 ? !GZIP_MAGIC.subarray(0, first.length).equals(first) : !first.subarray(0, 3).equals(GZIP_MAGIC)
  ) {
    return { kind: 'damaged', offset, detail: 'not a gzip member' };
  }
  const headerLength = gzipHeaderLength(first);
  if (headerLength === 0) {
    return first.length < RECORD_HEAD_BYTES && offset + first.length >= end
      ? { kind: 'incomplete', offset, available: first.length, detail: 'the gzip header is cut short' }
      : { kind: 'damaged', offset, detail: 'bad gzip header' };
  }
  const keepLimit = keepPayload ? MAX_RECORD_BYTES : RECORD_HEAD_BYTES;
  let inflated = inflateSmall(fd, offset + headerLength, end);
  if (!inflated) {
    const streamed = await inflateStreaming(fd, offset, headerLength, end, keepLimit);
    if ('kind' in streamed) return streamed;
    inflated = streamed;
  }
  const { deflateBytes, outBytes, crc, out } = inflated;
  const trailerAt = offset + headerLength + deflateBytes;
  const trailer = readAt(fd, trailerAt, Math.min(8, Math.max(0, end - trailerAt)));
  if (trailer.length < 8)
    return {
      kind: 'incomplete',
      offset,
      available: trailerAt + trailer.length - offset,
      detail: 'the gzip trailer is cut short',
    };
  if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== outBytes % 2 ** 32)
    return { kind: 'damaged', offset, detail: 'gzip checksum mismatch' };
  const length = trailerAt + 8 - offset;
  const warc = parseHeaderBlock(out.subarray(0, RECORD_HEAD_BYTES));
  if (!warc || !warc.statusline.startsWith('WARC/')) return { kind: 'damaged', offset, detail: 'no WARC header' };
  const declared = Number(warc.headers.get('content-length'));
  if (!Number.isSafeInteger(declared) || declared < 0)
    return { kind: 'damaged', offset, detail: 'no valid Content-Length' };
  if (outBytes < warc.end + declared)
    return {
      kind: 'damaged',
      offset,
      detail: `record shorter than its Content-Length (${outBytes - warc.end} of ${declared} bytes)`,
    };
  const type = warc.headers.get('warc-type') ?? '';
  let httpStatus: number | undefined;
  let contentType: string | undefined;
  let payload: Uint8Array | undefined;
  if (type === 'response' || type === 'revisit') {
    const http = parseHeaderBlock(out.subarray(warc.end, Math.min(warc.end + declared, RECORD_HEAD_BYTES)));
    const status = http && /^HTTP\/\S+\s+(\d{3})/.exec(http.statusline);
    if (status) httpStatus = Number(status[1]);
    contentType = http?.headers.get('content-type');
    if (keepPayload) payload = out.subarray(warc.end + (http ? http.end : 0), warc.end + declared);
  } else if (keepPayload) {
    payload = out.subarray(warc.end, warc.end + declared);
  }
  const head: RecordHead = {
    warc: warc.headers,
    type,
    targetUri: warc.headers.get('warc-target-uri') ?? '',
    date: warc.headers.get('warc-date') ?? '',
    httpStatus,
    contentType,
  };
  return { kind: 'record', offset, length, head, ...(payload ? { payload } : {}) };
}

/** The next offset at or after `from` where a gzip member could start, or -1. */
function nextMagic(fd: ScanSource, from: number, size: number): number {
  for (let pos = from; pos < size; pos += CHUNK_BYTES) {
    const b = readAt(fd, pos, Math.min(CHUNK_BYTES + 2, size - pos));
    const i = b.indexOf(GZIP_MAGIC);
    if (i >= 0 && i < CHUNK_BYTES) return pos + i;
  }
  return -1;
}

/** A stretch of bytes that holds no record: from `offset`, `bytes` long. */
export interface DamagedStretch {
  kind: 'damaged' | 'incomplete';
  offset: number;
  bytes: number;
  detail: string;
}

/**
 * Every record of a file from `from` on, in order, and every stretch of bytes between them that
 * holds none. After damage the scan goes on at the next gzip header, so one bad member hides no
 * record after it. A stretch is `incomplete` when it runs to the end of the file and starts with
 * a member the end cuts (a write cut by a crash), `damaged` otherwise. `to` ends the scan there
 * instead of at the file's end: a snapshot of a file a running crawl may still append to.
 */
export async function* scanMembers(
  path: string,
  from = 0,
  to?: number,
): AsyncGenerator<Extract<MemberResult, { kind: 'record' }> | DamagedStretch> {
  const handle = openSync(path, 'r');
  const fd: ScanSource = { fd: handle, block: Buffer.alloc(0), blockAt: 0 };
  try {
    const size = Math.min(fstatSync(handle).size, to ?? Infinity);
    let pos = from;
    let bad: Exclude<MemberResult, { kind: 'record' }> | undefined;
    while (pos < size) {
      const m = await readMember(fd, pos, size);
      if (m.kind === 'record') {
        if (bad) {
          yield { kind: 'damaged', offset: bad.offset, bytes: pos - bad.offset, detail: bad.detail };
          bad = undefined;
        }
        yield m;
        pos += m.length;
        continue;
      }
      bad ??= m;
      const next = nextMagic(fd, pos + 1, size);
      if (next < 0) break;
      pos = next;
    }
    if (bad) yield { kind: bad.kind, offset: bad.offset, bytes: size - bad.offset, detail: bad.detail };
  } finally {
    closeSync(handle);
  }
}
