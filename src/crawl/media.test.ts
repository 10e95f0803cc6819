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
import {
  appendFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { rescueMedia, restoreMedia } from './index.js';
import { articlePath } from '../markdown/index.js';
import { MediaStore, readWarcCaptures, requestedCaptureHeaders } from '../store/index.js';
import {
  startWaybackSimulator,
  waybackDigest,
  writeSimSite,
  type WaybackSimulator,
} from '../devtools/wayback-sim/index.js';
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
  file(
    2,
    [`<img src="${im(IMG.ok)}" alt="">`, `![](${im(IMG.html)})`, `![](${im(IMG.cut)})`, `![](${im(IMG.twin)})`].join(
      '\n\n',
    ),
  );
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
    assert.equal(first.progress.images, 8, 'an image counts once for each article that shows it');
    assert.equal(first.progress.alreadyDone, 1, 'the image both articles show is asked once');
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
    assert.equal(second.progress.alreadyDone, 8);
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
    /^done: 3 of 7 images stored \(2 files, 0\.0 MiB\); missing: .*1 not-archived.*; this run: 6 fetched, 1 already done/,
  );
  const again = await salvage('media', dir, '--wayback', sim.url, '--time-scale', String(SCALE), '-q');
  assert.match(again.stdout, /this run: 0 fetched, 8 already done/);
  // An archive without a crawl state (an import): status reports its images.
  const status = await salvage('status', dir);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^no crawl state .*; images: 3 of 7 images stored/);
  const json = JSON.parse((await salvage('status', dir, '--json')).stdout) as { media: { total: number } };
  assert.equal(json.media.total, 7);
  const bad = await salvage('media', join(work, 'nowhere'), '--wayback', sim.url, '-q');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /has no articles\/ folder/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('an answer a killed run stored but never recorded is adopted, not fetched again; a cut record stays in place', async () => {
  const dir = join(work, 'killed');
  archive(dir);
  const store = MediaStore.open(dir);
  const record = await store.appendCapture({
    url: wire(IMG.ok),
    timestamp: '20210628174722',
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'image/jpeg' },
    payload: OK_BYTES,
    warcHeaders: requestedCaptureHeaders(PAGE_TS, IMG.ok),
  });
  store.close(); // the kill: the row was never written
  const first = join(dir, 'media/captures', record.warc);
  const torn = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]); // a gzip member cut after its header
  appendFileSync(first, torn);
  const sizeBefore = statSync(first).size;
  const sim = await simulator();
  const c = client(sim);
  try {
    const run = await rescueMedia({ archiveDir: dir, client: c });
    assert.equal(run.progress.adopted, 1);
    assert.equal(run.progress.fetched, 5, 'the six answered images but the adopted one');
    assert.equal(
      Object.keys(sim.stats().captureFetches).some((k) => k.includes('ok%20photo')),
      false,
      'the adopted image was not asked for',
    );
    assert.deepEqual(run.counts.byOutcome, {
      stored: 3,
      'archived-error': 1,
      'not-archived': 1,
      'not-image': 1,
      truncated: 1,
    });
    assert.equal(statSync(first).size, sizeBefore, 'no WARC byte is cut or rewritten');
    assert.ok(existsSync(join(dir, 'media/captures/salvage-00002.warc.gz')), 'new answers go to a new file');
    const reopened = MediaStore.openExisting(dir)!;
    try {
      assert.equal(reopened.get(IMG.ok)!.sha256, createHash('sha256').update(OK_BYTES).digest('hex'));
    } finally {
      reopened.close();
    }
  } finally {
    await c.close();
  }
});

test('the media store comes back from its WARCs alone: into another folder, and in place after the index and files are lost', async () => {
  const dir = join(work, 'restore');
  archive(dir);
  const sim = await simulator();
  const c = client(sim);
  let counts: Awaited<ReturnType<typeof rescueMedia>>['counts'];
  try {
    counts = (await rescueMedia({ archiveDir: dir, client: c })).counts;
  } finally {
    await c.close();
  }
  const snapshot = (d: string): string[] => {
    const store = MediaStore.openExisting(d)!;
    try {
      return [...store.rows()].map(
        (r) => `${r.key} ${r.outcome} ${r.captureTs} ${r.sha256 ?? '-'} ${r.width ?? '-'} ${r.year}`,
      );
    } finally {
      store.close();
    }
  };
  const before = snapshot(dir);
  const other = join(work, 'restore-copy');
  const copied = await restoreMedia(dir, other);
  // Every answer has its WARC record; what the service said without a memento (not archived) has none.
  const answered = before.filter((line) => !line.includes(' not-archived '));
  assert.equal(copied?.restored, 6);
  const { 'not-archived': _never, ...answeredOutcomes } = counts.byOutcome;
  assert.deepEqual(copied?.counts.byOutcome, answeredOutcomes);
  assert.deepEqual(snapshot(other), answered, 'every answered row, from the copied WARCs');
  const ok = MediaStore.openExisting(other)!;
  try {
    assert.deepEqual(readFileSync(ok.filePath(ok.get(IMG.ok)!)!), OK_BYTES);
  } finally {
    ok.close();
  }
  rmSync(join(dir, 'media/media.sqlite'));
  rmSync(join(dir, 'media/files'), { recursive: true });
  const inPlace = await restoreMedia(dir, dir);
  assert.equal(inPlace?.restored, 6, 'the six answers; the image never archived has no record');
  assert.deepEqual(snapshot(dir), answered);
  assert.equal(await restoreMedia(join(work, 'not-an-archive'), join(work, 'x')), undefined);
});

test('a gzipped answer is the image inside: kept decoded, its digest that of the image', async () => {
  const dir = join(work, 'gzipped');
  const path = join(dir, articlePath('1'));
  mkdirSync(dirname(path), { recursive: true });
  const url = 'https://img.example/zipped.jpg';
  writeFileSync(
    path,
    `---\ntitle: 文章\nurl: https://web.archive.org/web/${PAGE_TS}/https://news.example/article/1\n---\n\n# 文章\n\n![](${im(url)})\n`,
  );
  const siteDir = join(work, 'gzip-site');
  // As the Wayback sometimes answers: the bytes still gzipped, no Content-Encoding (WAYBACK.md, "gzip").
  await writeSimSite(siteDir, [
    { original: url, timestamp: '20210628174712', body: gzipSync(OK_BYTES), mimetype: 'image/jpeg', kind: 'image' },
  ]);
  const sim = await startWaybackSimulator({ siteDir, timeScale: SCALE });
  sims.push(sim);
  const c = client(sim);
  try {
    const run = await rescueMedia({ archiveDir: dir, client: c });
    assert.deepEqual(run.counts.byOutcome, { stored: 1 });
    const store = MediaStore.openExisting(dir)!;
    try {
      const row = store.get(url)!;
      assert.equal(row.sha256, createHash('sha256').update(OK_BYTES).digest('hex'));
      assert.equal(row.waybackDigest, waybackDigest(OK_BYTES));
      assert.deepEqual(readFileSync(store.filePath(row)!), OK_BYTES);
    } finally {
      store.close();
    }
  } finally {
    await c.close();
  }
});

test('a restore reads past damaged media WARC bytes to every intact record, and counts the damage', async () => {
  const dir = join(work, 'damaged-media');
  archive(dir);
  const store = MediaStore.open(dir);
  const answer = (url: string, timestamp: string): Parameters<MediaStore['appendCapture']>[0] => ({
    url,
    timestamp,
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'image/jpeg' },
    payload: OK_BYTES,
    warcHeaders: requestedCaptureHeaders(PAGE_TS, url),
  });
  const first = await store.appendCapture(answer(IMG.ok, '20210628174722'));
  appendFileSync(join(dir, 'media/captures', first.warc), Buffer.from('not a gzip member at all'));
  await store.appendCapture(answer(IMG.twin, '20210628174718'));
  store.close(); // nothing recorded: the index is rebuilt from the file alone
  const restored = await restoreMedia(dir, join(work, 'damaged-media-copy'));
  assert.equal(restored?.restored, 2, 'both records, the one after the damage included');
  assert.equal(restored?.damaged, 1);
  assert.deepEqual(restored?.counts.byOutcome, { stored: 2 });
});

test("a killed run's half-written image files are removed when the store opens again; a live writer's are kept", () => {
  const dir = join(work, 'leftovers');
  mkdirSync(join(dir, 'media/.partial'), { recursive: true });
  // A pid above Linux's pid_max (2^22) belongs to no process: its writer is gone.
  const dead = join(dir, 'media/.partial/aa11.999999999');
  const live = join(dir, `media/.partial/bb22.${process.ppid}`);
  writeFileSync(dead, 'half an image');
  writeFileSync(live, 'still being written');
  MediaStore.open(dir).close();
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
});

test('spellings of one image that reach one capture fetch it once, even in flight together; revisit records note the others, and a restore gives all back', async () => {
  const dir = join(work, 'spellings');
  // The same photo written with `www.` in one article and without in another (both are one SURT
  // key to the Wayback), each article captured at another time than the photo.
  const file = (id: number, ts: string, src: string): void => {
    const path = join(dir, articlePath(String(id)));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      `---\ntitle: 文章${id}\ndate: 2021-06-2${id}\nurl: https://web.archive.org/web/${ts}/https://news.example/article/${id}\n---\n\n# 文章${id}\n\n<img src="${im(src, ts)}" alt="">\n`,
    );
  };
  file(1, '20210628174710', 'https://www.spell.example/p.jpg');
  file(2, '20210701000000', 'http://spell.example/p.jpg');
  file(3, '20210702000000', 'https://spell.example:443/p.jpg');
  const siteDir = join(work, 'spellings-site');
  await writeSimSite(siteDir, [
    {
      original: 'https://spell.example/p.jpg',
      timestamp: '20210629000000',
      body: OK_BYTES,
      mimetype: 'image/jpeg',
      kind: 'image',
    },
  ]);
  const sim = await startWaybackSimulator({ siteDir, timeScale: SCALE });
  sims.push(sim);
  const c = client(sim);
  try {
    // The three requests start at once (one worker each): whichever reaches the capture first
    // fetches it, the others wait for it.
    const run = await rescueMedia({ archiveDir: dir, client: c, concurrency: 3 });
    assert.equal(run.progress.fetched, 1, 'one capture fetched');
    assert.deepEqual(run.counts.byOutcome, { stored: 3 });
    assert.equal(sim.stats().maxCaptureFetches, 1);
  } finally {
    await c.close();
  }
  const rows = (d: string): string[] => {
    const store = MediaStore.openExisting(d)!;
    try {
      return [...store.rows()].map((r) => `${r.url} ${r.outcome} ${r.captureTs} ${r.sha256} ${r.width}×${r.height}`);
    } finally {
      store.close();
    }
  };
  const before = rows(dir);
  assert.equal(new Set(before.map((r) => r.split(' ').slice(1).join(' '))).size, 1, 'both rows hold the one capture');
  // The WARC, read by warcio (an independent reader): one response, then a WARC 1.1 revisit of it.
  const { WARCParser } = await import('warcio');
  const records: {
    type: string | null;
    target: string | null;
    refersTo: string | null;
    profile: string | null;
    requested: string | null;
    id: string | null;
    refersToRecord: string | null;
    digest: string | null;
  }[] = [];
  for await (const r of WARCParser.iterRecords(createReadStream(join(dir, 'media/captures/salvage-00001.warc.gz'))))
    records.push({
      type: r.warcType ?? null,
      target: r.warcTargetURI ?? null,
      refersTo: r.warcRefersToTargetURI ?? null,
      profile: r.warcHeader('WARC-Profile') ?? null,
      requested: r.warcHeader('Salvage-Capture-URI') ?? null,
      id: r.warcHeader('WARC-Record-ID') ?? null,
      refersToRecord: r.warcHeader('WARC-Refers-To') ?? null,
      digest: r.warcPayloadDigest ?? null,
    });
  assert.deepEqual(
    records.map((r) => r.type),
    ['response', 'revisit', 'revisit'],
  );
  for (const revisit of records.slice(1)) {
    assert.equal(revisit.profile, 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest');
    assert.equal(revisit.refersTo, records[0]!.target);
    assert.equal(revisit.refersToRecord, records[0]!.id, "each names the response's record, not another revisit");
    assert.equal(revisit.digest, records[0]!.digest, "and repeats that record's payload digest");
  }
  assert.equal(new Set(records.map((r) => r.requested)).size, 3, 'each record names its own request');
  const copied = await restoreMedia(dir, join(work, 'spellings-copy'));
  assert.equal(copied?.restored, 3);
  assert.deepEqual(rows(join(work, 'spellings-copy')), before);
});

test('a media index written before the capture columns gains them on open, filled from its memento URLs; one of another schema is refused untouched', async () => {
  const dir = join(work, 'old-index');
  mkdirSync(join(dir, 'media'), { recursive: true });
  const Database = (await import('better-sqlite3')).default;
  const old = new Database(join(dir, 'media/media.sqlite'));
  // Schema 1 as the first media stores wrote it (c2558b8), with one answered image.
  old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('schema', '1');
    CREATE TABLE images (url TEXT PRIMARY KEY, key TEXT NOT NULL, requested_ts TEXT NOT NULL, outcome TEXT NOT NULL,
      detail TEXT, year TEXT, capture_ts TEXT, status INTEGER, content_type TEXT, sha256 TEXT, wayback_digest TEXT,
      bytes INTEGER, mime TEXT, width INTEGER, height INTEGER, file TEXT, memento_url TEXT, fetched_at TEXT,
      warc TEXT, warc_offset INTEGER, warc_length INTEGER);
    CREATE TABLE warcs (name TEXT PRIMARY KEY, size INTEGER NOT NULL);
    INSERT INTO images (url, key, requested_ts, outcome, capture_ts, memento_url, warc, warc_offset, warc_length)
      VALUES ('https://www.old.example/a.jpg', 'https://www.old.example/a.jpg', '20210101000000', 'stored',
        '20210102000000', 'http://127.0.0.1:9/web/20210102000000im_/https://old.example/a.jpg', 'salvage-00001.warc.gz', 0, 10);`);
  old.close();
  const readOnly = MediaStore.openExisting(dir)!;
  try {
    assert.equal(
      readOnly.get('https://www.old.example/a.jpg')!.captureUrl,
      undefined,
      'read-only: no column, no value',
    );
  } finally {
    readOnly.close();
  }
  const store = MediaStore.open(dir);
  try {
    assert.equal(store.capturedRow('20210102000000', 'http://old.example/a.jpg')?.url, 'https://www.old.example/a.jpg');
  } finally {
    store.close();
  }

  const newer = join(work, 'newer-index');
  mkdirSync(join(newer, 'media'), { recursive: true });
  const db = new Database(join(newer, 'media/media.sqlite'));
  db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '99');
    CREATE TABLE images (url TEXT PRIMARY KEY);`);
  db.close();
  assert.throws(() => MediaStore.open(newer), /another version of salvage \(schema 99/);
  const after = new Database(join(newer, 'media/media.sqlite'), { readonly: true });
  try {
    assert.deepEqual(
      after
        .prepare('PRAGMA table_info(images)')
        .all()
        .map((c) => (c as { name: string }).name),
      ['url'],
      'nothing added to a store this version does not read',
    );
  } finally {
    after.close();
  }
});
