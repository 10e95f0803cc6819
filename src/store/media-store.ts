/**
 * The media store of an archive (issue 16): the images its articles show, kept beside the text.
 *
 *     media/media.sqlite                 the index: image URL → outcome, digest, type, size, capture time
 *     media/files/<ab>/<sha256>.<ext>    each distinct image once, named by its SHA-256
 *     media/captures/salvage-NNNNN.warc.gz   every answer the Wayback gave, as WARC response records
 *
 * Article files are not touched: their `im_` URLs name the images, and the index is keyed by the
 * image URL inside them, so every tool that reads the archive format keeps working. The store is
 * its own folder with its own database, so it works for an archive made by `salvage import` (no
 * crawl state) as for a rescue. Writes are crash-safe in this order: WARC record (synchronous
 * append), image file (temp + rename), then one transaction that records both; a kill between
 * them leaves an uncommitted WARC record (kept: a new file is started, nothing is cut) and the
 * image is fetched again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { SalvageError } from '../errors.js';
import { CaptureStore, WARC_NAME } from './capture-store.js';
import { requestedOf } from './recover.js';
import { readWarcCaptureAt, type ResponseRecordInput, type WarcCapture } from './warc.js';
import { WARCRecord, getSurt } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { isoToTimestamp, parseMemento, timestampToIso } from '../memento.js';
import { scanMembers } from './warc-scan.js';
import { WEB_IMAGE_TYPES } from './image-check.js';
import { base32 } from './warc-digest.js';

/** WARC header of a media record: the year of the article that showed the image (coverage per year). */
export const ARTICLE_YEAR_HEADER = 'Salvage-Article-Year';

/** Makes the row of an image from a WARC record and the capture it was asked for (its file kept when whole). */
export type ClassifyRecord = (
  answer: { capture: WarcCapture } | { same: MediaRow },
  requested: { timestamp: string; original: string; year: string | undefined },
) => MediaRow;

/**
 * One key for a capture's URL under every spelling the Wayback treats as one (its SURT: scheme,
 * `www.`, default port, case and query order aside; WAYBACK.md, CDX), non-ASCII percent-encoded
 * first as the service spells it. warcio's `getSurt` is the SURT of pywb, which the Wayback's
 * own index follows.
 */
export function captureKey(original: string): string {
  const wire = original.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
  try {
    return getSurt(wire);
  } catch {
    return wire.toLowerCase();
  }
}

/** The WARC-Profile of a record that repeats an earlier record's payload (WARC 1.1, 6.7.2). */
const REVISIT_PROFILE = 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest';

/** The media folder inside an archive folder. */
export const MEDIA_DIR = 'media';
export const MEDIA_INDEX_FILE = 'media.sqlite';
export const MEDIA_FILES_DIR = 'files';
export const MEDIA_CAPTURES_DIR = 'captures';
export const MEDIA_SCHEMA_VERSION = 1;

/**
 * What became of one image: `stored` (a whole image, kept), or why it is missing —
 * `not-archived` (the Wayback holds no capture), `archived-error` (only an error answer of the
 * site was captured: a 404, a 403…), `not-image` / `truncated` (bytes that are no whole image,
 * whatever type they claim: kept in the WARC as evidence, never shown),
 * `excluded` (the Wayback refuses to replay it), `refused` (a URL no request can carry),
 * `fetch-failed` (the service kept failing: tried again by the next run).
 */
export type MediaOutcome =
  'stored' | 'not-archived' | 'archived-error' | 'not-image' | 'truncated' | 'excluded' | 'refused' | 'fetch-failed';

/** Outcomes a later run does not try again. */
export const FINAL_MEDIA_OUTCOMES: readonly MediaOutcome[] = [
  'stored',
  'not-archived',
  'archived-error',
  'not-image',
  'truncated',
  'excluded',
  'refused',
];

/** One image of the index. */
export interface MediaRow {
  /** The image URL as the article file's `im_` URL holds it (after `im_/`): what was asked for. */
  url: string;
  /** The URL as the reader looks it up (markdown `imageKey`: one form for raw and escaped spellings). */
  key: string;
  /** The capture time asked for: the first article capture that showed it. */
  requestedTs: string;
  outcome: MediaOutcome;
  detail?: string;
  /** The year of the first article that showed it (coverage per year). */
  year?: string;
  /** The image's own capture time (after closest-capture redirects). */
  captureTs?: string;
  /** The original of the capture that answered, as the service spells it (redirects can lead to another spelling, or URL). */
  captureUrl?: string;
  /** The archived HTTP status. */
  status?: number;
  contentType?: string;
  /** SHA-256 of the payload, hex. */
  sha256?: string;
  /** The Wayback's payload digest (base32 SHA-1), as CDX rows give it. */
  waybackDigest?: string;
  bytes?: number;
  /** Stored images: the format's media type, and the size its headers give (absent if none). */
  mime?: string;
  width?: number;
  height?: number;
  /** Stored images: the file, relative to the media folder. */
  file?: string;
  mementoUrl?: string;
  fetchedAt?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
  url TEXT PRIMARY KEY,          -- the image URL inside the article files' im_ URLs
  key TEXT NOT NULL,             -- the URL as the reader looks it up (markdown imageKey)
  requested_ts TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT,
  year TEXT,
  capture_ts TEXT,
  status INTEGER,
  content_type TEXT,
  sha256 TEXT,
  wayback_digest TEXT,
  bytes INTEGER,
  mime TEXT,
  width INTEGER,
  height INTEGER,
  file TEXT,
  memento_url TEXT,
  fetched_at TEXT,
  warc TEXT,
  warc_offset INTEGER,
  warc_length INTEGER,
  capture_url TEXT,
  capture_key TEXT               -- captureKey(capture_url): one capture under every spelling
);
CREATE INDEX IF NOT EXISTS images_by_sha256 ON images (sha256);
CREATE INDEX IF NOT EXISTS images_by_key ON images (key);
CREATE INDEX IF NOT EXISTS images_by_capture ON images (capture_key, capture_ts);
CREATE TABLE IF NOT EXISTS warcs (
  name TEXT PRIMARY KEY,
  size INTEGER NOT NULL          -- bytes committed: appended to only while the file is exactly this long
);
`;

/** Extensions of stored files, by media type: image-size's type names (`jpg`, `png`, …). */
const EXTENSION: Record<string, string> = Object.fromEntries(
  Object.entries(WEB_IMAGE_TYPES).map(([type, mime]) => [mime, type]),
);

/**
 * Where image files are written before their rename into files/, named `<sha256>.<pid>`: one
 * folder, so the leftovers of a killed run are found without walking every file.
 */
const PARTIAL_DIR = '.partial';

/** Whether a process with this id is running (a leftover of a live writer is not removed). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the half-written image files a killed run left: our own temp files, never evidence (the
 * WARC keeps every answer). A file whose writer still runs is left alone.
 */
function removeLeftovers(dir: string): void {
  const partial = join(dir, PARTIAL_DIR);
  if (!existsSync(partial)) return;
  for (const name of readdirSync(partial)) {
    const pid = Number(/\.(\d+)$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
    rmSync(join(partial, name), { force: true });
  }
}

/**
 * The capture columns came after schema 1's first stores: added to a store without them (a
 * store's rows without them only miss the "same capture" shortcut), and their index.
 */
function addCaptureColumns(db: Database.Database): void {
  const columns = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(images)')
      .all()
      .map((c) => c.name),
  );
  if (columns.has('capture_url') && columns.has('capture_key')) return;
  db.transaction(() => {
    if (!columns.has('capture_url')) db.exec('ALTER TABLE images ADD COLUMN capture_url TEXT');
    if (!columns.has('capture_key')) db.exec('ALTER TABLE images ADD COLUMN capture_key TEXT');
    db.exec('CREATE INDEX IF NOT EXISTS images_by_capture ON images (capture_key, capture_ts)');
    // The capture each answered row fetched, from its memento URL: in batches, never all rows at once.
    const batch = db.prepare<[number], { rowid: number; memento_url: string }>(
      'SELECT rowid, memento_url FROM images WHERE rowid > ? AND memento_url IS NOT NULL ORDER BY rowid LIMIT 10000',
    );
    const update = db.prepare('UPDATE images SET capture_url = ?, capture_key = ? WHERE rowid = ?');
    for (let after = 0, rows = batch.all(0); rows.length > 0; after = rows.at(-1)!.rowid, rows = batch.all(after))
      for (const r of rows) {
        const original = parseMemento(r.memento_url, { anyHost: true })?.original;
        if (original !== undefined) update.run(original, captureKey(original), r.rowid);
      }
  })();
}

interface ImageDbRow {
  url: string;
  key: string;
  requested_ts: string;
  outcome: string;
  detail: string | null;
  year: string | null;
  capture_ts: string | null;
  status: number | null;
  content_type: string | null;
  sha256: string | null;
  wayback_digest: string | null;
  bytes: number | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  file: string | null;
  memento_url: string | null;
  fetched_at: string | null;
  capture_url?: string | null;
}

function fromDb(r: ImageDbRow): MediaRow {
  const row: MediaRow = { url: r.url, key: r.key, requestedTs: r.requested_ts, outcome: r.outcome as MediaOutcome };
  if (r.detail !== null) row.detail = r.detail;
  if (r.year !== null) row.year = r.year;
  if (r.capture_ts !== null) row.captureTs = r.capture_ts;
  if (r.status !== null) row.status = r.status;
  if (r.content_type !== null) row.contentType = r.content_type;
  if (r.sha256 !== null) row.sha256 = r.sha256;
  if (r.wayback_digest !== null) row.waybackDigest = r.wayback_digest;
  if (r.bytes !== null) row.bytes = r.bytes;
  if (r.mime !== null) row.mime = r.mime;
  if (r.width !== null) row.width = r.width;
  if (r.height !== null) row.height = r.height;
  if (r.file !== null) row.file = r.file;
  if (r.memento_url !== null) row.mementoUrl = r.memento_url;
  if (r.fetched_at !== null) row.fetchedAt = r.fetched_at;
  // `!= null`: a store opened read-only before its columns were added has no capture_url at all.
  if (r.capture_url != null) row.captureUrl = r.capture_url;
  return row;
}

/** Counts of the index: every outcome, overall and per year ('' when unknown). */
export interface MediaCounts {
  total: number;
  byOutcome: Partial<Record<MediaOutcome, number>>;
  byYear: Record<string, Partial<Record<MediaOutcome, number>>>;
  /** Distinct stored files and their bytes (images several URLs share are counted once). */
  files: number;
  fileBytes: number;
}

/** The Wayback's payload digest of some bytes: base32 of their SHA-1. */
export function waybackPayloadDigest(bytes: Uint8Array): string {
  return base32(createHash('sha1').update(bytes).digest());
}

/** The media store of one archive folder (see the module doc). */
export class MediaStore {
  readonly dir: string;
  private readonly db: Database.Database;
  private captures: CaptureStore | undefined;

  private constructor(dir: string, db: Database.Database) {
    this.dir = dir;
    this.db = db;
  }

  /** Open (creating it when absent) the media store of the archive folder `archiveDir`. */
  static open(archiveDir: string): MediaStore {
    const dir = join(archiveDir, MEDIA_DIR);
    mkdirSync(join(dir, MEDIA_FILES_DIR), { recursive: true });
    removeLeftovers(dir);
    const file = join(dir, MEDIA_INDEX_FILE);
    let db: Database.Database;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // The meta table first: a store of another schema version is refused before anything changes.
      db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const version = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
      if (version !== undefined && version !== String(MEDIA_SCHEMA_VERSION))
        throw new SalvageError(
          'INPUT_INVALID',
          `the media index ${file} was written by another version of salvage (schema ${version}, this version reads ${MEDIA_SCHEMA_VERSION})`,
        );
      const existing = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images'").get();
      if (existing !== undefined) addCaptureColumns(db);
      db.exec(SCHEMA);
      if (version === undefined)
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(MEDIA_SCHEMA_VERSION));
    } catch (error) {
      if (error instanceof SalvageError) throw error;
      throw new SalvageError(
        'INPUT_INVALID',
        `cannot open the media index ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return new MediaStore(dir, db);
  }

  /**
   * Open the media store read-only; undefined when the archive has none. Throws SalvageError
   * INPUT_UNREADABLE when its index cannot be read or is of another version.
   */
  static openExisting(archiveDir: string): MediaStore | undefined {
    const dir = join(archiveDir, MEDIA_DIR);
    const file = join(dir, MEDIA_INDEX_FILE);
    if (!existsSync(file)) return undefined;
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const version = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
      if (version !== String(MEDIA_SCHEMA_VERSION))
        throw new Error(`schema ${version ?? 'none'}, this version reads ${MEDIA_SCHEMA_VERSION}`);
      return new MediaStore(dir, db);
    } catch (error) {
      db?.close();
      throw new SalvageError(
        'INPUT_UNREADABLE',
        `the media index ${file} cannot be read (${error instanceof Error ? error.message : String(error)})`,
        { subject: file },
      );
    }
  }

  close(): void {
    this.captures?.close();
    this.db.close();
  }

  /** The row of an image URL, if it has one. */
  get(url: string): MediaRow | undefined {
    const r = this.db.prepare<[string], ImageDbRow>('SELECT * FROM images WHERE url = ?').get(url);
    return r === undefined ? undefined : fromDb(r);
  }

  /** The stored image of a key (markdown `imageKey`), if one is stored. */
  storedByKey(key: string): MediaRow | undefined {
    const r = this.db
      .prepare<[string], ImageDbRow>("SELECT * FROM images WHERE key = ? AND outcome = 'stored' LIMIT 1")
      .get(key);
    return r === undefined ? undefined : fromDb(r);
  }

  /** Every row of a key, whatever its outcome (spellings of one image have a row each). */
  rowsOfKey(key: string): MediaRow[] {
    return this.db
      .prepare<[string], ImageDbRow>('SELECT * FROM images WHERE key = ? ORDER BY url')
      .all(key)
      .map(fromDb);
  }

  /** Every stored file of a key (spellings of one image may have been stored apart). */
  storedFilesOfKey(key: string): string[] {
    return this.db
      .prepare<[string], string>(
        "SELECT DISTINCT file FROM images WHERE key = ? AND outcome = 'stored' AND file IS NOT NULL",
      )
      .pluck()
      .all(key);
  }

  private outcomesOfKey: Statement<[string], string> | undefined;

  /** Whether a later run should leave this image alone: a final outcome is recorded for its key. */
  isDone(key: string): boolean {
    this.outcomesOfKey ??= this.db.prepare<[string], string>('SELECT outcome FROM images WHERE key = ?').pluck();
    return this.outcomesOfKey.all(key).some((o) => (FINAL_MEDIA_OUTCOMES as readonly string[]).includes(o));
  }

  private rowOfCapture: Statement<[string, string], ImageDbRow> | undefined;

  /**
   * The row whose answer was the capture of `original` (any spelling of one SURT key) at
   * `timestamp`, with a WARC record of it: another image URL that led to the same capture.
   */
  capturedRow(timestamp: string, original: string): MediaRow | undefined {
    this.rowOfCapture ??= this.db.prepare<[string, string], ImageDbRow>(
      'SELECT * FROM images WHERE capture_key = ? AND capture_ts = ? AND warc IS NOT NULL LIMIT 1',
    );
    const r = this.rowOfCapture.get(captureKey(original), timestamp);
    return r === undefined ? undefined : fromDb(r);
  }

  /** Every row, in URL order (bounded memory: rows are read as they are used). */
  *rows(): Generator<MediaRow> {
    for (const r of this.db.prepare<[], ImageDbRow>('SELECT * FROM images ORDER BY url').iterate()) yield fromDb(r);
  }

  /** The path of a stored image's file (absolute). */
  filePath(row: MediaRow): string | undefined {
    return row.file === undefined ? undefined : join(this.dir, row.file);
  }

  /**
   * Append one answer of the Wayback to the media WARCs. Synchronous write (CaptureStore.append):
   * the caller records it with {@link record} in the same turn.
   */
  async appendCapture(input: ResponseRecordInput): Promise<{ warc: string; offset: number; length: number }> {
    this.captures ??= new CaptureStore(join(this.dir, MEDIA_CAPTURES_DIR), this.warcSizes());
    return this.captures.append(input);
  }

  /**
   * Append a `revisit` record (WARC 1.1, identical-payload-digest profile) for a request that led
   * to a capture an earlier record holds (`same`, another URL's row): the request is on record,
   * and a restore gives its row back, without the capture fetched or stored twice.
   */
  async appendRevisit(
    same: MediaRow,
    warcHeaders: Record<string, string>,
  ): Promise<{ warc: string; offset: number; length: number }> {
    const url = same.captureUrl ?? same.url;
    const date = same.captureTs === undefined ? undefined : timestampToIso(same.captureTs);
    if (date === undefined)
      throw new SalvageError('INPUT_INVALID', `the row of ${same.url} has no capture time to refer to`);
    // WARC 1.1 (6.7.2): a revisit names the record it repeats (WARC-Refers-To) and that record's
    // payload digest. `same` may itself be a revisit (a third spelling): then it already names them.
    const head = await this.recordHead(same);
    const refersTo = head?.get(head.get('warc-type') === 'revisit' ? 'warc-refers-to' : 'warc-record-id');
    const digest = head?.get('warc-payload-digest');
    const record = WARCRecord.create(
      {
        url,
        date,
        type: 'revisit',
        warcVersion: 'WARC/1.1',
        refersToUrl: url,
        refersToDate: date,
        statusline: `HTTP/1.1 ${same.status ?? 200} ${same.status === 200 ? 'OK' : 'Status'}`,
        httpHeaders: same.contentType === undefined ? {} : { 'Content-Type': same.contentType },
        warcHeaders: {
          ...(refersTo === undefined ? {} : { 'WARC-Refers-To': refersTo }),
          ...(digest === undefined ? {} : { 'WARC-Payload-Digest': digest }),
          ...warcHeaders,
        },
      },
      (async function* () {})(),
    );
    record.warcHeaders.headers.set('WARC-Profile', REVISIT_PROFILE);
    // As for responses (warc.ts): the target as the service spells it, not re-encoded by URL parsing.
    const raw = url.replace(/[\s\u0000-\u001f\u007f]/g, (ch) => encodeURIComponent(ch));
    record.warcHeaders.headers.set('WARC-Target-URI', raw);
    record.warcHeaders.headers.set('WARC-Refers-To-Target-URI', raw);
    this.captures ??= new CaptureStore(join(this.dir, MEDIA_CAPTURES_DIR), this.warcSizes());
    return this.captures.appendBytes(await WARCSerializer.serialize(record, { gzip: true }));
  }

  /**
   * Adopt the answers a killed run appended to the media WARCs after its last commit (a kill
   * between a record's write and its row): each whole response record past a file's committed
   * size is recorded with the row `classify` makes of it, so the image is not fetched again.
   * Stops at the first stretch that holds no whole record (a write cut by the kill): those
   * bytes stay where they are, and the next append starts a new file. Returns how many were adopted.
   */
  adoptUncommitted(classify: ClassifyRecord): Promise<number> {
    return this.readRecords(classify, false);
  }

  /**
   * Restore the index and the image files from the media WARCs alone (`salvage rebuild`): every
   * whole record from the start of every file, its image file kept again when it is gone, its row
   * recorded when the index has none for its image. Returns how many rows were recorded.
   */
  restoreFromWarcs(classify: ClassifyRecord): Promise<number> {
    return this.readRecords(classify, true);
  }

  /** Stretches of media WARC bytes that held no record, met by {@link restoreFromWarcs} (left in place). */
  damagedStretches = 0;

  private async readRecords(classify: ClassifyRecord, fromStart: boolean): Promise<number> {
    const dir = join(this.dir, MEDIA_CAPTURES_DIR);
    if (!existsSync(dir)) return 0;
    const committed = new Map(this.warcSizes().map((w) => [w.name, w.size]));
    let recorded = 0;
    for (const warc of readdirSync(dir)
      .filter((n) => WARC_NAME.test(n))
      .sort()) {
      const path = join(dir, warc);
      const known = committed.get(warc) ?? 0;
      const from = fromStart ? 0 : known;
      if (statSync(path).size <= from) continue;
      let end = from;
      for await (const m of scanMembers(path, from)) {
        if (m.kind !== 'record' || m.offset !== end) {
          // Adopting after a kill stops at the first stretch that is no whole record (the cut
          // write); a restore reads past damage to every intact record, and counts it.
          if (!fromStart) break;
          if (m.kind !== 'record') {
            this.damagedStretches++;
            continue;
          }
        }
        end = m.offset + m.length;
        const requested =
          m.head.type === 'response' || m.head.type === 'revisit' ? requestedOf(m.head.warc) : undefined;
        const year = m.head.warc.get(ARTICLE_YEAR_HEADER.toLowerCase());
        let row: MediaRow | undefined;
        if (requested !== undefined && m.head.type === 'response')
          row = classify({ capture: await readWarcCaptureAt(path, m.offset, m.length) }, { ...requested, year });
        else if (requested !== undefined) {
          // A revisit: the row of the capture it refers to (recorded from an earlier record) gives the answer.
          const same = this.revisited(m.head.warc);
          if (same !== undefined) row = classify({ same }, { ...requested, year });
        }
        if (row === undefined || this.isDone(row.key)) {
          if (end > known) this.db.prepare('INSERT OR REPLACE INTO warcs (name, size) VALUES (?, ?)').run(warc, end);
          continue;
        }
        this.record(row, { warc, offset: m.offset, length: m.length });
        recorded++;
      }
    }
    return recorded;
  }

  /** The WARC headers of a row's record, if it can be read. */
  private async recordHead(row: MediaRow): Promise<Map<string, string> | undefined> {
    const r = this.db
      .prepare<[string], { warc: string | null; warc_offset: number | null }>(
        'SELECT warc, warc_offset FROM images WHERE url = ?',
      )
      .get(row.url);
    if (r?.warc == null || r.warc_offset === null) return undefined;
    const path = join(this.dir, MEDIA_CAPTURES_DIR, r.warc);
    if (!existsSync(path)) return undefined;
    for await (const m of scanMembers(path, r.warc_offset))
      return m.kind === 'record' && m.offset === r.warc_offset ? m.head.warc : undefined;
    return undefined;
  }

  /** The row of the capture a revisit record refers to, if the index has one. */
  private revisited(warc: Map<string, string>): MediaRow | undefined {
    const uri = warc.get('warc-refers-to-target-uri') ?? warc.get('warc-target-uri');
    const date = warc.get('warc-refers-to-date') ?? warc.get('warc-date');
    const ts = date === undefined ? undefined : isoToTimestamp(date);
    return uri === undefined || ts === undefined ? undefined : this.capturedRow(ts, uri);
  }

  /** Each media WARC's committed size: appended to only while the file is exactly this long. */
  warcSizes(): { name: string; size: number }[] {
    return this.db.prepare<[], { name: string; size: number }>('SELECT name, size FROM warcs ORDER BY name').all();
  }

  /** Every record the index names, in (file, offset) order (for `salvage verify`; rows are read as they are used). */
  *warcPlaces(): Generator<{ warc: string; offset: number; length: number }> {
    yield* this.db
      .prepare<[], { warc: string; offset: number; length: number }>(
        'SELECT DISTINCT warc, warc_offset AS offset, warc_length AS length FROM images WHERE warc IS NOT NULL AND warc_offset IS NOT NULL AND warc_length IS NOT NULL ORDER BY warc, warc_offset',
      )
      .iterate();
  }

  /**
   * Every stored file the index names (`files/<ab>/<sha256>.<ext>`, relative to the media
   * folder), once, in name order, read row by row (bounded memory however many images the store
   * holds; `salvage verify`, bags): the SHA-256
   * and size its rows record (`digests` > 1 when rows of one file disagree), and how many rows.
   */
  *storedFiles(): Generator<{
    file: string;
    sha256: string | null;
    bytes: number | null;
    digests: number;
    rows: number;
  }> {
    yield* this.db
      .prepare<[], { file: string; sha256: string | null; bytes: number | null; digests: number; rows: number }>(
        "SELECT file, min(sha256) AS sha256, max(bytes) AS bytes, count(DISTINCT coalesce(sha256, '') || ' ' || coalesce(bytes, '')) AS digests, count(*) AS rows FROM images WHERE outcome = 'stored' AND file IS NOT NULL GROUP BY file ORDER BY file",
      )
      .iterate();
  }

  /** SQLite's own check of the index file (`PRAGMA quick_check`): 'ok', or what is damaged. */
  quickCheck(): string {
    return (this.db.pragma('quick_check(20)', { simple: false }) as { quick_check: string }[])
      .map((r) => r.quick_check)
      .join('; ');
  }

  /**
   * Keep the bytes of a whole image under their SHA-256 (once: an image several URLs share is
   * one file). Written to a temp file and renamed, so a file that exists is whole.
   */
  keepFile(bytes: Uint8Array, mime: string): { sha256: string; file: string } {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = `${MEDIA_FILES_DIR}/${sha256.slice(0, 2)}/${sha256}.${EXTENSION[mime] ?? 'bin'}`;
    const path = join(this.dir, file);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, MEDIA_FILES_DIR, sha256.slice(0, 2)), { recursive: true });
      mkdirSync(join(this.dir, PARTIAL_DIR), { recursive: true });
      const temp = join(this.dir, PARTIAL_DIR, `${sha256}.${process.pid}`);
      writeFileSync(temp, bytes);
      renameSync(temp, path);
    }
    return { sha256, file };
  }

  /** Record an image's outcome, with the WARC record that holds its answer (if any), in one transaction. */
  record(row: MediaRow, stored?: { warc: string; offset: number; length: number }): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO images (url, key, requested_ts, outcome, detail, year, capture_ts, status, content_type,
             sha256, wayback_digest, bytes, mime, width, height, file, memento_url, fetched_at, warc, warc_offset, warc_length,
             capture_url, capture_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.url,
          row.key,
          row.requestedTs,
          row.outcome,
          row.detail ?? null,
          row.year ?? null,
          row.captureTs ?? null,
          row.status ?? null,
          row.contentType ?? null,
          row.sha256 ?? null,
          row.waybackDigest ?? null,
          row.bytes ?? null,
          row.mime ?? null,
          row.width ?? null,
          row.height ?? null,
          row.file ?? null,
          row.mementoUrl ?? null,
          row.fetchedAt ?? null,
          stored?.warc ?? null,
          stored?.offset ?? null,
          stored?.length ?? null,
          row.captureUrl ?? null,
          row.captureUrl === undefined ? null : captureKey(row.captureUrl),
        );
      if (stored !== undefined)
        this.db
          .prepare(
            'INSERT INTO warcs (name, size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET size = max(size, excluded.size)',
          )
          .run(stored.warc, stored.offset + stored.length);
    })();
  }

  /**
   * What the store holds, as a short name that changes with every write (`record` replaces a row,
   * which takes a new rowid): the reader's rendered pages show stored images, and are kept by it.
   */
  stamp(): string {
    const r = this.db
      .prepare<[], { n: number; top: number | null }>('SELECT count(*) AS n, max(rowid) AS top FROM images')
      .get();
    return `${r?.n ?? 0}:${r?.top ?? 0}`;
  }

  /** Outcome counts, overall and per year, and the distinct stored files. */
  counts(): MediaCounts {
    const out: MediaCounts = { total: 0, byOutcome: {}, byYear: {}, files: 0, fileBytes: 0 };
    const rows = this.db
      .prepare<[], { outcome: MediaOutcome; year: string | null; n: number }>(
        'SELECT outcome, year, count(*) AS n FROM images GROUP BY outcome, year',
      )
      .all();
    for (const { outcome, year, n } of rows) {
      out.total += n;
      out.byOutcome[outcome] = (out.byOutcome[outcome] ?? 0) + n;
      const y = (out.byYear[year ?? ''] ??= {});
      y[outcome] = (y[outcome] ?? 0) + n;
    }
    const files = this.db
      .prepare<[], { n: number; bytes: number | null }>(
        "SELECT count(*) AS n, sum(bytes) AS bytes FROM (SELECT sha256, max(bytes) AS bytes FROM images WHERE outcome = 'stored' GROUP BY sha256)",
      )
      .get();
    out.files = files?.n ?? 0;
    out.fileBytes = files?.bytes ?? 0;
    return out;
  }
}
