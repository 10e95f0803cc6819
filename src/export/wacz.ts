/**
 * `salvage export DIR --format wacz`: the archive's captures as a WACZ 1.1.1 package
 * (https://specs.webrecorder.net/wacz/1.1.1/), the format ReplayWeb.page, pywb and Browsertrix
 * read: a ZIP of `archive/` (every WARC, stored uncompressed so a replay reads records by byte
 * range), `indexes/index.cdxj` (sorted CDXJ; a ZipNum index when large), `pages/pages.jsonl`
 * and `pages/extraPages.jsonl` (one entry per article page with its title and extracted text:
 * the newest 1,000 in the first, the rest in the second) and `datapackage.json` (every
 * file's SHA-256 and size), with `datapackage-digest.json` (the manifest's own hash).
 *
 * Not js-wacz (@harvard-lil/js-wacz 0.1.6, read and run on the demo's WARCs 2026-12-07): it
 * holds every CDXJ line and page in memory (a B-tree, then one Buffer grown by concatenation per
 * line), names WARCs by their base name (our `captures/` and `media/captures/` both hold
 * `salvage-00001.warc.gz`: one was silently lost), has no way to add a page's text, deletes the
 * output before writing it in place, writes wrong WARC hashes into datapackage.json (its
 * `sha256()` both pipes the file into the hash and updates it on 'data'), and pulls in 140
 * packages. The ZIP is yazl's (streams entries one at a time, ZIP64 when needed), the SURT keys
 * warcio's (through the store's `captureKey`), the WARC scan the store's.
 *
 * Streamed: WARCs are hashed while they are copied, the index is sorted on disk, pages are read
 * one article file at a time. Written under a temporary name and renamed when whole.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  renameSync,
  rmSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { SalvageError } from '../errors.js';
import { archiveFilesById, salvageVersion } from './dump.js';
import { cleanFileLeftovers, type Leftover } from './leftovers.js';
import {
  archiveWarcs,
  CdxjTable,
  indexWarc,
  linesOf,
  zipNumBlocks,
  zipNumIdx,
  ZIPNUM_FILE,
  type WaczDamage,
  type WaczWarc,
} from './wacz-index.js';
import { pageEntries, pagesHeader, PageSplit, withheldCaptures, type PagesTally } from './wacz-pages.js';

export type { WaczDamage } from './wacz-index.js';

/** The WACZ version written (`wacz_version` in datapackage.json). */
export const WACZ_VERSION = '1.1.1';
export const WACZ_INDEX_PATH = 'indexes/index.cdxj';
/** The compressed index (pywb's ZipNum shared index): the CDXJ lines in gzip blocks, and one line per block. */
export const WACZ_ZIPNUM_PATH = `indexes/${ZIPNUM_FILE}`;
export const WACZ_ZIPNUM_IDX_PATH = 'indexes/index.idx';
export const WACZ_PAGES_PATH = 'pages/pages.jsonl';
export const WACZ_EXTRA_PAGES_PATH = 'pages/extraPages.jsonl';

export const DEFAULT_WACZ_OPTIONS = {
  /**
   * From this many records on, the index is a ZipNum index (index.cdx.gz + index.idx) instead of
   * one index.cdxj. ReplayWeb.page loads a plain CDXJ whole into the browser's database before it
   * shows the first page (wabac.js `loadCDX`); of a ZipNum index it loads the block list and then
   * one block per URL looked up. 3,000, one block: where js-wacz 0.1.6 switches too.
   */
  zipNumFrom: 3000,
  /**
   * Lines per gzip block of a ZipNum index. Not pywb's and js-wacz's 3,000 (made for a server):
   * ReplayWeb.page reads a whole block and puts its lines into the browser's database for every
   * URL it looks up, the page's and each of its missing resources'. On the 49,108-page hkcnews
   * WACZ (132,910 lines, ~320 KB a 3,000-line block) a mirror's first replay took ~9 s with
   * 3,000, ~4 s with 300 or 100 (bench:replay, 2026-12-08). 300 keeps the block list (loaded
   * whole) small: 443 lines here, ~6,700 at 2 million records.
   */
  zipNumBlockLines: 300,
  /**
   * Whether pages.jsonl carries each article's text (searchable in ReplayWeb.page). ReplayWeb.page
   * loads the whole list when it opens a WACZ: for hkcnews 254 MB of JSON lines with the text
   * (79 MB deflated in the ZIP), 26 MB without (measured 2026-12-07, 49,108 pages).
   */
  pageText: true,
  /**
   * At most this many pages in pages.jsonl, the most recently published; the others go to
   * extraPages.jsonl (wacz-pages.ts `PageSplit` says why: ReplayWeb.page loads all of
   * pages.jsonl before the first replay, 72 s for 49,108 pages, 7 s for 1,000). Infinity: all.
   */
  mainPages: 1000,
} as const;

export interface WriteWaczOptions {
  /** `title` in datapackage.json and pages.jsonl. Default: the archive folder's name. */
  title?: string;
  /** `description` in datapackage.json (Markdown). Default: one sentence saying what the package holds. */
  description?: string;
  /** Told what is being done, now and then. Default: nothing. */
  onProgress?: (progress: WaczProgress) => void;
  /** Told about each `.partial-<pid>` file of an interrupted earlier run (its process gone) removed first. */
  onLeftover?: (leftover: Leftover) => void;
  signal?: AbortSignal;
  /** Write every entry in ZIP64 form, as a WACZ over 4 GiB needs (tests use it on small archives). Default false. */
  forceZip64?: boolean;
  /** Records from which the index is ZipNum; 0 always, Infinity never. Default {@link DEFAULT_WACZ_OPTIONS}. */
  zipNumFrom?: number;
  /** Lines per ZipNum block. Default {@link DEFAULT_WACZ_OPTIONS}. */
  zipNumBlockLines?: number;
  /** Whether page entries carry the article's text. Default true ({@link DEFAULT_WACZ_OPTIONS}). */
  pageText?: boolean;
  /** Pages listed in pages.jsonl at most, the newest; the rest in extraPages.jsonl. Infinity: all. Default {@link DEFAULT_WACZ_OPTIONS}. */
  mainPages?: number;
}

export type WaczProgress =
  | { phase: 'index'; bytes: number; of: number }
  | { phase: 'pages'; done: number; of: number }
  | { phase: 'zip'; bytes: number; of: number };

/** One file in the WACZ, as datapackage.json lists it. */
export interface WaczResource {
  name: string;
  path: string;
  /** `sha256:<hex>` of the file's bytes. */
  hash: string;
  bytes: number;
}

export interface WaczReport {
  /** The WACZ (absolute path). */
  out: string;
  /** Its size and SHA-256 (hex). */
  bytes: number;
  sha256: string;
  /** Every file in datapackage.json (WARCs, index, pages), then datapackage.json itself. */
  resources: WaczResource[];
  /** Each WARC: where it came from in the archive, its name in the WACZ, records indexed and withheld. */
  warcs: { source: string; name: string; records: number; withheld: number }[];
  /** CDXJ lines (response and revisit records). */
  records: number;
  /** `cdxj`: indexes/index.cdxj; `zipnum`: indexes/index.cdx.gz and indexes/index.idx. */
  index: 'cdxj' | 'zipnum';
  /** Page entries: pages.jsonl's and extraPages.jsonl's. */
  pages: number;
  /** Of them, in pages.jsonl (the rest are in extraPages.jsonl). */
  mainPages: number;
  /** Article files in neither page list, with why (first {@link MAX_LISTED}; `pagesLeftOutCount` counts all). */
  pagesLeftOut: { path: string; reason: string }[];
  pagesLeftOutCount: number;
  /** Stretches of WARC bytes holding no whole record: copied, not indexed (first {@link MAX_LISTED}). */
  damaged: WaczDamage[];
  damagedCount: number;
  /** Taken-down articles (takedowns.yaml) left out, with their captures and their images' captures. */
  takenDown: number[];
  withheldRecords: number;
  seconds: number;
}

/** Reports list this many items of a kind; the counts say how many there were. */
export const MAX_LISTED = 100;
/** Progress is told every this many bytes or pages. */
const PROGRESS_BYTES = 64 * 1024 * 1024;
const PROGRESS_PAGES = 1000;

/**
 * Write a WACZ of the archive folder `archiveDir` to `outFile` (must end in `.wacz`, WACZ 1.1.1
 * "Zip Format File Extension"). Throws SalvageError INPUT_UNREADABLE (no articles, or no WARC
 * files: an archive made by `salvage import`), INPUT_INVALID (`outFile` not `.wacz`),
 * CONFIG_INVALID (takedowns listed but not applied by `salvage index`), OUTPUT_FAILED.
 */
export async function writeWacz(
  archiveDir: string,
  outFile: string,
  options: WriteWaczOptions = {},
): Promise<WaczReport> {
  const started = Date.now();
  const dir = resolve(archiveDir);
  const out = resolve(outFile);
  if (!out.toLowerCase().endsWith('.wacz'))
    throw new SalvageError('INPUT_INVALID', `${outFile}: a WACZ file's name must end in .wacz (WACZ 1.1.1)`, {
      subject: outFile,
    });
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory())
    throw new SalvageError('OUTPUT_FAILED', `cannot write ${out}: ${parent} is not a folder`, { subject: out });
  if (existsSync(out) && statSync(out).isDirectory())
    throw new SalvageError('OUTPUT_FAILED', `cannot write ${out}: it is a folder`, { subject: out });
  const files = archiveFilesById(dir);
  const warcs = archiveWarcs(dir);
  if (warcs.length === 0)
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `${archiveDir} holds no WARC files (captures/, media/captures/): a WACZ packages captures, and an archive laid out by salvage import has none`,
      { subject: archiveDir },
    );
  const { takenDown, withheldKeys } = withheldCaptures(dir);

  const name = basename(out);
  for (const l of cleanFileLeftovers(parent, [
    `.${name}.partial-`,
    `.${name}.index.partial-`,
    `.${name}.pages.partial-`,
  ]))
    options.onLeftover?.(l);
  const temp = join(parent, `.${name}.partial-${process.pid}`);
  const tableFile = join(parent, `.${name}.index.partial-${process.pid}`);
  const pagesFile = join(parent, `.${name}.pages.partial-${process.pid}`);
  rmSync(tableFile, { force: true });
  const table = new CdxjTable(tableFile);
  const damaged: WaczDamage[] = [];
  let damagedCount = 0;
  let sink: WriteStream | undefined;
  try {
    const total = warcs.reduce((n, w) => n + w.size, 0);
    let done = 0;
    let told = 0;
    for (const warc of warcs) {
      await indexWarc(dir, warc, table, {
        withheldKeys,
        onDamage: (d) => {
          if (damagedCount++ < MAX_LISTED) damaged.push(d);
        },
        onBytes: (b) => {
          if (done + b - told >= PROGRESS_BYTES)
            options.onProgress?.({ phase: 'index', bytes: (told = done + b), of: total });
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      done += warc.size;
    }
    options.onProgress?.({ phase: 'index', bytes: total, of: total });

    const zip = new ZipFile();
    const zip64 = options.forceZip64 === true;
    // yazl reports a failure as an 'error' event of the ZipFile; a source stream's own failure is
    // passed on the same way, and either stops the export.
    let fail: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => undefined);
    zip.on('error', fail);
    const resources: Promise<WaczResource>[] = [];
    const entry = (path: string, body: () => Readable, compress: boolean, size?: number): void => {
      const hashed = hashing(path);
      resources.push(hashed.resource);
      zip.addReadStreamLazy(
        path,
        { compress, forceZip64Format: zip64, ...(size !== undefined ? { size } : {}) },
        (cb) => {
          cb(null, hashed.stream);
          pipeline(body(), hashed.stream).catch(fail);
        },
      );
    };
    let zipBytes = 0;
    let zipTold = 0;
    const onZipBytes = (n: number): void => {
      zipBytes += n;
      if (zipBytes - zipTold >= PROGRESS_BYTES)
        options.onProgress?.({ phase: 'zip', bytes: (zipTold = zipBytes), of: total });
    };
    for (const warc of warcs) {
      const kept = warc.size - warc.withheld.reduce((n, r) => n + r.length, 0);
      // STORED (WACZ 1.1.1, "Zip Compression"): a replay reads a record at its offset by byte range.
      entry(warc.name, () => warcBytes(join(dir, warc.source), warc, onZipBytes, options.signal), false, kept);
    }
    const records = table.count();
    const zipNum = records >= (options.zipNumFrom ?? DEFAULT_WACZ_OPTIONS.zipNumFrom);
    if (zipNum) {
      // Blocks are read by byte range: index.cdx.gz is STORED ("Zip Compression"); the block list is read whole.
      const blocks: string[] = [];
      const lines = options.zipNumBlockLines ?? DEFAULT_WACZ_OPTIONS.zipNumBlockLines;
      entry(WACZ_ZIPNUM_PATH, () => Readable.from(zipNumBlocks(table.lines(), lines, blocks)), false);
      entry(WACZ_ZIPNUM_IDX_PATH, () => Readable.from([zipNumIdx(blocks)]), true);
    } else {
      // The index and pages are read whole by a replay (never by range): deflated, as the spec allows.
      entry(WACZ_INDEX_PATH, () => Readable.from(linesOf(table.lines())), true);
    }
    const title = options.title ?? basename(dir);
    const pages: PagesTally = { count: 0, leftOut: [], leftOutCount: 0, maxListed: MAX_LISTED };
    const down = new Set(takenDown);
    const published = files.filter((f) => !down.has(f.id));
    const text = options.pageText ?? DEFAULT_WACZ_OPTIONS.pageText;
    const split = new PageSplit(pagesFile, options.mainPages ?? DEFAULT_WACZ_OPTIONS.mainPages);
    const entries = pageEntries(dir, published, {
      tableFile,
      text,
      tally: pages,
      signal: options.signal,
      onProgress: (n, of) => {
        if (n % PROGRESS_PAGES === 0 || n === of) options.onProgress?.({ phase: 'pages', done: n, of });
      },
    });
    entry(WACZ_PAGES_PATH, () => Readable.from(split.mainLines(pagesHeader('pages', title, text), entries)), true);

    sink = createWriteStream(temp);
    const whole = createHash('sha256');
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, cb) {
        whole.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    const written = pipeline(zip.outputStream, counted, sink);
    written.catch(() => undefined);
    // extraPages.jsonl once pages.jsonl is whole: only then is it known whether any page is left for it.
    await Promise.race([Promise.all(resources), failed]);
    if (split.extra > 0)
      entry(
        WACZ_EXTRA_PAGES_PATH,
        () => Readable.from(split.extraLines(pagesHeader('extra-pages', `${title}: more pages`, text))),
        true,
      );
    const listed = await Promise.race([Promise.all(resources), failed]);
    const datapackage = {
      profile: 'data-package',
      wacz_version: WACZ_VERSION,
      title,
      description:
        options.description ??
        `Captures rescued from the Wayback Machine by salvage: ${pages.count} article pages${text ? ' with their extracted text' : ''} (${split.extra > 0 ? `the ${split.main} most recently published in ${WACZ_PAGES_PATH}, the others in ${WACZ_EXTRA_PAGES_PATH}` : `in ${WACZ_PAGES_PATH}`}), ${records} records in ${warcs.length} WARC files.`,
      created: new Date().toISOString(),
      software: `salvage ${salvageVersion()}`,
      resources: listed,
      // A custom property (WACZ 1.1.1 allows them): where each WARC came from in the archive
      // folder, and what was left out of it, so a copy can be checked against the archive later.
      salvage: {
        warcs: warcs.map((w) => ({
          path: w.name,
          source: w.source,
          bytes: w.size,
          withheldRecords: w.withheld.length,
        })),
        takenDown,
      },
    };
    const packageBytes = Buffer.from(JSON.stringify(datapackage, null, 2) + '\n');
    const packageResource = resourceOf('datapackage.json', packageBytes);
    zip.addBuffer(packageBytes, 'datapackage.json', { forceZip64Format: zip64 });
    // WACZ 1.1.1, "datapackage-digest.json": the manifest's hash, so one hash vouches for every file.
    const digest = Buffer.from(
      JSON.stringify({ path: 'datapackage.json', hash: packageResource.hash }, null, 2) + '\n',
    );
    zip.addBuffer(digest, 'datapackage-digest.json', { forceZip64Format: zip64 });
    zip.end({ forceZip64Format: zip64, comment: '' });
    await Promise.race([written, failed]);
    renameSync(temp, out);
    return {
      out,
      bytes,
      sha256: whole.digest('hex'),
      resources: [...listed, packageResource],
      warcs: warcs.map((w) => ({ source: w.source, name: w.name, records: w.records, withheld: w.withheld.length })),
      records,
      index: zipNum ? 'zipnum' : 'cdxj',
      pages: pages.count,
      mainPages: split.main,
      pagesLeftOut: pages.leftOut,
      pagesLeftOutCount: pages.leftOutCount,
      damaged,
      damagedCount,
      takenDown,
      withheldRecords: warcs.reduce((n, w) => n + w.withheld.length, 0),
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    sink?.destroy();
    rmSync(temp, { force: true });
    if (error instanceof SalvageError) throw error;
    if ((error as Error).name === 'AbortError') throw error;
    throw new SalvageError('OUTPUT_FAILED', `could not write ${out}: ${(error as Error).message}`, {
      subject: out,
      cause: error,
    });
  } finally {
    table.close();
    rmSync(tableFile, { force: true });
    rmSync(pagesFile, { force: true });
  }
}

function resourceOf(path: string, bytes: Buffer): WaczResource {
  return {
    name: basename(path),
    path,
    hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    bytes: bytes.length,
  };
}

/** A pass-through that hashes and counts what goes into the ZIP, and the resource once it ended. */
function hashing(path: string): { stream: Transform; resource: Promise<WaczResource> } {
  const hash = createHash('sha256');
  let bytes = 0;
  let done: (resource: WaczResource) => void = () => undefined;
  const resource = new Promise<WaczResource>((resolve) => {
    done = resolve;
  });
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      done({ name: basename(path), path, hash: `sha256:${hash.digest('hex')}`, bytes });
      cb();
    },
  });
  return { stream, resource };
}

/** The bytes of a WARC as the WACZ holds them: its first `size` bytes, the withheld records left out. */
function warcBytes(path: string, warc: WaczWarc, onBytes: (n: number) => void, signal?: AbortSignal): Readable {
  return Readable.from(
    (async function* () {
      let at = 0;
      for (const cut of [...warc.withheld, { offset: warc.size, length: 0 }]) {
        if (cut.offset > at)
          for await (const chunk of createReadStream(path, {
            start: at,
            end: cut.offset - 1,
          }) as AsyncIterable<Buffer>) {
            signal?.throwIfAborted();
            onBytes(chunk.length);
            yield chunk;
          }
        at = cut.offset + cut.length;
      }
    })(),
  );
}
