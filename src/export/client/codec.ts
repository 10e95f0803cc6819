/**
 * The byte formats of the static search index, shared by the exporter (Node) and the browser
 * client: unsigned LEB128 varints, length-prefixed UTF-8 strings, the token hash that picks a
 * shard, and the file names of the index. Pure: no Node or DOM APIs beyond TextEncoder/Decoder.
 */
import type { ArticleSummary } from '../../search/index.js';

/** Format name and version written in `search-index/manifest.json`; the client refuses others. */
export const STATIC_INDEX_FORMAT = 'salvage-static-search';
export const STATIC_INDEX_VERSION = 5; // 2: fold keeps Traditional (variants only), Simplified queries converted; 3: titleLengths; 4: files gzipped; 5: textLengths (BM25)

const UTF8_ENCODER = new TextEncoder();
/**
 * `ignoreBOM`: a string that starts with U+FEFF keeps it. The default decoder drops a leading
 * U+FEFF, so a token such as U+FEFF + space (a zero-width no-break space in a title) read back as
 * one character, was taken for a unigram, and every record after it in its partition was misread
 * ("truncated record": the hkcnews export, once folding kept U+FEFF as published).
 */
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
/** 7 payload bits per varint byte (LEB128). */
const VARINT_MORE = 0x80;
const VARINT_BITS = 0x7f;
const VARINT_SHIFT = 128;

/** A growable byte buffer that writes varints and strings. */
export class ByteWriter {
  #bytes = new Uint8Array(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }

  /** An unsigned integer below 2^53 as LEB128. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint out of range: ${value}`);
    this.#reserve(8);
    let v = value;
    while (v >= VARINT_SHIFT) {
      this.#bytes[this.#length++] = (v % VARINT_SHIFT) | VARINT_MORE;
      v = Math.floor(v / VARINT_SHIFT);
    }
    this.#bytes[this.#length++] = v;
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#bytes.set(data, this.#length);
    this.#length += data.length;
  }

  /** A string as varint byte length + UTF-8. */
  string(text: string): void {
    const data = UTF8_ENCODER.encode(text);
    this.varint(data.length);
    this.bytes(data);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

/** Reads what {@link ByteWriter} wrote. Reading past the end throws (a corrupt or truncated file). */
export class ByteReader {
  readonly data: Uint8Array;
  offset: number;

  constructor(data: Uint8Array, offset = 0) {
    this.data = data;
    this.offset = offset;
  }

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.offset >= this.data.length) throw new Error('static index: truncated varint');
      const byte = this.data[this.offset++]!;
      value += (byte & VARINT_BITS) * scale;
      if (byte < VARINT_MORE) return value;
      scale *= VARINT_SHIFT;
    }
  }

  bytes(length: number): Uint8Array {
    if (this.offset + length > this.data.length) throw new Error('static index: truncated record');
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  string(): string {
    return UTF8_DECODER.decode(this.bytes(this.varint()));
  }

  skip(length: number): void {
    this.offset += length;
  }
}

export function utf8(text: string): Uint8Array {
  return UTF8_ENCODER.encode(text);
}

/** Whether `data` starts as a gzip member does (RFC 1952: ID1 ID2, CM = 8 deflate). */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 3 && data[0] === 0x1f && data[1] === 0x8b && data[2] === 0x08;
}

/**
 * An index file's bytes as written before storing: gzipped files (most of them: the exporter
 * gzips a file when that makes it smaller) are inflated with the platform's DecompressionStream
 * (browsers since 2023, Node 18+), so the client ships no inflater. The exporter gzips any file
 * that would start with the magic anyway, so the test is unambiguous.
 */
export async function unpackIndexFile(data: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(data)) return data;
  if (typeof DecompressionStream === 'undefined')
    throw new Error(
      'this browser cannot read compressed files (no DecompressionStream: Safari 16.4, Chrome 80, Firefox 113 or later)',
    );
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function fromUtf8(data: Uint8Array): string {
  return UTF8_DECODER.decode(data);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of a token: which shard holds it (`hash % shards`). */
export function tokenHash(token: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h;
}

/** A token as a file name: its UTF-16 code units in hex (safe for any character, `/` or newline). */
export function tokenFileName(token: string): string {
  let out = '';
  for (let i = 0; i < token.length; i++) out += token.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

/**
 * The two postings families: `text` over `fold(title) + "\n" + fold(text)` (what a query must
 * match), `title` over `fold(title)` alone (relevance: articles whose title holds every term first,
 * shorter titles first).
 */
export type IndexFamily = 'text' | 'title';
const FAMILY_PREFIX: Record<IndexFamily, string> = { text: '', title: 't' };

/** Paths inside `search-index/` (relative, `/`-separated). */
export const INDEX_FILES = {
  manifest: 'manifest.json',
  /** The fold of code points in the blocks that the archive's text uses (`foldBlocks`). */
  foldMap: 'fold.json',
  /** The fold of every other code point that changes (loaded only for queries that use one). */
  foldRest: 'fold-rest.json',
  /**
   * OpenCC's character tables for Simplified queries (src/search/zh.ts `ConversionSource` without
   * its phrases, plus `phraseShards`): loaded only for a query holding a `convertible` character.
   */
  zhChars: 'zh/chars.json',
  /** OpenCC's phrases whose first character hashes (`tokenHash`) to shard `k`: loaded only for a run that may be Simplified. */
  zhPhrases: (k: number): string => `zh/phrases/${k}.txt`,
  /** Doc-postings shard `k`: df, sizes and (small) doc lists of unigrams and bigrams. */
  docShard: (k: number, family: IndexFamily): string => `${FAMILY_PREFIX[family]}d/${k}.bin`,
  /** A large doc list, in its own file. */
  docList: (token: string, family: IndexFamily): string => `${FAMILY_PREFIX[family]}dx/${tokenFileName(token)}.bin`,
  /** Positional shard `k`: (small) position lists of bigrams. */
  posShard: (k: number, family: IndexFamily): string => `${FAMILY_PREFIX[family]}p/${k}.bin`,
  /** A large position list, in its own file. */
  posList: (token: string, family: IndexFamily): string => `${FAMILY_PREFIX[family]}px/${tokenFileName(token)}.bin`,
  /** Per-article record for result rows, snippets and exact checks of rare candidates. */
  doc: (id: number): string => `doc/${Math.floor(id / 1000)}/${id}.json`,
  /**
   * The records of articles `k * recordsPerFile` … in id order, as a JSON array (a compact export,
   * where one file per article would exceed a host's file limit).
   */
  docGroup: (k: number): string => `docs/${k}.json`,
  /** Column files over the articles in id order. */
  column: (name: ColumnName): string => `meta/${name}.bin`,
} as const;

/**
 * The metadata columns: `ids` (delta varints), dict-coded `dates`, `authors`, `categories`, `tags`
 * (lists), `groups`, `titleLengths` and `textLengths` (code points of each folded title and folded
 * text: BM25F's field lengths).
 */
export type ColumnName =
  'ids' | 'dates' | 'authors' | 'categories' | 'tags' | 'groups' | 'titleLengths' | 'textLengths';

/** `search-index/zh/chars.json`: OpenCC's character tables (src/search/zh.ts `ConversionSource`) and the phrase shard count. */
export interface ZhCharsFile {
  candidates: string;
  traditionalOnly: string;
  phraseShards: number;
}

/** `search-index/manifest.json`. */
export interface StaticIndexManifest {
  format: typeof STATIC_INDEX_FORMAT;
  version: number;
  /** Articles indexed. */
  docs: number;
  /** Number of doc-postings shards and of positional shards (text family). */
  shards: number;
  /** The same for the title family. */
  titleShards: number;
  /** Lists larger than this many bytes live in their own file (dx/, px/). */
  inlineMaxBytes: number;
  /** Mean length of the folded documents, in code points (informative). */
  averageLength: number;
  /** Mean bytes loaded to read one `doc/` record (cost model: check candidates by text or by positions). */
  averageDocBytes: number;
  /** Records per file: 1 is a file per article (`doc/`), more are groups in id order (`docs/`). */
  recordsPerFile: number;
  /** Blocks of {@link FOLD_BLOCK_SIZE} code points whose folds are all in `fold.json` (ascending). */
  foldBlocks: number[];
  /** The characters a Simplified reading can change: a query holding one loads `zh/chars.json`. */
  convertible: string;
  /** Mean size of a doc-postings shard and of a positional shard (cost model). */
  averageShardBytes: { docs: number; positions: number };
  createdAt: string;
}

/**
 * The compact export's page data (`SITE/pages/<k>.json`, gzipped like the index files): pages
 * that are not files of their own, keyed by {@link pageKey}, as `{ title, main }` (the page's
 * `<title>` text and its `<main>` markup, links relative to the page). `404.html` assembles them.
 */
export const PAGE_DATA_DIR = 'pages';
export const pageDataFile = (k: number): string => `${PAGE_DATA_DIR}/${k}.json`;

/** One page in the compact export's page data. */
export interface PageData {
  title: string;
  main: string;
}

/**
 * A page's key: its path below the site's root, percent-escapes decoded (`tag/越南/`), so the
 * reader's `encodeURIComponent` spelling and a browser's own (or a typed address) agree.
 */
export function pageKey(relativePath: string): string {
  try {
    return decodeURIComponent(relativePath);
  } catch {
    return relativePath;
  }
}

/** The page data file holding `key`. */
export function pageShardOf(key: string, shards: number): number {
  return tokenHash(key) % shards;
}

/** Code points per fold block: `fold.json` holds whole blocks (those the archive's text uses). */
export const FOLD_BLOCK_SIZE = 128;

/** One record of `doc/<bucket>/<id>.json`. */
export interface StaticDocRecord extends ArticleSummary {
  text: string;
}

const zigzag = (n: number): number => (n < 0 ? -2 * n - 1 : 2 * n);
const unzigzag = (n: number): number => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

/**
 * A dict-coded column: strings, then one code per article (0 = absent, k = dict[k - 1]), each
 * stored as the zigzag difference from the previous code (dates follow ids: mostly 0 or 1, one byte).
 */
export function writeDictColumn(dict: readonly string[], codes: ArrayLike<number>): Uint8Array {
  const w = new ByteWriter();
  w.varint(dict.length);
  for (const s of dict) w.string(s);
  w.varint(codes.length);
  let previous = 0;
  for (let i = 0; i < codes.length; i++) {
    w.varint(zigzag(codes[i]! - previous));
    previous = codes[i]!;
  }
  return w.finish();
}

export function readDictColumn(data: Uint8Array): { dict: string[]; codes: Uint32Array } {
  const r = new ByteReader(data);
  const dict: string[] = [];
  for (let n = r.varint(); n > 0; n--) dict.push(r.string());
  const codes = new Uint32Array(r.varint());
  let previous = 0;
  for (let i = 0; i < codes.length; i++) codes[i] = previous = previous + unzigzag(r.varint());
  return { dict, codes };
}

/** A list column: strings, then per article a count and that many dict codes (1-based). */
export function writeListColumn(dict: readonly string[], lists: readonly (readonly number[])[]): Uint8Array {
  const w = new ByteWriter();
  w.varint(dict.length);
  for (const s of dict) w.string(s);
  w.varint(lists.length);
  for (const list of lists) {
    w.varint(list.length);
    for (const code of list) w.varint(code);
  }
  return w.finish();
}

export function readListColumn(data: Uint8Array): { dict: string[]; lists: Uint32Array[] } {
  const r = new ByteReader(data);
  const dict: string[] = [];
  for (let n = r.varint(); n > 0; n--) dict.push(r.string());
  const lists: Uint32Array[] = [];
  for (let n = r.varint(); n > 0; n--) {
    const list = new Uint32Array(r.varint());
    for (let i = 0; i < list.length; i++) list[i] = r.varint();
    lists.push(list);
  }
  return { dict, lists };
}

/** An integer column: count, then values (`delta`: each value minus the previous). */
export function writeIntColumn(values: ArrayLike<number>, delta: boolean): Uint8Array {
  const w = new ByteWriter();
  w.varint(values.length);
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    w.varint(delta ? values[i]! - previous : values[i]!);
    previous = values[i]!;
  }
  return w.finish();
}

export function readIntColumn(data: Uint8Array, delta: boolean): Float64Array {
  const r = new ByteReader(data);
  const out = new Float64Array(r.varint());
  let previous = 0;
  for (let i = 0; i < out.length; i++) {
    const v = r.varint();
    out[i] = delta ? previous + v : v;
    previous = out[i]!;
  }
  return out;
}
