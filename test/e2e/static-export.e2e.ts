/**
 * The static export in a real browser (Debian chromium via playwright-core, headless, loopback
 * only): `salvage export-site` of the e2e fixture served by a plain static file server with the
 * reader's CSP; search runs in the page (assets/static-search.js over search-index/), a result
 * opens, the lookup page finds an article from a U+FFFD URL, and no request leaves loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { buildIndex } from '../../src/search/index.js';
import { securityHeaders } from '../../src/reader/index.js';
import { exportSite } from '../../src/export/index.js';
import {
  FFFD_SLUG_PASTED,
  UNIQUE_WORD,
  launchBrowser,
  offLoopback,
  openPage,
  skipReason,
  writeFixtureArchive,
  type WatchedPage,
} from './harness.js';

const skip = skipReason();
if (skip !== undefined) console.log(`static export e2e SKIPPED: ${skip}`);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** A static host: `/a/b/` → `a/b/index.html`, files as they are, 404.html for the rest. */
function serveFolder(root: string): Promise<{ origin: string; server: Server }> {
  const base = resolve(root) + sep;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = resolve(root, `.${path}${path.endsWith('/') ? 'index.html' : ''}`);
    let status = 200;
    try {
      if (!file.startsWith(base) || !statSync(file).isFile()) throw new Error('not a file');
    } catch {
      file = join(root, '404.html');
      status = 404;
    }
    res.writeHead(status, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...securityHeaders(false),
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe('static export in chromium', { skip: skip ?? false }, () => {
  let work: string;
  let origin: string;
  let server: Server;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'salvage-static-e2e-'));
    const dir = join(work, 'archive');
    writeFixtureArchive(dir);
    buildIndex(dir);
    await exportSite(dir, { out: join(work, 'site') });
    ({ origin, server } = await serveFolder(join(work, 'site')));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  test('search in the page: a result with its match marked, then open it', async () => {
    const w = await openPage(browser);
    pages.push(w);
    const { page } = w;
    await page.goto(`${origin}/search/`);
    await page.locator('form.search input[name="q"]').fill(UNIQUE_WORD);
    await Promise.all([page.waitForURL(/\/search\/\?q=/), page.locator('form.search button[type="submit"]').click()]);
    await page.locator('#search-results .item').first().waitFor();
    assert.match(await page.locator('#search-results .results-summary').innerText(), /^1 篇文章/);
    assert.equal(await page.locator('#search-results .item-snippet mark').first().innerText(), UNIQUE_WORD);
    assert.equal(await page.locator('form.search input[name="q"]').inputValue(), UNIQUE_WORD);
    await Promise.all([
      page.waitForURL(/\/article\/\d+\/$/),
      page.locator('#search-results .item-title a').first().click(),
    ]);
    assert.ok((await page.locator('h1').innerText()).length > 0);
    assert.deepEqual(w.consoleErrors, []);
  });

  test('a query string opens with its results; nothing found says so', async () => {
    const w = await openPage(browser);
    pages.push(w);
    await w.page.goto(`${origin}/search/?q=${encodeURIComponent(UNIQUE_WORD.slice(0, 2))}&sort=date&group=0`);
    await w.page.locator('#search-results .item').first().waitFor();
    assert.match(await w.page.locator('#search-results .results-summary').innerText(), /篇文章/);
    assert.equal(await w.page.locator('form.search select[name="sort"]').inputValue(), 'date');
    await w.page.goto(`${origin}/search/?q=${encodeURIComponent('不存在的詞語組合')}`);
    await w.page.locator('#search-results .results-summary').filter({ hasText: '找不到' }).waitFor();
    assert.deepEqual(w.consoleErrors, []);
  });

  test('look up an original URL whose slug is U+FFFD', async () => {
    const w = await openPage(browser);
    pages.push(w);
    await w.page.goto(`${origin}/lookup/`);
    await w.page.locator('input[name="url"]').fill(FFFD_SLUG_PASTED);
    await Promise.all([w.page.waitForURL(/\/article\/31337\/$/), w.page.locator('input[name="url"]').press('Enter')]);
  });

  test('no request left loopback', () => {
    for (const w of pages) assert.deepEqual(offLoopback(w.requests), []);
  });
});
