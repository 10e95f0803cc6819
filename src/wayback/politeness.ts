/**
 * The politeness rules, shared by every request of the process: one rate limiter per endpoint
 * family, one pause that stops every worker, and the block and outage logic. A user whose IP gets
 * blocked has lost an hour or more, so every rule errs on the side of waiting.
 */
import { systemClock, type Clock } from './clock.js';
import { SalvageError } from '../errors.js';

/** Endpoint families with separate limits (WAYBACK.md, "Rate limits and blocking"). */
export type Family = 'cdx' | 'capture';

export interface PolitenessOptions {
  /**
   * CDX requests per minute. Default 24: 80% of the 30 per minute per IP that CDX and timemap
   * share (edgi-govdata-archiving/wayback issue 206 / PR 208 set 80% at the Archive's request).
   */
  cdxPerMinute?: number;
  /** Capture (playback) requests per second. Default 8: edgi's default, 80% of the hard limit. */
  capturesPerSecond?: number;
  /**
   * First pause of every worker after an HTTP 429. Default 60 s: the service blocks an IP at the
   * firewall when it keeps sending for more than a minute after 429s (Internet Archive staff in
   * edgi issue 137), and its 429s carry no Retry-After. Doubles for each 429 that follows
   * without a success between, up to `maxPauseMs`.
   */
  pauseAfter429Ms?: number;
  /** Longest single pause after 429s or server errors. Default 30 min. */
  maxPauseMs?: number;
  /**
   * First wait after a refused connection: a firewall block (an hour, doubling per repeat), not a
   * server problem. Default 10 min, then one gentle probe; doubles per failed probe up to
   * `maxBlockPauseMs` (default 60 min).
   */
  blockPauseMs?: number;
  maxBlockPauseMs?: number;
  /**
   * Different URLs whose connections timed out or were reset, with no success in between, taken
   * as a block. Default 3: one is a network hiccup, and one URL failing again and again is a
   * problem of that capture (a huge body, an absurd URL), not of the service.
   */
  failuresForBlock?: number;
  /**
   * Different URLs answered with a server error (5xx), with no success in between, taken as an
   * outage: every worker pauses. Default 5. Repeats of one URL never count twice.
   */
  serverErrorsForOutage?: number;
  /** Total pause time a run accepts before it stops cleanly (it can be resumed). Default 6 h. */
  maxWaitMs?: number;
  /**
   * Divides every wait and multiplies every rate. Default 1. For rehearsals against the local
   * simulator, which scales its limits by the same factor; never for the real service.
   */
  timeScale?: number;
  clock?: Clock;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
  /** Every pause, block and recovery, for the progress display and the state database. */
  onEvent?: (event: PolitenessEvent) => void;
}

export type PolitenessEvent =
  | { type: 'rate-limited'; family: Family; pauseMs: number }
  | { type: 'outage'; family: Family; pauseMs: number; serverErrors: number }
  | { type: 'blocked'; family: Family; pauseMs: number; cause: ConnectionFailure }
  | { type: 'unblocked'; blockedMs: number }
  | { type: 'retry'; family: Family; delayMs: number; cause: string };

export type ConnectionFailure = 'refused' | 'timeout' | 'reset';

export const DEFAULT_POLITENESS = {
  cdxPerMinute: 24,
  capturesPerSecond: 8,
  pauseAfter429Ms: 60_000,
  maxPauseMs: 30 * 60_000,
  blockPauseMs: 10 * 60_000,
  maxBlockPauseMs: 60 * 60_000,
  failuresForBlock: 3,
  serverErrorsForOutage: 5,
  maxWaitMs: 6 * 3600_000,
  timeScale: 1,
} as const;

/** The run has been paused for longer than `maxWaitMs`: stop now, resume later. */
export class WaitLimitError extends SalvageError {
  override readonly name = 'WaitLimitError';
  constructor(
    readonly waitedMs: number,
    readonly maxWaitMs: number,
    readonly lastCause: string,
  ) {
    super(
      'WAIT_LIMIT',
      `paused for ${Math.round(waitedMs / 1000)} s in total (limit ${Math.round(maxWaitMs / 1000)} s, last cause: ${lastCause})`,
    );
  }
}

/** Counters for `salvage status`. */
export interface PolitenessStats {
  requests: Record<Family, number>;
  rateLimited: number;
  serverErrors: number;
  connectionFailures: number;
  retries: number;
  blocks: number;
  /** Time every worker spent paused (429s, outages, blocks), in milliseconds of this clock (a rehearsal's are scaled, like every wait). */
  pausedMs: number;
  blockedMs: number;
}

/** Least spacing of two requests of a family, as a fraction of the rate's interval (see `slot`). */
const MIN_GAP_FRACTION = 0.5;

/** Per-request retry delay for transient failures: exponential, capped, with ±50% jitter. */
export const RETRY_BASE_MS = 2_000;
export const RETRY_CAP_MS = 120_000;

/** `promise`, or the signal's reason if it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class Politeness {
  private readonly o: Required<Omit<PolitenessOptions, 'onEvent' | 'clock' | 'random'>>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly onEventOption: ((e: PolitenessEvent) => void) | undefined;
  private readonly interval: Record<Family, number>;
  private readonly nextSlot: Record<Family, number> = { cdx: -Infinity, capture: -Infinity };
  private readonly lastGrant: Record<Family, number> = { cdx: -Infinity, capture: -Infinity };
  private pausedUntil = -Infinity;
  private lastCause = '';
  private streak429 = 0;
  private outageStreak = 0;
  /**
   * URLs that failed since the last success: a service-wide conclusion needs several different
   * ones. A request that reports no URL counts as a new one each time.
   */
  private readonly serverErrorUrls = new Set<string>();
  private readonly failingUrls = new Set<string>();
  private anonymousFailures = 0;
  private successes = 0;
  private troubles = 0;
  /** While blocked, requests go one at a time: the first after a pause is the probe. */
  private blockedSince: number | undefined;
  private blockPause = 0;
  private probe: Promise<void> | undefined;
  private releaseProbe: (() => void) | undefined;
  /** Listeners besides `onEvent` (the crawl records events in its state). */
  readonly listeners = new Set<(event: PolitenessEvent) => void>();
  readonly stats: PolitenessStats = {
    requests: { cdx: 0, capture: 0 },
    rateLimited: 0,
    serverErrors: 0,
    connectionFailures: 0,
    retries: 0,
    blocks: 0,
    pausedMs: 0,
    blockedMs: 0,
  };

  constructor(options: PolitenessOptions = {}) {
    const { clock = systemClock, random = Math.random, onEvent, ...rest } = options;
    this.o = { ...DEFAULT_POLITENESS, ...rest };
    for (const [k, v] of Object.entries(this.o)) {
      if (typeof v !== 'number' || !(v > 0))
        throw new RangeError(`politeness option ${k} must be a positive number, got ${String(v)}`);
    }
    this.clock = clock;
    this.random = random;
    this.onEventOption = onEvent;
    this.interval = {
      cdx: 60_000 / this.o.cdxPerMinute / this.o.timeScale,
      capture: 1000 / this.o.capturesPerSecond / this.o.timeScale,
    };
  }

  private emit(event: PolitenessEvent): void {
    this.onEventOption?.(event);
    for (const listener of this.listeners) listener(event);
  }

  private scaled(ms: number): number {
    return ms / this.o.timeScale;
  }

  /** Wait until a request of this family may be sent; every request calls this first. */
  async slot(family: Family, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.stats.pausedMs > this.scaled(this.o.maxWaitMs))
        throw new WaitLimitError(this.stats.pausedMs, this.scaled(this.o.maxWaitMs), this.lastCause);
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now, signal);
        continue;
      }
      let probing = false;
      if (this.blockedSince !== undefined) {
        // WAYBACK: a blocked IP is probed with one request at a time; a burst of probes would only
        // look like the behaviour that caused the block.
        if (this.probe) {
          await abortable(this.probe, signal);
          continue;
        }
        this.probe = new Promise<void>((resolve) => {
          this.releaseProbe = resolve;
        });
        probing = true;
      }
      const at = Math.max(now, this.nextSlot[family]);
      this.nextSlot[family] = at + this.interval[family];
      try {
        if (at > now) await this.clock.sleep(at - now, signal);
      } catch (error) {
        if (probing) this.endProbe();
        throw error;
      }
      // A 429 may have arrived while this request waited for its slot: then it waits again.
      if (this.clock.now() < this.pausedUntil) {
        if (probing) this.endProbe();
        continue;
      }
      // Timers fire late when the process is busy, and slots reserved a moment apart would then
      // leave together: a burst the service's window counts. Late requests keep at least half an
      // interval apart, catching up on their schedule without bunching (measured: 29 429s in a
      // 49k-article rehearsal without this, at 80% of the limit).
      const gap = this.lastGrant[family] + this.interval[family] * MIN_GAP_FRACTION - this.clock.now();
      if (gap > 0) {
        try {
          await this.clock.sleep(gap, signal);
        } catch (error) {
          if (probing) this.endProbe();
          throw error;
        }
        if (this.clock.now() < this.pausedUntil) {
          if (probing) this.endProbe();
          continue;
        }
      }
      this.lastGrant[family] = this.clock.now();
      this.stats.requests[family]++;
      return;
    }
  }

  /**
   * The request ended without telling anything about the service (aborted, or failed on our
   * side): the next request may probe. Every `slot()` ends in exactly one report or this.
   */
  release(): void {
    this.endProbe();
  }

  private endProbe(): void {
    const release = this.releaseProbe;
    this.probe = undefined;
    this.releaseProbe = undefined;
    release?.();
  }

  private pauseAll(ms: number, cause: string): void {
    this.troubles++;
    const now = this.clock.now();
    const until = now + ms;
    if (until > this.pausedUntil) {
      this.stats.pausedMs += until - Math.max(now, this.pausedUntil);
      this.pausedUntil = until;
    }
    this.lastCause = cause;
  }

  /** The request got an answer that was not an error of the service: streaks end. */
  succeeded(): void {
    this.successes++;
    this.streak429 = 0;
    this.serverErrorUrls.clear();
    this.outageStreak = 0;
    this.failingUrls.clear();
    if (this.blockedSince !== undefined) {
      const blockedMs = this.clock.now() - this.blockedSince;
      this.stats.blockedMs += blockedMs;
      this.blockedSince = undefined;
      this.blockPause = 0;
      this.emit({ type: 'unblocked', blockedMs });
    }
    this.endProbe();
  }

  /** HTTP 429: every worker pauses, longer for each 429 in a row. */
  rateLimited(family: Family): void {
    this.stats.rateLimited++;
    const pauseMs = this.scaled(Math.min(this.o.pauseAfter429Ms * 2 ** this.streak429, this.o.maxPauseMs));
    this.streak429++;
    this.pauseAll(pauseMs, 'HTTP 429 (too many requests)');
    this.endProbe();
    this.emit({ type: 'rate-limited', family, pauseMs });
  }

  /**
   * Successful answers so far. A request that keeps failing compares it before and after: when
   * it grew, the service answered others meanwhile, and the failure belongs to this URL.
   */
  get successCount(): number {
    return this.successes;
  }

  /**
   * Service-wide pauses so far (429s, outages, blocks). A request whose failures overlap one
   * cannot tell its own problem from the service's.
   */
  get troubleCount(): number {
    return this.troubles;
  }

  /** Adds `url` to a set of failing URLs; true when it was not in it (a new piece of evidence). */
  private newFailure(set: Set<string>, url: string | undefined): boolean {
    const key = url ?? `\u0000anonymous ${this.anonymousFailures++}`;
    if (set.has(key)) return false;
    set.add(key);
    return true;
  }

  /**
   * HTTP 5xx (or a page of the service instead of an answer) for `url`. Returns how long this
   * request should wait before its retry. Server errors of several different URLs in a row are
   * an outage: every worker pauses, growing. One URL failing again and again is retried with
   * back-off, and never pauses the others.
   */
  serverError(family: Family, attempt: number, status: number, url?: string): number {
    this.stats.serverErrors++;
    const isNew = this.newFailure(this.serverErrorUrls, url);
    if (isNew && this.serverErrorUrls.size >= this.o.serverErrorsForOutage) {
      const pauseMs = this.scaled(Math.min(30_000 * 2 ** this.outageStreak, this.o.maxPauseMs));
      this.outageStreak++;
      this.serverErrorUrls.clear();
      this.pauseAll(
        pauseMs,
        `HTTP ${status} from the service for ${this.o.serverErrorsForOutage} different requests in a row (an outage)`,
      );
      this.emit({ type: 'outage', family, pauseMs, serverErrors: this.o.serverErrorsForOutage });
    }
    this.endProbe();
    return this.retryDelay(family, attempt, `HTTP ${status}`);
  }

  /**
   * The connection to `url` failed. Refused means a firewall block (WAYBACK.md: a block looks like
   * ECONNREFUSED or timeouts, not HTTP); timeouts and resets count as one only when several
   * different URLs fail in a row. A URL that already failed since the last success adds no
   * evidence: its timeouts are its own (a huge body, a URL the front end drops), and outside a
   * block they are retried with back-off like a 5xx. While blocked, every failed probe waits out
   * another pause; only a refusal or a new URL failing makes the pause grow.
   * Returns how long this request should wait before its retry.
   */
  connectionFailed(family: Family, attempt: number, cause: ConnectionFailure, url?: string): number {
    this.stats.connectionFailures++;
    const isNew = this.newFailure(this.failingUrls, url);
    if (
      cause === 'refused' ||
      this.blockedSince !== undefined ||
      (isNew && this.failingUrls.size >= this.o.failuresForBlock)
    ) {
      if (this.blockedSince === undefined) {
        this.blockedSince = this.clock.now();
        this.stats.blocks++;
      }
      const grows = cause === 'refused' || isNew;
      this.blockPause =
        this.blockPause === 0
          ? this.o.blockPauseMs
          : grows
            ? Math.min(this.blockPause * 2, this.o.maxBlockPauseMs)
            : this.blockPause;
      const pauseMs = this.scaled(this.blockPause);
      this.pauseAll(
        pauseMs,
        `connections ${cause === 'refused' ? 'refused' : `failing (${cause})`}: the IP looks blocked`,
      );
      this.endProbe();
      this.emit({ type: 'blocked', family, pauseMs, cause });
      return 0;
    }
    this.endProbe();
    return this.retryDelay(family, attempt, `connection ${cause}`);
  }

  private retryDelay(family: Family, attempt: number, cause: string): number {
    this.stats.retries++;
    const delayMs = this.scaled(Math.min(RETRY_BASE_MS * 2 ** attempt, RETRY_CAP_MS) * (0.5 + this.random()));
    this.emit({ type: 'retry', family, delayMs, cause });
    return delayMs;
  }

  /** Sleep for a retry delay (counted as a pause only for this request). */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal);
  }

  /** True while the service refuses connections. */
  get blocked(): boolean {
    return this.blockedSince !== undefined;
  }
}
