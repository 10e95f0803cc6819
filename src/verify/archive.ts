/**
 * `salvage verify` of an archive folder: each check runs in the stage that owns what it checks
 * (WARC records and media files in store, article files in crawl) against the indexes the folder
 * keeps (`state.sqlite`, `media/media.sqlite`, both opened read-only); this file only opens
 * them, runs the checks in turn and counts what they find.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES_DIR, checkArticles, COVERAGE_FILE, STATE_FILE } from '../crawl/index.js';
import {
  checkMediaFiles,
  checkWarcFolder,
  CrawlState,
  MEDIA_CAPTURES_DIR,
  MEDIA_DIR,
  MediaStore,
  readCoverage,
  warcFolderBytes,
  type IntegrityFinding,
} from '../store/index.js';
import type { VerifyOptions, VerifyReport } from './report.js';

/** Fields of coverage.json held to the state: what a reader of the report relies on. */
const COVERAGE_FIELDS = ['site', 'fetched', 'written', 'unrecovered', 'pending'] as const;

/**
 * Check the archive folder `dir` (see the module doc); findings go to `find`, what was checked
 * into `checked`.
 */
export async function verifyArchive(
  dir: string,
  options: VerifyOptions & { rebuild: boolean },
  find: (finding: IntegrityFinding) => void,
  checked: VerifyReport['checked'],
  phaseSeconds: NonNullable<VerifyReport['phaseSeconds']>,
): Promise<void> {
  const { onProgress } = options;
  let phaseStart = performance.now();
  const phaseDone = (phase: keyof typeof phaseSeconds): void => {
    const now = performance.now();
    phaseSeconds[phase] = (now - phaseStart) / 1000;
    phaseStart = now;
  };
  const database = (name: string, message: string): void =>
    find({
      problem: 'altered',
      check: 'database',
      code: 'database-damaged',
      path: name,
      message: `${name}: ${message}`,
    });
  checked.databases = [];

  let state: CrawlState | undefined;
  const statePath = join(dir, STATE_FILE);
  if (existsSync(statePath)) {
    try {
      state = CrawlState.openReadOnly(statePath);
      const check = state.quickCheck();
      if (check !== 'ok') database(STATE_FILE, `SQLite finds damage: ${check}`);
      checked.databases.push({ name: STATE_FILE, ok: check === 'ok' });
    } catch (error) {
      state?.close();
      state = undefined;
      database(
        STATE_FILE,
        `cannot be read (${(error as Error).message}): the stored captures it lists are not checked, nor the article files against them`,
      );
      checked.databases.push({ name: STATE_FILE, ok: false });
    }
  } else if (existsSync(join(dir, CAPTURES_DIR)))
    find({
      problem: 'notice',
      check: 'database',
      code: 'no-state',
      path: STATE_FILE,
      message: `${STATE_FILE} is missing: the WARC records are checked, the article files cannot be checked against them (salvage archive rebuilds the state from the WARC files)`,
    });

  let media: MediaStore | undefined;
  const mediaIndex = `${MEDIA_DIR}/media.sqlite`;
  try {
    media = MediaStore.openExisting(dir);
    if (media !== undefined) {
      const check = media.quickCheck();
      if (check !== 'ok') database(mediaIndex, `SQLite finds damage: ${check}`);
      checked.databases.push({ name: mediaIndex, ok: check === 'ok' });
    }
  } catch (error) {
    media?.close();
    media = undefined;
    database(mediaIndex, `${(error as Error).message}: the images and their records are not checked against it`);
    checked.databases.push({ name: mediaIndex, ok: false });
  }
  if (
    media === undefined &&
    existsSync(join(dir, MEDIA_DIR, MEDIA_CAPTURES_DIR)) &&
    !checked.databases.some((d) => d.name === mediaIndex)
  )
    find({
      problem: 'notice',
      check: 'database',
      code: 'no-media-index',
      path: mediaIndex,
      message: `${mediaIndex} is missing: the media WARC records are checked, the image files are not (salvage rebuild restores the index from them)`,
    });

  try {
    const captures = join(dir, CAPTURES_DIR);
    if (existsSync(captures) || state !== undefined) {
      const of = warcFolderBytes(captures);
      checked.warc = await checkWarcFolder({
        dir: captures,
        label: CAPTURES_DIR,
        committed: state?.warcSizes() ?? [],
        places: state?.storedPlaces() ?? [],
        onFinding: find,
        onProgress: (done) => onProgress?.({ phase: 'warc', done, of, unit: 'bytes' }),
      });
      phaseDone('warc');
    }
    const mediaCaptures = join(dir, MEDIA_DIR, MEDIA_CAPTURES_DIR);
    if (existsSync(mediaCaptures) || media !== undefined) {
      const of = warcFolderBytes(mediaCaptures);
      checked.mediaWarc = await checkWarcFolder({
        dir: mediaCaptures,
        label: `${MEDIA_DIR}/${MEDIA_CAPTURES_DIR}`,
        committed: media?.warcSizes() ?? [],
        places: media?.warcPlaces() ?? [],
        onFinding: find,
        onProgress: (done) => onProgress?.({ phase: 'media-warc', done, of, unit: 'bytes' }),
      });
      phaseDone('media-warc');
    }
    if (options.profileProblem !== undefined)
      find({
        problem: 'altered',
        check: 'article',
        code: 'profile-invalid',
        path: 'site-profile.yaml',
        message: `the site profile kept beside the archive cannot be read (${options.profileProblem}): the article files are not rebuilt`,
      });
    checked.articles = await checkArticles(dir, state, {
      rebuild: options.rebuild && options.profileProblem === undefined,
      profiles: options.profiles ?? [],
      onFinding: find,
      onProgress: (done, of) => onProgress?.({ phase: 'articles', done, of, unit: 'articles' }),
    });
    phaseDone('articles');
    if (media !== undefined) {
      checked.media = await checkMediaFiles(media, find, (done) =>
        onProgress?.({ phase: 'media', done, unit: 'files' }),
      );
      phaseDone('media');
    }
    if (state !== undefined) checked.coverage = checkCoverage(dir, state, find);
  } finally {
    state?.close();
    media?.close();
  }
}

/**
 * coverage.json is a report (salvage status --json), derived from the state and rewritten by
 * every run, not evidence: it must be readable, and what it says is held to the state's counts;
 * a disagreement is a notice (a run was stopped before rewriting it), not damage.
 */
function checkCoverage(
  dir: string,
  state: CrawlState,
  find: (finding: IntegrityFinding) => void,
): 'agrees' | 'stale' | 'unreadable' | 'absent' {
  const path = join(dir, COVERAGE_FILE);
  if (!existsSync(path)) return 'absent';
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (stored === null || typeof stored !== 'object') throw new Error('not a JSON object');
  } catch (error) {
    find({
      problem: 'altered',
      check: 'coverage',
      code: 'unreadable',
      path: COVERAGE_FILE,
      message: `${COVERAGE_FILE} is not the JSON salvage writes (${(error as Error).message}); the next salvage archive run writes it again`,
    });
    return 'unreadable';
  }
  const now = readCoverage(state, join(dir, CAPTURES_DIR)) as unknown as Record<string, unknown>;
  const differ = COVERAGE_FIELDS.filter((f) => stored[f] !== now[f]);
  if (differ.length === 0) return 'agrees';
  find({
    problem: 'notice',
    check: 'coverage',
    code: 'stale',
    path: COVERAGE_FILE,
    message: `${COVERAGE_FILE} says ${differ.map((f) => `${f} ${JSON.stringify(stored[f])}`).join(', ')}; the crawl state says ${differ.map((f) => JSON.stringify(now[f])).join(', ')} (a run stopped before rewriting it; the next run does)`,
  });
  return 'stale';
}
