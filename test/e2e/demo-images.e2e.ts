/**
 * The offline demo's photographs in a real browser: the bundled demo site rescued with
 * `salvage archive` (pages, then images, from the local Wayback simulator), indexed and served.
 * An article shows its photographs from the archive itself, a photograph the Wayback holds only
 * as a 404 keeps its caption and a link to its capture, no request leaves loopback, axe passes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildIndex } from '../../src/search/index.js';
import { rescueDemo } from '../helpers/demo-rescue.js';
import {
  axeViolations,
  launchBrowser,
  offLoopback,
  openPage,
  skipReason,
  startReader,
  type RunningReader,
} from './harness.js';

const skip = skipReason();
if (skip !== undefined) console.log(`demo images e2e SKIPPED: ${skip}`);
const SCALE = 500;

describe('the demo archive in chromium: its own photographs', { skip: skip ?? false }, () => {
  let dir: string;
  let server: RunningReader;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-e2e-demo-'));
    const rescued = await rescueDemo(dir, { media: true, timeScale: SCALE });
    assert.equal(rescued.pages.stop, 'complete');
    assert.equal(rescued.media?.stop, 'complete');
    buildIndex(dir);
    server = await startReader({ dir });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('an article shows its photographs from the archive; the one captured only as a 404 keeps its caption and link', async () => {
    // Article 5949: four figures; the Wayback holds three of the photographs, the third only as a 404.
    const w = await openPage(browser);
    await w.page.goto(`${server.origin}/article/5949/`);
    const figures = w.page.locator('.article-body figure');
    assert.equal(await figures.count(), 4);
    const shown: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const figure = figures.nth(i);
      await figure.scrollIntoViewIfNeeded();
      assert.ok((await figure.locator('figcaption').innerText()).length > 0, `figure ${i} keeps its caption`);
      const img = figure.locator('img');
      if ((await img.count()) === 0) {
        const link = figure.locator('a.image-link');
        assert.match((await link.getAttribute('href')) ?? '', /^https:\/\/web\.archive\.org\/web\/\d{14}im_\//);
        shown.push([]);
        continue;
      }
      assert.match((await img.getAttribute('src')) ?? '', /^\/media\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
      await w.page.waitForFunction(
        (el) => (el as unknown as { complete: boolean }).complete,
        await img.elementHandle(),
      );
      shown.push(
        await img.evaluate((el) => {
          const decoded = el as unknown as { naturalWidth: number; naturalHeight: number };
          return [decoded.naturalWidth, decoded.naturalHeight];
        }),
      );
    }
    assert.deepEqual(shown, [[320, 200], [320, 200], [], [320, 200]], 'three photographs decoded, the 404 one a link');
    assert.deepEqual(offLoopback(w.requests), []);
    assert.deepEqual(await axeViolations(w.page), []);
  });
});
