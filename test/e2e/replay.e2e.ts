/**
 * The page as captured, replayed in the mirror (issue 18): the demo site rescued from the local
 * Wayback simulator, its captures packed as a WACZ, exported with `--wacz` and served by a plain
 * static host (range requests, no CSP header, like GitHub Pages) under a path prefix. In real
 * chromium an article page's "the page as captured" link opens the replay page, ReplayWeb.page
 * (its service worker reading the WACZ from the mirror) replays the capture, and the article's
 * headline shows inside it; the replay page's link leads back to the article. Every request the
 * browser makes goes through a recording proxy (the service worker's too: they are the
 * browser's own network requests, which a page's request events do not all see); the test fails
 * on any that is not to the mirror on loopback, or that the replay page's policy refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { rescue } from '../../src/crawl/index.js';
import { startWaybackSimulator } from '../../src/devtools/wayback-sim/index.js';
import { buildIndex } from '../../src/search/index.js';
import { hkcnews } from '../../src/sites/index.js';
import { Politeness, WaybackClient } from '../../src/wayback/index.js';
import { parseArchiveFile } from '../../src/markdown/index.js';
import { exportSite, writeWacz } from '../../src/export/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, offLoopback, skipReason } from './harness.js';

const skip = skipReason();
if (skip !== undefined) console.log(`replay e2e SKIPPED: ${skip}`);
const SCALE = 500;
/** Where the mirror is served: not the host's root, so a root link would miss (as on a GitHub Pages project site). */
const PREFIX = '/mirror/archive/';
/**
 * Articles to open: a 2017 page (its own layout) and one whose original URL is U+FFFD escapes
 * (the replay must find its capture under the URL exactly as the WARC names it).
 */
const ARTICLES = [1309, 36504];
/** Bounds of the waits (none is a sleep): a replay took ~2 s here; the first one registers the service worker. */
const REPLAY_TIMEOUT_MS = 60_000;

/**
 * Chromium's own services (account sign-in, push messaging, field trials, the search engine) talk
 * to Google whatever the page, even on about:blank (measured here, chromium 150: accounts, www
 * and android.clients.google.com). Their addresses are moved to hosts under `.invalid` (RFC 6761:
 * never resolves), so the proxy's log tells them apart from anything the mirror asks for, and the
 * preconnect to the search engine and autofill's queries are turned off. `--disable-features` repeats playwright-core's
 * own list (a second switch replaces the first) and adds PreconnectToSearch.
 */
const BROWSER_SERVICE_HOSTS = ['gaia.invalid', 'google.invalid', 'gcm.invalid', 'mcs.invalid', 'variations.invalid'];
const BROWSER_SERVICE_ARGS = [
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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wacz': 'application/zip',
};

/** A static host of `root` under PREFIX: files as they are, `a/b/` → `a/b/index.html`, single byte ranges, 404.html otherwise. */
function serveSite(root: string): Server {
  const base = resolve(root) + sep;
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.startsWith(PREFIX) ? resolve(root, `.${path.slice(PREFIX.length - 1)}`) : '';
    if (path.endsWith('/')) file = join(file, 'index.html');
    let size: number;
    try {
      if (!file.startsWith(base) || !statSync(file).isFile()) throw new Error('not a file');
      size = statSync(file).size;
    } catch {
      res.writeHead(404, { 'Content-Type': TYPES['.html'] }).end(readFileSync(join(root, '404.html')));
      return;
    }
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let [start, end, status] = [0, size - 1, 200];
    if (range !== null) {
      // `bytes=a-b`, `bytes=a-`, or the suffix `bytes=-n` (the last n bytes: how a ZIP's end is read).
      [start, end] =
        range[1] === ''
          ? [Math.max(0, size - Number(range[2])), size - 1]
          : [Number(range[1]), range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1)];
      status = 206;
      Object.assign(headers, { 'Content-Range': `bytes ${start}-${end}/${size}` });
    }
    res.writeHead(status, { ...headers, 'Content-Length': String(end - start + 1) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
}

/**
 * The browser's proxy: every request it makes comes here (loopback included: `<-loopback>`),
 * is recorded, and only those to `allowed` (host:port) are passed on; others get a 403, and a
 * CONNECT (https) is refused outright.
 */
function recordingProxy(allowed: string, seen: string[]): Server {
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

const listen = (server: Server): Promise<string> =>
  new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server | undefined): Promise<void> =>
  new Promise((ok) => {
    if (server === undefined) return ok();
    server.closeAllConnections();
    server.close(() => ok());
  });

describe('the page as captured, replayed in the mirror (chromium)', { skip: skip ?? false }, () => {
  let work: string;
  let host: Server;
  let proxy: Server;
  let browser: Browser;
  /** The mirror's address: origin and PREFIX. */
  let mirror: string;
  /** Every request the browser sent to the network (the proxy's log). */
  const network: string[] = [];
  /** Every request the pages and the service worker made (playwright's context events). */
  const requests: string[] = [];
  const policyViolations: string[] = [];
  const titles = new Map<number, string>();

  before(async () => {
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'salvage-e2e-replay-'));
    const dir = join(work, 'archive');
    const sim = await startWaybackSimulator({
      siteDir: resolve(import.meta.dirname, '../../demo/site'),
      timeScale: SCALE,
    });
    const client = new WaybackClient({
      baseUrl: sim.url,
      politeness: new Politeness({ timeScale: SCALE }),
      timeoutMs: 60_000 / SCALE,
    });
    try {
      assert.equal((await rescue({ site: hkcnews, outDir: dir, client })).stop, 'complete');
    } finally {
      await client.close();
      await sim.close();
    }
    buildIndex(dir);
    for (const id of ARTICLES) {
      const lo = Math.floor((id - 1) / 1000) * 1000 + 1;
      const path = `articles/${lo}-${lo + 999}/article_${id}.md`;
      titles.set(id, parseArchiveFile(readFileSync(join(dir, path), 'utf8'), path).title);
    }
    const wacz = join(work, 'demo.wacz');
    await writeWacz(dir, wacz);
    const report = await exportSite(dir, { out: join(work, 'site'), basePath: PREFIX, wacz });
    assert.equal(report.replay?.notInWacz, 0, 'the WACZ of the captures holds every article');
    host = serveSite(join(work, 'site'));
    const hostAddress = await listen(host);
    mirror = `http://${hostAddress}${PREFIX}`;
    proxy = recordingProxy(hostAddress, network);
    const proxyAddress = await listen(proxy);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      // `<-loopback>`: loopback goes through the proxy too (chromium bypasses it by default).
      args: [
        ...CHROMIUM_ARGS,
        ...BROWSER_SERVICE_ARGS,
        `--proxy-server=http://${proxyAddress}`,
        '--proxy-bypass-list=<-loopback>',
      ],
    });
    console.log(`replay e2e: archive, WACZ and export ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await browser?.close();
    await close(host);
    await close(proxy);
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  for (const id of ARTICLES)
    test(`article ${id}: "the page as captured" replays its capture from the mirror, headline shown, and leads back`, async () => {
      const started = Date.now();
      const context = await browser.newContext({ locale: 'zh-HK' });
      context.on('request', (r) => requests.push(r.url()));
      try {
        const page = await context.newPage();
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) policyViolations.push(m.text());
        });
        await page.goto(`${mirror}article/${id}/`);
        const title = titles.get(id)!; // set for every id in before()
        await Promise.all([page.waitForURL(/\/replay\/#url=/), page.locator('a.captured-page').click()]);
        // ReplayWeb.page's frame (served by its service worker), then the replayed page inside it.
        const replayed = page.frameLocator('replay-web-page iframe').frameLocator('iframe');
        await replayed.locator('h1', { hasText: title }).first().waitFor({ timeout: REPLAY_TIMEOUT_MS });
        console.log(`replay e2e: article ${id} replayed in ${Date.now() - started} ms`);
        // The replay page's own link leads back to the article (through the lookup page).
        const back = page.locator('#replay-article');
        await back.waitFor({ state: 'visible' });
        await Promise.all([page.waitForURL(new RegExp(`/article/${id}/$`)), back.click()]);
        assert.equal(await page.locator('h1').first().innerText(), title);
      } finally {
        await context.close();
      }
    });

  test('no request left the mirror, and the replay page refused nothing it needed', () => {
    assert.ok(network.length > 0 && requests.length > 0, 'requests were recorded');
    const hostOf = (entry: string): string =>
      entry.startsWith('CONNECT ') ? entry.slice('CONNECT '.length).split(':')[0]! : new URL(entry).hostname;
    assert.deepEqual(
      network.filter((entry) => !entry.startsWith(mirror) && !BROWSER_SERVICE_HOSTS.includes(hostOf(entry))),
      [],
      "every request the browser sent went to the mirror (or was the browser's own service, sent nowhere)",
    );
    assert.deepEqual(offLoopback(requests), []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith(mirror)),
      [],
      'every request the pages and the worker made is under the prefix',
    );
    assert.ok(
      network.some((url) => url.startsWith(`${mirror}replay/archive.wacz`)),
      'the WACZ was read from the mirror',
    );
    assert.deepEqual(policyViolations, []);
  });
});
