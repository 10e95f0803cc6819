import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureArchive, writeFixtureArchive } from '../../test/helpers/reader-fixture.js';
import { crawlSite } from '../../test/helpers/site-crawl.js';
import { leastCompactFiles } from '../../test/helpers/least-files.js';
import { MediaStore } from '../store/index.js';
import { imageKey } from '../markdown/index.js';
import { search, SearchIndex, type SearchOptions } from '../search/index.js';
import { exportSite, pageParts, planCompact, type ExportSiteReport } from './site.js';
import type { SalvageError } from '../errors.js';
import fc from 'fast-check';
import { fileLoader } from './loader.js';
import { StaticSearchIndex } from './client/search-core.js';
import { candidateKeys, findPage, NOT_FOUND_TEMPLATE_ID, PAGE_SHARDS_META } from './client/static-pages.js';
import type { StaticIndexManifest } from './client/codec.js';

const fixture = createFixtureArchive();
const work = mkdtempSync(join(tmpdir(), 'salvage-compact-'));
process.on('exit', () => {
  fixture.cleanup();
  rmSync(work, { recursive: true, force: true });
});
const full = join(work, 'full');
const fullReport = await exportSite(fixture.dir, { out: full });

/** The least file limit an archive's compact export accepts. */
const leastFiles = (dir: string): Promise<number> => leastCompactFiles(dir, join(work, 'refused'));

/** Every page in page data: the least limit leaves one file for it. */
const allData = join(work, 'all-data');
const allDataReport = await exportSite(fixture.dir, {
  out: allData,
  compact: { maxFiles: await leastFiles(fixture.dir) },
});

/** The site's files, relative, `/`-separated. */
function filesOf(site: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(site, rel), { withFileTypes: true })) {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...filesOf(site, child));
    else out.push(child);
  }
  return out;
}

/** Load a site's file by URL under `https://host/base/` (what a browser's fetch would get). */
const siteLoader =
  (site: string, base: string) =>
  (url: URL): Promise<Uint8Array | undefined> => {
    const rel = decodeURIComponent(url.pathname.slice(base.length));
    const file = join(site, ...rel.split('/'));
    return Promise.resolve(existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined);
  };

const IN_DATA = /^(?:article|tag|author|category)\/.*index\.html$/;
const TIMEMAP_FILE = /^article\/\d+\/timemap\.txt$/;

test('a compact export keeps article, tag, author and category pages as page data, each as the full export renders it', async () => {
  const fullPages = filesOf(full).filter((f) => IN_DATA.test(f));
  assert.ok(fullPages.length > 20);
  const compactFiles = new Set(filesOf(allData));
  const shards = allDataReport.compact!.dataFiles;
  const base = '/mirror/';
  for (const rel of fullPages) {
    assert.ok(!compactFiles.has(rel), `${rel} is no file of its own`);
    // As a browser asks: the address percent-encoded.
    const pathname = `${base}${rel
      .replace(/index\.html$/, '')
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
    const found = await findPage(new URL(`https://host${base}`), pathname, shards, siteLoader(allData, base));
    assert.ok(found !== undefined, `${rel} is in the page data`);
    assert.deepEqual(found.page, pageParts(readFileSync(join(full, rel), 'utf8')), rel);
  }
  assert.equal(allDataReport.compact!.pagesInData, fullPages.length);
  // Everything else is there as a file, but tag feeds and TimeMaps.
  for (const rel of filesOf(full)) {
    if (IN_DATA.test(rel) || rel.startsWith('search-index/') || rel === '.salvage-site.json' || rel === '404.html')
      continue;
    if (/^tag\/.*\/feed\.xml$/.test(rel) || TIMEMAP_FILE.test(rel))
      assert.ok(!compactFiles.has(rel), `${rel} is left out`);
    else assert.ok(compactFiles.has(rel), `${rel} is a file of the compact export too`);
  }
  assert.equal(allDataReport.compact!.feedsLeftOut, filesOf(full).filter((f) => /^tag\/.*\/feed\.xml$/.test(f)).length);
  assert.equal(allDataReport.compact!.timeMapsLeftOut, filesOf(full).filter((f) => TIMEMAP_FILE.test(f)).length);
});

test('an address without its final slash, or outside the site, or of no page, finds nothing but the folder it names', async () => {
  assert.deepEqual(candidateKeys('/mirror/', '/mirror/article/101'), ['article/101', 'article/101/']);
  assert.deepEqual(candidateKeys('/mirror/', '/mirror/tag/%E6%B8%AF/'), ['tag/港/']);
  assert.deepEqual(candidateKeys('/mirror/', '/elsewhere/article/101/'), []);
  assert.deepEqual(candidateKeys('/', '/tag/x/feed.xml'), []);
  const shards = allDataReport.compact!.dataFiles;
  const load = siteLoader(allData, '/');
  const root = new URL('https://host/');
  assert.equal((await findPage(root, '/article/101', shards, load))?.key, 'article/101/');
  assert.equal(await findPage(root, '/article/999999/', shards, load), undefined);
  assert.equal(await findPage(root, '/article/__proto__/', shards, load), undefined);
  assert.equal(await findPage(root, '/article/101/', Number.NaN, load), undefined);
});

test("the compact export's 404 page is the shell: data file count, the assembler, the not-found message kept for later", () => {
  const shell = readFileSync(join(allData, '404.html'), 'utf8');
  assert.match(shell, new RegExp(`<meta name="${PAGE_SHARDS_META}" content="${allDataReport.compact!.dataFiles}">`));
  assert.match(shell, /<script type="module" src="\/assets\/static-pages\.js"><\/script>/);
  assert.match(shell, new RegExp(`<template id="${NOT_FOUND_TEMPLATE_ID}">[\\s\\S]*找不到[\\s\\S]*</template>`));
  assert.ok(existsSync(join(allData, 'assets/static-pages.js')));
});

test('the compact search index (records in groups, fewer shards) answers as the server does', async () => {
  const manifest = JSON.parse(readFileSync(join(allData, 'search-index/manifest.json'), 'utf8')) as StaticIndexManifest;
  assert.ok(manifest.recordsPerFile >= 16);
  assert.ok(!existsSync(join(allData, 'search-index/doc')), 'no file per record');
  const client = await StaticSearchIndex.open(fileLoader(join(allData, 'search-index')));
  const index = SearchIndex.openDir(fixture.dir, { readonly: true });
  try {
    for (const q of ['港', '記者 -衛生', '"港鐵綫路"', '卫生署'] as const) {
      for (const sort of ['date', 'relevance'] as const) {
        const options: SearchOptions = { q, sort, limit: 50, facets: true };
        assert.deepEqual(await client.search(options), search(index, options), JSON.stringify(options));
      }
    }
  } finally {
    index.close();
  }
});

test('under a file limit a compact export writes what fits as files, articles first, and stays under it', async () => {
  const some = join(work, 'some');
  const limit = allDataReport.files + 20;
  const report: ExportSiteReport = await exportSite(fixture.dir, { out: some, compact: { maxFiles: limit } });
  assert.ok(report.files <= limit, `${report.files} files ≤ ${limit}`);
  assert.equal(filesOf(some).length, report.files);
  const articleFiles = filesOf(some).filter((f) => /^article\/.*index\.html$/.test(f));
  assert.ok(articleFiles.length > 0, 'some articles are plain HTML');
  assert.ok(report.compact!.pagesInData > 0 && report.compact!.pagesInData < allDataReport.compact!.pagesInData);
  assert.equal(fullReport.pages, report.pages + report.compact!.feedsLeftOut + report.compact!.timeMapsLeftOut);
  // TimeMaps are all or nothing: with pages in page data, none, and no article page links one.
  assert.equal(filesOf(some).filter((f) => TIMEMAP_FILE.test(f)).length, 0);
  for (const rel of articleFiles) assert.doesNotMatch(readFileSync(join(some, rel), 'utf8'), /rel="timemap"/, rel);
  // Files and page data alike link only to what is there (no tag page to a feed left out).
  for (const site of [some, allData]) assert.deepEqual(crawlSite(site, '/mirror/').problems, [], site);
});

test('with room for everything a compact export is the full site: every page and feed a file, no page data', async () => {
  const roomy = join(work, 'roomy');
  const report = await exportSite(fixture.dir, { out: roomy, compact: { maxFiles: 100_000 } });
  assert.equal(report.compact!.dataFiles, 0);
  assert.equal(report.compact!.feedsLeftOut, 0);
  assert.equal(report.compact!.timeMapsLeftOut, 0);
  assert.equal(report.pages, fullReport.pages);
  assert.match(
    readFileSync(join(roomy, 'article/101/index.html'), 'utf8'),
    /<link rel="timemap" [^>]*href="\.\.\/\.\.\/article\/101\/timemap\.txt">/,
  );
  assert.ok(existsSync(join(roomy, 'article/101/timemap.txt')));
  assert.ok(!existsSync(join(roomy, 'pages')));
  assert.doesNotMatch(readFileSync(join(roomy, '404.html'), 'utf8'), /static-pages/);
});

test('a compact export counts the images its pages show and stays under the limit', async () => {
  const jpeg = (i: number): Buffer =>
    Buffer.from([
      ...[0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
      ...[0xff, 0xc0, 0, 11, 8, 1, 0xe0, 2, 0x80, 1, 1, 0x11, 0],
      ...[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 1, 2, 3, i & 0xff, (i >> 8) & 0xff, 0xff, 0xd9],
    ]);
  const TS = '20210628174710';
  const N = 40;
  const archive = createFixtureArchive(
    Array.from({ length: N }, (_, i) => ({
      id: i + 1,
      title: `有圖的文章${i}`,
      date: '2021-06-28',
      body: `<figure>\n<img src="https://web.archive.org/web/${TS}im_/https://www.hkcnews.com/p${i}.jpg" alt="">\n<figcaption>圖${i}</figcaption>\n</figure>\n\n內文${i}。`,
    })),
  );
  try {
    const store = MediaStore.open(archive.dir);
    for (let i = 0; i < N; i++) {
      const url = `https://www.hkcnews.com/p${i}.jpg`;
      const kept = store.keepFile(jpeg(i), 'image/jpeg');
      store.record({
        requestedTs: TS,
        captureTs: TS,
        status: 200,
        year: '2021',
        url,
        key: imageKey(url),
        outcome: 'stored',
        ...kept,
        mime: 'image/jpeg',
        width: 640,
        height: 480,
        bytes: 30,
      });
    }
    store.close();
    const least = await leastFiles(archive.dir);
    const all = await exportSite(archive.dir, { out: join(work, 'images-all'), compact: { maxFiles: least } });
    assert.ok(all.files <= least, `${all.files} files ≤ ${least}`);
    assert.equal(all.media.files, N, 'pages in page data show their images too');
    const limit = all.files + 10;
    const report = await exportSite(archive.dir, { out: join(work, 'images'), compact: { maxFiles: limit } });
    assert.equal(report.media.files, N);
    assert.ok(report.files <= limit, `${report.files} files ≤ ${limit}`);
    assert.equal(filesOf(join(work, 'images')).length, report.files);
  } finally {
    archive.cleanup();
  }
});

test('the least file limit puts every page in one data file and is met; one fewer is refused', async () => {
  assert.equal(allDataReport.compact!.dataFiles, 1);
  const least = allDataReport.compact!.maxFiles;
  await assert.rejects(
    exportSite(fixture.dir, { out: join(work, 'one-fewer'), compact: { maxFiles: least - 1 } }),
    new RegExp(`need at least ${least} files`),
  );
  assert.deepEqual(
    filesOf(allData).filter((f) => /^(?:article|tag|author|category)\/.+\/index\.html$/.test(f)),
    [],
    'no article, tag, author or category page is a file',
  );
  assert.ok(
    allDataReport.files <= allDataReport.compact!.maxFiles,
    `${allDataReport.files} ≤ ${allDataReport.compact!.maxFiles}`,
  );
  assert.equal(filesOf(allData).length, allDataReport.files);
});

test('however large the archive, a compact plan stays under its limit: data files take more pages each', () => {
  fc.assert(
    fc.property(
      fc.record({
        articles: fc.integer({ min: 0, max: 5000 }),
        facets: fc.integer({ min: 0, max: 500 }),
        feeds: fc.integer({ min: 0, max: 500 }),
        others: fc.integer({ min: 0, max: 300 }),
        reserved: fc.integer({ min: 0, max: 3000 }),
        maxFiles: fc.integer({ min: 1, max: 6000 }),
      }),
      ({ articles, facets, feeds, others, reserved, maxFiles }) => {
        const paths = [
          ...Array.from({ length: others }, (_, i) => `/day/${i}/`),
          ...Array.from({ length: articles }, (_, i) => `/article/${i}/`),
          ...Array.from({ length: facets }, (_, i) => [
            `/tag/t${i}/`,
            ...(i < feeds ? [`/tag/t${i}/feed.xml`] : []),
          ]).flat(),
          ...Array.from({ length: Math.max(0, feeds - facets) }, (_, i) => `/tag/f${i}/feed.xml`),
        ];
        let plan;
        try {
          plan = planCompact(paths, maxFiles, reserved);
        } catch (error) {
          assert.equal((error as SalvageError).code, 'INPUT_INVALID');
          assert.ok(reserved + others + 1 > maxFiles - 16, 'refused only when what is always written does not fit');
          return;
        }
        let files = 0;
        let data = 0;
        for (const p of paths) {
          const place = plan.place(p);
          if (place === 'data') data++;
          else if (place !== 'left-out') files++;
        }
        assert.equal(plan.inData, data);
        assert.equal(plan.dataFiles > 0, data > 0);
        assert.ok(
          reserved + files + plan.dataFiles <= maxFiles,
          `${reserved} + ${files} + ${plan.dataFiles} ≤ ${maxFiles}`,
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('a bad file limit is refused before anything is written', async () => {
  for (const maxFiles of [0, -5, 1.5, Number.NaN]) {
    await assert.rejects(exportSite(fixture.dir, { out: join(work, 'bad'), compact: { maxFiles } }), /max-files/);
  }
  assert.ok(!existsSync(join(work, 'bad')));
});

test('a second export after a new article writes only what changed; the rest are the previous files, and equal a fresh export', async () => {
  const archive = createFixtureArchive();
  try {
    const site = join(work, 'incremental');
    const first = await exportSite(archive.dir, { out: site });
    assert.equal(first.incremental.kept, 0);
    const before = statSync(join(site, 'article/101/index.html')).ino;
    writeFixtureArchive(archive.dir, [
      { id: 4242, title: '新加的文章', date: '2021-12-30', category: '眾聞', tags: ['新標籤'], body: '新加的內容。' },
    ]);
    const second = await exportSite(archive.dir, { out: site });
    assert.ok(second.incremental.kept > second.incremental.written, JSON.stringify(second.incremental));
    assert.ok(second.incremental.written > 0);
    assert.equal(statSync(join(site, 'article/101/index.html')).ino, before, 'an unchanged page is the same file');
    assert.ok(existsSync(join(site, 'article/4242/index.html')));
    // The same site as an export from scratch (the manifests' and marker's times aside).
    const fresh = join(work, 'fresh');
    await exportSite(archive.dir, { out: fresh });
    const files = filesOf(site).sort();
    assert.deepEqual(files, filesOf(fresh).sort());
    for (const rel of files) {
      if (rel === '.salvage-site.json' || rel === 'search-index/manifest.json') continue;
      assert.ok(readFileSync(join(site, rel)).equals(readFileSync(join(fresh, rel))), rel);
    }
  } finally {
    archive.cleanup();
  }
});
