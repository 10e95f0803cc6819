/**
 * `salvage index DIR`: every archive file of a folder into its search index. Incremental: a file
 * whose path, mtime and size the index already has is not read again; files gone from the folder
 * leave the index. {@link buildIndexInParallel} reads, parses, folds and tokenizes in worker
 * threads while the main thread writes SQLite; {@link buildIndex} does it all in one thread.
 */
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker.js';
import {
  isCorruptionError,
  moveCorruptIndexAside,
  SEARCH_INDEX_FILE,
  groupKey,
  SearchIndex,
  type Tombstone,
} from './index-db.js';
import { prepareFile, type ArchiveFileRef, type PreparedDocument, type PreparedResult } from './prepare.js';
import { syncHeldCaptures, type HeldCapturesSync } from './held-captures.js';
import {
  archiveFiles,
  articleImages,
  parseArchiveFile,
  readTakedowns,
  takedownListHash,
  type Takedown,
} from '../markdown/index.js';

export interface BuildOptions {
  onProgress?: (progress: BuildProgress) => void;
}

export interface ParallelBuildOptions extends BuildOptions {
  /** Worker threads that prepare files. Default: one per core but one (the main thread writes SQLite), at least 1. */
  workers?: number;
}

export interface BuildProgress {
  seen: number;
  indexed: number;
  unchanged: number;
  removed: number;
  /** Files left out of the index because `takedowns.yaml` lists their article. */
  takenDown: number;
  /**
   * Taken-down articles whose other versions (same title, date and author: a revision group)
   * stay in the index and public: each with their ids, for the keepers to decide.
   */
  takedownRevisions: { id: number; revisions: number[] }[];
  /**
   * Taken-down articles whose file could not be read (deleted, unparsable) and whose images no
   * earlier build recorded: their images cannot be withheld.
   */
  takedownImagesUnknown: number[];
  failed: { path: string; message: string }[];
  /**
   * The captures of the articles that the archive's WARCs hold (its crawl state: chosen and
   * rejected ones), copied into the index for the reader's TimeMaps; set at the end of the build.
   * `unreadable` says why the crawl state could not be read (the index keeps its earlier list).
   */
  captures?: HeldCapturesSync;
  /**
   * Set when the index file was damaged (not a database, or SQLite found it corrupt): it was moved
   * here and the index built anew from every archive file.
   */
  corruptMovedTo?: string;
}

/** Files sent to a worker at once: large enough to amortize messaging, small enough to bound memory. */
const WORKER_CHUNK = 100;
/**
 * Chunks queued per worker: enough to keep it busy while the main thread writes one chunk
 * (~0.1 s), few enough to bound the prepared documents held in memory.
 */
const CHUNKS_AHEAD = 4;
/** Progress is reported every this many files. */
const PROGRESS_EVERY = 1000;

/** What a build knows of the folder's takedowns: the list, and the file of each taken-down article. */
interface TakedownScan {
  list: Takedown[];
  ids: Set<number>;
  files: Map<number, string>;
}

function scanTakedowns(dir: string): TakedownScan {
  const list = readTakedowns(dir); // before anything changes: a bad list stops the build
  return { list, ids: new Set(list.map((t) => t.id)), files: new Map() };
}

/**
 * The files to (re)index, in order; counts the unchanged ones and remembers every present path.
 * A taken-down article's file is passed over as if it were gone (removeVanished drops its row).
 */
function* changedFiles(
  dir: string,
  index: SearchIndex,
  progress: BuildProgress,
  present: Set<string>,
  takedowns: TakedownScan,
): Generator<ArchiveFileRef> {
  for (const { path, id } of archiveFiles(dir)) {
    progress.seen++;
    if (takedowns.ids.has(id)) {
      progress.takenDown++;
      takedowns.files.set(id, path);
      continue;
    }
    present.add(path);
    const st = statSync(join(dir, path));
    if (index.has(path, st.mtimeMs, st.size)) progress.unchanged++;
    else yield { path, id, mtime: st.mtimeMs, size: st.size };
  }
}

/** Remove the index entries whose files are gone. */
function removeVanished(index: SearchIndex, present: Set<string>, progress: BuildProgress): void {
  for (const entry of index.entries()) {
    if (present.has(entry.path)) continue;
    index.remove(entry.id);
    progress.removed++;
  }
}

function emptyProgress(): BuildProgress {
  return {
    seen: 0,
    indexed: 0,
    unchanged: 0,
    removed: 0,
    takenDown: 0,
    takedownRevisions: [],
    takedownImagesUnknown: [],
    failed: [],
  };
}

/**
 * Write the tombstones (title and original URL from each article's file, when it is still there)
 * and the held captures (the crawl state's, for TimeMaps), and end the build; the index gets a
 * new generation when articles, tombstones or held captures changed.
 */
function finishBuild(dir: string, index: SearchIndex, progress: BuildProgress, takedowns: TakedownScan): void {
  // What an earlier build read of each article's images: kept when its file is gone since.
  const earlier = index.takedownImagesById();
  const images = new Map<number, string[]>();
  const tombstones = takedowns.list.map((t): Tombstone => {
    const path = takedowns.files.get(t.id);
    let title = '';
    let originalUrl: string | undefined;
    if (path !== undefined) {
      try {
        const f = parseArchiveFile(readFileSync(join(dir, path), 'utf8'));
        // Its images go with it (the reader stops serving their stored files).
        images.set(
          t.id,
          articleImages(f).map((image) => image.key),
        );
        const revisions = f.date === undefined ? [] : index.groupMembers(groupKey(f));
        if (revisions.length > 0) progress.takedownRevisions.push({ id: t.id, revisions });
        if (t.showTitle) {
          title = f.title;
          originalUrl = f.originalUrl;
        }
      } catch {
        // unreadable: the tombstone shows the id, date and reason without a title
      }
    }
    if (!images.has(t.id)) {
      const known = earlier.get(t.id);
      if (known !== undefined) images.set(t.id, known);
      else progress.takedownImagesUnknown.push(t.id);
    }
    return {
      id: t.id,
      title,
      ...(originalUrl !== undefined ? { originalUrl } : {}),
      date: t.date,
      reason: t.reason,
      by: t.by,
    };
  });
  const tombstonesChanged = index.setTakedowns(tombstones, images, takedownListHash(takedowns.list));
  progress.captures = syncHeldCaptures(index.db, dir);
  index.endBuild(progress.indexed > 0 || progress.removed > 0 || tombstonesChanged || progress.captures.changed);
}

/**
 * Run a build; when SQLite finds the index damaged on the way (a damaged page can surface at any
 * write, not only on opening), move the file aside and build a new index once. The index is
 * derived data: rebuilding it from the archive files loses nothing.
 */
function rebuildingCorrupt<T extends BuildProgress>(dir: string, build: () => T): T;
function rebuildingCorrupt<T extends BuildProgress>(dir: string, build: () => Promise<T>): Promise<T>;
function rebuildingCorrupt<T extends BuildProgress>(dir: string, build: () => T | Promise<T>): T | Promise<T> {
  const again = (error: unknown): T | Promise<T> => {
    if (!isCorruptionError(error)) throw error;
    const aside = moveCorruptIndexAside(join(dir, SEARCH_INDEX_FILE));
    const note = (p: T): T => {
      p.corruptMovedTo = aside;
      return p;
    };
    const result = build();
    return result instanceof Promise ? result.then(note) : note(result);
  };
  try {
    const result = build();
    return result instanceof Promise ? result.catch(again) : result;
  } catch (error) {
    return again(error);
  }
}

/** Open the index for a build: a damaged file found on opening is already moved aside. */
function openForBuild(dir: string, progress: BuildProgress): SearchIndex {
  const index = SearchIndex.openDir(dir);
  if (index.movedAside !== undefined) progress.corruptMovedTo = index.movedAside;
  try {
    // Marked incomplete until the end: a build killed midway leaves an index readers warn about.
    index.beginBuild();
  } catch (error) {
    index.close();
    throw error;
  }
  return index;
}

/**
 * Build or update `DIR/search.sqlite` in this thread. A file that cannot be parsed is reported, not
 * fatal; a damaged index file is moved aside and the index built anew (`corruptMovedTo`).
 */
export function buildIndex(dir: string, options: BuildOptions = {}): BuildProgress {
  return rebuildingCorrupt(dir, () => buildIndexOnce(dir, options));
}

function buildIndexOnce(dir: string, options: BuildOptions): BuildProgress {
  const progress = emptyProgress();
  const takedowns = scanTakedowns(dir);
  const index = openForBuild(dir, progress);
  try {
    const present = new Set<string>();
    const prepared = function* (): Generator<PreparedDocument> {
      for (const ref of changedFiles(dir, index, progress, present, takedowns)) {
        const result = prepareFile(dir, ref);
        if ('doc' in result) {
          progress.indexed++;
          if (progress.indexed % PROGRESS_EVERY === 0) options.onProgress?.(progress);
          yield result.doc;
        } else progress.failed.push(result);
      }
    };
    index.upsertMany(prepared());
    removeVanished(index, present, progress);
    finishBuild(dir, index, progress, takedowns);
    options.onProgress?.(progress);
    return progress;
  } finally {
    index.close();
  }
}

/**
 * Build or update `DIR/search.sqlite` with worker threads preparing files (reading, parsing,
 * folding, tokenizing: about half of the work) while this thread writes SQLite. Same result as
 * {@link buildIndex}; documents are written in file order.
 */
export function buildIndexInParallel(dir: string, options: ParallelBuildOptions = {}): Promise<BuildProgress> {
  return rebuildingCorrupt(dir, () => buildIndexInParallelOnce(dir, options));
}

async function buildIndexInParallelOnce(dir: string, options: ParallelBuildOptions): Promise<BuildProgress> {
  const progress = emptyProgress();
  const takedowns = scanTakedowns(dir);
  const index = openForBuild(dir, progress);
  const count = Math.max(1, options.workers ?? availableParallelism() - 1);
  const workers = Array.from({ length: count }, () => startModuleWorker(import.meta.url, 'build-worker'));
  try {
    const present = new Set<string>();
    const refs = [...changedFiles(dir, index, progress, present, takedowns)];
    const chunks: ArchiveFileRef[][] = [];
    for (let i = 0; i < refs.length; i += WORKER_CHUNK) chunks.push(refs.slice(i, i + WORKER_CHUNK));
    // Each worker answers its messages in order, so every chunk is posted at once (the worker
    // queues them) and its answer taken from the worker's FIFO of waiters. Posting a chunk only
    // after the previous answer had been handled left the worker idle whenever the main thread
    // was inside a long SQLite transaction (a third of a build, profiled 2026-11-26).
    const waiters = new Map<Worker, { resolve: (r: PreparedResult[]) => void; reject: (e: Error) => void }[]>();
    for (const worker of workers) {
      const fifo: { resolve: (r: PreparedResult[]) => void; reject: (e: Error) => void }[] = [];
      waiters.set(worker, fifo);
      worker.on('message', (results: PreparedResult[]) => fifo.shift()?.resolve(results));
      worker.on('error', (error: Error) => {
        for (const w of fifo.splice(0)) w.reject(error);
      });
    }
    const run = (worker: Worker, chunk: ArchiveFileRef[]): Promise<PreparedResult[]> =>
      new Promise((resolve, reject) => {
        waiters.get(worker)!.push({ resolve, reject });
        worker.postMessage({ dir, refs: chunk });
      });
    // Results are consumed in chunk order; at most CHUNKS_AHEAD chunks per worker wait in memory.
    const pending: Promise<PreparedResult[]>[] = [];
    let next = 0;
    const dispatch = (): void => {
      while (next < chunks.length && pending.length < count * CHUNKS_AHEAD) {
        const job = run(workers[next % count]!, chunks[next]!);
        job.catch(() => undefined); // handled where it is awaited, in order
        pending.push(job);
        next++;
      }
    };
    const load = async (): Promise<void> => {
      dispatch();
      // Each chunk is written as it arrives, inside transactions of DEFAULT_BATCH_SIZE articles, so
      // this thread is back to dispatching after ~0.1 s instead of one long write (batchWriter).
      const writer = index.batchWriter();
      try {
        while (pending.length > 0) {
          const results = await pending.shift()!;
          dispatch();
          const docs: PreparedDocument[] = [];
          for (const result of results) {
            if ('doc' in result) {
              docs.push(result.doc);
              progress.indexed++;
              if (progress.indexed % PROGRESS_EVERY === 0) options.onProgress?.(progress);
            } else progress.failed.push(result);
          }
          writer.add(docs);
        }
        writer.finish();
      } catch (error) {
        writer.abandon();
        throw error;
      }
    };
    // A first build writes everything at once: merge FTS segments once at the end.
    if (index.count() === 0 && refs.length > 0) await index.bulkLoad(load);
    else await load();
    removeVanished(index, present, progress);
    finishBuild(dir, index, progress, takedowns);
    options.onProgress?.(progress);
    return progress;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    index.close();
  }
}
