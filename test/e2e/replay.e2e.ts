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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildIndex } from '../../src/search/index.js';
import { parseArchiveFile } from '../../src/markdown/index.js';
import { exportSite, writeWacz } from '../../src/export/index.js';
import { rescueDemo } from '../helpers/demo-rescue.js';
import { offLoopback, skipReason } from './harness.js';
import { leftTheMirror, watchMirror, type WatchedMirror } from './static-host.js';

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

describe('the page as captured, replayed in the mirror (chromium)', { skip: skip ?? false }, () => {
  let work: string;
  let watched: WatchedMirror | undefined;
  let browser: Browser;
  /** The mirror's address: origin and PREFIX. */
  let mirror: string;
  /** Every request the browser sent to the network (the proxy's log). */
  let network: string[] = [];
  /** Every request the pages and the service worker made (playwright's context events). */
  const requests: string[] = [];
  const policyViolations: string[] = [];
  const titles = new Map<number, string>();

  before(async () => {
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'salvage-e2e-replay-'));
    const dir = join(work, 'archive');
    assert.equal((await rescueDemo(dir, { timeScale: SCALE })).pages.stop, 'complete');
    buildIndex(dir);
    for (const id of ARTICLES) {
      const lo = Math.floor((id - 1) / 1000) * 1000 + 1;
      const path = `articles/${lo}-${lo + 999}/article_${id}.md`;
      titles.set(id, parseArchiveFile(readFileSync(join(dir, path), 'utf8'), path).title);
    }
    const wacz = join(work, 'demo.wacz');
    // One main page: the articles replayed are listed in extraPages.jsonl only, which ReplayWeb.page
    // does not load before a replay (wacz-pages.ts PageSplit); the replay finds them by the index.
    const written = await writeWacz(dir, wacz, { mainPages: 1 });
    assert.equal(written.mainPages, 1);
    const report = await exportSite(dir, { out: join(work, 'site'), basePath: PREFIX, wacz });
    assert.equal(report.replay?.notInWacz, 0, 'the WACZ of the captures holds every article');
    watched = await watchMirror(join(work, 'site'), PREFIX);
    ({ mirror, network, browser } = watched);
    console.log(`replay e2e: archive, WACZ and export ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await watched?.close();
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
    assert.deepEqual(
      leftTheMirror(network, mirror),
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
