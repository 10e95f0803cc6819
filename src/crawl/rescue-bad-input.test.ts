/**
 * Issue 12, items 4 and 5: one bad CDX row is one skipped row, and one bad capture is one failed
 * capture — never a server outage, an IP block, a crash or a run that does not end. Issue 14: the
 * service's real answers (a blocked site, an excluded URL, its own 404 page, an archived 429
 * behind a closest-capture redirect, a lying Content-Encoding) each end as what they are. Runs
 * `rescue` (and once the CLI) against the local simulator on the committed demo site (demo/site)
 * with malformed rows added to its index and faults on single capture URLs.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { timestampToMs, toTimestamp } from '../memento.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { rescue, type RescueEvent, type RescueSummary } from './index.js';
import { hkcnews } from '../sites/index.js';
import { CrawlState } from '../store/index.js';
import { startWaybackSimulator, type SimulatorOptions, type WaybackSimulator } from '../devtools/wayback-sim/index.js';
import { Politeness, WaybackClient, type PolitenessEvent } from '../wayback/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEMO = join(ROOT, 'demo/site');
const CLI = join(ROOT, 'src/cli/main.ts');
/** Simulator and client at the same scale: a 60 s pause is 120 ms, a retry back-off of 2 s is 4 ms. */
const SCALE = 500;

interface ManifestArticle {
  id: number;
  outcome: string;
  expected?: { timestamp: string; original: string };
}
const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8')) as { articles: ManifestArticle[] };
const good = manifest.articles.filter((a) => a.outcome === 'ok');
const expected = (id: number): { timestamp: string; original: string } =>
  manifest.articles.find((a) => a.id === id)!.expected!;
const demoRows = readFileSync(join(DEMO, 'cdx.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
/** The demo row of a capture, to copy into bad rows that look like real ones. */
const demoRow = (timestamp: string, original: string): Record<string, unknown> => ({
  ...demoRows.find((r) => r['timestamp'] === timestamp && r['original'] === original)!,
});

const work = mkdtempSync(join(tmpdir(), 'salvage-bad-input-'));
const sims: WaybackSimulator[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

/**
 * The CLI in a child process, without blocking this process (which runs the simulator: a
 * synchronous spawn would stop it from answering).
 */
function cli(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: ROOT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        done({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** The demo site with `extra` rows appended to its index (the simulator sorts them in). */
function siteWith(name: string, extra: readonly Record<string, unknown>[]): string {
  const dir = join(work, name);
  cpSync(DEMO, dir, { recursive: true });
  writeFileSync(join(dir, 'cdx.jsonl'), [...demoRows, ...extra].map((r) => JSON.stringify(r) + '\n').join(''));
  return dir;
}

async function sim(siteDir: string, options: Omit<SimulatorOptions, 'siteDir'> = {}): Promise<WaybackSimulator> {
  const s = await startWaybackSimulator({ siteDir, timeScale: SCALE, ...options });
  sims.push(s);
  return s;
}

interface Run {
  summary: RescueSummary;
  events: RescueEvent[];
  politeness: PolitenessEvent[];
}

async function run(
  s: WaybackSimulator,
  out: string,
  options: { concurrency?: number; maxAttempts?: number; closestWindowMs?: number } = {},
): Promise<Run> {
  const politeness: PolitenessEvent[] = [];
  const client = new WaybackClient({
    baseUrl: s.url,
    politeness: new Politeness({ timeScale: SCALE, onEvent: (e) => politeness.push(e) }),
    timeoutMs: 60_000 / SCALE,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.closestWindowMs ? { closestWindowMs: options.closestWindowMs } : {}),
  });
  const events: RescueEvent[] = [];
  try {
    const summary = await rescue({
      site: hkcnews,
      outDir: out,
      client,
      onEvent: (e) => events.push(e),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    return { summary, events, politeness };
  } finally {
    await client.close();
  }
}

function articles(out: string): Map<number, { state: string; timestamp: string | null; reason: string | null }> {
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT a.id, a.state, a.reason, c.timestamp FROM articles a LEFT JOIN captures c ON c.id = a.capture_id',
      )
      .all() as { id: number; state: string; reason: string | null; timestamp: string | null }[];
    return new Map(rows.map((r) => [r.id, r]));
  } finally {
    db.close();
  }
}

/** Every good demo article except `except` is written from the capture the manifest names. */
function assertGoodArticlesWritten(out: string, except: readonly number[] = []): void {
  const state = articles(out);
  for (const a of good) {
    if (except.includes(a.id)) continue;
    assert.equal(state.get(a.id)?.state, 'written', `article ${a.id}: ${JSON.stringify(state.get(a.id))}`);
    assert.equal(state.get(a.id)?.timestamp, a.expected?.timestamp, `capture of article ${a.id}`);
  }
}

// ------------------------------------------------------------------------ item 4: bad CDX rows

const A282 = expected(282);
/** Malformed rows, each for an article id of its own (so nothing else hides them), as the index could hold them. */
function badRows(): Record<string, unknown>[] {
  const base = demoRow(A282.timestamp, A282.original);
  const forId = (id: number, fields: Record<string, unknown>): Record<string, unknown> => {
    const original = `https://www.hkcnews.com/article/${id}/x`;
    return { ...base, urlkey: `com,hkcnews)/article/${id}/x`, original, ...fields };
  };
  const seven = (r: Record<string, unknown>): unknown[] =>
    ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'].map((f) => r[f]);
  return [
    forId(90001, { timestamp: 'abc' }),
    forId(90002, { timestamp: '2020' }),
    forId(90003, { timestamp: '99999999999999' }),
    forId(90004, { timestamp: '20201301000000' }),
    forId(90005, { timestamp: '20991231000000' }),
    forId(90006, { original: 'https://www.hkcnews.com/article/90006/x\r\nX-Injected: 1' }),
    forId(90007, { statuscode: '99999' }),
    forId(90008, { length: '99999999999999999999999' }),
    { ...forId(90009, {}), raw: seven(forId(90009, {})).slice(0, 6) },
    { ...forId(90010, {}), raw: seven(forId(90010, {})).map((v, i) => (i === 4 ? 200 : v)) },
    { ...forId(90011, {}), raw: { urlkey: 'x' } },
    // The same bad timestamp beside a good capture of a real article: that article is still written.
    { ...base, timestamp: 'abc' },
  ];
}

test('malformed CDX rows are skipped with their reasons and the rescue finishes: every good article written, nothing retried as an outage', async () => {
  const s = await sim(siteWith('bad-rows', badRows()));
  const out = join(work, 'bad-rows-out');
  const { summary, events, politeness } = await run(s, out);
  assert.equal(summary.stop, 'complete', summary.message);
  assert.equal(summary.progress.failed, 0);
  const skipped = events.filter((e) => e.type === 'cdx-row-skipped');
  assert.equal(summary.progress.cdxRowsSkipped, 12);
  assert.equal(skipped.length, 12, JSON.stringify(skipped));
  const reasons = skipped.map((e) => (e.type === 'cdx-row-skipped' ? e.reason : '')).join('\n');
  for (const r of [
    /"abc" is not 14 digits/,
    /"2020" is not 14 digits/,
    /"99999999999999" is not a calendar time/,
    /"20201301000000" is not a calendar time/,
    /in the future/,
    /original holds a control character/,
    /statuscode "99999"/,
    /length/,
    /6 fields/,
    /not a string/,
    /not an array/,
  ])
    assert.match(reasons, r);
  assert.equal(s.stats().requests.cdx, 1, 'the block was read once: a bad row is not a reason to ask again');
  assert.deepEqual(
    politeness.filter((e) => e.type !== 'retry'),
    [],
    'no outage, block or pause',
  );
  assertGoodArticlesWritten(out);
  const state = articles(out);
  for (let id = 90001; id <= 90011; id++)
    assert.equal(state.has(id), false, `article ${id} exists only in a skipped row`);
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  try {
    const n = (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'cdx-row-skipped'").get() as { n: number }).n;
    assert.equal(n, 12, 'each skipped row is recorded with its reason');
  } finally {
    db.close();
  }
});

test('salvage archive with malformed CDX rows exits 0, names each skipped row on stderr, and status counts them', async () => {
  const s = await sim(siteWith('bad-rows-cli', badRows()));
  const out = join(work, 'bad-rows-cli-out');
  const r = await cli(['archive', 'hkcnews', '--out', out, '--wayback', s.url, '--time-scale', String(SCALE)]);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^done: .*12 malformed CDX rows skipped/m);
  assert.match(r.stderr, /skipped a malformed CDX row .*timestamp "abc" is not 14 digits/);
  assert.doesNotMatch(r.stderr, /internal error|outage|blocked/);
  assert.doesNotMatch(r.stderr, /X-Injected: 1\r?\n/, 'a CR LF of a row is shown escaped, never raw');
  const again = await cli(['archive', 'hkcnews', '--out', out, '--wayback', s.url, '--time-scale', String(SCALE)]);
  assert.equal(again.status, 0, `a rerun finishes too: ${again.stderr}`);
  const status = await cli(['status', out, '--json']);
  assert.equal(status.status, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { discovered: { cdxRowsSkipped: number } }).discovered.cdxRowsSkipped, 12);
});

test('a bad row already in the crawl state (stored by an older salvage) is refused before any request, and the run finishes', async () => {
  const s = await sim(DEMO);
  const out = join(work, 'old-state-out');
  const query = hkcnews.rescue!.cdxQueries[0]!;
  const state = CrawlState.open(join(out, 'state.sqlite'), hkcnews.id);
  try {
    const rows = [
      { timestamp: '99999999999999', original: 'https://www.hkcnews.com/article/90003/x' },
      { timestamp: '20200101000000', original: 'https://www.hkcnews.com/article/90006/x\r\nX-Injected: 1' },
    ].map((r) => ({
      ...r,
      key: `${r.timestamp} ${r.original}`,
      articleId: Number(/article\/(\d+)/.exec(r.original)![1]),
      urlkey: 'com,hkcnews)/article/x',
      mimetype: 'text/html',
      statuscode: 200,
      digest: 'D',
      length: 1,
    }));
    state.addCdxBlock(JSON.stringify(query), rows, undefined);
  } finally {
    state.close();
  }
  const { summary, events } = await run(s, out);
  assert.equal(summary.stop, 'complete');
  assert.equal(s.stats().requests.capture, 0);
  const byId = articles(out);
  assert.match(byId.get(90003)?.reason ?? '', /^malformed-row: /);
  assert.match(byId.get(90006)?.reason ?? '', /^malformed-row: /);
  assert.deepEqual(
    events.map((e) => e.type),
    ['capture-failed', 'capture-failed'],
  );
});

// ------------------------------------------------------------------------ item 5: one bad capture

const A1309 = expected(1309);
const A13577 = expected(13577);
const LONG_ID = 90020;
/** The only capture of an article, at a URL of 60,000 characters. */
const longRow = (): Record<string, unknown> => {
  const original = `https://www.hkcnews.com/article/${LONG_ID}/${'x'.repeat(60_000)}`;
  return {
    ...demoRow(A282.timestamp, A282.original),
    urlkey: `com,hkcnews)/article/${LONG_ID}/${'x'.repeat(60_000)}`,
    original,
  };
};

test('captures that always reset, never answer or never end fail alone: the articles take their next capture, a 60,000-character URL is never requested, no pause, the run finishes', async () => {
  const s = await sim(siteWith('bad-captures', [longRow()]), {
    urlFaults: [
      { contains: `/${A282.timestamp}id_/${A282.original}`, fault: 'reset' },
      { contains: `/${A1309.timestamp}id_/`, fault: 'huge' },
      { contains: `/${A13577.timestamp}id_/`, fault: 'hang' },
    ],
  });
  const out = join(work, 'bad-captures-out');
  const { summary, events, politeness } = await run(s, out, { maxAttempts: 3 });
  assert.equal(summary.stop, 'complete', summary.message);
  assert.equal(summary.progress.failed, 0, 'nothing left for a next run');
  assert.deepEqual(
    politeness.filter((e) => e.type !== 'retry'),
    [],
    'no blocked, outage or rate-limited event: one URL is not the service',
  );
  const state = articles(out);
  assertGoodArticlesWritten(out, [282, 1309, 13577]);
  assert.deepEqual(
    [282, 1309, 13577].map((id) => [id, state.get(id)?.state, state.get(id)?.timestamp]),
    [
      [282, 'written', '20210427012935'],
      [1309, 'written', '20170127223324'],
      [13577, 'written', '20200517065735'],
    ],
    'each written from its next capture',
  );
  assert.match(state.get(LONG_ID)?.reason ?? '', /^url-too-long: /);
  const failed = events
    .filter((e) => e.type === 'capture-failed')
    .map((e) => (e.type === 'capture-failed' ? `${e.articleId} ${e.kind}` : ''));
  assert.deepEqual(failed.sort(), [
    `1309 too-large`,
    `13577 fetch-failed`,
    `282 fetch-failed`,
    `${LONG_ID} url-too-long`,
  ]);
  const stats = s.stats();
  assert.equal(stats.urlFaultsInjected[`/${A1309.timestamp}id_/`], 1, 'a body over the cap is not asked for again');
  assert.equal(
    Object.keys(stats.captureFetches).some((k) => k.includes(`/article/${LONG_ID}/`)),
    false,
  );
  assert.equal(stats.responses['414'] ?? 0, 0);
});

test('with one worker (no other request to compare with) a capture that always resets is tried once more at the end, then fails; the run finishes and a rerun has nothing to do', async () => {
  const s = await sim(DEMO, { urlFaults: [{ contains: `/${A282.timestamp}id_/${A282.original}`, fault: 'reset' }] });
  const out = join(work, 'one-worker-out');
  const { summary, events, politeness } = await run(s, out, { concurrency: 1, maxAttempts: 3 });
  assert.equal(summary.stop, 'complete', summary.message);
  assert.equal(summary.progress.failed, 0);
  assert.deepEqual(
    politeness.filter((e) => e.type !== 'retry'),
    [],
  );
  assert.deepEqual(
    events.map((e) => e.type),
    ['capture-deferred', 'capture-failed'],
  );
  assert.equal(articles(out).get(282)?.timestamp, '20210427012935');
  assertGoodArticlesWritten(out, [282]);
  const before = s.stats().urlFaultsInjected[`/${A282.timestamp}id_/${A282.original}`];
  const again = await run(s, out, { concurrency: 1, maxAttempts: 3 });
  assert.equal(again.summary.stop, 'complete');
  assert.equal(again.summary.progress.fetched, 0);
  assert.equal(
    s.stats().urlFaultsInjected[`/${A282.timestamp}id_/${A282.original}`],
    before,
    'the failed capture is not asked for again',
  );
});

test('when the bad capture belongs to the only article left, a small CDX lookup shows the service answers: the capture fails and the run finishes', async () => {
  const dir = join(work, 'only-282');
  cpSync(DEMO, dir, { recursive: true });
  writeFileSync(
    join(dir, 'cdx.jsonl'),
    demoRows
      .filter((r) => String(r['original']).includes('/article/282/'))
      .map((r) => JSON.stringify(r) + '\n')
      .join(''),
  );
  const s = await sim(dir, { urlFaults: [{ contains: `/${A282.timestamp}id_/${A282.original}`, fault: 'reset' }] });
  const out = join(work, 'only-282-out');
  const { summary, events, politeness } = await run(s, out, { maxAttempts: 3 });
  assert.equal(summary.stop, 'complete', summary.message);
  assert.equal(summary.progress.failed, 0, 'not left for a next run that would meet the same');
  assert.deepEqual(
    politeness.filter((e) => e.type !== 'retry'),
    [],
  );
  assert.deepEqual(
    events.map((e) => e.type),
    ['capture-deferred', 'capture-failed'],
  );
  assert.equal(articles(out).get(282)?.timestamp, '20210427012935');
  assert.equal(s.stats().requests.cdx, 2, 'the index query and one lookup');
});

// ------------------------------------------------------------------------ issue 14: real answers

const A2509 = expected(2509);
const A3239 = expected(3239);
const A3380 = expected(3380);

/** The stored captures (WARC records) of an archive, as `timestamp original` lines. */
function storedCaptures(out: string): string[] {
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  try {
    return (
      db.prepare('SELECT timestamp, original FROM captures WHERE warc IS NOT NULL').all() as {
        timestamp: string;
        original: string;
      }[]
    ).map((r) => `${r.timestamp} ${r.original}`);
  } finally {
    db.close();
  }
}

test("an excluded URL ends its article unrecovered 'excluded' at once: one request, no retry, no outage, nothing stored", async () => {
  const s = await sim(DEMO, { urlFaults: [{ contains: `/${A2509.timestamp}id_/`, fault: 'excluded' }] });
  const out = join(work, 'excluded-out');
  const { summary, politeness } = await run(s, out);
  assert.equal(summary.stop, 'complete', summary.message);
  assert.equal(summary.progress.failed, 0);
  assert.deepEqual(politeness, [], 'no retry, outage or pause');
  assert.match(articles(out).get(2509)?.reason ?? '', /^excluded: the Wayback Machine will not play this URL back/);
  assert.equal(s.stats().urlFaultsInjected[`/${A2509.timestamp}id_/`], 1);
  assert.equal(
    storedCaptures(out).some((c) => c.includes('/article/2509/')),
    false,
  );
  assertGoodArticlesWritten(out, [2509]);
});

test("the Wayback's own 404 page is a not-archived capture: recorded in the state, never stored in the WARC", async () => {
  const s = await sim(DEMO, { urlFaults: [{ contains: `/${A3239.timestamp}id_/`, fault: 'not-archived' }] });
  const out = join(work, 'not-archived-out');
  const { summary, politeness } = await run(s, out);
  assert.equal(summary.stop, 'complete', summary.message);
  assert.deepEqual(politeness, []);
  assert.match(articles(out).get(3239)?.reason ?? '', /^not-archived: /);
  assert.equal(
    storedCaptures(out).some((c) => c.includes('/article/3239/')),
    false,
    'no response record claims the site said it',
  );
  assertGoodArticlesWritten(out, [3239]);
});

test('an archived 429 behind a closest-capture redirect is a rejected capture: no pause, and the article takes its next capture', async () => {
  const limitedAt = toTimestamp(new Date(timestampToMs(A282.timestamp) + 10 * 60_000));
  const dir = siteWith('archived-429', [
    {
      ...demoRow(A282.timestamp, A282.original),
      timestamp: limitedAt,
      statuscode: '429',
      digest: 'TOOMANYREQUESTS2222222222222222',
      body: 'bodies/too-many.html.gz',
    },
  ]);
  writeFileSync(
    join(dir, 'bodies/too-many.html.gz'),
    gzipSync('<html><body><h1>429 Too Many Requests</h1></body></html>'),
  );
  const s = await sim(dir, { urlFaults: [{ contains: `/${A282.timestamp}id_/`, fault: 'closest' }] });
  const out = join(work, 'archived-429-out');
  const { summary, politeness } = await run(s, out);
  assert.equal(summary.stop, 'complete', summary.message);
  assert.deepEqual(politeness, [], 'an archived 429 is content: no rate-limited event, no retry');
  assert.equal(s.stats().responses['429'], 1, 'asked once');
  assert.deepEqual([articles(out).get(282)?.state, articles(out).get(282)?.timestamp], ['written', '20210427012935']);
  assert.ok(
    storedCaptures(out).includes(`${A282.timestamp} ${A282.original}`),
    'the 429 memento is evidence, stored for the capture asked for',
  );
  assertGoodArticlesWritten(out, [282]);
});

test('a closest capture outside the window is its own reason (closest-too-far), and the article takes its next capture', async () => {
  const s = await sim(DEMO, { urlFaults: [{ contains: `/${A282.timestamp}id_/`, fault: 'closest' }] });
  const out = join(work, 'too-far-out');
  const { summary, politeness } = await run(s, out, { closestWindowMs: 60_000 });
  assert.equal(summary.stop, 'complete', summary.message);
  assert.deepEqual(politeness, []);
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  const verdicts = db
    .prepare('SELECT timestamp, verdict FROM captures WHERE verdict IS NOT NULL AND original LIKE ?')
    .all('%/article/282/%') as { timestamp: string; verdict: string }[];
  db.close();
  assert.ok(
    verdicts.some((r) => r.timestamp === A282.timestamp && r.verdict === 'closest-too-far'),
    JSON.stringify(verdicts),
  );
  assert.equal(articles(out).get(282)?.state, 'written');
});

test("a wrong Content-Encoding: gzip is the capture's bytes as they came: the same article, no reset, no block", async () => {
  const dir = join(work, 'only-3380');
  cpSync(DEMO, dir, { recursive: true });
  writeFileSync(
    join(dir, 'cdx.jsonl'),
    demoRows
      .filter((r) => String(r['original']).includes('/article/3380/'))
      .map((r) => JSON.stringify(r) + '\n')
      .join(''),
  );
  const clean = join(work, 'wrong-encoding-clean');
  const lying = join(work, 'wrong-encoding-out');
  await run(await sim(dir), clean);
  const s = await sim(dir, { urlFaults: [{ contains: `/${A3380.timestamp}id_/`, fault: 'wrong-encoding' }] });
  const { summary, politeness } = await run(s, lying);
  assert.equal(summary.stop, 'complete', summary.message);
  assert.deepEqual(politeness, [], 'no reset, no block');
  assert.equal(s.stats().urlFaultsInjected[`/${A3380.timestamp}id_/`], 1);
  const file = 'articles/3001-4000/article_3380.md';
  assert.equal(readFileSync(join(lying, file), 'utf8'), readFileSync(join(clean, file), 'utf8'));
});

test('a blocked site is one line with its code and exit 1: no stack trace, no internal error', async () => {
  const s = await sim(DEMO, { urlFaults: [{ contains: '/cdx/search/cdx', fault: 'blocked' }] });
  const r = await cli(['archive', 'hkcnews', '--out', join(work, 'blocked-out'), '--wayback', s.url, '--quiet']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^salvage: the Wayback Machine blocks .*AdministrativeAccessControlException.*\[WAYBACK_BLOCKED_SITE\]$/m,
  );
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
});
