/**
 * The archive's own images in the reader and the static export: an image the media store holds is
 * shown from the reader (lazy, with its size, a link to the full file), a missing one keeps its
 * caption and its Wayback link, media paths serve only the store's files, and the export copies
 * only the images its pages show.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureArchive, writeFixtureArchive } from '../../test/helpers/reader-fixture.js';
import { buildIndex } from '../search/index.js';
import { imageKey } from '../markdown/index.js';
import { MediaStore } from '../store/index.js';
import { exportSite } from '../export/index.js';
import { createReader, type Reader } from './index.js';

const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
/** A JPEG of 640×480 (ITU T.81: SOI, APP0, SOF0, SOS, data, EOI). */
const PHOTO = Buffer.from([
  ...[0xff, 0xd8, 0xff, 0xe0, ...be16(16), 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
  ...[0xff, 0xc0, ...be16(11), 8, ...be16(480), ...be16(640), 1, 1, 0x11, 0],
  ...[0xff, 0xda, ...be16(8), 1, 1, 0, 0, 63, 0, 1, 2, 3, 0xff, 0xd9],
]);
const UNUSED = Buffer.concat([PHOTO.subarray(0, PHOTO.length - 2), Buffer.from([9, 0xff, 0xd9])]);

const SHOWN = 'https://www.hkcnews.com/news_新聞/photo.jpg';
const MISSING = 'https://www.hkcnews.com/gone.jpg';
const TS = '20210628174710';
const im = (url: string): string => `https://web.archive.org/web/${TS}im_/${url}`;

let fixture: { dir: string; cleanup: () => void };
let reader: Reader;
let shownFile = '';
before(() => {
  fixture = createFixtureArchive([
    {
      id: 1,
      title: '有圖的文章',
      date: '2021-06-28',
      body: [
        `<figure>\n<img src="${im(SHOWN)}" alt="">\n<figcaption>警方在場戒備</figcaption>\n</figure>`,
        `<figure>\n<img src="${im(MISSING)}" alt="舊照">\n<figcaption>已失去的照片</figcaption>\n</figure>`,
        // The same image written escaped, as a Markdown image: one image, one key.
        `![](${im('https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/photo.jpg')})`,
      ].join('\n\n'),
    },
    { id: 2, title: '沒有圖的文章', date: '2021-06-29', body: '只有文字。' },
  ]);
  const store = MediaStore.open(fixture.dir);
  const base = { requestedTs: TS, captureTs: '20210628174722', status: 200, year: '2021' } as const;
  const kept = store.keepFile(PHOTO, 'image/jpeg');
  shownFile = kept.file;
  store.record({
    ...base,
    url: SHOWN,
    key: imageKey(SHOWN),
    outcome: 'stored',
    ...kept,
    mime: 'image/jpeg',
    width: 640,
    height: 480,
    bytes: PHOTO.length,
  });
  store.record({ ...base, url: MISSING, key: imageKey(MISSING), outcome: 'not-archived' });
  const other = store.keepFile(UNUSED, 'image/jpeg');
  store.record({
    ...base,
    url: 'https://x.example/unused.jpg',
    key: 'https://x.example/unused.jpg',
    outcome: 'stored',
    ...other,
  });
  store.close();
  reader = createReader({ dir: fixture.dir });
});
after(() => {
  reader.close();
  fixture.cleanup();
});

const get = (path: string): Promise<Response> => reader.fetch(new Request(`http://localhost${path}`));

test('an image the media store holds is shown from the reader: lazy, sized, a link to the full file', async () => {
  const html = await (await get('/article/1/')).text();
  const src = `/media/${shownFile}`;
  const shown = [...html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
  assert.equal(shown.length, 2, 'the figure and the Markdown spelling of the same image');
  for (const img of shown) {
    assert.ok(img.includes(`src="${src}"`), img);
    assert.match(img, /width="640" height="480" loading="lazy" decoding="async"/);
  }
  assert.ok(
    html.includes(`<a class="image-full" href="${src}" aria-label="原尺寸圖片"><img`),
    'a click opens the full size',
  );
  assert.ok(html.includes('<figcaption>警方在場戒備</figcaption>'));
  assert.doesNotMatch(html, /<img [^>]*web\.archive\.org/, 'no image is loaded from another origin');
});

test('a missing image keeps its caption and a link to its Wayback capture', async () => {
  const html = await (await get('/article/1/')).text();
  assert.ok(html.includes(`<a class="image-link" href="${im(MISSING)}"`), 'link to the capture');
  assert.ok(html.includes('圖片：舊照'));
  assert.ok(html.includes('<figcaption>已失去的照片</figcaption>'));
});

test("media paths serve the store's files, immutable, and nothing else under the archive", async () => {
  const r = await get(`/media/${shownFile}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  assert.match(r.headers.get('cache-control') ?? '', /immutable/);
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), PHOTO);
  for (const path of [
    '/media/media.sqlite',
    '/media/files/ab/not-a-digest.jpg',
    `/media/files/00/${'0'.repeat(64)}.jpg`,
    `/media/files/${shownFile.slice(6, 8)}/..%2F..%2F..%2Fmedia.sqlite`,
    `/media/${shownFile.replace('.jpg', '.html')}`,
  ]) {
    const r = await get(path);
    // 404, or the reader's redirect of a slashless path to its page form (which is 404 too).
    assert.ok(r.status === 404 || r.status === 301, `${path}: ${r.status}`);
    assert.doesNotMatch(await r.text(), /SQLite format/, path);
  }
});

test('a link planted in the media store under an image name is not followed', async () => {
  const name = `files/ee/ee${'0'.repeat(62)}.jpg`;
  mkdirSync(join(fixture.dir, 'media/files/ee'), { recursive: true });
  symlinkSync(join(fixture.dir, 'media/media.sqlite'), join(fixture.dir, 'media', name));
  const r = await get(`/media/${name}`);
  assert.equal(r.status, 404);
  assert.doesNotMatch(await r.text(), /SQLite format/);
});

test('the static export copies the images its pages show, and only those', async () => {
  const out = join(tmpdir(), `salvage-media-export-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    const report = await exportSite(fixture.dir, { out });
    assert.equal(report.media.files, 1);
    assert.equal(report.media.bytes, PHOTO.length);
    assert.ok(existsSync(join(out, 'media', shownFile)));
    const copied = readdirSync(join(out, 'media/files'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    assert.deepEqual(
      copied.map((e) => e.name),
      [shownFile.split('/').at(-1)],
      'only the shown image',
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a taken-down article's images are withheld: their files are not served, and no other page shows them", async () => {
  const file = `/media/${shownFile}`;
  assert.equal((await get(file)).status, 200);
  // Another article shows the same photograph; then article 1 is taken down.
  writeFixtureArchive(fixture.dir, [
    {
      id: 3,
      title: '同一張圖',
      date: '2021-06-30',
      body: `<figure>\n<img src="${im(SHOWN)}" alt="">\n<figcaption>同一張照片</figcaption>\n</figure>`,
    },
  ]);
  writeFileSync(join(fixture.dir, 'takedowns.yaml'), '- id: 1\n  date: 2026-12-01\n  reason: r\n  by: b\n');
  buildIndex(fixture.dir);
  assert.equal((await get('/article/1/')).status, 410);
  assert.equal((await get(file)).status, 404, 'the file is no longer served');
  const other = await (await get('/article/3/')).text();
  assert.ok(!other.includes(file), 'not shown by another article either');
  assert.ok(other.includes('<figcaption>同一張照片</figcaption>'), 'which keeps its caption');
});

test('an image of a taken-down article stored after the reader looked is withheld within a second', async () => {
  // Article 1 is taken down (above); `salvage media` of an older version stores its photo again.
  const store = MediaStore.open(fixture.dir);
  const again = store.keepFile(
    Buffer.concat([PHOTO.subarray(0, PHOTO.length - 2), Buffer.from([7, 0xff, 0xd9])]),
    'image/jpeg',
  );
  store.record({
    requestedTs: TS,
    captureTs: '20210628174723',
    status: 200,
    year: '2021',
    url: SHOWN,
    key: imageKey(SHOWN),
    outcome: 'stored',
    ...again,
    mime: 'image/jpeg',
  });
  store.close();
  await new Promise((done) => setTimeout(done, 1100));
  assert.equal((await get(`/media/${again.file}`)).status, 404);
});
