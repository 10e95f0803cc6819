/**
 * The crawl state of one archive folder: an embedded SQLite database (better-sqlite3, WAL) of CDX
 * query cursors, captures, articles, fetch attempts and politeness events. Every change that goes
 * with a file write is one transaction, committed right after the write, so a kill -9 loses at
 * most the page in flight and a rerun resumes exactly where the last one stopped.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SalvageError } from '../errors.js';
import { parseMemento } from '../memento.js';

/** The crawl state's file in an archive folder. */
export const STATE_FILE = 'state.sqlite';

/** Bump when the schema changes; an older database is refused with a clear message. */
export const STATE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queries (
  query TEXT PRIMARY KEY,       -- the query as JSON
  resume_key TEXT,              -- where the next block starts; NULL before the first
  done INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  blocks INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS captures (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,     -- timestamp, original, digest, status: duplicate rows are one capture
  article_id INTEGER,           -- NULL: not an article URL
  urlkey TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  original TEXT NOT NULL,
  mimetype TEXT NOT NULL,
  statuscode INTEGER,           -- NULL for revisits
  digest TEXT NOT NULL,
  length INTEGER,
  warc TEXT,                    -- set once the payload is stored
  warc_offset INTEGER,
  warc_length INTEGER,
  fetched_at TEXT,
  memento_url TEXT,
  verdict TEXT                  -- 'ok' or the extractor's reject reason, once extracted
);
CREATE INDEX IF NOT EXISTS captures_by_article ON captures (article_id);
CREATE INDEX IF NOT EXISTS captures_by_digest ON captures (digest);
CREATE INDEX IF NOT EXISTS captures_by_warc ON captures (warc, warc_offset);  -- rebuild's check in file order; bytes gone by file
CREATE TABLE IF NOT EXISTS articles (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL DEFAULT 'pending',   -- pending | written | unrecovered
  capture_id INTEGER,
  path TEXT,
  file_sha256 TEXT,
  reason TEXT,
  year TEXT                                 -- of the chosen (or best) capture, for reports
);
CREATE TABLE IF NOT EXISTS unrecovered (  -- why an unrecovered article has no file, as two fields (articles.reason keeps the sentence)
  article_id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                     -- what reports group by: excluded, not-archived, no-html-capture, the rejection kinds joined by +
  detail TEXT NOT NULL                    -- the captures tried and what each gave
);
CREATE TABLE IF NOT EXISTS article_layouts (  -- the layout report: template and field sources of each written article
  id INTEGER PRIMARY KEY,                 -- the article's id
  layout TEXT NOT NULL,                   -- structural fingerprint (extract/layout.ts)
  date TEXT,                              -- the article's date, for the layout's date range
  fields TEXT NOT NULL                    -- JSON {field: [source, disagreements]}
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL,        -- rejected | error
  detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  type TEXT NOT NULL,           -- rate-limited | outage | blocked | unblocked | retry | run-start | run-end
  family TEXT,
  ms REAL,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS warcs (
  name TEXT PRIMARY KEY,
  size INTEGER NOT NULL         -- bytes committed: the file is appended to only while it is exactly this long
);
CREATE TABLE IF NOT EXISTS warc_records (  -- records found in the WARCs that no commit named (a crash, a lost state)
  warc TEXT NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  url TEXT NOT NULL,            -- WARC-Target-URI
  timestamp TEXT NOT NULL,      -- of WARC-Date
  req_timestamp TEXT NOT NULL,  -- the capture asked for (Salvage-Capture-*; else the record's own)
  req_original TEXT NOT NULL,
  source_uri TEXT,
  fetched_at TEXT,
  linked INTEGER NOT NULL DEFAULT 0,  -- 1 once a capture points at it
  PRIMARY KEY (warc, offset)
);
`;

/** Found records are stored and linked this many to a transaction: bounded memory and journal at 2 million captures. */
export const STATE_BATCH_ROWS = 1000;

/** A record found in a WARC file (see CrawlState.addFoundRecords). */
export interface FoundRecord {
  offset: number;
  length: number;
  url: string;
  timestamp: string;
  requested: { timestamp: string; original: string };
  sourceUri: string | undefined;
  fetchedAt: string | undefined;
}

/** Why a state file cannot be used (it is moved aside and rebuilt). */
class UnusableState extends Error {}

/** A capture as the CDX index lists it (the shape of wayback's CdxRow, which store does not import). */
export interface CaptureFields {
  urlkey: string;
  timestamp: string;
  original: string;
  mimetype: string;
  /** Null for revisits. */
  statuscode: number | null;
  digest: string;
  length: number | null;
}

export interface StoredCapture extends CaptureFields {
  id: number;
  article_id: number | null;
  warc: string | null;
  warc_offset: number | null;
  warc_length: number | null;
  verdict: string | null;
}

export interface NewCapture extends CaptureFields {
  key: string;
  articleId: number | null;
}

export type ArticleState = 'pending' | 'written' | 'unrecovered';

/** A memento of an article whose bytes a WARC record holds ({@link CrawlState.heldCaptures}). */
export interface HeldCapture {
  articleId: number;
  /** When the memento was captured: 14 digits, UTC. */
  timestamp: string;
  /** The URL captured, as the Wayback spells it in the memento URL. */
  original: string;
}

const FULL_TIMESTAMP = /^\d{14}$/;

/** Why an article has no file: the kind reports group by, and the detail (the captures tried and what each gave). */
export interface Unrecovered {
  kind: string;
  detail: string;
}

export interface ArticleRow {
  id: number;
  state: ArticleState;
  capture_id: number | null;
  path: string | null;
  reason: string | null;
}

/** A name beside `path` that is free: `<path>.<what>-<UTC time>[-n]`. */
function asideName(path: string, what: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const name = `${path}.${what}-${stamp}${n > 0 ? `-${n}` : ''}`;
    if (!existsSync(name) && !existsSync(`${name}-wal`)) return name;
  }
}

/** Rename a state file (and its -wal, -shm) aside; nothing is deleted. Returns the new name. */
function setAside(path: string, what: string): string {
  const aside = asideName(path, what);
  try {
    renameSync(path, aside);
    for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  } catch (error) {
    throw new SalvageError(
      'OUTPUT_FAILED',
      `the crawl state ${path} cannot be used and cannot be moved aside (${(error as Error).message}): rename it yourself (the WARC files keep every capture; salvage archive then rebuilds the state from them)`,
      { cause: error, subject: path },
    );
  }
  return aside;
}

/**
 * A -wal or -shm left without its database (the database deleted or emptied) belongs to the lost
 * file, not to the one about to be created: moved aside, so SQLite cannot mix them.
 */
function setAsideOrphanLog(path: string, onNotice?: (line: string) => void): void {
  let mainSize = 0;
  try {
    mainSize = statSync(path).size;
  } catch {
    /* no database file */
  }
  if (mainSize > 0) return;
  // An empty log holds nothing to mix (SQLite leaves one after every clean close); the index beside it is rebuilt.
  let walSize = 0;
  try {
    walSize = statSync(`${path}-wal`).size;
  } catch {
    /* no log */
  }
  if (walSize === 0) return;
  for (const suffix of ['-wal', '-shm']) {
    if (!existsSync(path + suffix)) continue;
    const aside = asideName(path + suffix, 'orphan');
    renameSync(path + suffix, aside);
    onNotice?.(`${basename(path + suffix)} had no database beside it: moved aside to ${basename(aside)}`);
  }
}

/** A written article, its file, and the capture it came from (`CrawlState.writtenWithCaptures`). */
export interface WrittenWithCapture {
  id: number;
  path: string | null;
  file_sha256: string | null;
  timestamp: string | null;
  original: string | null;
  warc: string | null;
  warc_offset: number | null;
  warc_length: number | null;
}

export class CrawlState {
  private readonly db: Database.Database;
  private readonly stmts;
  private foundStmts: ReturnType<typeof CrawlState.prepareFound> | undefined;

  /** Statements on warc_records, prepared when first used: a read-only state of an older run has no such table. */
  private static prepareFound(db: Database.Database) {
    return {
      addFound: db.prepare(
        'INSERT OR IGNORE INTO warc_records (warc, offset, length, url, timestamp, req_timestamp, req_original, source_uri, fetched_at) VALUES (@warc, @offset, @length, @url, @timestamp, @reqTimestamp, @reqOriginal, @sourceUri, @fetchedAt)',
      ),
      // A row-value range: each batch seeks to where the last ended (an OR would rescan from the start).
      unlinkedAfter: db.prepare<
        [string, number, number],
        {
          warc: string;
          offset: number;
          length: number;
          req_timestamp: string;
          req_original: string;
          source_uri: string | null;
          fetched_at: string | null;
        }
      >(
        'SELECT warc, offset, length, req_timestamp, req_original, source_uri, fetched_at FROM warc_records WHERE (warc, offset) > (?, ?) AND linked = 0 ORDER BY warc, offset LIMIT ?',
      ),
      markLinked: db.prepare('UPDATE warc_records SET linked = 1 WHERE warc = ? AND offset = ?'),
      forgetFoundPast: db.prepare('DELETE FROM warc_records WHERE warc = ? AND offset + length > ?'),
    };
  }

  private get found(): ReturnType<typeof CrawlState.prepareFound> {
    return (this.foundStmts ??= CrawlState.prepareFound(this.db));
  }

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmts = {
      query: db.prepare<[string], { resume_key: string | null; done: number; rows: number; blocks: number }>(
        'SELECT resume_key, done, rows, blocks FROM queries WHERE query = ?',
      ),
      upsertQuery: db.prepare(
        'INSERT INTO queries (query, resume_key, done, rows, blocks) VALUES (@query, @resumeKey, @done, @rows, 1) ON CONFLICT (query) DO UPDATE SET resume_key = @resumeKey, done = @done, rows = rows + @rows, blocks = blocks + 1',
      ),
      insertCapture: db.prepare(
        'INSERT OR IGNORE INTO captures (key, article_id, urlkey, timestamp, original, mimetype, statuscode, digest, length) VALUES (@key, @articleId, @urlkey, @timestamp, @original, @mimetype, @statuscode, @digest, @length)',
      ),
      seedArticles: db.prepare(
        'INSERT OR IGNORE INTO articles (id) SELECT DISTINCT article_id FROM captures WHERE article_id IS NOT NULL',
      ),
      pendingAfter: db.prepare<[number, number], { id: number }>(
        "SELECT id FROM articles WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
      ),
      capturesOf: db.prepare<[number], StoredCapture>(
        'SELECT id, article_id, urlkey, timestamp, original, mimetype, statuscode, digest, length, warc, warc_offset, warc_length, verdict FROM captures WHERE article_id = ?',
      ),
      stored: db.prepare(
        'UPDATE captures SET warc = @warc, warc_offset = @offset, warc_length = @length, fetched_at = @fetchedAt, memento_url = @mementoUrl WHERE id = @id',
      ),
      warcSize: db.prepare(
        'INSERT INTO warcs (name, size) VALUES (@name, @size) ON CONFLICT (name) DO UPDATE SET size = max(size, @size)',
      ),
      warcs: db.prepare<[], { name: string; size: number }>('SELECT name, size FROM warcs ORDER BY name'),
      verdict: db.prepare('UPDATE captures SET verdict = @verdict WHERE id = @id'),
      attempt: db.prepare(
        'INSERT INTO attempts (capture_id, at, outcome, detail) VALUES (@captureId, @at, @outcome, @detail)',
      ),
      written: db.prepare(
        "UPDATE articles SET state = 'written', capture_id = @captureId, path = @path, file_sha256 = @sha256, reason = NULL, year = @year WHERE id = @id",
      ),
      unrecovered: db.prepare(
        "UPDATE articles SET state = 'unrecovered', capture_id = NULL, path = NULL, reason = @reason, year = @year WHERE id = @id",
      ),
      event: db.prepare('INSERT INTO events (at, type, family, ms, detail) VALUES (@at, @type, @family, @ms, @detail)'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      byDigest: db.prepare<[string], { statuscode: number; mimetype: string }>(
        "SELECT statuscode, mimetype FROM captures WHERE digest = ? AND statuscode IS NOT NULL AND mimetype != 'warc/revisit' ORDER BY statuscode = 200 DESC LIMIT 1",
      ),
      // The key starts with "timestamp original ": a range on its unique index, then exact fields
      // (`+warc`: never the warc index, which would scan every capture not stored yet).
      capturesAt: db.prepare<[string, string, string, string], { id: number }>(
        'SELECT id FROM captures WHERE key >= ? AND key < ? AND timestamp = ? AND original = ? AND +warc IS NULL',
      ),
      reopenArticlesPast: db.prepare(
        "UPDATE articles SET state = 'pending', reason = NULL WHERE id IN (SELECT article_id FROM captures WHERE warc = ? AND warc_offset + warc_length > ? AND article_id IS NOT NULL)",
      ),
      forgetPast: db.prepare(
        'UPDATE captures SET warc = NULL, warc_offset = NULL, warc_length = NULL, fetched_at = NULL, memento_url = NULL, verdict = NULL WHERE warc = ? AND warc_offset + warc_length > ?',
      ),
      forgetOne: db.prepare(
        'UPDATE captures SET warc = NULL, warc_offset = NULL, warc_length = NULL, fetched_at = NULL, memento_url = NULL WHERE id = ?',
      ),
      storedPlaces: db.prepare<[], { id: number; warc: string; offset: number; length: number }>(
        'SELECT id, warc, warc_offset AS offset, warc_length AS length FROM captures WHERE warc IS NOT NULL ORDER BY warc, warc_offset',
      ),
      // `+warc`: the article index gives the order; the warc index would be a second sort.
      held: db.prepare<[], { article_id: number; timestamp: string; original: string; memento_url: string | null }>(
        'SELECT article_id, timestamp, original, memento_url FROM captures WHERE article_id IS NOT NULL AND +warc IS NOT NULL ORDER BY article_id, id',
      ),
      writtenArticles: db.prepare<[], { id: number; path: string; capture_id: number }>(
        "SELECT id, path, capture_id FROM articles WHERE state = 'written' ORDER BY id",
      ),
    };
  }

  /**
   * Open (or create) the state database of an archive folder. A state that cannot be used (not
   * a database, damaged, not salvage's, a folder in its place, unreadable) is never deleted: it
   * is renamed `<name>.corrupt-<time>` with its -wal/-shm, `onNotice` says so, and a new state is
   * started, which the caller rebuilds from the WARC files. Throws CONFIG_INVALID for another
   * site's or a newer salvage's state, OUTPUT_FAILED when no state can be created.
   */
  static open(path: string, site: string, onNotice?: (line: string) => void): CrawlState {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new SalvageError(
        'OUTPUT_FAILED',
        `cannot create the folder of the crawl state ${path}: ${(error as Error).message}`,
        { cause: error, subject: path },
      );
    }
    setAsideOrphanLog(path, onNotice);
    try {
      return CrawlState.openUsable(path, site);
    } catch (error) {
      if (!(error instanceof UnusableState)) throw error;
      const aside = setAside(path, 'corrupt');
      onNotice?.(
        `the crawl state ${path} cannot be used (${error.message}): moved aside to ${basename(aside)}; rebuilding it from the WARC files`,
      );
    }
    try {
      return CrawlState.openUsable(path, site);
    } catch (error) {
      throw new SalvageError('OUTPUT_FAILED', `cannot create a new crawl state ${path}: ${(error as Error).message}`, {
        cause: error,
        subject: path,
      });
    }
  }

  private static openUsable(path: string, site: string): CrawlState {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (error) {
      // A folder or an unreadable file in its place: unusable. No file and none can be made: stop.
      if (existsSync(path))
        throw new UnusableState(statSync(path).isDirectory() ? 'it is a folder' : (error as Error).message);
      throw new SalvageError('OUTPUT_FAILED', `cannot open the crawl state ${path}: ${(error as Error).message}`, {
        cause: error,
        subject: path,
      });
    }
    let state: CrawlState;
    try {
      db.pragma('busy_timeout = 5000');
      // Nothing is written before the file is known to be a sound salvage state, so a file set
      // aside is kept exactly as it was found. A whole-file check (seconds at 2 million captures,
      // once per run): a truncated or damaged file otherwise fails in the middle of a run.
      const check = db.pragma('quick_check(1)', { simple: true }) as string;
      if (check !== 'ok') throw new UnusableState(`damaged: ${check}`);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      if (tables.length > 0 && !tables.includes('meta'))
        throw new UnusableState(`not a salvage crawl state (tables ${tables.slice(0, 5).join(', ')})`);
      const meta = (key: string): string | undefined =>
        tables.includes('meta')
          ? (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined)
          : undefined;
      const version = meta('schema');
      const owner = meta('site');
      if (version !== undefined && version !== String(STATE_SCHEMA_VERSION)) {
        if (!/^\d+$/.test(version) || Number(version) < STATE_SCHEMA_VERSION)
          throw new UnusableState(`unknown crawl state schema ${JSON.stringify(version)}`);
        throw new SalvageError(
          'CONFIG_INVALID',
          `${path} has crawl state schema ${version}, newer than this salvage reads (${STATE_SCHEMA_VERSION}): run the newer salvage, or move the file aside and this one rebuilds the state from the WARC files`,
          { subject: path },
        );
      }
      if (version !== undefined && owner !== site) {
        throw new SalvageError(
          'CONFIG_INVALID',
          `${path} holds a crawl of ${owner ?? 'another site'}, not ${site}: use another --out folder`,
          { subject: path },
        );
      }
      // WAL: readers (salvage status) never block the crawler; a killed process loses no committed
      // transaction. NORMAL sync is durable against process crashes (only power loss can cost the
      // last transactions, which a rerun redoes).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      // A state written before the unrecovered table: its kinds are read once, from the sentences.
      if (tables.includes('articles') && !tables.includes('unrecovered'))
        db.exec(
          "INSERT OR IGNORE INTO unrecovered (article_id, kind, detail) SELECT id, substr(reason, 1, instr(reason || ':', ':') - 1), ltrim(substr(reason, instr(reason || ':', ':') + 1)) FROM articles WHERE state = 'unrecovered' AND reason IS NOT NULL",
        );
      state = new CrawlState(db);
      if (version === undefined) {
        state.setMeta('schema', String(STATE_SCHEMA_VERSION));
        state.setMeta('site', site);
      }
    } catch (error) {
      db.close();
      if (error instanceof UnusableState || error instanceof SalvageError) throw error;
      // Damage and a foreign schema are the file's fault; a lock, a full disk or a read-only
      // folder are not, and moving the file aside would not help.
      if (error instanceof Database.SqliteError && /^SQLITE_(NOTADB|CORRUPT|ERROR)/.test(error.code))
        throw new UnusableState(error.message);
      throw new SalvageError('OUTPUT_FAILED', `cannot open the crawl state ${path}: ${(error as Error).message}`, {
        cause: error,
        subject: path,
      });
    }
    return state;
  }

  /** Read-only view for reports; throws INPUT_UNREADABLE when there is no state. */
  static openReadOnly(path: string): CrawlState {
    try {
      return new CrawlState(new Database(path, { readonly: true, fileMustExist: true }));
    } catch (error) {
      const what = existsSync(path)
        ? `the crawl state ${path} cannot be read (${(error as Error).message}); salvage archive moves it aside and rebuilds it from the WARC files`
        : `no crawl state at ${path} (${(error as Error).message})`;
      throw new SalvageError('INPUT_UNREADABLE', what, { cause: error, subject: path });
    }
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  queryState(query: string): { resumeKey: string | undefined; done: boolean; rows: number; blocks: number } {
    const row = this.stmts.query.get(query);
    return {
      resumeKey: row?.resume_key ?? undefined,
      done: row?.done === 1,
      rows: row?.rows ?? 0,
      blocks: row?.blocks ?? 0,
    };
  }

  /** One CDX block: its rows and the cursor after it, in one transaction (a crash repeats the block, never skips it). */
  readonly addCdxBlock = (query: string, rows: readonly NewCapture[], resumeKey: string | undefined): number => {
    return this.db.transaction(() => {
      let added = 0;
      for (const row of rows) added += this.stmts.insertCapture.run(row).changes;
      this.stmts.upsertQuery.run({
        query,
        resumeKey: resumeKey ?? null,
        done: resumeKey === undefined ? 1 : 0,
        rows: rows.length,
      });
      return added;
    })();
  };

  /** Every article with at least one capture becomes a pending article (existing ones keep their state). */
  seedArticles(): void {
    this.stmts.seedArticles.run();
  }

  articleCounts(): { total: number; written: number; unrecovered: number } {
    const row = this.db
      .prepare(
        "SELECT count(*) AS total, coalesce(sum(state = 'written'), 0) AS written, coalesce(sum(state = 'unrecovered'), 0) AS unrecovered FROM articles",
      )
      .get() as { total: number; written: number; unrecovered: number };
    return row;
  }

  /** Pending article ids after `afterId`, in id order, at most `limit`. */
  pendingArticles(afterId: number, limit: number): number[] {
    return this.stmts.pendingAfter.all(afterId, limit).map((r) => r.id);
  }

  capturesOf(articleId: number): StoredCapture[] {
    return this.stmts.capturesOf.all(articleId);
  }

  /** The status and type of a non-revisit capture with this payload digest (what a revisit repeats). */
  capturedAs(digest: string): { statuscode: number; mimetype: string } | undefined {
    return this.stmts.byDigest.get(digest);
  }

  /** A payload is in a WARC: record where, and how far the WARC is now committed. */
  readonly captureStored = (c: {
    id: number;
    warc: string;
    offset: number;
    length: number;
    fetchedAt: string;
    mementoUrl: string;
  }): void => {
    this.db.transaction(() => {
      this.stmts.stored.run(c);
      this.stmts.warcSize.run({ name: c.warc, size: c.offset + c.length });
    })();
  };

  warcSizes(): { name: string; size: number }[] {
    return this.stmts.warcs.all();
  }

  setWarcSize(name: string, size: number): void {
    this.stmts.warcSize.run({ name, size });
  }

  /**
   * Records found in a WARC past what the state knew (or in a file it did not know), with the
   * committed size they extend the file to, in one transaction: they become known before any
   * capture is linked to them. Call in batches of STATE_BATCH_ROWS.
   */
  readonly addFoundRecords = (
    warc: string,
    records: readonly FoundRecord[],
    committedSize: number | undefined,
  ): void => {
    this.db.transaction(() => {
      for (const r of records) {
        this.found.addFound.run({
          warc,
          offset: r.offset,
          length: r.length,
          url: r.url,
          timestamp: r.timestamp,
          reqTimestamp: r.requested.timestamp,
          reqOriginal: r.requested.original,
          sourceUri: r.sourceUri ?? null,
          fetchedAt: r.fetchedAt ?? null,
        });
      }
      if (committedSize !== undefined) this.stmts.warcSize.run({ name: warc, size: committedSize });
    })();
  };

  /**
   * Point every capture not yet stored at a found record of the same capture (timestamp and
   * original asked for), so it is not fetched again. Batched; returns how many captures now
   * have their payload. Records of captures the index does not list stay unlinked (rebuild reads them).
   */
  linkFoundRecords(): number {
    let linked = 0;
    let after = { warc: '', offset: -1 };
    for (;;) {
      const batch = this.found.unlinkedAfter.all(after.warc, after.offset, STATE_BATCH_ROWS);
      if (batch.length === 0) return linked;
      this.db.transaction(() => {
        for (const r of batch) {
          const prefix = `${r.req_timestamp} ${r.req_original} `;
          let any = false;
          for (const c of this.stmts.capturesAt.all(prefix, prefix + '\u{10FFFF}', r.req_timestamp, r.req_original)) {
            this.stmts.stored.run({
              id: c.id,
              warc: r.warc,
              offset: r.offset,
              length: r.length,
              fetchedAt: r.fetched_at,
              mementoUrl: r.source_uri,
            });
            linked++;
            any = true;
          }
          if (any) this.found.markLinked.run(r.warc, r.offset);
        }
      })();
      const last = batch[batch.length - 1]!; // the batch is not empty
      after = { warc: last.warc, offset: last.offset };
    }
  }

  /**
   * The bytes of `warc` past `size` are gone (the file is shorter, or `size` 0 for a missing
   * file): the captures stored there are to be fetched again, and their articles done again.
   * Returns how many captures lost their payload.
   */
  readonly forgetStoredPast = (warc: string, size: number): number => {
    return this.db.transaction(() => {
      this.outcomes().clearPast.run(warc, size);
      this.stmts.reopenArticlesPast.run(warc, size);
      const n = this.stmts.forgetPast.run(warc, size).changes;
      this.found.forgetFoundPast.run(warc, size);
      return n;
    })();
  };

  /** Damaged stretches of WARC bytes the last archive run found (left in place), for salvage status. */
  setWarcDamage(stretches: number): void {
    this.setMeta('warc-damaged-stretches', String(stretches));
  }

  warcDamage(): number {
    return Number(this.getMeta('warc-damaged-stretches') ?? 0);
  }

  /** A stored capture's bytes cannot be read: it is to be fetched again (the bytes stay where they are). */
  forgetStored(captureId: number): void {
    this.stmts.forgetOne.run(captureId);
  }

  /** Every stored capture's place, in file and offset order (for rebuild's check). */
  *storedPlaces(): IterableIterator<{ id: number; warc: string; offset: number; length: number }> {
    yield* this.stmts.storedPlaces.iterate();
  }

  readonly captureRejected = (captureId: number, reason: string, message: string): void => {
    this.db.transaction(() => {
      this.stmts.verdict.run({ id: captureId, verdict: reason });
      this.stmts.attempt.run({
        captureId,
        at: new Date().toISOString(),
        outcome: 'rejected',
        detail: `${reason}: ${message}`,
      });
    })();
  };

  captureError(captureId: number, detail: string): void {
    this.stmts.attempt.run({ captureId, at: new Date().toISOString(), outcome: 'error', detail });
  }

  private layoutStmt: Database.Statement | undefined;
  private outcomeStmts:
    { set: Database.Statement; clear: Database.Statement; clearPast: Database.Statement } | undefined;

  /**
   * The statements of the `unrecovered` table, prepared on first write: a read-only state of an
   * older salvage has no such table, and statements are prepared against the tables there are.
   */
  private outcomes(): NonNullable<CrawlState['outcomeStmts']> {
    return (this.outcomeStmts ??= {
      set: this.db.prepare(
        'INSERT INTO unrecovered (article_id, kind, detail) VALUES (@id, @kind, @detail) ON CONFLICT (article_id) DO UPDATE SET kind = @kind, detail = @detail',
      ),
      clear: this.db.prepare('DELETE FROM unrecovered WHERE article_id = ?'),
      clearPast: this.db.prepare(
        'DELETE FROM unrecovered WHERE article_id IN (SELECT article_id FROM captures WHERE warc = ? AND warc_offset + warc_length > ? AND article_id IS NOT NULL)',
      ),
    });
  }

  /** An article written; with its layout, in the same transaction (the layout report stays in step). */
  readonly articleWritten = (a: {
    id: number;
    captureId: number;
    path: string;
    sha256: string;
    year: string;
    layout?: { id: string; date: string | undefined; fields: string };
  }): void => {
    this.db.transaction(() => {
      this.stmts.verdict.run({ id: a.captureId, verdict: 'ok' });
      this.stmts.written.run({ id: a.id, captureId: a.captureId, path: a.path, sha256: a.sha256, year: a.year });
      this.outcomes().clear.run(a.id);
      if (a.layout) {
        this.layoutStmt ??= this.db.prepare(
          'INSERT INTO article_layouts (id, layout, date, fields) VALUES (@id, @layout, @date, @fields) ON CONFLICT (id) DO UPDATE SET layout = @layout, date = @date, fields = @fields',
        );
        this.layoutStmt.run({ id: a.id, layout: a.layout.id, date: a.layout.date ?? null, fields: a.layout.fields });
      }
    })();
  };

  /**
   * Written articles grouped by layout and field sources (a few rows however many articles), with
   * the date range and one sample capture of each group. Empty for a state written before layouts
   * were recorded.
   */
  layoutGroups(): {
    layout: string;
    fields: string;
    n: number;
    from: string | null;
    to: string | null;
    timestamp: string | null;
    original: string | null;
  }[] {
    if (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_layouts'").get() ===
      undefined
    )
      return [];
    return this.db
      .prepare(
        `SELECT l.layout, l.fields, count(*) AS n, min(l.date) AS "from", max(l.date) AS "to", min(c.timestamp || ' ' || c.original) AS sample
      FROM article_layouts l JOIN articles a ON a.id = l.id AND a.state = 'written' LEFT JOIN captures c ON c.id = a.capture_id
      GROUP BY l.layout, l.fields`,
      )
      .all()
      .map((r) => {
        const row = r as {
          layout: string;
          fields: string;
          n: number;
          from: string | null;
          to: string | null;
          sample: string | null;
        };
        const [timestamp, original] =
          row.sample === null
            ? [null, null]
            : [row.sample.slice(0, row.sample.indexOf(' ')), row.sample.slice(row.sample.indexOf(' ') + 1)];
        return { layout: row.layout, fields: row.fields, n: row.n, from: row.from, to: row.to, timestamp, original };
      });
  }

  /** The article has no file: why, as a kind (what reports group by) and its detail. */
  articleUnrecovered(id: number, outcome: Unrecovered, year: string | null): void {
    const { set } = this.outcomes();
    this.db.transaction(() => {
      this.stmts.unrecovered.run({ id, reason: `${outcome.kind}: ${outcome.detail}`, year });
      set.run({ id, kind: outcome.kind, detail: outcome.detail });
    })();
  }

  event(e: { type: string; family?: string; ms?: number; detail?: string }): void {
    this.stmts.event.run({
      at: new Date().toISOString(),
      type: e.type,
      family: e.family ?? null,
      ms: e.ms ?? null,
      detail: e.detail ?? null,
    });
  }

  /**
   * Every article capture whose bytes a WARC record holds (chosen for the article's file or
   * rejected: both are evidence), in article order and, within an article, in the order they were
   * discovered. Each is the memento the record is: after a redirect the Wayback sent another
   * capture than the CDX row asked for (rescue.ts stores the record under the final memento URL),
   * so the time and URL come from `memento_url` when it names a full timestamp, else from the row.
   * Streams: constant memory at any number of captures.
   */
  *heldCaptures(): IterableIterator<HeldCapture> {
    for (const row of this.stmts.held.iterate()) {
      const memento = row.memento_url === null ? undefined : parseMemento(row.memento_url, { anyHost: true });
      const actual = memento !== undefined && FULL_TIMESTAMP.test(memento.timestamp) ? memento : undefined;
      yield {
        articleId: row.article_id,
        timestamp: actual?.timestamp ?? row.timestamp,
        original: actual?.original ?? row.original,
      };
    }
  }

  *writtenArticles(): IterableIterator<{ id: number; path: string; capture_id: number }> {
    yield* this.stmts.writtenArticles.iterate();
  }

  /**
   * Every written article with its file, the file's SHA-256 when it was written, and the
   * capture it came from (`warc` null when its bytes are not stored), in (file, offset) order of
   * the captures, so their records are read front to back (`salvage verify`).
   */
  *writtenWithCaptures(): IterableIterator<WrittenWithCapture> {
    yield* this.db
      .prepare<[], WrittenWithCapture>(
        "SELECT a.id, a.path, a.file_sha256, c.timestamp, c.original, c.warc, c.warc_offset, c.warc_length FROM articles a LEFT JOIN captures c ON c.id = a.capture_id WHERE a.state = 'written' ORDER BY c.warc, c.warc_offset, a.id",
      )
      .iterate();
  }

  /** The written articles with ids in [lo, hi] and their file paths (one bucket folder's worth). */
  writtenBetween(lo: number, hi: number): { id: number; path: string | null }[] {
    return this.db
      .prepare<[number, number], { id: number; path: string | null }>(
        "SELECT id, path FROM articles WHERE state = 'written' AND id BETWEEN ? AND ?",
      )
      .all(lo, hi);
  }

  /** SQLite's own check of the state file (`PRAGMA quick_check`): 'ok', or what is damaged. */
  quickCheck(): string {
    return (this.db.pragma('quick_check(20)', { simple: false }) as { quick_check: string }[])
      .map((r) => r.quick_check)
      .join('; ');
  }

  /** Raw SQL for reports (read-only use). */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }
}
