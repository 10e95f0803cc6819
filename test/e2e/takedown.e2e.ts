/**
 * A takedown in a real browser (issue 17): the article is found, `takedowns.yaml` lists it and
 * `salvage index` runs while the reader serves; then search no longer finds it and its address
 * shows the tombstone (410), accessible and with no request leaving loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildIndex } from '../../src/search/index.js';
import { TAKEDOWNS_FILE } from '../../src/markdown/index.js';
import {
  UNIQUE_WORD,
  axeViolations,
  launchBrowser,
  offLoopback,
  openPage,
  skipReason,
  startReader,
  writeFixtureArchive,
  type RunningReader,
  type WatchedPage,
} from './harness.js';

const skip = skipReason();
if (skip !== undefined) console.log(`takedown e2e SKIPPED: ${skip}`);

/** The fixture article holding UNIQUE_WORD. */
const ID = 32787;

describe('a takedown in chromium', { skip: skip ?? false }, () => {
  let dir: string;
  let server: RunningReader;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-e2e-takedown-'));
    writeFixtureArchive(dir);
    server = await startReader({ dir });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const w of pages) assert.deepEqual(offLoopback(w.requests), [], 'no request leaves loopback');
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('the article leaves search and its address shows why it was removed', async () => {
    const w = await openPage(browser);
    pages.push(w);
    const { page } = w;
    const searchUrl = `${server.origin}/search/?q=${encodeURIComponent(UNIQUE_WORD)}`;
    await page.goto(searchUrl);
    assert.equal(await page.locator(`main ol.items a[href="/article/${ID}/"]`).count(), 1, 'found before');

    writeFileSync(
      join(dir, TAKEDOWNS_FILE),
      `- id: ${ID}\n  date: 2026-12-01\n  reason: 應當事人要求移除\n  by: 存檔編輯部\n`,
    );
    buildIndex(dir); // the running reader sees the new index on its next request

    await page.goto(searchUrl);
    assert.equal(await page.locator('main ol.items a').count(), 0, 'gone from search');
    assert.match(await page.locator('main').innerText(), /找不到符合的文章/);

    const response = await page.goto(`${server.origin}/article/${ID}/`);
    assert.equal(response?.status(), 410);
    assert.equal(await page.locator('h1').innerText(), '文章已移除');
    const text = await page.locator('main').innerText();
    assert.match(text, /陳肇始預料約500萬名市民參與全民檢測/, 'the title names what was removed');
    assert.match(text, /2026-12-01/);
    assert.match(text, /應當事人要求移除/);
    assert.doesNotMatch(text, new RegExp(UNIQUE_WORD), 'none of its text');
    assert.deepEqual(await axeViolations(page), []);
  });
});
