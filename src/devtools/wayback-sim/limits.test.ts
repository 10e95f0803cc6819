import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWaybackSimulator, writeSimSite, type SimulatorOptions, type WaybackSimulator } from './index.js';
import { rawRequest } from './raw-request.js';

const UA = { 'user-agent': 'salvage-tests (wayback-sim)' };
const A = 'https://www.hkcnews.com/article/1/a';
/**
 * 60× faster: the CDX window and the 429 persistence rule take 1 s, and a first block of
 * 60,000 ms lasts 1 s. Ten CDX requests per window: a loaded machine still sends them faster.
 */
const SCALE = 60;
const FAST_BLOCK: SimulatorOptions['limits'] = { cdxPerMinute: 10, firstBlockMs: 60_000 };

let dir: string;
const running: WaybackSimulator[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayback-sim-limits-'));
  await writeSimSite(dir, [{ original: A, timestamp: '20200101000000', body: '<html>A</html>' }]);
});
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Omit<SimulatorOptions, 'siteDir'>): Promise<WaybackSimulator> {
  const sim = await startWaybackSimulator({ siteDir: dir, ...options });
  running.push(sim);
  return sim;
}

const cdxUrl = (sim: WaybackSimulator): string => `${sim.url}/cdx/search/cdx?url=${encodeURIComponent(A)}`;

/** Error code of a failed request (ECONNREFUSED, ECONNRESET, …), or the HTTP status. */
async function outcome(url: string, agent?: Agent): Promise<number | string> {
  try {
    return (await rawRequest(url, { headers: UA, ...(agent === undefined ? {} : { agent }) })).status;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** Sends requests one after another over one keep-alive pool until one fails at the TCP level. */
async function hammerUntilBlocked(url: string): Promise<(number | string)[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const seen: (number | string)[] = [];
  const deadline = Date.now() + 5_000;
  try {
    while (Date.now() < deadline) {
      const result = await outcome(url, agent);
      seen.push(result);
      if (typeof result === 'string') break;
    }
  } finally {
    agent.destroy();
  }
  return seen;
}

test('over the CDX limit: 429s without Retry-After, then a block that refuses connections, then recovery', async () => {
  const sim = await start({ timeScale: SCALE, limits: FAST_BLOCK });
  const first = await rawRequest(cdxUrl(sim), { headers: UA });
  assert.equal(first.status, 200);
  const seen = await hammerUntilBlocked(cdxUrl(sim));
  assert.ok(
    seen.slice(0, 9).every((s) => s === 200),
    'the first 10 requests of the window pass',
  );
  assert.equal(seen[9], 429);
  assert.equal(typeof seen[seen.length - 1], 'string', 'the client was eventually blocked');
  const too = await outcome(cdxUrl(sim));
  assert.equal(too, 'ECONNREFUSED', 'a block refuses new connections like a firewall');

  const stats = sim.stats();
  assert.equal(stats.blocks.count, 1);
  assert.equal(stats.blocks.totalMs, 1_000);
  assert.ok(stats.tooManyRequests > 0);
  assert.ok(stats.requestsDuringPause.cdx > 0, 'requests sent right after a 429 are counted as violations');

  await sleep(1_100);
  assert.equal(await outcome(cdxUrl(sim)), 200, 'the same URL answers again after the block');
});

test('429s carry no Retry-After, and a client that pauses after one is neither blocked nor counted', async () => {
  const sim = await start({ timeScale: SCALE, limits: { cdxPerMinute: 2 } });
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const res = await rawRequest(cdxUrl(sim), { headers: UA });
    statuses.push(res.status);
    if (res.status === 429) assert.equal(res.headers['retry-after'], undefined);
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  await sleep(1_050); // > persistAfter429Ms / timeScale = 1 s, and the 1 s window has slid
  assert.equal(await outcome(cdxUrl(sim)), 200);
  const stats = sim.stats();
  assert.deepEqual(stats.requestsDuringPause, { cdx: 0, capture: 0 });
  assert.equal(stats.blocks.count, 0);
});

test('captures have their own per-second limit, separate from CDX', async () => {
  const sim = await start({ timeScale: 1, limits: { capturesPerSecond: 3 } });
  const replay = `${sim.url}/web/20200101000000id_/${A}`;
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await outcome(replay));
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.equal(await outcome(cdxUrl(sim)), 200, 'CDX is limited separately');
  assert.equal(sim.stats().requests.capture, 4);
});

test('blockMode reset destroys and counts connection attempts, and each further block lasts twice as long', async () => {
  const sim = await start({ timeScale: SCALE, limits: { cdxPerMinute: 10, firstBlockMs: 30_000 }, blockMode: 'reset' });
  await hammerUntilBlocked(cdxUrl(sim));
  const refused = await outcome(cdxUrl(sim));
  assert.ok(refused === 'ECONNRESET' || refused === 'socket hang up', String(refused));
  assert.ok(sim.stats().refusedConnections >= 1);
  await sleep(600);
  assert.equal(await outcome(cdxUrl(sim)), 200);
  await hammerUntilBlocked(cdxUrl(sim));
  const stats = sim.stats();
  assert.equal(stats.blocks.count, 2);
  assert.equal(stats.blocks.totalMs, 500 + 1_000);
});
