/**
 * `npm run screenshots [-- --dir DIR] [--article ID] [--query Q]`: screenshots of the reader's
 * article and search pages, at a desktop and a phone width, into docs/screenshots/. Serves the
 * archive read-only on loopback and drives Debian's chromium (test/e2e/harness.ts). The default
 * archive is the real one that `npm run bench:search` imports and indexes (.bench-out/search/archive).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchBrowser, offLoopback, openPage, skipReason, startReader } from '../test/e2e/harness.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = resolve(import.meta.dirname, '..');
const dir = resolve(arg('--dir') ?? join(root, '.bench-out/search/archive'));
/** 32787: a news story with a figure, a caption and a video embed (2020-08-10). */
const articleId = Number(arg('--article') ?? '32787');
const query = arg('--query') ?? '全民檢測';
const out = join(root, 'docs/screenshots');

/** A common desktop width, and a common phone (390 × 844 CSS px, iPhone 12–15). */
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
] as const;

/** CSS px of the search page shown: the form and the first results. */
const SEARCH_SHOT_HEIGHT = 1500;

const skip = skipReason();
if (skip !== undefined) {
  console.log(`screenshots skipped: ${skip}`);
  process.exit(0);
}
if (!existsSync(join(dir, 'search.sqlite'))) {
  console.log(`screenshots skipped: ${dir} has no search index (run npm run bench:search, or pass --dir)`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });
const server = await startReader({ dir });
const browser = await launchBrowser();
try {
  for (const v of VIEWPORTS) {
    const w = await openPage(browser, {
      viewport: v.viewport,
      deviceScaleFactor: v.deviceScaleFactor,
      isMobile: v.isMobile,
      hasTouch: v.isMobile,
    });
    for (const [name, path] of [
      ['article', `/article/${articleId}/`],
      ['search', `/search/?q=${encodeURIComponent(query)}`],
    ] as const) {
      const response = await w.page.goto(`${server.origin}${path}`);
      if (response?.status() !== 200) throw new Error(`${path}: HTTP ${response?.status()}`);
      await w.page.evaluate('document.fonts.ready.then(() => true)'); // tsconfig has no DOM lib: an expression string
      const file = join(out, `${name}-${v.name}.png`);
      // The search page's results sit below its form: show the top of the full page.
      const height =
        name === 'search'
          ? Math.min(SEARCH_SHOT_HEIGHT, await w.page.evaluate<number>('document.documentElement.scrollHeight'))
          : v.viewport.height;
      await w.page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: v.viewport.width, height } });
      console.log(file);
      if (name === 'article' && v.name === 'desktop') {
        // Provenance and the cite box, at the foot of the article page.
        const cite = join(out, 'article-cite-desktop.png');
        const box = await w.page.locator('section.provenance').boundingBox();
        const end = await w.page.locator('section.cite').boundingBox();
        if (box === null || end === null) throw new Error('the article page has no provenance or cite section');
        await w.page.screenshot({
          path: cite,
          fullPage: true,
          clip: { x: 0, y: box.y - 16, width: v.viewport.width, height: end.y + end.height - box.y + 32 },
        });
        console.log(cite);
      }
    }
    const away = offLoopback(w.requests);
    if (away.length > 0) throw new Error(`requests left loopback: ${away.join(', ')}`);
    await w.context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
