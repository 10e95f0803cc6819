/**
 * The search index of one archive folder: `DIR/search.sqlite` (better-sqlite3, WAL). One row per
 * article with its fields, original and folded text, and an FTS5 table over pre-tokenized text
 * (CJK bigrams, word suffixes; see tokens.ts). Incremental: `has(path, mtime, size)` tells a builder
 * which files are unchanged; `upsert` and `remove` touch one article.
 */
import type { ArticleMetadata } from '../extract/index.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SalvageError } from '../errors.js';
import { fold } from './fold.js';
import { prepareDocument, type PreparedDocument } from './prepare.js';
import type { CollectionStats } from './relevance.js';

/** Bump when the schema changes; an index with another version is rebuilt from scratch. */
export const SEARCH_SCHEMA_VERSION = 8; // 2: word suffixes; 3: large columns last; 4: sort keys, unigrams, title index; 5: bigram phrases; 6: Traditional kept (variant fold only); 7: title_len; 8: count levels, text_len (BM25)
/** The index file inside an archive folder. */
export const SEARCH_INDEX_FILE = 'search.sqlite';

/** One article as the index takes it (built from an archive file by the markdown parser). */
export interface SearchDocument extends ArticleMetadata {
  id: number;
  /** Path of the archive file, relative to the archive folder. */
  path: string;
  /** File modification time, ms since the epoch (with `size`, decides whether to re-index). */
  mtime: number;
  size: number;
  url?: string;
  originalUrl?: string;
  /** Plain body text. */
  text: string;
}

/**
 * Articles are numbered by a sort key, `day * SORT_DAY_SCALE + id`, and the FTS tables use it as
 * their rowid. FTS5 walks a doclist in rowid order, so "newest first" is `ORDER BY rowid DESC
 * LIMIT n` (stops after n), and a date range is a rowid range: neither reads the articles table.
 * Measured on the hkcnews archive: the 20 newest of 36,070 matches in 0.2 ms; sorting the matches
 * after reading their dates took 200 ms.
 */
export const SORT_DAY_SCALE = 1e9;
/** Day numbers count from 1900-01-01 (day 1); 0 is "no date", sorted last. */
const DAY_ZERO = Date.UTC(1900, 0, 1);
const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** The day number of a `YYYY-MM-DD…` date (0 when absent or not a date). */
export function dayNumber(date: string | undefined | null): number {
  const m = date == null ? null : ISO_DAY.exec(date);
  if (m === null) return 0;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) ? Math.max(1, Math.floor((ms - DAY_ZERO) / DAY_MS) + 1) : 0;
}

/**
 * A folded title's length in code points: relevance puts, among articles whose title holds every
 * term, the shorter titles first (the title field's length normalisation in BM25: a query that
 * is most of a title names that article). The static export stores the same number per article.
 */
export function titleLength(titleFolded: string): number {
  let n = 0;
  for (let i = 0; i < titleFolded.length; i++) {
    n++;
    const unit = titleFolded.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < titleFolded.length) {
      const next = titleFolded.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

/** The year of an article's sort key (`sortKey`), as 4+ digits; '' for an undated article. */
export function yearOfSortKey(sk: number): string {
  const day = Math.floor(sk / SORT_DAY_SCALE);
  return day === 0 ? '' : String(new Date(DAY_ZERO + (day - 1) * DAY_MS).getUTCFullYear()).padStart(4, '0');
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar date `YYYY-MM-DD` (2021-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const m = CALENDAR_DATE.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** The sort key of an article: newest day first, then highest id (ids beyond 1e9 wrap). */
export function sortKey(date: string | undefined | null, id: number): number {
  return dayNumber(date) * SORT_DAY_SCALE + (id % SORT_DAY_SCALE);
}

const DATE_BOUND = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * The sort-key range of `from`/`to` (inclusive). `YYYY` and `YYYY-MM` mean the whole year or
 * month; a bound that is not such a date is ignored. Any bound excludes undated articles.
 */
export function sortKeyRange(from: string | undefined, to: string | undefined): [number, number] {
  let lo = 0;
  let hi = Number.MAX_SAFE_INTEGER;
  const f = from === undefined ? null : DATE_BOUND.exec(from.trim());
  const t = to === undefined ? null : DATE_BOUND.exec(to.trim());
  if (f !== null) lo = dayNumber(`${f[1]}-${f[2] ?? '01'}-${f[3] ?? '01'}`) * SORT_DAY_SCALE;
  if (t !== null) {
    const [y, m, d] = [
      Number(t[1]),
      t[2] === undefined ? 12 : Number(t[2]),
      t[3] === undefined ? undefined : Number(t[3]),
    ];
    // Day 0 of the next month is the last day of this one.
    const last = d ?? new Date(Date.UTC(y, m, 0)).getUTCDate();
    const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
    hi = (dayNumber(iso) + 1) * SORT_DAY_SCALE - 1;
  }
  if (f !== null || t !== null) lo = Math.max(lo, SORT_DAY_SCALE);
  return [lo, hi];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
  id INTEGER PRIMARY KEY,
  sk INTEGER NOT NULL UNIQUE,    -- sort key (sortKey) = rowid in fts and fts_title
  path TEXT NOT NULL UNIQUE,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  title TEXT NOT NULL,
  date TEXT,
  last_updated TEXT,
  author TEXT,
  category TEXT,
  tags TEXT NOT NULL,            -- JSON array
  url TEXT,
  original_url TEXT,
  group_key TEXT NOT NULL,       -- revision group: JSON [fold(title), date, author]
  title_folded TEXT NOT NULL,    -- fold(title): relevance puts title matches first
  title_len INTEGER NOT NULL,    -- code points of fold(title): BM25F's title length
  text_len INTEGER NOT NULL,     -- code points of folded: BM25F's body length
  -- The large columns last: reading the small ones above then never walks a row's overflow
  -- pages. With group_key after them, a one-character query spent 570 of its 650 ms there.
  text TEXT NOT NULL,            -- plain body text, as given
  folded TEXT NOT NULL           -- fold(title) || char(10) || fold(text): what queries match
);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date, id);
CREATE INDEX IF NOT EXISTS articles_category ON articles(category);
CREATE INDEX IF NOT EXISTS articles_author ON articles(author);
CREATE INDEX IF NOT EXISTS articles_group ON articles(group_key);
CREATE INDEX IF NOT EXISTS articles_original_url ON articles(original_url);
CREATE INDEX IF NOT EXISTS articles_title_len ON articles(sk, title_len);  -- relevance reads title hits' lengths without their rows
CREATE TABLE IF NOT EXISTS article_tags (
  article_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (tag, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_tags_article ON article_tags(article_id);
-- Three contentless FTS tables, rowid = articles.sk, over pre-tokenized text (tokens.ts). The
-- ascii tokenizer splits our space-separated tokens and nothing else (every non-ASCII character
-- is a token character), and costs less than unicode61 per token.
-- fts: CJK characters and word suffixes, detail=none (which articles hold a token; no positions),
--   and count levels (relevance.ts: 港3 = the text holds 港 at least 3 times) for BM25.
-- fts_bi: CJK bigrams with positions: a CJK term is the phrase of its bigrams, decided exactly.
-- fts_title: the same two token streams of the title alone (u, b), for relevance, and the count
--   levels of the title's own tokens in the whole text (x: relevance.ts titleLevelTokens).
-- Tombstones of articles taken down (markdown takedowns.ts): not in the tables above, but their
-- addresses still answer. Rewritten whole by every build.
CREATE TABLE IF NOT EXISTS takedowns (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,           -- from the article's file, '' when it is gone
  original_url TEXT,
  date TEXT NOT NULL,
  reason TEXT NOT NULL,
  by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS takedowns_original_url ON takedowns(original_url);
-- Images (markdown imageKey) each taken-down article shows: the reader no longer serves their files.
CREATE TABLE IF NOT EXISTS takedown_images (id INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (id, key)) WITHOUT ROWID;
-- The mementos of each article whose bytes the archive's WARCs hold (held-captures.ts), chosen or
-- rejected: the reader's TimeMaps. Copied from the crawl state by every build that finds it changed.
CREATE TABLE IF NOT EXISTS held_captures (
  article_id INTEGER NOT NULL,
  timestamp TEXT NOT NULL,       -- 14 digits, UTC
  original TEXT NOT NULL,        -- as the memento URL spells it
  PRIMARY KEY (article_id, timestamp, original)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(tokens, content='', contentless_delete=1, detail=none, tokenize='ascii');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_bi USING fts5(tokens, content='', contentless_delete=1, detail=full, tokenize='ascii');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_title USING fts5(u, b, x, content='', contentless_delete=1, detail=full, tokenize='ascii');
`;

const FTS_TABLES = ['fts', 'fts_bi', 'fts_title'] as const;
/** Indexes no write needs (queries and the catalog do): a bulk load builds them after the rows. */
const SECONDARY_INDEXES = [
  'articles_date',
  'articles_category',
  'articles_author',
  'articles_group',
  'articles_original_url',
  'articles_title_len',
  'article_tags_article',
] as const;
/** FTS5's own default for 'automerge' (sqlite.org/fts5.html, "The 'automerge' configuration option"). */
const FTS_AUTOMERGE_DEFAULT = 4;

export interface SearchIndexOptions {
  /** Open an existing, current index read-only (a server). Default false: open or create for writing. */
  readonly?: boolean;
}

/**
 * Where a damaged index file is moved (beside it, replacing an earlier one) before a builder
 * starts a new index: the index is derived data, rebuilt from the archive files, and one copy of
 * the damaged file is kept for a bug report.
 */
export const CORRUPT_INDEX_SUFFIX = '.corrupt';

/**
 * Whether an error from SQLite means the file is damaged or not a database at all (SQLITE_CORRUPT,
 * SQLITE_NOTADB and their extended codes), as opposed to an index of another salvage version.
 */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

/**
 * Move a damaged index file (and its WAL and shared-memory files) aside, so a new index can be
 * built in its place. Returns where the file went.
 */
export function moveCorruptIndexAside(file: string): string {
  const aside = file + CORRUPT_INDEX_SUFFIX;
  rmSync(aside, { force: true });
  renameSync(file, aside);
  for (const extra of ['-wal', '-shm', '-journal']) rmSync(file + extra, { force: true });
  return aside;
}

/** What stays of a taken-down article: its address answers with this (reader). */
export interface Tombstone {
  id: number;
  title: string;
  originalUrl?: string;
  /** When it was taken down, YYYY-MM-DD. */
  date: string;
  reason: string;
  by: string;
}
interface TombstoneDbRow {
  id: number;
  title: string;
  original_url: string | null;
  date: string;
  reason: string;
  by: string;
}
const tombstoneRow = (t: Tombstone): Record<string, string | number | null> => ({
  id: t.id,
  title: t.title,
  originalUrl: t.originalUrl ?? null,
  date: t.date,
  reason: t.reason,
  by: t.by,
});
function fromTombstoneRow(r: TombstoneDbRow): Tombstone {
  return {
    id: r.id,
    title: r.title,
    ...(r.original_url !== null ? { originalUrl: r.original_url } : {}),
    date: r.date,
    reason: r.reason,
    by: r.by,
  };
}

/** The meta key present while a build runs: an index that still has it was interrupted (or is being built). */
const BUILD_MARK = 'build-incomplete';
/**
 * The meta key present while a first build writes without waiting for the disk (bulkLoad): its
 * value is the boot it ran in ({@link bootId}). A process killed then loses nothing the system had
 * been handed, so the next build of the same boot resumes; after a power loss or a restart the
 * unsynced pages may be lost out of order, and the file is moved aside and built anew.
 */
const UNSYNCED_MARK = 'unsynced-bulk-load';

/** This boot of the machine (Linux `boot_id`); undefined where the system does not say. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The meta key of {@link SearchIndex.takedownListHash}. */
const TAKEDOWN_LIST_HASH = 'takedowns-sha256';
/** The meta key of {@link SearchIndex.generation}. */
const GENERATION = 'generation';

/**
 * Rows written per transaction by {@link SearchIndex.upsertMany}. A first build switches FTS
 * segment merging off ({@link SearchIndex.bulkLoad}), so the batch size barely changes its time;
 * what it changes is memory, since prepared documents wait here: full hkcnews builds measured
 * 64–76 s / 413–419 MB with 500, 78–86 s / 452–457 MB with 1,000 (2026-11-26).
 */
export const DEFAULT_BATCH_SIZE = 500;

/** Revision group key: articles sharing folded title, date and author are one story. */
export function groupKey(doc: Pick<SearchDocument, 'title' | 'date' | 'author'>): string {
  return JSON.stringify([fold(doc.title.trim()), doc.date ?? null, doc.author ?? null]);
}

/**
 * Every article's revision group as a dense number, its id and its category, by sort key (what
 * grouping and facets read instead of every match's row). Keys are looked up
 * by `sk % SORT_DAY_SCALE` (a small integer: V8 hashes those fast, while sort keys above 2^31
 * are heap numbers: 51 ms for 48,044 lookups, measured), with a second map for the rare sort keys
 * that share one.
 */
/** One article as {@link GroupTable} reads it. */
export interface GroupTableRow {
  sk: number;
  id: number;
  group_key: string;
  category?: string | null;
  title_folded?: string;
  title_len?: number;
  text_len?: number;
}

export class GroupTable {
  /** Number of revision groups. */
  readonly groupCount: number;
  readonly #group: Int32Array;
  readonly #id: Float64Array;
  /** Category of each row, as an index into #categories (-1: none). */
  readonly #category: Int32Array;
  readonly #categories: string[] = [];
  readonly #byLow = new Map<number, number>();
  readonly #shared = new Map<number, number>();
  static readonly #SHARED = -1;

  /** Folded title of each row (BM25F's title field). */
  readonly titleFolded: string[];
  /** Code points of each row's folded title and folded text (BM25F's field lengths). */
  readonly titleLength: Int32Array;
  readonly textLength: Int32Array;
  /** Article count and mean field lengths. */
  readonly stats: CollectionStats;
  /** Each distinct tag, folded, with the rows holding it (BM25F's tags field). */
  readonly #tags: { folded: string; rows: number[] }[] = [];

  constructor(rows: readonly GroupTableRow[], tags: readonly { sk: number; tag: string }[] = []) {
    this.titleFolded = rows.map((r) => r.title_folded ?? '');
    this.titleLength = Int32Array.from(rows, (r) => r.title_len ?? 0);
    this.textLength = Int32Array.from(rows, (r) => r.text_len ?? 0);
    // Integer sums, then one division: the static client divides the same sums (same bits).
    let titleSum = 0;
    let textSum = 0;
    for (let i = 0; i < rows.length; i++) {
      titleSum += this.titleLength[i]!;
      textSum += this.textLength[i]!;
    }
    this.stats = {
      docs: rows.length,
      meanTitleLength: rows.length === 0 ? 0 : titleSum / rows.length,
      meanTextLength: rows.length === 0 ? 0 : textSum / rows.length,
    };
    this.#group = new Int32Array(rows.length);
    this.#id = new Float64Array(rows.length);
    this.#category = new Int32Array(rows.length).fill(-1);
    const numbers = new Map<string, number>();
    const categoryNumbers = new Map<string, number>();
    rows.forEach((row, i) => {
      if (row.category != null) {
        let c = categoryNumbers.get(row.category);
        if (c === undefined) {
          categoryNumbers.set(row.category, (c = this.#categories.length));
          this.#categories.push(row.category);
        }
        this.#category[i] = c;
      }
      let group = numbers.get(row.group_key);
      if (group === undefined) numbers.set(row.group_key, (group = numbers.size));
      this.#group[i] = group;
      this.#id[i] = row.id;
      const low = row.sk % SORT_DAY_SCALE;
      const before = this.#byLow.get(low);
      if (before === undefined) this.#byLow.set(low, i);
      else {
        if (before !== GroupTable.#SHARED) this.#shared.set(rows[before]!.sk, before);
        this.#shared.set(row.sk, i);
        this.#byLow.set(low, GroupTable.#SHARED);
      }
    });
    this.groupCount = numbers.size;
    const byTag = new Map<string, number[]>();
    for (const { sk, tag } of tags) {
      const row = this.#entry(sk);
      if (row < 0) continue;
      const list = byTag.get(tag);
      if (list === undefined) byTag.set(tag, [row]);
      else list.push(row);
    }
    for (const [tag, list] of byTag) this.#tags.push({ folded: fold(tag), rows: list });
  }

  /** The row of a sort key in this table's arrays, or -1 (written after the table was read). */
  rowOf(sk: number): number {
    return this.#entry(sk);
  }

  /** Marks (1) the rows with a tag whose folded text holds any of the forms (BM25F's tags field). */
  rowsWithTag(forms: readonly string[]): Uint8Array {
    const marked = new Uint8Array(this.#id.length);
    const live = forms.filter((f) => f.length > 0);
    for (const t of this.#tags) if (live.some((f) => t.folded.includes(f))) for (const row of t.rows) marked[row] = 1;
    return marked;
  }

  #entry(sk: number): number {
    const i = this.#byLow.get(sk % SORT_DAY_SCALE);
    return i === GroupTable.#SHARED ? (this.#shared.get(sk) ?? -1) : (i ?? -1);
  }

  /** The article's group number (0 … groupCount − 1), or -1 when unknown (written after the table was read). */
  groupOf(sk: number): number {
    const i = this.#entry(sk);
    return i < 0 ? -1 : this.#group[i]!;
  }

  /** The article's id, or undefined when unknown. */
  idOf(sk: number): number | undefined {
    const i = this.#entry(sk);
    return i < 0 ? undefined : this.#id[i];
  }

  /** The article's category, or undefined (none, or unknown). */
  categoryOf(sk: number): string | undefined {
    const i = this.#entry(sk);
    const c = i < 0 ? -1 : this.#category[i]!;
    return c < 0 ? undefined : this.#categories[c];
  }
}

export class SearchIndex {
  /** The open database; query.ts reads it directly. */
  readonly db: Database.Database;
  /** Set when a builder found the index file damaged and moved it here ({@link CORRUPT_INDEX_SUFFIX}), starting anew. */
  readonly movedAside: string | undefined;
  #groups: { version: number; table: GroupTable } | undefined;
  /** Set by beginBuild when an interrupted build's mark was found (endBuild renews the generation). */
  #resumesInterrupted = false;
  readonly #has: Database.Statement<[string, number, number], unknown>;
  readonly #insert: Database.Statement<unknown[], unknown>;
  readonly #insertTag: Database.Statement<[number, string], unknown>;
  readonly #insertFts: Database.Statement<[number, string], unknown>;
  readonly #insertFtsBi: Database.Statement<[number, string], unknown>;
  readonly #insertFtsTitle: Database.Statement<[number, string, string, string], unknown>;
  readonly #idsOfPath: Database.Statement<[string], { id: number }>;
  readonly #sortKeyOf: Database.Statement<[number], { sk: number }>;
  readonly #sortKeyTaken: Database.Statement<[number], unknown>;
  readonly #deleteFts: Database.Statement<[number], unknown>;
  readonly #deleteFtsBi: Database.Statement<[number], unknown>;
  readonly #deleteFtsTitle: Database.Statement<[number], unknown>;
  readonly #deleteTags: Database.Statement<[number], unknown>;
  readonly #deleteArticle: Database.Statement<[number], unknown>;

  /**
   * Open (creating if needed) the index at `file`; `':memory:'` for tests. With `readonly`, the
   * index must exist with the current schema (a reader never rebuilds what a builder owns).
   * Throws SalvageError INPUT_UNREADABLE (readonly: missing or outdated index).
   */
  constructor(file: string, options: SearchIndexOptions = {}) {
    try {
      this.db = SearchIndex.#open(file, options);
    } catch (error) {
      if (!isCorruptionError(error)) throw error;
      if (options.readonly === true || file === ':memory:') {
        throw new SalvageError(
          'INPUT_UNREADABLE',
          `the search index ${file} is damaged (${(error as Error).message}); run salvage index on its folder to rebuild it`,
          { subject: file, cause: error },
        );
      }
      // A builder rebuilds a damaged index: it is derived data.
      this.movedAside = moveCorruptIndexAside(file);
      this.db = SearchIndex.#open(file, options);
    }
    if (options.readonly !== true && file !== ':memory:' && this.#unsyncedLoadLost()) {
      // Not known to be damaged, but nothing says it is whole: derived data is built again.
      this.db.close();
      this.movedAside = moveCorruptIndexAside(file);
      this.db = SearchIndex.#open(file, options);
    }
    this.#has = this.db.prepare('SELECT 1 FROM articles WHERE path = ? AND mtime = ? AND size = ?');
    this.#insert = this.db.prepare(
      `INSERT INTO articles (id, sk, path, mtime, size, title, date, last_updated, author, category, tags, url,
         original_url, group_key, title_folded, title_len, text_len, text, folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertTag = this.db.prepare('INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)');
    this.#insertFts = this.db.prepare('INSERT INTO fts (rowid, tokens) VALUES (?, ?)');
    this.#insertFtsBi = this.db.prepare('INSERT INTO fts_bi (rowid, tokens) VALUES (?, ?)');
    this.#insertFtsTitle = this.db.prepare('INSERT INTO fts_title (rowid, u, b, x) VALUES (?, ?, ?, ?)');
    this.#idsOfPath = this.db.prepare('SELECT id FROM articles WHERE path = ?');
    this.#sortKeyOf = this.db.prepare('SELECT sk FROM articles WHERE id = ?');
    this.#sortKeyTaken = this.db.prepare('SELECT 1 FROM articles WHERE sk = ?');
    this.#deleteFts = this.db.prepare('DELETE FROM fts WHERE rowid = ?');
    this.#deleteFtsBi = this.db.prepare('DELETE FROM fts_bi WHERE rowid = ?');
    this.#deleteFtsTitle = this.db.prepare('DELETE FROM fts_title WHERE rowid = ?');
    this.#deleteTags = this.db.prepare('DELETE FROM article_tags WHERE article_id = ?');
    this.#deleteArticle = this.db.prepare('DELETE FROM articles WHERE id = ?');
  }

  /**
   * Open the database and check or create its schema. Throws SQLite's error for a damaged file
   * (the constructor decides what to do), SalvageError INPUT_UNREADABLE for the rest.
   */
  static #open(file: string, options: SearchIndexOptions): Database.Database {
    let db: Database.Database;
    if (options.readonly === true) {
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
      } catch (cause) {
        if (isCorruptionError(cause)) throw cause;
        throw new SalvageError(
          'INPUT_UNREADABLE',
          `no search index at ${file}; run salvage index on its folder first`,
          { subject: file, cause },
        );
      }
    } else {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      db = new Database(file);
    }
    try {
      if (options.readonly !== true) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      let current: string | undefined;
      try {
        current = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
      } catch (error) {
        if (isCorruptionError(error)) throw error;
        current = undefined; // no meta table yet: a new index
      }
      if (options.readonly === true && current !== String(SEARCH_SCHEMA_VERSION)) {
        throw new SalvageError(
          'INPUT_UNREADABLE',
          current === undefined
            ? `${file} is not a salvage search index; run salvage index on its folder to build one`
            : `the search index ${file} was built by another version of salvage (schema ${current}, this version reads ${SEARCH_SCHEMA_VERSION}); run salvage index on its folder again`,
          { subject: file },
        );
      }
      if (current !== undefined && current !== String(SEARCH_SCHEMA_VERSION)) {
        // The index is derived data: an old schema is dropped and rebuilt, never migrated.
        db.exec(
          'DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS fts_bi; DROP TABLE IF EXISTS fts_title; DROP TABLE IF EXISTS article_tags; DROP TABLE IF EXISTS articles; DROP TABLE IF EXISTS meta;',
        );
      }
      if (options.readonly !== true) {
        db.exec(SCHEMA);
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)").run(String(SEARCH_SCHEMA_VERSION));
      }
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Whether a first build was writing unsynced (bulkLoad) when its machine stopped: its mark is
   * from another boot (or the boot is unknown). A mark of this boot is a killed process: its
   * writes are the system's, and are synced and the mark cleared here.
   */
  #unsyncedLoadLost(): boolean {
    let mark: string | undefined;
    try {
      mark = this.db
        .prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?')
        .get(UNSYNCED_MARK)?.value;
    } catch {
      return false;
    }
    if (mark === undefined) return false;
    const boot = bootId();
    if (boot === undefined || mark !== boot) return true;
    this.#syncAndClear();
    return false;
  }

  /** Everything written so far onto the disk (WAL and database file), then the unsynced mark removed. */
  #syncAndClear(): void {
    this.db.pragma('synchronous = FULL');
    this.db.pragma('wal_checkpoint(FULL)');
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(UNSYNCED_MARK);
    this.db.pragma('synchronous = NORMAL');
  }

  /**
   * Mark the index as being built: {@link isIncomplete} is true until {@link endBuild} (a build
   * killed in between leaves the mark, and readers warn that results may be missing).
   */
  beginBuild(): void {
    // A mark left by an interrupted build: that build changed rows without renewing the
    // generation, so this one renews it whatever it finds to do (endBuild).
    this.#resumesInterrupted ||= this.isIncomplete();
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(BUILD_MARK, new Date().toISOString());
  }

  /**
   * Clear the mark {@link beginBuild} set: every file of the folder is indexed. When the build
   * changed anything (or finished what an interrupted one began), the index gets a new
   * {@link generation}.
   */
  endBuild(changed: boolean): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM meta WHERE key = ?').run(BUILD_MARK);
      if (changed || this.#resumesInterrupted)
        this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(GENERATION, randomUUID());
    })();
  }

  /**
   * What the index holds, as an opaque name that every build that changed it renews (articles
   * added, edited or removed): what the reader's page store keys its pages by. Empty for an index
   * that no build has finished.
   */
  generation(): string {
    try {
      return (
        this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(GENERATION)?.value ??
        ''
      );
    } catch {
      return '';
    }
  }

  /** Whether a build started and has not finished (interrupted, or running in another process now). */
  isIncomplete(): boolean {
    try {
      return (
        this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(BUILD_MARK) !==
        undefined
      );
    } catch {
      return false; // no meta table: an index of no build
    }
  }

  /**
   * Revision group number and article id of every article, by sort key, cached until the database
   * changes (its own writes, or another connection's commit: `PRAGMA data_version`). Grouping
   * 36,070 matches through this table instead of joining their rows took a grouped search of 香港
   * from 740 ms to ~20 ms (hkcnews, 2026-11-26).
   */
  groupTable(): GroupTable {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.#groups !== undefined && this.#groups.version === version) return this.#groups.table;
    const rows = this.db
      .prepare<[], GroupTableRow>('SELECT sk, id, group_key, category, title_folded, title_len, text_len FROM articles')
      .all();
    const tags = this.db
      .prepare<[], { sk: number; tag: string }>(
        'SELECT a.sk, t.tag FROM article_tags t JOIN articles a ON a.id = t.article_id',
      )
      .all();
    const table = new GroupTable(rows, tags);
    this.#groups = { version, table };
    return table;
  }

  /** Open the index of an archive folder: `DIR/search.sqlite`. */
  static openDir(dir: string, options: SearchIndexOptions = {}): SearchIndex {
    return new SearchIndex(join(dir, SEARCH_INDEX_FILE), options);
  }

  /** Whether the file at `path` is indexed with this modification time and size (skip it). */
  has(path: string, mtime: number, size: number): boolean {
    return this.#has.get(path, mtime, size) !== undefined;
  }

  /** Every indexed article's id and path (a builder removes those whose files are gone). */
  entries(): { id: number; path: string }[] {
    return this.db.prepare<[], { id: number; path: string }>('SELECT id, path FROM articles ORDER BY id').all();
  }

  /**
   * Replace the tombstones with `list`; whether anything changed (a new takedown, an edited
   * reason), which gives the index a new generation.
   */
  setTakedowns(list: readonly Tombstone[], images: ReadonlyMap<number, readonly string[]>, listHash: string): boolean {
    const sorted = [...list].sort((a, b) => a.id - b.id);
    const pairs = [...images].flatMap(([id, keys]) => [...new Set(keys)].map((key) => [id, key] as const));
    pairs.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const same =
      JSON.stringify(this.takedowns().map(tombstoneRow)) === JSON.stringify(sorted.map(tombstoneRow)) &&
      JSON.stringify(this.#takedownImagePairs()) === JSON.stringify(pairs) &&
      this.takedownListHash() === listHash;
    if (same) return false;
    this.db.transaction(() => {
      this.db.exec('DELETE FROM takedowns; DELETE FROM takedown_images;');
      const insert = this.db.prepare(
        'INSERT INTO takedowns (id, title, original_url, date, reason, by) VALUES (@id, @title, @originalUrl, @date, @reason, @by)',
      );
      for (const t of sorted) insert.run(tombstoneRow(t));
      const image = this.db.prepare('INSERT INTO takedown_images (id, key) VALUES (?, ?)');
      for (const [id, key] of pairs) image.run(id, key);
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(TAKEDOWN_LIST_HASH, listHash);
    })();
    return true;
  }

  /** The hash of the `takedowns.yaml` list the index applied ({@link setTakedowns}); '' for none. */
  takedownListHash(): string {
    try {
      return (
        this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(TAKEDOWN_LIST_HASH)
          ?.value ?? ''
      );
    } catch {
      return '';
    }
  }

  #takedownImagePairs(): [number, string][] {
    if (!this.#hasTable('takedown_images')) return [];
    return this.db
      .prepare<[], { id: number; key: string }>('SELECT id, key FROM takedown_images ORDER BY id, key')
      .all()
      .map((r) => [r.id, r.key]);
  }

  /** The image keys each taken-down article showed, as the last build recorded them. */
  takedownImagesById(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const [id, key] of this.#takedownImagePairs()) out.set(id, [...(out.get(id) ?? []), key]);
    return out;
  }

  #hasTable(name: string): boolean {
    return (
      this.db.prepare<[string], unknown>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
      undefined
    );
  }

  /** Every tombstone, by id; none for an index built before takedowns existed. */
  takedowns(): Tombstone[] {
    if (!this.#hasTable('takedowns')) return [];
    return this.db
      .prepare<[], TombstoneDbRow>('SELECT id, title, original_url, date, reason, by FROM takedowns ORDER BY id')
      .all()
      .map(fromTombstoneRow);
  }

  /** The tombstone of a taken-down article. */
  takedown(id: number): Tombstone | undefined {
    if (!this.#hasTable('takedowns')) return undefined;
    const row = this.db
      .prepare<[number], TombstoneDbRow>('SELECT id, title, original_url, date, reason, by FROM takedowns WHERE id = ?')
      .get(id);
    return row === undefined ? undefined : fromTombstoneRow(row);
  }

  /** The taken-down article whose original URL this is. */
  takedownByOriginalUrl(url: string): Tombstone | undefined {
    if (!this.#hasTable('takedowns')) return undefined;
    const row = this.db
      .prepare<[string], TombstoneDbRow>(
        'SELECT id, title, original_url, date, reason, by FROM takedowns WHERE original_url = ? LIMIT 1',
      )
      .get(url);
    return row === undefined ? undefined : fromTombstoneRow(row);
  }

  /** Ids of the indexed articles of a revision group ({@link groupKey}), ascending. */
  groupMembers(key: string): number[] {
    return this.db
      .prepare<[string], number>('SELECT id FROM articles WHERE group_key = ? ORDER BY id')
      .pluck()
      .all(key);
  }

  /**
   * The images (markdown `imageKey`) that taken-down articles show. Fails closed: only an index
   * built before takedowns (no such table) has none; any other error is thrown, and the reader
   * answers that request with an error rather than an image that may be withheld.
   */
  takenDownImages(): Set<string> {
    if (!this.#hasTable('takedown_images')) return new Set();
    return new Set(this.db.prepare<[], string>('SELECT DISTINCT key FROM takedown_images').pluck().all());
  }

  /** Number of indexed articles. */
  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM articles').get()?.n ?? 0;
  }

  /** Add or replace one article (replacing any row with the same id or the same path). */
  upsert(doc: SearchDocument | PreparedDocument): void {
    this.db.transaction(() => this.#upsertOne(doc))();
  }

  /** Add or replace many articles, `batchSize` per transaction. Returns how many were written. */
  upsertMany(docs: Iterable<SearchDocument | PreparedDocument>, batchSize = DEFAULT_BATCH_SIZE): number {
    let batch: (SearchDocument | PreparedDocument)[] = [];
    let written = 0;
    const flush = this.db.transaction((items: (SearchDocument | PreparedDocument)[]) => {
      for (const doc of items) this.#upsertOne(doc);
    });
    for (const doc of docs) {
      batch.push(doc);
      if (batch.length >= batchSize) {
        flush(batch);
        written += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) flush(batch);
    return written + batch.length;
  }

  /**
   * Add articles a few at a time into transactions of `batchSize` that stay open between calls,
   * so the caller can await between chunks (a worker's next results) mid-transaction. A parallel
   * build wrote 500 prepared articles in one synchronous call (~0.6 s) while its worker, with
   * fewer queued, ran dry; the main thread then waited for the worker after each write: 14 of a
   * 62 s build of 49,118 articles (main-thread CPU 48 s, 2026-12-08). `finish` commits the rest;
   * `abandon` rolls an open transaction back (the build failed).
   */
  batchWriter(batchSize = DEFAULT_BATCH_SIZE): {
    add(docs: readonly PreparedDocument[]): void;
    finish(): void;
    abandon(): void;
  } {
    let inBatch = 0;
    const commit = (): void => {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      inBatch = 0;
    };
    return {
      add: (docs) => {
        for (const doc of docs) {
          if (!this.db.inTransaction) this.db.exec('BEGIN');
          try {
            this.#upsertOne(doc);
          } catch (error) {
            if (this.db.inTransaction) this.db.exec('ROLLBACK');
            throw error;
          }
          if (++inBatch >= batchSize) commit();
        }
      },
      finish: commit,
      abandon: () => {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      },
    };
  }

  /**
   * Write many articles into an empty index faster: FTS5 segment merging is switched off while
   * `load` runs and done once at the end (`optimize`), instead of merging segments again and
   * again as they pile up (15,000 articles: 9.3 s instead of 12.6 s, 2026-11-26). And nothing
   * waits for the disk until the end (`synchronous = OFF`; the WAL checkpoints' fsyncs cost 5–8 s
   * of a ~60 s build of 49,118 articles, 2026-12-08): the file is only new derived data, and the
   * {@link UNSYNCED_MARK} of this boot, written durably first, tells a later build whether a
   * power loss may have damaged it.
   */
  async bulkLoad<T>(load: () => Promise<T>): Promise<T> {
    const set = (value: number): void => {
      // FTS5 configuration values cannot be bound parameters ("SQL logic error"); `value` is ours.
      for (const table of FTS_TABLES)
        this.db.exec(`INSERT INTO ${table} (${table}, rank) VALUES ('automerge', ${Math.trunc(value)})`);
    };
    const boot = bootId();
    if (boot !== undefined) {
      this.db.pragma('synchronous = FULL');
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(UNSYNCED_MARK, boot);
      this.db.pragma('synchronous = OFF');
    }
    set(0);
    // Secondary indexes are built once at the end too (the schema re-creates what is missing).
    for (const name of SECONDARY_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
    try {
      return await load();
    } finally {
      for (const table of FTS_TABLES) this.db.prepare(`INSERT INTO ${table} (${table}) VALUES ('optimize')`).run();
      set(FTS_AUTOMERGE_DEFAULT);
      this.db.exec(SCHEMA);
      if (boot !== undefined) this.#syncAndClear();
    }
  }

  /** Remove one article by id (no-op when absent). */
  remove(id: number): void {
    this.db.transaction(() => this.#removeOne(id))();
  }

  close(): void {
    this.db.close();
  }

  #removeOne(id: number): void {
    this.#groups = undefined;
    const row = this.#sortKeyOf.get(id);
    if (row === undefined) return;
    this.#deleteFts.run(row.sk);
    this.#deleteFtsBi.run(row.sk);
    this.#deleteFtsTitle.run(row.sk);
    this.#deleteTags.run(id);
    this.#deleteArticle.run(id);
  }

  #upsertOne(input: SearchDocument | PreparedDocument): void {
    const doc = 'tokens' in input ? input : prepareDocument(input);
    this.#groups = undefined;
    this.#removeOne(doc.id);
    for (const row of this.#idsOfPath.all(doc.path)) this.#removeOne(row.id);
    // Ids of 1e9 and more wrap in the sort key; a collision takes the next lower free key (order
    // within that day is then approximate, never wrong across days).
    let sk = sortKey(doc.date, doc.id);
    while (this.#sortKeyTaken.get(sk) !== undefined) sk--;
    this.#insert.run(
      doc.id,
      sk,
      doc.path,
      doc.mtime,
      doc.size,
      doc.title,
      doc.date ?? null,
      doc.lastUpdated ?? null,
      doc.author ?? null,
      doc.category ?? null,
      JSON.stringify(doc.tags),
      doc.url ?? null,
      doc.originalUrl ?? null,
      groupKey(doc),
      doc.titleFolded,
      titleLength(doc.titleFolded),
      doc.textLength,
      doc.text,
      doc.folded,
    );
    for (const tag of new Set(doc.tags)) this.#insertTag.run(doc.id, tag);
    this.#insertFts.run(sk, doc.tokens);
    this.#insertFtsBi.run(sk, doc.bigrams);
    this.#insertFtsTitle.run(sk, doc.titleTokens, doc.titleBigrams, doc.titleLevels);
  }
}
