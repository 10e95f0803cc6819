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
  MediaStore,
  checkImage,
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
import { archiveFiles, articleImages, parseArchiveFile } from '../markdown/index.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import { join } from 'node:path';

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
  /** Distinct images met so far (the total grows while the files are read). */
  images: number;
  /** Images with an outcome from an earlier run, left alone. */
  alreadyDone: number;
  /** Images this run gave an outcome. */
  stored: number;
  missing: number;
  failed: number;
  /** Requests answered with a memento (the WARC keeps each). */
  fetched: number;
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
  timestamp: string;
  year: string | undefined;
}

/** The images of every article file, each URL once per run (the first article that shows it names the time). */
async function* imageRefs(archiveDir: string, progress: MediaProgress): AsyncGenerator<ImageRef> {
  const seen = new Set<string>();
  for (const { path } of archiveFiles(archiveDir)) {
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
      if (seen.has(image.url)) continue;
      seen.add(image.url);
      progress.images++;
      yield { url: image.url, timestamp: image.timestamp, year: file.date?.slice(0, 4) ?? image.timestamp.slice(0, 4) };
    }
  }
}

/** What a service answer that is no memento means for an image. */
const ANSWER_OUTCOME: Partial<Record<WaybackRequestError['code'], MediaOutcome>> = {
  WAYBACK_NOT_ARCHIVED: 'not-archived',
  WAYBACK_EXCLUDED: 'excluded',
};

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
  };
  const refs = imageRefs(archiveDir, progress);
  let stop: { stop: MediaSummary['stop']; message?: string } | undefined;

  const settle = (row: MediaRow, stored?: { warc: string; offset: number; length: number }): void => {
    store.record(row, stored);
    if (row.outcome === 'stored') progress.stored++;
    else if (row.outcome === 'fetch-failed') progress.failed++;
    else progress.missing++;
    onProgress({ ...progress });
  };

  const one = async (ref: ImageRef): Promise<void> => {
    const base: Pick<MediaRow, 'url' | 'requestedTs' | 'year'> = {
      url: ref.url,
      requestedTs: ref.timestamp,
      ...(ref.year !== undefined ? { year: ref.year } : {}),
    };
    let fetched: Awaited<ReturnType<WaybackClient['fetchCapture']>>;
    try {
      fetched = await client.fetchCapture(ref.timestamp, ref.url, signal, {
        modifier: 'im_',
        closestWindowMs: Infinity,
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
      },
    });
    const answered: MediaRow = {
      ...base,
      outcome: 'stored',
      captureTs: fetched.timestamp,
      status: fetched.status,
      waybackDigest: waybackPayloadDigest(fetched.payload),
      bytes: fetched.payload.length,
      mementoUrl: fetched.mementoUrl,
      fetchedAt: fetched.fetchedAt.toISOString(),
      ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
    };
    if (fetched.status !== 200)
      return settle(
        { ...answered, outcome: 'archived-error', detail: `only an answer with status ${fetched.status} is archived` },
        record,
      );
    const check = checkImage(fetched.payload, fetched.contentType);
    if (!check.ok) return settle({ ...answered, outcome: check.reason, detail: check.detail }, record);
    const { sha256, file } = store.keepFile(fetched.payload, check.mime);
    settle(
      {
        ...answered,
        sha256,
        file,
        mime: check.mime,
        ...(check.width !== undefined ? { width: check.width, height: check.height } : {}),
        ...(check.note !== undefined ? { detail: check.note } : {}),
      },
      record,
    );
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop !== undefined || signal?.aborted) return;
      const next = await refs.next();
      if (next.done === true) return;
      if (store.isDone(next.value.url)) {
        progress.alreadyDone++;
        continue;
      }
      try {
        await one(next.value);
      } catch (error) {
        if (error instanceof WaitLimitError) {
          stop ??= { stop: 'wait-limit', message: error.message };
          return;
        }
        if (signal?.aborted) return;
        throw error;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
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
