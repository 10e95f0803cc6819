/** The coverage report of an archive folder (`salvage status`, `coverage.json`), read from its crawl state. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../markdown/index.js';
import { CrawlState, MediaStore, readCoverage, type CoverageReport, type MediaCounts } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { CAPTURES_DIR, COVERAGE_FILE, STATE_FILE } from './rescue.js';

/**
 * The coverage of an archive folder, from its crawl state (opened read-only: a running archive
 * is never disturbed). INPUT_UNREADABLE when the folder has no state or the state cannot be read.
 */
export function readStatus(dir: string): CoverageReport {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) {
    const hint = existsSync(join(dir, CAPTURES_DIR))
      ? `its ${CAPTURES_DIR}/ are kept: salvage archive rebuilds the state from them`
      : 'is it a folder written by salvage archive?';
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no crawl state (${STATE_FILE}); ${hint}`, { subject: dir });
  }
  const state = CrawlState.openReadOnly(path);
  try {
    const report = readCoverage(state, join(dir, CAPTURES_DIR));
    const media = MediaStore.openExisting(dir);
    if (media !== undefined)
      try {
        report.media = media.counts();
      } finally {
        media.close();
      }
    return report;
  } catch (error) {
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `the crawl state ${path} cannot be read (${(error as Error).message}); salvage archive moves it aside and rebuilds it from the WARC files`,
      { cause: error, subject: path },
    );
  } finally {
    state.close();
  }
}

/**
 * The images of an archive folder that has a media store but no crawl state (one `salvage import`
 * laid out, then `salvage media`): what `salvage status` can say of it. Undefined without one.
 */
export function readMediaStatus(dir: string): MediaCounts | undefined {
  if (existsSync(join(dir, STATE_FILE))) return undefined;
  const media = MediaStore.openExisting(dir);
  if (media === undefined) return undefined;
  try {
    return media.counts();
  } finally {
    media.close();
  }
}

/** `coverage.json` beside `articles/`: the status report, rewritten atomically after each run. */
export async function writeCoverage(dir: string): Promise<void> {
  await writeFileAtomic(join(dir, COVERAGE_FILE), JSON.stringify(readStatus(dir), null, 2) + '\n');
}
