/**
 * The raw captures of an archive: `captures/salvage-NNNNN.warc.gz`, appended one gzip member per
 * record and read back by offset. WARC files are evidence: nothing here deletes or truncates a
 * byte. The crawl state says how many bytes of each file are committed; a file of any other size
 * (a record cut by a crash, bytes lost) is never appended to again: new records go to a new file.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import { readWarcCaptureAt, serializeResponseRecord, type ResponseRecordInput, type WarcCapture } from './warc.js';

/** A new file is started past this size, so no single file grows unwieldy to copy or check. */
export const WARC_ROTATE_BYTES = 1024 * 1024 * 1024;
/** The names salvage gives its WARC files; other files in the folder are not touched. */
export const WARC_NAME = /^salvage-(\d{5})\.warc\.gz$/;

const warcNumber = (name: string): number => Number(WARC_NAME.exec(name)?.[1] ?? 0);

export interface StoredRecord {
  warc: string;
  offset: number;
  length: number;
}

export class CaptureStore {
  private fd: number | undefined;
  private current: string | undefined;
  private size = 0;
  /** The highest file number on disk or in the state: a new file never takes a used name. */
  private lastNumber = 0;

  /**
   * Open the captures folder. `committed` (from the crawl state) gives each file's committed
   * size; appending continues in the last file only when it is exactly that long, else a new
   * file is started. Records past a committed size are adopted by recoverCaptures, not here.
   */
  constructor(
    readonly dir: string,
    committed: readonly { name: string; size: number }[],
    private readonly rotateBytes = WARC_ROTATE_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    const known = new Map(committed.filter((c) => WARC_NAME.test(c.name)).map((c) => [c.name, c.size]));
    const names = [...new Set([...known.keys(), ...readdirSync(dir).filter((n) => WARC_NAME.test(n))])].sort(
      (a, b) => warcNumber(a) - warcNumber(b),
    );
    const last = names.at(-1);
    this.lastNumber = last ? warcNumber(last) : 0;
    if (last && known.has(last) && existsSync(join(dir, last)) && statSync(join(dir, last)).size === known.get(last))
      this.openFile(last);
  }

  private openFile(name: string): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.current = name;
    this.fd = openSync(join(this.dir, name), 'a');
    this.size = fstatSync(this.fd).size;
  }

  private nextName(): string {
    this.lastNumber++;
    return `salvage-${String(this.lastNumber).padStart(5, '0')}.warc.gz`;
  }

  /**
   * Serialise and append one response record. The write itself is synchronous, so the caller
   * commits its offset in the same turn of the event loop: nothing can run between the bytes
   * reaching the file and the state knowing them.
   */
  async append(input: ResponseRecordInput): Promise<StoredRecord> {
    return this.appendBytes(await serializeResponseRecord(input));
  }

  /** Append one serialised record (a gzip member), synchronously: see {@link append}. */
  appendBytes(bytes: Uint8Array): StoredRecord {
    if (this.fd === undefined || this.size >= this.rotateBytes) this.openFile(this.nextName());
    const offset = this.size;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd!, bytes, written, bytes.length - written); // opened just above
    this.size += bytes.length;
    return { warc: this.current!, offset, length: bytes.length };
  }

  /**
   * One record, read back by its offset and checked whole: exactly `length` bytes of one gzip
   * member (trailer checksum right) holding a WARC capture record with all its Content-Length,
   * streamed with the reader's caps: a payload over `maxPayloadBytes` (default: the extractor's
   * page limit) is not read and comes back flagged `tooLargeBytes`. Throws INPUT_UNREADABLE for a
   * missing file, WARC_MALFORMED (naming the offset) for damaged or mismatched bytes.
   */
  async read(record: StoredRecord, options: { maxPayloadBytes?: number } = {}): Promise<WarcCapture> {
    const path = join(this.dir, record.warc);
    if (!existsSync(path))
      throw new SalvageError('INPUT_UNREADABLE', `${path} is missing (the crawl state refers to it)`, {
        subject: path,
      });
    const size = statSync(path).size;
    if (size < record.offset + record.length)
      throw new SalvageError(
        'WARC_MALFORMED',
        `${path}: record at ${record.offset} is cut short (${Math.max(0, size - record.offset)} of ${record.length} bytes)`,
        { subject: path },
      );
    return readWarcCaptureAt(path, record.offset, record.length, options);
  }

  /** The WARC files, in write order (for rebuild). */
  files(): string[] {
    return readdirSync(this.dir)
      .filter((n) => WARC_NAME.test(n))
      .sort()
      .map((n) => join(this.dir, n));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
