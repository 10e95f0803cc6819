/** `salvage extract` as a user runs it: outcomes, messages, exit codes, and nothing outside --out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { WarcWriter } from '../src/store/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'salvage-cli-'));

function salvage(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const URL_18733 = 'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const ARTICLE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>A "quoted": title --- 😀 - 眾新聞</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"A \\"quoted\\": title --- 😀","datePublished":"2019-02-27T20:04:00+08:00","author":{"@type":"Person","name":"眾新聞記者"},"articleSection":"眾聞","keywords":["越南","美朝峰會"]}</script>
</head><body><article><h1>x</h1><section class="article__body"><p>第一段。</p><p>Second <a href="/article/1/x">link</a>.</p></section></article></body></html>
`;

function file(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

test('extracts one HTML page to stdout with exit code 0', () => {
  const page = file('ok.html', ARTICLE);
  const r = salvage('extract', page, '--url', URL_18733, '--timestamp', '20210628174710');
  assert.equal(r.status, 0, r.stderr);
  const fm = parse(/^---\n([\s\S]*?)\n---\n/.exec(r.stdout)![1]!) as Record<string, unknown>;
  assert.equal(fm['title'], 'A "quoted": title --- 😀');
  assert.equal(fm['date'], '2019-02-27');
  assert.deepEqual(fm['tags'], ['越南', '美朝峰會']);
  assert.match(
    r.stdout,
    /Second \[link\]\(https:\/\/web\.archive\.org\/web\/20210628174710\/https:\/\/www\.hkcnews\.com\/article\/1\/x\)\./,
  );
});

test('writes under --out only, in the id bucket', () => {
  const out = join(work, 'archive');
  const r = salvage(
    'extract',
    file('ok2.html', ARTICLE),
    '--url',
    URL_18733,
    '--timestamp',
    '20210628174710',
    '--out',
    out,
    '--summary',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(out, 'articles')), ['18001-19000']);
  assert.ok(existsSync(join(out, 'articles/18001-19000/article_18733.md')));
  assert.match(r.stdout, /1 pages: 1 written, 0 rejected, 0 failed/);
});

test('rejects hostile and non-article inputs with a clear message and exit code 3', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['empty.html', '', /rejected .*empty/],
    [
      'random.html',
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
      /rejected .*(not-html|no-title|truncated)/,
    ],
    [
      'offline.html',
      '<html><head><title>Temporarily Offline</title></head><body><p>x</p></body></html>',
      /rejected .*wayback-error/,
    ],
    [
      'challenge.html',
      '<html><head><title>Just a moment...</title></head><body></body></html>',
      /rejected .*challenge/,
    ],
  ];
  for (const [name, content, expected] of cases) {
    const r = salvage(
      'extract',
      file(name, content),
      '--url',
      URL_18733,
      '--timestamp',
      '20210628174710',
      '--out',
      join(work, 'rejects'),
    );
    assert.equal(r.status, 3, `${name}: ${r.stderr}`);
    assert.match(r.stderr, expected, name);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
  }
  assert.equal(existsSync(join(work, 'rejects')), false, 'nothing written for rejected pages');
});

test('a URL with ../ never leaves --out', () => {
  const r = salvage(
    'extract',
    file('evil.html', ARTICLE),
    '--url',
    'https://www.hkcnews.com/article/../../../etc/passwd',
    '--timestamp',
    '20210628174710',
    '--out',
    join(work, 'evil'),
  );
  assert.equal(r.status, 3);
  assert.match(r.stderr, /not-article-url/);
  assert.equal(existsSync(join(work, 'evil')), false);
});

test('bad usage exits 2 with a message; a page without --url and without a URL of its own fails with a hint', () => {
  const r = salvage('extract', file('nourl.html', ARTICLE), '--format', 'jsonl');
  assert.equal(r.status, 1);
  assert.equal((JSON.parse(r.stdout) as { reason: string }).reason, 'no-url');
  const md = salvage('extract', file('nourl2.html', ARTICLE), '--url', URL_18733);
  assert.equal(md.status, 2);
  assert.match(md.stderr, /needs --timestamp/);
  const r2 = salvage('extract', file('badts.html', ARTICLE), '--url', URL_18733, '--timestamp', '2021');
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /14 digits/);
});

test('a missing file or a non-WARC .warc.gz fails with exit code 1 and no stack trace', () => {
  const r = salvage('extract', join(work, 'nope.warc.gz'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no such file/);
  const r2 = salvage('extract', file('fake.warc.gz', 'not a warc at all\n'));
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /WARC/);
  assert.doesNotMatch(r2.stderr, /\n\s+at /);
});

test('reads every response record of a WARC and reports one JSON line per page', async () => {
  const warc = join(work, 'two.warc.gz');
  const writer = await WarcWriter.open(warc);
  await writer.append({
    url: URL_18733,
    timestamp: '20210628174710',
    httpHeaders: { 'Content-Type': 'text/html' },
    payload: new TextEncoder().encode(ARTICLE),
  });
  await writer.append({
    url: 'https://hkcnews.com/article/18734',
    timestamp: '20220201000000',
    httpStatus: 404,
    httpHeaders: { 'Content-Type': 'text/html' },
    payload: new TextEncoder().encode('<html><title>找不到頁面</title></html>'),
  });
  await writer.close();
  const r = salvage('extract', warc, '--format', 'jsonl', '--quiet');
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          outcome: string;
          reason: string | null;
          timestamp: string;
          article: { id: string; text: string } | null;
        },
    );
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.outcome, 'written');
  assert.equal(lines[0]!.timestamp, '20210628174710');
  assert.equal(lines[0]!.article!.id, '18733');
  assert.equal(lines[0]!.article!.text, '第一段。\nSecond link.');
  assert.equal(lines[1]!.outcome, 'rejected');
  assert.equal(lines[1]!.reason, 'not-found');
});

test('the bundled demo WARC extracts with only the expected rejections', () => {
  const out = join(work, 'demo');
  const r = salvage('extract', join(ROOT, 'demo/captures.warc.gz'), '--out', out, '--summary', '--quiet');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /54 pages: 47 written, 7 rejected, 0 failed/);
  // The layout report after the counts: the 47 written pages by template, each with a sample.
  const layoutPages = [...r.stdout.matchAll(/^layout L[0-9a-f]{7} \((\d+) pages/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  assert.equal(layoutPages, 47, r.stdout);
  assert.match(r.stdout, /title json-ld headline \d+%/);
  const bucket = readdirSync(join(out, 'articles'));
  assert.ok(bucket.length > 0);
  const sample = readFileSync(
    join(out, 'articles', bucket[0]!, readdirSync(join(out, 'articles', bucket[0]!))[0]!),
    'utf8',
  );
  assert.ok(sample.startsWith('---\ntitle: "'));
  assert.ok(sample.endsWith('\n') && !sample.endsWith('\n\n'));
});

test('two captures of one article: the later record in the input wins, outcomes stay in input order', async () => {
  const warc = join(work, 'twice.warc.gz');
  const writer = await WarcWriter.open(warc);
  const page = (text: string): Uint8Array => new TextEncoder().encode(ARTICLE.replace('第一段。', text));
  for (let i = 0; i < 40; i++) {
    await writer.append({
      url: URL_18733,
      timestamp: `202106281747${String(i).padStart(2, '0')}`,
      httpHeaders: { 'Content-Type': 'text/html' },
      payload: page(`第${i}版。`),
    });
  }
  await writer.close();
  const out = join(work, 'twice');
  const r = salvage('extract', warc, '--out', out, '--format', 'jsonl', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const stamps = r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { timestamp: string }).timestamp);
  assert.deepEqual(
    stamps,
    Array.from({ length: 40 }, (_, i) => `202106281747${String(i).padStart(2, '0')}`),
  );
  const text = readFileSync(join(out, 'articles/18001-19000/article_18733.md'), 'utf8');
  assert.match(text, /第39版。/);
  assert.deepEqual(readdirSync(join(out, 'articles/18001-19000')), ['article_18733.md'], 'no temporary files left');
});

const OTHER_SITE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour ferry returns after 20 years | Island Post</title>
<meta property="og:site_name" content="Island Post"><meta property="article:published_time" content="2019-02-27T20:04:00+08:00">
<meta name="author" content="Chan Tai-man"></head><body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<article><h1>Harbour ferry returns after 20 years</h1><div class="story-body">
<p>The ferry between the two piers ran again on Wednesday, twenty years after the last crossing, and every seat was taken.</p>
<p>Residents who remembered the old route lined the pier before dawn, and several brought photographs of the boats.</p>
</div></article><footer>© Island Post</footer></body></html>`;

test('a page of a site salvage has no module for goes to the generic extractor; --explain says which signal gave each field', () => {
  const page = file('other.html', OTHER_SITE);
  const r = salvage(
    'extract',
    page,
    '--url',
    'https://islandpost.example/2019/02/27/ferry',
    '--format',
    'jsonl',
    '--explain',
  );
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(r.stdout) as {
    outcome: string;
    site: string;
    explain: string[];
    article: { site: string; id: string; title: string; date: string; author: string; text: string };
  };
  assert.equal(line.outcome, 'written');
  assert.equal(line.site, 'generic');
  assert.equal(line.article.site, 'generic');
  assert.match(line.article.id, /^[1-9]\d*$/);
  assert.equal(line.article.title, 'Harbour ferry returns after 20 years');
  assert.equal(line.article.date, '2019-02-27');
  assert.equal(line.article.author, 'Chan Tai-man');
  assert.match(line.article.text, /^The ferry between the two piers/);
  assert.doesNotMatch(line.article.text, /Home|© Island Post/);
  for (const field of ['title', 'date', 'author', 'body'])
    assert.ok(
      line.explain.some((n) => n.startsWith(`${field}: `)),
      `explains ${field}: ${line.explain.join(' | ')}`,
    );
  const text = salvage(
    'extract',
    page,
    '--url',
    'https://islandpost.example/2019/02/27/ferry',
    '--timestamp',
    '20190301000000',
    '--explain',
    '--quiet',
  );
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr, /^explain .*other\.html .*site generic, written\n {2}encoding: /);
  assert.match(text.stderr, /\n {2}date: meta published_time/);
});

test('--profile: a user profile chooses ids and site for its outlet; a bad profile is a one-line usage error', () => {
  const profile = file(
    'island.yaml',
    `id: island-post\nname: Island Post\nhosts: [islandpost.example]\narticle_url: '^https://islandpost\\.example/\\d{4}/\\d{2}/\\d{2}/(?<id>[a-z-]+)$'\n`,
  );
  const out = join(work, 'island');
  const r = salvage(
    'extract',
    file('other2.html', OTHER_SITE),
    '--url',
    'https://islandpost.example/2019/02/27/ferry',
    '--timestamp',
    '20190301000000',
    '--profile',
    profile,
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  const bucket = readdirSync(join(out, 'articles'));
  const written = readFileSync(
    join(out, 'articles', bucket[0]!, readdirSync(join(out, 'articles', bucket[0]!))[0]!),
    'utf8',
  );
  assert.match(written, /\nsite: "?island-post"?\n/);
  const own = salvage(
    'extract',
    file(
      'canonical.html',
      OTHER_SITE.replace('<title>', '<link rel="canonical" href="https://islandpost.example/2019/02/27/ferry"><title>'),
    ),
    '--format',
    'jsonl',
    '--profile',
    profile,
  );
  assert.equal(own.status, 0, own.stderr);
  assert.equal(
    (JSON.parse(own.stdout) as { url: string; article: { site: string } }).article.site,
    'island-post',
    "without --url, the page's canonical URL chooses the site",
  );
  const bad = salvage(
    'extract',
    file('other3.html', OTHER_SITE),
    '--url',
    'https://islandpost.example/x',
    '--profile',
    file('bad.yaml', 'id: x\nname: y\nhosts: [a.test]\narticle_url: "(("\n'),
    '--format',
    'jsonl',
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /profile .*bad\.yaml: article_url\[0\]: not a valid regular expression/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
