/**
 * The seed article (../shared/spec/seed-article.md) rendered by the capture generator in each of its
 * three page templates (visible markup; OpenGraph/article:*; JSON-LD) must come back as a file whose
 * frontmatter values and body content equal the seed's, as compare-archive measures them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { extractCapture } from '../src/extract/index.js';
import { renderArticle, writeArticleFile } from '../src/markdown/index.js';
import { hkcnews } from '../src/sites/index.js';
import { readWarcCaptures } from '../src/store/index.js';
import { siteToWarc } from '../scripts/site-to-warc.js';
import { sharedDir } from '../bench/shared.js';

const shared = sharedDir();
const SEED_ID = '18733';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

function frontmatterOf(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, 'file starts with frontmatter');
  return parse(m[1]!) as Record<string, unknown>;
}

if (!shared) {
  test(
    'seed article through the three templates',
    { skip: '../shared is not present (set SALVAGE_SHARED to run it)' },
    () => {},
  );
} else {
  const seedText = readFileSync(join(shared, 'spec/seed-article.md'), 'utf8');
  const seedFm = frontmatterOf(seedText);
  const work = mkdtempSync(join(tmpdir(), 'salvage-seed-'));
  const expectedDir = join(work, 'expected');
  mkdirSync(expectedDir, { recursive: true });
  copyFileSync(join(shared, 'spec/seed-article.md'), join(expectedDir, `article_${SEED_ID}.md`));

  for (const variant of ['A', 'B', 'C']) {
    test(`seed article rendered in template ${variant} comes back equal to the seed`, async () => {
      const site = join(work, `site-${variant}`);
      await run(process.execPath, [
        join(shared, 'tools/hkcnews-site/generate.mjs'),
        '--articles',
        join(shared, 'data/hkcnews/articles.jsonl.gz'),
        '--out',
        site,
        '--ids',
        SEED_ID,
        '--variants',
        variant,
        '--faults',
        'off',
        '--quiet',
      ]);
      const warc = join(work, `${variant}.warc.gz`);
      await siteToWarc(site, warc);
      const actualDir = join(work, `actual-${variant}`);
      let written = 0;
      for await (const c of readWarcCaptures(warc)) {
        const result = extractCapture({ payload: c.payload, url: c.url, timestamp: c.timestamp }, hkcnews);
        assert.ok(result.ok, `extracted (${result.ok ? '' : result.message})`);
        const text = renderArticle(result.article);
        await writeArticleFile(actualDir, result.article.id, text);
        written++;
        const fm = frontmatterOf(text);
        for (const key of ['title', 'date', 'author', 'category', 'tags', 'url', 'original_url']) {
          assert.deepEqual(fm[key], seedFm[key], `frontmatter ${key}`);
        }
        assert.equal(fm['id'], SEED_ID);
        assert.equal(fm['site'], 'hkcnews');
        assert.equal(fm['captured_at'], '2021-06-28T17:47:10Z');
        assert.match(String(fm['sha256']), /^[0-9a-f]{64}$/);
        assert.ok(!text.includes('月費訂戶'), 'subscription promo removed');
      }
      assert.equal(written, 1);
      const reportPath = join(work, `compare-${variant}.json`);
      await run(process.execPath, [
        join(shared, 'tools/compare-archive/compare.mjs'),
        '--expected',
        expectedDir,
        '--actual',
        actualDir,
        '--ids',
        SEED_ID,
        '--json',
        reportPath,
        '--jobs',
        '1',
        '--quiet',
      ]);
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
        articles: { id: string | number; fullyEqual: boolean; firstDiff?: unknown }[];
      };
      const result = report.articles.find((a) => String(a.id) === SEED_ID);
      assert.ok(result, 'compared');
      assert.equal(result.fullyEqual, true, `fully equal to the seed: ${JSON.stringify(result.firstDiff)}`);
    });
  }
  test.after(() => rmSync(work, { recursive: true, force: true }));
}
