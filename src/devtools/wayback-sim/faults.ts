/**
 * Seeded fault injection. Each request's fault is a pure function of (seed, method + path +
 * query, attempt number of that key), so the same seed and the same request sequence give the
 * same faults, and a key is never faulted more than MAX_FAULTS_IN_A_ROW times in a row: a client
 * that retries correctly always gets the data, and faults never change it.
 */
import { createHash } from 'node:crypto';
import type { ResolvedFaultRates } from './options.js';
import type { Family } from './rate-limit.js';

/** Every kind of injected fault, as counted in SimStats.faults. */
export const FAULT_TYPES = [
  'serverError',
  'reset',
  'slow',
  'truncatedJson',
  'lyingGzip',
  'spurious429',
  'outage',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** The fault drawn for one request. */
export interface FaultDecision {
  type: FaultType | 'none';
  /** HTTP status of a serverError or outage answer. */
  status: number;
  /** Delay before the headers of a slow answer, already divided by timeScale. */
  delayMs: number;
  /** Share of the body sent before a reset or kept by a truncated JSON answer, in (0, 1). */
  cutFraction: number;
}

/** A retried key succeeds at the latest on its fourth attempt. */
export const MAX_FAULTS_IN_A_ROW = 3;
/** Statuses of server errors: nginx in front of an overloaded or restarting backend. */
const SERVER_ERROR_STATUSES = [502, 503, 504] as const;
/** Statuses during an outage (Oct 2024: "Temporarily Offline" pages and gateway errors). */
const OUTAGE_STATUSES = [503, 502] as const;
/** A slow answer waits 2–8 s before its headers (unscaled): long enough to trip a short timeout. */
const SLOW_MIN_MS = 2_000;
const SLOW_SPAN_MS = 6_000;
/** Cuts keep 20–80% of the body, so both the headers and some content arrive. */
const CUT_MIN = 0.2;
const CUT_SPAN = 0.6;
const UINT32 = 2 ** 32;

const NONE: FaultDecision = { type: 'none', status: 0, delayMs: 0, cutFraction: 1 };

interface KeyState {
  attempts: number;
  faultsInARow: number;
}

export class FaultPlanner {
  private readonly keys = new Map<string, KeyState>();
  private requests = 0;
  private outageStart: number | undefined;

  constructor(
    private readonly rates: ResolvedFaultRates,
    private readonly seed: string,
    private readonly timeScale: number,
  ) {}

  /** Two independent uniforms in [0, 1) from the parts (SHA-256, so keys never collide in practice). */
  private uniforms(...parts: (string | number)[]): [number, number] {
    const digest = createHash('sha256').update(parts.join('\u0001')).digest();
    return [digest.readUInt32BE(0) / UINT32, digest.readUInt32BE(4) / UINT32];
  }

  /**
   * Counts a CDX or capture request and tells whether it falls in the outage window.
   * WAYBACK: whole-service outages happen (400s/503s and "0 snapshots" for about a week in Oct
   * 2024: WAYBACK.md, rate limits; wayback-machine-downloader issues 307, 308). One window of
   * `durationMs / timeScale` opens once `afterRequests` requests have arrived.
   */
  outage(now: number): FaultDecision | undefined {
    this.requests++;
    const outage = this.rates.outage;
    if (outage === null || this.requests <= outage.afterRequests) return undefined;
    this.outageStart ??= now;
    if (now - this.outageStart >= outage.durationMs / this.timeScale) return undefined;
    const [u] = this.uniforms(this.seed, 'outage', this.requests);
    return { ...NONE, type: 'outage', status: OUTAGE_STATUSES[Math.floor(u * OUTAGE_STATUSES.length)]! };
  }

  /**
   * Draws the fault of one request. `json` says whether a truncated-JSON fault can apply (CDX
   * with output=json); lying gzip is drawn for every capture request and applied by the server
   * to exact replays only. Call `settle` with what was actually applied.
   */
  decide(family: Family, key: string, json: boolean): FaultDecision {
    const state = this.keys.get(key) ?? { attempts: 0, faultsInARow: 0 };
    this.keys.set(key, state);
    state.attempts++;
    if (state.faultsInARow >= MAX_FAULTS_IN_A_ROW) return NONE;
    const [u, v] = this.uniforms(this.seed, key, state.attempts);
    const r = this.rates;
    const cutFraction = CUT_MIN + v * CUT_SPAN;
    // WAYBACK: 5xx answers, reset connections and stalls happen without any rate limit being
    // hit, and are retried with backoff (WAYBACK.md, "What this means for salvage"); a 429 can come
    // early, since the real limits are not published exactly (WAYBACK.md, rate limits).
    let edge = r.serverError;
    if (u < edge)
      return {
        ...NONE,
        type: 'serverError',
        status: SERVER_ERROR_STATUSES[Math.floor(v * SERVER_ERROR_STATUSES.length)]!,
      };
    if (u < (edge += r.reset)) return { ...NONE, type: 'reset', cutFraction };
    if (u < (edge += r.slow))
      return { ...NONE, type: 'slow', delayMs: (SLOW_MIN_MS + v * SLOW_SPAN_MS) / this.timeScale };
    if (u < (edge += r.spurious429)) return { ...NONE, type: 'spurious429', status: 429 };
    if (family === 'cdx' && json && u < (edge += r.truncatedJson))
      return { ...NONE, type: 'truncatedJson', cutFraction };
    if (family === 'capture' && u < (edge += r.lyingGzip)) return { ...NONE, type: 'lyingGzip' };
    return NONE;
  }

  /** Records whether a fault was applied to `key`, which ends or extends its run of faults. */
  settle(key: string, faulted: boolean): void {
    const state = this.keys.get(key);
    if (state === undefined) return;
    state.faultsInARow = faulted ? state.faultsInARow + 1 : 0;
  }
}
