/** Options of the Wayback simulator, their defaults and the named fault profiles. */
import { isIP } from 'node:net';
import { SalvageError } from '../../errors.js';

/**
 * Probabilities of the per-request faults, each in [0, 1]; at most one fault is drawn per request,
 * so the probabilities of one family (see each field) must add up to at most 1. Every field
 * defaults to 0.
 */
export interface FaultRates {
  /** HTTP 502, 503 or 504 with an nginx-like HTML page. CDX and captures. */
  serverError?: number;
  /** Headers and part of the body sent, then the connection is destroyed. CDX and captures. */
  reset?: number;
  /** A delay of 2–8 s (divided by `timeScale`) before the headers; the answer is correct. CDX and captures. */
  slow?: number;
  /** A complete HTTP answer whose CDX JSON body is cut short. CDX with `output=json` only. */
  truncatedJson?: number;
  /** The replay body gzipped without `Content-Encoding`. Exact capture replays only. */
  lyingGzip?: number;
  /** HTTP 429 although the rate limit was not reached. CDX and captures. */
  spurious429?: number;
  /**
   * One outage window: every CDX and capture request gets a 503 or 502 HTML page for
   * `durationMs` (divided by `timeScale`) once `afterRequests` requests have arrived. Default: none.
   */
  outage?: { afterRequests: number; durationMs: number };
}

/** A named fault profile, or explicit rates. */
export type FaultProfile = 'none' | 'default' | 'storm';

/** Service limits; every window and duration is divided by `timeScale`. */
export interface SimulatorLimits {
  /**
   * CDX requests per sliding minute. Default 30: CDX and timemap share 30 per minute per IP
   * (WAYBACK.md, rate limits: edgi wayback issue 206 / PR 208).
   */
  cdxPerMinute?: number;
  /** Capture (`/web/…`) requests per sliding second. Default 10: edgi's 8/s is 80% of it (WAYBACK.md). */
  capturesPerSecond?: number;
  /** First firewall block. Default 3,600,000 ms (one hour), doubling with each further block (edgi issue 137). */
  firstBlockMs?: number;
  /**
   * How long a family may keep receiving 429s before the IP is blocked; also the gap without
   * 429s that ends an episode, and the pause after a 429 whose violations the stats count.
   * Default 60,000 ms ("more than a minute", edgi issue 137).
   */
  persistAfter429Ms?: number;
  /**
   * Rows after which a CDX query without `showResumeKey` stops silently, and the page size of
   * one with it when `limit` is absent or larger. Default 150,000 (WAYBACK.md, paging). Tests lower it.
   */
  cdxMaxRows?: number;
}

/**
 * How a block looks to a client. `refuse` (default): the listening socket is closed and open
 * connections are destroyed for the block's duration, then the server listens again on the same
 * port, so connections fail with ECONNREFUSED as behind the real firewall; attempts cannot be
 * counted. `reset`: the server keeps listening and destroys every new connection at once (the
 * client sees ECONNRESET), which lets `refusedConnections` count them.
 */
export type BlockMode = 'refuse' | 'reset';

export interface SimulatorOptions {
  /** The site directory (`cdx.jsonl`, `bodies/`), as ../shared/tools/hkcnews-site writes it. Required. */
  siteDir: string;
  /** Interface to listen on. Default '127.0.0.1'. Only loopback addresses are accepted. */
  host?: string;
  /** TCP port. Default 0: an ephemeral port (read it from `url`). */
  port?: number;
  /**
   * Time compression. Default 1. Every limit window, block, outage and slow-response delay is
   * divided by it: 30 CDX requests per minute at scale 10 allow 300 per real minute, and a
   * one-hour block lasts 6 minutes.
   */
  timeScale?: number;
  /** Injected faults: a profile or explicit rates. Default 'none'. See `FAULT_PROFILES`. */
  faults?: FaultProfile | FaultRates;
  /** Seeds every fault decision: same seed and same request sequence ⇒ same faults. Default 'wayback-sim'. */
  seed?: string | number;
  /** Service limits; see `SimulatorLimits` for each default. */
  limits?: SimulatorLimits;
  /** How blocks look. Default 'refuse'. See `BlockMode`. */
  blockMode?: BlockMode;
  /** Faults of single URLs, applied on every attempt. Default none. See `UrlFault`. */
  urlFaults?: readonly UrlFault[];
}

/**
 * A fault of one URL, whatever else happens: every CDX or capture request whose target (path and
 * query) contains `contains` gets it, on every attempt, while every other request is answered.
 * `reset`: the connection is destroyed before any answer. `hang`: no answer ever (the client's
 * timeout ends it). `huge`: a 200 replay (with Memento-Datetime) whose body streams without end
 * (up to HUGE_BODY_MAX_BYTES) until the client hangs up. For the tests of "one bad capture is
 * not an IP block" (issue 12).
 */
export interface UrlFault {
  contains: string;
  fault: UrlFaultKind;
}

/**
 * Every URL fault. Besides the three above, the answers of real recordings (WAYBACK.md "Answers
 * seen in real recordings", issue 14): `excluded`: 200 without Memento-Datetime, "Sorry. This URL
 * has been excluded from the Wayback Machine."; `blocked`: 403 naming
 * AdministrativeAccessControlException ("Blocked Site Error"), CDX or capture; `not-archived`: the
 * service's own 404 page without Memento-Datetime, though the index lists the capture;
 * `wrong-encoding`: the replay with `Content-Encoding: gzip` over bytes that are not gzip;
 * `closest`: a closest-capture redirect (302, X-Archive-Redirect-Reason, no Memento-Datetime) to
 * the nearest other capture of the URL, as when the exact capture cannot be played back.
 */
export const URL_FAULT_KINDS = [
  'reset',
  'hang',
  'huge',
  'excluded',
  'blocked',
  'not-archived',
  'wrong-encoding',
  'closest',
] as const;
export type UrlFaultKind = (typeof URL_FAULT_KINDS)[number];

/** Fault rates after resolving a profile: every field present, the outage seeded. */
export interface ResolvedFaultRates {
  serverError: number;
  reset: number;
  slow: number;
  truncatedJson: number;
  lyingGzip: number;
  spurious429: number;
  outage: { afterRequests: number; durationMs: number } | null;
}

export interface ResolvedSimulatorOptions {
  siteDir: string;
  host: string;
  port: number;
  timeScale: number;
  faults: ResolvedFaultRates;
  seed: string;
  limits: Required<SimulatorLimits>;
  blockMode: BlockMode;
  urlFaults: readonly UrlFault[];
}

export const DEFAULT_LIMITS: Readonly<Required<SimulatorLimits>> = {
  cdxPerMinute: 30,
  capturesPerSecond: 10,
  firstBlockMs: 3_600_000,
  persistAfter429Ms: 60_000,
  cdxMaxRows: 150_000,
};

export const DEFAULT_SIMULATOR_OPTIONS = {
  host: '127.0.0.1',
  port: 0,
  timeScale: 1,
  faults: 'none',
  seed: 'wayback-sim',
  blockMode: 'refuse',
  limits: DEFAULT_LIMITS,
} as const satisfies Omit<SimulatorOptions, 'siteDir'>;

const NO_FAULTS: ResolvedFaultRates = {
  serverError: 0,
  reset: 0,
  slow: 0,
  truncatedJson: 0,
  lyingGzip: 0,
  spurious429: 0,
  outage: null,
};

/**
 * The outage of the 'storm' profile lasts 30 s (scaled) and starts after a seeded number of
 * requests in [STORM_OUTAGE_AFTER_MIN, STORM_OUTAGE_AFTER_MIN + STORM_OUTAGE_AFTER_SPAN): late
 * enough that a crawl is under way, early enough that a small rehearsal meets it.
 */
const STORM_OUTAGE_MS = 30_000;
const STORM_OUTAGE_AFTER_MIN = 100;
const STORM_OUTAGE_AFTER_SPAN = 900;

/**
 * The fault profiles. 'default': about 1% of each per-request fault, no outage — a normal day.
 * 'storm': 8% server errors, 3% resets, 3% slow answers, 10% truncated CDX JSON, 10% lying gzip,
 * 1% spurious 429s and one outage window — the worst week of Oct 2024 compressed.
 */
export const FAULT_PROFILES: Readonly<
  Record<FaultProfile, Readonly<Omit<ResolvedFaultRates, 'outage'>> & { outageMs: number | null }>
> = {
  none: { ...NO_FAULTS, outageMs: null },
  default: {
    serverError: 0.01,
    reset: 0.01,
    slow: 0.01,
    truncatedJson: 0.01,
    lyingGzip: 0.01,
    spurious429: 0,
    outageMs: null,
  },
  storm: {
    serverError: 0.08,
    reset: 0.03,
    slow: 0.03,
    truncatedJson: 0.1,
    lyingGzip: 0.1,
    spurious429: 0.01,
    outageMs: STORM_OUTAGE_MS,
  },
};

/** Loopback names and addresses the simulator may listen on (it must never face a network). */
const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopbackHost(host: string): boolean {
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return true;
  return isIP(host) === 4 && IPV4_LOOPBACK.test(host);
}

/** A number in [0, 1) from a string, for seeded one-off choices (FNV-1a with a murmur finaliser). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

function invalid(message: string, subject: string): SalvageError {
  return new SalvageError('CONFIG_INVALID', message, { subject });
}

function resolveFaults(faults: FaultProfile | FaultRates, seed: string): ResolvedFaultRates {
  if (typeof faults === 'string') {
    const profile = FAULT_PROFILES[faults];
    if (profile === undefined)
      throw invalid(`unknown fault profile "${String(faults)}": use none, default or storm`, String(faults));
    const { outageMs, ...rates } = profile;
    const afterRequests =
      STORM_OUTAGE_AFTER_MIN + Math.floor(unitHash(seed + '\u0001outage') * STORM_OUTAGE_AFTER_SPAN);
    return { ...rates, outage: outageMs === null ? null : { afterRequests, durationMs: outageMs } };
  }
  const rates: ResolvedFaultRates = { ...NO_FAULTS, ...faults, outage: faults.outage ?? null };
  for (const key of ['serverError', 'reset', 'slow', 'truncatedJson', 'lyingGzip', 'spurious429'] as const) {
    const p = rates[key];
    if (!(p >= 0 && p <= 1)) throw invalid(`fault rate ${key} must be in [0, 1], got ${p}`, key);
  }
  const shared = rates.serverError + rates.reset + rates.slow + rates.spurious429;
  if (shared + rates.truncatedJson > 1 || shared + rates.lyingGzip > 1) {
    throw invalid('fault rates of one family add up to more than 1', JSON.stringify(faults));
  }
  if (rates.outage !== null && !(rates.outage.afterRequests >= 0 && rates.outage.durationMs >= 0)) {
    throw invalid('outage needs afterRequests ≥ 0 and durationMs ≥ 0', JSON.stringify(rates.outage));
  }
  return rates;
}

/** Merges options with `DEFAULT_SIMULATOR_OPTIONS`; throws CONFIG_INVALID for unusable values. */
export function resolveSimulatorOptions(options: SimulatorOptions): ResolvedSimulatorOptions {
  const d = DEFAULT_SIMULATOR_OPTIONS;
  const host = options.host ?? d.host;
  if (!isLoopbackHost(host)) throw invalid(`the simulator listens on loopback only, not on "${host}"`, host);
  const port = options.port ?? d.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw invalid(`port must be an integer in 0–65535, got ${port}`, String(port));
  const timeScale = options.timeScale ?? d.timeScale;
  if (!(timeScale > 0 && Number.isFinite(timeScale)))
    throw invalid(`timeScale must be a positive number, got ${timeScale}`, String(timeScale));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (!(value > 0 && Number.isFinite(value)))
      throw invalid(`limits.${key} must be a positive number, got ${value}`, key);
  }
  const blockMode = options.blockMode ?? d.blockMode;
  if (blockMode !== 'refuse' && blockMode !== 'reset')
    throw invalid(`blockMode must be refuse or reset, got ${String(blockMode)}`, String(blockMode));
  const seed = String(options.seed ?? d.seed);
  const urlFaults = options.urlFaults ?? [];
  for (const f of urlFaults) {
    if (
      typeof f.contains !== 'string' ||
      f.contains === '' ||
      !(URL_FAULT_KINDS as readonly string[]).includes(f.fault)
    )
      throw invalid(
        `urlFaults entries need a non-empty "contains" and a fault of ${URL_FAULT_KINDS.join(', ')}, got ${JSON.stringify(f)}`,
        JSON.stringify(f),
      );
  }
  return {
    siteDir: options.siteDir,
    host,
    port,
    timeScale,
    faults: resolveFaults(options.faults ?? d.faults, seed),
    seed,
    limits,
    blockMode,
    urlFaults,
  };
}
