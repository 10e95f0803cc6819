/**
 * The loopback HTTP server: routing, the order in which the service's defences apply (firewall
 * block, rate limit, outage, User-Agent check, faults), and blocks that look like a firewall.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { answerCdx } from './cdx-query.js';
import { FaultPlanner, type FaultDecision } from './faults.js';
import {
  resolveSimulatorOptions,
  type ResolvedSimulatorOptions,
  type SimulatorOptions,
  type UrlFault,
} from './options.js';
import { RateLimiter, type Family } from './rate-limit.js';
import { answerReplay, BLOCKED_SITE_HTML, EXCLUDED_HTML, html, NOT_ARCHIVED_HTML } from './replay.js';
import { loadSite, type Site } from './site.js';
import { countCaptureFetch, countResponse, emptyStats, snapshotStats, type SimStats } from './stats.js';

const gzipAsync = promisify(gzip);

/** A running simulator. */
export interface WaybackSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash); stays the same across blocks. */
  readonly url: string;
  /** A copy of the counters since start or the last `resetStats()`. */
  stats(): SimStats;
  /** Zeroes the counters (not the rate-limit, block or fault state). */
  resetStats(): void;
  /** Stops listening, destroys open connections and cancels pending timers. */
  close(): Promise<void>;
}

const CDX_PATH = '/cdx/search/cdx';
const WEB_PREFIX = '/web/';
const STATS_PATH = '/__sim/stats';
/** Wait between attempts to listen again on the same port after a block (another socket may hold it briefly). */
const RELISTEN_RETRY_MS = 50;
const ACCEPTS_GZIP = /\bgzip\b/i;
/** A `huge` URL fault streams at most this much (1 GiB), so a client without a cap still ends. */
export const HUGE_BODY_MAX_BYTES = 1024 ** 3;
/** Chunk of a `huge` body. */
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x61);
const HTML_TYPE = 'text/html; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** nginx-style error pages, as the service's front end sends them. */
const STATUS_PAGES: Record<number, string> = {
  400: '<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center></body></html>\n',
  404: '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>\n',
  405: '<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center></body></html>\n',
  429: '<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center></body></html>\n',
  500: '<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>\n',
  502: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n',
  503: '<!DOCTYPE html><html><head><title>Temporarily Offline</title></head><body><h1>Temporarily Offline</h1><p>Internet Archive services are temporarily offline.</p></body></html>\n',
  504: '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>\n',
};

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  captureKey?: string | undefined;
  /** True when the drawn fault (truncated JSON, lying gzip) could be applied to this answer. */
  faulted?: boolean;
}

/** A bug or an unreadable body file: 500 with the reason, so the test that met it can say why. */
const internalError = (error: unknown): Reply => ({
  status: 500,
  headers: { 'content-type': TEXT_TYPE },
  body: Buffer.from(`simulator error: ${error instanceof Error ? error.message : String(error)}\n`),
});

const page = (status: number): Reply => ({
  status,
  headers: { 'content-type': HTML_TYPE },
  body: Buffer.from(STATUS_PAGES[status] ?? `${status}\n`, 'utf8'),
});

/** Loads the site directory and starts listening; see SimulatorOptions for every option. */
export async function startWaybackSimulator(options: SimulatorOptions): Promise<WaybackSimulator> {
  const resolved = resolveSimulatorOptions(options);
  const site = await loadSite(resolved.siteDir);
  const simulator = new Simulator(resolved, site);
  await simulator.listen(resolved.port);
  return simulator;
}

class Simulator implements WaybackSimulator {
  url = '';
  private counters: SimStats = emptyStats();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly limiter: RateLimiter;
  private readonly faults: FaultPlanner;
  private port = 0;
  private blocked = false;
  private closed = false;
  private serverClosed: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ResolvedSimulatorOptions,
    private readonly site: Site,
  ) {
    this.limiter = new RateLimiter(options);
    this.faults = new FaultPlanner(options.faults, options.seed, options.timeScale);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.send(req, res, internalError(error)));
    });
    this.server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  stats(): SimStats {
    return snapshotStats(this.counters);
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the simulator has no TCP address');
    this.port = address.port;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url ||= `http://${this.options.host === 'localhost' ? 'localhost' : host}:${this.port}`;
    this.serverClosed = new Promise((resolve) => this.server.once('close', () => resolve()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.server.listening) this.server.close();
    for (const socket of this.sockets) socket.destroy();
    await this.serverClosed;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private onConnection(socket: Socket): void {
    if (this.blocked) {
      // blockMode 'reset': the port stays open and each attempt is torn down with a TCP RST.
      this.counters.refusedConnections++;
      socket.resetAndDestroy();
      return;
    }
    this.counters.connectionsOpened++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /**
   * WAYBACK: a blocked IP sees refused connections and timeouts, not HTTP (WAYBACK.md, rate
   * limits: hartator/wayback-machine-downloader issues 264, 267, 273, 275). In blockMode
   * 'refuse' the listening socket is closed for the block (ECONNREFUSED) and reopened on the same
   * port; in 'reset' every new connection is destroyed (ECONNRESET) and counted.
   */
  private startBlock(): void {
    if (this.blocked || this.closed) return;
    const ms = this.limiter.startBlock();
    this.counters.blocks.count++;
    this.counters.blocks.totalMs += ms;
    this.blocked = true;
    if (this.options.blockMode === 'refuse') this.server.close();
    for (const socket of this.sockets) socket.destroy();
    this.later(ms, () => void this.endBlock());
  }

  private async endBlock(): Promise<void> {
    if (this.options.blockMode === 'refuse') {
      await this.serverClosed;
      while (!this.closed) {
        try {
          await this.listen(this.port);
          break;
        } catch {
          await new Promise<void>((resolve) => this.later(RELISTEN_RETRY_MS, resolve));
        }
      }
    }
    this.blocked = false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = performance.now();
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    if (pathname === STATS_PATH) {
      // Not counted: reading the stats must not change them.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.counters) + '\n');
      return;
    }
    const family: Family | 'other' = pathname.startsWith('/cdx/')
      ? 'cdx'
      : pathname.startsWith(WEB_PREFIX)
        ? 'capture'
        : 'other';
    this.counters.requests[family]++;
    if (family === 'other') return this.send(req, res, page(404));
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(req, res, page(405));

    if (this.limiter.inPause(family, now)) this.counters.requestsDuringPause[family]++;
    // WAYBACK: over the limit the service answers 429 without Retry-After (WAYBACK.md, rate limits).
    if (!this.limiter.admit(family, now)) return this.tooManyRequests(req, res, family, now);

    const outage = this.faults.outage(now);
    if (outage !== undefined) {
      this.counters.faultsInjected.outage++;
      return this.send(req, res, page(outage.status));
    }
    // WAYBACK: requests without a User-Agent get HTTP 400 (WAYBACK.md, rate limits: hahwul/urx PR 264).
    if (req.headers['user-agent'] === undefined || req.headers['user-agent'] === '')
      return this.send(req, res, page(400));

    const urlFault = this.options.urlFaults.find((f) => target.includes(f.contains));
    if (urlFault !== undefined) return this.applyUrlFault(req, res, target, urlFault);

    const params = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    const key = `${req.method} ${target}`;
    const fault = this.faults.decide(family, key, family === 'cdx' && params.get('output') === 'json');
    if (fault.type === 'serverError') {
      this.faults.settle(key, true);
      this.counters.faultsInjected.serverError++;
      return this.send(req, res, page(fault.status));
    }
    if (fault.type === 'spurious429') {
      this.faults.settle(key, true);
      this.counters.faultsInjected.spurious429++;
      return this.tooManyRequests(req, res, family, now);
    }

    const reply = family === 'cdx' ? await this.cdx(req, pathname, params, fault) : await this.replay(target, fault);
    const applied = fault.type === 'slow' || fault.type === 'reset' || reply.faulted === true;
    this.faults.settle(key, applied);
    if (!applied || fault.type === 'none') return this.send(req, res, reply);
    this.counters.faultsInjected[fault.type]++;
    if (fault.type === 'slow') return this.later(fault.delayMs, () => this.send(req, res, reply));
    if (fault.type === 'reset') return this.sendThenReset(res, reply, fault.cutFraction);
    return this.send(req, res, reply);
  }

  /** A fault of one URL (options.urlFaults): the same on every attempt, whatever the seed. */
  private async applyUrlFault(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    fault: UrlFault,
  ): Promise<void> {
    this.counters.urlFaultsInjected[fault.contains] = (this.counters.urlFaultsInjected[fault.contains] ?? 0) + 1;
    const replay = target.startsWith(WEB_PREFIX);
    switch (fault.fault) {
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        return; // the socket stays open until the client gives up or close()
      case 'huge':
        break;
      // WAYBACK: the answers of real recordings (WAYBACK.md, answers seen in real recordings):
      // an excluded URL is a 200 page without Memento-Datetime; a blocked site is a 403 naming
      // AdministrativeAccessControlException; "not archived" is the service's 404 page.
      case 'excluded':
        return this.send(req, res, html(200, EXCLUDED_HTML));
      case 'blocked':
        return this.send(req, res, html(403, BLOCKED_SITE_HTML));
      case 'not-archived':
        return this.send(req, res, html(404, NOT_ARCHIVED_HTML));
      case 'wrong-encoding':
      case 'closest': {
        if (!replay) return this.send(req, res, page(404));
        const answer = await answerReplay(this.site, target.slice(WEB_PREFIX.length), this.url, {
          closestOnly: fault.fault === 'closest',
        });
        // WAYBACK: `Content-Encoding: gzip` over bytes that are not gzip (WAYBACK.md, answers seen in real recordings).
        if (fault.fault === 'wrong-encoding') answer.headers['content-encoding'] = 'gzip';
        return this.send(req, res, answer);
      }
    }
    countResponse(this.counters, 200);
    res.writeHead(200, { 'content-type': HTML_TYPE, 'memento-datetime': new Date(0).toUTCString() });
    let sent = 0;
    const pump = (): void => {
      while (!res.destroyed && sent < HUGE_BODY_MAX_BYTES) {
        sent += HUGE_CHUNK.length;
        if (!res.write(HUGE_CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  }

  private tooManyRequests(req: IncomingMessage, res: ServerResponse, family: Family, now: number): void {
    const block = this.limiter.record429(family, now);
    this.send(req, res, page(429));
    if (block) res.once('finish', () => this.startBlock());
  }

  private async cdx(
    req: IncomingMessage,
    pathname: string,
    params: URLSearchParams,
    fault: FaultDecision,
  ): Promise<Reply> {
    if (pathname !== CDX_PATH) return page(404);
    const answer = answerCdx(this.site, params, this.options.limits.cdxMaxRows);
    let text = answer.body;
    const headers: Record<string, string> = { 'content-type': answer.contentType };
    if (fault.type === 'truncatedJson' && answer.json) {
      // WAYBACK: a CDX answer can arrive cut short ("Unexpected end of JSON input"): an error to
      // retry, never an empty result (WAYBACK.md, CDX index: birbwatcher/wayback-machine-downloader issue 2).
      text = text.slice(0, Math.max(1, Math.floor(text.length * fault.cutFraction)));
    }
    let body = Buffer.from(text, 'utf8');
    // WAYBACK: the CDX server gzips its answers for clients that accept it (internetarchive/wayback
    // cdx-server HttpCDXWriter(response, gzip)).
    if (ACCEPTS_GZIP.test(req.headers['accept-encoding'] ?? '')) {
      body = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
      headers['vary'] = 'Accept-Encoding';
    }
    return { status: answer.status, headers, body, faulted: fault.type === 'truncatedJson' && answer.json };
  }

  private async replay(target: string, fault: FaultDecision): Promise<Reply> {
    const answer: Reply = await answerReplay(this.site, target.slice(WEB_PREFIX.length), this.url);
    if (fault.type === 'lyingGzip' && answer.captureKey !== undefined && answer.body.length > 0) {
      // WAYBACK: an id_ capture can arrive gzipped with no Content-Encoding; clients must sniff
      // the 1f 8b magic (WAYBACK.md, captures: edgi wayback issue 309).
      answer.body = await gzipAsync(answer.body);
      answer.faulted = true;
    }
    return answer;
  }

  private send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    countResponse(this.counters, reply.status);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
    const key = reply.captureKey;
    if (key !== undefined && req.method === 'GET' && reply.status >= 200 && reply.status < 400) {
      res.once('finish', () => countCaptureFetch(this.counters, key));
    }
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  /** Sends the headers and the first part of the body, then destroys the connection. */
  private sendThenReset(res: ServerResponse, reply: Reply, cutFraction: number): void {
    if (res.destroyed || res.headersSent) return;
    countResponse(this.counters, reply.status);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
    res.write(reply.body.subarray(0, Math.floor(reply.body.length * cutFraction)), () => res.socket?.destroy());
  }
}
