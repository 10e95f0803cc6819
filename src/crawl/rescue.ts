/**
 * Rescue a site: discover its captures in the CDX index, try each article's captures in rank
 * order until the extractor accepts one, keep every fetched payload as WARC, and write the
 * archive files. All progress is in the crawl state, so a rerun after any stop resumes.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { extractCapture, type Article, type CaptureInput, type SiteProfile } from '../extract/index.js';
import { articlePath, removeStaleTempFiles, renderArticle, writeFileAtomic } from '../markdown/index.js';
import {
  captureInput,
  CaptureStore,
  CDX_ROW_SKIPPED_EVENT,
  CrawlState,
  recoverCaptures,
  requestedCaptureHeaders,
  STATE_FILE,
  type NewCapture,
  type RecoveryEvent,
  type StoredCapture,
  type Unrecovered,
} from '../store/index.js';
import {
  captureKey,
  cdxRowProblem,
  RequestRefusedError,
  RetriesExhaustedError,
  WaitLimitError,
  WaybackRequestError,
  type CdxQuery,
  type PolitenessEvent,
  type WaybackClient,
} from '../wayback/index.js';
import { SalvageError } from '../errors.js';
import { nonCandidateSummary, rankCaptures } from './select.js';
import type { CdxRow } from '../wayback/index.js';

/** Files of an archive folder besides `articles/` (FORMAT.md leaves their format to us); the state's name is the store's. */
export { STATE_FILE };
export const CAPTURES_DIR = 'captures';
export const COVERAGE_FILE = 'coverage.json';

/** The rescue's defaults, read by the CLI's help. */
export const DEFAULT_RESCUE_OPTIONS = { concurrency: 6 } as const;

export interface RescueOptions {
  site: SiteProfile;
  outDir: string;
  client: WaybackClient;
  /**
   * Articles worked on at once. Default 6. Requests in flight stay bounded by the client's
   * connection pool (3); the extra workers keep the rate limit busy while one waits out a
   * retry back-off or a slow answer.
   */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RescueProgress) => void;
  /** Plain log lines (discovery blocks, unrecovered articles). */
  log?: (line: string) => void;
  /**
   * Lines the user should see: a crawl state moved aside and rebuilt, WARC records adopted,
   * damaged WARC bytes, captures whose stored bytes are gone (fetched again).
   */
  notice?: (line: string) => void;
  /** Rows and captures that could not be used, each with its reason; the run goes on. */
  onEvent?: (event: RescueEvent) => void;
}

/** What the CLI shows (and the state records) about one bad input the run stepped over. */
export type RescueEvent =
  /** A CDX row that is no usable capture (bad timestamp, control characters, absurd values): skipped. */
  | { type: 'cdx-row-skipped'; query: string; index: number; reason: string; text: string }
  /**
   * A capture of an article that will not be fetched: refused locally (absurd URL, body over the
   * cap), or it kept failing while the service answered other requests. The article moves on to
   * its next capture.
   */
  | { type: 'capture-failed'; articleId: number; timestamp: string; original: string; kind: string; reason: string }
  /** A capture kept failing and nothing showed whether the service was at fault: retried once at the end of the run. */
  | { type: 'capture-deferred'; articleId: number; timestamp: string; original: string; reason: string };

/** One line for a recovery event (the file named relative to the archive folder). */
function describeRecovery(e: RecoveryEvent): string {
  const file = `${CAPTURES_DIR}/${e.warc}`;
  switch (e.type) {
    case 'adopted':
      return `${file}: ${e.records} stored captures past what the crawl state knew (from offset ${e.from}) adopted`;
    case 'incomplete':
      return `${file}: a record cut short at offset ${e.offset} (${e.bytes} bytes, an interrupted write) is left in place and skipped; new captures go to a new file`;
    case 'damaged':
      return `${file}: ${e.bytes} damaged bytes at offset ${e.offset} (${e.detail}) are left in place and skipped`;
    case 'bytes-gone':
      return `${file}: ${e.missing ? 'missing' : `${e.size} bytes where ${e.committed} were stored`}; ${e.captures} captures whose bytes are gone will be fetched again`;
  }
}

export interface RescueProgress {
  phase: 'discover' | 'fetch';
  cdxRows: number;
  articles: number;
  done: number;
  written: number;
  unrecovered: number;
  failed: number;
  fetched: number;
  /** CDX rows skipped as malformed in this run (`salvage status` counts every run's). */
  cdxRowsSkipped: number;
}

/**
 * Why a run ended: finished; interrupted by the signal; paused longer than `maxWaitMs`; or the
 * CDX index kept failing (retries exhausted): each but 'complete' resumes with the same command.
 */
export type RescueStop = 'complete' | 'interrupted' | 'wait-limit' | 'unavailable';

export interface RescueSummary {
  stop: RescueStop;
  message?: string;
  progress: RescueProgress;
}

/** The site's article id of a URL as a number (the state's key), or null for non-article URLs. */
function articleIdNumber(site: SiteProfile, url: string): number | null {
  const id = site.articleId(url);
  return id === undefined ? null : Number(id);
}

function toNewCapture(site: SiteProfile, row: CdxRow): NewCapture {
  return {
    key: captureKey(row),
    articleId: articleIdNumber(site, row.original),
    urlkey: row.urlkey,
    timestamp: row.timestamp,
    original: row.original,
    mimetype: row.mimetype,
    statuscode: row.statuscode,
    digest: row.digest,
    length: row.length,
  };
}

/** Render and write an article's file; returns its path (relative to the archive) and SHA-256. */
export async function writeArchiveFile(outDir: string, article: Article): Promise<{ path: string; sha256: string }> {
  const text = renderArticle(article);
  const path = articlePath(article.id);
  await writeFileAtomic(join(outDir, path), text);
  return { path, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * A CDX block that could not be had: retries exhausted (the index keeps failing: stop, resumable)
 * or an answer no retry changes (a blocked site, a 400): a SalvageError with the answer's code,
 * one line for the user.
 */
function cdxFailure(query: CdxQuery, error: unknown): { stop: RescueStop; message: string } | undefined {
  if (error instanceof RetriesExhaustedError) {
    return {
      stop: 'unavailable',
      message: `the CDX index kept failing for ${query.url} (${error.attempts} attempts, last: ${error.lastCause})`,
    };
  }
  if (error instanceof WaybackRequestError && error.code === 'WAYBACK_BLOCKED_SITE') {
    throw new SalvageError(
      error.code,
      `the Wayback Machine blocks ${query.url}: its CDX index answers HTTP 403 (${error.detail}), and no capture of a blocked site can be had`,
      { cause: error, subject: query.url },
    );
  }
  if (error instanceof WaybackRequestError || error instanceof RequestRefusedError) {
    const said =
      error instanceof WaybackRequestError
        ? `HTTP ${error.status}${error.detail ? ` (${error.detail})` : ''}`
        : error.detail;
    throw new SalvageError(error.code, `the CDX index will not list ${query.url}: ${said}`, {
      cause: error,
      subject: query.url,
    });
  }
  return undefined;
}

/** What a capture's final answer makes of it (its kind in the state and in reports). */
const ANSWER_OUTCOME: Readonly<Record<WaybackRequestError['code'], string>> = {
  WAYBACK_BLOCKED_SITE: 'excluded',
  WAYBACK_EXCLUDED: 'excluded',
  WAYBACK_NOT_ARCHIVED: 'not-archived',
  WAYBACK_CLOSEST_TOO_FAR: 'closest-too-far',
  WAYBACK_REDIRECT_LOOP: 'redirect-loop',
  WAYBACK_HTTP_ERROR: 'fetch-refused',
};
/** The outcome that ends an article at once: the service will play none of its URL back. */
const EXCLUDED = 'excluded';

export async function rescue(options: RescueOptions): Promise<RescueSummary> {
  const {
    site,
    outDir,
    client,
    concurrency = DEFAULT_RESCUE_OPTIONS.concurrency,
    signal,
    onProgress,
    log = () => {},
    notice = () => {},
    onEvent = () => {},
  } = options;
  if (!site.rescue)
    throw new SalvageError(
      'SITE_UNKNOWN',
      `salvage does not know how to find ${site.id}'s captures (its site module has no rescue section)`,
    );
  const { cdxQueries, closedAt } = site.rescue;
  // A kill between a temp file and its rename leaves the temp file; the article is redone.
  await removeStaleTempFiles(outDir);
  const state = CrawlState.open(join(outDir, STATE_FILE), site.id, notice);
  let store: CaptureStore;
  try {
    // WARC bytes are never cut: records the state does not know are adopted, damage is reported.
    const recovered = await recoverCaptures(join(outDir, CAPTURES_DIR), state, (e) => notice(describeRecovery(e)));
    // What this run found, for salvage status (each run scans the damaged stretches again).
    state.setWarcDamage(recovered.damaged);
    store = new CaptureStore(join(outDir, CAPTURES_DIR), state.warcSizes());
  } catch (error) {
    state.close();
    throw error;
  }
  const progress: RescueProgress = {
    phase: 'discover',
    cdxRows: 0,
    articles: 0,
    done: 0,
    written: 0,
    unrecovered: 0,
    failed: 0,
    fetched: 0,
    cdxRowsSkipped: 0,
  };
  const report = (): void => onProgress?.({ ...progress });
  state.event({ type: 'run-start', detail: client.baseUrl });
  const recordEvent = (e: PolitenessEvent): void => {
    const ms = e.type === 'retry' ? e.delayMs : e.type === 'unblocked' ? e.blockedMs : e.pauseMs;
    state.event({
      type: e.type,
      ...(e.type !== 'unblocked' ? { family: e.family } : {}),
      ms,
      ...(e.type === 'retry' ? { detail: e.cause } : e.type === 'blocked' ? { detail: e.cause } : {}),
    });
  };
  client.politeness.listeners.add(recordEvent);

  try {
    // 1. Discovery: each query's blocks, the cursor saved with the rows.
    for (const query of cdxQueries) {
      const key = JSON.stringify(query);
      let q = state.queryState(key);
      progress.cdxRows += q.rows;
      while (!q.done) {
        let page;
        try {
          page = await client.cdxPage(query, q.resumeKey, signal);
        } catch (error) {
          const stopped = cdxFailure(query, error);
          if (stopped) return { ...stopped, progress: { ...progress } };
          throw error;
        }
        for (const bad of page.skipped) {
          // One bad row is one skipped row: recorded (status counts them) and shown, never fatal.
          progress.cdxRowsSkipped++;
          state.event({
            type: CDX_ROW_SKIPPED_EVENT,
            detail: `${query.url} row ${bad.index}: ${bad.reason}: ${bad.text}`,
          });
          onEvent({ type: 'cdx-row-skipped', query: query.url, index: bad.index, reason: bad.reason, text: bad.text });
        }
        if (page.resumeKey !== undefined && page.resumeKey === q.resumeKey) {
          throw new SalvageError(
            'CDX_CURSOR_LOOP',
            `the CDX index answered the same resume key twice for ${query.url}; stopping rather than looping`,
          );
        }
        state.addCdxBlock(
          key,
          page.rows.map((r) => toNewCapture(site, r)),
          page.resumeKey,
        );
        progress.cdxRows += page.rows.length;
        log(`cdx ${query.url}: ${page.rows.length} rows (total ${progress.cdxRows})`);
        report();
        q = state.queryState(key);
      }
    }
    state.seedArticles();
    // Stored records no commit named (a crash, a lost state): their captures are not fetched again.
    const linked = state.linkFoundRecords();
    if (linked > 0) notice(`${linked} captures found in the WARC files are not fetched again`);
    const counts = state.articleCounts();
    progress.phase = 'fetch';
    progress.articles = counts.total;
    progress.written = counts.written;
    progress.unrecovered = counts.unrecovered;
    progress.done = progress.written + progress.unrecovered;
    report();

    // 2. Articles, `concurrency` at a time, in id order; the queue is refilled from the state in
    // small batches so memory does not grow with the site.
    let lastId = 0;
    let queue: number[] = [];
    const next = (): number | undefined => {
      if (queue.length === 0) {
        queue = state.pendingArticles(lastId, 256);
        if (queue.length > 0) lastId = queue[queue.length - 1]!;
      }
      return queue.shift();
    };
    let stop: { stop: RescueStop; message?: string } | undefined;
    /** Articles whose capture kept failing with no evidence whose fault it was, and when (successCount) they were put aside. */
    const deferred: number[] = [];
    const deferredMarks = new Map<number, number>();
    const worker = async (take: () => number | undefined = next): Promise<void> => {
      for (let id = take(); id !== undefined && !stop; id = take()) {
        try {
          await rescueArticle(id);
        } catch (error) {
          if (error instanceof WaitLimitError) {
            stop = { stop: 'wait-limit', message: error.message };
            return;
          }
          if (signal?.aborted) {
            stop = { stop: 'interrupted' };
            return;
          }
          throw error;
        }
        report();
      }
    };

    const rescueArticle = async (id: number): Promise<void> => {
      const rows = state.capturesOf(id);
      const ranked = rankCaptures(rows, closedAt, (revisit) => state.capturedAs(revisit.digest));
      const rejected: { timestamp: string; kind: string }[] = [];
      let excluded = false;
      for (const capture of ranked) {
        if (capture.verdict !== null && capture.verdict !== 'ok') {
          rejected.push({ timestamp: capture.timestamp, kind: capture.verdict });
          continue;
        }
        const got = await payloadOf(capture);
        if (got === 'deferred') {
          deferred.push(id);
          return;
        }
        if (got === 'failed') {
          progress.failed++;
          return;
        }
        if (typeof got === 'string') {
          rejected.push({ timestamp: capture.timestamp, kind: got });
          // An excluded URL is excluded at every time: its other captures would only cost requests.
          if (got === EXCLUDED) {
            excluded = true;
            break;
          }
          continue;
        }
        const result = extractCapture(got, site);
        if (!result.ok) {
          state.captureRejected(capture.id, result.reason, result.message);
          rejected.push({ timestamp: capture.timestamp, kind: result.reason });
          continue;
        }
        const file = await writeArchiveFile(outDir, result.article);
        // Decoding warnings (bytes replaced, a declared charset overruled) are the reader's to know.
        for (const warning of result.warnings ?? []) log(`warning ${site.id} ${id}: ${warning}`);
        const fields = JSON.stringify(
          Object.fromEntries(Object.entries(result.layout.evidence).map(([f, e]) => [f, [e.source, e.disagreements]])),
        );
        state.articleWritten({
          id,
          captureId: capture.id,
          path: file.path,
          sha256: file.sha256,
          year: got.timestamp.slice(0, 4),
          layout: { id: result.layout.id, date: result.article.date, fields },
        });
        progress.written++;
        progress.done++;
        return;
      }
      // The kind is what reports group by: every rejection kind of the captures tried, joined by +.
      const tried = rejected.map((r) => `${r.timestamp} ${r.kind}`).join('; ');
      const outcome: Unrecovered =
        ranked.length === 0
          ? { kind: 'no-html-capture', detail: nonCandidateSummary(rows) || 'no captures' }
          : excluded
            ? { kind: EXCLUDED, detail: `the Wayback Machine will not play this URL back (${tried})` }
            : {
                kind: [...new Set(rejected.map((r) => r.kind))].sort().join('+'),
                detail: `every capture rejected (${tried})`,
              };
      state.articleUnrecovered(id, outcome, ranked[0]?.timestamp.slice(0, 4) ?? rows[0]?.timestamp.slice(0, 4) ?? null);
      log(`unrecovered ${site.id} ${id}: ${outcome.kind}: ${outcome.detail}`);
      progress.unrecovered++;
      progress.done++;
    };

    /**
     * The capture's payload: from the WARC when already stored, else fetched and stored first. A
     * string is the kind of a rejected capture, or 'failed' / 'deferred' (see the caller).
     */
    const payloadOf = async (capture: StoredCapture): Promise<CaptureInput | string> => {
      if (capture.warc !== null && capture.warc_offset !== null && capture.warc_length !== null) {
        try {
          const c = await store.read({ warc: capture.warc, offset: capture.warc_offset, length: capture.warc_length });
          return captureInput(c, { url: capture.original, timestamp: capture.timestamp });
        } catch (error) {
          if (!(error instanceof SalvageError)) throw error;
          // The stored bytes are gone or damaged (left as they are): the capture is fetched again.
          state.forgetStored(capture.id);
          notice(`${error.message}; capture ${capture.timestamp} ${capture.original} is fetched again`);
        }
      }
      const articleId = capture.article_id ?? 0;
      const captureFailed = (kind: string, reason: string): string => {
        state.captureRejected(capture.id, kind, reason);
        onEvent({
          type: 'capture-failed',
          articleId,
          timestamp: capture.timestamp,
          original: capture.original,
          kind,
          reason,
        });
        return kind;
      };
      // A row stored by an older salvage that would not pass the CDX checks now: never requested.
      const problem = cdxRowProblem(capture);
      if (problem) return captureFailed('malformed-row', problem);
      let fetched;
      try {
        fetched = await client.fetchCapture(capture.timestamp, capture.original, signal);
      } catch (error) {
        if (error instanceof RequestRefusedError) return captureFailed(error.kind, error.message);
        if (error instanceof RetriesExhaustedError) {
          // This URL kept failing. When the service answered other requests meanwhile (or since
          // this article was deferred) and nothing service-wide happened, the fault is this
          // capture's: it fails, and the article moves on to its next capture.
          const mark = deferredMarks.get(articleId);
          if (
            !error.evidence.troubleDuring &&
            client.politeness.successCount > (mark ?? error.evidence.successesBefore)
          ) {
            return captureFailed('fetch-failed', error.message);
          }
          state.captureError(capture.id, error.message);
          if (mark === undefined) {
            // No evidence either way (nothing else was asked meanwhile): once more at the end of the run.
            deferredMarks.set(articleId, client.politeness.successCount);
            onEvent({
              type: 'capture-deferred',
              articleId,
              timestamp: capture.timestamp,
              original: capture.original,
              reason: error.message,
            });
            return 'deferred';
          }
          // Left pending: the service itself seems to be failing; the next run tries this article again.
          log(`failed ${site.id} ${capture.article_id}: ${error.message} (will be retried by the next run)`);
          return 'failed';
        }
        if (error instanceof WaybackRequestError) {
          // Said by the service, final, and no memento: the state keeps it, the WARC does not.
          const kind = ANSWER_OUTCOME[error.code];
          state.captureRejected(capture.id, kind, error.message);
          return kind;
        }
        throw error;
      }
      const redirected = fetched.redirects.length > 0;
      const timestamp = redirected ? fetched.timestamp : capture.timestamp;
      const url = redirected ? fetched.original : capture.original;
      const httpHeaders: Record<string, string> = {};
      if (fetched.contentType) httpHeaders['Content-Type'] = fetched.contentType;
      const record = await store.append({
        url,
        timestamp,
        httpStatus: fetched.status,
        httpHeaders,
        payload: fetched.payload,
        warcHeaders: {
          'WARC-Source-URI': fetched.mementoUrl,
          'Salvage-Fetch-Date': fetched.fetchedAt.toISOString(),
          ...requestedCaptureHeaders(capture.timestamp, capture.original),
        },
      });
      // Same turn as the write (see CaptureStore.append): committed, or adopted on the next open.
      state.captureStored({
        id: capture.id,
        warc: record.warc,
        offset: record.offset,
        length: record.length,
        fetchedAt: fetched.fetchedAt.toISOString(),
        mementoUrl: fetched.mementoUrl,
      });
      progress.fetched++;
      return {
        payload: fetched.payload,
        url,
        timestamp,
        httpStatus: fetched.status,
        ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
      };
    };

    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    // The deferred articles, once more: by now other requests have shown whether the service works.
    const again = deferred.splice(0);
    if (!stop && !signal?.aborted && again.length > 0) {
      // Nothing was asked since the last deferral (it was the run's last article): one small CDX
      // lookup tells whether the service answers at all. Its failure proves nothing either way.
      if ([...deferredMarks.values()].some((mark) => mark >= client.politeness.successCount)) {
        const probe = cdxQueries[0];
        if (probe)
          await client.cdxPage({ url: probe.url, matchType: 'exact' }, undefined, signal).catch((error: unknown) => {
            if (error instanceof WaitLimitError || signal?.aborted) throw error;
          });
      }
      await Promise.all(Array.from({ length: concurrency }, () => worker(() => again.shift())));
    }
    if (!stop && signal?.aborted) stop = { stop: 'interrupted' };
    state.event({ type: 'run-end', detail: stop?.stop ?? 'complete' });
    return {
      stop: stop?.stop ?? 'complete',
      ...(stop?.message ? { message: stop.message } : {}),
      progress: { ...progress },
    };
  } catch (error) {
    if (error instanceof WaitLimitError)
      return { stop: 'wait-limit', message: error.message, progress: { ...progress } };
    if (signal?.aborted) return { stop: 'interrupted', progress: { ...progress } };
    throw error;
  } finally {
    client.politeness.listeners.delete(recordEvent);
    store.close();
    state.close();
  }
}
