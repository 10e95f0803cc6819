/**
 * The static site's search index (`search-index/`), built from the archive's SQLite index: in
 * this thread, or in a worker thread (site-index-worker.ts) while the main thread renders the
 * pages. The two halves of a default export took about as long each (141 s and 142 s of 284 s on
 * the 49k hkcnews articles, docs/benchmarks.md run 5) and share nothing but the folder they write
 * into, so on two cores the worker takes one half off the total.
 */
import { isCalendarDate, SearchIndex } from '../search/index.js';
import { isSalvageError, SalvageError, type SalvageErrorCode } from '../errors.js';
import { startModuleWorker } from '../worker.js';
import { indexDocuments } from './index-documents.js';
import { SiteFiles } from './site-files.js';
import {
  writeStaticIndex,
  type StaticIndexDocument,
  type StaticIndexOptions,
  type StaticIndexProgress,
  type StaticIndexStats,
} from './search-index.js';

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

/**
 * The compact export's search index: 1/8 of the default shards (at most 2,048 a family), lists up
 * to 16 KB kept in their shard, and records in groups of 16 or more (a file per record would be
 * 49k files on hkcnews). Measured on hkcnews in docs/benchmarks.md: a query loads more bytes.
 */
export function compactIndexOptions(articles: number): Omit<StaticIndexOptions, 'onProgress'> {
  return {
    shards: Math.max(MIN_SHARDS, Math.min(COMPACT_MAX_SHARDS, shardsFor(articles) / 8)),
    inlineMaxBytes: 16_384,
    recordsPerFile: Math.max(16, Math.ceil(articles / 3000)),
  };
}
const COMPACT_MAX_SHARDS = 2048;

/** The numbers of the caller's index options (a worker is sent data, not the functions beside them). */
export function plainIndexOptions(options: StaticIndexOptions | undefined): SiteIndexJob['options'] {
  const out: SiteIndexJob['options'] = {};
  for (const key of ['shards', 'inlineMaxBytes', 'partitions', 'recordsPerFile'] as const) {
    const value = options?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** What a site index build needs: plain data, so that a worker thread can be sent it. */
export interface SiteIndexJob {
  /** The archive folder (its `search.sqlite` is read). */
  dir: string;
  /** The folder the index goes into (`<site being built>/search-index`). */
  outDir: string;
  /** The site being built, and the export it replaces (files equal to its own are linked: SiteFiles). */
  temp: string;
  previous: string | undefined;
  compact: boolean;
  /** The caller's own index options (shards …), over the defaults for the archive's size. */
  options: Pick<StaticIndexOptions, 'shards' | 'inlineMaxBytes' | 'partitions' | 'recordsPerFile'>;
}

export interface SiteIndexResult {
  stats: StaticIndexStats;
  /** What the index left out on request (the site marker lists it). */
  takedowns: { id: number; date: string; reason: string; by: string }[];
  /** Articles whose date the archive format does not allow (their pages show it as text). */
  badDates: { id: number; date: string }[];
  /** Index files written anew and kept from the previous export (when `siteFiles` was not given). */
  written: number;
  kept: number;
}

/** Build the site's search index in this thread; `siteFiles` (the caller's) counts what it writes, else a new one does. */
export function buildSiteIndex(
  job: SiteIndexJob,
  onProgress?: (event: StaticIndexProgress) => void,
  siteFiles = new SiteFiles(job.temp, job.previous),
): SiteIndexResult {
  const index = SearchIndex.openDir(job.dir, { readonly: true });
  try {
    const takedowns = index.takedowns().map(({ id, date, reason, by }) => ({ id, date, reason, by }));
    const badDates: SiteIndexResult['badDates'] = [];
    // Noted on the way through (the index is read once): the pages already render such a date as text.
    const documents = function* (): Generator<StaticIndexDocument> {
      for (const doc of indexDocuments(index)) {
        if (doc.date !== undefined && !isArchiveDate(doc.date)) badDates.push({ id: doc.id, date: doc.date });
        yield doc;
      }
    };
    const articles = index.count();
    const { written, kept } = siteFiles;
    const stats = writeStaticIndex(documents(), job.outDir, {
      ...(job.compact ? compactIndexOptions(articles) : { shards: shardsFor(articles) }),
      ...job.options,
      writeFile: (full, data) => siteFiles.writeSync(full, data),
      ...(onProgress !== undefined ? { onProgress } : {}),
    });
    return { stats, takedowns, badDates, written: siteFiles.written - written, kept: siteFiles.kept - kept };
  } finally {
    index.close();
  }
}

/** Messages of site-index-worker.ts. */
export type SiteIndexMessage =
  | { progress: StaticIndexProgress }
  | { result: SiteIndexResult }
  | { error: { message: string; code?: string; subject?: string } };

/**
 * {@link buildSiteIndex} in a worker thread. A SalvageError there comes back as one (its code,
 * message and subject). `stop` ends the worker (the caller failed and removes the site it was
 * writing into); `result` then rejects.
 */
export function buildSiteIndexInWorker(
  job: SiteIndexJob,
  onProgress?: (event: StaticIndexProgress) => void,
): { result: Promise<SiteIndexResult>; stop: () => Promise<void> } {
  const worker = startModuleWorker(import.meta.url, 'site-index-worker', { workerData: job });
  const result = new Promise<SiteIndexResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: SiteIndexMessage) => {
      if ('progress' in m) onProgress?.(m.progress);
      else if ('result' in m) settle(() => resolve(m.result));
      else
        settle(() =>
          reject(
            m.error.code !== undefined
              ? new SalvageError(m.error.code as SalvageErrorCode, m.error.message, {
                  ...(m.error.subject !== undefined ? { subject: m.error.subject } : {}),
                })
              : new Error(m.error.message),
          ),
        );
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the search index worker stopped (exit code ${code}) before it finished`))),
    );
  });
  return {
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}

/** What a worker posts for an error: a SalvageError keeps its code and subject. */
export function workerError(error: unknown): SiteIndexMessage {
  if (isSalvageError(error))
    return {
      error: {
        message: error.message,
        code: error.code,
        ...(error.subject !== undefined ? { subject: error.subject } : {}),
      },
    };
  return { error: { message: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
}
