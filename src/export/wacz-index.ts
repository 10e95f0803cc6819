/**
 * The WARC side of a WACZ (wacz.ts): which WARC files of an archive go in and under what names,
 * and their CDXJ index, sorted on disk. Each file is scanned member by member with the store's
 * own reader (`scanMembers`), which trusts nothing and passes over a damaged or cut record to the
 * next one; warcio's `CDXIndexer` stops at the first bad member, and an archive's WARCs may end
 * in a record a kill cut (README, "The archive folder"), so one bad byte would fail the export.
 * Only the member heads are kept: memory does not grow with the archive. Lines go into a
 * temporary SQLite table whose primary key keeps them in byte order, SQLite's own B-tree
 * doing the external sort (2 million lines: a few hundred MiB on disk, its page cache in memory).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { captureKey, MEDIA_CAPTURES_DIR, MEDIA_DIR, scanMembers } from '../store/index.js';
import { isoToTimestamp } from '../memento.js';

/** The page captures' folder of an archive (store/capture-store.ts writes `salvage-NNNNN.warc.gz` there). */
const PAGE_CAPTURES_DIR = 'captures';
/** The store writes gzip-member WARCs only (`scanMembers` reads no other kind). */
const WARC_FILE = /\.warc\.gz$/;
/** WACZ 1.1.1 "archive": every WARC directly in `archive/`; the two folders' files share names, so each gets its folder's prefix. */
const ZIP_PREFIX = { pages: 'pages-', media: 'media-' } as const;
/** The records a replay answers with (WARC 1.1 §6.3, §6.7): the index lists these and passes over the others. */
const INDEXED_TYPES = new Set(['response', 'revisit']);

/** One WARC file of the archive as it goes into the WACZ. */
export interface WaczWarc {
  /** Path inside the archive folder (`captures/salvage-00001.warc.gz`). */
  source: string;
  /** Path inside the WACZ (`archive/pages-salvage-00001.warc.gz`). */
  name: string;
  /** Bytes of the source read: its size when the export started (a running crawl may append after). */
  size: number;
  /** Records left out (taken-down articles and their images): byte ranges of the source, in order. */
  withheld: { offset: number; length: number }[];
  /** Records indexed. */
  records: number;
}

/** A stretch of a WARC that holds no whole record: copied as it is, not indexed. */
export interface WaczDamage {
  source: string;
  offset: number;
  bytes: number;
  detail: string;
}

/** The WARC files of archive folder `dir`, page captures first, each folder in name order. */
export function archiveWarcs(dir: string): WaczWarc[] {
  const out: WaczWarc[] = [];
  for (const [kind, folder] of [
    ['pages', PAGE_CAPTURES_DIR],
    ['media', `${MEDIA_DIR}/${MEDIA_CAPTURES_DIR}`],
  ] as const) {
    let names: string[];
    try {
      names = readdirSync(join(dir, folder));
    } catch {
      continue;
    }
    for (const file of names.filter((n) => WARC_FILE.test(n)).sort()) {
      const stat = statSync(join(dir, folder, file));
      if (!stat.isFile() || stat.size === 0) continue; // a file created just before a kill holds nothing
      out.push({
        source: `${folder}/${file}`,
        name: `archive/${ZIP_PREFIX[kind]}${file}`,
        size: stat.size,
        withheld: [],
        records: 0,
      });
    }
  }
  return out;
}

/** The temporary index: one row per CDXJ line, in byte order by its primary key. */
export class CdxjTable {
  readonly db: Database.Database;
  #insert: Database.Statement<[string]> | undefined;
  #at: Database.Statement<[string, string], string> | undefined;

  /** `readonly`: a second connection to a table another one wrote. */
  constructor(
    readonly path: string,
    readonly = false,
  ) {
    this.db = new Database(path, { readonly });
    if (!readonly) {
      // A scratch file rebuilt by every export: durability would only cost time.
      this.db.pragma('journal_mode = OFF');
      this.db.pragma('synchronous = OFF');
      this.db.exec('CREATE TABLE IF NOT EXISTS cdxj (line TEXT PRIMARY KEY) WITHOUT ROWID');
    }
  }

  insertMany(lines: readonly string[]): void {
    const insert = (this.#insert ??= this.db.prepare('INSERT OR IGNORE INTO cdxj (line) VALUES (?)'));
    this.db.transaction(() => {
      for (const line of lines) insert.run(line);
    })();
  }

  count(): number {
    return this.db.prepare<[], number>('SELECT count(*) FROM cdxj').pluck().get() ?? 0;
  }

  /** The lines in byte order (SQLite's BINARY collation compares the UTF-8 bytes, as `LC_ALL=C sort` does for pywb). */
  *lines(): Generator<string> {
    for (const line of this.db.prepare<[], string>('SELECT line FROM cdxj ORDER BY line').pluck().iterate()) yield line;
  }

  /** The lines whose key is `surt ts` (a capture's URL under every spelling the Wayback treats as one). */
  linesAt(surt: string, timestamp: string): string[] {
    // Every line of the key starts with `surt ts `, and no other line sorts between it and `surt ts!`.
    this.#at ??= this.db
      .prepare<[string, string], string>('SELECT line FROM cdxj WHERE line >= ? AND line < ?')
      .pluck();
    return this.#at.all(`${surt} ${timestamp} `, `${surt} ${timestamp}!`);
  }

  close(): void {
    this.db.close();
  }
}

/** Lines inserted per transaction. */
const BATCH_LINES = 2000;

export interface IndexWarcOptions {
  /** Capture keys ({@link captureKey}) whose records are left out of the WACZ. */
  withheldKeys: ReadonlySet<string>;
  onDamage: (damage: WaczDamage) => void;
  /** Bytes of this file scanned so far, now and then. */
  onBytes?: (bytes: number) => void;
  signal?: AbortSignal;
}

/**
 * Index one WARC into `table`: a CDXJ line per response and revisit record, with the offset it
 * will have inside the WACZ's copy (after the withheld records before it are left out). Fills
 * `warc.withheld` and `warc.records`.
 */
export async function indexWarc(
  dir: string,
  warc: WaczWarc,
  table: CdxjTable,
  options: IndexWarcOptions,
): Promise<void> {
  const filename = warc.name.slice('archive/'.length);
  let removed = 0;
  let batch: string[] = [];
  for await (const m of scanMembers(join(dir, warc.source), 0, warc.size)) {
    options.signal?.throwIfAborted();
    if (m.kind !== 'record') {
      options.onDamage({ source: warc.source, offset: m.offset, bytes: m.bytes, detail: m.detail });
      continue;
    }
    options.onBytes?.(m.offset + m.length);
    const requested = m.head.warc.get('salvage-capture-uri');
    const url = m.head.targetUri.replace(/^<(.*)>$/, '$1');
    if (
      options.withheldKeys.has(captureKey(url)) ||
      (requested !== undefined && options.withheldKeys.has(captureKey(requested)))
    ) {
      warc.withheld.push({ offset: m.offset, length: m.length });
      removed += m.length;
      continue;
    }
    if (!INDEXED_TYPES.has(m.head.type)) continue;
    const timestamp = isoToTimestamp(m.head.date);
    if (timestamp === undefined || url === '') {
      options.onDamage({
        source: warc.source,
        offset: m.offset,
        bytes: m.length,
        detail: `a ${m.head.type} record without ${url === '' ? 'WARC-Target-URI' : 'a valid WARC-Date'}: not indexed`,
      });
      continue;
    }
    batch.push(cdxjLine(url, timestamp, m.head, m.length, m.offset - removed, filename));
    warc.records++;
    if (batch.length >= BATCH_LINES) {
      table.insertMany(batch);
      batch = [];
    }
  }
  table.insertMany(batch);
}

/**
 * One CDXJ line (pywb's format, as warcio's `CDXIndexer` writes it): `<SURT> <14-digit time>
 * {url, mime, status, digest, length, offset, filename}`, numbers as strings. The SURT is
 * {@link captureKey}'s, non-ASCII percent-encoded first, so it is ASCII and the same key
 * ReplayWeb.page computes for the percent-encoded URL a browser asks for. The digest keeps its
 * algorithm (`sha256:…`): warcio drops it, but our records' digests are SHA-256, not the SHA-1
 * a bare CDX digest is taken to be.
 */
function cdxjLine(
  url: string,
  timestamp: string,
  head: { type: string; warc: Map<string, string>; httpStatus: number | undefined; contentType: string | undefined },
  length: number,
  offset: number,
  filename: string,
): string {
  const mime = head.type === 'revisit' ? 'warc/revisit' : head.contentType?.split(';', 1)[0]?.trim();
  const digest = head.warc.get('warc-payload-digest');
  const fields = {
    url,
    ...(mime ? { mime } : {}),
    ...(head.httpStatus !== undefined ? { status: String(head.httpStatus) } : {}),
    ...(digest !== undefined ? { digest } : {}),
    length: String(length),
    offset: String(offset),
    filename,
  };
  return `${captureKey(url)} ${timestamp} ${JSON.stringify(fields)}`;
}

/** The gzip blocks' file of a ZipNum index, in `indexes/` (wacz.ts WACZ_ZIPNUM_PATH). */
export const ZIPNUM_FILE = 'index.cdx.gz';

/** The lines of an index.cdxj, with their newlines, in chunks of about 64 KiB. */
export function* linesOf(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * A ZipNum index's blocks (pywb "ZipNum Sharded Index", as py-wacz and js-wacz write it for
 * WACZ): `blockLines` CDXJ lines per gzip member, concatenated. Each block's line of the block
 * list is pushed on `blocks`: its first key (`<SURT> <time>`), offset and length in the file.
 */
export function* zipNumBlocks(lines: Iterable<string>, blockLines: number, blocks: string[]): Generator<Buffer> {
  let offset = 0;
  let block: string[] = [];
  const flush = (): Buffer => {
    const first = block[0]!; // called with at least one line
    const key = first.slice(0, first.indexOf(' {'));
    const gz = gzipSync(`${block.join('\n')}\n`);
    blocks.push(`${key} ${JSON.stringify({ offset, length: gz.length, filename: ZIPNUM_FILE })}\n`);
    offset += gz.length;
    block = [];
    return gz;
  };
  for (const line of lines) {
    block.push(line);
    if (block.length >= blockLines) yield flush();
  }
  if (block.length > 0) yield flush();
}

/** The block list: its `!meta` header (wabac.js reads `format` and the default `filename`), then a line per block. */
export function zipNumIdx(blocks: readonly string[]): string {
  return `!meta 0 ${JSON.stringify({ format: 'cdxj-gzip-1.0', filename: ZIPNUM_FILE })}\n${blocks.join('')}`;
}
