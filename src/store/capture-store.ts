/**
 * The raw captures of an archive: `captures/salvage-NNNNN.warc.gz`, appended one gzip member per
 * record and read back by offset. The crawl state says how many bytes of each file are
 * committed; a record cut by a crash lies past that point and is cut off on the next open.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import { readWarcCaptureAt, serializeResponseRecord, type ResponseRecordInput, type WarcCapture } from './warc.js';

/** A new file is started past this size, so no single file grows unwieldy to copy or check. */
export const WARC_ROTATE_BYTES = 1024 * 1024 * 1024;
const WARC_NAME = /^salvage-(\d{5})\.warc\.gz$/;

export interface StoredRecord {
  warc: string;
  offset: number;
  length: number;
}

export class CaptureStore {
  private fd: number | undefined;
  private current: string | undefined;
  private size = 0;

  /**
   * Open the captures folder. `committed` (from the crawl state) gives each file's committed
   * size: longer files are cut back to it, files it does not know are emptied — their records
   * were never committed, and their captures will be fetched again.
   */
  constructor(readonly dir: string, committed: readonly { name: string; size: number }[], private readonly rotateBytes = WARC_ROTATE_BYTES) {
    mkdirSync(dir, { recursive: true });
    const known = new Map(committed.map((c) => [c.name, c.size]));
    for (const name of readdirSync(dir).filter((n) => WARC_NAME.test(n)).sort()) {
      const path = join(dir, name);
      const fd = openSync(path, 'r+');
      try {
        const size = fstatSync(fd).size;
        const keep = known.get(name) ?? 0;
        if (size > keep) ftruncateSync(fd, keep);
      } finally {
        closeSync(fd);
      }
    }
    const last = [...known.keys()].filter((n) => WARC_NAME.test(n)).sort().pop();
    if (last) this.openFile(last);
  }

  private openFile(name: string): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.current = name;
    this.fd = openSync(join(this.dir, name), 'a');
    this.size = fstatSync(this.fd).size;
  }

  private nextName(): string {
    const n = this.current ? Number(WARC_NAME.exec(this.current)![1]) + 1 : 1; // current always matches WARC_NAME
    return `salvage-${String(n).padStart(5, '0')}.warc.gz`;
  }

  /**
   * Serialise and append one response record. The write itself is synchronous, so the caller
   * commits its offset in the same turn of the event loop: nothing can run between the bytes
   * reaching the file and the state knowing them.
   */
  async append(input: ResponseRecordInput): Promise<StoredRecord> {
    const bytes = await serializeResponseRecord(input);
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
    if (!existsSync(path)) throw new SalvageError('INPUT_UNREADABLE', `${path} is missing (the crawl state refers to it)`, { subject: path });
    const size = statSync(path).size;
    if (size < record.offset + record.length) throw new SalvageError('WARC_MALFORMED', `${path}: record at ${record.offset} is cut short (${Math.max(0, size - record.offset)} of ${record.length} bytes)`, { subject: path });
    return readWarcCaptureAt(path, record.offset, record.length, options);
  }

  /** The WARC files, in write order (for rebuild). */
  files(): string[] {
    return readdirSync(this.dir).filter((n) => WARC_NAME.test(n)).sort().map((n) => join(this.dir, n));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
