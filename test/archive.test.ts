/**
 * `salvage archive` end to end against the local Wayback simulator, on the committed demo site
 * (demo/site: 40 articles, with redirects, 404s, a duplicate row, a challenge page, a truncated
 * capture and a farewell-only article). Needs nothing outside the repository.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { rescue, type RescueSummary } from '../src/crawl/index.js';
import { hkcnews } from '../src/sites/index.js';
import { startWaybackSimulator, type WaybackSimulator } from '../src/devtools/wayback-sim/index.js';
import { Politeness, WaybackClient, type PolitenessEvent } from '../src/wayback/index.js';
import { articleTree } from '../scripts/archive-tree.js';
import { runCli } from './helpers/run-cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const SITE = join(ROOT, 'demo/site');
const CLI = join(ROOT, 'src/cli/main.ts');
/** Fast rehearsals: the simulator's limits and salvage's rates and waits scaled alike. */
const SCALE = 50;

interface ManifestArticle {
  id: number;
  outcome: string;
  expected?: { timestamp: string; original: string };
}
const manifest = JSON.parse(readFileSync(join(SITE, 'manifest.json'), 'utf8')) as { articles: ManifestArticle[] };

const work = mkdtempSync(join(tmpdir(), 'salvage-archive-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function client(
  sim: WaybackSimulator,
  options: { scale?: number; onEvent?: (e: PolitenessEvent) => void } = {},
): WaybackClient {
  const scale = options.scale ?? SCALE;
  return new WaybackClient({
    baseUrl: sim.url,
    politeness: new Politeness({ timeScale: scale, ...(options.onEvent ? { onEvent: options.onEvent } : {}) }),
    timeoutMs: 60_000 / scale,
  });
}

async function archive(sim: WaybackSimulator, out: string, signal?: AbortSignal): Promise<RescueSummary> {
  const c = client(sim);
  try {
    return await rescue({ site: hkcnews, outDir: out, client: c, ...(signal ? { signal } : {}) });
  } finally {
    await c.close();
  }
}

const tree = articleTree;

function chosen(
  out: string,
): Map<number, { state: string; timestamp: string | null; original: string | null; reason: string | null }> {
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT a.id, a.state, a.reason, c.timestamp, c.original FROM articles a LEFT JOIN captures c ON c.id = a.capture_id',
      )
      .all() as {
      id: number;
      state: string;
      reason: string | null;
      timestamp: string | null;
      original: string | null;
    }[];
    return new Map(rows.map((r) => [r.id, r]));
  } finally {
    db.close();
  }
}

let sim: WaybackSimulator;
const reference = join(work, 'reference');
let first: RescueSummary;

before(async () => {
  sim = await startWaybackSimulator({ siteDir: SITE, timeScale: SCALE });
  first = await archive(sim, reference);
});
after(async () => {
  await sim.close();
});

test('every article with a good capture is written from the capture the selection rule names; the farewell-only one is unrecovered', () => {
  assert.equal(first.stop, 'complete');
  const state = chosen(reference);
  const good = manifest.articles.filter((a) => a.outcome === 'ok');
  assert.ok(good.length >= 30, 'the demo site has dozens of good articles');
  for (const a of good) {
    const c = state.get(a.id);
    assert.equal(c?.state, 'written', `article ${a.id}`);
    assert.deepEqual(
      { timestamp: c?.timestamp, original: c?.original },
      { timestamp: a.expected?.timestamp, original: a.expected?.original },
      `capture of article ${a.id}`,
    );
    assert.ok(
      existsSync(
        join(
          reference,
          'articles',
          `${Math.floor((a.id - 1) / 1000) * 1000 + 1}-${Math.floor((a.id - 1) / 1000) * 1000 + 1000}`,
          `article_${a.id}.md`,
        ),
      ),
    );
  }
  const lost = manifest.articles.filter((a) => a.outcome !== 'ok');
  assert.ok(lost.length > 0);
  for (const a of lost) {
    assert.equal(state.get(a.id)?.state, 'unrecovered');
    assert.match(state.get(a.id)?.reason ?? '', /^farewell: /);
  }
  assert.equal(tree(reference).size, good.length, 'one file per written article, nothing else under articles/');
});

test('no capture is fetched twice, only candidates are fetched, and the index is read with the cursor', () => {
  const stats = sim.stats();
  assert.equal(stats.maxCaptureFetches, 1);
  const candidates = readFileSync(join(SITE, 'cdx.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { statuscode: string; mimetype: string; original: string })
    .filter((r) => r.statuscode === '200' && r.mimetype === 'text/html' && /\/article\/\d/.test(r.original));
  assert.ok(
    stats.requests.capture <= candidates.length,
    `${stats.requests.capture} capture requests for ${candidates.length} candidate rows`,
  );
  assert.equal(stats.requests.cdx, 1);
  assert.equal(stats.tooManyRequests, 0);
});

test('a second run fetches nothing and changes no file', async () => {
  const before = tree(reference);
  sim.resetStats();
  const again = await archive(sim, reference);
  assert.equal(again.stop, 'complete');
  assert.equal(again.progress.fetched, 0);
  assert.deepEqual(sim.stats().requests, { cdx: 0, capture: 0, other: 0 });
  assert.deepEqual(tree(reference), before);
});

test('salvage rebuild regenerates every archive file from the WARCs alone, byte for byte', () => {
  const out = join(work, 'rebuilt');
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'rebuild', reference, '--out', out, '--quiet'], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^rebuilt \d+ articles from \d+ WARC records/);
  assert.deepEqual(tree(out), tree(reference));
});

test('salvage status reports coverage as text and JSON', () => {
  const text = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'status', reference], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(text.status, 0, text.stderr);
  const good = manifest.articles.filter((a) => a.outcome === 'ok').length;
  assert.match(text.stdout, new RegExp(`written ${good} · unrecovered ${manifest.articles.length - good} · pending 0`));
  assert.match(text.stdout, /unrecovered by reason: farewell 1/);
  const json = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'status', reference, '--json'], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  const status = JSON.parse(json.stdout) as {
    written: number;
    unrecoveredByReason: Record<string, number>;
    byYear: Record<string, unknown>;
    layouts: { pages: number; sample: string; fields: Record<string, { sources: Record<string, number> }> }[];
  };
  assert.equal(status.written, good);
  assert.deepEqual(status.unrecoveredByReason, { farewell: 1 });
  assert.ok(Object.keys(status.byYear).length > 1);
  // The layout report: every written article in one layout group, each field's source named.
  assert.equal(
    status.layouts.reduce((n, l) => n + l.pages, 0),
    good,
  );
  for (const l of status.layouts) {
    assert.match(l.sample, /^https:\/\/web\.archive\.org\/web\/\d{14}\//);
    assert.equal(
      Object.values(l.fields['title']!.sources).reduce((a, b) => a + b, 0),
      l.pages,
    );
  }
  assert.match(text.stdout, /by layout \(\d+;[^\n]*\n  layout L[0-9a-f]{7} \(\d+ pages/);
  const missing = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'status', join(work, 'nothing-here')], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no crawl state/);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

test('an interrupted run (Ctrl-C) stops cleanly, and the next run completes the same archive', async () => {
  const out = join(work, 'interrupted');
  const controller = new AbortController();
  const c = client(sim);
  const stopped = await rescue({
    site: hkcnews,
    outDir: out,
    client: c,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done >= 10) controller.abort(new Error('interrupted'));
    },
  });
  await c.close();
  assert.equal(stopped.stop, 'interrupted');
  assert.ok(stopped.progress.done < stopped.progress.articles);
  const done = await archive(sim, out);
  assert.equal(done.stop, 'complete');
  assert.deepEqual(tree(out), tree(reference));
});

test('kill -9 in the middle of a run, then a rerun: the same archive, nothing fetched twice beyond the pages in flight', async () => {
  const killSim = await startWaybackSimulator({ siteDir: SITE, timeScale: 2 });
  const out = join(work, 'killed');
  try {
    // Scale 2: 16 captures/s, about 3 s of fetching; the kill lands in the middle.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'archive',
        'hkcnews',
        '--out',
        out,
        '--wayback',
        killSim.url,
        '--time-scale',
        '2',
        '--quiet',
      ],
      { cwd: ROOT, stdio: 'ignore' },
    );
    await new Promise<void>((ok) => {
      const poll = setInterval(() => {
        if (killSim.stats().requests.capture >= 12) {
          clearInterval(poll);
          child.kill('SIGKILL');
          ok();
        }
      }, 10);
    });
    await new Promise((ok) => child.once('exit', ok));
    const partial = killSim.stats().requests.capture;
    assert.ok(partial < 40, 'killed before the end');
    // Not spawnSync: the simulator lives in this process and must keep answering.
    const rerun = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'archive',
        'hkcnews',
        '--out',
        out,
        '--wayback',
        killSim.url,
        '--time-scale',
        '2',
        '--quiet',
      ],
      { cwd: ROOT, stdio: 'ignore' },
    );
    assert.equal(await new Promise((ok) => rerun.once('exit', ok)), 0);
    assert.deepEqual(tree(out), tree(reference));
    const fetchedTwice = Object.values(killSim.stats().captureFetches).filter((n) => n > 1).length;
    assert.ok(fetchedTwice <= 3, `${fetchedTwice} captures fetched twice: at most the 3 in flight at the kill`);
  } finally {
    await killSim.close();
  }
});

test('a URL prefix rescues an outlet without a site module: the profile is kept beside the archive, and rebuild reads it', async () => {
  const prefixSim = await startWaybackSimulator({ siteDir: SITE, timeScale: SCALE });
  const out = join(work, 'by-prefix');
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'archive',
        'hkcnews.com/article/',
        '--closed',
        '2022-01-04',
        '--out',
        out,
        '--wayback',
        prefixSim.url,
        '--time-scale',
        String(SCALE),
        '--quiet',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    assert.equal(await new Promise((ok) => child.once('exit', ok)), 0, stderr);
  } finally {
    await prefixSim.close();
  }
  const profile = readFileSync(join(out, 'site-profile.yaml'), 'utf8');
  assert.match(profile, /^id: hkcnews-com$/m);
  assert.match(profile, /^closed: 2022-01-04$/m);
  const written = tree(out);
  const reference = tree(join(work, 'reference'));
  assert.ok(
    written.size >= reference.size - 2,
    `${written.size} articles by prefix against ${reference.size} with the site module`,
  );
  for (const path of [...written.keys()].slice(0, 5))
    assert.match(readFileSync(join(out, path), 'utf8'), /\nsite: "?hkcnews-com"?\n/);
  const rebuilt = join(work, 'by-prefix-rebuilt');
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'rebuild', out, '--out', rebuilt, '--quiet'], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(tree(rebuilt), written);
});

// ---- WARC files are evidence (issue 12): a lost state is rebuilt from them, never the reverse ----

/** The pages only: these tests count page requests against a reference rescued without images. */
const archiveArgs = (out: string): string[] => [
  'archive',
  'hkcnews',
  '--out',
  out,
  '--wayback',
  sim.url,
  '--time-scale',
  String(SCALE),
  '--no-media',
];

test('salvage archive rescues the images after the pages: each as its capture fate says, counted in status and coverage.json', async () => {
  const out = join(work, 'with-images');
  const r = await runCli(archiveArgs(out).filter((a) => a !== '--no-media'));
  assert.equal(r.status, 0, r.stderr);
  const images = manifest.articles
    .filter((a) => a.outcome === 'ok')
    .flatMap((a) => (a as { images?: { original: string; fate: string; digest: string | null }[] }).images ?? []);
  const fates = new Map(images.map((i) => [i.original, i]));
  const want: Record<string, number> = {};
  for (const { fate } of fates.values()) {
    const outcome = fate === '404' ? 'archived-error' : fate === 'never' ? 'not-archived' : 'stored';
    want[outcome] = (want[outcome] ?? 0) + 1;
  }
  assert.ok((want['stored'] ?? 0) > 50 && want['archived-error'] && want['not-archived'], JSON.stringify(want));
  const coverage = JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as { media?: { byOutcome: object } };
  assert.deepEqual(coverage.media?.byOutcome, want);
  assert.match(r.stdout, new RegExp(`images: ${want['stored']} of ${fates.size} images stored`));
  const status = await runCli(['status', out]);
  assert.match(status.stdout, new RegExp(`^images: ${want['stored']} of ${fates.size} images stored`, 'm'));
  // Every stored image is the manifest's capture, byte for byte (the Wayback digest of its file).
  const db = new Database(join(out, 'media/media.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT url, wayback_digest FROM images WHERE outcome = 'stored'").all() as {
      url: string;
      wayback_digest: string;
    }[];
    for (const row of rows) {
      const wire = row.url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
      assert.equal(row.wayback_digest, fates.get(wire)?.digest, row.url);
    }
  } finally {
    db.close();
  }
  // A second run asks for no image again.
  sim.resetStats();
  const again = await runCli(archiveArgs(out).filter((a) => a !== '--no-media'));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(sim.stats().requests.capture, 0);
});

/** Each WARC file's bytes, by name. */
function warcBytes(out: string): Map<string, Buffer> {
  const dir = join(out, 'captures');
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
}

/** Every byte of every earlier file is still there, at the same place: the file is unchanged or only grew. */
function assertKept(before: Map<string, Buffer>, out: string): void {
  const now = warcBytes(out);
  for (const [name, bytes] of before) {
    const after = now.get(name);
    assert.ok(after, `${name} still exists`);
    assert.ok(after.length >= bytes.length, `${name}: ${after.length} bytes, was ${bytes.length}`);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.equal(
      sha(after.subarray(0, bytes.length)),
      sha(bytes),
      `${name}: its first ${bytes.length} bytes are unchanged`,
    );
  }
}

function copyOf(name: string): string {
  const out = join(work, name);
  cpSync(reference, out, { recursive: true });
  return out;
}

const LOSSES: [string, (path: string) => void][] = [
  ['missing', (path) => rmSync(path)],
  ['empty (0 bytes)', (path) => writeFileSync(path, '')],
  ['garbage bytes', (path) => writeFileSync(path, randomBytes(64 * 1024))],
  [
    'a truncated SQLite file',
    (path) => {
      const b = readFileSync(path);
      writeFileSync(path, b.subarray(0, Math.floor(b.length / 3)));
    },
  ],
  [
    'a folder in its place',
    (path) => {
      rmSync(path);
      mkdirSync(path);
    },
  ],
];

for (const [i, [how, lose]] of LOSSES.entries()) {
  test(`state.sqlite ${how}: archive keeps every WARC byte, rebuilds the state from the WARCs without fetching them again, and rebuild gives the same archive`, async () => {
    const out = copyOf(`lost-state-${i}`);
    const before = warcBytes(out);
    for (const f of ['state.sqlite-wal', 'state.sqlite-shm']) rmSync(join(out, f), { force: true });
    lose(join(out, 'state.sqlite'));
    if (how === 'missing') {
      const status = await runCli(['status', out]);
      assert.equal(status.status, 1);
      assert.match(
        status.stderr,
        /has no crawl state \(state\.sqlite\); its captures\/ are kept: salvage archive rebuilds the state from them/,
      );
    }
    sim.resetStats();
    const r = await runCli([...archiveArgs(out)]);
    assert.equal(r.status, 0, r.stderr);
    assertKept(before, out);
    assert.doesNotMatch(r.stderr, /delete/i);
    if (!/missing|empty/.test(how)) {
      assert.match(r.stderr, /cannot be used .*moved aside to state\.sqlite\.corrupt-/);
      assert.ok(
        readdirSync(out).some((f) => f.startsWith('state.sqlite.corrupt-')),
        'the old state is kept',
      );
    }
    assert.match(r.stderr, /stored captures past what the crawl state knew .* adopted/);
    // Only captures that were never stored (the service refused them) are asked for again.
    const refused = new Database(join(reference, 'state.sqlite'), { readonly: true });
    const neverStored = (
      refused.prepare("SELECT count(*) AS n FROM captures WHERE verdict = 'fetch-refused'").get() as { n: number }
    ).n;
    refused.close();
    assert.ok(
      sim.stats().requests.capture <= neverStored,
      `${sim.stats().requests.capture} captures fetched again; ${neverStored} were never stored`,
    );
    assert.deepEqual(tree(out), tree(reference));
    const rebuilt = join(work, `lost-state-${i}-rebuilt`);
    const rb = await runCli(['rebuild', out, '--out', rebuilt, '--quiet']);
    assert.equal(rb.status, 0, rb.stderr);
    assert.deepEqual(tree(rebuilt), tree(reference));
  });
}

test('a capture written but not committed before a kill is adopted from the WARC, not fetched again', async () => {
  const out = copyOf('crash-tail');
  const db = new Database(join(out, 'state.sqlite'));
  // Undo the commit of the last stored capture: its record is in the WARC, the state does not know it.
  const last = db
    .prepare(
      'SELECT id, article_id, warc, warc_offset FROM captures WHERE warc IS NOT NULL ORDER BY warc DESC, warc_offset DESC LIMIT 1',
    )
    .get() as { id: number; article_id: number; warc: string; warc_offset: number };
  db.prepare(
    'UPDATE captures SET warc = NULL, warc_offset = NULL, warc_length = NULL, verdict = NULL WHERE id = ?',
  ).run(last.id);
  db.prepare("UPDATE articles SET state = 'pending' WHERE id = ?").run(last.article_id);
  db.prepare('UPDATE warcs SET size = ? WHERE name = ?').run(last.warc_offset, last.warc);
  db.close();
  const before = warcBytes(out);
  sim.resetStats();
  const r = await runCli([...archiveArgs(out)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `captures/${last.warc}: 1 stored captures past what the crawl state knew \\(from offset ${last.warc_offset}\\) adopted`,
    ),
  );
  assert.equal(sim.stats().requests.capture, 0);
  assertKept(before, out);
  assert.deepEqual(warcBytes(out), before, 'nothing was appended either');
  assert.deepEqual(tree(out), tree(reference));
});

test('a record cut by a kill is reported with its offset and left in place; the run completes', async () => {
  const out = copyOf('cut-tail');
  const [name, bytes] = [...warcBytes(out)].at(-1)!;
  const half = bytes.subarray(0, 200);
  appendFileSync(join(out, 'captures', name), half);
  const before = warcBytes(out);
  const r = await runCli([...archiveArgs(out)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `captures/${name}: a record cut short at offset ${bytes.length} \\(200 bytes, an interrupted write\\) is left in place`,
    ),
  );
  assertKept(before, out);
  assert.deepEqual(tree(out), tree(reference));
  const status = JSON.parse((await runCli(['status', out, '--json'])).stdout) as {
    missingEvidence: { captures: number; damagedStretches: number };
  };
  assert.deepEqual([status.missingEvidence.captures, status.missingEvidence.damagedStretches], [0, 1]);
});

test('an empty WARC file (created just before a kill) is no damage: rebuild exits 0', async () => {
  const out = copyOf('empty-warc');
  writeFileSync(join(out, 'captures', 'salvage-00099.warc.gz'), '');
  const rebuilt = join(work, 'empty-warc-rebuilt');
  const r = await runCli(['rebuild', out, '--out', rebuilt, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(tree(rebuilt), tree(reference));
});

test('a WARC cut in half: rebuild reports each stored capture whose bytes are gone, with its offset, and exits non-zero', async () => {
  const out = copyOf('half-warc');
  const [name, bytes] = [...warcBytes(out)][0]!;
  writeFileSync(join(out, 'captures', name), bytes.subarray(0, Math.floor(bytes.length / 2)));
  const rebuilt = join(work, 'half-warc-rebuilt');
  const r = await runCli(['rebuild', out, '--out', rebuilt, '--quiet']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`captures/${name}: \\d+ damaged bytes at offset \\d+ skipped \\(truncated`));
  assert.match(
    r.stderr,
    new RegExp(`captures/${name}: the stored capture at offset \\d+ \\(\\d+ bytes\\) is past the end of the file`),
  );
  assert.match(
    r.stdout,
    /rebuilt \d+ articles from \d+ WARC records .*; 1 damaged stretches of WARC bytes skipped; \d+ stored captures whose bytes are missing or damaged/,
  );
  assert.ok(tree(rebuilt).size < tree(reference).size);
});

test('status reports captures whose bytes are gone; archive says so, fetches them again and completes the same archive', async () => {
  const out = copyOf('bytes-gone');
  const [name, bytes] = [...warcBytes(out)][0]!;
  const kept = bytes.subarray(0, Math.floor(bytes.length / 2));
  writeFileSync(join(out, 'captures', name), kept);
  const status = await runCli(['status', out, '--json']);
  assert.equal(status.status, 0, status.stderr);
  const report = JSON.parse(status.stdout) as {
    fetched: number;
    missingEvidence: { captures: number; files: { warc: string; missing: boolean }[] };
  };
  assert.ok(report.missingEvidence.captures > 0);
  const whole = JSON.parse((await runCli(['status', reference, '--json'])).stdout) as { fetched: number };
  assert.equal(
    report.fetched,
    whole.fetched - report.missingEvidence.captures,
    'captures whose bytes are gone are not counted as fetched',
  );
  assert.deepEqual(
    report.missingEvidence.files.map((f) => [f.warc, f.missing]),
    [[name, false]],
  );
  const text = await runCli(['status', out]);
  assert.match(
    text.stdout,
    new RegExp(`missing evidence: ${report.missingEvidence.captures} stored captures whose WARC bytes are gone`),
  );
  sim.resetStats();
  const r = await runCli([...archiveArgs(out)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `captures/${name}: ${kept.length} bytes where ${bytes.length} were stored; ${report.missingEvidence.captures} captures whose bytes are gone will be fetched again`,
    ),
  );
  assert.equal(sim.stats().requests.capture, report.missingEvidence.captures);
  assert.deepEqual(
    readFileSync(join(out, 'captures', name)).subarray(0, kept.length),
    kept,
    'the shorter file is left as it is',
  );
  assert.deepEqual(tree(out), tree(reference));
  const after = JSON.parse((await runCli(['status', out, '--json'])).stdout) as {
    missingEvidence: { captures: number };
  };
  assert.equal(after.missingEvidence.captures, 0);
});
