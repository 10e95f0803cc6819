import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MAX_FAULTS_IN_A_ROW, resolveSimulatorOptions, startWaybackSimulator, writeSimSite, type SimulatorOptions, type WaybackSimulator } from './index.js';
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
  for (let i = 2; i <= 40; i++) captures.push({ original: `https://www.hkcnews.com/article/${i}/x`, timestamp: '20200101000000', body: Buffer.from(`<html>${i}</html>`) });
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
  assert.ok(statuses.slice(0, 3).every((s) => typeof s === 'number' && [502, 503, 504].includes(s)), String(statuses));
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
  assert.equal((await rawRequest(faulty.url + query.replace('&output=json', ''), { headers: UA })).body.toString(), (await rawRequest(clean.url + query.replace('&output=json', ''), { headers: UA })).body.toString());
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
  const during = [await status(cdx), await status(`${sim.url}/web/20200101000000id_/${A}`), await status(cdx), await status(cdx)];
  assert.ok(during.every((s) => s === 503 || s === 502), String(during));
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(await status(cdx), 200);
  assert.equal(sim.stats().faultsInjected.outage, 4);
});

test('the named profiles resolve to the documented rates; storm seeds one outage', () => {
  const storm = resolveSimulatorOptions({ siteDir: dir, faults: 'storm', seed: 3 }).faults;
  assert.deepEqual({ ...storm, outage: null }, { serverError: 0.08, reset: 0.03, slow: 0.03, truncatedJson: 0.1, lyingGzip: 0.1, spurious429: 0.01, outage: null });
  assert.equal(storm.outage?.durationMs, 30_000);
  assert.ok(storm.outage!.afterRequests >= 100 && storm.outage!.afterRequests < 1_000);
  const normal = resolveSimulatorOptions({ siteDir: dir, faults: 'default' }).faults;
  assert.equal(normal.outage, null);
  assert.equal(normal.serverError, 0.01);
  assert.equal(resolveSimulatorOptions({ siteDir: dir }).faults.serverError, 0);
  assert.throws(() => resolveSimulatorOptions({ siteDir: dir, faults: { serverError: 0.8, reset: 0.5 } }), { code: 'CONFIG_INVALID' });
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
