/**
 * The static search index: the server's search, as files a browser loads piecemeal
 * (`SITE/search-index/`, format in codec.ts and docs in README "Exporting").
 *
 * Postings are kept for every unigram and every bigram of code points of each article's folded
 * text (the same `fold(title) + "\n" + fold(text)` the server matches; all characters, not only
 * CJK, so punctuation, spaces and Latin letters are covered too), with their term frequency; for
 * bigrams also the positions. A term of 1 or 2 code points is then decided by one doc list, a
 * longer one by bigram positions at fixed offsets that cover every character (or, for a few
 * candidates, by their text): every answer is exact, as the server's `instr` check is.
 *
 * Memory stays bounded: articles stream from the search index in id order, postings go to
 * partition files on disk by token hash, and each partition is then turned into shard files alone.
 */
import {
  CONVERSION_SOURCE,
  conversionTables,
  convertibleChars,
  titleLength,
  codePointLength,
  type ArticleSummary,
} from '../search/index.js';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { foldTable } from './fold-table.js';
import {
  ByteReader,
  ByteWriter,
  FOLD_BLOCK_SIZE,
  INDEX_FILES,
  isGzip,
  STATIC_INDEX_FORMAT,
  STATIC_INDEX_VERSION,
  tokenHash,
  writeDictColumn,
  writeIntColumn,
  writeListColumn,
  type ColumnName,
  type ZhCharsFile,
  type IndexFamily,
  type StaticDocRecord,
  type StaticIndexManifest,
} from './client/codec.js';

/**
 * A file as stored: gzip when that is smaller, or when the plain bytes would themselves start like
 * a gzip member (the client gunzips whatever starts with its magic, so that case must be wrapped
 * to stay unambiguous). Static hosts serve files as they are and compress only text types on the
 * fly, if at all: compressing here is what keeps the index small on disk (GitHub Pages' 1 GB) and
 * on the wire. Not the manifest: the client reads it first, and it says the format.
 */
export function storedBytes(plain: Uint8Array): Uint8Array {
  const packed = gzipSync(plain, { level: GZIP_LEVEL });
  return packed.length < plain.length || isGzip(plain) ? packed : plain;
}

/** zlib's default: level 9 saved ~1% more on the hkcnews index for a third more time. */
const GZIP_LEVEL = 6;

/** One article as the static index takes it (a row of the search index). */
export interface StaticIndexDocument extends ArticleSummary {
  tags: readonly string[];
  /** Revision group key (articles sharing it are one story). */
  groupKey: string;
  text: string;
  /** `fold(title) + "\n" + fold(text)`, as the server matches. */
  folded: string;
  /** `fold(title)`: relevance puts articles whose title holds every term first. */
  titleFolded: string;
}

export interface StaticIndexOptions {
  /**
   * Shards per family (doc postings, positions). Default 4096 (export-site picks by archive size:
   * `shardsFor`); must be a multiple of `partitions`.
   */
  shards?: number;
  /**
   * Lists larger than this many bytes get their own file, so a query for a rare token does not
   * also load a frequent token's list. Default 2048.
   */
  inlineMaxBytes?: number;
  /** Partition files used while building (memory per partition ≈ total postings / partitions). Default 64. */
  partitions?: number;
  /**
   * Article records per file. 1 (default): a file per article, so a results page loads just its
   * 20 records. More: groups in id order (`docs/<k>.json`), for hosts that limit files (a query
   * then loads whole groups).
   */
  recordsPerFile?: number;
  /** Called every 1000 articles and per partition. */
  onProgress?: (event: StaticIndexProgress) => void;
  /** Writes a file (an incremental export links an unchanged one). Default: writeFileSync. */
  writeFile?: (full: string, data: Uint8Array) => void;
}

export const DEFAULT_STATIC_INDEX_OPTIONS = {
  shards: 4096,
  inlineMaxBytes: 2048,
  partitions: 64,
  recordsPerFile: 1,
} as const;

export type StaticIndexProgress =
  { phase: 'documents'; done: number } | { phase: 'postings'; done: number; of: number };

/** What was written. */
export interface StaticIndexStats {
  docs: number;
  tokens: number;
  files: number;
  bytes: number;
  /** Bytes by part: doc postings, positions, doc records, columns, fold table. */
  parts: Record<'postings' | 'positions' | 'docs' | 'columns' | 'fold', number>;
}

/** Bytes buffered per partition before a write. */
const PARTITION_BUFFER_BYTES = 1 << 18;

/** Records appended to a file in batches (varints and strings, read back with ByteReader). */
export class PartitionWriter {
  readonly #fd: number;
  #buffer: Buffer;
  #length = 0;

  constructor(path: string, bufferBytes = PARTITION_BUFFER_BYTES) {
    this.#fd = openSync(path, 'w');
    this.#buffer = Buffer.allocUnsafe(bufferBytes);
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#buffer.length) return;
    this.flush();
    if (n > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(n * 2);
  }

  varint(value: number): void {
    this.#reserve(8);
    let v = value;
    while (v >= 128) {
      this.#buffer[this.#length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buffer[this.#length++] = v;
  }

  string(text: string): void {
    const n = Buffer.byteLength(text);
    this.varint(n);
    this.#reserve(n);
    this.#length += this.#buffer.write(text, this.#length);
  }

  flush(): void {
    if (this.#length > 0) writeSync(this.#fd, this.#buffer, 0, this.#length);
    this.#length = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

/** Shards of OpenCC's phrase table (~49,000 phrases, ~1 MB): ~33 KB each. */
const ZH_PHRASE_SHARDS = 32;

/** Shards of the title family: titles are ~2% of the text, so a sixteenth of the shards. */
const TITLE_SHARD_DIVISOR = 16;

/**
 * Write the partition records of one folded text (article `d`): every code point with its count,
 * every pair of adjacent code points with its positions (delta-coded). Returns the length in code points.
 */
function emitPostings(writers: readonly PartitionWriter[], folded: string, d: number): number {
  const chars = Array.from(folded);
  const unigrams = new Map<string, number>();
  const bigrams = new Map<string, number[]>();
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    unigrams.set(c, (unigrams.get(c) ?? 0) + 1);
    if (i + 1 < chars.length) {
      const b = c + chars[i + 1]!;
      const list = bigrams.get(b);
      if (list === undefined) bigrams.set(b, [i]);
      else list.push(i);
    }
  }
  const partitions = writers.length;
  for (const [token, tf] of unigrams) {
    const w = writers[tokenHash(token) % partitions]!;
    w.string(token);
    w.varint(d);
    w.varint(tf);
  }
  for (const [token, positions] of bigrams) {
    const w = writers[tokenHash(token) % partitions]!;
    w.string(token);
    w.varint(d);
    w.varint(positions.length);
    let previous = 0;
    for (const p of positions) {
      w.varint(p - previous);
      previous = p;
    }
  }
  return chars.length;
}

interface TokenPostings {
  df: number;
  lastDoc: number;
  docs: ByteWriter;
  positions: ByteWriter | undefined;
}

/**
 * Write the static search index of `docs` (ascending ids) into `outDir` (created; expected empty).
 * Returns what was written.
 */
export function writeStaticIndex(
  docs: Iterable<StaticIndexDocument>,
  outDir: string,
  options: StaticIndexOptions = {},
): StaticIndexStats {
  const shards = options.shards ?? DEFAULT_STATIC_INDEX_OPTIONS.shards;
  const inlineMax = options.inlineMaxBytes ?? DEFAULT_STATIC_INDEX_OPTIONS.inlineMaxBytes;
  let partitions = options.partitions ?? DEFAULT_STATIC_INDEX_OPTIONS.partitions;
  if (shards % partitions !== 0) partitions = 1; // a shard's tokens must all be in one partition
  const recordsPerFile = Math.max(1, Math.floor(options.recordsPerFile ?? DEFAULT_STATIC_INDEX_OPTIONS.recordsPerFile));
  const stats: StaticIndexStats = {
    docs: 0,
    tokens: 0,
    files: 0,
    bytes: 0,
    parts: { postings: 0, positions: 0, docs: 0, columns: 0, fold: 0 },
  };
  const write = (
    rel: string,
    data: string | Uint8Array,
    part: keyof StaticIndexStats['parts'],
    { plain = false } = {},
  ): void => {
    const full = join(outDir, rel);
    mkdirSync(dirname(full), { recursive: true });
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const stored = plain ? bytes : storedBytes(bytes);
    (options.writeFile ?? writeFileSync)(full, stored);
    const n = stored.length;
    stats.files++;
    stats.bytes += n;
    stats.parts[part] += n;
  };

  const partDir = join(outDir, '.partitions');
  mkdirSync(partDir, { recursive: true });
  const writers: Record<IndexFamily, PartitionWriter[]> = {
    text: Array.from({ length: partitions }, (_, p) => new PartitionWriter(join(partDir, `text-${p}.bin`))),
    title: Array.from({ length: partitions }, (_, p) => new PartitionWriter(join(partDir, `title-${p}.bin`))),
  };

  // Columns (one entry per article: bounded by the article count, not by text size).
  const ids: number[] = [];
  let totalLength = 0;
  const groups: number[] = [];
  const titleLengths: number[] = [];
  const textLengths: number[] = [];
  const groupIds = new Map<string, number>();
  const dicts = {
    dates: new Map<string, number>(),
    authors: new Map<string, number>(),
    categories: new Map<string, number>(),
    tags: new Map<string, number>(),
  };
  const codes = { dates: [] as number[], authors: [] as number[], categories: [] as number[] };
  const tagLists: number[][] = [];
  const code = (dict: Map<string, number>, value: string | undefined): number => {
    if (value === undefined) return 0;
    let c = dict.get(value);
    if (c === undefined) dict.set(value, (c = dict.size + 1));
    return c;
  };
  let docBytes = 0;
  /** Fold blocks that the archive's original text uses. */
  const usedBlocks = new Set<number>();
  const shardBytes = { docs: 0, docShards: 0, positions: 0, posShards: 0 };
  let previousId = -Infinity;
  // The records of the group being filled (recordsPerFile > 1), as JSON texts.
  let group: string[] = [];
  let recordFiles = 0;
  const flushGroup = (): void => {
    if (group.length === 0) return;
    write(INDEX_FILES.docGroup(recordFiles++), `[${group.join(',')}]`, 'docs');
    group = [];
  };

  try {
    for (const doc of docs) {
      if (!(doc.id > previousId))
        throw new Error(`static index: documents must come in ascending id order (${doc.id} after ${previousId})`);
      previousId = doc.id;
      const d = stats.docs++;
      ids.push(doc.id);
      let g = groupIds.get(doc.groupKey);
      if (g === undefined) groupIds.set(doc.groupKey, (g = groupIds.size));
      groups.push(g);
      titleLengths.push(titleLength(doc.titleFolded));
      textLengths.push(codePointLength(doc.folded));
      codes.dates.push(code(dicts.dates, doc.date));
      codes.authors.push(code(dicts.authors, doc.author));
      codes.categories.push(code(dicts.categories, doc.category));
      tagLists.push([...new Set(doc.tags)].map((t) => code(dicts.tags, t)));

      const record: StaticDocRecord = { id: doc.id, path: doc.path, title: doc.title, text: doc.text };
      if (doc.date !== undefined) record.date = doc.date;
      if (doc.author !== undefined) record.author = doc.author;
      if (doc.category !== undefined) record.category = doc.category;
      const json = JSON.stringify(record);
      docBytes += Buffer.byteLength(json);
      if (recordsPerFile === 1) write(INDEX_FILES.doc(doc.id), json, 'docs');
      else {
        group.push(json);
        if (group.length === recordsPerFile) flushGroup();
      }

      for (const text of [doc.title, doc.text]) {
        for (let i = 0; i < text.length; i++) {
          const cp = text.codePointAt(i)!; // i < length
          if (cp > 0xffff) i++;
          usedBlocks.add(Math.floor(cp / FOLD_BLOCK_SIZE));
        }
      }
      totalLength += emitPostings(writers.text, doc.folded, d);
      emitPostings(writers.title, doc.titleFolded, d);
      if (stats.docs % 1000 === 0) options.onProgress?.({ phase: 'documents', done: stats.docs });
    }
    flushGroup();
  } finally {
    for (const w of [...writers.text, ...writers.title]) w.close();
  }
  options.onProgress?.({ phase: 'documents', done: stats.docs });

  // Postings, one partition at a time.
  // A multiple of the partitions (a shard's tokens must all be in one partition).
  const titleShards = Math.max(1, Math.floor(shards / TITLE_SHARD_DIVISOR / partitions)) * partitions;
  for (const [family, familyShards] of [
    ['text', shards],
    ['title', titleShards],
  ] as const) {
    const writtenShards = new Set<number>();
    for (let p = 0; p < partitions; p++) {
      const file = join(partDir, `${family}-${p}.bin`);
      const r = new ByteReader(readFileSync(file));
      const tokens = new Map<string, TokenPostings>();
      while (!r.done) {
        const token = r.string();
        const d = r.varint();
        const tf = r.varint();
        let t = tokens.get(token);
        if (t === undefined) {
          const isBigram = Array.from(token).length === 2;
          t = { df: 0, lastDoc: 0, docs: new ByteWriter(), positions: isBigram ? new ByteWriter() : undefined };
          tokens.set(token, t);
        }
        t.docs.varint(d - t.lastDoc);
        t.docs.varint(tf);
        t.df++;
        t.lastDoc = d;
        if (t.positions !== undefined) for (let k = 0; k < tf; k++) t.positions.varint(r.varint());
      }
      rmSync(file);
      if (family === 'text') stats.tokens += tokens.size;
      const byShard = new Map<number, string[]>();
      for (const token of tokens.keys()) {
        const k = tokenHash(token) % familyShards;
        const list = byShard.get(k);
        if (list === undefined) byShard.set(k, [token]);
        else list.push(token);
      }
      for (const [k, list] of byShard) {
        list.sort();
        const dShard = new ByteWriter();
        const pShard = new ByteWriter();
        let pCount = 0;
        dShard.varint(list.length);
        const pEntries = new ByteWriter();
        for (const token of list) {
          const t = tokens.get(token)!; // every listed token came from this map
          const docList = t.docs.finish();
          const posList = t.positions?.finish();
          dShard.string(token);
          dShard.varint(t.df);
          dShard.varint(docList.length);
          dShard.varint(posList?.length ?? 0);
          if (docList.length <= inlineMax) dShard.bytes(docList);
          else write(INDEX_FILES.docList(token, family), docList, 'postings');
          if (posList !== undefined) {
            if (posList.length <= inlineMax) {
              pCount++;
              pEntries.string(token);
              pEntries.varint(posList.length);
              pEntries.bytes(posList);
            } else {
              write(INDEX_FILES.posList(token, family), posList, 'positions');
            }
          }
        }
        const dBytes = dShard.finish();
        write(INDEX_FILES.docShard(k, family), dBytes, 'postings');
        writtenShards.add(k);
        if (family === 'text') {
          shardBytes.docs += dBytes.length;
          shardBytes.docShards++;
        }
        if (pCount > 0) {
          pShard.varint(pCount);
          pShard.bytes(pEntries.finish());
          const pBytes = pShard.finish();
          write(INDEX_FILES.posShard(k, family), pBytes, 'positions');
          if (family === 'text') {
            shardBytes.positions += pBytes.length;
            shardBytes.posShards++;
          }
        }
      }
      options.onProgress?.({
        phase: 'postings',
        done: p + 1 + (family === 'title' ? partitions : 0),
        of: 2 * partitions,
      });
    }
    // A shard no token hashed to is written empty: a query for a token the archive lacks then
    // reads "no such token" instead of a 404, which browsers log as an error in the console.
    const empty = new ByteWriter();
    empty.varint(0);
    const emptyShard = empty.finish();
    for (let k = 0; k < familyShards; k++)
      if (!writtenShards.has(k)) write(INDEX_FILES.docShard(k, family), emptyShard, 'postings');
  }
  rmSync(partDir, { recursive: true, force: true });

  const column = (name: ColumnName, data: Uint8Array): void => write(INDEX_FILES.column(name), data, 'columns');
  column('ids', writeIntColumn(ids, true));
  column('groups', writeIntColumn(groups, false));
  column('titleLengths', writeIntColumn(titleLengths, false));
  column('textLengths', writeIntColumn(textLengths, false));
  column('dates', writeDictColumn([...dicts.dates.keys()], codes.dates));
  column('authors', writeDictColumn([...dicts.authors.keys()], codes.authors));
  column('categories', writeDictColumn([...dicts.categories.keys()], codes.categories));
  column('tags', writeListColumn([...dicts.tags.keys()], tagLists));
  const core: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [from, to] of Object.entries(foldTable())) {
    (usedBlocks.has(Math.floor(from.codePointAt(0)! / FOLD_BLOCK_SIZE)) ? core : rest)[from] = to;
  }
  write(INDEX_FILES.foldMap, JSON.stringify(core), 'fold');
  write(INDEX_FILES.foldRest, JSON.stringify(rest), 'fold');
  // OpenCC's tables for Simplified queries: the characters in one file, the phrases sharded by
  // their first character (a query loads the shards of the characters of its Simplified runs).
  write(
    INDEX_FILES.zhChars,
    JSON.stringify({
      candidates: CONVERSION_SOURCE.candidates,
      traditionalOnly: CONVERSION_SOURCE.traditionalOnly,
      phraseShards: ZH_PHRASE_SHARDS,
    } satisfies ZhCharsFile),
    'fold',
  );
  const phraseShards: string[][] = Array.from({ length: ZH_PHRASE_SHARDS }, () => []);
  for (const entry of CONVERSION_SOURCE.phrases.split('|')) {
    const first = Array.from(entry)[0];
    if (first !== undefined) phraseShards[tokenHash(first) % ZH_PHRASE_SHARDS]!.push(entry);
  }
  phraseShards.forEach((entries, k) => write(INDEX_FILES.zhPhrases(k), entries.join('|'), 'fold'));

  const manifest: StaticIndexManifest = {
    format: STATIC_INDEX_FORMAT,
    version: STATIC_INDEX_VERSION,
    docs: stats.docs,
    shards,
    titleShards,
    inlineMaxBytes: inlineMax,
    averageLength: stats.docs === 0 ? 0 : totalLength / stats.docs,
    // Reading one record loads its whole group.
    averageDocBytes: stats.docs === 0 ? 0 : (docBytes / stats.docs) * Math.min(recordsPerFile, stats.docs),
    recordsPerFile,
    foldBlocks: [...usedBlocks].sort((a, b) => a - b),
    convertible: convertibleChars(conversionTables()),
    averageShardBytes: {
      docs: shardBytes.docShards === 0 ? 0 : shardBytes.docs / shardBytes.docShards,
      positions: shardBytes.posShards === 0 ? 0 : shardBytes.positions / shardBytes.posShards,
    },
    createdAt: new Date().toISOString(),
  };
  write(INDEX_FILES.manifest, JSON.stringify(manifest, null, 2) + '\n', 'columns', { plain: true });
  return stats;
}
