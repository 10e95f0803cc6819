/**
 * The service's politeness enforcement: one sliding-window limit per endpoint family, 429s
 * without Retry-After, and a firewall block for a client that keeps going after 429s.
 */
import type { ResolvedSimulatorOptions } from './options.js';

/** Endpoint families with separate limits (WAYBACK.md, rate limits and blocking). */
export type Family = 'cdx' | 'capture';
export const FAMILIES: readonly Family[] = ['cdx', 'capture'];

/** Length of the CDX window (one minute) and of the capture window (one second), unscaled. */
const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;
/** Each further block lasts twice as long as the one before (edgi wayback issue 137). */
const BLOCK_GROWTH = 2;

/** Request times of the last window, oldest first (a queue over an array). */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Takes a slot at `now` if fewer than `limit` requests were admitted in the last window. */
  tryAcquire(now: number): boolean {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= this.limit) return false;
    this.times.push(now);
    return true;
  }

  clear(): void {
    this.times = [];
    this.head = 0;
  }
}

interface FamilyState {
  window: SlidingWindow;
  /** Time of the first 429 of the current episode of 429s. */
  episodeStart: number | undefined;
  /** Time of the latest 429 sent to this family. */
  last429: number | undefined;
}

/** Rate limits, 429 episodes and block durations; all times in ms of one monotonic clock. */
export class RateLimiter {
  private readonly families: Record<Family, FamilyState>;
  /** persistAfter429Ms divided by timeScale. */
  readonly persistMs: number;
  private readonly firstBlockMs: number;
  private blocks = 0;

  constructor(options: Pick<ResolvedSimulatorOptions, 'limits' | 'timeScale'>) {
    const { limits, timeScale } = options;
    // WAYBACK: CDX (shared with timemap) allows 30 requests per minute per IP and playback about
    // 10 per second (WAYBACK.md, rate limits). Counted over a sliding window of admitted requests.
    const state = (limit: number, windowMs: number): FamilyState => ({
      window: new SlidingWindow(limit, windowMs / timeScale),
      episodeStart: undefined,
      last429: undefined,
    });
    this.families = { cdx: state(limits.cdxPerMinute, MINUTE_MS), capture: state(limits.capturesPerSecond, SECOND_MS) };
    this.persistMs = limits.persistAfter429Ms / timeScale;
    this.firstBlockMs = limits.firstBlockMs / timeScale;
  }

  /** True when the request fits in its family's window (and is counted); false means 429. */
  admit(family: Family, now: number): boolean {
    return this.families[family].window.tryAcquire(now);
  }

  /** True when a request arrives less than persistMs after a 429 of its family: a politeness violation. */
  inPause(family: Family, now: number): boolean {
    const last = this.families[family].last429;
    return last !== undefined && now - last < this.persistMs;
  }

  /**
   * Records a 429 sent to `family` and returns true when the IP must now be blocked.
   * WAYBACK: an IP that keeps sending for more than a minute after 429s is blocked at the firewall
   * (WAYBACK.md, rate limits: Internet Archive staff in edgi wayback issue 137). An episode runs
   * from its first 429 and ends after persistMs without one.
   */
  record429(family: Family, now: number): boolean {
    const state = this.families[family];
    if (state.last429 === undefined || now - state.last429 >= this.persistMs) state.episodeStart = now;
    state.last429 = now;
    return now - state.episodeStart! > this.persistMs; // set just above when undefined
  }

  /**
   * Duration of the block that starts now: one hour (scaled), doubling with each further block
   * (WAYBACK.md, rate limits). Clears every window and episode, as the block ends them.
   */
  startBlock(): number {
    const ms = this.firstBlockMs * BLOCK_GROWTH ** this.blocks;
    this.blocks++;
    for (const family of FAMILIES) {
      const state = this.families[family];
      state.window.clear();
      state.episodeStart = undefined;
      state.last429 = undefined;
    }
    return ms;
  }
}
