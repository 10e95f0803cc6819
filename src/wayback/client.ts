/**
 * The Wayback Machine over HTTP: CDX blocks and raw captures (`id_`), through one keep-alive
 * connection pool and the process's politeness rules. Every quirk of the service is handled here
 * and marked `WAYBACK:` with its source (WAYBACK.md).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import {
  CDX_PAGE_ROWS,
  CdxMalformedError,
  cdxQueryUrl,
  LONE_SURROGATE,
  parseCdxJson,
  type CdxPage,
  type CdxQuery,
} from './cdx.js';
import { mementoUrl, parseMemento, timestampToMs, toTimestamp, type MementoParts } from '../memento.js';
import type { ConnectionFailure, Family, Politeness } from './politeness.js';
import { SalvageError } from '../errors.js';

export const DEFAULT_WAYBACK_URL = 'https://web.archive.org';

/** The client's defaults (see WaybackClientOptions for each), read by the CLI's help and the docs. */
export const DEFAULT_CLIENT_OPTIONS = {
  baseUrl: DEFAULT_WAYBACK_URL,
  connections: 3,
  timeoutMs: 60_000,
  maxAttempts: 8,
  closestWindowMs: 3600_000,
} as const;

/**
 * Largest body read, in bytes: 20 MiB, the extractor's page limit (DEFAULT_EXTRACT_OPTIONS in
 * extract/extract.ts; keep the two equal). A larger payload would be rejected as too large after
 * the download, so it is cut off while streaming instead.
 */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * Longest memento URL sent, in bytes: 8 KiB. Apache's LimitRequestLine is 8190 bytes and nginx's
 * large_client_header_buffers 8 KiB: a longer request line is answered 414 or the connection is
 * dropped, on every attempt, so it is refused here without a request. No article URL comes near it.
 */
export const MAX_MEMENTO_URL_BYTES = 8 * 1024;

/**
 * Largest CDX answer read, in bytes: 64 MiB. A block of CDX_PAGE_ROWS ordinary rows is ~1.5 MB;
 * the cap only stops a runaway answer, and stays above the capture cap so that a block with a few
 * long rows is still read (its bad rows are then skipped one by one).
 */
export const MAX_CDX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The whole answer (headers and body) must arrive within this many times `timeoutMs` (default
 * 5 × 60 s): `timeoutMs` bounds the gap between chunks only, so a body trickling in just fast
 * enough could otherwise hold a connection for ever. At DEFAULT_MAX_BODY_BYTES it still allows ~70 KB/s.
 */
export const REQUEST_DEADLINE_FACTOR = 5;

// WAYBACK: requests without a User-Agent get HTTP 400 (hahwul/urx PR 264); a descriptive one
// lets the Archive's staff see who is crawling and why.
export const DEFAULT_USER_AGENT =
  'salvage/0.1 (rescues closed news sites from the Wayback Machine into Markdown; keeps to the published rate limits)';

export interface WaybackClientOptions {
  politeness: Politeness;
  /** Default https://web.archive.org. Tests point it at the loopback simulator. */
  baseUrl?: string;
  userAgent?: string;
  /**
   * Connections in the keep-alive pool. Default 3: many short-lived connections trigger blocks,
   * one pool of at most 3 does not (hartator/wayback-machine-downloader PR 280, issue 160).
   */
  connections?: number;
  /** Time allowed for the headers, and between body chunks. Default 60 s. */
  timeoutMs?: number;
  /** Attempts per request for 5xx, resets and timeouts (429s wait instead and do not count). Default 8. */
  maxAttempts?: number;
  /**
   * How far a "closest capture" redirect may move the timestamp and still be accepted. Default
   * 1 hour: further away it is another capture, with possibly other content.
   */
  closestWindowMs?: number;
  /** Largest body read, in bytes, checked while streaming. Default DEFAULT_MAX_BODY_BYTES (20 MiB). */
  maxBodyBytes?: number;
  /** Longest time for one whole answer, in ms. Default REQUEST_DEADLINE_FACTOR × timeoutMs. */
  requestDeadlineMs?: number;
  /** Rows per CDX block. Default CDX_PAGE_ROWS (5000). */
  cdxPageRows?: number;
}

/** How {@link WaybackClient.fetchCapture} asks. */
export interface FetchCaptureOptions {
  /** The replay modifier: `id_` (default) for pages, `im_` for images; both serve the raw bytes. */
  modifier?: 'id_' | 'im_';
  /** Farthest "closest capture" redirect followed, in ms. Default: the client's `closestWindowMs`. */
  closestWindowMs?: number;
}

/** How {@link WaybackClient.fetchCaptureUnlessHeld} asks: a check before each redirect is followed. */
export interface FetchUnlessHeldOptions extends FetchCaptureOptions {
  /**
   * Whether the caller already holds the capture a redirect leads to (another URL led there
   * before): then it is not fetched again. Asked between requests (no connection is held while
   * it runs), so it may wait for another request of the caller's to settle.
   */
  held: (target: { timestamp: string; original: string }) => boolean | Promise<boolean>;
}

/** A redirect that led to a capture the caller holds: where it led, and how. */
export interface HeldCapture {
  held: true;
  requested: { timestamp: string; original: string };
  /** The capture: 14 digits, and the original as the service spells it. */
  timestamp: string;
  original: string;
  redirects: { kind: 'archived' | 'closest'; from: string; to: string }[];
}

/** A capture as fetched: the archived response, after archived redirects. */
export interface FetchedCapture {
  /** The capture asked for. */
  requested: { timestamp: string; original: string };
  /** The capture answered (differs after a redirect). */
  timestamp: string;
  original: string;
  /** The archived HTTP status. */
  status: number;
  /** The archived response's `Content-Type`, when the service reports it. */
  contentType: string | undefined;
  /** The archived response headers, as `X-Archive-Orig-*` reports them (names without the prefix). */
  headers: [string, string][];
  /** The raw payload bytes (transport encoding removed; a gzip payload stays gzip). */
  payload: Uint8Array;
  /** The memento URL that answered. */
  mementoUrl: string;
  fetchedAt: Date;
  redirects: { kind: 'archived' | 'closest'; from: string; to: string }[];
}

/**
 * What the rest of the service did while one request kept failing: the evidence that tells a
 * failure of this URL (others succeeded, nothing service-wide happened) from the service's.
 */
export interface FailureEvidence {
  /** `Politeness.successCount` when the request started. */
  successesBefore: number;
  /** A service-wide pause (429, outage, block) began while the request was being tried. */
  troubleDuring: boolean;
}

/** The service kept failing this request (5xx, resets, timeouts) past `maxAttempts`. */
export class RetriesExhaustedError extends SalvageError {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly lastCause: string,
    readonly evidence: FailureEvidence = { successesBefore: 0, troubleDuring: true },
    readonly elapsedMs = 0,
  ) {
    super('WAYBACK_RETRIES_EXHAUSTED', `${url}: ${attempts} attempts failed (last: ${lastCause})`, { subject: url });
  }
}

/** Why salvage refused a request, or its answer, without asking again. */
export type RefusalKind = 'url-too-long' | 'url-invalid' | 'timestamp-invalid' | 'too-large' | 'undecodable';

/**
 * Salvage refused this request (an absurd URL or timestamp: nothing was sent) or its answer (a
 * body over `maxBodyBytes`: cut off while streaming; a body that will not decode). A problem of
 * this one capture: no retry will change it, and it says nothing about the service.
 */
export class RequestRefusedError extends SalvageError {
  override readonly name = 'RequestRefusedError';
  constructor(
    readonly url: string,
    readonly kind: RefusalKind,
    readonly detail: string,
  ) {
    super('WAYBACK_REQUEST_REFUSED', `${url.length > 200 ? `${url.slice(0, 200)}…` : url}: ${detail}`, {
      subject: url,
    });
  }
}

/** What an answer that no retry will change says, as a code of the one error model. */
export type WaybackAnswerCode =
  | 'WAYBACK_BLOCKED_SITE'
  | 'WAYBACK_EXCLUDED'
  | 'WAYBACK_NOT_ARCHIVED'
  | 'WAYBACK_CLOSEST_TOO_FAR'
  | 'WAYBACK_REDIRECT_LOOP'
  | 'WAYBACK_HTTP_ERROR';

/**
 * The service answered in a way that no retry will change: the site is blocked, the URL is
 * excluded or not archived, the closest capture is too far, redirects loop, or another status
 * (a CDX 400). `code` says which; `status` is the HTTP status that said it.
 */
export class WaybackRequestError extends SalvageError {
  override readonly name = 'WaybackRequestError';
  declare readonly code: WaybackAnswerCode;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly detail: string,
    code: WaybackAnswerCode = 'WAYBACK_HTTP_ERROR',
  ) {
    super(code, `${url}: HTTP ${status}${detail ? ` (${detail})` : ''}`, { subject: url });
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

const MAX_REDIRECTS = 5;
/**
 * The memento inside a URL on our base URL (the service, or a simulator whose origin may carry a
 * path): read from its first `/web/`.
 */
function mementoOf(url: string): MementoParts | undefined {
  const at = url.indexOf('/web/');
  return at < 0 ? undefined : parseMemento(url.slice(at));
}

function header(h: RawResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The exception names of the service's access control (a blocked site, a robots exclusion). */
const ACCESS_CONTROL = /(?:Administrative|Robot)AccessControlException/;
/** The service's own page for a URL it will not play back. */
const EXCLUDED_PAGE = /has been excluded from the Wayback Machine/i;
/** How much of a service page is read for its words: its message sits near the top. */
const SERVICE_TEXT_BYTES = 16 * 1024;

/** The start of an answer of the service itself (an error page), as text. */
function serviceText(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, SERVICE_TEXT_BYTES)).toString('utf8');
}

/** `3600000` → `1 h`, `90000` → `1.5 min`: a window as a person reads it. */
function formatWindow(ms: number): string {
  return ms >= 3600_000 ? `${+(ms / 3600_000).toFixed(2)} h` : `${+(ms / 60_000).toFixed(2)} min`;
}

/** C0 controls, DEL and C1 controls: a CR LF in a request line would split it. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** What may go on a request line as it is: printable ASCII without space (undici refuses the rest). */
const NOT_WIRE_SAFE = /[^\u0021-\u007e]/gu;

/**
 * The original as it goes into a memento URL: kept exactly as the index spells it (never
 * re-encoded: the service matches the bytes), except characters a request line cannot carry
 * (space, non-ASCII), which become UTF-8 percent escapes as a browser would send them.
 */
function wireOriginal(original: string): string {
  return original.replace(NOT_WIRE_SAFE, (c) => encodeURIComponent(c));
}

/** An error of our own deadline for a whole answer; classified as a timeout. */
class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  readonly code = 'ETIMEDOUT';
}

function classify(error: unknown): ConnectionFailure | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'reset';
    default:
      return undefined;
  }
}

/** A counting semaphore: at most `count` holders; waiters in arrival order. */
class Permits {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.free > 0) this.free--;
    else {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(signal!.reason);
        }; // only registered with a signal
        this.waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

export class WaybackClient {
  readonly baseUrl: string;
  readonly politeness: Politeness;
  private readonly userAgent: string;
  private readonly dispatcher: Agent;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly closestWindowMs: number;
  private readonly maxBodyBytes: number;
  private readonly requestDeadlineMs: number;
  private readonly cdxPageRows: number;
  private readonly connections: Permits;

  constructor(options: WaybackClientOptions) {
    const d = DEFAULT_CLIENT_OPTIONS;
    const {
      politeness,
      baseUrl = d.baseUrl,
      userAgent = DEFAULT_USER_AGENT,
      connections = d.connections,
      timeoutMs = d.timeoutMs,
      maxAttempts = d.maxAttempts,
      closestWindowMs = d.closestWindowMs,
      maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
      cdxPageRows = CDX_PAGE_ROWS,
    } = options;
    this.requestDeadlineMs = options.requestDeadlineMs ?? timeoutMs * REQUEST_DEADLINE_FACTOR;
    this.cdxPageRows = cdxPageRows;
    this.politeness = politeness;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.userAgent = userAgent;
    this.timeoutMs = timeoutMs;
    this.maxAttempts = maxAttempts;
    this.closestWindowMs = closestWindowMs;
    this.maxBodyBytes = maxBodyBytes;
    this.dispatcher = new Agent({
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: timeoutMs },
    });
    this.connections = new Permits(connections);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One block of a CDX query, retried until complete. */
  async cdxPage(query: CdxQuery, resumeKey?: string, signal?: AbortSignal): Promise<CdxPage> {
    const url = cdxQueryUrl(this.baseUrl, query, resumeKey, this.cdxPageRows);
    const maxBytes = Math.max(this.maxBodyBytes, MAX_CDX_BODY_BYTES);
    return this.withRetries(
      'cdx',
      url,
      signal,
      (res) => {
        if (res.status !== 200) {
          const said = serviceText(res.body);
          // WAYBACK-QUIRK: a blocked site's CDX query answers 403 naming
          // AdministrativeAccessControlException ("Blocked Site Error") or RobotAccessControlException:
          // the whole site is refused, so the run stops with one line. Source: WAYBACK.md "Answers
          // seen in real recordings". Seen: 2026-12. Test: "a blocked site is one line with its code and exit 1".
          const control = res.status === 403 ? ACCESS_CONTROL.exec(said)?.[0] : undefined;
          if (control !== undefined) throw new WaybackRequestError(url, 403, control, 'WAYBACK_BLOCKED_SITE');
          throw new WaybackRequestError(
            url,
            res.status,
            said
              .replace(/<[^>]*>/g, ' ')
              .replace(/\s+/g, ' ')
              .trim()
              .slice(0, 200),
          );
        }
        // WAYBACK: bodies can be gzip without saying so (edgi wayback issue 309).
        let body = res.body;
        if (body[0] === 0x1f && body[1] === 0x8b) {
          try {
            body = gunzipSync(body, { maxOutputLength: maxBytes });
          } catch (error) {
            throw new CdxMalformedError(`CDX answer is broken gzip (${(error as Error).message})`);
          }
        }
        // "From the future" is judged by the later of our clock and the service's Date header, so a
        // machine whose clock is years behind does not skip every row.
        const serverNowMs = Date.parse(header(res.headers, 'date') ?? '');
        const nowMs = Number.isNaN(serverNowMs) ? Date.now() : Math.max(Date.now(), serverNowMs);
        return parseCdxJson(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'), { nowMs });
      },
      maxBytes,
    );
  }

  /** The memento URL of a capture's raw bytes. The original is appended as it is (see wireOriginal). */
  mementoUrl(timestamp: string, original: string): string {
    return mementoUrl(timestamp, wireOriginal(original), 'id_', this.baseUrl);
  }

  /** Refuses, before any request, a memento URL no server would answer: see MAX_MEMENTO_URL_BYTES. */
  private checkMementoUrl(url: string): void {
    const bytes = Buffer.byteLength(url, 'utf8');
    if (bytes > MAX_MEMENTO_URL_BYTES)
      throw new RequestRefusedError(
        url,
        'url-too-long',
        `the memento URL is ${bytes} bytes, over the ${MAX_MEMENTO_URL_BYTES}-byte request line servers accept; not requested`,
      );
  }

  /**
   * The raw bytes of one capture (`id_`: unmodified, no toolbar; pywb rewriter docs). Archived
   * redirects are followed; "closest capture" redirects only within the window (`options` can
   * ask for `im_`, the modifier a page's images are requested with, and another window:
   * `Infinity` follows the closest capture at any distance, as an image's own capture time is
   * rarely the page's).
   */
  async fetchCapture(
    timestamp: string,
    original: string,
    signal?: AbortSignal,
    options: FetchCaptureOptions = {},
  ): Promise<FetchedCapture> {
    return (await this.fetchOrHeld(timestamp, original, signal, options)) as FetchedCapture;
  }

  /**
   * {@link fetchCapture}, except that a redirect to a capture `options.held` accepts is not
   * followed: two spellings of one image (`www.` or not, http or https) reach one capture of the
   * Wayback's SURT index, and the second need not fetch it again.
   */
  async fetchCaptureUnlessHeld(
    timestamp: string,
    original: string,
    signal: AbortSignal | undefined,
    options: FetchUnlessHeldOptions,
  ): Promise<FetchedCapture | HeldCapture> {
    return this.fetchOrHeld(timestamp, original, signal, options);
  }

  private async fetchOrHeld(
    timestamp: string,
    original: string,
    signal: AbortSignal | undefined,
    options: FetchCaptureOptions & { held?: FetchUnlessHeldOptions['held'] },
  ): Promise<FetchedCapture | HeldCapture> {
    const modifier = options.modifier ?? 'id_';
    const closestWindowMs = options.closestWindowMs ?? this.closestWindowMs;
    if (Number.isNaN(timestampToMs(timestamp)))
      throw new RequestRefusedError(
        original,
        'timestamp-invalid',
        `capture timestamp ${JSON.stringify(timestamp.slice(0, 20))} is not a 14-digit calendar time; not requested`,
      );
    if (CONTROL.test(original))
      throw new RequestRefusedError(
        JSON.stringify(original),
        'url-invalid',
        'the URL holds a control character; not requested',
      );
    if (LONE_SURROGATE.test(original))
      throw new RequestRefusedError(
        JSON.stringify(original),
        'url-invalid',
        'the URL is not well-formed Unicode (a lone surrogate); not requested',
      );
    const requested = { timestamp, original };
    const redirects: FetchedCapture['redirects'] = [];
    const seen = new Set<string>();
    let url = mementoUrl(timestamp, wireOriginal(original), modifier, this.baseUrl);
    for (;;) {
      this.checkMementoUrl(url);
      if (seen.has(url))
        throw new WaybackRequestError(
          url,
          310,
          `redirect loop after ${redirects.length} redirects`,
          'WAYBACK_REDIRECT_LOOP',
        );
      seen.add(url);
      const res = await this.withRetries('capture', url, signal, (r) => {
        // A replay carries Memento-Datetime whatever its archived status (a 404, 403 or 429 the
        // site once sent is content); a redirect is followed or judged below.
        if (header(r.headers, 'memento-datetime') !== undefined) return r;
        if (r.status >= 300 && r.status < 400 && header(r.headers, 'location') !== undefined) return r;
        const said = serviceText(r.body);
        // WAYBACK-QUIRK: an excluded site's capture answers 403 naming AdministrativeAccessControlException
        // or RobotAccessControlException, and an excluded URL answers 200 without Memento-Datetime
        // with "Sorry. This URL has been excluded from the Wayback Machine.": final, no retry,
        // nothing to store. Source: WAYBACK.md "Answers seen in real recordings" (edgi
        // BlockedByRobotsError / BlockedSiteError). Seen: 2026-12.
        // Test: "an excluded URL ends its article unrecovered 'excluded' at once: one request, no retry, no outage, nothing stored".
        const control = ACCESS_CONTROL.exec(said)?.[0];
        if (control !== undefined || EXCLUDED_PAGE.test(said)) {
          throw new WaybackRequestError(
            url,
            r.status,
            control ?? 'this URL has been excluded from the Wayback Machine',
            'WAYBACK_EXCLUDED',
          );
        }
        // WAYBACK-QUIRK: a capture the index lists may still answer 404 without Memento-Datetime:
        // the service's own "Hrm. The Wayback Machine has not archived that URL." page, not the
        // site's 404. It is no memento: never stored as the site's answer. Source: WAYBACK.md
        // "Answers seen in real recordings". Seen: 2026-12.
        // Test: "the Wayback's own 404 page is a not-archived capture: recorded in the state, never stored in the WARC".
        if (r.status === 404)
          throw new WaybackRequestError(
            url,
            404,
            'the Wayback Machine has not archived this capture',
            'WAYBACK_NOT_ARCHIVED',
          );
        // WAYBACK: while the service is down it serves its own error pages with status 200;
        // anything else without Memento-Datetime is such a page: retried like a 5xx.
        return undefined;
      });
      const location = header(res.headers, 'location');
      const isRedirect = res.status >= 300 && res.status < 400 && location !== undefined;
      if (!isRedirect) return this.capture(requested, url, res, redirects);
      // The original inside a memento URL is kept as the service spells it: URL parsing would
      // re-encode it (`'` in queries, `{}` in paths) and resolve `../`.
      const next = /^https?:\/\//i.test(location)
        ? location
        : `${new URL(url).origin}${location.startsWith('/') ? '' : '/'}${location}`;
      const target = mementoOf(next);
      if (!target) throw new WaybackRequestError(url, res.status, `redirect to ${next}, which is not a memento URL`);
      const archived = header(res.headers, 'memento-datetime') !== undefined;
      if (!archived) {
        // WAYBACK: an inexact timestamp redirects to the closest capture, possibly months away;
        // accept only a small move (edgi-govdata-archiving/wayback _client.py does the same).
        const ts = target.timestamp.padEnd(14, '0');
        const from = mementoOf(url)?.timestamp ?? timestamp;
        const moveMs = Math.abs(timestampToMs(ts) - timestampToMs(from.padEnd(14, '0')));
        // NaN (a redirect to a timestamp that is no calendar time) is refused too.
        if (!(moveMs <= closestWindowMs)) {
          throw new WaybackRequestError(
            url,
            res.status,
            `the closest capture is at ${ts}, outside the accepted window of ${formatWindow(closestWindowMs)}`,
            'WAYBACK_CLOSEST_TOO_FAR',
          );
        }
      }
      redirects.push({ kind: archived ? 'archived' : 'closest', from: url, to: next });
      if (redirects.length > MAX_REDIRECTS)
        throw new WaybackRequestError(url, res.status, `more than ${MAX_REDIRECTS} redirects`, 'WAYBACK_REDIRECT_LOOP');
      if (Number.isNaN(timestampToMs(target.timestamp.padEnd(14, '0'))))
        throw new WaybackRequestError(
          url,
          res.status,
          `redirect to timestamp ${target.timestamp}, which is no calendar time`,
        );
      const at = { timestamp: target.timestamp.padEnd(14, '0'), original: target.original };
      if (options.held !== undefined && (await options.held(at))) return { held: true, requested, ...at, redirects };
      // Stay on our base URL and raw mode whatever the redirect says.
      url = mementoUrl(target.timestamp, wireOriginal(target.original), modifier, this.baseUrl);
    }
  }

  private capture(
    requested: FetchedCapture['requested'],
    url: string,
    res: RawResponse,
    redirects: FetchedCapture['redirects'],
  ): FetchedCapture {
    const m = mementoOf(url);
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(res.headers)) {
      if (!name.startsWith('x-archive-orig-') || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.push([name.slice('x-archive-orig-'.length), v]);
    }
    // The time of the capture: Memento-Datetime, else the memento URL's, else the one asked for;
    // each only when it is a real time (a garbled header must not reach the WARC writer).
    const mementoMs = Date.parse(header(res.headers, 'memento-datetime') ?? '');
    const fromUrl = m?.timestamp.padEnd(14, '0');
    const timestamp =
      !Number.isNaN(mementoMs) && !Number.isNaN(timestampToMs(toTimestamp(new Date(mementoMs))))
        ? toTimestamp(new Date(mementoMs))
        : fromUrl !== undefined && !Number.isNaN(timestampToMs(fromUrl))
          ? fromUrl
          : requested.timestamp;
    return {
      requested,
      timestamp,
      original: redirects.length > 0 ? (m?.original ?? requested.original) : requested.original,
      status: res.status,
      contentType: header(res.headers, 'content-type'),
      headers,
      payload: res.body,
      mementoUrl: url,
      fetchedAt: new Date(),
      redirects,
    };
  }

  /**
   * Send one GET under the politeness rules until `accept` returns a value: 429 pauses every
   * worker; 5xx, resets, timeouts and answers `accept` refuses (undefined) are retried with
   * back-off; a malformed CDX answer is retried like a 5xx. Each failure is reported with the URL,
   * so that one URL failing again and again never looks like the whole service failing.
   */
  private async withRetries<T>(
    family: Family,
    url: string,
    signal: AbortSignal | undefined,
    accept: (res: RawResponse) => T | undefined,
    maxBytes = this.maxBodyBytes,
  ): Promise<T> {
    let attempt = 0;
    let lastCause = '';
    const successesBefore = this.politeness.successCount;
    const troublesBefore = this.politeness.troubleCount;
    for (;;) {
      if (attempt >= this.maxAttempts)
        throw new RetriesExhaustedError(url, attempt, lastCause, {
          successesBefore,
          troubleDuring: this.politeness.troubleCount !== troublesBefore,
        });
      // A connection first, then the politeness slot: a request that got its slot is sent at
      // once. Queued behind a busy pool instead, it could leave after a 429 had paused everyone.
      const releaseConnection = await this.connections.acquire(signal);
      let res: RawResponse;
      try {
        await this.politeness.slot(family, signal);
        res = await this.send(url, signal, maxBytes);
      } catch (error) {
        releaseConnection();
        const failure = classify(error);
        if (!failure) {
          this.politeness.release();
          throw error;
        }
        lastCause = `connection ${failure}`;
        const delay = this.politeness.connectionFailed(family, attempt++, failure, url);
        await this.politeness.wait(delay, signal);
        continue;
      }
      releaseConnection();
      // WAYBACK-QUIRK: an archived 429 or 5xx is played back with its status and Memento-Datetime;
      // it is the capture's content, not the service's answer, and must not pause or retry
      // anything (one such capture would otherwise look like a rate limit for ever). Source:
      // WAYBACK.md "Answers seen in real recordings" (edgi is_memento_response). Seen: 2026-12.
      // Test: "an archived 429 or 503 (with Memento-Datetime) is the capture's content: no pause, no retry".
      const archived = family === 'capture' && header(res.headers, 'memento-datetime') !== undefined;
      if (res.status === 429 && !archived) {
        // WAYBACK: 429 comes without Retry-After; keep sending for a minute and the IP is blocked
        // at the firewall for an hour (edgi issue 137). The pause covers every worker.
        this.politeness.rateLimited(family);
        lastCause = 'HTTP 429';
        continue;
      }
      if (res.status >= 500 && !archived) {
        lastCause = `HTTP ${res.status}`;
        await this.politeness.wait(this.politeness.serverError(family, attempt++, res.status, url), signal);
        continue;
      }
      let value: T | undefined;
      try {
        value = accept(res);
      } catch (error) {
        if (!(error instanceof CdxMalformedError)) {
          this.politeness.succeeded();
          throw error;
        }
        lastCause = error.message;
      }
      if (value === undefined) {
        lastCause ||= `HTTP ${res.status} without Memento-Datetime (a page of the service, not a capture)`;
        await this.politeness.wait(this.politeness.serverError(family, attempt++, res.status, url), signal);
        continue;
      }
      this.politeness.succeeded();
      return value;
    }
  }

  private async send(url: string, signal: AbortSignal | undefined, maxBytes: number): Promise<RawResponse> {
    const { origin } = new URL(url);
    // Our own deadline for the whole answer (REQUEST_DEADLINE_FACTOR), beside the caller's signal.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DeadlineError(`no complete answer within ${this.requestDeadlineMs} ms`)),
      this.requestDeadlineMs,
    );
    const options: Dispatcher.RequestOptions = {
      origin,
      // The path exactly as built: the original inside a memento URL is never re-encoded.
      path: url.slice(origin.length),
      method: 'GET',
      headers: { 'user-agent': this.userAgent, 'accept-encoding': 'gzip, deflate' },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
    };
    try {
      const res = await this.dispatcher.request(options);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new RequestRefusedError(url, 'too-large', `body larger than ${maxBytes} bytes (cut off while reading)`);
        }
        chunks.push(chunk as Buffer);
      }
      let body: Uint8Array = Buffer.concat(chunks, size);
      // WAYBACK: ask only for gzip and deflate (Brotli broke Node clients: birbwatcher PR 8); this
      // removes the transport encoding only. A payload that is gzip itself stays as it is: the
      // extractor sniffs it (edgi wayback issue 309).
      const encoding = header(res.headers, 'content-encoding')?.toLowerCase();
      const gzip = encoding === 'gzip' || encoding === 'x-gzip';
      // WAYBACK-QUIRK: the service can send `Content-Encoding: gzip` over a body that is not gzip
      // (the archived response's header, passed on). The body arrived whole (undici checks its
      // length and framing), so the header is what lies: the bytes are kept as they came. A body
      // that claims to be gzip and breaks is this capture's problem, never a connection fault.
      // Source: WAYBACK.md "Answers seen in real recordings" (issue 14). Seen: 2026-12.
      // Test: "a wrong Content-Encoding: gzip is the capture's bytes as they came, and a broken gzip body fails that capture alone".
      if (gzip && !(body[0] === 0x1f && body[1] === 0x8b))
        return { status: res.statusCode, headers: res.headers, body };
      try {
        if (gzip) body = gunzipSync(body, { maxOutputLength: maxBytes });
        else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: maxBytes });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          throw new RequestRefusedError(url, 'too-large', `body larger than ${maxBytes} bytes once decompressed`);
        throw new RequestRefusedError(
          url,
          'undecodable',
          `the body does not decode as its Content-Encoding ${encoding ?? ''} says (${(error as Error).message})`,
        );
      }
      return { status: res.statusCode, headers: res.headers, body };
    } catch (error) {
      // Our deadline, not the caller's signal: a timeout like any other, retried with back-off.
      if (deadline.signal.aborted && !signal?.aborted) throw deadline.signal.reason as DeadlineError;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
