/**
 * Reading a record file byte by byte, the same way whether it is plain or one gzip member at a
 * time: positional sources that can put bytes back, and the header blocks WARC and HTTP share.
 */
import { FILE_BLOCK_BYTES, type BlockFile } from './gzip-member.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LF_CRLF = Buffer.from('\n\r\n');
const LFLF = Buffer.from('\n\n');
const LF = 10;

export interface ByteSource {
  /** Bytes handed out so far (a file offset for a plain WARC, an inflated offset in a member). */
  position: number;
  read(): Promise<Uint8Array | null>;
  unread(bytes: Uint8Array): void;
  skip(n: number): Promise<number | 'abandoned'>;
}

/** A plain WARC: positional reads, so putting back and skipping only move the position. */
export class FileSource implements ByteSource {
  constructor(
    private readonly file: BlockFile,
    public position: number,
    private readonly limit: number,
  ) {}
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
  skip(n: number): Promise<number> {
    const k = Math.max(0, Math.min(n, this.limit - this.position));
    this.position += k;
    return Promise.resolve(k);
  }
}

/**
 * Another source, each of whose bytes from where it stands up to `end` is handed to `tap` once,
 * in order, however often it is put back and read again: a record's block digested as the reader
 * parses it (warc-digest.ts). Skipping reads through, so no byte escapes the tap.
 */
export class TapSource implements ByteSource {
  /** Bytes before this offset were tapped. */
  private tapped: number;

  constructor(
    readonly inner: ByteSource,
    private readonly tap: (bytes: Uint8Array) => void,
    private readonly end: number,
  ) {
    this.tapped = inner.position;
  }

  get position(): number {
    return this.inner.position;
  }

  set position(value: number) {
    this.inner.position = value;
  }

  async read(): Promise<Uint8Array | null> {
    const at = this.inner.position;
    const chunk = await this.inner.read();
    if (chunk === null) return null;
    const from = Math.max(this.tapped, at);
    const to = Math.min(this.end, at + chunk.length);
    if (to > from) {
      this.tap(chunk.subarray(from - at, to - at));
      this.tapped = to;
    }
    return chunk;
  }

  unread(bytes: Uint8Array): void {
    this.inner.unread(bytes);
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const chunk = await this.read();
      if (chunk === null) break;
      const take = Math.min(chunk.length, n - skipped);
      if (take < chunk.length) this.unread(chunk.subarray(take));
      skipped += take;
    }
    return skipped;
  }
}

/** The next bytes, at most `max` of them (the rest put back), or null at the end. */
export async function readAtMost(src: ByteSource, max: number): Promise<Uint8Array | null> {
  const chunk = await src.read();
  if (chunk === null || chunk.length <= max) return chunk;
  src.unread(chunk.subarray(max));
  return chunk.subarray(0, max);
}

export type HeaderBlock = { bytes: Buffer } | { kind: 'end' | 'cut' | 'unterminated' | 'too-long'; got: number };

/**
 * Where the block in `bytes` ends (just after its blank line), searching from `from`, or -1. WARC
 * blocks end at CRLFCRLF (WARC 1.1 §4). HTTP blocks also end at a blank line of bare LFs, as
 * Python's warcio and HTTP parsers read them (RFC 9112 §2.2 lets a recipient accept a bare LF):
 * some tools record servers' headers with LF line ends.
 */
export function blockEnd(bytes: Buffer, from: number, bareLf: boolean): number {
  if (!bareLf) {
    const at = bytes.indexOf(CRLFCRLF, from);
    return at < 0 ? -1 : at + 4;
  }
  const crlf = bytes.indexOf(LF_CRLF, from);
  const lf = bytes.indexOf(LFLF, from);
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return lf + 2;
  return crlf < 0 ? -1 : crlf + 3;
}

/**
 * The bytes up to and including the first blank line, reading no more than `within` bytes and
 * looking no further than `max`: `end` when nothing is left, `cut` when the source ends inside,
 * `unterminated` when all `within` bytes hold no blank line, `too-long` past `max`. `bareLf`
 * accepts a blank line of bare LFs too (HTTP blocks; see blockEnd).
 */
export async function readHeaderBlock(
  src: ByteSource,
  max: number,
  within = Infinity,
  { bareLf = false }: { bareLf?: boolean } = {},
): Promise<HeaderBlock> {
  const scan = Math.min(max, within);
  let acc: Buffer = Buffer.alloc(0);
  while (true) {
    const chunk = await readAtMost(src, scan - acc.length);
    if (chunk === null) return { kind: acc.length === 0 ? 'end' : 'cut', got: acc.length };
    const from = Math.max(0, acc.length - 3);
    acc = acc.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : Buffer.concat([acc, chunk]);
    const end = blockEnd(acc, from, bareLf);
    if (end >= 0) {
      src.unread(acc.subarray(end));
      return { bytes: acc.subarray(0, end) };
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
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
    last = name;
  }
  return { statusline: (lines[0] ?? '').trimEnd(), headers };
}

/** Read `n` bytes into one buffer: fewer when the source ends first. */
export async function readExactly(src: ByteSource, n: number): Promise<Uint8Array> {
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

/**
 * One line, up to and including its LF, reading no more than `max` bytes: null at the end of the
 * source, `too-long` when `max` bytes hold no LF (the bytes read are put back).
 */
export async function readLine(src: ByteSource, max: number): Promise<Buffer | null | 'too-long'> {
  let acc: Buffer = Buffer.alloc(0);
  while (true) {
    const chunk = await readAtMost(src, max - acc.length);
    if (chunk === null) return acc.length === 0 ? null : acc;
    const at = chunk.indexOf(LF);
    if (at >= 0) {
      src.unread(chunk.subarray(at + 1));
      return Buffer.concat([acc, chunk.subarray(0, at + 1)]);
    }
    acc = Buffer.concat([acc, chunk]);
    if (acc.length >= max) {
      src.unread(acc);
      return 'too-long';
    }
  }
}
