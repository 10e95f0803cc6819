/**
 * Reading a static search index (the files search-index.ts writes) through an {@link IndexLoader}:
 * each file is requested once, when a query first needs it. Pure over the loader.
 */
import {
  ByteReader,
  FOLD_BLOCK_SIZE,
  fromUtf8,
  INDEX_FILES,
  readDictColumn,
  readIntColumn,
  readListColumn,
  STATIC_INDEX_FORMAT,
  STATIC_INDEX_VERSION,
  tokenHash,
  unpackIndexFile,
  type IndexFamily,
  type StaticDocRecord,
  type StaticIndexManifest,
  type ZhCharsFile,
} from './codec.js';
import { installFoldMap } from './fold-map.js';
import { installConversion } from './zh-map.js';
import { cjkRuns, conversionTablesFrom, mayBeSimplified, type ConversionTables } from '../../search/index.js';

/** Where index files come from: `path` is relative to `search-index/`; undefined when there is no such file. */
export interface IndexLoader {
  load(path: string): Promise<Uint8Array | undefined>;
}

/** Requests in flight when loading article records. */
const RECORD_CONCURRENCY = 8;

/** What a doc-postings shard says about a token. */
export interface TokenEntry {
  /** Articles containing the token. */
  df: number;
  docBytes: number;
  posBytes: number;
  /** The doc list when it is stored in the shard. */
  inline: Uint8Array | undefined;
}

/** A token's articles (indexes, ascending) and its occurrences in each. */
export interface DocList {
  docs: Int32Array;
  tfs: Int32Array;
}

/**
 * The files of a static index, loaded on first use and kept: manifest and fold table (at open),
 * metadata columns, token entries of the doc-postings shards, doc and position lists, article
 * records.
 */
export class IndexFiles {
  readonly manifest: StaticIndexManifest;
  readonly #loader: IndexLoader;
  readonly #files = new Map<string, Promise<Uint8Array | undefined>>();
  readonly #shards = new Map<string, Promise<Map<string, TokenEntry>>>();
  readonly #lists = new Map<string, Promise<DocList>>();
  readonly #columns = new Map<string, Promise<unknown>>();
  readonly #records = new Map<number, Promise<StaticDocRecord>>();
  readonly #foldBlocks: Set<number>;
  #foldRest: Promise<void> | undefined;
  readonly #convertible: Set<string>;
  #zhChars: Promise<{ file: ZhCharsFile; tables: ConversionTables }> | undefined;
  readonly #zhPhrases = new Map<number, Promise<string>>();
  #zhInstalled = false;

  private constructor(manifest: StaticIndexManifest, loader: IndexLoader) {
    this.manifest = manifest;
    this.#loader = loader;
    this.#foldBlocks = new Set(manifest.foldBlocks);
    this.#convertible = new Set(Array.from(manifest.convertible));
  }

  /**
   * Make sure the fold table covers every character of `text`: `fold.json` has the blocks the
   * archive uses; a query with another character loads `fold-rest.json` once.
   */
  async foldFor(text: string): Promise<void> {
    if (Array.from(text).some((c) => this.#convertible.has(c))) await this.#conversionFor(text);
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!; // i < length
      if (cp > 0xffff) i++;
      if (cp <= 0x7f || this.#foldBlocks.has(Math.floor(cp / FOLD_BLOCK_SIZE))) continue;
      this.#foldRest ??= this.#required(INDEX_FILES.foldRest).then((data) =>
        installFoldMap(JSON.parse(fromUtf8(data)) as Record<string, string>, true),
      );
      return this.#foldRest;
    }
  }

  /**
   * Install the conversion tables a query needs (src/search/zh.ts): the characters, and the phrase
   * shards of every character of each run that may be Simplified. A phrase is looked up only at a
   * position of such a run and sharded by its first character, so the query reads exactly as the
   * server's full table reads it.
   */
  async #conversionFor(text: string): Promise<void> {
    this.#zhChars ??= this.#required(INDEX_FILES.zhChars).then((data) => {
      const file = JSON.parse(fromUtf8(data)) as ZhCharsFile;
      return { file, tables: conversionTablesFrom({ ...file, phrases: '' }) };
    });
    const { file, tables } = await this.#zhChars;
    const before = this.#zhPhrases.size;
    for (const run of cjkRuns(text)) {
      if (!mayBeSimplified(run.text, tables)) continue;
      for (const c of run.text) {
        const k = tokenHash(c) % file.phraseShards;
        if (!this.#zhPhrases.has(k)) this.#zhPhrases.set(k, this.#required(INDEX_FILES.zhPhrases(k)).then(fromUtf8));
      }
    }
    if (this.#zhInstalled && this.#zhPhrases.size === before) return;
    const phrases = await Promise.all(this.#zhPhrases.values());
    installConversion({
      candidates: file.candidates,
      traditionalOnly: file.traditionalOnly,
      phrases: phrases.join('|'),
    });
    this.#zhInstalled = true;
  }

  /** Read the manifest and the fold table. Throws when they are missing or of another format. */
  static async open(loader: IndexLoader): Promise<IndexFiles> {
    const manifestBytes = await loader.load(INDEX_FILES.manifest);
    if (manifestBytes === undefined) throw new Error('static search: search-index/manifest.json is missing');
    const manifest = JSON.parse(fromUtf8(manifestBytes)) as StaticIndexManifest;
    if (manifest.format !== STATIC_INDEX_FORMAT || manifest.version !== STATIC_INDEX_VERSION) {
      throw new Error(
        `static search: index format ${String(manifest.format)} v${String(manifest.version)} is not ${STATIC_INDEX_FORMAT} v${STATIC_INDEX_VERSION}`,
      );
    }
    const foldFile = await loader.load(INDEX_FILES.foldMap);
    const foldBytes = foldFile === undefined ? undefined : await unpackIndexFile(foldFile);
    if (foldBytes === undefined) throw new Error('static search: search-index/fold.json is missing');
    installFoldMap(JSON.parse(fromUtf8(foldBytes)) as Record<string, string>);
    return new IndexFiles(manifest, loader);
  }

  #file(path: string): Promise<Uint8Array | undefined> {
    let p = this.#files.get(path);
    if (p === undefined) {
      p = this.#loader.load(path).then((data) => (data === undefined ? undefined : unpackIndexFile(data)));
      this.#files.set(path, p);
    }
    return p;
  }

  async #required(path: string): Promise<Uint8Array> {
    const data = await this.#file(path);
    if (data === undefined) throw new Error(`static search: index file ${path} is missing`);
    return data;
  }

  /** A value computed once from files (e.g. the sort keys), memoized under `name`. */
  derived<T>(name: string, read: () => Promise<T>): Promise<T> {
    return this.#column(`derived:${name}`, read);
  }

  #column<T>(name: string, read: () => Promise<T>): Promise<T> {
    let p = this.#columns.get(name) as Promise<T> | undefined;
    if (p === undefined) {
      p = read();
      this.#columns.set(name, p);
    }
    return p;
  }

  ids(): Promise<Float64Array> {
    return this.#column('ids', async () => readIntColumn(await this.#required(INDEX_FILES.column('ids')), true));
  }

  dict(name: 'dates' | 'authors' | 'categories'): Promise<{ dict: string[]; codes: Uint32Array }> {
    return this.#column(name, async () => readDictColumn(await this.#required(INDEX_FILES.column(name))));
  }

  ints(name: 'groups' | 'titleLengths' | 'textLengths'): Promise<Float64Array> {
    return this.#column(name, async () => readIntColumn(await this.#required(INDEX_FILES.column(name)), false));
  }

  tags(): Promise<{ dict: string[]; lists: Uint32Array[] }> {
    return this.#column('tags', async () => readListColumn(await this.#required(INDEX_FILES.column('tags'))));
  }

  #shard(k: number, family: IndexFamily): Promise<Map<string, TokenEntry>> {
    const key = `${family}:${k}`;
    let p = this.#shards.get(key);
    if (p === undefined) {
      p = this.#file(INDEX_FILES.docShard(k, family)).then((data) => {
        const entries = new Map<string, TokenEntry>();
        if (data === undefined) return entries;
        const r = new ByteReader(data);
        for (let n = r.varint(); n > 0; n--) {
          const token = r.string();
          const df = r.varint();
          const docBytes = r.varint();
          const posBytes = r.varint();
          const inline = docBytes <= this.manifest.inlineMaxBytes ? r.bytes(docBytes) : undefined;
          entries.set(token, { df, docBytes, posBytes, inline });
        }
        return entries;
      });
      this.#shards.set(key, p);
    }
    return p;
  }

  #shardOf(token: string, family: IndexFamily): number {
    return tokenHash(token) % (family === 'text' ? this.manifest.shards : this.manifest.titleShards);
  }

  /** What the index says about a token (a code point or a pair) of a family; undefined: in no article. */
  async entry(token: string, family: IndexFamily): Promise<TokenEntry | undefined> {
    return (await this.#shard(this.#shardOf(token, family), family)).get(token);
  }

  /** The articles holding a token, and its count in each. */
  docList(token: string, entry: TokenEntry, family: IndexFamily): Promise<DocList> {
    const key = `${family}:${token}`;
    let p = this.#lists.get(key);
    if (p === undefined) {
      p = (async () => {
        const data = entry.inline ?? (await this.#required(INDEX_FILES.docList(token, family)));
        const r = new ByteReader(data);
        const docs = new Int32Array(entry.df);
        const tfs = new Int32Array(entry.df);
        let doc = 0;
        for (let i = 0; i < entry.df; i++) {
          doc += r.varint();
          docs[i] = doc;
          tfs[i] = r.varint();
        }
        return { docs, tfs };
      })();
      this.#lists.set(key, p);
    }
    return p;
  }

  /** A pair's positions in each article of its doc list (in that order; `tf` of them each, delta-coded). */
  async positionBytes(token: string, entry: TokenEntry, family: IndexFamily): Promise<Uint8Array> {
    if (entry.posBytes > this.manifest.inlineMaxBytes) return this.#required(INDEX_FILES.posList(token, family));
    const shard = INDEX_FILES.posShard(this.#shardOf(token, family), family);
    const data = await this.#required(shard);
    const r = new ByteReader(data);
    for (let n = r.varint(); n > 0; n--) {
      const t = r.string();
      const length = r.varint();
      if (t === token) return r.bytes(length);
      r.skip(length);
    }
    throw new Error(`static search: positions of a token are missing from ${shard}`);
  }

  /** The article record (title, path, text…) of the article at index `doc`. */
  async record(doc: number): Promise<StaticDocRecord> {
    let p = this.#records.get(doc);
    if (p === undefined) {
      p = (async () => {
        const per = this.manifest.recordsPerFile;
        if (per > 1) {
          const k = Math.floor(doc / per);
          const group = await this.derived(
            `records:${k}`,
            async () => JSON.parse(fromUtf8(await this.#required(INDEX_FILES.docGroup(k)))) as StaticDocRecord[],
          );
          const record = group[doc - k * per];
          if (record === undefined) throw new Error(`static search: record ${doc} is missing from its group`);
          return record;
        }
        const id = (await this.ids())[doc]!;
        return JSON.parse(fromUtf8(await this.#required(INDEX_FILES.doc(id)))) as StaticDocRecord;
      })();
      this.#records.set(doc, p);
    }
    return p;
  }

  async records(docs: readonly number[]): Promise<StaticDocRecord[]> {
    const out: StaticDocRecord[] = new Array<StaticDocRecord>(docs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < docs.length) {
        const i = next++;
        out[i] = await this.record(docs[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECORD_CONCURRENCY, docs.length) }, worker));
    return out;
  }

  /** Whether an article with this id is in the index (the lookup page). */
  async has(id: number): Promise<boolean> {
    const ids = await this.ids();
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] === id) return true;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
