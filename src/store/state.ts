/**
 * The crawl state of one archive folder: an embedded SQLite database (better-sqlite3, WAL) of CDX
 * query cursors, captures, articles, fetch attempts and politeness events. Every change that goes
 * with a file write is one transaction, committed right after the write, so a kill -9 loses at
 * most the page in flight and a rerun resumes exactly where the last one stopped.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SalvageError } from '../errors.js';

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
CREATE TABLE IF NOT EXISTS articles (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL DEFAULT 'pending',   -- pending | written | unrecovered
  capture_id INTEGER,
  path TEXT,
  file_sha256 TEXT,
  reason TEXT,
  year TEXT                                 -- of the chosen (or best) capture, for reports
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
  size INTEGER NOT NULL         -- bytes committed: anything after this is a record cut by a crash
);
`;

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

export interface ArticleRow {
  id: number;
  state: ArticleState;
  capture_id: number | null;
  path: string | null;
  reason: string | null;
}

export class CrawlState {
  private readonly db: Database.Database;
  private readonly stmts;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmts = {
      query: db.prepare<[string], { resume_key: string | null; done: number; rows: number; blocks: number }>('SELECT resume_key, done, rows, blocks FROM queries WHERE query = ?'),
      upsertQuery: db.prepare('INSERT INTO queries (query, resume_key, done, rows, blocks) VALUES (@query, @resumeKey, @done, @rows, 1) ON CONFLICT (query) DO UPDATE SET resume_key = @resumeKey, done = @done, rows = rows + @rows, blocks = blocks + 1'),
      insertCapture: db.prepare('INSERT OR IGNORE INTO captures (key, article_id, urlkey, timestamp, original, mimetype, statuscode, digest, length) VALUES (@key, @articleId, @urlkey, @timestamp, @original, @mimetype, @statuscode, @digest, @length)'),
      seedArticles: db.prepare("INSERT OR IGNORE INTO articles (id) SELECT DISTINCT article_id FROM captures WHERE article_id IS NOT NULL"),
      pendingAfter: db.prepare<[number, number], { id: number }>("SELECT id FROM articles WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?"),
      capturesOf: db.prepare<[number], StoredCapture>('SELECT id, article_id, urlkey, timestamp, original, mimetype, statuscode, digest, length, warc, warc_offset, warc_length, verdict FROM captures WHERE article_id = ?'),
      stored: db.prepare('UPDATE captures SET warc = @warc, warc_offset = @offset, warc_length = @length, fetched_at = @fetchedAt, memento_url = @mementoUrl WHERE id = @id'),
      warcSize: db.prepare('INSERT INTO warcs (name, size) VALUES (@name, @size) ON CONFLICT (name) DO UPDATE SET size = max(size, @size)'),
      warcs: db.prepare<[], { name: string; size: number }>('SELECT name, size FROM warcs ORDER BY name'),
      verdict: db.prepare('UPDATE captures SET verdict = @verdict WHERE id = @id'),
      attempt: db.prepare('INSERT INTO attempts (capture_id, at, outcome, detail) VALUES (@captureId, @at, @outcome, @detail)'),
      written: db.prepare("UPDATE articles SET state = 'written', capture_id = @captureId, path = @path, file_sha256 = @sha256, reason = NULL, year = @year WHERE id = @id"),
      unrecovered: db.prepare("UPDATE articles SET state = 'unrecovered', capture_id = NULL, path = NULL, reason = @reason, year = @year WHERE id = @id"),
      event: db.prepare('INSERT INTO events (at, type, family, ms, detail) VALUES (@at, @type, @family, @ms, @detail)'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      byDigest: db.prepare<[string], { statuscode: number; mimetype: string }>("SELECT statuscode, mimetype FROM captures WHERE digest = ? AND statuscode IS NOT NULL AND mimetype != 'warc/revisit' ORDER BY statuscode = 200 DESC LIMIT 1"),
      writtenArticles: db.prepare<[], { id: number; path: string; capture_id: number }>("SELECT id, path, capture_id FROM articles WHERE state = 'written' ORDER BY id"),
    };
  }

  /** Open (or create) the state database of an archive folder. */
  static open(path: string, site: string): CrawlState {
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      // WAL: readers (salvage status) never block the crawler; a killed process loses no committed
      // transaction. NORMAL sync is durable against process crashes (only power loss can cost the
      // last transactions, which a rerun redoes).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
    } catch (error) {
      throw new SalvageError('OUTPUT_FAILED', `cannot open the crawl state ${path}: ${(error as Error).message}`, { cause: error, subject: path });
    }
    const state = new CrawlState(db);
    const version = state.getMeta('schema');
    const owner = state.getMeta('site');
    if (version === undefined) {
      state.setMeta('schema', String(STATE_SCHEMA_VERSION));
      state.setMeta('site', site);
    } else if (version !== String(STATE_SCHEMA_VERSION)) {
      db.close();
      throw new SalvageError('CONFIG_INVALID', `${path} has crawl state schema ${version}; this salvage reads ${STATE_SCHEMA_VERSION}`, { subject: path });
    } else if (owner !== site) {
      db.close();
      throw new SalvageError('CONFIG_INVALID', `${path} holds a crawl of ${owner ?? 'another site'}, not ${site}: use another --out folder`, { subject: path });
    }
    return state;
  }

  /** Read-only view for reports; throws INPUT_UNREADABLE when there is no state. */
  static openReadOnly(path: string): CrawlState {
    try {
      return new CrawlState(new Database(path, { readonly: true, fileMustExist: true }));
    } catch (error) {
      throw new SalvageError('INPUT_UNREADABLE', `no crawl state at ${path} (${(error as Error).message})`, { cause: error, subject: path });
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
    return { resumeKey: row?.resume_key ?? undefined, done: row?.done === 1, rows: row?.rows ?? 0, blocks: row?.blocks ?? 0 };
  }

  /** One CDX block: its rows and the cursor after it, in one transaction (a crash repeats the block, never skips it). */
  readonly addCdxBlock = (query: string, rows: readonly NewCapture[], resumeKey: string | undefined): number => {
    return this.db.transaction(() => {
      let added = 0;
      for (const row of rows) added += this.stmts.insertCapture.run(row).changes;
      this.stmts.upsertQuery.run({ query, resumeKey: resumeKey ?? null, done: resumeKey === undefined ? 1 : 0, rows: rows.length });
      return added;
    })();
  };

  /** Every article with at least one capture becomes a pending article (existing ones keep their state). */
  seedArticles(): void {
    this.stmts.seedArticles.run();
  }

  articleCounts(): { total: number; written: number; unrecovered: number } {
    const row = this.db.prepare("SELECT count(*) AS total, coalesce(sum(state = 'written'), 0) AS written, coalesce(sum(state = 'unrecovered'), 0) AS unrecovered FROM articles").get() as { total: number; written: number; unrecovered: number };
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
  readonly captureStored = (c: { id: number; warc: string; offset: number; length: number; fetchedAt: string; mementoUrl: string }): void => {
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

  readonly captureRejected = (captureId: number, reason: string, message: string): void => {
    this.db.transaction(() => {
      this.stmts.verdict.run({ id: captureId, verdict: reason });
      this.stmts.attempt.run({ captureId, at: new Date().toISOString(), outcome: 'rejected', detail: `${reason}: ${message}` });
    })();
  };

  captureError(captureId: number, detail: string): void {
    this.stmts.attempt.run({ captureId, at: new Date().toISOString(), outcome: 'error', detail });
  }

  readonly articleWritten = (a: { id: number; captureId: number; path: string; sha256: string; year: string }): void => {
    this.db.transaction(() => {
      this.stmts.verdict.run({ id: a.captureId, verdict: 'ok' });
      this.stmts.written.run(a);
    })();
  };

  articleUnrecovered(id: number, reason: string, year: string | null): void {
    this.stmts.unrecovered.run({ id, reason, year });
  }

  event(e: { type: string; family?: string; ms?: number; detail?: string }): void {
    this.stmts.event.run({ at: new Date().toISOString(), type: e.type, family: e.family ?? null, ms: e.ms ?? null, detail: e.detail ?? null });
  }

  *writtenArticles(): IterableIterator<{ id: number; path: string; capture_id: number }> {
    yield* this.stmts.writtenArticles.iterate();
  }

  /** Raw SQL for reports (read-only use). */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }
}
