/**
 * Rendered pages on disk, shared by every process of `salvage serve` and kept across restarts:
 * `DIR/reader-pages.sqlite`. A page is rendered once (on its first request, or by
 * `salvage render`) and then answered with one lookup, already compressed.
 *
 * Every row carries the stamp of what it was rendered from (the index's generation, the media
 * store, the reader's options and code; reader.ts) and is found only under that stamp, so a
 * page of an older index or another configuration is never served, and two configurations
 * serving one folder do not overwrite each other. Rows of older index generations are removed by
 * {@link prunePageStore} (`salvage index` and `salvage render` call it), in batches, never on a
 * request's path.
 *
 * It is a cache: a write that has to wait for another process's lock more than a moment, or
 * fails (the disk is full), is skipped, and a store that cannot be opened (a read-only folder)
 * leaves the reader rendering as before.
 */
import Database, { type Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CachedResponse } from './cache.js';

export const PAGE_STORE_FILE = 'reader-pages.sqlite';
const PAGE_STORE_SCHEMA = 2;
/**
 * How long a statement waits for another process's lock. better-sqlite3 waits synchronously, so
 * a server must not wait long on its cache: a write skipped is a page rendered again later.
 */
const BUSY_MS = 50;
/**
 * How long opening the store waits: every worker of `salvage serve` opens it at once when it
 * starts, and one may be creating it (or `salvage render` writing a batch). With BUSY_MS a worker
 * got "database is locked" there and served its whole life without the store (bench:scale at
 * 10×, 2026-12-07). A reader opens it at start and after a re-index only.
 */
const OPEN_BUSY_MS = 5000;
/** Rows deleted per transaction when pruning: short locks, so servers' writes get their turn. */
const PRUNE_BATCH = 500;

interface PageRow {
  status: number;
  headers: string;
  etag: string;
  compressible: number;
  identity: Uint8Array | null;
  br: Uint8Array | null;
  gzip: Uint8Array | null;
}

function openDb(dir: string): Database.Database {
  const db = new Database(join(dir, PAGE_STORE_FILE), { timeout: OPEN_BUSY_MS });
  try {
    db.pragma('journal_mode = WAL');
    // A cache: a page lost to a power cut is rendered again.
    db.pragma('synchronous = OFF');
    // One transaction, so two workers creating the store at once do not drop each other's table.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) !== PAGE_STORE_SCHEMA) {
        db.exec('DROP TABLE IF EXISTS pages');
        db.pragma(`user_version = ${PAGE_STORE_SCHEMA}`);
      }
      db.exec(`CREATE TABLE IF NOT EXISTS pages (
      key TEXT NOT NULL,
      stamp TEXT NOT NULL,
      generation TEXT NOT NULL,  -- the index generation in the stamp (what pruning keeps)
      status INTEGER NOT NULL,
      headers TEXT NOT NULL,     -- JSON [[name, value], …]
      etag TEXT NOT NULL,
      compressible INTEGER NOT NULL,
      identity BLOB,             -- only for answers that are not compressed
      br BLOB,
      gzip BLOB,
      PRIMARY KEY (key, stamp)
    );
    CREATE INDEX IF NOT EXISTS pages_generation ON pages (generation);`);
    }).immediate();
    db.pragma(`busy_timeout = ${BUSY_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export class PageStore {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #get: Statement<[string, string], PageRow>;
  readonly #has: Statement<[string, string], number>;
  readonly #put: Statement<unknown[]>;
  readonly #stamp: string;
  readonly #generation: string;

  private constructor(file: string, db: Database.Database, stamp: string, generation: string) {
    this.file = file;
    this.#db = db;
    this.#stamp = stamp;
    this.#generation = generation;
    this.#get = db.prepare(
      'SELECT status, headers, etag, compressible, identity, br, gzip FROM pages WHERE key = ? AND stamp = ?',
    );
    this.#has = db.prepare<[string, string], number>('SELECT 1 FROM pages WHERE key = ? AND stamp = ?').pluck();
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO pages (key, stamp, generation, status, headers, etag, compressible, identity, br, gzip)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * Open (creating it) the page store of archive folder `dir` for pages of `stamp`, rendered from
   * index `generation`. Undefined when it cannot be opened or written; `onFail` hears why.
   */
  static open(dir: string, stamp: string, generation: string, onFail?: (error: Error) => void): PageStore | undefined {
    try {
      return new PageStore(join(dir, PAGE_STORE_FILE), openDb(dir), stamp, generation);
    } catch (error) {
      onFail?.(error as Error);
      return undefined;
    }
  }

  get(key: string): CachedResponse | undefined {
    let row: PageRow | undefined;
    try {
      row = this.#get.get(key, this.#stamp);
    } catch {
      return undefined; // busy or damaged: render instead
    }
    if (row === undefined) return undefined;
    const bodies: CachedResponse['bodies'] = {};
    if (row.identity !== null) bodies.identity = row.identity;
    if (row.br !== null) bodies.br = row.br;
    if (row.gzip !== null) bodies.gzip = row.gzip;
    if (Object.keys(bodies).length === 0) return undefined;
    return {
      status: row.status,
      headers: JSON.parse(row.headers) as [string, string][],
      etag: row.etag,
      compressible: row.compressible === 1,
      bodies,
    };
  }

  /** Keep a page with every coding it is served in (compressible answers: br and gzip only). */
  put(key: string, entry: CachedResponse): void {
    const { identity, br, gzip } = entry.bodies;
    try {
      this.#put.run(
        key,
        this.#stamp,
        this.#generation,
        entry.status,
        JSON.stringify(entry.headers),
        entry.etag,
        entry.compressible ? 1 : 0,
        entry.compressible ? null : (identity ?? null),
        br ?? null,
        gzip ?? null,
      );
    } catch {
      // A cache write: skipped when the disk is full or another process holds the lock.
    }
  }

  /** Whether a page of this stamp is stored (`salvage render` skips it). */
  has(key: string): boolean {
    try {
      return this.#has.get(key, this.#stamp) !== undefined;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Delete the stored pages of index generations other than `generation`, a batch per
 * transaction (servers keep writing meanwhile). The file's freed pages are reused by new rows.
 * Returns the rows deleted; 0 when the folder has no page store.
 */
export function prunePageStore(dir: string, generation: string): number {
  if (!existsSync(join(dir, PAGE_STORE_FILE))) return 0;
  const db = new Database(join(dir, PAGE_STORE_FILE), { timeout: 5000 });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pages'").get();
    if (exists === undefined || (db.pragma('user_version', { simple: true }) as number) !== PAGE_STORE_SCHEMA) return 0;
    const batch = db.prepare(
      `DELETE FROM pages WHERE rowid IN (SELECT rowid FROM pages WHERE generation <> ? LIMIT ${PRUNE_BATCH})`,
    );
    let deleted = 0;
    for (;;) {
      const n = batch.run(generation).changes;
      deleted += n;
      if (n < PRUNE_BATCH) return deleted;
    }
  } finally {
    db.close();
  }
}

/**
 * A stamp of the code that renders pages: the content of every module under `roots` (salvage's
 * own code, built or source) and of the manifests that pin its dependencies (`package.json`,
 * `package-lock.json` when there is one). A new build or release of salvage (a fixed sanitizer,
 * a new layout, another markdown-it) changes it, and pages rendered by the old code are not
 * served. Computed once per process (~200 files).
 */
export function codeStamp(roots: readonly string[], manifests: readonly string[]): string {
  const hash = createHash('sha1');
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(?:js|ts)$/.test(e.name) && !/\.test\.(?:js|ts)$/.test(e.name)) {
        try {
          hash.update(`${path}\0`).update(readFileSync(path));
        } catch {
          // vanished between the listing and the read: it renders nothing
        }
      }
    }
  };
  for (const root of roots) walk(root);
  for (const file of manifests) {
    try {
      if (statSync(file).isFile()) hash.update(`${file}\0`).update(readFileSync(file));
    } catch {
      // absent (an installed package has no lockfile)
    }
  }
  return hash.digest('hex');
}
