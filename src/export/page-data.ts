/**
 * The compact export's page data (`SITE/pages/<k>.json`): pages that are not files of their own,
 * written with bounded memory. Each page goes to a partition file on disk by its shard; each
 * partition is then read alone and split into its shards (a partition holds whole shards), so
 * memory holds one partition (~2,000 pages), not the archive.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader, PAGE_DATA_DIR, pageDataFile, pageShardOf, type PageData } from './client/codec.js';
import { PartitionWriter, storedBytes } from './search-index.js';

/** Pages per partition aimed at (~25 MB of markup on the hkcnews archive). */
const PAGES_PER_PARTITION = 2000;
const MIN_PARTITIONS = 8;
/** Buffer per partition file: many are open at once. */
const PARTITION_BUFFER_BYTES = 1 << 16;

export class PageDataWriter {
  readonly #dir: string;
  readonly #shards: number;
  readonly #partDir: string;
  readonly #writers: PartitionWriter[];
  pages = 0;

  readonly #writeFile: (full: string, data: Uint8Array) => void;

  /** `expectedPages` sizes the partitions; `shards` is the number of page data files. */
  constructor(
    siteDir: string,
    shards: number,
    expectedPages: number,
    writeFile: (full: string, data: Uint8Array) => void = writeFileSync,
  ) {
    this.#writeFile = writeFile;
    this.#dir = join(siteDir, PAGE_DATA_DIR);
    this.#shards = shards;
    this.#partDir = join(siteDir, '.page-partitions');
    mkdirSync(this.#partDir, { recursive: true });
    const partitions = Math.min(shards, Math.max(MIN_PARTITIONS, Math.ceil(expectedPages / PAGES_PER_PARTITION)));
    this.#writers = Array.from(
      { length: partitions },
      (_, p) => new PartitionWriter(join(this.#partDir, `${p}.bin`), PARTITION_BUFFER_BYTES),
    );
  }

  add(key: string, page: PageData): void {
    const w = this.#writers[pageShardOf(key, this.#shards) % this.#writers.length]!;
    w.string(key);
    w.string(page.title);
    w.string(page.main);
    this.pages++;
  }

  /** Write every shard (an empty one as `{}`: a missing page then reads "not here", not a 404). */
  finish(): { files: number; bytes: number } {
    let files = 0;
    let bytes = 0;
    for (const w of this.#writers) w.close();
    mkdirSync(this.#dir, { recursive: true });
    const partitions = this.#writers.length;
    for (let p = 0; p < partitions; p++) {
      const file = join(this.#partDir, `${p}.bin`);
      const r = new ByteReader(readFileSync(file));
      const byShard = new Map<number, Record<string, PageData>>();
      while (!r.done) {
        const key = r.string();
        const page: PageData = { title: r.string(), main: r.string() };
        const k = pageShardOf(key, this.#shards);
        let shard = byShard.get(k);
        // No prototype: a key is data, never `__proto__` the setter.
        if (shard === undefined) byShard.set(k, (shard = Object.create(null) as Record<string, PageData>));
        shard[key] = page;
      }
      rmSync(file);
      for (let k = p; k < this.#shards; k += partitions) {
        const data = storedBytes(Buffer.from(JSON.stringify(byShard.get(k) ?? {})));
        this.#writeFile(join(this.#dir, `${k}.json`), data);
        files++;
        bytes += data.length;
      }
    }
    rmSync(this.#partDir, { recursive: true, force: true });
    return { files, bytes };
  }

  /** Remove the partition files (an export that failed midway). */
  abort(): void {
    for (const w of this.#writers) {
      try {
        w.close();
      } catch {
        // already closed
      }
    }
    rmSync(this.#partDir, { recursive: true, force: true });
  }
}

export { pageDataFile };
