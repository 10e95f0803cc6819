/**
 * `salvage export-site DIR --out SITE`: the reader as static files (every page of
 * `createReader({ mode: 'static' })` as `<path>/index.html`, its assets, a 404 page), the static
 * search index (`search-index/`) and the client script (`assets/static-search.js`). Built in a
 * sibling temporary folder and renamed into place at the end, so SITE is either the previous
 * complete export or the new complete one, never half of one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { createReader, SCRIPT } from '../reader/index.js';
import { MediaStore } from '../store/index.js';
import { SEARCH_INDEX_FILE } from '../search/index.js';
import { SalvageError } from '../errors.js';
import { bundleClient } from './bundle.js';
import { rebaseLinkFormat, rebaseLinks, rootFrom } from './links.js';
import { SiteFiles } from './site-files.js';
import { PageDataWriter } from './page-data.js';
import { pageKey, type PageData } from './client/codec.js';
import { ENHANCE_META, NOT_FOUND_TEMPLATE_ID, PAGE_SHARDS_META } from './client/static-pages.js';
import { decodeHTML } from 'entities';
import { cleanSiteLeftovers, type Leftover } from './leftovers.js';
import { captureReplayHref, REPLAY_FILE_COUNT, REPLAY_FILES, writeReplayFiles } from './replay.js';
import { readReplayWacz, sameWacz } from './replay-wacz.js';
import type { StaticIndexOptions, StaticIndexProgress, StaticIndexStats } from './search-index.js';
import {
  buildSiteIndex,
  buildSiteIndexInWorker,
  plainIndexOptions,
  type SiteIndexJob,
  type SiteIndexResult,
} from './site-index.js';

export { isArchiveDate, shardsFor } from './site-index.js';

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
  /**
   * Build the search index in a worker thread while the pages render (the default export; a
   * compact one needs the index's file count first). Default true; false builds it here first.
   */
  indexInWorker?: boolean;
  /**
   * A compact export, for hosts that limit files (Cloudflare Pages: 20,000): at most `maxFiles`
   * files (default {@link COMPACT_MAX_FILES}). Articles, tag, author and category pages beyond what
   * fits as files go into page data files that `404.html` assembles in the browser; the search
   * index is grouped into fewer, larger files; tags get no Atom feed. Default: off.
   */
  compact?: boolean | { maxFiles?: number };
  /** Show article images from web.archive.org (the reader's `loadImages`). Default false. */
  loadImages?: boolean;
  /**
   * A WACZ of the archive's captures (`salvage export DIR --format wacz`) to publish with the site,
   * replayed in the reader's browser by ReplayWeb.page from the site itself (export/replay.ts):
   * every article whose original URL the WACZ holds links "the page as captured" to its replay
   * (`replay/#url=…&ts=…`). Refused when it holds a capture the archive has taken down. Default:
   * none (no replay, no link).
   */
  wacz?: string;
  /**
   * The path the site is served under (`/` at a host's root, `/repo/` for a GitHub Pages project
   * site). Only 404.html uses it: a host serves that page at any missing address, so its links
   * cannot be relative. Every other page links relative to itself and works under any prefix.
   * Default `/`.
   */
  basePath?: string;
  onProgress?: (event: ExportSiteProgress) => void;
  /**
   * Told about each leftover of an interrupted earlier run that was cleaned up before this one
   * (a dead process's `.SITE.partial-<pid>` removed, or its `.SITE.old-<pid>` put back). Default: none.
   */
  onLeftover?: (leftover: Leftover) => void;
  /** Told about each page left out because it did not render (see ExportSiteReport.skippedPages). Default: none. */
  onSkippedPage?: (page: { path: string; status: number }) => void;
}

export const DEFAULT_EXPORT_SITE_OPTIONS = {
  concurrency: 8,
  loadImages: false,
  basePath: '/',
  indexInWorker: true,
} as const;

/** Cloudflare Pages' limit of files per site (the free plan), the compact export's default. */
export const COMPACT_MAX_FILES = 20_000;
/** The compact export's page assembler. */
export const PAGES_SCRIPT_PATH = 'assets/static-pages.js';

/** A base path: `/`, or folders of URL-safe characters each ending in `/` (`/repo/`, `/a/b/`). */
const BASE_PATH = /^\/(?:[A-Za-z0-9._~-]+\/)*$/;

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
   * Files written anew, and files kept from the export this one replaced (equal bytes: a hard
   * link to the old file, so its inode and mtime stay). All written on a first export.
   */
  incremental: { written: number; kept: number };
  /**
   * A compact export's page data: files and bytes, pages in them, tag feeds left out, and the
   * article TimeMaps left out (all of them unless every page and every TimeMap fit as files).
   */
  compact?: {
    maxFiles: number;
    dataFiles: number;
    dataBytes: number;
    pagesInData: number;
    feedsLeftOut: number;
    timeMapsLeftOut: number;
  };
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
  /**
   * With a WACZ: its bytes and SHA-256, the captures its index lists, the article pages that link
   * their replay (their original URL is in the WACZ) and those that do not, the files the replay
   * added (the WACZ, ReplayWeb.page, the replay page) and ReplayWeb.page's version.
   */
  replay?: {
    waczBytes: number;
    waczSha256: string;
    captures: number;
    linked: number;
    notInWacz: number;
    /**
     * Articles left without the link because the WACZ's capture of their page is gzip its headers
     * do not declare (the Wayback served it so): a replay would show its bytes as text.
     */
    shownAsBytes: number;
    files: number;
    replayWebPage: string;
  };
  /**
   * Wall times. The search index is built in a worker while the pages render (indexInWorker), so
   * `index` and `pages` overlap: each is from its own start to its own end.
   */
  seconds: { pages: number; index: number; total: number };
}

/** An image of the archive's media store in an exported page (reader `/media/files/…` paths, made relative). */
const MEDIA_SRC = /src="(?:\.\.\/)*(media\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.[a-z]{3,4})"/g;

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

const isHtml = (response: Response): boolean => (response.headers.get('content-type') ?? '').startsWith('text/html');

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
  const compact =
    options.compact === undefined || options.compact === false
      ? undefined
      : { maxFiles: (options.compact === true ? undefined : options.compact.maxFiles) ?? COMPACT_MAX_FILES };
  if (compact !== undefined && !(Number.isSafeInteger(compact.maxFiles) && compact.maxFiles > 0)) {
    throw new SalvageError(
      'INPUT_INVALID',
      `--max-files must be a whole number above 0, not ${String(compact.maxFiles)}`,
      {
        subject: String(compact.maxFiles),
      },
    );
  }
  const basePath = options.basePath ?? DEFAULT_EXPORT_SITE_OPTIONS.basePath;
  if (!BASE_PATH.test(basePath) || basePath.split('/').some((s) => s === '.' || s === '..')) {
    throw new SalvageError(
      'INPUT_INVALID',
      `base path ${JSON.stringify(basePath)} is not a path of folders such as / or /archive/ (letters, digits, . _ ~ -, ending in /)`,
      { subject: basePath },
    );
  }
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
  // Read before anything is written: a file that is no WACZ, or holds what was taken down, stops here.
  const wacz = options.wacz === undefined ? undefined : await readReplayWacz(options.wacz, dir);
  let linked = 0;
  let notInWacz = 0;
  let shownAsBytes = 0;
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
  // Incremental: files equal to the previous export's are linked to it, not written again.
  const siteFiles = new SiteFiles(temp, existsSync(join(out, SITE_MARKER)) ? out : undefined);
  const put = async (rel: string, data: Uint8Array | string): Promise<void> => {
    const full = resolve(temp, rel);
    if (!full.startsWith(root))
      throw new SalvageError('OUTPUT_UNSAFE', `refusing to write ${rel} outside ${out}`, { subject: rel });
    await mkdir(dirname(full), { recursive: true });
    const bytesOf = typeof data === 'string' ? Buffer.from(data) : data;
    await siteFiles.write(full, bytesOf);
    files++;
    bytes += bytesOf.length;
  };

  let indexWorker: ReturnType<typeof buildSiteIndexInWorker> | undefined;
  try {
    // A compact export fits its pages into the files the index leaves: the index comes first. A
    // default one builds the index in a worker thread while this one renders the pages.
    const indexStarted = Date.now();
    const job: SiteIndexJob = {
      dir,
      outDir: join(temp, SEARCH_INDEX_DIR),
      temp,
      previous: siteFiles.previous,
      compact: compact !== undefined,
      options: plainIndexOptions(options.index),
    };
    const indexProgress = (e: StaticIndexProgress): void =>
      options.onProgress?.(
        e.phase === 'documents'
          ? { phase: 'index-documents', done: e.done }
          : { phase: 'index-postings', done: e.done, of: e.of },
      );
    let indexSeconds = 0;
    const timed = (result: SiteIndexResult): SiteIndexResult => {
      indexSeconds = (Date.now() - indexStarted) / 1000;
      return result;
    };
    indexWorker =
      compact === undefined && (options.indexInWorker ?? DEFAULT_EXPORT_SITE_OPTIONS.indexInWorker)
        ? buildSiteIndexInWorker(job, indexProgress)
        : undefined;
    const inWorker = indexWorker?.result.then(timed);
    // Awaited after the pages; a failure meanwhile is taken there, never left unhandled.
    inWorker?.catch(() => undefined);
    const early = inWorker === undefined ? timed(buildSiteIndex(job, indexProgress, siteFiles)) : undefined;
    const pagesStarted = Date.now();

    const reader = createReader({
      dir,
      mode: 'static',
      loadImages: options.loadImages ?? DEFAULT_EXPORT_SITE_OPTIONS.loadImages,
      ...(wacz !== undefined
        ? {
            captureHref: (capture) => {
              if (!wacz.holds(capture.url)) {
                notInWacz++;
                return undefined;
              }
              if (wacz.showsAsBytes(capture.url, capture.timestamp)) {
                shownAsBytes++;
                return undefined;
              }
              linked++;
              return captureReplayHref(capture);
            },
          }
        : {}),
    });
    let pages = 0;
    const mediaPaths = new Set<string>();
    const skippedPages: ExportSiteReport['skippedPages'] = [];
    let plan: CompactPlan | undefined;
    let pageData: PageDataWriter | undefined;
    try {
      if (compact !== undefined) {
        // Images are copied for every page that shows them, file or data: the media store's
        // count bounds them, and is kept free.
        const media = MediaStore.openExisting(dir);
        let images = 0;
        try {
          images = media?.counts().files ?? 0;
        } finally {
          media?.close();
        }
        plan = planCompact(
          reader.pagePaths(),
          compact.maxFiles,
          early!.stats.files + images + (wacz === undefined ? 0 : REPLAY_FILE_COUNT), // compact: built first
        );
        if (plan.dataFiles > 0)
          pageData = new PageDataWriter(temp, plan.dataFiles, plan.inData, (full, data) =>
            siteFiles.writeSync(full, data),
          );
      }
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
          const place = plan === undefined ? 'file' : plan.place(urlPath);
          if (place === 'left-out') continue;
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
          let html = isHtml(response) ? rebaseLinks(await response.text(), rootFrom(urlPath)) : undefined;
          // A tag page written as a file whose feed did not fit: no link to it.
          if (place === 'file-without-feed' && html !== undefined) html = html.replace(TAG_FEED_LINK, '');
          // A compact export that leaves the TimeMaps out: no article links to one.
          if (plan?.timeMaps === false && html !== undefined) html = html.replace(TIMEMAP_LINK, '');
          const body =
            html !== undefined
              ? Buffer.from(html)
              : TIMEMAP.test(urlPath)
                ? Buffer.from(rebaseLinkFormat(await response.text(), basePath))
                : new Uint8Array(await response.arrayBuffer());
          // Keyed as the browser's address decodes (the encoded path, decoded once).
          if (place === 'data' && html !== undefined && pageData !== undefined)
            pageData.add(pageKey(urlPath.slice(1)), pageParts(html));
          else await put(rel, body);
          // The archive's own images this page shows: copied below, once each (only those used).
          if (urlPath.startsWith('/article/'))
            for (const m of Buffer.from(body).toString('utf8').matchAll(MEDIA_SRC)) mediaPaths.add(`/${m[1]!}`);
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
      const missing = rebaseLinks(
        await (await reader.fetch(new Request(`${origin}/404-not-a-page/`))).text(),
        basePath,
      );
      if (pageData !== undefined && plan !== undefined) {
        const written = pageData.finish();
        plan.inData = pageData.pages;
        pageData = undefined;
        files += written.files;
        bytes += written.bytes;
        plan.dataBytes = written.bytes;
        await put(PAGES_SCRIPT_PATH, await bundleClient('static-pages'));
        await put('404.html', pageShell(missing, basePath, plan.dataFiles));
      } else await put('404.html', missing);
    } finally {
      pageData?.abort();
      reader.close();
    }
    options.onProgress?.({ phase: 'pages', done: pages });
    const pagesSeconds = (Date.now() - pagesStarted) / 1000;
    // inWorker is set whenever early is not.
    const built = early ?? (await inWorker!);
    indexWorker = undefined;
    files += built.stats.files;
    bytes += built.stats.bytes;

    options.onProgress?.({ phase: 'client' });
    const client = await bundleClient();
    await put(CLIENT_SCRIPT_PATH, client);
    const replayFiles = wacz === undefined ? undefined : await writeReplayFiles(wacz.sha256, put);
    if (wacz !== undefined) {
      // The WACZ is placed, not read into memory (a hard link where it can be).
      await siteFiles.place(join(temp, REPLAY_FILES.wacz), wacz.file, (old) => sameWacz(old, wacz));
      files++;
      bytes += wacz.bytes;
    }

    const report: ExportSiteReport = {
      out,
      pages,
      files: files + 1, // and the marker
      bytes,
      index: built.stats,
      clientBytes: Buffer.byteLength(client),
      media: { files: mediaFiles, bytes: mediaBytes },
      // The worker's index files were counted by its own SiteFiles; this thread's index, by this one's.
      incremental: {
        written: siteFiles.written + (early === undefined ? built.written : 0),
        kept: siteFiles.kept + (early === undefined ? built.kept : 0),
      },
      ...(plan !== undefined
        ? {
            compact: {
              maxFiles: plan.maxFiles,
              dataFiles: plan.dataFiles,
              dataBytes: plan.dataBytes,
              pagesInData: plan.inData,
              feedsLeftOut: plan.leftOut,
              timeMapsLeftOut: plan.timeMapsLeftOut,
            },
          }
        : {}),
      badDates: built.badDates,
      skippedPages,
      leftovers,
      ...(wacz !== undefined && replayFiles !== undefined
        ? {
            replay: {
              waczBytes: wacz.bytes,
              waczSha256: wacz.sha256,
              captures: wacz.captures,
              linked,
              notInWacz,
              shownAsBytes,
              files: REPLAY_FILE_COUNT,
              replayWebPage: replayFiles.version,
            },
          }
        : {}),
      seconds: { pages: pagesSeconds, index: indexSeconds, total: 0 },
    };
    report.seconds.total = (Date.now() - started) / 1000;
    const marker =
      JSON.stringify(
        {
          writtenBy: 'salvage export-site',
          source: resolve(dir),
          createdAt: new Date().toISOString(),
          // What the index left out on request; their addresses hold tombstones.
          takedowns: built.takedowns,
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
    await indexWorker?.stop();
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** HTML pages that a compact export may keep in page data instead of a file each. */
const IN_DATA = /^\/(?:article|tag|author|category)\/.*\/$/;
/** Tag feeds: one file per tag. A compact export writes those that fit (site and category feeds always). */
const TAG_FEED = /^\/tag\/[^/]+\/feed\.xml$/;
/** A tag page's link to its own feed (links made relative), removed when the feed did not fit. */
const TAG_FEED_LINK =
  /<link rel="alternate" type="application\/atom\+xml" title="[^"]*" href="(?:\.\.\/)*tag\/[^"/]+\/feed\.xml">\n?/;
/** An article's TimeMap (reader memento-links.ts `timeMapHref`): a file of its own, never page data. */
const TIMEMAP = /^\/article\/[^/]+\/timemap\.txt$/;
/** An article page's link to its TimeMap (links made relative), removed when the TimeMaps did not fit. */
const TIMEMAP_LINK = /<link rel="timemap" type="application\/link-format" href="[^"]*">\n?/;
/**
 * Pages per page data file: ~150 KB gzipped on hkcnews, loaded whole for one page. When the files
 * left under the limit are fewer than that needs (a large archive), the data files take more
 * pages each rather than break the limit: ~460 a file for 2.3M articles in 20,000 files.
 */
const PAGES_PER_DATA_FILE = 32;
/** Files a compact export writes besides the index, pages, images and data: 404.html, the marker, two scripts, and slack. */
const FIXED_FILES = 8;

type Placement = 'file' | 'file-without-feed' | 'data' | 'left-out';

/** Where each page of a compact export goes, decided before any is written. */
interface CompactPlan {
  maxFiles: number;
  /** Page data files (0: every page is a file, no shell). */
  dataFiles: number;
  /** Pages in page data: planned, then as written. */
  inData: number;
  /** Tag feeds that did not fit. */
  leftOut: number;
  /**
   * Whether the article TimeMaps are written: all or none, so that every article page either
   * links its TimeMap or none does (a page cannot know which of 49k files fitted).
   */
  timeMaps: boolean;
  timeMapsLeftOut: number;
  dataBytes: number;
  place(urlPath: string): Placement;
}

/**
 * Count the pages, then share the files left under `maxFiles` (after the index and images
 * (`reserved`), the pages that are always files, and the page data files): plain HTML for
 * articles first (a crawler and a first paint get the page itself), then tag feeds (a feed cannot
 * be assembled in a browser), then tag, author and category pages, in the reader's order.;
 * the article TimeMaps last, and only all of them (a program reading one runs no page assembler).
 * A limit that cannot hold what is always written is refused, with the least that would do.
 */
export function planCompact(paths: Iterable<string>, maxFiles: number, reserved: number): CompactPlan {
  let others = 0;
  let articles = 0;
  let facetPages = 0;
  let feeds = 0;
  let timeMapCount = 0;
  for (const p of paths) {
    if (TAG_FEED.test(p)) feeds++;
    else if (TIMEMAP.test(p)) timeMapCount++;
    else if (IN_DATA.test(p)) {
      if (p.startsWith('/article/')) articles++;
      else facetPages++;
    } else others++;
  }
  // Files for articles, feeds, facet pages and page data, after what is always written.
  const room = maxFiles - reserved - others - FIXED_FILES;
  const candidates = articles + facetPages;
  if (room < (candidates > 0 ? 1 : 0)) {
    const least = maxFiles - room + (candidates > 0 ? 1 : 0);
    throw new SalvageError(
      'INPUT_INVALID',
      `--max-files ${maxFiles} is too small for this archive: its search index, images and the pages that are always files need at least ${least} files`,
      { subject: String(maxFiles) },
    );
  }
  const share = (dataFiles: number): { articleFiles: number; feedFiles: number; facetFiles: number; spare: number } => {
    let budget = room - dataFiles;
    const articleFiles = Math.min(budget, articles);
    budget -= articleFiles;
    const feedFiles = Math.min(budget, feeds);
    budget -= feedFiles;
    const facetFiles = Math.min(budget, facetPages);
    return { articleFiles, feedFiles, facetFiles, spare: budget - facetFiles };
  };
  const dataFilesFor = (inData: number): number => Math.min(room, Math.ceil(inData / PAGES_PER_DATA_FILE));
  // Sized for every candidate first; the pages that then fit as files need fewer data files,
  // which only frees files.
  let { articleFiles, feedFiles, facetFiles, spare } = share(dataFilesFor(candidates));
  const inData = candidates - articleFiles - facetFiles;
  const dataFiles = dataFilesFor(inData);
  if (inData === 0) ({ articleFiles, feedFiles, facetFiles, spare } = share(0));
  const timeMaps = inData === 0 && feedFiles === feeds && spare >= timeMapCount;
  let seenArticles = 0;
  let seenFacets = 0;
  let seenFeeds = 0;
  return {
    maxFiles,
    dataFiles,
    inData,
    leftOut: feeds - feedFiles,
    timeMaps,
    timeMapsLeftOut: timeMaps ? 0 : timeMapCount,
    dataBytes: 0,
    place(p) {
      if (TIMEMAP.test(p)) return timeMaps ? 'file' : 'left-out';
      // Feeds come in the reader's order after their tag's pages: the first `feedFiles` are kept.
      if (TAG_FEED.test(p)) return ++seenFeeds <= feedFiles ? 'file' : 'left-out';
      if (!IN_DATA.test(p)) return 'file';
      if (p.startsWith('/article/')) return ++seenArticles <= articleFiles ? 'file' : 'data';
      if (++seenFacets > facetFiles) return 'data';
      return p.startsWith('/tag/') && seenFeeds >= feedFiles ? 'file-without-feed' : 'file';
    },
  };
}

/** Where the content of the layout's `<main id="main">` starts and ends in a rendered page (empty when it has none). */
function mainBounds(html: string): { start: number; end: number } {
  const open = html.indexOf('<main id="main"');
  const start = open < 0 ? -1 : html.indexOf('>', open) + 1;
  const end = html.lastIndexOf('</main>');
  return start > 0 && end >= start ? { start, end } : { start: 0, end: 0 };
}

/** A rendered page's title (as text) and `<main>` content, for page data. */
export function pageParts(html: string): PageData {
  const title = decodeHTML(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
  const { start, end } = mainBounds(html);
  return { title, main: html.slice(start, end) };
}

/**
 * `404.html` of a compact export: the not-found page made a shell. It loads the page assembler,
 * says how many data files there are, keeps the not-found message in a template (shown when the
 * address is no page), and shows "loading" until then (or, without JavaScript, why nothing shows).
 */
export function pageShell(notFoundHtml: string, basePath: string, dataFiles: number): string {
  const { start, end } = mainBounds(notFoundHtml);
  const main = notFoundHtml.slice(start, end);
  const head = `<meta name="${PAGE_SHARDS_META}" content="${dataFiles}">
<meta name="${ENHANCE_META}" content="${basename(SCRIPT.path)}">
<script type="module" src="${basePath}${PAGES_SCRIPT_PATH}"></script>
</head>`;
  const body = `
<p class="muted" id="salvage-loading">載入中…</p>
<noscript><p>這一頁由瀏覽器從存檔的資料組成，需要啟用 JavaScript。亦可<a href="${basePath}">返回首頁</a>瀏覽。</p></noscript>
<template id="${NOT_FOUND_TEMPLATE_ID}">${main}</template>
`;
  return (notFoundHtml.slice(0, start) + body + notFoundHtml.slice(end)).replace('</head>', head);
}
