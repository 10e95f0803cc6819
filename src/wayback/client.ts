/**
 * The Wayback Machine over HTTP: CDX blocks and raw captures (`id_`), through one keep-alive
 * connection pool and the process's politeness rules. Every quirk of the service is handled here
 * and marked `WAYBACK:` with its source (WAYBACK.md).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { CDX_PAGE_ROWS, CdxMalformedError, cdxQueryUrl, parseCdxJson, type CdxPage, type CdxQuery } from './cdx.js';
import type { ConnectionFailure, Family, Politeness } from './politeness.js';

export const DEFAULT_WAYBACK_URL = 'https://web.archive.org';

// WAYBACK: requests without a User-Agent get HTTP 400 (hahwul/urx PR 264); a descriptive one
// lets the Archive's staff see who is crawling and why.
export const DEFAULT_USER_AGENT = 'salvage/0.1 (rescues closed news sites from the Wayback Machine into Markdown; keeps to the published rate limits)';

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
  /** Largest body read, in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Rows per CDX block. Default CDX_PAGE_ROWS (5000). */
  cdxPageRows?: number;
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

/** The service kept failing this request (5xx, resets, timeouts) past `maxAttempts`. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(readonly url: string, readonly attempts: number, readonly lastCause: string) {
    super(`${url}: ${attempts} attempts failed (last: ${lastCause})`);
  }
}

/** The service answered in a way that no retry will change (e.g. 400 for a CDX query, 403 for an excluded site). */
export class WaybackRequestError extends Error {
  override readonly name = 'WaybackRequestError';
  constructor(readonly url: string, readonly status: number, detail: string) {
    super(`${url}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

const MAX_REDIRECTS = 5;
const TIMESTAMP = /^\d{14}$/;
const MEMENTO_PATH = /\/web\/(\d{1,14})([a-z]{2}_)?\/(.+)$/s;

function header(h: RawResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** 14-digit timestamp → milliseconds since the epoch (UTC). */
export function timestampMs(ts: string): number {
  return Date.UTC(+ts.slice(0, 4), +ts.slice(4, 6) - 1, +ts.slice(6, 8), +ts.slice(8, 10), +ts.slice(10, 12), +ts.slice(12, 14));
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
    case 'Z_BUF_ERROR': // a transport-gzip body cut short
    case 'Z_DATA_ERROR':
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
        const wake = (): void => { signal?.removeEventListener('abort', onAbort); resolve(); };
        const onAbort = (): void => { this.waiting.splice(this.waiting.indexOf(wake), 1); reject(signal!.reason); }; // only registered with a signal
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
  private readonly cdxPageRows: number;
  private readonly connections: Permits;

  constructor(options: WaybackClientOptions) {
    const { politeness, baseUrl = DEFAULT_WAYBACK_URL, userAgent = DEFAULT_USER_AGENT, connections = 3, timeoutMs = 60_000, maxAttempts = 8, closestWindowMs = 3600_000, maxBodyBytes = 64 * 1024 * 1024, cdxPageRows = CDX_PAGE_ROWS } = options;
    this.cdxPageRows = cdxPageRows;
    this.politeness = politeness;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.userAgent = userAgent;
    this.timeoutMs = timeoutMs;
    this.maxAttempts = maxAttempts;
    this.closestWindowMs = closestWindowMs;
    this.maxBodyBytes = maxBodyBytes;
    this.dispatcher = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
    this.connections = new Permits(connections);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One block of a CDX query, retried until complete. */
  async cdxPage(query: CdxQuery, resumeKey?: string, signal?: AbortSignal): Promise<CdxPage> {
    const url = cdxQueryUrl(this.baseUrl, query, resumeKey, this.cdxPageRows);
    return this.withRetries('cdx', url, signal, (res) => {
      if (res.status !== 200) {
        throw new WaybackRequestError(url, res.status, Buffer.from(res.body.subarray(0, 200)).toString('utf8').trim());
      }
      // WAYBACK: bodies can be gzip without saying so (edgi wayback issue 309).
      let body = res.body;
      if (body[0] === 0x1f && body[1] === 0x8b) {
        try {
          body = gunzipSync(body, { maxOutputLength: this.maxBodyBytes });
        } catch (error) {
          throw new CdxMalformedError(`CDX answer is broken gzip (${(error as Error).message})`);
        }
      }
      return parseCdxJson(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
    });
  }

  /** The memento URL of a capture's raw bytes. The original is appended as it is, never re-encoded. */
  mementoUrl(timestamp: string, original: string): string {
    return `${this.baseUrl}/web/${timestamp}id_/${original}`;
  }

  /**
   * The raw bytes of one capture (`id_`: unmodified, no toolbar; pywb rewriter docs). Archived
   * redirects are followed; "closest capture" redirects only within the window.
   */
  async fetchCapture(timestamp: string, original: string, signal?: AbortSignal): Promise<FetchedCapture> {
    if (!TIMESTAMP.test(timestamp)) throw new RangeError(`capture timestamp must have 14 digits, got ${JSON.stringify(timestamp)}`);
    const requested = { timestamp, original };
    const redirects: FetchedCapture['redirects'] = [];
    const seen = new Set<string>();
    let url = this.mementoUrl(timestamp, original);
    for (;;) {
      if (seen.has(url)) throw new WaybackRequestError(url, 310, `redirect loop after ${redirects.length} redirects`);
      seen.add(url);
      const res = await this.withRetries('capture', url, signal, (r) => {
        // WAYBACK: while the service is down it serves its own error pages with status 200; a
        // replay always carries Memento-Datetime, a redirect to the closest capture carries
        // X-Archive-Redirect-Reason, "not archived" is a 404. Anything else is the service's page,
        // not the capture: retry it like a 5xx.
        // WAYBACK: an excluded site answers 403 with AdministrativeAccessControlException or
        // RobotAccessControlException: no retry will change that.
        if (r.status === 403) throw new WaybackRequestError(url, 403, /AccessControlException/.exec(Buffer.from(r.body.subarray(0, 4096)).toString('utf8'))?.[0] ?? 'forbidden');
        const memento = header(r.headers, 'memento-datetime') !== undefined;
        const closest = header(r.headers, 'x-archive-redirect-reason') !== undefined || (r.status >= 300 && r.status < 400 && !memento);
        if (!memento && !closest && r.status !== 404) return undefined;
        return r;
      });
      const location = header(res.headers, 'location');
      const isRedirect = res.status >= 300 && res.status < 400 && location !== undefined;
      if (!isRedirect) return this.capture(requested, url, res, redirects);
      // The original inside a memento URL is kept as the service spells it: URL parsing would
      // re-encode it (`'` in queries, `{}` in paths) and resolve `../`.
      const next = /^https?:\/\//i.test(location) ? location : `${new URL(url).origin}${location.startsWith('/') ? '' : '/'}${location}`;
      const target = MEMENTO_PATH.exec(next);
      if (!target) throw new WaybackRequestError(url, res.status, `redirect to ${next}, which is not a memento URL`);
      const archived = header(res.headers, 'memento-datetime') !== undefined;
      if (!archived) {
        // WAYBACK: an inexact timestamp redirects to the closest capture, possibly months away;
        // accept only a small move (edgi-govdata-archiving/wayback _client.py does the same).
        const ts = target[1]!.padEnd(14, '0'); // group 1 always matches (the regex requires it)
        const from = MEMENTO_PATH.exec(url)?.[1] ?? timestamp;
        if (Math.abs(timestampMs(ts) - timestampMs(from.padEnd(14, '0'))) > this.closestWindowMs) {
          throw new WaybackRequestError(url, res.status, `the closest capture is at ${ts}, outside the accepted window`);
        }
      }
      redirects.push({ kind: archived ? 'archived' : 'closest', from: url, to: next });
      if (redirects.length > MAX_REDIRECTS) throw new WaybackRequestError(url, res.status, `more than ${MAX_REDIRECTS} redirects`);
      // Stay on our base URL and raw mode whatever the redirect says.
      url = `${this.baseUrl}/web/${target[1]}id_/${target[3]}`;
    }
  }

  private capture(requested: FetchedCapture['requested'], url: string, res: RawResponse, redirects: FetchedCapture['redirects']): FetchedCapture {
    const m = MEMENTO_PATH.exec(url);
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(res.headers)) {
      if (!name.startsWith('x-archive-orig-') || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.push([name.slice('x-archive-orig-'.length), v]);
    }
    const mementoDate = header(res.headers, 'memento-datetime');
    const timestamp = mementoDate ? toTimestamp(new Date(mementoDate)) : m?.[1]?.padEnd(14, '0') ?? requested.timestamp;
    return {
      requested,
      timestamp,
      original: m?.[3] ?? requested.original,
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
   * back-off; a malformed CDX answer is retried like a 5xx.
   */
  private async withRetries<T>(family: Family, url: string, signal: AbortSignal | undefined, accept: (res: RawResponse) => T | undefined): Promise<T> {
    let attempt = 0;
    let lastCause = '';
    for (;;) {
      if (attempt >= this.maxAttempts) throw new RetriesExhaustedError(url, attempt, lastCause);
      // A connection first, then the politeness slot: a request that got its slot is sent at
      // once. Queued behind a busy pool instead, it could leave after a 429 had paused everyone.
      const releaseConnection = await this.connections.acquire(signal);
      let res: RawResponse;
      try {
        await this.politeness.slot(family, signal);
        res = await this.send(url, signal);
      } catch (error) {
        releaseConnection();
        const failure = classify(error);
        if (!failure) { this.politeness.release(); throw error; }
        lastCause = `connection ${failure}`;
        const delay = this.politeness.connectionFailed(family, attempt++, failure);
        await this.politeness.wait(delay, signal);
        continue;
      }
      releaseConnection();
      if (res.status === 429) {
        // WAYBACK: 429 comes without Retry-After; keep sending for a minute and the IP is blocked
        // at the firewall for an hour (edgi issue 137). The pause covers every worker.
        this.politeness.rateLimited(family);
        lastCause = 'HTTP 429';
        continue;
      }
      if (res.status >= 500) {
        lastCause = `HTTP ${res.status}`;
        await this.politeness.wait(this.politeness.serverError(family, attempt++, res.status), signal);
        continue;
      }
      let value: T | undefined;
      try {
        value = accept(res);
      } catch (error) {
        if (!(error instanceof CdxMalformedError)) { this.politeness.succeeded(); throw error; }
        lastCause = error.message;
      }
      if (value === undefined) {
        lastCause ||= `HTTP ${res.status} without Memento-Datetime (a page of the service, not a capture)`;
        await this.politeness.wait(this.politeness.serverError(family, attempt++, res.status), signal);
        continue;
      }
      this.politeness.succeeded();
      return value;
    }
  }

  private async send(url: string, signal: AbortSignal | undefined): Promise<RawResponse> {
    const { origin } = new URL(url);
    const options: Dispatcher.RequestOptions = {
      origin,
      // The path exactly as built: the original inside a memento URL is never re-encoded.
      path: url.slice(origin.length),
      method: 'GET',
      headers: { 'user-agent': this.userAgent, 'accept-encoding': 'gzip, deflate' },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      ...(signal ? { signal } : {}),
    };
    const res = await this.dispatcher.request(options);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxBodyBytes) {
        res.body.destroy();
        throw new WaybackRequestError(url, res.statusCode, `body larger than ${this.maxBodyBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    let body: Uint8Array = Buffer.concat(chunks, size);
    // WAYBACK: ask only for gzip and deflate (Brotli broke Node clients: birbwatcher PR 8); this
    // removes the transport encoding only. A payload that is gzip itself stays as it is: the
    // extractor sniffs it (edgi wayback issue 309).
    const encoding = header(res.headers, 'content-encoding')?.toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') body = gunzipSync(body, { maxOutputLength: this.maxBodyBytes });
    else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: this.maxBodyBytes });
    return { status: res.statusCode, headers: res.headers, body };
  }
}

/** A Date → 14-digit UTC timestamp. */
export function toTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
