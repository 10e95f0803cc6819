/**
 * `salvage export DIR --format jsonl|sqlite`: a data dump of an archive folder for researchers,
 * read from the archive files themselves (not the search index), in id order, one article in
 * memory at a time. The dump is written to a temporary file and renamed when complete; then
 * `<out>.manifest.json` (what it holds, its SHA-256, the SHA-256 of every source file) and
 * `<out>.sha256` (one `sha256sum -c` line) are written the same way.
 */
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { parseArchiveFile, readTakedowns, type Takedown } from '../markdown/index.js';
import { groupKey } from '../search/index.js';
import { hashFile } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { cleanFileLeftovers, type Leftover } from './leftovers.js';

export type DumpFormat = 'jsonl' | 'sqlite';

export interface ExportDumpOptions {
  /** Required. */
  format: DumpFormat;
  /** The dump file. Default `<name of DIR>.jsonl.gz` or `<name of DIR>.sqlite` in the current folder; `.gz` compresses JSON lines. */
  out?: string;
  /** Called every 1000 articles. */
  onProgress?: (done: number, of: number) => void;
  /** Told about each `.partial-<pid>` file of an interrupted earlier run (its process gone) removed first. Default: none. */
  onLeftover?: (leftover: Leftover) => void;
}

/** Version of the dump's fields and tables (in the manifest and the SQLite `meta` table). */
export const DUMP_SCHEMA_VERSION = 1;
export const DUMP_FORMAT = 'salvage-dump';
const ARTICLE_FILE = /^article_([1-9]\d{0,14})\.md$/;
const PROGRESS_EVERY = 1000;
const SQLITE_BATCH = 1000;

/** The fields of one article in a dump (JSON keys; SQLite `articles` columns, tags in `tags`). */
export const DUMP_FIELDS = {
  id: "the site's article id (integer)",
  path: 'archive file, relative to the archive folder',
  site: 'site module id (hkcnews), or null',
  title: 'title',
  date: 'publication date YYYY-MM-DD, or null',
  last_updated: 'modification time the page states, YYYY-MM-DD HH:MM:SS, or null',
  author: 'author, or null',
  category: 'category, or null',
  tags: 'tags in page order (JSON array; SQLite: table tags)',
  url: 'the Wayback memento used, or null',
  original_url: 'the original URL as the CDX index spells it, or null',
  captured_at: 'capture time, ISO 8601 UTC, or null',
  sha256: 'SHA-256 of the capture payload (frontmatter), or null',
  group_id: 'revision group: the smallest id of the articles sharing folded title, date and author',
  file_sha256: 'SHA-256 of the archive file (also in the manifest)',
  file_bytes: 'size of the archive file',
  body_markdown: 'the Markdown after the frontmatter',
  text: 'the body as plain text, one paragraph per line',
} as const;

/** One article of a dump. */
export type DumpRecord = {
  [K in keyof typeof DUMP_FIELDS]: K extends 'id' | 'group_id' | 'file_bytes'
    ? number
    : K extends 'tags'
      ? string[]
      : K extends 'path' | 'title' | 'file_sha256' | 'body_markdown' | 'text'
        ? string
        : string | null;
};

export interface DumpReport {
  out: string;
  manifest: string;
  format: DumpFormat;
  articles: number;
  groups: number;
  bytes: number;
  sha256: string;
  skipped: { path: string; message: string }[];
  /** Articles left out because `takedowns.yaml` lists them (also in the manifest). */
  takenDown: Takedown[];
  seconds: number;
}

/** The archive files of a folder, by ascending id. */
export function archiveFilesById(dir: string): { id: number; path: string }[] {
  const root = join(dir, 'articles');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `${dir} has no articles/ folder; is it an archive folder (salvage archive, salvage import)?`,
      { subject: dir },
    );
  }
  const out: { id: number; path: string }[] = [];
  for (const bucket of readdirSync(root)) {
    const sub = join(root, bucket);
    if (!statSync(sub).isDirectory()) continue;
    for (const name of readdirSync(sub)) {
      const m = ARTICLE_FILE.exec(name);
      if (m) out.push({ id: Number(m[1]), path: `articles/${bucket}/${name}` });
    }
  }
  if (out.length === 0)
    throw new SalvageError('INPUT_UNREADABLE', `${dir}/articles has no article_<id>.md files`, { subject: dir });
  return out.sort((a, b) => a.id - b.id);
}

/** salvage's version, from its package.json. */
export function salvageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

interface SourceEntry {
  id: number;
  path: string;
  bytes: number;
  sha256: string;
}

/** Read, hash and parse every archive file in id order; parse failures are reported, not fatal. */
async function* records(
  dir: string,
  files: readonly { id: number; path: string }[],
  sources: SourceEntry[],
  skipped: DumpReport['skipped'],
  groups: Map<string, number>,
  onProgress?: (done: number, of: number) => void,
): AsyncGenerator<DumpRecord> {
  let done = 0;
  for (const { id, path } of files) {
    const bytes = await readFile(join(dir, path));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (++done % PROGRESS_EVERY === 0) onProgress?.(done, files.length);
    let f;
    try {
      f = parseArchiveFile(bytes.toString('utf8'), path);
    } catch (error) {
      skipped.push({ path, message: (error as Error).message });
      continue;
    }
    sources.push({ id, path, bytes: bytes.length, sha256: sha });
    // Ids come in ascending order, so the first article of a group has its smallest id.
    const key = groupKey(f);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = id));
    yield {
      id,
      path,
      site: f.site ?? null,
      title: f.title,
      date: f.date ?? null,
      last_updated: f.lastUpdated ?? null,
      author: f.author ?? null,
      category: f.category ?? null,
      tags: f.tags,
      url: f.url ?? null,
      original_url: f.originalUrl ?? null,
      captured_at: f.capturedAt ?? null,
      sha256: f.sha256 ?? null,
      group_id: group,
      file_sha256: sha,
      file_bytes: bytes.length,
      body_markdown: f.body,
      text: f.text,
    };
  }
  onProgress?.(done, files.length);
}

const SQLITE_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL, site TEXT, title TEXT NOT NULL, date TEXT, last_updated TEXT,
  author TEXT, category TEXT, url TEXT, original_url TEXT, captured_at TEXT, sha256 TEXT,
  group_id INTEGER NOT NULL, file_sha256 TEXT NOT NULL, file_bytes INTEGER NOT NULL,
  body_markdown TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE tags (article_id INTEGER NOT NULL REFERENCES articles(id), position INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (article_id, position)) WITHOUT ROWID;
`;
const SQLITE_AFTER = `
CREATE TABLE groups (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, title TEXT NOT NULL, date TEXT, author TEXT);
INSERT INTO groups SELECT a.group_id, count(*), g.title, g.date, g.author FROM articles a JOIN articles g ON g.id = a.group_id GROUP BY a.group_id;
CREATE INDEX articles_date ON articles(date);
CREATE INDEX articles_group ON articles(group_id);
CREATE INDEX articles_category ON articles(category);
CREATE INDEX articles_author ON articles(author);
CREATE INDEX tags_tag ON tags(tag);
`;

/**
 * Write a dump of the archive folder `dir`. Throws SalvageError INPUT_UNREADABLE (no articles),
 * OUTPUT_FAILED (cannot write `out`).
 */
export async function exportDump(dir: string, options: ExportDumpOptions): Promise<DumpReport> {
  const started = Date.now();
  // Taken-down articles are not published in a dump; the manifest says which and why.
  const takedowns = readTakedowns(dir);
  const down = new Set(takedowns.map((t) => t.id));
  const files = archiveFilesById(dir).filter((f) => !down.has(f.id));
  const defaultName = `${basename(resolve(dir))}.${options.format === 'jsonl' ? 'jsonl.gz' : 'sqlite'}`;
  const out = resolve(options.out ?? defaultName);
  const temp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  // An earlier run killed midway left its partial dump (and maybe manifest or checksum): remove
  // those of processes that are gone, never a live run's (src/export/leftovers.ts).
  const name = basename(out);
  for (const l of cleanFileLeftovers(dirname(out), [
    `.${name}.partial-`,
    `${name}.manifest.json.partial-`,
    `${name}.sha256.partial-`,
  ]))
    options.onLeftover?.(l);
  const sources: SourceEntry[] = [];
  const skipped: DumpReport['skipped'] = [];
  const groups = new Map<string, number>();
  const createdAt = new Date().toISOString();
  const version = salvageVersion();
  const stream = records(dir, files, sources, skipped, groups, options.onProgress);
  try {
    if (options.format === 'jsonl') {
      const lines = Readable.from(
        (async function* () {
          for await (const r of stream) yield `${JSON.stringify(r)}\n`;
        })(),
      );
      const sink = createWriteStream(temp);
      if (out.endsWith('.gz')) await pipeline(lines, createGzip(), sink);
      else await pipeline(lines, sink);
    } else {
      rmSync(temp, { force: true });
      const db = new Database(temp);
      try {
        db.pragma('journal_mode = OFF');
        db.pragma('synchronous = OFF');
        db.exec(SQLITE_SCHEMA);
        const insert =
          db.prepare(`INSERT INTO articles (id, path, site, title, date, last_updated, author, category, url, original_url, captured_at, sha256, group_id, file_sha256, file_bytes, body_markdown, text)
          VALUES (@id, @path, @site, @title, @date, @last_updated, @author, @category, @url, @original_url, @captured_at, @sha256, @group_id, @file_sha256, @file_bytes, @body_markdown, @text)`);
        const insertTag = db.prepare('INSERT INTO tags (article_id, position, tag) VALUES (?, ?, ?)');
        const flush = db.transaction((batch: DumpRecord[]) => {
          for (const r of batch) {
            const { tags, ...row } = r;
            insert.run(row);
            tags.forEach((tag, i) => insertTag.run(r.id, i, tag));
          }
        });
        let batch: DumpRecord[] = [];
        for await (const r of stream) {
          batch.push(r);
          if (batch.length >= SQLITE_BATCH) {
            flush(batch);
            batch = [];
          }
        }
        flush(batch);
        db.exec(SQLITE_AFTER);
        const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        for (const [k, v] of Object.entries({
          format: DUMP_FORMAT,
          schema_version: String(DUMP_SCHEMA_VERSION),
          salvage_version: version,
          created_at: createdAt,
          articles: String(sources.length),
        }))
          meta.run(k, v);
      } finally {
        db.close();
      }
    }
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof SalvageError) throw error;
    throw new SalvageError('OUTPUT_FAILED', `could not write ${out}: ${(error as Error).message}`, {
      subject: out,
      cause: error,
    });
  }
  const { digests, bytes } = await hashFile(temp);
  const sha256 = digests['sha256']!; // the default algorithm
  renameSync(temp, out);

  const manifestPath = `${out}.manifest.json`;
  const manifest = {
    format: DUMP_FORMAT,
    schema_version: DUMP_SCHEMA_VERSION,
    salvage_version: version,
    created_at: createdAt,
    source: resolve(dir),
    dump: {
      file: basename(out),
      format: options.format === 'jsonl' ? (out.endsWith('.gz') ? 'jsonl.gz' : 'jsonl') : 'sqlite',
      bytes,
      sha256,
    },
    articles: sources.length,
    groups: groups.size,
    fields: DUMP_FIELDS,
    ...(options.format === 'sqlite'
      ? {
          tables: {
            articles: 'one row per article (fields above, tags excepted)',
            tags: '(article_id, position, tag)',
            groups: '(id = group_id, size, title, date, author)',
            meta: '(key, value): format, schema_version, salvage_version, created_at, articles',
          },
        }
      : {}),
    skipped,
    takedowns,
    sources,
  };
  const manifestTemp = `${manifestPath}.partial-${process.pid}`;
  writeFileSync(manifestTemp, JSON.stringify(manifest, null, 1) + '\n');
  renameSync(manifestTemp, manifestPath);
  const sumsPath = `${out}.sha256`;
  writeFileSync(`${sumsPath}.partial-${process.pid}`, `${sha256}  ${basename(out)}\n`);
  renameSync(`${sumsPath}.partial-${process.pid}`, sumsPath);
  return {
    out,
    manifest: manifestPath,
    format: options.format,
    articles: sources.length,
    groups: groups.size,
    bytes,
    sha256,
    skipped,
    takenDown: takedowns,
    seconds: (Date.now() - started) / 1000,
  };
}
