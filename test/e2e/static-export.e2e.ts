/**
 * The static export in a real browser (Debian chromium via playwright-core, headless, loopback
 * only): `salvage export-site` of the e2e fixture served by a plain static file server with the
 * reader's CSP under a path prefix (as a GitHub Pages project site is: /mirror/archive/); search
 * runs in the page (assets/static-search.js over search-index/), a result opens, its day page
 * lists it, the lookup page finds an article from a U+FFFD URL, a missing address gets the 404
 * page with working links, and no request leaves loopback or the prefix.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildIndex } from '../../src/search/index.js';
import { securityHeaders } from '../../src/reader/index.js';
import { exportSite } from '../../src/export/index.js';
import { leastCompactFiles } from '../helpers/least-files.js';
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
import { listen, serveStatic } from './static-host.js';

const skip = skipReason();
if (skip !== undefined) console.log(`static export e2e SKIPPED: ${skip}`);

/** Where the site is served: not the host's root, so a root link (`/assets/…`) would miss. */
const PREFIX = '/mirror/archive/';

/** The site on a static host that sends the reader's CSP. */
async function serveFolder(root: string): Promise<{ origin: string; server: Server }> {
  const server = serveStatic(root, { prefix: PREFIX, headers: securityHeaders(false) });
  return { origin: `http://${await listen(server)}`, server };
}

/**
 * Console errors but the 404 status of a compact export's assembled pages (a static host answers
 * their addresses with 404.html; Chrome logs the status).
 */
const realErrors = (errors: readonly string[]): string[] => errors.filter((e) => !/status of 404/.test(e));

for (const variant of ['full', 'compact'] as const)
  describe(`static export (${variant}) in chromium`, { skip: skip ?? false }, () => {
    let work: string;
    /** The site's address: the server's origin and PREFIX, without its last slash. */
    let origin: string;
    let server: Server;
    let browser: Browser;
    const pages: WatchedPage[] = [];

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'salvage-static-e2e-'));
      const dir = join(work, 'archive');
      writeFixtureArchive(dir);
      buildIndex(dir);
      // Compact with the least limit it accepts: every article, tag, author and category page is
      // assembled in the browser from page data.
      const compact =
        variant === 'compact' ? { maxFiles: await leastCompactFiles(dir, join(work, 'refused')) } : undefined;
      await exportSite(dir, {
        out: join(work, 'site'),
        basePath: PREFIX,
        ...(compact !== undefined ? { compact } : {}),
      });
      let host: string;
      ({ origin: host, server } = await serveFolder(join(work, 'site')));
      origin = host + PREFIX.slice(0, -1);
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
      const title = await page.locator('h1').innerText();
      assert.ok(title.length > 0);
      assert.ok((await page.title()).startsWith(title), 'the tab shows the article title');
      // Its day page lists it.
      await Promise.all([
        page.waitForURL(/\/mirror\/archive\/date\/\d{4}\/\d{2}\/\d{2}\/$/),
        page.locator('.article-meta time').first().click(),
      ]);
      await page.locator('.item-title a', { hasText: title }).first().waitFor();
      // The stylesheet applied (a root link would have missed it under the prefix): the skip link
      // is moved off screen by it.
      const skipBox = await page.locator('a.skip-link').boundingBox();
      assert.ok(skipBox === null || skipBox.y < 0 || skipBox.x < 0, 'the stylesheet hides the skip link');
      assert.deepEqual(realErrors(w.consoleErrors), []);
    });

    test('a missing address gets the 404 page, whose links stay in the site', async () => {
      const w = await openPage(browser);
      pages.push(w);
      const response = await w.page.goto(`${origin}/no/such/page/`);
      assert.equal(response?.status(), 404);
      await Promise.all([
        w.page.waitForURL(`${origin}/search/`),
        w.page.locator('main a[href$="/search/"]').first().click(),
      ]);
      await w.page.locator('form.search input[name="q"]').waitFor();
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
      assert.deepEqual(realErrors(w.consoleErrors), []);
    });

    test('look up an original URL whose slug is U+FFFD', async () => {
      const w = await openPage(browser);
      pages.push(w);
      await w.page.goto(`${origin}/lookup/`);
      await w.page.locator('input[name="url"]').fill(FFFD_SLUG_PASTED);
      await Promise.all([w.page.waitForURL(/\/article\/31337\/$/), w.page.locator('input[name="url"]').press('Enter')]);
      await w.page.locator('.provenance').waitFor();
    });

    if (variant === 'compact')
      test('an assembled page answers its address without the final slash, and keeps its fragment', async () => {
        const w = await openPage(browser);
        pages.push(w);
        await w.page.goto(`${origin}/article/31337#cite-heading`);
        await w.page.locator('h1').waitFor();
        assert.equal(w.page.url(), `${origin}/article/31337/#cite-heading`);
        assert.equal(await w.page.locator('.provenance a').first().getAttribute('rel'), 'noopener noreferrer nofollow');
        // The enhancement script ran on the assembled page (copy buttons on the citations).
        await w.page.locator('.cite button').first().waitFor();
        assert.deepEqual(realErrors(w.consoleErrors), []);
      });

    test('no request left loopback or the site', () => {
      for (const w of pages) {
        assert.deepEqual(offLoopback(w.requests), []);
        assert.deepEqual(
          w.requests.filter((r) => !new URL(r).pathname.startsWith(PREFIX)),
          [],
          'every request stays under the prefix',
        );
      }
    });
  });
