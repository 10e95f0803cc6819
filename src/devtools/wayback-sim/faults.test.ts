import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { get as httpGet } from 'node:http';
import {
  MAX_FAULTS_IN_A_ROW,
  resolveSimulatorOptions,
  startWaybackSimulator,
  writeSimSite,
  type SimulatorOptions,
  type WaybackSimulator,
} from './index.js';
import { rawRequest } from './raw-request.js';

const UA = { 'user-agent': 'salvage-tests (wayback-sim)' };
const A = 'https://www.hkcnews.com/article/1/a';
const PAGE = Buffer.from(`<html>${'眾新聞 '.repeat(200)}</html>\n`, 'utf8');
/** Limits out of the way: fault tests send many requests quickly. */
const SCALE = 100_000;

let dir: string;
const running: WaybackSimulator[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayback-sim-faults-'));
  const captures = [{ original: A, timestamp: '20200101000000', body: PAGE }];
  for (let i = 2; i <= 40; i++)
    captures.push({
      original: `https://www.hkcnews.com/article/${i}/x`,
      timestamp: '20200101000000',
      body: Buffer.from(`<html>${i}</html>`),
    });
  await writeSimSite(dir, captures);
});
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Omit<SimulatorOptions, 'siteDir'>): Promise<WaybackSimulator> {
  const sim = await startWaybackSimulator({ siteDir: dir, timeScale: SCALE, ...options });
  running.push(sim);
  return sim;
}

/** The HTTP status, or `reset` when the connection broke. */
async function status(url: string): Promise<number | 'reset'> {
  try {
    return (await rawRequest(url, { headers: UA })).status;
  } catch {
    return 'reset';
  }
}

/** One request per article URL, alternating CDX and replay, twice over. */
function requestSequence(sim: WaybackSimulator): string[] {
  const urls: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 2; i <= 40; i++) {
      urls.push(`${sim.url}/cdx/search/cdx?url=hkcnews.com/article/${i}/x&output=json`);
      urls.push(`${sim.url}/web/20200101000000id_/https://www.hkcnews.com/article/${i}/x`);
    }
  }
  return urls;
}

test('faults are a function of the seed and the request sequence', async () => {
  const outcomes = async (seed: string): Promise<(number | 'reset')[]> => {
    const sim = await start({ faults: { serverError: 0.2, reset: 0.1, spurious429: 0.05 }, seed });
    const result: (number | 'reset')[] = [];
    for (const url of requestSequence(sim)) result.push(await status(url));
    return result;
  };
  const first = await outcomes('alpha');
  assert.deepEqual(await outcomes('alpha'), first);
  assert.notDeepEqual(await outcomes('beta'), first);
  assert.ok(first.some((s) => s !== 200) && first.some((s) => s === 200));
});

test(`a key is never faulted more than ${MAX_FAULTS_IN_A_ROW} times in a row, so retrying always succeeds`, async () => {
  const sim = await start({ faults: { serverError: 1 } });
  const url = `${sim.url}/web/20200101000000id_/${A}`;
  const statuses = [];
  for (let i = 0; i < 8; i++) statuses.push(await status(url));
  assert.ok(
    statuses.slice(0, 3).every((s) => typeof s === 'number' && [502, 503, 504].includes(s)),
    String(statuses),
  );
  assert.equal(statuses[3], 200);
  assert.equal(statuses[7], 200);
  assert.equal(sim.stats().faultsInjected.serverError, 6);
});

test('a truncated CDX answer is valid HTTP whose JSON ends early; the retry gets identical rows', async () => {
  const clean = await start({});
  const faulty = await start({ faults: { truncatedJson: 1 } });
  const query = `/cdx/search/cdx?url=hkcnews.com/article/*&output=json`;
  const expected = (await rawRequest(clean.url + query, { headers: UA })).body.toString();
  const cut = await rawRequest(faulty.url + query, { headers: UA });
  assert.equal(cut.status, 200);
  assert.equal(cut.headers['content-length'], String(cut.body.length));
  assert.ok(expected.startsWith(cut.body.toString()) && cut.body.length < expected.length);
  assert.throws(() => JSON.parse(cut.body.toString()), SyntaxError);
  let last = cut;
  for (let i = 0; i < MAX_FAULTS_IN_A_ROW; i++) last = await rawRequest(faulty.url + query, { headers: UA });
  assert.equal(last.body.toString(), expected);
  // text answers are never cut (a client could not tell)
  assert.equal(
    (await rawRequest(faulty.url + query.replace('&output=json', ''), { headers: UA })).body.toString(),
    (await rawRequest(clean.url + query.replace('&output=json', ''), { headers: UA })).body.toString(),
  );
});

test('a lying-gzip replay is gzipped without Content-Encoding and holds the exact bytes', async () => {
  const sim = await start({ faults: { lyingGzip: 1 } });
  const res = await rawRequest(`${sim.url}/web/20200101000000id_/${A}`, { headers: UA });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], undefined);
  assert.deepEqual([...res.body.subarray(0, 2)], [0x1f, 0x8b]);
  assert.deepEqual(gunzipSync(res.body), PAGE);
  assert.equal(sim.stats().faultsInjected.lyingGzip, 1);
  assert.equal(sim.stats().maxCaptureFetches, 1, 'the client got the capture');
});

test('a reset breaks the connection mid-body and is not a successful fetch', async () => {
  const sim = await start({ faults: { reset: 1 } });
  const url = `${sim.url}/web/20200101000000id_/${A}`;
  await assert.rejects(rawRequest(url, { headers: UA }));
  assert.equal(sim.stats().faultsInjected.reset, 1);
  assert.deepEqual(sim.stats().captureFetches, {});
  for (let i = 1; i < MAX_FAULTS_IN_A_ROW; i++) await assert.rejects(rawRequest(url, { headers: UA }));
  assert.deepEqual((await rawRequest(url, { headers: UA })).body, PAGE);
});

test('a slow answer waits 2–8 s (scaled) before its headers and is correct', async () => {
  const sim = await start({ timeScale: 100, faults: { slow: 1 } });
  const started = performance.now();
  const res = await rawRequest(`${sim.url}/web/20200101000000id_/${A}`, { headers: UA });
  const ms = performance.now() - started;
  assert.ok(ms >= 19 && ms < 500, `${ms} ms`);
  assert.deepEqual(res.body, PAGE);
});

test('a spurious 429 looks like the real one', async () => {
  const sim = await start({ faults: { spurious429: 1 } });
  const res = await rawRequest(`${sim.url}/web/20200101000000id_/${A}`, { headers: UA });
  assert.equal(res.status, 429);
  assert.equal(res.headers['retry-after'], undefined);
  assert.equal(sim.stats().faultsInjected.spurious429, 1);
});

test('during the outage window every request gets a 503 or 502 page, then service resumes', async () => {
  const sim = await start({ timeScale: 1_000, faults: { outage: { afterRequests: 2, durationMs: 100_000 } } });
  const cdx = `${sim.url}/cdx/search/cdx?url=hkcnews.com/article/*&output=json`;
  assert.equal(await status(cdx), 200);
  assert.equal(await status(cdx), 200);
  const during = [
    await status(cdx),
    await status(`${sim.url}/web/20200101000000id_/${A}`),
    await status(cdx),
    await status(cdx),
  ];
  assert.ok(
    during.every((s) => s === 503 || s === 502),
    String(during),
  );
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(await status(cdx), 200);
  assert.equal(sim.stats().faultsInjected.outage, 4);
});

test('the named profiles resolve to the documented rates; storm seeds one outage', () => {
  const storm = resolveSimulatorOptions({ siteDir: dir, faults: 'storm', seed: 3 }).faults;
  assert.deepEqual(
    { ...storm, outage: null },
    { serverError: 0.08, reset: 0.03, slow: 0.03, truncatedJson: 0.1, lyingGzip: 0.1, spurious429: 0.01, outage: null },
  );
  assert.equal(storm.outage?.durationMs, 30_000);
  assert.ok(storm.outage.afterRequests >= 100 && storm.outage.afterRequests < 1_000);
  const normal = resolveSimulatorOptions({ siteDir: dir, faults: 'default' }).faults;
  assert.equal(normal.outage, null);
  assert.equal(normal.serverError, 0.01);
  assert.equal(resolveSimulatorOptions({ siteDir: dir }).faults.serverError, 0);
  assert.throws(() => resolveSimulatorOptions({ siteDir: dir, faults: { serverError: 0.8, reset: 0.5 } }), {
    code: 'CONFIG_INVALID',
  });
  assert.throws(() => resolveSimulatorOptions({ siteDir: dir, host: '0.0.0.0' }), { code: 'CONFIG_INVALID' });
});

test('with the storm profile a client that retries gets every capture byte for byte', async () => {
  const sim = await start({ faults: 'storm', seed: 'retry' });
  for (let i = 2; i <= 40; i++) {
    const url = `${sim.url}/web/20200101000000id_/https://www.hkcnews.com/article/${i}/x`;
    let body: Buffer | undefined;
    for (let attempt = 0; attempt <= MAX_FAULTS_IN_A_ROW && body === undefined; attempt++) {
      try {
        const res = await rawRequest(url, { headers: UA });
        if (res.status === 200) body = res.body[0] === 0x1f && res.body[1] === 0x8b ? gunzipSync(res.body) : res.body;
      } catch {
        // a reset: retry
      }
    }
    assert.equal(body?.toString(), `<html>${i}</html>`);
  }
  assert.equal(sim.stats().maxCaptureFetches, 1);
});

/** GETs `url` until `maxBytes` of body arrived or `waitMs` passed, then hangs up; the status (0: none) and bytes seen. */
function received(url: string, maxBytes: number, waitMs: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const seen = { status: 0, bytes: 0 };
    const req = httpGet(url, { headers: UA }, (res) => {
      seen.status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        seen.bytes += chunk.length;
        if (seen.bytes >= maxBytes) finish();
      });
      res.on('end', finish);
    });
    const timer = setTimeout(finish, waitMs);
    req.on('error', () => finish());
    function finish(): void {
      clearTimeout(timer);
      req.destroy();
      resolve({ ...seen });
    }
  });
}

test('urlFaults: one URL is reset, hangs or streams without end on every attempt while the others are answered; bad entries are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wayback-sim-urlfaults-'));
  try {
    await writeSimSite(dir, [
      { original: 'https://www.hkcnews.com/article/1/a', timestamp: '20200101000000', body: 'a' },
      { original: 'https://www.hkcnews.com/article/2/b', timestamp: '20200101000000', body: 'b' },
      { original: 'https://www.hkcnews.com/article/3/c', timestamp: '20200101000000', body: 'c' },
      { original: 'https://www.hkcnews.com/article/4/d', timestamp: '20200101000000', body: 'd' },
    ]);
    const sim = await startWaybackSimulator({
      siteDir: dir,
      urlFaults: [
        { contains: '/article/1/', fault: 'reset' },
        { contains: '/article/2/', fault: 'huge' },
        { contains: '/article/3/', fault: 'hang' },
      ],
    });
    try {
      const web = (n: number, l: string): string =>
        `${sim.url}/web/20200101000000id_/https://www.hkcnews.com/article/${n}/${l}`;
      for (let i = 0; i < 3; i++) await assert.rejects(rawRequest(web(1, 'a'), { headers: UA }));
      const huge = await received(web(2, 'b'), 4 * 1024 * 1024, 5_000);
      assert.deepEqual(
        [huge.status, huge.bytes >= 4 * 1024 * 1024],
        [200, true],
        'a body that goes on past 4 MiB (the client hangs up)',
      );
      const hang = await received(web(3, 'c'), 1, 100);
      assert.deepEqual(hang, { status: 0, bytes: 0 }, 'no answer within 100 ms');
      assert.equal((await rawRequest(web(4, 'd'), { headers: UA })).status, 200);
      assert.deepEqual(sim.stats().urlFaultsInjected, { '/article/1/': 3, '/article/2/': 1, '/article/3/': 1 });
    } finally {
      await sim.close();
    }
    await assert.rejects(
      startWaybackSimulator({ siteDir: dir, urlFaults: [{ contains: '', fault: 'reset' }] }),
      /urlFaults/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a row with `raw` is served as given in JSON and text answers, in its place in the index (malformed CDX rows)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wayback-sim-raw-'));
  try {
    const bad = ['com,hkcnews)/article/2/b', 'abc', 'https://www.hkcnews.com/article/2/b', 'text/html', 200];
    await writeSimSite(dir, [
      { original: 'https://www.hkcnews.com/article/1/a', timestamp: '20200101000000', body: 'a' },
      { original: 'https://www.hkcnews.com/article/2/b', timestamp: '20200101000000', body: 'b', raw: bad },
      {
        original: 'https://www.hkcnews.com/article/3/c',
        timestamp: '20200101000000',
        body: 'c',
        raw: 'com,hkcnews)/article/3/c 2020 x',
      },
    ]);
    const sim = await startWaybackSimulator({ siteDir: dir });
    try {
      const q = `${sim.url}/cdx/search/cdx?url=hkcnews.com/article/&matchType=prefix`;
      const json = JSON.parse(
        (await rawRequest(`${q}&output=json`, { headers: UA })).body.toString('utf8'),
      ) as unknown[];
      assert.deepEqual(json[2], bad);
      assert.equal(json.length, 4, 'header and three rows');
      const text = (await rawRequest(q, { headers: UA })).body.toString('utf8').split('\n');
      assert.deepEqual(text.slice(1, 3), [JSON.stringify(bad), 'com,hkcnews)/article/3/c 2020 x']);
    } finally {
      await sim.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
