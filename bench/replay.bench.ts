/**
 * `npm run bench:replay -- --dir DIR`: the page as captured, replayed from a whole archive's
 * mirror (issue 18). Runs what a publisher runs, with the compiled CLI: `salvage index` (when DIR
 * has no search index), `salvage export DIR --format wacz`, `salvage export-site DIR --wacz`;
 * serves the mirror from a plain static host on loopback (byte ranges, under a path prefix);
 * then, in Debian's chromium, opens a spread of article pages, each in a new browser context
 * (its own storage: every open is a first open, as for a new reader), follows the article's "the
 * page as captured" link and waits for the article's headline inside ReplayWeb.page's frame.
 * Prints each replay's time, then the same article once more in the same context (the WACZ's
 * page list and index already loaded), and every request the browser sent anywhere but the
 * mirror (a recording proxy sees them all, the service worker's too). Exits 1 when a replay
 * fails or a request left the mirror.
 *
 *   npm run bench:replay -- --dir ARCHIVE [--articles 6] [--main-pages N|all] [--work DIR] [--reuse] [--timeout S]
 *
 * `--reuse` keeps the WACZ and the site of an earlier run in the work folder
 * (default .bench-out/replay).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArchiveFile } from '../src/markdown/index.js';
import { SEARCH_INDEX_FILE } from '../src/search/index.js';
import { leftTheMirror, watchMirror } from '../test/e2e/static-host.js';
import { benchArgs, machine, runTimed } from './shared.js';

const { args, arg } = benchArgs();
const dir = arg('--dir');
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/ is missing: run npm run build');
if (dir === undefined || !existsSync(join(dir, 'articles')))
  throw new Error('usage: npm run bench:replay -- --dir ARCHIVE_DIR [--articles N] [--main-pages N|all] [--reuse]');
const articles = Number(arg('--articles') ?? 6);
const mainPages = arg('--main-pages');
const work = resolve(arg('--work') ?? join(root, '.bench-out/replay'));
const reuse = args.includes('--reuse');
const PREFIX = '/mirror/';
/** A first replay of a large WACZ took 72 s before its page lists were split; a bound, not a goal. */
const REPLAY_TIMEOUT_MS = Number(arg('--timeout') ?? 300) * 1000;

console.log(`bench:replay on ${resolve(dir)}\n${machine()}\n`);
const wacz = join(work, 'archive.wacz');
const site = join(work, 'site');
if (!reuse || !existsSync(join(site, 'replay/index.html'))) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  if (!existsSync(join(dir, SEARCH_INDEX_FILE))) {
    const r = await runTimed([cli, 'index', dir, '--quiet']);
    console.log(`salvage index: ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB`);
  }
  for (const [label, command] of [
    [
      'salvage export --format wacz',
      ['export', dir, '--format', 'wacz', '--out', wacz, '-q', ...(mainPages ? ['--main-pages', mainPages] : [])],
    ],
    ['salvage export-site --wacz', ['export-site', dir, '--out', site, '--wacz', wacz, '--quiet']],
  ] as const) {
    const r = await runTimed([cli, ...command]);
    console.log(
      `${label}: ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB\n  ${r.stdout.trim().split('\n').join('\n  ')}`,
    );
  }
}

/** Article files in id order, then `articles` of them spread evenly (the first and the last included). */
const files = readdirSync(join(dir, 'articles'), { recursive: true })
  .map(String)
  .filter((f) => /article_\d+\.md$/.test(f))
  .map((f) => ({ f, id: Number(/article_(\d+)\.md$/.exec(f)![1]) }))
  .sort((a, b) => a.id - b.id);
const picked = Array.from(
  { length: Math.min(articles, files.length) },
  (_, i) => files[Math.round((i * (files.length - 1)) / Math.max(1, articles - 1))]!,
);

const { mirror, network, browser, close } = await watchMirror(site, PREFIX);
const firsts: number[] = [];
let failures = 0;
try {
  for (const { f, id } of picked) {
    const title = parseArchiveFile(readFileSync(join(dir, 'articles', f), 'utf8'), f).title;
    // Its longest run without whitespace: playwright's text match folds whitespace (U+3000 included)
    // in the page's text, not in the string it looks for.
    const needle = title.split(/\s+/).reduce((a, b) => (b.length > a.length ? b : a), '');
    const context = await browser.newContext({ locale: 'zh-HK' });
    try {
      const page = await context.newPage();
      await page.goto(`${mirror}article/${id}/`);
      const link = page.locator('a.captured-page');
      if ((await link.count()) === 0) {
        console.log(`article ${id}: no link to the page as captured (export-site said why)`);
        continue;
      }
      const times: number[] = [];
      for (let round = 0; round < 2; round++) {
        if (round > 0) await page.goto(`${mirror}article/${id}/`);
        const t0 = Date.now();
        await Promise.all([page.waitForURL(/\/replay\/#url=/), link.click()]);
        const replayed = page.frameLocator('replay-web-page iframe').frameLocator('iframe');
        await replayed.locator('h1', { hasText: needle }).first().waitFor({ timeout: REPLAY_TIMEOUT_MS });
        times.push(Date.now() - t0);
      }
      firsts.push(times[0]!);
      console.log(`article ${id}: headline after ${times[0]} ms (first open), ${times[1]} ms (again)`);
    } catch (error) {
      failures++;
      console.log(`article ${id}: FAILED: ${(error as Error).message.split('\n')[0]}`);
      for (const frame of context.pages()[0]?.frames() ?? []) {
        const text = await frame
          .locator('body')
          .innerText({ timeout: 1000 })
          .catch(() => '');
        console.log(`  frame ${frame.url().slice(0, 160)}: ${JSON.stringify(text.slice(0, 200))}`);
      }
    } finally {
      await context.close();
    }
  }
} finally {
  await close();
}
const sorted = [...firsts].sort((a, b) => a - b);
const outside = leftTheMirror(network, mirror);
console.log(
  `\nreplayed ${firsts.length} of ${picked.length} articles; first open: median ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, max ${sorted.at(-1) ?? '-'} ms; requests outside the mirror: ${outside.length}${outside.length > 0 ? ` (${outside.slice(0, 5).join(', ')})` : ''}`,
);
if (failures > 0 || outside.length > 0 || firsts.length === 0) process.exitCode = 1;
