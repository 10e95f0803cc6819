/**
 * `salvage rebuild`: every archive file regenerated from the WARC files alone (no network), and
 * every place the crawl state lists checked against the records actually there.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { extractCapture, type SiteProfile } from '../extract/index.js';
import { siteForUrl } from '../sites/index.js';
import { captureInput, CrawlState, readWarcCaptures, type WarcDamage } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { CAPTURES_DIR, STATE_FILE, writeArchiveFile } from './rescue.js';

export interface RebuildOptions {
  /** Site profiles kept beside the archive (a URL-prefix or profile-file rescue), tried before the built-in sites. */
  profiles?: readonly SiteProfile[];
  /** One line per problem: damaged WARC bytes, stored captures whose bytes are gone. */
  report?: (line: string) => void;
  /** Told every PROGRESS_EVERY articles: articles written, records read. */
  onProgress?: (written: number, records: number) => void;
}

/** Articles between two progress calls. */
const PROGRESS_EVERY = 5000;

export interface RebuildResult {
  records: number;
  written: number;
  /** Damaged or short stretches of the WARC files (every intact record around them was read). */
  damaged: number;
  /** Captures the crawl state lists whose bytes are missing, short or not a whole record. */
  missingEvidence: number;
  /** Set when the state could not be read, so its list was not checked. */
  stateUnchecked?: string;
}

/** Problems of one kind in one file are listed in full up to this many, then counted. */
const PROBLEM_LINES_PER_FILE = 20;

/**
 * Regenerate every archive file from the WARCs alone: records in file order (the order they were
 * fetched, each article's captures in rank order), the first one the extractor accepts per article.
 * Every damaged stretch is reported (`report`) and skipped; every (file, offset, length) the crawl
 * state lists is checked against the records read, in one merged pass (both are in file and offset
 * order). Any problem makes the result non-clean, for a non-zero exit.
 */
export async function rebuildArchive(dir: string, out: string, options: RebuildOptions = {}): Promise<RebuildResult> {
  const { profiles = [], report = () => {}, onProgress } = options;
  const captures = join(dir, CAPTURES_DIR);
  if (!existsSync(captures))
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no ${CAPTURES_DIR}/ folder of WARC files`, { subject: dir });
  const files = readdirSync(captures)
    .filter((n) => /\.warc(?:\.gz)?$/.test(n))
    .sort();
  const done = new Set<string>();
  const result: RebuildResult = { records: 0, written: 0, damaged: 0, missingEvidence: 0 };
  let state: CrawlState | undefined;
  let places: Iterator<{ id: number; warc: string; offset: number; length: number }> | undefined;
  const statePath = join(dir, STATE_FILE);
  if (existsSync(statePath)) {
    try {
      state = CrawlState.openReadOnly(statePath);
      places = state.storedPlaces();
    } catch (error) {
      state?.close();
      state = undefined;
      result.stateUnchecked = (error as Error).message;
      report(
        `the crawl state cannot be read (${(error as Error).message}): the stored captures it lists are not checked; salvage archive moves it aside and rebuilds it from the WARC files`,
      );
    }
  }
  let place = places?.next();
  const problems = new Map<string, number>();
  const problem = (file: string, line: string): void => {
    result.missingEvidence++;
    const n = (problems.get(file) ?? 0) + 1;
    problems.set(file, n);
    if (n <= PROBLEM_LINES_PER_FILE) report(`${CAPTURES_DIR}/${file}: ${line}`);
  };
  /** State places before (file, offset) that no intact record matched. */
  const passPlaces = (
    file: string | undefined,
    offset: number,
    why: (p: { warc: string; offset: number; length: number }) => string,
  ): void => {
    while (
      place &&
      !place.done &&
      (file === undefined || place.value.warc < file || (place.value.warc === file && place.value.offset < offset))
    ) {
      problem(place.value.warc, why(place.value));
      place = places!.next(); // places is set whenever place is
    }
  };
  const missingFile = (p: { offset: number; length: number }): string =>
    `missing: the stored capture at offset ${p.offset} (${p.length} bytes) is gone`;
  try {
    for (const file of files) {
      passPlaces(file, 0, missingFile);
      const path = join(captures, file);
      const size = statSync(path).size;
      // A file created just before a kill, with nothing in it yet: no record, no damage.
      if (size === 0) {
        passPlaces(file, Number.POSITIVE_INFINITY, missingFile);
        continue;
      }
      const notThere = (p: { offset: number; length: number }): string =>
        p.offset + p.length > size
          ? `the stored capture at offset ${p.offset} (${p.length} bytes) is past the end of the file (${size} bytes)`
          : `the bytes of the stored capture at offset ${p.offset} (${p.length} bytes) are not a whole record`;
      const onDamage = (d: WarcDamage): void => {
        result.damaged++;
        report(
          `${CAPTURES_DIR}/${file}: ${d.length} damaged bytes at offset ${d.offset} skipped (${d.reason}: ${d.message})`,
        );
      };
      try {
        for await (const c of readWarcCaptures(path, { onDamage })) {
          result.records++;
          passPlaces(file, c.offset, notThere);
          if (place && !place.done && place.value.warc === file && place.value.offset === c.offset) {
            if (place.value.length !== c.length)
              problem(
                file,
                `the stored capture at offset ${c.offset} is ${place.value.length} bytes in the crawl state, ${c.length} in the file`,
              );
            place = places!.next();
          }
          const site = profiles.find((p) => p.articleId(c.url) !== undefined) ?? siteForUrl(c.url);
          const id = site?.articleId(c.url);
          if (!site || id === undefined || done.has(`${site.id} ${id}`)) continue;
          const extracted = extractCapture(captureInput(c), site);
          if (!extracted.ok) continue;
          await writeArchiveFile(out, extracted.article);
          done.add(`${site.id} ${id}`);
          if (done.size % PROGRESS_EVERY === 0) onProgress?.(done.size, result.records);
        }
      } catch (error) {
        // A file with no record at all: reported like damage, and the next file is read.
        if (!(error instanceof SalvageError) || error.code !== 'WARC_MALFORMED') throw error;
        result.damaged++;
        report(`${CAPTURES_DIR}/${file}: ${error.message}`);
      }
      passPlaces(file, Number.POSITIVE_INFINITY, notThere);
    }
    passPlaces(undefined, 0, missingFile);
  } finally {
    state?.close();
  }
  for (const [file, n] of problems)
    if (n > PROBLEM_LINES_PER_FILE)
      report(
        `${CAPTURES_DIR}/${file}: … ${n - PROBLEM_LINES_PER_FILE} more stored captures with missing or damaged bytes (${n} in all)`,
      );
  result.written = done.size;
  return result;
}
