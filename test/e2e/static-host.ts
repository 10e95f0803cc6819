/**
 * A plain static host for exported mirrors, as GitHub Pages or any file server is: files as they
 * are under a path prefix, `a/b/` → `a/b/index.html`, `404.html` (status 404) for the rest, and
 * single byte ranges (ReplayWeb.page reads a WACZ's directory with a suffix range, then its
 * records with ranges). Also the recording proxy that proves no request leaves the mirror, and
 * the chromium flags that keep the browser's own services off the network. Used by the browser
 * tests and by `npm run bench:replay`.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './harness.js';

export const MIRROR_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wacz': 'application/zip',
  '.bin': 'application/octet-stream',
};

export interface StaticHostOptions {
  /** Where the site is served, with both slashes: not the host's root, so a root link would miss. */
  prefix: string;
  /** Headers added to every answer (a host that sends the reader's CSP, say). */
  headers?: Record<string, string>;
}

/** The static host of `root` (see the module's comment). Not listening yet: `listen` it. */
export function serveStatic(root: string, options: StaticHostOptions): Server {
  const base = resolve(root) + sep;
  const { prefix } = options;
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.startsWith(prefix) ? resolve(root, `.${path.slice(prefix.length - 1)}`) : '';
    if (path.endsWith('/')) file = join(file, 'index.html');
    let size: number;
    let status = 200;
    try {
      if (!file.startsWith(base) || !statSync(file).isFile()) throw new Error('not a file');
      size = statSync(file).size;
    } catch {
      file = join(root, '404.html');
      size = statSync(file).size;
      status = 404;
    }
    const headers: Record<string, string> = {
      'Content-Type': MIRROR_TYPES[extname(file)] ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ...options.headers,
    };
    const range = status === 200 ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '') : null;
    let [start, end] = [0, size - 1];
    if (range !== null && (range[1] !== '' || range[2] !== '')) {
      // `bytes=a-b`, `bytes=a-`, or the suffix `bytes=-n` (the last n bytes: how a ZIP's end is read).
      [start, end] =
        range[1] === ''
          ? [Math.max(0, size - Number(range[2])), size - 1]
          : [Number(range[1]), range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1)];
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    res.writeHead(status, { ...headers, 'Content-Length': String(end - start + 1) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
}

/**
 * The browser's proxy: every request it makes comes here (loopback included with
 * `--proxy-bypass-list=<-loopback>`), is recorded in `seen`, and only those to `allowed`
 * (host:port) are passed on; others get a 403, and a CONNECT (https) is refused outright.
 */
export function recordingProxy(allowed: string, seen: string[]): Server {
  const proxy = createServer((req, res) => {
    const url = req.url ?? '';
    seen.push(url);
    const target = URL.canParse(url) ? new URL(url) : undefined;
    if (target === undefined || target.host !== allowed) {
      res.writeHead(403).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  return proxy;
}

/** Listen on 127.0.0.1, port chosen by the system; resolves to `host:port`. */
export const listen = (server: Server): Promise<string> =>
  new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`127.0.0.1:${(server.address() as AddressInfo).port}`)));

/** Close `server` and its open connections. */
export const closeServer = (server: Server | undefined): Promise<void> =>
  new Promise((ok) => {
    if (server === undefined) return ok();
    server.closeAllConnections();
    server.close(() => ok());
  });

/**
 * Chromium's own services (account sign-in, push messaging, field trials, the search engine) talk
 * to Google whatever the page, even on about:blank (measured here, chromium 150: accounts, www
 * and android.clients.google.com). Their addresses are moved to hosts under `.invalid` (RFC 6761:
 * never resolves), so the proxy's log tells them apart from anything the mirror asks for, and the
 * preconnect to the search engine and autofill's queries are turned off. `--disable-features` repeats playwright-core's
 * own list (a second switch replaces the first) and adds PreconnectToSearch.
 */
export const BROWSER_SERVICE_HOSTS = [
  'gaia.invalid',
  'google.invalid',
  'gcm.invalid',
  'mcs.invalid',
  'variations.invalid',
];
export const BROWSER_SERVICE_ARGS = [
  '--gaia-url=http://gaia.invalid',
  '--google-base-url=http://google.invalid',
  '--gcm-checkin-url=http://gcm.invalid/checkin',
  '--gcm-mcs-endpoint=http://mcs.invalid',
  '--variations-server-url=http://variations.invalid',
  `--disable-features=${[
    'AvoidUnnecessaryBeforeUnloadCheckSync',
    'DestroyProfileOnBrowserClose',
    'DialMediaRouteProvider',
    'GlobalMediaControls',
    'HttpsUpgrades',
    'LensOverlay',
    'MediaRouter',
    'PaintHolding',
    'ThirdPartyStoragePartitioning',
    'BlockOriginHeaderModificationOnRedirect',
    'AvoidCorsURLLoaderRestartOnRedirect',
    'Translate',
    'AutoDeElevate',
    'OptimizationHints',
    'NetworkTimeServiceQuerying',
    'AimEnabled',
    'PreconnectToSearch',
    // Autofill asks Google about any page with a form (the mirror's search box).
    'AutofillServerCommunication',
  ].join(',')}`,
];

/** Which entry of the proxy's log is to a host other than the mirror and the browser's own services. */
export function leftTheMirror(network: readonly string[], mirror: string): string[] {
  const hostOf = (entry: string): string =>
    entry.startsWith('CONNECT ') ? entry.slice('CONNECT '.length).split(':')[0]! : new URL(entry).hostname;
  return network.filter((entry) => !entry.startsWith(mirror) && !BROWSER_SERVICE_HOSTS.includes(hostOf(entry)));
}

/** A mirror served on loopback and a browser whose every request goes through a recording proxy. */
export interface WatchedMirror {
  /** The mirror's address: origin and prefix. */
  mirror: string;
  /** Every request the browser sent to the network (the proxy's log; the service worker's too). */
  network: string[];
  browser: Browser;
  close: () => Promise<void>;
}

/**
 * Serve `site` under `prefix` (serveStatic), put the recording proxy in front, and launch
 * chromium headless with every request through the proxy, loopback included (`<-loopback>`:
 * chromium bypasses the proxy for loopback by default), and its own services sent nowhere.
 */
export async function watchMirror(site: string, prefix: string): Promise<WatchedMirror> {
  const host = serveStatic(site, { prefix });
  const hostAddress = await listen(host);
  const network: string[] = [];
  const proxy = recordingProxy(hostAddress, network);
  const proxyAddress = await listen(proxy);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      ...BROWSER_SERVICE_ARGS,
      `--proxy-server=http://${proxyAddress}`,
      '--proxy-bypass-list=<-loopback>',
    ],
  });
  return {
    mirror: `http://${hostAddress}${prefix}`,
    network,
    browser,
    close: async () => {
      await browser.close();
      await closeServer(host);
      await closeServer(proxy);
    },
  };
}
