/**
 * Gzip members of a `.warc.gz`, one at a time (WARC 1.1 annex D: each record is its own member).
 * A member is inflated on its own, so where it ends is known from the deflate stream itself and a
 * damaged member costs that member only: the reader resynchronises on the next gzip header.
 */
import type { FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, crc32, createInflateRaw, inflateRawSync, type InflateRaw } from 'node:zlib';

/** A member starts with ID1 ID2 and CM = 8, deflate (RFC 1952 §2.3.1). */
export const GZIP_MAGIC = Uint8Array.from([0x1f, 0x8b, 0x08]);
/** FNAME, FCOMMENT and FEXTRA are looked for this far (writers put a file name there, if anything). */
const MAX_GZIP_HEADER_BYTES = 64 * 1024;
/** Bytes read from the file at a time (a salvage record is ~5–30 KB compressed: a block holds many). */
export const FILE_BLOCK_BYTES = 256 * 1024;
/** Compressed bytes fed to the inflater at a time: with ratios up to 1032:1 one feed inflates ≤ 16 MiB. */
const FEED_BYTES = 16 * 1024;
/** Inflated bytes handed over at a time. */
const INFLATE_CHUNK_BYTES = 64 * 1024;
/**
 * Skipping an unwanted record inside a member inflates and discards it; past this many bytes the
 * member is abandoned and the next one found by its header instead (a 3 GiB gzip bomb is skipped in
 * milliseconds, not the ~5 s inflating it would take). Measured 2026-12-06: ~650 MB/s inflating zeros.
 */
export const MAX_SKIP_INFLATE_BYTES = 64 * 1024 * 1024;
/**
 * A candidate header found by scanning counts as a member when this much of its deflate data
 * inflates to the start of a WARC record: a real record's first bytes ("WARC/1.") come out of the
 * first block, and a stray 1f 8b 08 inside compressed data fails this almost always.
 */
const TRIAL_INPUT_BYTES = 1024; // a dynamic block's tables take < 300 bytes, five literals a few more
/** Deflate expands at most 1032:1, so a trial's output is bounded by this. */
const TRIAL_OUTPUT_BYTES = TRIAL_INPUT_BYTES * 1100;
const WARC_START = Buffer.from('WARC/');
/**
 * Fast path: a member whose deflate data ends within this many bytes and inflates to at most
 * FAST_MAX_OUTPUT_BYTES is inflated in one synchronous call (a stream per member made reading
 * twice as slow as warcio: 5,000 records of 18 KB, 2026-12-06); anything else is streamed.
 */
const FAST_WINDOW_BYTES = 256 * 1024;
const FAST_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Positional reads of one file, the last block kept (members are read in order). */
export class BlockFile {
  private block: Buffer = Buffer.alloc(0);
  private blockAt = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** The bytes already in memory from `position` up to `limit` (often empty). */
  cached(position: number, limit: number): Buffer {
    if (position < this.blockAt || position >= this.blockAt + this.block.length) return Buffer.alloc(0);
    return this.block.subarray(position - this.blockAt, Math.min(this.block.length, limit - this.blockAt));
  }

  /**
   * Some bytes at `position`, at most `max`: what is in memory from there if anything (a reader
   * walking the file takes block after block without copying), else a new block.
   */
  async readSome(position: number, max = FILE_BLOCK_BYTES): Promise<Buffer> {
    if (position >= this.blockAt && position < this.blockAt + this.block.length) {
      return this.block.subarray(position - this.blockAt, Math.min(this.block.length, position - this.blockAt + max));
    }
    return this.read(position, max);
  }

  /** Up to `max` bytes at `position` (fewer at the end of the file; empty past it). */
  async read(position: number, max = FILE_BLOCK_BYTES): Promise<Buffer> {
    const want = Math.max(0, Math.min(max, this.size - position));
    if (want === 0) return Buffer.alloc(0);
    if (position >= this.blockAt && position + want <= this.blockAt + this.block.length) {
      return this.block.subarray(position - this.blockAt, position - this.blockAt + want);
    }
    const length = Math.min(Math.max(want, FILE_BLOCK_BYTES), this.size - position);
    const buffer = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.handle.read(buffer, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.block = buffer.subarray(0, got);
    this.blockAt = position;
    return this.block.subarray(0, Math.min(want, got));
  }
}

/**
 * Length of the gzip header at the start of `b` (RFC 1952 §2.3), `incomplete` when `b` ends inside
 * it (with `atEnd`: the file does), `invalid` when it is not one.
 */
export function gzipHeaderLength(b: Uint8Array, atEnd: boolean): number | 'incomplete' | 'invalid' {
  const short = atEnd ? 'incomplete' : 'invalid';
  for (let i = 0; i < 3; i++) {
    if (i >= b.length) return short;
    if (b[i] !== GZIP_MAGIC[i]) return 'invalid';
  }
  if (b.length < 10) return short;
  const flags = b[3]!; // length checked above
  if (flags & 0xe0) return 'invalid'; // reserved bits must be zero
  let p = 10;
  if (flags & 0x04) {
    if (b.length < p + 2) return short;
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  for (const bit of [0x08, 0x10]) {
    if (!(flags & bit)) continue;
    const z = b.indexOf(0, p);
    if (z < 0) return short;
    p = z + 1;
  }
  if (flags & 0x02) p += 2;
  return p <= b.length ? p : short;
}

/** Why a member could not be read whole. */
export class MemberDamage extends Error {
  constructor(
    readonly reason: 'gzip' | 'truncated',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The inflated bytes of one member, pulled chunk by chunk with backpressure: the inflater runs at
 * most one feed ahead of the reader. `read()` returns null once the member ended and its trailer
 * (CRC-32, size) matched; it throws MemberDamage for bad data, a bad trailer or a file cut inside.
 */
export class MemberSource {
  private readonly inflate: InflateRaw | undefined;
  private readonly output: AsyncIterator<Buffer> | undefined;
  /** The fast path's whole output, until handed out. */
  private whole: Buffer | undefined;
  private pending: Uint8Array[] = [];
  private fed = 0;
  private crc = 0;
  private inflated = 0;
  private ended = false;
  /** Decompressed bytes handed out so far (less those put back). */
  position = 0;
  /** Once the member ended: the offset just past its trailer. */
  end: number | undefined;

  /** `prefetched`: the fast path's whole output and the deflate bytes it took. */
  constructor(
    private readonly file: BlockFile,
    readonly offset: number,
    private readonly dataStart: number,
    private readonly limit: number,
    prefetched?: { output: Buffer; consumed: number },
  ) {
    if (prefetched) {
      this.whole = prefetched.output;
      this.fed = prefetched.consumed;
      return;
    }
    const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
    inflate.on('error', () => {
      /* surfaced by the output iterator */
    });
    this.inflate = inflate;
    this.output = inflate[Symbol.asyncIterator]();
    void this.pump(inflate);
  }

  /** Deflate bytes zlib has taken so far. */
  private get consumed(): number {
    return this.inflate ? this.inflate.bytesWritten : this.fed;
  }

  private async pump(inflate: InflateRaw): Promise<void> {
    try {
      await this.feed(inflate);
    } catch (error) {
      inflate.destroy(error as Error); // an I/O error: the reader sees it as this member's damage
    }
  }

  private async feed(inflate: InflateRaw): Promise<void> {
    let at = this.dataStart;
    while (!inflate.destroyed) {
      if (at >= this.limit) {
        inflate.end();
        return;
      }
      const block = await this.file.read(at, Math.min(FEED_BYTES, this.limit - at));
      if (block.length === 0) {
        inflate.end();
        return;
      }
      at += block.length;
      // The callback runs once zlib has taken the block, which waits for the reader (backpressure).
      await new Promise<void>((resolve) => {
        const closed = (): void => resolve();
        inflate.once('close', closed);
        inflate.write(block, () => {
          inflate.off('close', closed);
          resolve();
        });
      });
      this.fed += block.length;
      // zlib took less than it was given: the deflate stream ended inside this block.
      if (inflate.bytesWritten < this.fed) {
        if (!inflate.destroyed) inflate.end();
        return;
      }
    }
  }

  /** The next inflated bytes, or null at the member's (verified) end. */
  async read(): Promise<Uint8Array | null> {
    const put = this.pending.pop();
    if (put) {
      this.position += put.length;
      return put;
    }
    if (this.ended) return null;
    if (!this.output) {
      const whole = this.whole;
      this.whole = undefined;
      if (whole && whole.length > 0) return this.took(whole);
      this.ended = true;
      await this.checkTrailer();
      return null;
    }
    let next: IteratorResult<Buffer>;
    try {
      next = await this.output.next();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Z_BUF_ERROR at the end of the input: the file ends inside the deflate stream.
      if (code === 'Z_BUF_ERROR') throw new MemberDamage('truncated', 'the file ends inside this gzip member');
      throw new MemberDamage('gzip', `bad gzip data (${(error as Error).message})`);
    }
    if (next.done) {
      this.ended = true;
      await this.checkTrailer();
      return null;
    }
    return this.took(next.value);
  }

  private took(chunk: Buffer): Buffer {
    this.crc = crc32(chunk, this.crc);
    this.inflated += chunk.length;
    this.position += chunk.length;
    return chunk;
  }

  private async checkTrailer(): Promise<void> {
    const at = this.dataStart + this.consumed;
    const trailer = await this.file.read(at, 8);
    if (at + 8 > this.limit || trailer.length < 8)
      throw new MemberDamage('truncated', 'the file ends inside this gzip member’s trailer');
    if (trailer.readUInt32LE(0) !== this.crc >>> 0)
      throw new MemberDamage('gzip', 'the gzip member’s CRC-32 does not match its data');
    if (trailer.readUInt32LE(4) !== this.inflated % 2 ** 32)
      throw new MemberDamage('gzip', 'the gzip member’s size does not match its data');
    this.end = at + 8;
  }

  /** Put bytes back: the next read returns them first. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.position -= bytes.length;
  }

  /**
   * Skip `n` bytes: how many were skipped (fewer when the member ends first), or `abandoned` once
   * skipping would inflate more than MAX_SKIP_INFLATE_BYTES (the member is then closed).
   */
  async skip(n: number): Promise<number | 'abandoned'> {
    let skipped = 0;
    let discarded = 0;
    while (skipped < n) {
      const chunk = await this.read();
      if (chunk === null) return skipped;
      const take = Math.min(chunk.length, n - skipped);
      if (take < chunk.length) this.unread(chunk.subarray(take));
      skipped += take;
      discarded += take;
      if (discarded > MAX_SKIP_INFLATE_BYTES && skipped < n) {
        await this.abandon();
        return 'abandoned';
      }
    }
    return skipped;
  }

  /** Stop inflating (the caller finds the next member by its header). */
  async abandon(): Promise<void> {
    if (
      this.ended &&
      this.pending.length === 0 &&
      this.whole === undefined &&
      (!this.inflate || this.inflate.destroyed)
    )
      return;
    this.ended = true;
    this.pending = [];
    this.whole = undefined;
    await this.close();
  }

  /** Release the inflater (after an error, or when the caller stops early). */
  async close(): Promise<void> {
    if (this.inflate && !this.inflate.destroyed) {
      await this.output?.return?.();
      this.inflate.destroy();
    }
  }
}

/**
 * What the first deflate block (RFC 1951 §3.2.3) says about starting with "WARC/", without zlib
 * where it is cheap: a reserved block type is no member; a stored block's length check and bytes,
 * and a fixed-Huffman block's first five 8-bit literal codes (§3.2.6), are read directly. Dynamic
 * blocks (most real members) need the trial inflate. A hostile file of fake headers thus costs a
 * few operations per candidate unless it uses dynamic blocks, which the resync budget bounds.
 */
function firstBlockSays(data: Uint8Array): boolean | 'inflate' {
  if (data.length < 1) return false;
  const type = (data[0]! >> 1) & 3;
  if (type === 3) return false;
  if (type === 2) return 'inflate';
  if (type === 0) {
    if (data.length < 5 + WARC_START.length) return false;
    const length = data[1]! | (data[2]! << 8);
    const check = data[3]! | (data[4]! << 8);
    return (
      (length ^ 0xffff) === check &&
      length >= WARC_START.length &&
      Buffer.from(data.buffer, data.byteOffset + 5, WARC_START.length).equals(WARC_START)
    );
  }
  // Fixed Huffman: literals 0–143 have the 8-bit codes 0x30 + value, sent most significant bit first.
  let bit = 3;
  for (const expected of WARC_START) {
    let code = 0;
    for (let k = 0; k < 8; k++, bit++) {
      const byte = data[bit >> 3];
      if (byte === undefined) return false;
      code = (code << 1) | ((byte >> (bit & 7)) & 1);
    }
    if (code !== 0x30 + expected) return false;
  }
  return true;
}

/**
 * Whether a member starting at `offset` holds the start of a WARC record: its header parses and
 * the first bytes of its deflate data inflate to "WARC/". Cheap and bounded (see TRIAL_INPUT_BYTES).
 */
export async function looksLikeRecordMember(file: BlockFile, offset: number): Promise<boolean> {
  const head = await file.read(offset, MAX_GZIP_HEADER_BYTES + TRIAL_INPUT_BYTES);
  const headerLength = gzipHeaderLength(head, offset + head.length >= file.size);
  if (typeof headerLength !== 'number') return false;
  const first = firstBlockSays(head.subarray(headerLength));
  if (first !== 'inflate') return first;
  let out: Buffer;
  try {
    out = inflateRawSync(head.subarray(headerLength, headerLength + TRIAL_INPUT_BYTES), {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: TRIAL_OUTPUT_BYTES,
    });
  } catch {
    return false;
  }
  return out.length >= WARC_START.length && out.subarray(0, WARC_START.length).equals(WARC_START);
}

/**
 * Work spent per file looking for the next record after damage. A real damaged stretch holds a
 * false record start about once per 16 MB of compressed bytes (three given bytes); a hostile file
 * can hold one every three bytes, each costing a trial inflate (~20 µs) or, in a plain WARC, a
 * header read of up to 1 MiB. Past these the rest of the file is reported as one damaged stretch.
 */
export const MAX_RESYNC_CANDIDATES = 5_000;
export const MAX_RESYNC_BYTES = 64 * 1024 * 1024;

export class ResyncBudget {
  candidates = 0;
  bytes = 0;
  get exhausted(): boolean {
    return this.candidates >= MAX_RESYNC_CANDIDATES || this.bytes >= MAX_RESYNC_BYTES;
  }
  /** Appended to a damage message when the search for the next record gave up. */
  get note(): string {
    return this.exhausted
      ? `; gave up looking for the next record after ${this.candidates} false starts, so the rest of the file is not read`
      : '';
  }
}

/** The next offset in [from, limit) where a member holding a WARC record starts, or -1 (none, or the budget is spent). */
export async function findNextMember(
  file: BlockFile,
  from: number,
  limit: number,
  budget: ResyncBudget,
): Promise<number> {
  let pos = from;
  while (pos < limit) {
    const block = await file.readSome(pos, Math.min(FILE_BLOCK_BYTES, limit - pos));
    if (block.length === 0) return -1;
    for (let i = block.indexOf(GZIP_MAGIC); i >= 0; i = block.indexOf(GZIP_MAGIC, i + 1)) {
      if (budget.exhausted) return -1;
      if (await looksLikeRecordMember(file, pos + i)) return pos + i;
      budget.candidates++;
    }
    if (pos + block.length >= limit) return -1;
    // Blocks overlap by two bytes, so a magic straddling two blocks is found in the second.
    pos += Math.max(1, block.length - (GZIP_MAGIC.length - 1));
  }
  return -1;
}

/** Open the member at `offset` (its header checked), or say why there is none. */
export async function openMember(file: BlockFile, offset: number, limit: number): Promise<MemberSource | MemberDamage> {
  let head = file.cached(offset, limit);
  let headerLength = gzipHeaderLength(head, offset + head.length >= limit);
  if (headerLength === 'incomplete' || headerLength === 'invalid') {
    head = await file.read(offset, Math.min(MAX_GZIP_HEADER_BYTES, limit - offset));
    headerLength = gzipHeaderLength(head, offset + head.length >= limit);
  }
  if (headerLength === 'incomplete') return new MemberDamage('truncated', 'the file ends inside a gzip header');
  if (headerLength === 'invalid') return new MemberDamage('gzip', 'no gzip member here (bad gzip header)');
  const dataStart = offset + headerLength;
  const full = Math.min(FAST_WINDOW_BYTES, limit - dataStart);
  // First what is already in memory (small members: the rest of the last block), then a full window.
  const cached = file.cached(dataStart, dataStart + full);
  for (const window of cached.length > 0 && cached.length < full ? [cached, undefined] : [undefined]) {
    const input = window ?? (await file.read(dataStart, full));
    try {
      const { buffer, engine } = inflateRawSync(input, {
        info: true,
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: FAST_MAX_OUTPUT_BYTES,
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } }; // `info: true` changes the result; Node's types miss it
      // zlib stopped taking input before the window's end: the deflate stream ended inside it.
      if (engine.bytesWritten < input.length)
        return new MemberSource(file, offset, dataStart, limit, { output: buffer, consumed: engine.bytesWritten });
    } catch {
      // Too large for the fast path, or damaged: the streaming path reads (and reports) it.
      break;
    }
  }
  return new MemberSource(file, offset, dataStart, limit);
}
