/** What the simulator saw and did, for tests and benchmarks to judge a client by. */
import { FAULT_TYPES, type FaultType } from './faults.js';

/** Request family: `/cdx/…`, `/web/…`, anything else (`/__sim/…` is not counted). */
export type RequestFamily = 'cdx' | 'capture' | 'other';

/** Counters since start or the last `resetStats()`; plain JSON. */
export interface SimStats {
  /** Requests received, by family (including those answered 429, 400 or with a fault). */
  requests: Record<RequestFamily, number>;
  /** Responses started, by HTTP status ("200", "429", …); resets mid-body are counted too. */
  responses: Record<string, number>;
  /** 429 answers sent: over the limit, plus spurious ones of the fault profile (also in `faultsInjected`). */
  tooManyRequests: number;
  /** Firewall blocks started and their total planned duration in real (scaled) ms. */
  blocks: { count: number; totalMs: number };
  /** TCP connections accepted (keep-alive reuse keeps this low). */
  connectionsOpened: number;
  /**
   * Connection attempts destroyed during a block. Counted in blockMode 'reset' only: in
   * 'refuse' the port is closed and the kernel refuses them unseen.
   */
  refusedConnections: number;
  /** Successful (2xx/3xx, fully sent) exact replays per `timestamp + ' ' + original`. */
  captureFetches: Record<string, number>;
  /** The largest value in `captureFetches` (1 = no capture fetched twice). */
  maxCaptureFetches: number;
  /**
   * Politeness violations: requests of a family that arrived less than
   * persistAfter429Ms / timeScale after a 429 of that family.
   */
  requestsDuringPause: { cdx: number; capture: number };
  /** Faults injected, by type (`outage` counts requests answered during the outage). */
  faultsInjected: Record<FaultType, number>;
  /** Requests that met a `urlFaults` entry, by its `contains`. */
  urlFaultsInjected: Record<string, number>;
}

export function emptyStats(): SimStats {
  return {
    requests: { cdx: 0, capture: 0, other: 0 },
    responses: {},
    tooManyRequests: 0,
    blocks: { count: 0, totalMs: 0 },
    connectionsOpened: 0,
    refusedConnections: 0,
    captureFetches: {},
    maxCaptureFetches: 0,
    requestsDuringPause: { cdx: 0, capture: 0 },
    faultsInjected: Object.fromEntries(FAULT_TYPES.map((t) => [t, 0])) as Record<FaultType, number>,
    urlFaultsInjected: {},
  };
}

/** Counts a response status. */
export function countResponse(stats: SimStats, status: number): void {
  const key = String(status);
  stats.responses[key] = (stats.responses[key] ?? 0) + 1;
  if (status === 429) stats.tooManyRequests++;
}

/** Counts a successful replay of one capture. */
export function countCaptureFetch(stats: SimStats, captureKey: string): void {
  const n = (stats.captureFetches[captureKey] ?? 0) + 1;
  stats.captureFetches[captureKey] = n;
  if (n > stats.maxCaptureFetches) stats.maxCaptureFetches = n;
}

/** A deep copy, so callers can keep it while the simulator goes on counting. */
export const snapshotStats = (stats: SimStats): SimStats => structuredClone(stats);
