/**
 * `salvage export-site DIR --out SITE`: the reader as static files (every page of
 * `createReader({ mode: 'static' })` as `<path>/index.html`, its assets, a 404 page), the static
 * search index (`search-index/`) and the client script (`assets/static-search.js`). Built in a
 * sibling temporary folder and renamed into place at the end, so SITE is either the previous
 * complete export or the new complete one, never half of one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { createReader } from '../reader/index.js';
import { isCalendarDate, SearchIndex, SEARCH_INDEX_FILE } from '../search/index.js';
import { SalvageError } from '../errors.js';
import { bundleClient } from './bundle.js';
import { indexDocuments } from './index-documents.js';
import { cleanSiteLeftovers, type Leftover } from './leftovers.js';
import {
  writeStaticIndex,
  type StaticIndexDocument,
  type StaticIndexOptions,
  type StaticIndexStats,
} from './search-index.js';

/** A file in SITE saying that salvage wrote it (so a later export may replace the folder). */
export const SITE_MARKER = '.salvage-site.json';
/** Where the client script and the index go (the reader's pages load `/assets/static-search.js`). */
export const CLIENT_SCRIPT_PATH = 'assets/static-search.js';
export const SEARCH_INDEX_DIR = 'search-index';

export interface ExportSiteOptions {
  /** The folder to write (replaced when it holds a previous export; must not be another non-empty folder). Required. */
  out: string;
  /** Pages rendered and written at once. Default 8. */
  concurrency?: number;
  /** Options of the static search index. */
  index?: Omit<StaticIndexOptions, 'onProgress'>;
  /** Show article images from web.archive.org (the reader's `loadImages`). Default false. */
  loadImages?: boolean;
  onProgress?: (event: ExportSiteProgress) => void;
  /**
   * Told about each leftover of an interrupted earlier run that was cleaned up before this one
   * (a dead process's `.SITE.partial-<pid>` removed, or its `.SITE.old-<pid>` put back). Default: none.
   */
  onLeftover?: (leftover: Leftover) => void;
  /** Told about each page left out because it did not render (see ExportSiteReport.skippedPages). Default: none. */
  onSkippedPage?: (page: { path: string; status: number }) => void;
}

export const DEFAULT_EXPORT_SITE_OPTIONS = { concurrency: 8, loadImages: false } as const;

export type ExportSiteProgress =
  | { phase: 'pages'; done: number }
  | { phase: 'index-documents'; done: number }
  | { phase: 'index-postings'; done: number; of: number }
  | { phase: 'client' };

export interface ExportSiteReport {
  out: string;
  pages: number;
  /** Every file of the site and their bytes. */
  files: number;
  bytes: number;
  /** The part that is `search-index/`. */
  index: StaticIndexStats;
  /** The archive's own images the pages show (its media store), copied once each. */
  media: { files: number; bytes: number };
  /** Bytes of `assets/static-search.js`. */
  clientBytes: number;
  /**
   * Articles whose `date` is neither a calendar day `YYYY-MM-DD` nor a partial `YYYY-MM` / `YYYY`
   * (`2020-13-45`): each is exported with its date shown as text, and has no date page.
   */
  badDates: { id: number; date: string }[];
  /**
   * Pages that did not render and are not in the site, with the status the reader gave: 404 when
   * an article's file is gone or unreadable since `salvage index`, 500 for a bug (please report it).
   */
  skippedPages: { path: string; status: number }[];
  /** Leftovers of interrupted earlier runs cleaned up first. */
  leftovers: Leftover[];
  seconds: { pages: number; index: number; total: number };
}

/** An image of the archive's media store in a rendered page (reader `/media/files/…` paths). */
const MEDIA_SRC = /src="(\/media\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]{3,4})"/g;

/** A static-site file for a page path (`/a/b/` → `a/b/index.html`, `/assets/x.css` → `assets/x.css`); undefined when unsafe. */
export function sitePathOf(urlPath: string): string | undefined {
  if (!urlPath.startsWith('/')) return undefined;
  const segments = urlPath.slice(1).split('/');
  const isPage = urlPath.endsWith('/');
  if (isPage) segments.pop();
  const decoded: string[] = [];
  for (const s of segments) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return undefined;
    }
    // Control characters (and separators) are what is refused.
    if (d === '' || d === '.' || d === '..' || /[/\\\u0000-\u001f\u007f]/.test(d) || Buffer.byteLength(d) > 255)
      return undefined;
    decoded.push(d);
  }
  if (isPage) decoded.push('index.html');
  return decoded.length === 0 ? undefined : decoded.join('/');
}

/**
 * Articles per shard aimed at, as a power of two from 64 to 16384 shards. On the 49k hkcnews
 * articles 4096 shards were ~20 KB each (a query loads one per token); 16384 make them ~5 KB.
 */
const ARTICLES_PER_SHARD = 3;
const MIN_SHARDS = 64;
const MAX_SHARDS = 16384;

/** Shard count for an archive of `articles`: small archives get few, small files. */
export function shardsFor(articles: number): number {
  let shards = MIN_SHARDS;
  while (shards < MAX_SHARDS && shards * ARTICLES_PER_SHARD < articles) shards *= 2;
  return shards;
}

/** `YYYY` or `YYYY-MM` with a real month: partial dates, allowed by FORMAT.md when only those are known. */
const PARTIAL_DATE = /^\d{4}(?:-(?:0[1-9]|1[0-2]))?$/;

/** Whether an article's `date` is one the archive format allows (a calendar day, or a partial date). */
export function isArchiveDate(date: string): boolean {
  return isCalendarDate(date) || PARTIAL_DATE.test(date);
}

function isEmptyDir(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/**
 * Export the archive folder `dir` (with its search index) as a static site.
 * Throws SalvageError INPUT_UNREADABLE (no search index), OUTPUT_UNSAFE (SITE is another non-empty
 * folder or a file). A page that does not render is left out and reported (`skippedPages`); an
 * article whose date is not a calendar date is exported with the date as text (`badDates`).
 */
export async function exportSite(dir: string, options: ExportSiteOptions): Promise<ExportSiteReport> {
  const started = Date.now();
  const out = resolve(options.out);
  if (!existsSync(join(dir, SEARCH_INDEX_FILE))) {
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no search index; run salvage index ${dir} first`, {
      subject: dir,
    });
  }
  if (existsSync(out) && !existsSync(join(out, SITE_MARKER)) && !isEmptyDir(out)) {
    throw new SalvageError(
      'OUTPUT_UNSAFE',
      `${out} exists and is not a site written by salvage export-site; choose another --out or remove it`,
      { subject: out },
    );
  }
  // Before anything else: an earlier run killed midway left its build folder (and maybe the
  // previous site moved aside); remove those of dead processes, never a live one's.
  const leftovers = cleanSiteLeftovers(dirname(out), basename(out), out);
  for (const l of leftovers) options.onLeftover?.(l);
  const temp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const root = resolve(temp) + sep;
  let files = 0;
  let bytes = 0;
  let mediaFiles = 0;
  let mediaBytes = 0;
  const put = async (rel: string, data: Uint8Array | string): Promise<void> => {
    const full = resolve(temp, rel);
    if (!full.startsWith(root))
      throw new SalvageError('OUTPUT_UNSAFE', `refusing to write ${rel} outside ${out}`, { subject: rel });
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, data);
    files++;
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  };

  try {
    const reader = createReader({
      dir,
      mode: 'static',
      loadImages: options.loadImages ?? DEFAULT_EXPORT_SITE_OPTIONS.loadImages,
    });
    let pages = 0;
    const mediaPaths = new Set<string>();
    const skippedPages: ExportSiteReport['skippedPages'] = [];
    try {
      const paths = reader.pagePaths()[Symbol.iterator]();
      const origin = 'http://static.invalid';
      const worker = async (): Promise<void> => {
        for (let next = paths.next(); next.done !== true; next = paths.next()) {
          const urlPath = next.value;
          const rel = sitePathOf(urlPath);
          if (rel === undefined)
            throw new SalvageError(
              'OUTPUT_UNSAFE',
              `the reader listed an unsafe page path ${JSON.stringify(urlPath)}`,
              { subject: urlPath },
            );
          const response = await reader.fetch(new Request(origin + urlPath));
          if (response.status !== 200) {
            // One page that does not render (its archive file gone or unreadable since indexing:
            // 404; a bug: 500) is reported and left out; it does not cost the whole site.
            await response.arrayBuffer();
            const skip = { path: urlPath, status: response.status };
            skippedPages.push(skip);
            options.onSkippedPage?.(skip);
            continue;
          }
          const body = new Uint8Array(await response.arrayBuffer());
          await put(rel, body);
          // The archive's own images this page shows: copied below, once each (only those used).
          if (urlPath.startsWith('/article/'))
            for (const m of Buffer.from(body).toString('utf8').matchAll(MEDIA_SRC)) mediaPaths.add(m[1]!);
          if (++pages % 1000 === 0) options.onProgress?.({ phase: 'pages', done: pages });
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? DEFAULT_EXPORT_SITE_OPTIONS.concurrency }, worker));
      for (const path of mediaPaths) {
        const response = await reader.fetch(new Request(origin + path));
        const rel = sitePathOf(path);
        if (response.status !== 200 || rel === undefined) {
          await response.arrayBuffer();
          continue; // removed since the page was rendered: the page keeps its alt text
        }
        const body = new Uint8Array(await response.arrayBuffer());
        await put(rel, body);
        mediaFiles++;
        mediaBytes += body.length;
      }
      const missing = await reader.fetch(new Request(`${origin}/404-not-a-page/`));
      await put('404.html', new Uint8Array(await missing.arrayBuffer()));
    } finally {
      reader.close();
    }
    options.onProgress?.({ phase: 'pages', done: pages });
    const pagesDone = Date.now();

    const index = SearchIndex.openDir(dir, { readonly: true });
    const takedownList = index.takedowns().map(({ id, date, reason, by }) => ({ id, date, reason, by }));
    let stats: StaticIndexStats;
    const badDates: ExportSiteReport['badDates'] = [];
    // Noted on the way through (the index is read once): the pages already render such a date as text.
    const documents = function* (): Generator<StaticIndexDocument> {
      for (const doc of indexDocuments(index)) {
        if (doc.date !== undefined && !isArchiveDate(doc.date)) badDates.push({ id: doc.id, date: doc.date });
        yield doc;
      }
    };
    try {
      stats = writeStaticIndex(documents(), join(temp, SEARCH_INDEX_DIR), {
        shards: shardsFor(index.count()),
        ...options.index,
        onProgress: (e) =>
          options.onProgress?.(
            e.phase === 'documents'
              ? { phase: 'index-documents', done: e.done }
              : { phase: 'index-postings', done: e.done, of: e.of },
          ),
      });
    } finally {
      index.close();
    }
    files += stats.files;
    bytes += stats.bytes;
    const indexDone = Date.now();

    options.onProgress?.({ phase: 'client' });
    const client = await bundleClient();
    await put(CLIENT_SCRIPT_PATH, client);

    const report: ExportSiteReport = {
      out,
      pages,
      files: files + 1, // and the marker
      bytes,
      index: stats,
      clientBytes: Buffer.byteLength(client),
      media: { files: mediaFiles, bytes: mediaBytes },
      badDates,
      skippedPages,
      leftovers,
      seconds: { pages: (pagesDone - started) / 1000, index: (indexDone - pagesDone) / 1000, total: 0 },
    };
    report.seconds.total = (Date.now() - started) / 1000;
    const marker =
      JSON.stringify(
        {
          writtenBy: 'salvage export-site',
          source: resolve(dir),
          createdAt: new Date().toISOString(),
          // What the index left out on request; their addresses hold tombstones.
          takedowns: takedownList,
          ...report,
          out: undefined,
        },
        null,
        2,
      ) + '\n';
    writeFileSync(join(temp, SITE_MARKER), marker);
    report.bytes += Buffer.byteLength(marker);

    // Swap in: the old export (if any) moves aside, the new one takes its name, the old one goes.
    const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
    if (existsSync(out)) renameSync(out, old);
    renameSync(temp, out);
    rmSync(old, { recursive: true, force: true });
    return report;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}
