/**
 * Rescuing the images an archive's articles show (issue 16): every figure and inline image of
 * every article file is requested from the Wayback Machine as `im_` at the article capture's
 * time, the closest capture followed at any distance (an image is rarely captured the second
 * its page was), and kept in the media store (store/media-store.ts) with its outcome.
 *
 * Works on any archive folder (a rescue, or `salvage import` of another tool's archive): the
 * article files are the only input. Resumable: an image with a final outcome is never asked
 * again, and an image several articles show is asked once. Requests go through the client, so
 * the one politeness budget (rate limits, 429 pauses, block detection) holds for images too.
 */
import {
  ARTICLE_YEAR_HEADER,
  MEDIA_CAPTURES_DIR,
  MEDIA_DIR,
  MediaStore,
  checkImage,
  type ClassifyRecord,
  captureKey,
  requestedCaptureHeaders,
  waybackPayloadDigest,
  type MediaCounts,
  type MediaOutcome,
  type MediaRow,
} from '../store/index.js';
import {
  RequestRefusedError,
  RetriesExhaustedError,
  WaitLimitError,
  WaybackRequestError,
  type WaybackClient,
} from '../wayback/index.js';
import { archiveFiles, articleImages, imageKey, parseArchiveFile, readTakedowns } from '../markdown/index.js';
import { undoContentCoding } from '../extract/index.js';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import { join, resolve } from 'node:path';

export const DEFAULT_MEDIA_OPTIONS = {
  /**
   * Images worked on at once. Requests in flight stay bounded by the client's connection pool;
   * the extra workers keep the rate limit busy while one waits out a slow answer.
   */
  concurrency: 6,
} as const;

export interface MediaOptions {
  /** The archive folder (articles/…). */
  archiveDir: string;
  client: WaybackClient;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: MediaProgress) => void;
  /** One line per image that ends missing for a reason worth a look (fetch failures). */
  log?: (line: string) => void;
}

export interface MediaProgress {
  /** Article files read so far. */
  articles: number;
  /** Image references met so far: an image counts once for each article that shows it (the total grows while the files are read). */
  images: number;
  /** References whose image already had an outcome (an earlier run's, or another article's this run) or was in flight: left alone. */
  alreadyDone: number;
  /** Images this run gave an outcome. */
  stored: number;
  missing: number;
  failed: number;
  /** Requests answered with a memento (the WARC keeps each). */
  fetched: number;
  /** Answers a killed run had stored in the WARC without recording them: recorded, not fetched again. */
  adopted: number;
}

export interface MediaSummary {
  stop: 'complete' | 'interrupted' | 'wait-limit';
  message?: string;
  progress: MediaProgress;
  counts: MediaCounts;
}

/** One image to ask for: its URL as the article file gives it, the time to ask at, and the article's year. */
interface ImageRef {
  url: string;
  key: string;
  timestamp: string;
  year: string | undefined;
}

/**
 * The images of every article file, in file order, each once per file. An image several articles
 * show comes once per article: the store says which are done, so memory stays flat however many
 * images the archive holds (the first article to reach a worker names the time it is asked at).
 */
async function* imageRefs(archiveDir: string, progress: MediaProgress): AsyncGenerator<ImageRef> {
  // Taken-down articles' images are not fetched: the reader would withhold them anyway.
  const takenDown = new Set(readTakedowns(archiveDir).map((t) => t.id));
  for (const { path, id } of archiveFiles(archiveDir)) {
    if (takenDown.has(id)) continue;
    let text: string;
    try {
      text = await readFile(join(archiveDir, path), 'utf8');
    } catch {
      continue; // removed meanwhile
    }
    progress.articles++;
    let file: ReturnType<typeof parseArchiveFile>;
    try {
      file = parseArchiveFile(text, path);
    } catch {
      continue; // not an archive file: salvage index reports these
    }
    for (const image of articleImages(file)) {
      progress.images++;
      yield {
        url: image.url,
        key: image.key,
        timestamp: image.timestamp,
        year: file.date?.slice(0, 4) ?? image.timestamp.slice(0, 4),
      };
    }
  }
}

/** What a service answer that is no memento means for an image. */
const ANSWER_OUTCOME: Partial<Record<WaybackRequestError['code'], MediaOutcome>> = {
  WAYBACK_NOT_ARCHIVED: 'not-archived',
  WAYBACK_EXCLUDED: 'excluded',
};

/** What the Wayback answered for an image (live, or read back from the WARC). */
interface ImageAnswer {
  timestamp: string;
  /** The capture's original, as the service spells it (WARC-Target-URI). */
  original: string;
  status: number | undefined;
  contentType: string | undefined;
  /** The archived `Content-Encoding`, when the record names one. */
  contentEncoding?: string | undefined;
  payload: Uint8Array;
  mementoUrl?: string;
  fetchedAt?: string;
}

/**
 * The row of an answered image, its file kept when it is a whole image: the one rule for a live
 * answer and for one adopted from the WARC after a kill.
 */
function answerRow(
  store: MediaStore,
  base: Pick<MediaRow, 'url' | 'key' | 'requestedTs' | 'year'>,
  a: ImageAnswer,
): MediaRow {
  // WAYBACK-QUIRK: an id_/im_ payload can arrive gzipped with no Content-Encoding (WAYBACK.md,
  // "gzip"), and crawlers keep a server's coding: the image is the decoded bytes (the WARC keeps
  // them as they came). Test: media.test "a gzipped answer is the image inside".
  const payload = undoContentCoding(a.payload, a.contentEncoding).bytes;
  const answered: MediaRow = {
    ...base,
    outcome: 'stored',
    captureTs: a.timestamp,
    captureUrl: a.original,
    waybackDigest: waybackPayloadDigest(payload),
    bytes: payload.length,
    ...(a.status !== undefined ? { status: a.status } : {}),
    ...(a.contentType ? { contentType: a.contentType } : {}),
    ...(a.mementoUrl !== undefined ? { mementoUrl: a.mementoUrl } : {}),
    ...(a.fetchedAt !== undefined ? { fetchedAt: a.fetchedAt } : {}),
  };
  if (a.status !== 200)
    return {
      ...answered,
      outcome: 'archived-error',
      detail: `only an answer with status ${a.status ?? 'unknown'} is archived`,
    };
  const check = checkImage(payload, a.contentType);
  if (!check.ok) return { ...answered, outcome: check.reason, detail: check.detail };
  const { sha256, file } = store.keepFile(payload, check.mime);
  return {
    ...answered,
    sha256,
    file,
    mime: check.mime,
    ...(check.width !== undefined ? { width: check.width, height: check.height } : {}),
    ...(check.note !== undefined ? { detail: check.note } : {}),
  };
}

/**
 * The row of an image whose request led to a capture another image's row already holds (two
 * spellings of one URL): that row's answer, under this image's own URL and request.
 */
function sameCaptureRow(base: Pick<MediaRow, 'url' | 'key' | 'requestedTs' | 'year'>, same: MediaRow): MediaRow {
  const {
    url: _url,
    key: _key,
    requestedTs: _requested,
    year: _year,
    mementoUrl: _memento,
    fetchedAt: _at,
    ...answer
  } = same;
  const pointer = `the capture ${same.url} was answered with`;
  return { ...answer, ...base, detail: same.detail === undefined ? pointer : `${same.detail}; ${pointer}` };
}

/** The row of a media WARC record (adoption after a kill, restore by rebuild): the live rule. */
function recordRow(store: MediaStore): ClassifyRecord {
  return (answer, requested) => {
    const base = {
      url: requested.original,
      key: imageKey(requested.original),
      requestedTs: requested.timestamp,
      ...(requested.year !== undefined ? { year: requested.year } : {}),
    };
    if ('same' in answer) return sameCaptureRow(base, answer.same);
    const { capture } = answer;
    return answerRow(store, base, {
      timestamp: capture.timestamp,
      original: capture.url,
      status: capture.httpStatus,
      contentType: capture.contentType,
      contentEncoding: capture.contentEncoding,
      payload: capture.payload,
    });
  };
}

/**
 * The media store of `out` restored from the media WARCs of `dir` alone (no network), for
 * `salvage rebuild`: with another `out`, the WARC files are copied there first (evidence is
 * copied, never moved); then every record gives back its row and its image file. Undefined when
 * `dir` has no media WARCs.
 */
export async function restoreMedia(
  dir: string,
  out: string,
): Promise<{ restored: number; damaged: number; counts: MediaCounts } | undefined> {
  const source = join(dir, MEDIA_DIR, MEDIA_CAPTURES_DIR);
  if (!existsSync(source)) return undefined;
  const target = join(out, MEDIA_DIR, MEDIA_CAPTURES_DIR);
  if (resolve(source) !== resolve(target)) {
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(source).filter((n) => /\.warc\.gz$/.test(n)))
      if (!existsSync(join(target, name))) copyFileSync(join(source, name), join(target, name));
  }
  const store = MediaStore.open(out);
  try {
    const restored = await store.restoreFromWarcs(recordRow(store));
    return { restored, damaged: store.damagedStretches, counts: store.counts() };
  } finally {
    store.close();
  }
}

/** Fetch and keep every image of an archive's articles that has no final outcome yet. */
export async function rescueMedia(options: MediaOptions): Promise<MediaSummary> {
  const {
    archiveDir,
    client,
    concurrency = DEFAULT_MEDIA_OPTIONS.concurrency,
    signal,
    onProgress = () => {},
    log = () => {},
  } = options;
  if (!existsSync(join(archiveDir, 'articles')))
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `${archiveDir} has no articles/ folder; is it an archive folder (salvage archive, salvage import)?`,
      { subject: archiveDir },
    );
  const store = MediaStore.open(archiveDir);
  const progress: MediaProgress = {
    articles: 0,
    images: 0,
    alreadyDone: 0,
    stored: 0,
    missing: 0,
    failed: 0,
    fetched: 0,
    adopted: 0,
  };
  // Answers a killed run stored but did not record: recorded now, never fetched again.
  try {
    progress.adopted = await store.adoptUncommitted(recordRow(store));
  } catch (error) {
    store.close();
    throw error;
  }
  const refs = imageRefs(archiveDir, progress);
  let stop: { stop: MediaSummary['stop']; message?: string } | undefined;
  let failure: { error: unknown } | undefined;

  const settle = (row: MediaRow, stored?: { warc: string; offset: number; length: number }): void => {
    store.record(row, stored);
    if (row.outcome === 'stored') progress.stored++;
    else if (row.outcome === 'fetch-failed') progress.failed++;
    else progress.missing++;
    onProgress({ ...progress });
  };

  // Captures one request is fetching now, by time and capture key: a request redirected to the
  // same capture (another spelling of the URL, in flight at once) waits for it instead of
  // fetching it too. A request claims or waits only at its first redirect, and one holding a
  // claim never waits: no two requests can wait for each other.
  const claims = new Map<string, Promise<void>>();
  const one = async (ref: ImageRef): Promise<void> => {
    let claim: { key: string; release: () => void } | undefined;
    let firstRedirect = true;
    const held = async (target: { timestamp: string; original: string }): Promise<boolean> => {
      if (firstRedirect) {
        firstRedirect = false;
        const key = `${target.timestamp} ${captureKey(target.original)}`;
        const pending = claims.get(key);
        if (pending !== undefined) await pending;
        else {
          let release = (): void => {};
          claims.set(key, new Promise<void>((resolve) => (release = resolve)));
          claim = { key, release };
        }
      }
      return store.capturedRow(target.timestamp, target.original) !== undefined;
    };
    try {
      await oneImage(ref, held);
    } finally {
      if (claim !== undefined) {
        claims.delete(claim.key);
        claim.release();
      }
    }
  };

  const oneImage = async (
    ref: ImageRef,
    held: (target: { timestamp: string; original: string }) => Promise<boolean>,
  ): Promise<void> => {
    const base: Pick<MediaRow, 'url' | 'key' | 'requestedTs' | 'year'> = {
      url: ref.url,
      key: ref.key,
      requestedTs: ref.timestamp,
      ...(ref.year !== undefined ? { year: ref.year } : {}),
    };
    let fetched: Awaited<ReturnType<WaybackClient['fetchCaptureUnlessHeld']>>;
    try {
      fetched = await client.fetchCaptureUnlessHeld(ref.timestamp, ref.url, signal, {
        modifier: 'im_',
        closestWindowMs: Infinity,
        // WAYBACK-QUIRK: `www.` and bare, http and https spellings of an image share one SURT key,
        // so the service answers each with the captures of all: a second spelling's request is
        // redirected to a capture the store already holds. It is not fetched again (issue 16:
        // nothing fetched twice); a revisit record notes the request. Test: media.test
        // "spellings of one image that reach one capture fetch it once, even in flight together".
        held,
      });
    } catch (error) {
      if (error instanceof RequestRefusedError) return settle({ ...base, outcome: 'refused', detail: error.message });
      if (error instanceof RetriesExhaustedError) {
        log(`image failed ${ref.url}: ${error.message} (tried again by the next run)`);
        return settle({ ...base, outcome: 'fetch-failed', detail: error.message });
      }
      if (error instanceof WaybackRequestError) {
        const outcome = ANSWER_OUTCOME[error.code] ?? 'fetch-failed';
        return settle({ ...base, outcome, detail: error.message });
      }
      throw error;
    }
    if ('held' in fetched) {
      const same = store.capturedRow(fetched.timestamp, fetched.original)!; // `held` found it just now
      const record = await store.appendRevisit(same, {
        'Salvage-Fetch-Date': new Date().toISOString(),
        ...requestedCaptureHeaders(ref.timestamp, ref.url),
        ...(ref.year !== undefined ? { [ARTICLE_YEAR_HEADER]: ref.year } : {}),
      });
      return settle(sameCaptureRow(base, same), record);
    }
    progress.fetched++;
    const httpHeaders: Record<string, string> = {};
    if (fetched.contentType) httpHeaders['Content-Type'] = fetched.contentType;
    const record = await store.appendCapture({
      url: fetched.original,
      timestamp: fetched.timestamp,
      httpStatus: fetched.status,
      httpHeaders,
      payload: fetched.payload,
      warcHeaders: {
        'WARC-Source-URI': fetched.mementoUrl,
        'Salvage-Fetch-Date': fetched.fetchedAt.toISOString(),
        ...requestedCaptureHeaders(ref.timestamp, ref.url),
        ...(ref.year !== undefined ? { [ARTICLE_YEAR_HEADER]: ref.year } : {}),
      },
    });
    settle(
      answerRow(store, base, {
        timestamp: fetched.timestamp,
        original: fetched.original,
        status: fetched.status,
        contentType: fetched.contentType,
        payload: fetched.payload,
        mementoUrl: fetched.mementoUrl,
        fetchedAt: fetched.fetchedAt.toISOString(),
      }),
      record,
    );
  };

  // Images being asked for now, and images whose fetch failed this run (asked again by the next
  // run, not by the next article that shows them): both bounded, unlike a set of every image met.
  const inFlight = new Set<string>();
  const failedThisRun = new Set<string>();
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop !== undefined || failure !== undefined || signal?.aborted) return;
      const next = await refs.next();
      if (next.done === true) return;
      const { key } = next.value;
      if (inFlight.has(key) || failedThisRun.has(key) || store.isDone(key)) {
        progress.alreadyDone++;
        continue;
      }
      inFlight.add(key);
      try {
        await one(next.value);
        if (!store.isDone(key)) failedThisRun.add(key);
      } catch (error) {
        if (error instanceof WaitLimitError) {
          stop ??= { stop: 'wait-limit', message: error.message };
          return;
        }
        if (signal?.aborted) return;
        // Anything else (a full disk, a bug) ends the run; the other workers stop at their next
        // image, and the store closes only once none is writing.
        failure ??= { error };
        return;
      } finally {
        inFlight.delete(key);
      }
    }
  };

  try {
    await Promise.allSettled(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
    if (failure !== undefined) throw failure.error;
    if (stop === undefined && signal?.aborted) stop = { stop: 'interrupted' };
    const summary: MediaSummary = {
      stop: stop?.stop ?? 'complete',
      progress: { ...progress },
      counts: store.counts(),
    };
    if (stop?.message !== undefined) summary.message = stop.message;
    return summary;
  } finally {
    await refs.return(undefined);
    store.close();
  }
}
