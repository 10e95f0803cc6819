/**
 * `salvage verify` of an archive's article files against the captures they came from: each
 * written article's capture is read back from its WARC record, its payload's SHA-256 held to the
 * file's frontmatter `sha256`, and the file rebuilt from it by the very calls the rescue made
 * (extractCapture, then renderArticle, as writeArchiveFile does), byte for byte. Files the crawl
 * state does not know are extra; known files that are gone are missing. Nothing is written.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractCapture, undoContentCoding, type SiteProfile } from '../extract/index.js';
import {
  ARTICLE_FILE,
  articlePath,
  BUCKET_SIZE,
  parseArchiveFile,
  renderArticle,
  TEMP_FILE,
} from '../markdown/index.js';
import { SITES } from '../sites/index.js';
import { captureInput, readWarcCaptureAt, type CrawlState, type IntegrityFinding } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { CAPTURES_DIR } from './rescue.js';

export interface ArticleCheckOptions {
  /** Rebuild each file from its capture and compare the bytes (the slow part). Default true; false checks each file against the SHA-256 the state recorded when it was written. */
  rebuild?: boolean;
  /** Site profiles kept beside the archive (`site-profile.yaml`), looked up by the state's site id before the built-in sites. */
  profiles?: readonly SiteProfile[];
  onFinding: (finding: IntegrityFinding) => void;
  /** Told every PROGRESS_EVERY articles: done, of. */
  onProgress?: (done: number, of: number) => void;
}

export interface ArticleCheckSummary {
  /** Articles the state says are written. */
  written: number;
  /** Of those, files present. */
  present: number;
  /** Files rebuilt from their capture byte for byte equal. */
  rebuiltEqual: number;
  /** Files as written (SHA-256 the state recorded) but not checked against a capture: `rebuild` off. */
  asWritten: number;
  /** Article files that could not be checked against a capture: no crawl state (`salvage import`), no stored capture, an unreadable capture, an unknown site. */
  notCheckable: number;
  /** Files as written whose rebuild differs: this salvage extracts the capture otherwise (notices). */
  rebuildDiffers: number;
  /** Article files on disk the state does not know (or, with no state, all of them). */
  unknownFiles: number;
}

/** Articles between two progress calls. */
const PROGRESS_EVERY = 1000;
/** A bucket folder's name: `<lo>-<hi>` (markdown BUCKET_SIZE ids). */
const BUCKET = /^([1-9]\d{0,14})-([1-9]\d{0,14})$/;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The site an archive was rescued for: a kept profile of that id, else the built-in site. */
export function archiveSite(id: string | undefined, profiles: readonly SiteProfile[] = []): SiteProfile | undefined {
  if (id === undefined) return undefined;
  return profiles.find((p) => p.id === id) ?? SITES.get(id);
}

/** The 1-based line of the first byte where two texts differ (for a person to look at). */
function firstDifferentLine(a: Uint8Array, b: Uint8Array): number {
  let line = 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return line;
    if (a[i] === 10) line++;
  }
  return line;
}

/**
 * Check the article files of the archive folder `dir` (see the module doc). `state` is its crawl
 * state opened read-only, undefined for an archive without one (`salvage import`): then every
 * file is counted as not checkable. Findings (`article`): `file-missing`, `sha256-mismatch` (the
 * frontmatter's `sha256` is not its capture's payload), `file-altered` (neither what was written
 * nor a rebuild of its capture), `extra-file`; notices `rebuild-differs`, `not-checkable`,
 * `leftovers`.
 */
export async function checkArticles(
  dir: string,
  state: CrawlState | undefined,
  options: ArticleCheckOptions,
): Promise<ArticleCheckSummary> {
  const { rebuild = true, profiles = [], onFinding, onProgress } = options;
  const summary: ArticleCheckSummary = {
    written: 0,
    present: 0,
    rebuiltEqual: 0,
    asWritten: 0,
    notCheckable: 0,
    rebuildDiffers: 0,
    unknownFiles: 0,
  };
  if (state) {
    const siteId = state.getMeta('site');
    const site = archiveSite(siteId, profiles);
    if (rebuild && site === undefined)
      onFinding({
        problem: 'notice',
        check: 'article',
        code: 'not-checkable',
        path: 'articles',
        message: `the archive is of site ${JSON.stringify(siteId ?? '')}, which this salvage does not know (and no site-profile.yaml names): article files are checked against the SHA-256 recorded when they were written, not rebuilt`,
      });
    const total = state.articleCounts().written;
    for (const a of state.writtenWithCaptures()) {
      summary.written++;
      await checkOne(dir, a, rebuild ? site : undefined, summary, onFinding);
      if (summary.written % PROGRESS_EVERY === 0) onProgress?.(summary.written, total);
    }
    onProgress?.(summary.written, total);
  }
  checkUnknownFiles(dir, state, summary, onFinding);
  return summary;
}

type WrittenRow = ReturnType<CrawlState['writtenWithCaptures']> extends IterableIterator<infer T> ? T : never;

async function checkOne(
  dir: string,
  a: WrittenRow,
  site: SiteProfile | undefined,
  summary: ArticleCheckSummary,
  onFinding: (finding: IntegrityFinding) => void,
): Promise<void> {
  const path = a.path ?? articlePath(String(a.id));
  const find = (problem: IntegrityFinding['problem'], code: string, message: string): void =>
    onFinding({ problem, check: 'article', code, path, articleId: a.id, message: `${path}: ${message}` });
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return find(
        'missing',
        'file-missing',
        `article ${a.id} is written in the crawl state, and its file is gone (salvage rebuild writes it again from its capture)`,
      );
    return find('altered', 'unreadable', `cannot be read: ${(error as Error).message}`);
  }
  summary.present++;
  const fileSha = sha256(bytes);
  /** Whether the file is the bytes salvage wrote (undefined: the state recorded no SHA-256). */
  const asWritten = a.file_sha256 === null ? undefined : fileSha === a.file_sha256;
  const notAsWritten = (): void =>
    find(
      'altered',
      'file-altered',
      `changed since salvage wrote it (SHA-256 ${fileSha}, written ${a.file_sha256})${site === undefined ? '' : ', and not what its capture rebuilds to'}; salvage rebuild writes it again from its capture`,
    );
  if (site === undefined || a.warc === null || a.warc_offset === null || a.warc_length === null) {
    if (asWritten === false) return notAsWritten();
    if (site !== undefined) {
      summary.notCheckable++;
      find(
        'notice',
        'not-checkable',
        `article ${a.id}'s capture has no stored bytes (salvage archive fetches it again): checked against the SHA-256 recorded when it was written only`,
      );
    } else summary.asWritten++;
    return;
  }
  let capture;
  try {
    capture = await readWarcCaptureAt(join(dir, CAPTURES_DIR, a.warc), a.warc_offset, a.warc_length);
  } catch (error) {
    if (!(error instanceof SalvageError)) throw error;
    summary.notCheckable++;
    if (asWritten === false) return notAsWritten();
    return find(
      'notice',
      'not-checkable',
      `its capture (${CAPTURES_DIR}/${a.warc}@${a.warc_offset}) cannot be read, so it is not checked against it: ${error.message}`,
    );
  }
  const at = a.original !== null && a.timestamp !== null ? { url: a.original, timestamp: a.timestamp } : undefined;
  const input = captureInput(capture, at);
  const extracted = extractCapture(input, site);
  const rebuilt = extracted.ok ? Buffer.from(renderArticle(extracted.article), 'utf8') : undefined;
  if (rebuilt !== undefined && rebuilt.equals(bytes)) {
    summary.rebuiltEqual++;
    return;
  }
  // Why not: the evidence (frontmatter sha256 against the payload), then the file (as written?), else the extractor.
  const payloadSha = sha256(undoContentCoding(input.payload, input.contentEncoding).bytes);
  let stated: string | undefined;
  try {
    stated = parseArchiveFile(bytes.toString('utf8'), path).sha256;
  } catch {
    stated = undefined;
  }
  if (stated !== payloadSha)
    return find(
      'altered',
      'sha256-mismatch',
      `its frontmatter sha256 is ${stated ?? '(none)'}, its capture's payload (${CAPTURES_DIR}/${a.warc}@${a.warc_offset}) has ${payloadSha}: ${asWritten ? 'the file is as written, so the capture bytes changed' : 'the file was changed'}`,
    );
  if (asWritten === false) return notAsWritten();
  summary.rebuildDiffers++;
  find(
    'notice',
    'rebuild-differs',
    rebuilt === undefined
      ? `the file is ${asWritten ? 'as written' : 'not recorded'} and its capture's payload matches, but this salvage now rejects the capture (${extracted.ok ? 'no text' : extracted.reason}): an extractor change since it was written`
      : `the file is ${asWritten ? 'as written' : 'not recorded'} and its capture's payload matches, but this salvage's extraction gives other bytes from line ${firstDifferentLine(rebuilt, bytes)} (an extractor change since it was written; salvage rebuild would rewrite it)`,
  );
}

/**
 * Files under `articles/` that no written article of the state names (extra), and temp files of
 * an interrupted write (notice). Bucket by bucket: one folder listing and the state's articles
 * of its id range at a time. With no state, every article file is counted as not checkable.
 */
function checkUnknownFiles(
  dir: string,
  state: CrawlState | undefined,
  summary: ArticleCheckSummary,
  onFinding: (finding: IntegrityFinding) => void,
): void {
  const root = join(dir, 'articles');
  if (!existsSync(root)) return;
  let leftovers = 0;
  const extra = (path: string, message: string): void => {
    summary.unknownFiles++;
    onFinding({ problem: 'extra', check: 'article', code: 'extra-file', path, message: `${path}: ${message}` });
  };
  for (const bucket of readdirSync(root).sort()) {
    const folder = join(root, bucket);
    if (!statSync(folder).isDirectory()) {
      extra(`articles/${bucket}`, 'a file where only bucket folders belong');
      continue;
    }
    const range = BUCKET.exec(bucket);
    const lo = Number(range?.[1]);
    const hi = Number(range?.[2]);
    const valid = range !== null && (lo - 1) % BUCKET_SIZE === 0 && hi === lo + BUCKET_SIZE - 1;
    const known =
      state && valid
        ? new Set(state.writtenBetween(lo, hi).map((r) => r.path ?? articlePath(String(r.id))))
        : undefined;
    for (const name of readdirSync(folder).sort()) {
      const path = `articles/${bucket}/${name}`;
      if (TEMP_FILE.test(name)) {
        leftovers++;
        continue;
      }
      if (!valid) extra(path, `not in a bucket folder of ${BUCKET_SIZE} ids`);
      else if (!ARTICLE_FILE.test(name)) extra(path, 'not an article file (article_<id>.md)');
      else if (state === undefined) summary.notCheckable++;
      else if (!known!.has(path)) extra(path, 'no written article of the crawl state has this file'); // known is set when state is
    }
  }
  if (state === undefined && summary.notCheckable > 0)
    onFinding({
      problem: 'notice',
      check: 'article',
      code: 'not-checkable',
      path: 'articles',
      message: `${summary.notCheckable} article files are not checkable against captures: the archive has no crawl state (salvage import keeps files, not captures)`,
    });
  if (leftovers > 0)
    onFinding({
      problem: 'notice',
      check: 'article',
      code: 'leftovers',
      path: 'articles',
      message: `${leftovers} temporary files of an interrupted write (.<pid>.<n>.tmp; the next salvage archive or import removes them)`,
    });
}
