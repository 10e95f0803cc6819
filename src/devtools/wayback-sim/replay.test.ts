import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWaybackSimulator, waybackDigest, writeSimSite, type WaybackSimulator } from './index.js';
import { rawRequest, type RawResponse } from './raw-request.js';

const UA = { 'user-agent': 'salvage-tests (wayback-sim)' };
const A = 'https://www.hkcnews.com/article/1/%E6%B8%AF';
/** Bytes that must come back unchanged: UTF-8 text, a CR, a NUL and a byte that is not UTF-8. */
const A_2019 = Buffer.concat([
  Buffer.from('<html>眾新聞 2019\r\n\0', 'utf8'),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('</html>\n'),
]);
const A_2020 = Buffer.from('<html>眾新聞 2020</html>\n', 'utf8');
const SHORT = 'https://hkcnews.com/article/2';
const LONG = 'https://hkcnews.com/article/2/b';
const SVG = 'https://www.hkcnews.com/images/logo.svg';

let dir: string;
let sim: WaybackSimulator;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayback-sim-replay-'));
  await writeSimSite(dir, [
    { original: A, timestamp: '20190101000000', body: A_2019 },
    { original: A, timestamp: '20200101000000', body: A_2020 },
    { original: A, timestamp: '20220212000000', body: A_2020, revisit: true },
    { original: A, timestamp: '20230101000000', body: 'Page not found', statuscode: '404', kind: 'notfound' },
    { original: SHORT, timestamp: '20200505050505', body: '<html>Redirecting</html>', location: LONG },
    { original: LONG, timestamp: '20200505050507', body: '<html>B</html>' },
    { original: SVG, timestamp: '20180101000000', body: '<svg/>', mimetype: 'image/svg+xml' },
  ]);
  sim = await startWaybackSimulator({ siteDir: dir, timeScale: 10_000 });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const web = (path: string, headers: Record<string, string> = UA): Promise<RawResponse> =>
  rawRequest(`${sim.url}/web/${path}`, { headers });

test('an id_ replay returns the archived bytes exactly, with memento headers', async () => {
  const res = await web(`20190101000000id_/${A}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, A_2019);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['content-length'], String(A_2019.length));
  assert.equal(res.headers['memento-datetime'], 'Tue, 01 Jan 2019 00:00:00 GMT');
  const link = String(res.headers['link'] ?? '');
  for (const rel of ['original', 'timegate', 'timemap', 'memento']) assert.match(link, new RegExp(`rel="${rel}"`));
  assert.match(link, new RegExp(`<${A}>; rel="original"`));
  assert.ok(res.headers['x-archive-src']);
  assert.equal(res.headers['x-archive-orig-content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['content-encoding'], undefined);
});

test('other modifiers, http and the bare host replay the same bytes', async () => {
  for (const path of [
    `20190101000000/${A}`,
    `20190101000000im_/${A}`,
    `20190101000000if_/${A}`,
    `20190101000000js_/${A}`,
    `20190101000000cs_/${A}`,
    '20190101000000id_/http://hkcnews.com/article/1/%e6%b8%af',
  ]) {
    const res = await web(path);
    assert.equal(res.status, 200, path);
    assert.deepEqual(res.body, A_2019, path);
  }
  const svg = await web(`20180101000000id_/${SVG}`);
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
});

test('a revisit replays the payload of the capture with its digest, as 200', async () => {
  const res = await web(`20220212000000id_/${A}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['memento-datetime'], 'Sat, 12 Feb 2022 00:00:00 GMT');
  assert.equal(waybackDigest(res.body), waybackDigest(A_2020));
});

test('an archived 404 replays as 404 with its page', async () => {
  const res = await web(`20230101000000id_/${A}`);
  assert.equal(res.status, 404);
  assert.equal(res.body.toString(), 'Page not found');
  assert.ok(res.headers['memento-datetime']);
});

test('an archived redirect keeps Memento-Datetime and points at its target at the same timestamp', async () => {
  const res = await web(`20200505050505id_/${SHORT}`);
  assert.equal(res.status, 301);
  assert.equal(res.headers['location'], `${sim.url}/web/20200505050505id_/${LONG}`);
  assert.equal(res.headers['memento-datetime'], 'Tue, 05 May 2020 05:05:05 GMT');
  assert.equal(res.body.toString(), '<html>Redirecting</html>');
  // following it lands on the closest capture of the target, two seconds later
  const next = await rawRequest(res.headers['location'], { headers: UA });
  assert.equal(next.status, 302);
  assert.equal(next.headers['location'], `${sim.url}/web/20200505050507id_/${LONG}`);
});

test('an inexact timestamp redirects to the closest capture without Memento-Datetime', async () => {
  const cases: [string, string][] = [
    ['20191201000000', '20200101000000'],
    ['20190601000000', '20190101000000'],
    ['2019', '20190101000000'],
    ['2030', '20230101000000'],
  ];
  for (const [asked, found] of cases) {
    const res = await web(`${asked}id_/${A}`);
    assert.equal(res.status, 302, asked);
    assert.equal(res.headers['location'], `${sim.url}/web/${found}id_/${A}`, asked);
    assert.equal(res.headers['x-archive-redirect-reason'], `found capture at ${found}`);
    assert.equal(res.headers['memento-datetime'], undefined);
  }
});

test('a URL without captures gets the "not archived" 404 page', async () => {
  const res = await web('20200101000000id_/https://www.hkcnews.com/article/999');
  assert.equal(res.status, 404);
  assert.match(res.body.toString(), /Hrm\.[\s\S]*The Wayback Machine has not archived that URL\./);
  assert.equal(res.headers['memento-datetime'], undefined);
});

test('a replay without a User-Agent gets 400', async () => {
  assert.equal((await web(`20190101000000id_/${A}`, {})).status, 400);
});

test('stats count successful replays per capture, and the stats are served as JSON', async () => {
  sim.resetStats();
  await web(`20190101000000id_/${A}`);
  await web(`20190101000000id_/${A}`);
  await web(`20200505050505id_/${SHORT}`);
  await web(`2019id_/${A}`);
  const stats = sim.stats();
  assert.deepEqual(stats.captureFetches, { [`20190101000000 ${A}`]: 2, [`20200505050505 ${SHORT}`]: 1 });
  assert.equal(stats.maxCaptureFetches, 2);
  assert.equal(stats.requests.capture, 4);
  assert.deepEqual(stats.responses, { '200': 2, '301': 1, '302': 1 });
  const served = JSON.parse((await rawRequest(`${sim.url}/__sim/stats`)).body.toString()) as typeof stats;
  assert.deepEqual(served.captureFetches, stats.captureFetches);
});
