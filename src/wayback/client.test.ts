/**
 * WaybackClient against the local Wayback simulator on loopback: every behaviour of the real
 * service (shared/spec/WAYBACK.md) that the client handles. The simulator and the client's
 * Politeness run at the same time scale, so a one-minute pause takes milliseconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  startWaybackSimulator,
  writeSimSite,
  type SimulatorOptions,
  type WaybackSimulator,
} from '../devtools/wayback-sim/index.js';
import { rawRequest } from '../devtools/wayback-sim/raw-request.js';
import type { CdxRow } from './cdx.js';
import {
  DEFAULT_USER_AGENT,
  MAX_MEMENTO_URL_BYTES,
  RequestRefusedError,
  RetriesExhaustedError,
  WaybackClient,
  WaybackRequestError,
  type WaybackClientOptions,
} from './client.js';
import { Politeness, WaitLimitError, type Family, type PolitenessEvent, type PolitenessOptions } from './politeness.js';

/** Default time scale of simulator and client: a 60 s pause after a 429 takes 120 ms, a 10 min block pause 1.2 s. */
const SCALE = 500;
const HOST = 'https://www.hkcnews.com';

// Payloads: bytes that are not UTF-8 (Big5 「新聞」) and a NUL, so any decoding would show.
const PAGE_A = Buffer.concat([
  Buffer.from('<html><head><meta charset="big5"></head><body>'),
  Buffer.from([0xb7, 0x73, 0xbb, 0x44, 0x00, 0xff]),
  Buffer.from('</body></html>\n'),
]);
const PAGE_B = Buffer.from(`<html><body>${'眾新聞 article two '.repeat(50)}</body></html>\n`, 'utf8');
const PAGE_C = Buffer.from('<html><body>article three</body></html>\n', 'utf8');
const PAGE_D = Buffer.from(`<html><body>${'article four '.repeat(300)}</body></html>\n`, 'utf8');
/** A capture whose payload is itself gzip (a .gz file on the site). */
const GZ_PAYLOAD = gzipSync(Buffer.from('a gzip file as the site served it\n'.repeat(20)));

const A = `${HOST}/article/1/a`;
const A_TS = '20200101000000';
const A_REVISIT_TS = '20200301000000';
const REDIR = `${HOST}/article/2`;
const REDIR_TS = '20200202020202';
const REDIR_TARGET = `${HOST}/article/2/slug`;
const REDIR_TARGET_TS = '20200202020209'; // 7 s after the redirect: reached through a closest-capture hop
const SAME = `${HOST}/article/3`;
const SAME_TARGET = `${HOST}/article/3/slug`;
const SAME_TS = '20200303030303';
const LOOP_A = `${HOST}/loop/a`;
const LOOP_B = `${HOST}/loop/b`;
const LOOP_TS = '20200404040404';
const D = `${HOST}/article/4/d`;
const D_TS = '20200505050505';
const GZ = `${HOST}/files/data.gz`;
const GZ_TS = '20200606060606';
const NEVER = `${HOST}/never/archived`;
/** chain/0 → chain/1 → … → chain/6 (a page): archived redirects at one timestamp. */
const chainUrl = (i: number): string => `${HOST}/chain/${i}`;
const CHAIN_TS = '20200707070707';
/** A query with an apostrophe, which WHATWG URL parsing percent-encodes (`%27`) in http(s) queries. */
const QUOTED = `${HOST}/search?q=hong+kong's`;
const QUOTED_REDIR = `${HOST}/search?q=hk`;
const QUOTED_TS = '20200808080808';

const PAGED = 23;
const FULL = 20;
const pagedUrl = (i: number): string => `${HOST}/paged/${i}`;
const pagedBody = (i: number): Buffer => Buffer.from(`<html><body>paged ${i} ${'x'.repeat(i * 10)}</body></html>\n`);
const pagedTs = (i: number): string => `202101010000${String(i).padStart(2, '0')}`;

let dir: string;
let written: Record<string, string>[];
const running: WaybackSimulator[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'salvage-client-test-'));
  const captures: Parameters<typeof writeSimSite>[1][number][] = [
    { original: A, timestamp: A_TS, body: PAGE_A },
    { original: A, timestamp: A_REVISIT_TS, body: PAGE_A, revisit: true },
    { original: REDIR, timestamp: REDIR_TS, location: REDIR_TARGET },
    { original: REDIR_TARGET, timestamp: REDIR_TARGET_TS, body: PAGE_B },
    { original: SAME, timestamp: SAME_TS, location: SAME_TARGET },
    { original: SAME_TARGET, timestamp: SAME_TS, body: PAGE_C },
    { original: LOOP_A, timestamp: LOOP_TS, location: LOOP_B, body: 'a' },
    { original: LOOP_B, timestamp: LOOP_TS, location: LOOP_A, body: 'b' },
    { original: D, timestamp: D_TS, body: PAGE_D },
    { original: GZ, timestamp: GZ_TS, body: GZ_PAYLOAD, mimetype: 'application/gzip' },
    { original: QUOTED, timestamp: QUOTED_TS, body: PAGE_C },
    { original: QUOTED_REDIR, timestamp: QUOTED_TS, location: QUOTED },
    // Identical duplicate rows, as the real index has them.
    { original: `${HOST}/dup/a`, timestamp: '20190101000000', body: 'dup a' },
    { original: `${HOST}/dup/a`, timestamp: '20190101000000', body: 'dup a' },
    { original: `${HOST}/dup/b`, timestamp: '20190101000000', body: 'dup b' },
  ];
  for (let i = 0; i < 6; i++)
    captures.push({ original: chainUrl(i), timestamp: CHAIN_TS, location: chainUrl(i + 1), body: `redirect ${i}` });
  captures.push({ original: chainUrl(6), timestamp: CHAIN_TS, body: PAGE_C });
  for (let i = 1; i <= PAGED; i++) captures.push({ original: pagedUrl(i), timestamp: pagedTs(i), body: pagedBody(i) });
  for (let i = 1; i <= FULL; i++)
    captures.push({ original: `${HOST}/full/${i}`, timestamp: '20210202000000', body: `full ${i}` });
  written = await writeSimSite(dir, captures);
});

after(async () => {
  await Promise.all(running.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function startSim(options: Omit<SimulatorOptions, 'siteDir'> = {}): Promise<WaybackSimulator> {
  const sim = await startWaybackSimulator({ siteDir: dir, timeScale: SCALE, ...options });
  running.push(sim);
  return sim;
}

interface Setup {
  client: WaybackClient;
  politeness: Politeness;
  /** Every politeness event, with the time (performance.now) it was emitted. */
  events: (PolitenessEvent & { at: number })[];
}

/** A client at the simulator's time scale (waits, rates and timeoutMs all scaled); jitter fixed at 1×. */
function makeClient(
  baseUrl: string,
  options: {
    politeness?: PolitenessOptions;
    client?: Omit<WaybackClientOptions, 'politeness' | 'baseUrl'>;
    scale?: number;
  } = {},
): Setup {
  const scale = options.scale ?? SCALE;
  const events: Setup['events'] = [];
  const politeness = new Politeness({
    timeScale: scale,
    random: () => 0.5,
    onEvent: (e) => events.push({ ...e, at: performance.now() }),
    ...options.politeness,
  });
  const client = new WaybackClient({ baseUrl, politeness, timeoutMs: 60_000 / scale, ...options.client });
  return { client, politeness, events };
}

const rowKey = (r: Pick<CdxRow, 'timestamp' | 'original'>): string => `${r.timestamp} ${r.original}`;
const expectedRows = (prefix: string): Record<string, string>[] =>
  written.filter((r) => r['original']!.startsWith(prefix));

/** Every row of a query, following the cursor; also returns the blocks' sizes and keys. */
async function allRows(
  client: WaybackClient,
  url: string,
): Promise<{ rows: CdxRow[]; blocks: { size: number; key: string | undefined }[] }> {
  const rows: CdxRow[] = [];
  const blocks: { size: number; key: string | undefined }[] = [];
  let key: string | undefined;
  do {
    const page = await client.cdxPage({ url }, key);
    rows.push(...page.rows);
    blocks.push({ size: page.rows.length, key: page.resumeKey });
    key = page.resumeKey;
    assert.ok(blocks.length <= 50, 'the cursor must end');
  } while (key !== undefined);
  return { rows, blocks };
}

/** A loopback proxy in front of `target` that records every request line and its headers. */
async function startRecorder(target: string): Promise<{
  url: string;
  seen: { url: string; headers: IncomingHttpHeaders; answer?: IncomingHttpHeaders }[];
  close(): Promise<void>;
}> {
  const seen: { url: string; headers: IncomingHttpHeaders; answer?: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    const entry: (typeof seen)[number] = { url: req.url ?? '', headers: req.headers };
    seen.push(entry);
    const upstream = httpRequest(
      target + (req.url ?? '/'),
      { method: req.method ?? 'GET', headers: req.headers },
      (up) => {
        entry.answer = up.headers;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end();
  });
  return { url: await listen(server), seen, close: () => closeServer(server) };
}

async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---------------------------------------------------------------------------------------------
// CDX

test('CDX paging follows the resumeKey cursor: 23 rows in blocks of 5 come out once each, the last block has no key', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url, { client: { cdxPageRows: 5 } });
  try {
    const { rows, blocks } = await allRows(client, 'www.hkcnews.com/paged/*');
    assert.deepEqual(
      blocks.map((b) => b.size),
      [5, 5, 5, 5, 3],
    );
    assert.ok(
      blocks.slice(0, -1).every((b) => typeof b.key === 'string' && b.key.length > 0),
      'every full block carries a key',
    );
    assert.equal(blocks.at(-1)?.key, undefined, 'the last block has no key');
    assert.equal(rows.length, PAGED);
    const keys = rows.map(rowKey);
    assert.equal(new Set(keys).size, PAGED, 'no row repeated');
    assert.deepEqual(
      new Set(keys),
      new Set(expectedRows(`${HOST}/paged/`).map((r) => `${r['timestamp']} ${r['original']}`)),
      'no row missing',
    );
    const first = rows.find((r) => r.original === pagedUrl(7));
    assert.deepEqual(first, {
      urlkey: 'com,hkcnews)/paged/7',
      timestamp: pagedTs(7),
      original: pagedUrl(7),
      mimetype: 'text/html',
      statuscode: 200,
      digest: expectedRows(pagedUrl(7))[0]!['digest'],
      length: pagedBody(7).length,
    });
    assert.equal(sim.stats().requests.cdx, 5);
  } finally {
    await client.close();
  }
});

test('CDX paging: a block that fills cdxPageRows exactly carries a key, and the empty block after it ends the query', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url, { client: { cdxPageRows: 5 } });
  try {
    const { rows, blocks } = await allRows(client, 'hkcnews.com/full/*');
    assert.deepEqual(
      blocks.map((b) => b.size),
      [5, 5, 5, 5, 0],
    );
    assert.equal(blocks.at(-1)?.key, undefined);
    assert.equal(new Set(rows.map(rowKey)).size, FULL);
  } finally {
    await client.close();
  }
});

test('CDX requests page with showResumeKey=true and resumeKey, ask for urlkey first in fl, never page=, and carry a User-Agent and gzip/deflate only', async () => {
  const sim = await startSim();
  const recorder = await startRecorder(sim.url);
  const { client } = makeClient(recorder.url, { client: { cdxPageRows: 5 } });
  try {
    const { rows } = await allRows(client, 'www.hkcnews.com/paged/*');
    assert.equal(rows.length, PAGED);
    assert.equal(recorder.seen.length, 5);
    const keys: (string | null)[] = [];
    assert.ok(
      recorder.seen.every((s) => s.answer?.['content-encoding'] === 'gzip'),
      'the answers came with transport gzip, which the client removed',
    );
    for (const { url, headers } of recorder.seen) {
      const u = new URL(url, 'http://x');
      assert.equal(u.pathname, '/cdx/search/cdx');
      assert.equal(u.searchParams.get('showResumeKey'), 'true', url);
      assert.equal(u.searchParams.get('output'), 'json', url);
      assert.equal(u.searchParams.get('fl')?.split(',')[0], 'urlkey', url);
      assert.equal(u.searchParams.get('limit'), '5', url);
      assert.equal(u.searchParams.get('url'), 'www.hkcnews.com/paged/*');
      assert.ok(
        !u.searchParams.has('page') && !u.searchParams.has('showNumPages') && !u.searchParams.has('pageSize'),
        url,
      );
      assert.equal(headers['user-agent'], DEFAULT_USER_AGENT);
      assert.equal(headers['accept-encoding'], 'gzip, deflate');
      keys.push(u.searchParams.get('resumeKey'));
    }
    assert.equal(keys[0], null, 'the first block has no resumeKey');
    assert.ok(keys.slice(1).every((k) => k !== null && k.length > 0));
    assert.equal(new Set(keys).size, 5, 'each block continues from a new key');
  } finally {
    await client.close();
    await recorder.close();
  }
});

test('truncated CDX JSON is retried until complete, and duplicate index rows come through as rows', async () => {
  const sim = await startSim({ faults: { truncatedJson: 1 } });
  const { client, events } = makeClient(sim.url);
  try {
    const page = await client.cdxPage({ url: 'www.hkcnews.com/dup/*' });
    assert.equal(sim.stats().faultsInjected.truncatedJson, 3, 'the simulator cut three answers in a row');
    assert.equal(sim.stats().requests.cdx, 4);
    assert.equal(page.resumeKey, undefined);
    assert.deepEqual(page.rows.map(rowKey), [
      `20190101000000 ${HOST}/dup/a`,
      `20190101000000 ${HOST}/dup/a`,
      `20190101000000 ${HOST}/dup/b`,
    ]);
    assert.deepEqual(page.rows[0], page.rows[1], "the duplicate is identical, and kept (dedupe is the state's job)");
    assert.equal(events.filter((e) => e.type === 'retry').length, 3);
  } finally {
    await client.close();
  }
});

test('truncated CDX JSON on every attempt ends in RetriesExhaustedError, never in an empty or partial result', async () => {
  const sim = await startSim({ faults: { truncatedJson: 1 } });
  const { client } = makeClient(sim.url, { client: { maxAttempts: 3 } });
  try {
    await assert.rejects(client.cdxPage({ url: 'www.hkcnews.com/paged/*' }), (error: unknown) => {
      assert.ok(error instanceof RetriesExhaustedError, String(error));
      assert.equal(error.attempts, 3);
      assert.match(error.lastCause, /JSON/);
      return true;
    });
    assert.equal(sim.stats().requests.cdx, 3);
  } finally {
    await client.close();
  }
});

test('a CDX query for a URL never archived is an empty block, not an error', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    assert.deepEqual(await client.cdxPage({ url: NEVER }), { rows: [], resumeKey: undefined, skipped: [] });
  } finally {
    await client.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Captures

test("an exact id_ fetch returns the stored bytes unchanged, with the capture's timestamp, status and archived headers", async () => {
  const sim = await startSim();
  const recorder = await startRecorder(sim.url);
  const { client } = makeClient(recorder.url);
  try {
    const c = await client.fetchCapture(A_TS, A);
    assert.deepEqual(Buffer.from(c.payload), PAGE_A);
    assert.equal(c.status, 200);
    assert.equal(c.timestamp, A_TS);
    assert.equal(c.original, A);
    assert.deepEqual(c.requested, { timestamp: A_TS, original: A });
    assert.deepEqual(c.redirects, []);
    assert.equal(c.contentType, 'text/html; charset=utf-8');
    assert.ok(
      c.headers.some(([name, value]) => name === 'content-length' && value === String(PAGE_A.length)),
      JSON.stringify(c.headers),
    );
    assert.equal(c.mementoUrl, `${recorder.url}/web/${A_TS}id_/${A}`);
    assert.deepEqual(
      recorder.seen.map((s) => s.url),
      [`/web/${A_TS}id_/${A}`],
      'one request, in raw mode (id_)',
    );
  } finally {
    await client.close();
    await recorder.close();
  }
});

test('a capture whose payload is itself gzip comes back as the stored gzip bytes', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(GZ_TS, GZ);
    assert.deepEqual(Buffer.from(c.payload), GZ_PAYLOAD);
    assert.equal(c.contentType, 'application/gzip');
  } finally {
    await client.close();
  }
});

test('a revisit fetched with id_ gives the payload of the capture it repeats, byte for byte', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const revisitRow = expectedRows(A).find((r) => r['timestamp'] === A_REVISIT_TS)!;
    assert.equal(revisitRow['mimetype'], 'warc/revisit');
    const revisit = await client.fetchCapture(A_REVISIT_TS, A);
    const original = await client.fetchCapture(A_TS, A);
    assert.deepEqual(Buffer.from(revisit.payload), PAGE_A);
    assert.deepEqual(Buffer.from(revisit.payload), Buffer.from(original.payload));
    assert.equal(revisit.status, 200, 'the status of the capture it repeats');
    assert.equal(revisit.timestamp, A_REVISIT_TS);
    assert.deepEqual(revisit.redirects, []);
  } finally {
    await client.close();
  }
});

test("an archived redirect is followed to its target; a closest-capture hop seconds later is accepted; the answer is the target's", async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(REDIR_TS, REDIR);
    assert.deepEqual(Buffer.from(c.payload), PAGE_B);
    assert.equal(c.status, 200);
    assert.equal(c.timestamp, REDIR_TARGET_TS);
    assert.equal(c.original, REDIR_TARGET);
    assert.deepEqual(c.requested, { timestamp: REDIR_TS, original: REDIR });
    assert.deepEqual(
      c.redirects.map((r) => r.kind),
      ['archived', 'closest'],
    );
    assert.equal(c.redirects[0]!.from, `${sim.url}/web/${REDIR_TS}id_/${REDIR}`);
    assert.equal(c.redirects[0]!.to, `${sim.url}/web/${REDIR_TS}id_/${REDIR_TARGET}`);
    assert.equal(c.redirects[1]!.from, `${sim.url}/web/${REDIR_TS}id_/${REDIR_TARGET}`);
    assert.equal(c.redirects[1]!.to, `${sim.url}/web/${REDIR_TARGET_TS}id_/${REDIR_TARGET}`);
    assert.equal(c.mementoUrl, `${sim.url}/web/${REDIR_TARGET_TS}id_/${REDIR_TARGET}`);
  } finally {
    await client.close();
  }
});

test('an archived redirect whose target was captured at the same timestamp takes one archived hop', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(SAME_TS, SAME);
    assert.deepEqual(Buffer.from(c.payload), PAGE_C);
    assert.deepEqual(
      c.redirects.map((r) => r.kind),
      ['archived'],
    );
    assert.equal(c.original, SAME_TARGET);
    assert.equal(c.timestamp, SAME_TS);
  } finally {
    await client.close();
  }
});

test('a redirect loop is stopped with WaybackRequestError', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    await assert.rejects(client.fetchCapture(LOOP_TS, LOOP_A), (error: unknown) => {
      assert.ok(error instanceof WaybackRequestError, String(error));
      assert.match(error.message, /loop/);
      return true;
    });
    assert.equal(sim.stats().requests.capture, 2, 'A → B → A: stopped before asking for A again');
  } finally {
    await client.close();
  }
});

test('a chain of 5 archived redirects is followed; a sixth is refused with WaybackRequestError', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(CHAIN_TS, chainUrl(1));
    assert.equal(c.redirects.length, 5);
    assert.ok(c.redirects.every((r) => r.kind === 'archived'));
    assert.equal(c.original, chainUrl(6));
    assert.deepEqual(Buffer.from(c.payload), PAGE_C);
    await assert.rejects(client.fetchCapture(CHAIN_TS, chainUrl(0)), (error: unknown) => {
      assert.ok(error instanceof WaybackRequestError, String(error));
      assert.match(error.message, /more than 5 redirects/);
      return true;
    });
  } finally {
    await client.close();
  }
});

test("the answered original is the capture's original as archived, also when it holds characters URL parsing would escape", async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const redirected = await client.fetchCapture(QUOTED_TS, QUOTED_REDIR);
    assert.deepEqual(Buffer.from(redirected.payload), PAGE_C);
    assert.deepEqual(
      redirected.redirects.map((r) => r.kind),
      ['archived'],
    );
    assert.equal(redirected.original, QUOTED, "after a redirect: the target's original as the index lists it");
    const direct = await client.fetchCapture(QUOTED_TS, QUOTED);
    assert.equal(direct.original, QUOTED, 'without a redirect: the original asked for');
  } finally {
    await client.close();
  }
});

test('a closest-capture redirect within closestWindowMs (30 min) is accepted', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    const asked = '20200505053505'; // 30 min after the only capture
    const c = await client.fetchCapture(asked, D);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    assert.equal(c.timestamp, D_TS);
    assert.deepEqual(c.requested, { timestamp: asked, original: D });
    assert.deepEqual(c.redirects, [
      { kind: 'closest', from: `${sim.url}/web/${asked}id_/${D}`, to: `${sim.url}/web/${D_TS}id_/${D}` },
    ]);
  } finally {
    await client.close();
  }
});

test('a closest capture days away is refused with WaybackRequestError (default window 1 h), and accepted with a wider window', async () => {
  const sim = await startSim();
  const narrow = makeClient(sim.url);
  const wide = makeClient(sim.url, { client: { closestWindowMs: 8 * 24 * 3600_000 } });
  try {
    const far = '20200512050505'; // 7 days after the only capture
    await assert.rejects(narrow.client.fetchCapture(far, D), (error: unknown) => {
      assert.ok(error instanceof WaybackRequestError, String(error));
      assert.equal(error.status, 302);
      assert.match(error.message, new RegExp(D_TS));
      return true;
    });
    // Just over the hour is outside too.
    await assert.rejects(narrow.client.fetchCapture('20200505060506', D), WaybackRequestError);
    assert.equal(sim.stats().captureFetches[`${D_TS} ${D}`], undefined, 'the far capture was never fetched');
    const c = await wide.client.fetchCapture(far, D);
    assert.equal(c.timestamp, D_TS);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
  } finally {
    await narrow.client.close();
    await wide.client.close();
  }
});

test('a URL the Wayback Machine has not archived is WAYBACK_NOT_ARCHIVED at once: no capture, no retry', async () => {
  const sim = await startSim();
  const { client, events } = makeClient(sim.url);
  try {
    await assert.rejects(
      client.fetchCapture('20200101000000', NEVER),
      (e: unknown) => e instanceof WaybackRequestError && e.code === 'WAYBACK_NOT_ARCHIVED' && e.status === 404,
    );
    assert.equal(sim.stats().requests.capture, 1);
    assert.deepEqual(events, []);
  } finally {
    await client.close();
  }
});

test('an excluded URL (200 without Memento-Datetime, "excluded from the Wayback Machine") is WAYBACK_EXCLUDED at once, not retried as a service page', async () => {
  const sim = await startSim({ urlFaults: [{ contains: `/${D_TS}id_/`, fault: 'excluded' }] });
  const { client, events } = makeClient(sim.url);
  try {
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (e: unknown) => e instanceof WaybackRequestError && e.code === 'WAYBACK_EXCLUDED' && e.status === 200,
    );
    assert.equal(sim.stats().requests.capture, 1);
    assert.deepEqual(events, [], 'no retry, no outage');
  } finally {
    await client.close();
  }
});

test("an archived 403 or 404 (with Memento-Datetime) is the capture's content, whatever its body says", async () => {
  const stub = createServer((req, res) => {
    const status = req.url!.includes('/article/403') ? 403 : 404;
    res.writeHead(status, { 'content-type': 'text/html', 'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT' });
    res.end(`<html>RobotAccessControlException is a word on this page; the site said ${status}</html>`);
  });
  const { client, events } = makeClient(await listen(stub));
  try {
    assert.equal((await client.fetchCapture(D_TS, `${HOST}/article/403/x`)).status, 403);
    assert.equal((await client.fetchCapture(D_TS, `${HOST}/article/404/x`)).status, 404);
    assert.deepEqual(events, []);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test("a wrong Content-Encoding: gzip is the capture's bytes as they came, and a broken gzip body fails that capture alone", async () => {
  let requests = 0;
  const stub = createServer((req, res) => {
    requests++;
    res.writeHead(200, {
      'content-type': 'text/html',
      'content-encoding': 'gzip',
      'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT',
    });
    // A gzip header over bytes that are not a gzip stream: it cannot be decoded, by us or anyone.
    res.end(
      req.url!.includes('/broken/')
        ? Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data at all')])
        : PAGE_D,
    );
  });
  const { client, events, politeness } = makeClient(await listen(stub));
  try {
    assert.deepEqual(Buffer.from((await client.fetchCapture(D_TS, D)).payload), PAGE_D);
    for (let i = 0; i < 4; i++) {
      await assert.rejects(
        client.fetchCapture(D_TS, `${HOST}/broken/${i}`),
        (e: unknown) => e instanceof RequestRefusedError && e.kind === 'undecodable',
      );
    }
    assert.equal(requests, 5, 'one request each');
    assert.deepEqual(events, [], 'never a reset, never a block');
    assert.equal(politeness.blocked, false);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a 403 for an excluded site (AdministrativeAccessControlException) is a WaybackRequestError at once, not retried as an outage', async () => {
  let requests = 0;
  const stub = createServer((_req, res) => {
    requests++;
    res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body><p>AdministrativeAccessControlException: Blocked Site Error</p></body></html>\n');
  });
  const { client, events } = makeClient(await listen(stub));
  try {
    await assert.rejects(client.fetchCapture(D_TS, D), (error: unknown) => {
      assert.ok(error instanceof WaybackRequestError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.code, 'WAYBACK_EXCLUDED');
      return true;
    });
    assert.equal(requests, 1, 'an exclusion is not retried');
    assert.ok(!events.some((e) => e.type === 'outage'), 'an exclusion does not pause every worker');
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a capture timestamp that is not a 14-digit calendar time is refused before any request', async () => {
  const sim = await startSim();
  const { client, events } = makeClient(sim.url);
  try {
    for (const ts of ['2020', 'abc', '99999999999999', '20201301000000', '']) {
      await assert.rejects(
        client.fetchCapture(ts, A),
        (e: unknown) => e instanceof RequestRefusedError && e.kind === 'timestamp-invalid',
        ts,
      );
    }
    assert.equal(sim.stats().requests.capture, 0);
    assert.deepEqual(events, [], 'no retry, no pause');
  } finally {
    await client.close();
  }
});

test('an original with a control character (CR LF) is refused before any request; a space or non-ASCII is sent percent-encoded', async () => {
  const sim = await startSim();
  const recorder = await startRecorder(sim.url);
  const { client, events } = makeClient(recorder.url);
  try {
    for (const bad of [`${A}\r\nX-Injected: 1`, `${A}\n`, `${A}\u0000`, `${A}\u0085`, `${A}\ud800`]) {
      await assert.rejects(
        client.fetchCapture(A_TS, bad),
        (e: unknown) => e instanceof RequestRefusedError && e.kind === 'url-invalid',
        JSON.stringify(bad),
      );
    }
    assert.equal(recorder.seen.length, 0);
    // Not archived: a 404 from the simulator, but the request went out as a valid request line.
    await assert.rejects(
      client.fetchCapture(A_TS, `${HOST}/article/9/a b/新聞`),
      (e: unknown) => e instanceof WaybackRequestError && e.code === 'WAYBACK_NOT_ARCHIVED',
    );
    assert.equal(recorder.seen[0]!.url, `/web/${A_TS}id_/${HOST}/article/9/a%20b/%E6%96%B0%E8%81%9E`);
    assert.deepEqual(events, []);
  } finally {
    await client.close();
    await recorder.close();
  }
});

test('a memento URL over MAX_MEMENTO_URL_BYTES (a 60,000-character original) is refused without a request, and the client goes on', async () => {
  const sim = await startSim();
  const { client, events } = makeClient(sim.url);
  try {
    const long = `${HOST}/article/1/${'x'.repeat(60_000)}`;
    await assert.rejects(
      client.fetchCapture(A_TS, long),
      (e: unknown) => e instanceof RequestRefusedError && e.kind === 'url-too-long' && e.message.length < 400,
    );
    const justOver = `${HOST}/${'y'.repeat(MAX_MEMENTO_URL_BYTES)}`;
    await assert.rejects(
      client.fetchCapture(A_TS, justOver),
      (e: unknown) => e instanceof RequestRefusedError && e.kind === 'url-too-long',
    );
    assert.equal(sim.stats().requests.capture, 0);
    assert.deepEqual(events, [], 'no retry, no pause, no block');
    assert.deepEqual(Buffer.from((await client.fetchCapture(A_TS, A)).payload), PAGE_A);
  } finally {
    await client.close();
  }
});

test('lying gzip: a replay gzipped without Content-Encoding is kept as gzip (1f 8b) and decodes to the stored bytes', async () => {
  const sim = await startSim({ faults: { lyingGzip: 1 } });
  const { client } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.equal(sim.stats().faultsInjected.lyingGzip, 1);
    assert.deepEqual([c.payload[0], c.payload[1]], [0x1f, 0x8b]);
    assert.deepEqual(gunzipSync(c.payload), PAGE_D);
    assert.equal(c.timestamp, D_TS);
  } finally {
    await client.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Rate limits, errors, outages, blocks

/** Six fetches at once (the crawler's default concurrency) against a simulator allowing 2 captures per sliding second. */
async function rateLimitedRun(scale: number): Promise<{ sim: WaybackSimulator; setup: Setup; grants: number[] }> {
  const sim = await startSim({ timeScale: scale, limits: { capturesPerSecond: 2 } });
  const setup = makeClient(sim.url, { scale, politeness: { capturesPerSecond: 8 } });
  const { client, politeness } = setup;
  const grants: number[] = [];
  const slot = politeness.slot.bind(politeness);
  politeness.slot = async (family: Family, signal?: AbortSignal): Promise<void> => {
    await slot(family, signal);
    grants.push(performance.now());
  };
  try {
    const ids = [1, 2, 3, 4, 5, 6];
    const fetched = await Promise.all(ids.map((i) => client.fetchCapture(pagedTs(i), pagedUrl(i))));
    ids.forEach((i, n) => assert.deepEqual(Buffer.from(fetched[n]!.payload), pagedBody(i)));
  } finally {
    await client.close();
  }
  return { sim, setup, grants };
}

test('429: the client emits rate-limited, every later request waits for the pause, the simulator never blocks, and every fetch succeeds', async () => {
  // 100×: the simulator's window is 10 ms, the client sends one request per 1.25 ms, and a 429
  // pauses for 60 s / 100 = 600 ms.
  const scale = 100;
  const {
    sim,
    setup: { politeness, events },
    grants,
  } = await rateLimitedRun(scale);
  const stats = sim.stats();
  assert.ok(stats.tooManyRequests >= 1, 'the client met 429s');
  const limited = events.filter((e) => e.type === 'rate-limited');
  assert.equal(limited.length, stats.tooManyRequests, 'one rate-limited event per 429');
  assert.equal(politeness.stats.rateLimited, stats.tooManyRequests);
  for (const e of limited) {
    assert.ok(e.type === 'rate-limited' && e.family === 'capture' && e.pauseMs >= 60_000 / scale, JSON.stringify(e));
    for (const g of grants.filter((t) => t > e.at))
      assert.ok(
        g >= e.at + e.pauseMs - 1,
        `a request was let through ${(g - e.at).toFixed(1)} ms after a 429 that paused ${e.pauseMs} ms`,
      );
  }
  assert.equal(stats.blocks.count, 0);
  assert.equal(stats.responses['200'], 6);
});

// On loopback a capture is answered in about a millisecond, so whether requests are queued when
// the 429 arrives depends on timing here; the stub-server test below makes the queue certain.
test('429: only requests already in flight reach the simulator during the pause (requestsDuringPause ≤ 2 with a pool of 3)', async () => {
  const { sim } = await rateLimitedRun(100);
  assert.ok(sim.stats().tooManyRequests >= 1);
  assert.ok(
    sim.stats().requestsDuringPause.capture <= 2,
    `requests during a pause: ${sim.stats().requestsDuringPause.capture}`,
  );
});

test('429: no request leaves the client after the 429 arrived until the pause is over, not even one queued behind the busy pool', async () => {
  // A stub holds the first three requests (one per connection), then answers the first with 429
  // and the other two with captures; requests 4–6 wait in the client meanwhile.
  const arrivals: number[] = [];
  const held: ServerResponse[] = [];
  let sent429At = Infinity;
  const capture = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/html', 'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT' });
    res.end(PAGE_D);
  };
  const stub = createServer((_req, res) => {
    arrivals.push(performance.now());
    if (sent429At !== Infinity) return capture(res);
    held.push(res);
    if (held.length < 3) return;
    const [first, ...others] = held;
    first!.writeHead(429, { 'content-type': 'text/html' });
    first!.end('<html><title>429 Too Many Requests</title></html>');
    sent429At = performance.now();
    setTimeout(() => others.forEach(capture), 5);
  });
  const { client, events } = makeClient(await listen(stub), { politeness: { capturesPerSecond: 10_000 } });
  try {
    const fetched = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => client.fetchCapture(D_TS, `${HOST}/q/${i}`)));
    assert.ok(fetched.every((c) => c.status === 200));
    const pauseMs = 60_000 / SCALE;
    assert.equal(events.filter((e) => e.type === 'rate-limited').length, 1);
    assert.equal(arrivals.length, 7, 'six fetches and one retry');
    const early = arrivals
      .filter((t) => t > sent429At && t < sent429At + pauseMs)
      .map((t) => `${(t - sent429At).toFixed(1)} ms`);
    assert.deepEqual(early, [], `requests sent after the 429, inside the ${pauseMs} ms pause`);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('429s on CDX requests pause and are retried without counting as attempts (maxAttempts 1)', async () => {
  const sim = await startSim({ faults: { spurious429: 1 } });
  // Pauses of 5 s, 10 s, 20 s (10, 20, 40 ms here) for three 429s in a row.
  const { client, events } = makeClient(sim.url, {
    client: { maxAttempts: 1 },
    politeness: { pauseAfter429Ms: 5_000 },
  });
  try {
    const page = await client.cdxPage({ url: 'www.hkcnews.com/dup/*' });
    assert.equal(page.rows.length, 3);
    assert.equal(sim.stats().tooManyRequests, 3);
    const limited = events.filter((e) => e.type === 'rate-limited');
    assert.deepEqual(
      limited.map((e) => (e.type === 'rate-limited' ? [e.family, e.pauseMs] : [])),
      [
        ['cdx', 10],
        ['cdx', 20],
        ['cdx', 40],
      ],
      'every worker pauses, longer for each 429 in a row',
    );
  } finally {
    await client.close();
  }
});

test('5xx answers are retried with back-off and the fetch succeeds', async () => {
  const sim = await startSim({ faults: { serverError: 1 } });
  const { client, events } = makeClient(sim.url);
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    assert.equal(sim.stats().faultsInjected.serverError, 3);
    const retries = events.filter((e) => e.type === 'retry');
    assert.equal(retries.length, 3);
    assert.ok(
      retries.every((e) => e.type === 'retry' && /^HTTP 50[234]$/.test(e.cause)),
      JSON.stringify(retries),
    );
    const delays = retries.map((e) => (e.type === 'retry' ? e.delayMs : 0));
    assert.ok(delays[1]! > delays[0]! && delays[2]! > delays[1]!, `back-off grows: ${delays.join(', ')}`);
    const page = await client.cdxPage({ url: 'www.hkcnews.com/dup/*' });
    assert.equal(page.rows.length, 3, 'CDX requests are retried alike');
  } finally {
    await client.close();
  }
});

test('connections reset mid-body are retried and the fetch succeeds with the whole payload', async () => {
  const sim = await startSim({ faults: { reset: 1 } });
  // Three resets in a row are taken as a block: keep its pause short (60 s / 500 = 120 ms).
  const { client, events } = makeClient(sim.url, { politeness: { blockPauseMs: 60_000 } });
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    assert.equal(sim.stats().faultsInjected.reset, 3);
    const failures = events.filter(
      (e) => (e.type === 'retry' && e.cause === 'connection reset') || (e.type === 'blocked' && e.cause === 'reset'),
    );
    assert.equal(failures.length, 3, JSON.stringify(events));
    const page = await client.cdxPage({ url: 'www.hkcnews.com/paged/*' });
    assert.equal(page.rows.length, PAGED, 'a CDX answer (transport gzip) cut short is retried too');
  } finally {
    await client.close();
  }
});

test('a fault that outlasts maxAttempts ends in RetriesExhaustedError, never in the error page', async () => {
  const sim = await startSim({ faults: { serverError: 1 } });
  const { client } = makeClient(sim.url, { client: { maxAttempts: 2 } });
  try {
    await assert.rejects(client.fetchCapture(D_TS, D), (error: unknown) => {
      assert.ok(error instanceof RetriesExhaustedError, String(error));
      assert.equal(error.attempts, 2);
      assert.match(error.lastCause, /^HTTP 50[234]$/);
      assert.equal(error.url, `${sim.url}/web/${D_TS}id_/${D}`);
      return true;
    });
    assert.equal(sim.stats().requests.capture, 2);
  } finally {
    await client.close();
  }
});

test('an outage is waited out (outage and retry events), and the outage page is never returned as a capture', async () => {
  // 75 s of outage / 500 = 150 ms of 503/502 pages from the first request on.
  const sim = await startSim({ faults: { outage: { afterRequests: 0, durationMs: 75_000 } } });
  const { client, events } = makeClient(sim.url);
  try {
    // Five different captures at once: server errors of five different URLs in a row are an outage.
    const wanted: [string, string, Buffer][] = [
      [D_TS, D, PAGE_D],
      [A_TS, A, PAGE_A],
      [SAME_TS, SAME_TARGET, PAGE_C],
      [pagedTs(1), pagedUrl(1), pagedBody(1)],
      [pagedTs(2), pagedUrl(2), pagedBody(2)],
    ];
    const got = await Promise.all(wanted.map(([ts, url]) => client.fetchCapture(ts, url)));
    for (const [i, c] of got.entries()) {
      assert.equal(c.status, 200);
      assert.deepEqual(Buffer.from(c.payload), wanted[i]![2]);
      assert.equal(c.timestamp, wanted[i]![0]);
    }
    const stats = sim.stats();
    assert.ok(stats.faultsInjected.outage >= 5, `outage answers: ${stats.faultsInjected.outage}`);
    assert.ok(
      events.some((e) => e.type === 'outage'),
      'server errors of five different URLs in a row pause every worker',
    );
    assert.ok(events.some((e) => e.type === 'retry'));
    const page = await client.cdxPage({ url: 'www.hkcnews.com/dup/*' });
    assert.equal(page.rows.length, 3);
  } finally {
    await client.close();
  }
});

test('a 200 without Memento-Datetime (a page of the service, not a capture) is retried like a 5xx', async () => {
  let requests = 0;
  const stub = createServer((req, res) => {
    requests++;
    if (requests <= 2) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><title>Temporarily Offline</title><h1>Temporarily Offline</h1>');
      return;
    }
    assert.equal(req.headers['user-agent'], DEFAULT_USER_AGENT);
    res.writeHead(200, { 'content-type': 'text/html', 'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT' });
    res.end(PAGE_D);
  });
  const url = await listen(stub);
  const { client, events } = makeClient(url);
  const persistent = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('Temporarily Offline');
  });
  const persistentUrl = await listen(persistent);
  const stuck = makeClient(persistentUrl, { client: { maxAttempts: 3 } });
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    assert.equal(c.timestamp, D_TS);
    assert.equal(requests, 3);
    assert.equal(events.filter((e) => e.type === 'retry').length, 2);
    await assert.rejects(stuck.client.fetchCapture(D_TS, D), (error: unknown) => {
      assert.ok(error instanceof RetriesExhaustedError, String(error));
      assert.equal(error.attempts, 3);
      assert.match(error.lastCause, /Memento-Datetime/);
      return true;
    });
  } finally {
    await client.close();
    await stuck.client.close();
    await closeServer(stub);
    await closeServer(persistent);
  }
});

test('refused connections: the client reports a block, pauses, probes once, and after the service is back reports unblocked and succeeds', async () => {
  const first = await startSim();
  const port = Number(new URL(first.url).port);
  const blockPauseMs = 150_000; // 300 ms here
  const { client, politeness, events } = makeClient(first.url, { politeness: { blockPauseMs } });
  let second: WaybackSimulator | undefined;
  try {
    assert.deepEqual(Buffer.from((await client.fetchCapture(A_TS, A)).payload), PAGE_A);
    await first.close();
    const started = performance.now();
    const fetching = client.fetchCapture(D_TS, D);
    await sleep(100);
    assert.ok(politeness.blocked, 'refused connections look like a firewall block');
    second = await startSim({ port });
    const c = await fetching;
    const waited = performance.now() - started;
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    const blocked = events.filter((e) => e.type === 'blocked');
    assert.equal(blocked.length, 1, JSON.stringify(events));
    assert.ok(
      blocked[0]!.type === 'blocked' && blocked[0]!.cause === 'refused' && blocked[0]!.pauseMs === blockPauseMs / SCALE,
      JSON.stringify(blocked[0]),
    );
    assert.ok(
      waited >= blockPauseMs / SCALE - 1,
      `waited ${waited.toFixed(0)} ms, the block pause is ${blockPauseMs / SCALE} ms`,
    );
    const unblocked = events.filter((e) => e.type === 'unblocked');
    assert.equal(unblocked.length, 1);
    assert.ok(events.indexOf(blocked[0]!) < events.indexOf(unblocked[0]!));
    assert.equal(second.stats().requests.capture, 1, 'one gentle probe, and it succeeded');
    assert.equal(politeness.blocked, false);
    assert.equal(politeness.stats.blocks, 1);
  } finally {
    await client.close();
    await second?.close();
  }
});

test('a real firewall block (blockMode reset) is taken as a block after resets of 3 different URLs in a row, probed one connection at a time, and outlasted', async () => {
  // Someone else on this IP ignored 429s for "more than a minute" (60 ms here): the simulator
  // blocks for firstBlockMs / 1000 = 300 ms, resetting every new connection.
  const scale = 1000;
  // The rude client hammers the CDX endpoint (30 a minute: 30 per 60 ms here), so the capture
  // limit can stay at its default and the client's captures below never meet a 429, however a
  // loaded machine bunches them.
  const sim = await startSim({ timeScale: scale, blockMode: 'reset', limits: { firstBlockMs: 300_000 } });
  const rude = `${sim.url}/cdx/search/cdx?url=${encodeURIComponent(D)}&output=json`;
  const deadline = performance.now() + 5_000;
  // Four loops at once keep the 429s less than 60 ms apart even on a loaded machine.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sim.stats().blocks.count === 0 && performance.now() < deadline) {
        await rawRequest(rude, { headers: { 'user-agent': 'a rude client' } }).catch(() => undefined);
      }
    }),
  );
  assert.equal(sim.stats().blocks.count, 1, 'the hammering got the IP blocked');
  sim.resetStats();
  const { client, events } = makeClient(sim.url, { scale, politeness: { blockPauseMs: 200_000 } });
  try {
    // Three different URLs: resets of one URL alone would be that URL's problem, never a block.
    const fetched = await Promise.all(
      [
        [D_TS, D],
        [A_TS, A],
        [SAME_TS, SAME_TARGET],
      ].map(([ts, url]) => client.fetchCapture(ts!, url!)),
    );
    assert.deepEqual(Buffer.from(fetched[0]!.payload), PAGE_D);
    assert.deepEqual(Buffer.from(fetched[1]!.payload), PAGE_A);
    assert.deepEqual(Buffer.from(fetched[2]!.payload), PAGE_C);
    const blocked = events.filter((e) => e.type === 'blocked');
    assert.ok(
      blocked.length >= 1 && blocked.every((e) => e.type === 'blocked' && e.cause === 'reset'),
      JSON.stringify(events),
    );
    assert.equal(events.filter((e) => e.type === 'unblocked').length, 1);
    const stats = sim.stats();
    // Before the block is recognised: 3 attempts; after: one probe per pause (200 ms, then 400 ms).
    assert.ok(
      stats.refusedConnections >= 3 && stats.refusedConnections <= 3 + blocked.length,
      `connection attempts during the block: ${stats.refusedConnections}, block pauses: ${blocked.length}`,
    );
    assert.equal(stats.tooManyRequests, 0);
  } finally {
    await client.close();
  }
});

// ---------------------------------------------------------------------------------------------
// One bad capture is not the service (issue 12)

test('a capture whose connection is always reset fails alone: RetriesExhaustedError with the evidence that others succeeded, no block, no outage', async () => {
  const sim = await startSim({ urlFaults: [{ contains: `/${D_TS}id_/${D}`, fault: 'reset' }] });
  const { client, politeness, events } = makeClient(sim.url, { client: { maxAttempts: 5 } });
  try {
    // Alone first: five resets of one URL in a row are that URL's problem, not an IP block.
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (e: unknown) => e instanceof RetriesExhaustedError && e.attempts === 5 && /connection reset/.test(e.lastCause),
    );
    assert.deepEqual(
      events.filter((e) => e.type !== 'retry'),
      [],
      'no blocked or outage event',
    );
    assert.equal(politeness.blocked, false);
    // Then beside other captures: they all come, and the bad one carries the evidence.
    const bad = client.fetchCapture(D_TS, D).then(
      () => assert.fail('never answered'),
      (e: unknown) => e,
    );
    let others = 0;
    let settled = false;
    void bad.then(() => {
      settled = true;
    });
    for (let i = 1; !settled && i <= 200; i++) {
      const c = await client.fetchCapture('20210202000000', `${HOST}/full/${(i % FULL) + 1}`);
      assert.equal(c.status, 200);
      others++;
    }
    const error = await bad;
    assert.ok(error instanceof RetriesExhaustedError, String(error));
    assert.equal(error.evidence.troubleDuring, false);
    assert.ok(politeness.successCount > error.evidence.successesBefore, 'others succeeded while it failed');
    assert.ok(others > 0);
    assert.deepEqual(
      events.filter((e) => e.type !== 'retry'),
      [],
      'still no blocked or outage event',
    );
    assert.equal(sim.stats().urlFaultsInjected[`/${D_TS}id_/${D}`], 10);
  } finally {
    await client.close();
  }
});

test("an archived 429 or 503 (with Memento-Datetime) is the capture's content: no pause, no retry", async () => {
  let requests = 0;
  const stub = createServer((req, res) => {
    requests++;
    const status = req.url!.includes('/article/429') ? 429 : 503;
    res.writeHead(status, {
      'content-type': 'text/html',
      'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT',
      'x-archive-orig-retry-after': '3600',
    });
    res.end(`<html>the site said ${status}</html>`);
  });
  const { client, events } = makeClient(await listen(stub));
  try {
    const limited = await client.fetchCapture(D_TS, `${HOST}/article/429/x`);
    const down = await client.fetchCapture(D_TS, `${HOST}/article/503/x`);
    assert.deepEqual([limited.status, down.status], [429, 503]);
    assert.deepEqual(limited.headers, [['retry-after', '3600']]);
    assert.equal(requests, 2, 'one request each');
    assert.deepEqual(events, [], 'no rate-limited, retry or outage event');
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a capture that never answers is abandoned at requestDeadlineMs, retried as a timeout, and never taken as a block', async () => {
  const sim = await startSim({ urlFaults: [{ contains: `/${D_TS}id_/`, fault: 'hang' }] });
  const { client, politeness, events } = makeClient(sim.url, { client: { maxAttempts: 3, requestDeadlineMs: 40 } });
  try {
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (e: unknown) => e instanceof RetriesExhaustedError && e.attempts === 3 && e.lastCause === 'connection timeout',
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'retry' ? e.cause : e.type)),
      ['connection timeout', 'connection timeout', 'connection timeout'],
    );
    assert.equal(politeness.blocked, false);
    assert.deepEqual(
      Buffer.from((await client.fetchCapture(A_TS, A)).payload),
      PAGE_A,
      'the next capture is fetched at once',
    );
  } finally {
    await client.close();
  }
});

test('a body without end is cut off at maxBodyBytes while streaming: one request, RequestRefusedError too-large, no retry, no pause', async () => {
  const sim = await startSim({ urlFaults: [{ contains: `/${D_TS}id_/`, fault: 'huge' }] });
  const { client, events } = makeClient(sim.url, { client: { maxBodyBytes: 1024 * 1024 } });
  try {
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (e: unknown) => e instanceof RequestRefusedError && e.kind === 'too-large',
    );
    assert.equal(sim.stats().urlFaultsInjected[`/${D_TS}id_/`], 1);
    assert.deepEqual(events, []);
    assert.deepEqual(Buffer.from((await client.fetchCapture(A_TS, A)).payload), PAGE_A);
  } finally {
    await client.close();
  }
});

test('a transport-gzip body that inflates past maxBodyBytes is refused as too-large, not an internal error', async () => {
  const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
  const stub = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html',
      'content-encoding': 'gzip',
      'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT',
    });
    res.end(bomb);
  });
  const { client, events } = makeClient(await listen(stub), { client: { maxBodyBytes: 1024 * 1024 } });
  try {
    assert.ok(bomb.length < 1024 * 1024);
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (e: unknown) => e instanceof RequestRefusedError && e.kind === 'too-large' && /decompressed/.test(e.message),
    );
    assert.deepEqual(events, []);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a garbled Memento-Datetime or a redirect to a timestamp that is no calendar time never gives a capture an impossible time', async () => {
  const stub = createServer((req, res) => {
    if (req.url!.includes('/redirect/')) {
      res.writeHead(302, { location: `/web/20209999999999id_/${D}` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html', 'memento-datetime': 'Mon, 99 Foo 99999 99:99:99 GMT' });
    res.end(PAGE_D);
  });
  const { client } = makeClient(await listen(stub));
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.equal(c.timestamp, D_TS, 'the time asked for, not a garbled one');
    await assert.rejects(client.fetchCapture(D_TS, `${HOST}/redirect/x`), WaybackRequestError);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('an answer whose headers do not come within timeoutMs is abandoned and retried as a timeout', async () => {
  // undici checks header and body timeouts on a coarse timer (about 0.5–1 s), so a stub that
  // never answers the first request costs about a second whatever timeoutMs says.
  let requests = 0;
  const stub = createServer((_req, res) => {
    requests++;
    if (requests === 1) return; // never answered
    res.writeHead(200, { 'content-type': 'text/html', 'memento-datetime': 'Tue, 05 May 2020 05:05:05 GMT' });
    res.end(PAGE_D);
  });
  const { client, events } = makeClient(await listen(stub), { client: { timeoutMs: 20 } });
  try {
    const c = await client.fetchCapture(D_TS, D);
    assert.deepEqual(Buffer.from(c.payload), PAGE_D);
    assert.equal(requests, 2);
    assert.deepEqual(
      events.map((e) => (e.type === 'retry' ? e.cause : e.type)),
      ['connection timeout'],
    );
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a CDX row from the future is skipped with its reason; "now" is the later of our clock and the service\'s Date header', async () => {
  const header = ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'];
  const body = JSON.stringify([
    header,
    ['com,hkcnews)/article/4/d', '20990101000000', D, 'text/html', '200', 'ABC', '12'],
    ['com,hkcnews)/article/4/d', D_TS, D, 'text/html', '200', 'ABC', '12'],
  ]);
  let serverDate: string | undefined;
  const stub = createServer((_req, res) => {
    res.sendDate = false;
    res.writeHead(200, { 'content-type': 'application/json', ...(serverDate ? { date: serverDate } : {}) });
    res.end(body);
  });
  const { client, events } = makeClient(await listen(stub));
  try {
    const page = await client.cdxPage({ url: D });
    assert.deepEqual(page.rows.map(rowKey), [`${D_TS} ${D}`]);
    assert.deepEqual(
      page.skipped.map((r) => r.reason),
      ['timestamp "20990101000000" is in the future'],
    );
    assert.deepEqual(events, [], 'a skipped row is no reason to retry');
    serverDate = 'Fri, 01 Jan 2100 00:00:00 GMT';
    assert.equal((await client.cdxPage({ url: D })).rows.length, 2, "by the service's clock the row is from the past");
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a CDX block with a row longer than the capture body cap is still read, and that row skipped alone', async () => {
  const header = ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'];
  const body = JSON.stringify([
    header,
    ['com,hkcnews)/article/4/d', D_TS, `${D}/${'x'.repeat(2 * 1024 * 1024)}`, 'text/html', '200', 'ABC', 'huge'],
    ['com,hkcnews)/article/4/d', D_TS, D, 'text/html', '200', 'ABC', '12'],
  ]);
  const stub = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  const { client, events } = makeClient(await listen(stub), { client: { maxBodyBytes: 1024 * 1024 } });
  try {
    const page = await client.cdxPage({ url: D });
    assert.deepEqual(page.rows.map(rowKey), [`${D_TS} ${D}`]);
    assert.equal(page.skipped.length, 1);
    assert.deepEqual(events, []);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a CDX answer gzipped without Content-Encoding is sniffed (1f 8b) and parsed', async () => {
  const body = JSON.stringify([
    ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'],
    ['com,hkcnews)/article/4/d', D_TS, D, 'text/html', '200', 'ABC', '12'],
  ]);
  const stub = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(gzipSync(body));
  });
  const { client } = makeClient(await listen(stub));
  try {
    const page = await client.cdxPage({ url: D });
    assert.deepEqual(page.rows.map(rowKey), [`${D_TS} ${D}`]);
  } finally {
    await client.close();
    await closeServer(stub);
  }
});

test('a body larger than maxBodyBytes is refused with RequestRefusedError (too-large), without a retry', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url, { client: { maxBodyBytes: 1000 } });
  try {
    assert.ok(PAGE_D.length > 1000);
    await assert.rejects(
      client.fetchCapture(D_TS, D),
      (error: unknown) =>
        error instanceof RequestRefusedError &&
        error.kind === 'too-large' &&
        /larger than 1000 bytes/.test(error.message),
    );
    assert.equal(sim.stats().requests.capture, 1);
    assert.deepEqual(Buffer.from((await client.fetchCapture(A_TS, A)).payload), PAGE_A, 'the client goes on after it');
  } finally {
    await client.close();
  }
});

test('every request carries a User-Agent (no 400 from the simulator), and one pool of keep-alive connections serves 20 fetches', async () => {
  const sim = await startSim();
  const { client } = makeClient(sim.url);
  try {
    for (let i = 1; i <= 20; i++) {
      const c = await client.fetchCapture(pagedTs(i), pagedUrl(i));
      assert.deepEqual(Buffer.from(c.payload), pagedBody(i));
    }
    await client.cdxPage({ url: 'www.hkcnews.com/paged/*' });
    const stats = sim.stats();
    assert.equal(stats.requests.capture, 20);
    assert.equal(stats.responses['400'], undefined);
    assert.equal(stats.responses['200'], 21);
    assert.ok(
      stats.connectionsOpened >= 1 && stats.connectionsOpened <= 3,
      `connections opened: ${stats.connectionsOpened}`,
    );
    assert.equal(stats.maxCaptureFetches, 1);
  } finally {
    await client.close();
  }
});

test('a custom userAgent is sent as given', async () => {
  const sim = await startSim();
  const recorder = await startRecorder(sim.url);
  const { client } = makeClient(recorder.url, { client: { userAgent: 'salvage-tests/1 (client.test.ts)' } });
  try {
    await client.fetchCapture(A_TS, A);
    await client.cdxPage({ url: A });
    assert.deepEqual(
      recorder.seen.map((s) => s.headers['user-agent']),
      ['salvage-tests/1 (client.test.ts)', 'salvage-tests/1 (client.test.ts)'],
    );
  } finally {
    await client.close();
    await recorder.close();
  }
});

test('maxWaitMs: once the pauses exceed it, WaitLimitError propagates from fetchCapture', async () => {
  const sim = await startSim({ faults: { spurious429: 1 } });
  // 10 s of waiting allowed (20 ms here); the first 429 pauses 60 s (120 ms).
  const { client, events } = makeClient(sim.url, { politeness: { maxWaitMs: 10_000 } });
  try {
    await assert.rejects(client.fetchCapture(D_TS, D), (error: unknown) => {
      assert.ok(error instanceof WaitLimitError, String(error));
      assert.match(error.lastCause, /429/);
      return true;
    });
    assert.equal(sim.stats().requests.capture, 1, 'no request after the limit was passed');
    assert.equal(events.filter((e) => e.type === 'rate-limited').length, 1);
  } finally {
    await client.close();
  }
});

test('an aborted signal stops a fetch waiting out a pause', async () => {
  const sim = await startSim({ faults: { spurious429: 1 } });
  const { client } = makeClient(sim.url);
  const controller = new AbortController();
  try {
    const fetching = client.fetchCapture(D_TS, D, controller.signal);
    await sleep(30); // inside the 120 ms pause after the 429
    controller.abort(new Error('stop'));
    await assert.rejects(fetching, /stop/);
    assert.equal(sim.stats().requests.capture, 1);
  } finally {
    await client.close();
  }
});
