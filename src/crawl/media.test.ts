/**
 * `rescueMedia` against the local Wayback simulator: every fate an image meets in the Wayback
 * (captured seconds after its page, only years later, only as a 404, never, an HTML page or a cut
 * file where the photo should be), shared images asked once, equal bytes kept once, and a second
 * run that asks nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { rescueMedia } from './index.js';
import { articlePath } from '../markdown/index.js';
import { MediaStore, readWarcCaptures } from '../store/index.js';
import { startWaybackSimulator, writeSimSite, type WaybackSimulator } from '../devtools/wayback-sim/index.js';
import { Politeness, WaybackClient } from '../wayback/index.js';

const SCALE = 500;
const work = mkdtempSync(join(tmpdir(), 'salvage-media-'));
const sims: WaybackSimulator[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
/** A baseline JPEG (ITU T.81): SOI, APP0 (JFIF), SOF0 with its size, SOS, a little data, EOI. */
const jpeg = (width: number, height: number, fill: number): Buffer =>
  Buffer.from([
    0xff,
    0xd8,
    ...[0xff, 0xe0, ...be16(16), 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    0xff,
    0xc0,
    ...be16(11),
    8,
    ...be16(height),
    ...be16(width),
    1,
    1,
    0x11,
    0,
    0xff,
    0xda,
    ...be16(8),
    1,
    1,
    0,
    0,
    63,
    0,
    fill,
    fill,
    fill,
    0xff,
    0xd9,
  ]);
const pngChunk = (type: string, data: number[]): Buffer => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  return Buffer.concat([Buffer.from(be32(data.length)), body, Buffer.from(be32(crc32(body)))]);
};
const png = (width: number, height: number): Buffer =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', [...be32(width), ...be32(height), 8, 2, 0, 0, 0]),
    pngChunk('IDAT', [0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]),
    pngChunk('IEND', []),
  ]);

const PAGE_TS = '20210628174710';
const im = (url: string, ts = PAGE_TS): string => `https://web.archive.org/web/${ts}im_/${url}`;
const IMG = {
  ok: 'https://img.example/新聞/ok photo.jpg',
  late: 'https://img.example/late.png',
  gone: 'https://img.example/gone.jpg',
  never: 'https://img.example/never.jpg',
  html: 'https://img.example/html.jpg',
  cut: 'https://img.example/cut.jpg',
  twin: 'https://img.example/twin.jpg',
} as const;
const OK_BYTES = jpeg(640, 480, 0x11);

/** An archive folder of two articles showing the images (article 2 shares `ok` with article 1). */
function archive(dir: string): void {
  const file = (id: number, body: string): void => {
    const path = join(dir, articlePath(String(id)));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      `---\ntitle: 文章${id}\ndate: 2021-06-2${id}\nurl: https://web.archive.org/web/${PAGE_TS}/https://news.example/article/${id}\n---\n\n# 文章${id}\n\n${body}\n`,
    );
  };
  file(
    1,
    [
      `<figure>\n<img src="${im(IMG.ok)}" alt="">\n<figcaption>說明</figcaption>\n</figure>`,
      `![](${im(IMG.late)})`,
      `<img src="${im(IMG.gone)}">`,
      `<img src="${im(IMG.never)}">`,
    ].join('\n\n'),
  );
  file(2, [`![](${im(IMG.ok)})`, `![](${im(IMG.html)})`, `![](${im(IMG.cut)})`, `![](${im(IMG.twin)})`].join('\n\n'));
}

const wire = (url: string): string => url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

async function simulator(): Promise<WaybackSimulator> {
  const siteDir = join(work, 'site');
  await writeSimSite(siteDir, [
    { original: wire(IMG.ok), timestamp: '20210628174722', body: OK_BYTES, mimetype: 'image/jpeg', kind: 'image' },
    { original: IMG.late, timestamp: '20230501000000', body: png(3, 2), mimetype: 'image/png', kind: 'image' },
    { original: IMG.gone, timestamp: '20210628174715', body: '<html>404</html>', statuscode: '404', kind: 'notfound' },
    { original: IMG.html, timestamp: '20210628174716', body: '<!DOCTYPE html><p>Error</p>', mimetype: 'image/jpeg' },
    { original: IMG.cut, timestamp: '20210628174717', body: OK_BYTES.subarray(0, 20), mimetype: 'image/jpeg' },
    { original: IMG.twin, timestamp: '20210628174718', body: OK_BYTES, mimetype: 'image/jpeg', kind: 'image' },
  ]);
  const s = await startWaybackSimulator({ siteDir, timeScale: SCALE });
  sims.push(s);
  return s;
}

const client = (s: WaybackSimulator): WaybackClient =>
  new WaybackClient({ baseUrl: s.url, politeness: new Politeness({ timeScale: SCALE }), timeoutMs: 60_000 / SCALE });

test('rescueMedia keeps every archived image, says why each other one is missing, and asks nothing twice', async () => {
  const dir = join(work, 'archive');
  archive(dir);
  const sim = await simulator();
  const c = client(sim);
  try {
    const first = await rescueMedia({ archiveDir: dir, client: c });
    assert.equal(first.stop, 'complete');
    assert.equal(first.progress.articles, 2);
    assert.equal(first.progress.images, 7, 'the image both articles show is one image');
    assert.equal(first.progress.fetched, 6, 'every image with a memento: all but the one never archived');
    assert.deepEqual(first.counts.byOutcome, {
      stored: 3,
      'archived-error': 1,
      'not-archived': 1,
      'not-image': 1,
      truncated: 1,
    });
    assert.deepEqual(first.counts.byYear['2021'], first.counts.byOutcome);
    assert.equal(first.counts.files, 2, 'equal bytes under two URLs are one file');
    assert.equal(sim.stats().maxCaptureFetches, 1);

    const store = MediaStore.openExisting(dir)!;
    try {
      const ok = store.get(IMG.ok)!;
      assert.equal(ok.outcome, 'stored');
      assert.equal(ok.captureTs, '20210628174722', "the image's own capture time, not the page's");
      assert.equal(ok.requestedTs, PAGE_TS);
      assert.deepEqual([ok.mime, ok.width, ok.height, ok.bytes], ['image/jpeg', 640, 480, OK_BYTES.length]);
      assert.equal(ok.sha256, createHash('sha256').update(OK_BYTES).digest('hex'));
      assert.deepEqual(readFileSync(store.filePath(ok)!), OK_BYTES);
      assert.equal(store.get(IMG.twin)!.file, ok.file);
      const late = store.get(IMG.late)!;
      assert.deepEqual(
        [late.outcome, late.captureTs, late.width, late.height],
        ['stored', '20230501000000', 3, 2],
        'a closest capture two years away is still the image',
      );
      assert.deepEqual([store.get(IMG.gone)!.outcome, store.get(IMG.gone)!.status], ['archived-error', 404]);
      assert.equal(store.get(IMG.never)!.outcome, 'not-archived');
      assert.equal(store.get(IMG.html)!.outcome, 'not-image');
      assert.equal(store.get(IMG.cut)!.outcome, 'truncated');
      for (const url of [IMG.gone, IMG.html, IMG.cut]) assert.equal(store.get(url)!.file, undefined, url);
    } finally {
      store.close();
    }
    // Every answer is evidence in the media WARC: six records, the bytes as archived.
    const records = [];
    for await (const r of readWarcCaptures(join(dir, 'media/captures/salvage-00001.warc.gz'))) records.push(r);
    assert.equal(records.length, 6);
    assert.deepEqual(Buffer.from(records.find((r) => r.url === wire(IMG.ok) || r.url === IMG.ok)!.payload), OK_BYTES);

    const requests = sim.stats().requests.capture;
    const second = await rescueMedia({ archiveDir: dir, client: c });
    assert.equal(second.stop, 'complete');
    assert.equal(second.progress.fetched, 0);
    assert.equal(second.progress.alreadyDone, 7);
    assert.equal(sim.stats().requests.capture, requests, 'a second run asks the Wayback nothing');
    assert.deepEqual(second.counts, first.counts);
  } finally {
    await c.close();
  }
});

test('rescueMedia refuses a folder that is no archive, with one line and nothing written', async () => {
  const dir = join(work, 'not-an-archive');
  mkdirSync(dir, { recursive: true });
  const sim = await simulator();
  const c = client(sim);
  try {
    await assert.rejects(rescueMedia({ archiveDir: dir, client: c }), /has no articles\/ folder/);
    assert.throws(() => readFileSync(join(dir, 'media/media.sqlite')));
  } finally {
    await c.close();
  }
});

const ROOT = join(import.meta.dirname, '../..');
function salvage(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: ROOT, encoding: 'utf8' },
      (error, stdout, stderr) =>
        done({ status: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('salvage media: a summary line and exit 0; a folder that is no archive is one line and exit 1', async () => {
  const dir = join(work, 'cli-archive');
  archive(dir);
  const sim = await simulator();
  const r = await salvage('media', dir, '--wayback', sim.url, '--time-scale', String(SCALE), '-q');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^done: 3 of 7 images stored \(2 files, 0\.0 MiB\); missing: .*1 not-archived.*; this run: 6 fetched, 0 done before/,
  );
  const again = await salvage('media', dir, '--wayback', sim.url, '--time-scale', String(SCALE), '-q');
  assert.match(again.stdout, /this run: 0 fetched, 7 done before/);
  const bad = await salvage('media', join(work, 'nowhere'), '--wayback', sim.url, '-q');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /has no articles\/ folder/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
