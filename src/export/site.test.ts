import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseHTML } from 'linkedom';
import { createFixtureArchive, FFFD_URL } from '../../test/helpers/reader-fixture.js';
import { crawlSite } from '../../test/helpers/site-crawl.js';
import { parseLinkFormat } from '../../test/helpers/link-format.js';
import { createReader } from '../reader/index.js';
import { search, SearchIndex, type SearchOptions } from '../search/index.js';
import { isSalvageError } from '../errors.js';
import { exportSite, sitePathOf, SITE_MARKER } from './site.js';
import { fileLoader } from './loader.js';
import { rebaseLinks, rootFrom } from './links.js';
import { runLookupPage, runSearchPage, type DomDocument } from './client/dom.js';
import { StaticSearchIndex } from './client/search-core.js';
import { INDEX_FILES, type StaticIndexManifest } from './client/codec.js';

type LinkedDocument = { getElementById(id: string): { textContent: string | null } | null };

const fixture = createFixtureArchive();
const work = mkdtempSync(join(tmpdir(), 'salvage-site-'));
const site = join(work, 'site');
const report = await exportSite(fixture.dir, { out: site });
process.on('exit', () => {
  fixture.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const QUERIES: SearchOptions[] = [
  { q: '卫生署' }, // Simplified: the bundle loads zh-convert.json to read it as 衞生署
  { q: '记者 -卫生' },
  { q: '衛生署 確診' },
  { q: '港' },
  { q: '"港鐵綫路"' },
  { q: '記者 -衞生' },
  { q: '' },
  { q: 'zzz' },
  { q: 'ＡＬＥＲＴ' }, // fullwidth: its fold is in fold-rest.json (the fixture's text has no such block)
];

test('export-site writes every page, the client script, the index and the marker, and reports them', () => {
  assert.ok(report.pages > 60);
  for (const rel of [
    'index.html',
    'article/101/index.html',
    'search/index.html',
    'lookup/index.html',
    '404.html',
    'assets/static-search.js',
    'search-index/manifest.json',
    'search-index/fold.json',
    'search-index/fold-rest.json',
    SITE_MARKER,
  ]) {
    assert.ok(existsSync(join(site, rel)), rel);
  }
  assert.match(
    readFileSync(join(site, 'search/index.html'), 'utf8'),
    /<script type="module" src="\.\.\/assets\/static-search\.js"><\/script>/,
  );
  assert.ok(report.bytes > report.index.bytes && report.index.bytes > 0);
  assert.deepEqual(readdirSync(work), ['site'], 'no temporary folder is left beside the site');
  // Every doc shard exists, empty or not: a query for a token the archive lacks gets no 404
  // (a browser logs one as an error).
  const manifest = JSON.parse(readFileSync(join(site, 'search-index/manifest.json'), 'utf8')) as StaticIndexManifest;
  for (const [family, n] of [
    ['text', manifest.shards],
    ['title', manifest.titleShards],
  ] as const)
    for (let k = 0; k < n; k++)
      assert.ok(existsSync(join(site, 'search-index', INDEX_FILES.docShard(k, family))), `${family} shard ${k}`);
});

test('the shipped bundle (fold table, conversion tables loaded on demand, no opencc) answers as the server does', async () => {
  const bundle = (await import(pathToFileURL(join(site, 'assets/static-search.js')).href)) as {
    StaticSearchIndex: typeof StaticSearchIndex;
  };
  const client = await bundle.StaticSearchIndex.open(fileLoader(join(site, 'search-index')));
  const index = SearchIndex.openDir(fixture.dir, { readonly: true });
  try {
    for (const q of QUERIES) {
      for (const sort of ['date', 'relevance'] as const) {
        const options = { ...q, sort, limit: 100 };
        const server = search(index, options);
        const mine = await client.search(options);
        assert.deepEqual(mine, server, JSON.stringify(options));
      }
    }
  } finally {
    index.close();
  }
  const simplified = await client.search({ q: '卫生署' });
  assert.ok(simplified.total > 0, 'a Simplified query finds the Traditional text');
  const code = readFileSync(join(site, 'assets/static-search.js'), 'utf8');
  assert.doesNotMatch(code, /opencc|better-sqlite3|node:/);
  assert.ok(code.length < 200_000, `the bundle carries no dictionary (${code.length} bytes)`);
});

/** Markup with each tag's attributes in name order (linkedom serializes set attributes last-first). */
function sortAttributes(markup: string): string {
  return markup.replace(
    /<([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"]*")?)+)\s*>/g,
    (_, tag: string, attrs: string) =>
      `<${tag} ${attrs
        .trim()
        .match(/[a-z-]+(?:="[^"]*")?/g)!
        .sort()
        .join(' ')}>`,
  );
}

/** The `#search-results` region of a page, re-serialized (one serializer for both sides). */
function region(htmlText: string): string {
  const { document } = parseHTML(htmlText);
  return sortAttributes(document.getElementById('search-results')?.innerHTML ?? '');
}

test('served under a path prefix, every link of every exported page reaches a file of the site', () => {
  const crawl = crawlSite(site, '/mirror/archive/');
  assert.deepEqual(crawl.problems, []);
  assert.ok(crawl.pages > 60 && crawl.links > 1000, `${crawl.pages} pages, ${crawl.links} links checked`);
});

test('every article of the mirror has its TimeMap file, linked from its page, whose self link starts at --base-path', async () => {
  const base = '/mirror/archive/';
  const mirror = join(mkdtempSync(join(tmpdir(), 'salvage-site-memento-')), 'site');
  process.on('exit', () => rmSync(dirname(mirror), { recursive: true, force: true }));
  await exportSite(fixture.dir, { out: mirror, basePath: base });
  const index = SearchIndex.openDir(fixture.dir, { readonly: true });
  const articles = index.db
    .prepare<[], { id: number; url: string; original_url: string }>('SELECT id, url, original_url FROM articles')
    .all();
  index.close();
  assert.ok(articles.length > 60);
  for (const a of articles) {
    const address = new URL(`https://host${base}article/${a.id}/timemap.txt`);
    const links = parseLinkFormat(readFileSync(join(mirror, 'article', String(a.id), 'timemap.txt'), 'utf8'));
    const self = links.find((l) => l.rel.includes('self'));
    assert.equal(self?.target, address.pathname, `article ${a.id}: self, from the host's root`);
    assert.equal(self.params.type, 'application/link-format');
    assert.equal(links.find((l) => l.rel.includes('original'))?.target, a.original_url);
    // The fixture's files name one capture each (no crawl state): the first and last memento.
    const mementos = links.filter((l) => l.rel.includes('memento'));
    assert.deepEqual(
      mementos.map((l) => [l.target, l.rel.join(' ')]),
      [[a.url, 'first last memento']],
    );
    const page = parseHTML(readFileSync(join(mirror, 'article', String(a.id), 'index.html'), 'utf8')).document;
    const timemap = page.querySelector('link[rel="timemap"]');
    assert.equal(timemap?.getAttribute('type'), 'application/link-format');
    assert.equal(
      new URL(timemap?.getAttribute('href') ?? '', `https://host${base}article/${a.id}/`).href,
      address.href,
      'the page links the file',
    );
    assert.equal(page.querySelector('link[rel="memento"]')?.getAttribute('datetime'), mementos[0]?.params.datetime);
  }
  assert.deepEqual(crawlSite(mirror, base).problems, []);
});

test('the client renders the search results region exactly as the server page', async () => {
  const reader = createReader({ dir: fixture.dir });
  const client = await StaticSearchIndex.open(fileLoader(join(site, 'search-index')));
  try {
    for (const query of [
      '?q=港&sort=date',
      '?q=港&sort=date&page=2&group=0',
      '?q=%E9%A6%99%E6%B8%AF+-x&sort=date',
      '?q=zzz',
      '?q=記者&sort=date&category=眾聞',
      '?q=<script>&sort=date',
      '?q=港',
      '?tag=連載&page=2',
      '?tag=連載&page=3&group=0',
    ]) {
      const server = await (await reader.fetch(new Request(`http://localhost/search/${query}`))).text();
      const { document } = parseHTML(readFileSync(join(site, 'search/index.html'), 'utf8'));
      await runSearchPage(document, query, () => Promise.resolve(client));
      // As the exported search page would hold it: links relative to /search/.
      const exported = rebaseLinks(server, rootFrom('/search/'));
      assert.equal(sortAttributes(document.getElementById('search-results')?.innerHTML ?? ''), region(exported), query);
      const q = new URLSearchParams(query).get('q') ?? '';
      assert.equal(document.querySelector('form.search [name="q"]')?.getAttribute('value'), q);
    }
    const { document } = parseHTML(readFileSync(join(site, 'search/index.html'), 'utf8'));
    await runSearchPage(document, '?q=港&from=2019-02-30', () => Promise.resolve(client));
    assert.match(document.getElementById('search-results')?.textContent ?? '', /搜尋條件有誤：from must be a date/);
  } finally {
    reader.close();
  }
});

test('the lookup page opens the article of a pasted URL (U+FFFD slug too) or says why not', async () => {
  const client = await StaticSearchIndex.open(fileLoader(join(site, 'search-index')));
  const page = (): DomDocument => parseHTML(readFileSync(join(site, 'lookup/index.html'), 'utf8')).document;
  const went: string[] = [];
  await runLookupPage(
    page(),
    `?url=${encodeURIComponent(FFFD_URL.replace('%EF%BF%BD%EF%BF%BD%EF%BF%BD', '\uFFFD\uFFFD'))}`,
    () => Promise.resolve(client),
    (href) => went.push(href),
  );
  await runLookupPage(
    page(),
    `?url=${encodeURIComponent('https://web.archive.org/web/2021/https://www.hkcnews.com/article/101/x')}`,
    () => Promise.resolve(client),
    (href) => went.push(href),
  );
  assert.deepEqual(went, ['../article/107/', '../article/101/']);
  const missing = page();
  await runLookupPage(
    missing,
    '?url=https://www.hkcnews.com/article/999999/x',
    () => Promise.resolve(client),
    () => assert.fail('no such article'),
  );
  assert.match(
    (missing as unknown as LinkedDocument).getElementById('search-results')?.textContent ?? '',
    /本存檔沒有編號 999999 的文章/,
  );
  const notUrl = page();
  await runLookupPage(
    notUrl,
    '?url=https://example.com/',
    () => Promise.resolve(client),
    () => assert.fail('not an article'),
  );
  assert.match(
    (notUrl as unknown as LinkedDocument).getElementById('search-results')?.textContent ?? '',
    /這不是眾新聞文章的網址/,
  );
});

test('export-site refuses a foreign folder and a folder without index, and replaces its own export', async () => {
  const foreign = join(work, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'keep.txt'), 'mine');
  await assert.rejects(
    exportSite(fixture.dir, { out: foreign }),
    (e) => isSalvageError(e) && e.code === 'OUTPUT_UNSAFE',
  );
  assert.equal(readFileSync(join(foreign, 'keep.txt'), 'utf8'), 'mine');
  await assert.rejects(
    exportSite(work, { out: join(work, 'x') }),
    (e) => isSalvageError(e) && e.code === 'INPUT_UNREADABLE',
  );
  for (const basePath of ['repo/', '/repo', '/a/../b/', '/x"y/', '/%2e%2e/']) {
    await assert.rejects(
      exportSite(fixture.dir, { out: join(work, 'x'), basePath }),
      (e) => isSalvageError(e) && e.code === 'INPUT_INVALID',
      basePath,
    );
  }
  // A host serves 404.html at any missing address: its links start at the base path.
  const again = await exportSite(fixture.dir, { out: site, basePath: '/repo/' });
  assert.equal(again.pages, report.pages);
  const missing = readFileSync(join(site, '404.html'), 'utf8');
  assert.match(missing, /<a class="site-title" href="\/repo\/">/);
  assert.doesNotMatch(missing, /\s(?:href|src|action)="\/(?!repo\/)/);
  assert.ok(!existsSync(join(work, 'x')));
  assert.deepEqual(readdirSync(work).sort(), ['foreign', 'site']);
});

/** Every file of a site and the hash of its bytes; the marker and the index's creation time left out. */
function siteSnapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path !== SITE_MARKER) {
        const raw = readFileSync(join(root, path));
        // The index manifest (gzipped where the index files are) says when it was made.
        const plain = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
        const bytes = path.endsWith('manifest.json')
          ? Buffer.from(plain.toString('utf8').replace(/"createdAt":\s*"[^"]*"/, ''))
          : raw;
        out.set(path, createHash('sha256').update(bytes).digest('hex'));
      }
    }
  };
  walk('');
  return out;
}

test('the search index built in a worker while the pages render gives the same site as built first in this thread', async () => {
  const out = mkdtempSync(join(tmpdir(), 'salvage-site-worker-'));
  try {
    // The module's own export above may have been replaced since (another base path): two fresh ones.
    const inWorker = await exportSite(fixture.dir, { out: join(out, 'worker') });
    const here = await exportSite(fixture.dir, { out: join(out, 'here'), indexInWorker: false });
    assert.ok(inWorker.index.files > 0);
    assert.deepEqual(siteSnapshot(join(out, 'here')), siteSnapshot(join(out, 'worker')));
    // The report counts the marker, which holds the run's times: its length varies by a digit or two.
    const withoutMarker = (r: typeof here, dir: string): object => ({
      ...r,
      out: '',
      seconds: undefined,
      bytes: r.bytes - statSync(join(dir, SITE_MARKER)).size,
    });
    assert.deepEqual(withoutMarker(here, join(out, 'here')), withoutMarker(inWorker, join(out, 'worker')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('page paths map to files inside the site only', () => {
  assert.equal(sitePathOf('/'), 'index.html');
  assert.equal(sitePathOf('/tag/AC%2FDC/'), undefined);
  assert.equal(sitePathOf('/tag/%E7%AB%8B%E6%B3%95%E6%9C%83/'), 'tag/立法會/index.html');
  assert.equal(sitePathOf('/assets/reader-1.css'), 'assets/reader-1.css');
  for (const bad of ['/../x/', '/a/%2e%2e/', '/a/../', '//', '/a%00/', 'relative/', '/%E0%A4%A/'])
    assert.equal(sitePathOf(bad), undefined, bad);
});

/** Every `.html` file under `root`, relative. */
function htmlFiles(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? htmlFiles(root, path) : e.name.endsWith('.html') ? [path] : [];
  });
}

test('export-site finishes an archive with non-calendar dates: those articles are exported with the date as text, reported, and no page links to a missing date page', async () => {
  const BAD = ['2020-13-45', '2020-02-30', '2020-1-2', '2020-12-01T00:00', '2020-12-00', '1999-02-29', 'abc'];
  const GOOD = ['2020-03-01', '2020-03', '2019', '0000'];
  const articles = [...BAD, ...GOOD].map((date, i) => ({
    id: 201 + i,
    title: `date ${date}`,
    date,
    body: `body ${i}`,
  }));
  const dated = createFixtureArchive(articles);
  const out = mkdtempSync(join(tmpdir(), 'salvage-site-dates-'));
  try {
    const r = await exportSite(dated.dir, { out: join(out, 'site') });
    assert.deepEqual(r.badDates.map((b) => b.date).sort(), [...BAD].sort());
    for (const a of articles) {
      const text = readFileSync(join(out, 'site', 'article', String(a.id), 'index.html'), 'utf8');
      assert.ok(text.includes(a.date), `article ${a.id} shows its date ${a.date}`);
    }
    const files = new Set(htmlFiles(join(out, 'site')));
    for (const f of files) {
      const text = readFileSync(join(out, 'site', f), 'utf8');
      for (const [, href] of text.matchAll(/href="(\/date\/[^"]*)"/g)) {
        assert.ok(files.has(`${href!.slice(1)}index.html`), `${f} links to ${href}, which the site lacks`);
      }
    }
    assert.ok(files.has('date/2020/03/01/index.html'));
    assert.ok(!files.has('date/2020/13/index.html'));
  } finally {
    dated.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
});

/** A pid that was just used and is now free: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('export-site removes the build folders of interrupted runs whose process is gone, and nothing else', async () => {
  const root = mkdtempSync(join(tmpdir(), 'salvage-site-leftovers-'));
  try {
    const dead = deadPid();
    const alive = process.ppid; // our parent: certainly running
    const make = (name: string): string => {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'index.html'), 'x');
      return name;
    };
    const gone = make(`.site.partial-${dead}`);
    const kept = [
      make(`.site.partial-${alive}`),
      make(`.other.partial-${dead}`),
      make(`.site.partial-${dead}x`),
      make(`site.partial-${dead}`),
      make(`.site.partial-0`),
    ];
    writeFileSync(join(root, `.site.old-${alive}`), 'a file, not a folder of ours');
    kept.push(`.site.old-${alive}`);
    const seen: { path: string; action: string; pid: number }[] = [];
    const r = await exportSite(fixture.dir, { out: join(root, 'site'), onLeftover: (l) => seen.push(l) });
    assert.deepEqual(seen, [{ path: join(root, gone), pid: dead, action: 'removed' }]);
    assert.deepEqual(r.leftovers, seen);
    assert.ok(!existsSync(join(root, gone)));
    assert.deepEqual(readdirSync(root).sort(), [...kept, 'site'].sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('export-site puts back the previous site that an interrupted swap left aside', async () => {
  const root = mkdtempSync(join(tmpdir(), 'salvage-site-swap-'));
  try {
    const dead = deadPid();
    // Killed between "site → .site.old-<pid>" and ".site.partial-<pid> → site".
    mkdirSync(join(root, `.site.old-${dead}`));
    writeFileSync(join(root, `.site.old-${dead}`, SITE_MARKER), '{}');
    mkdirSync(join(root, `.site.partial-${dead}`));
    const seen: string[] = [];
    await exportSite(fixture.dir, { out: join(root, 'site'), onLeftover: (l) => seen.push(`${l.action} ${l.path}`) });
    assert.deepEqual(seen, [
      `restored ${join(root, `.site.old-${dead}`)}`,
      `removed ${join(root, `.site.partial-${dead}`)}`,
    ]);
    assert.deepEqual(readdirSync(root), ['site']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('export-site leaves out and reports an article whose file is gone since indexing, and finishes the site', async () => {
  const archive = createFixtureArchive([
    { id: 301, title: 'kept', date: '2020-03-01', body: 'a' },
    { id: 302, title: 'gone', date: '2020-03-02', body: 'b' },
  ]);
  const out = mkdtempSync(join(tmpdir(), 'salvage-site-gone-'));
  try {
    rmSync(join(archive.dir, 'articles', '1-1000', 'article_302.md'));
    const seen: { path: string; status: number }[] = [];
    const r = await exportSite(archive.dir, { out: join(out, 'site'), onSkippedPage: (p) => seen.push(p) });
    // Its TimeMap too: both are made from the file.
    assert.deepEqual(r.skippedPages, [
      { path: '/article/302/', status: 404 },
      { path: '/article/302/timemap.txt', status: 404 },
    ]);
    assert.deepEqual(seen, r.skippedPages);
    assert.ok(existsSync(join(out, 'site', 'article', '301', 'index.html')));
    assert.ok(!existsSync(join(out, 'site', 'article', '302', 'index.html')));
    assert.ok(!existsSync(join(out, 'site', 'article', '302', 'timemap.txt')));
    assert.ok(existsSync(join(out, 'site', SITE_MARKER)));
  } finally {
    archive.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
});
