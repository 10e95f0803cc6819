/**
 * Render every page of an archive into its page store (`salvage render`), so that `salvage serve`
 * answers each with one lookup from the first request on. Resumable: pages already stored for
 * the current index, media and options are skipped, so a run stopped midway continues where it
 * stopped; a page lost to a kill is rendered again.
 */
import { createReader, type ReaderOptions } from './reader.js';
import { prunePageStore } from './page-store.js';
import { SalvageError } from '../errors.js';

export interface PrerenderProgress {
  /** Page addresses looked at. */
  seen: number;
  /** Rendered and stored by this run. */
  stored: number;
  /** Already stored (an earlier run, or a server's first request). */
  kept: number;
  /** Addresses the store does not keep (searches, lookups, redirects). */
  skipped: number;
  /** Pages of earlier index generations removed first. */
  pruned?: number;
  file: string;
}

/** How often `onProgress` is called, in pages looked at. */
const PROGRESS_EVERY = 2000;

export async function prerender(
  options: Pick<ReaderOptions, 'dir' | 'loadImages' | 'siteTitle' | 'onError'>,
  onProgress?: (p: PrerenderProgress) => void,
): Promise<PrerenderProgress> {
  // Nothing kept in memory: every page goes to disk once, and memory stays flat over any archive.
  let warning: string | undefined;
  const reader = createReader({
    ...options,
    onWarning: (message) => (warning ??= message),
    mode: 'server',
    cacheBytes: 0,
    pageStore: true,
  });
  try {
    const file = reader.pageStoreFile();
    if (file === undefined)
      throw new SalvageError(
        'OUTPUT_FAILED',
        warning ??
          `the search index of ${options.dir} is incomplete (a salvage index run was interrupted or is running): run salvage index ${options.dir} first`,
        { subject: options.dir },
      );
    const progress: PrerenderProgress = { seen: 0, stored: 0, kept: 0, skipped: 0, file };
    progress.pruned = prunePageStore(options.dir, reader.generation());
    for (const path of reader.pagePaths()) {
      const outcome = await reader.store(path);
      progress.seen++;
      if (outcome === 'stored') progress.stored++;
      else if (outcome === 'kept') progress.kept++;
      else progress.skipped++;
      if (progress.seen % PROGRESS_EVERY === 0) onProgress?.(progress);
    }
    onProgress?.(progress);
    return progress;
  } finally {
    reader.close();
  }
}
