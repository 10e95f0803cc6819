/**
 * `npm run bench:rescue`: the full rehearsal of issue 3. Generates every article of the existing
 * archive as Wayback captures with faults on (../shared/tools/hkcnews-site), serves them with the
 * local Wayback simulator at a time scale, and rescues them with `salvage archive` as a user runs
 * it. Then checks: the chosen capture of every article against the generator's manifest, the
 * unrecovered ids, compare-archive fidelity, politeness (429s, blocks, requests during pauses),
 * total time against the floor the rate limits imply, memory over the run, `salvage rebuild`
 * byte for byte; and on a sample: 5 kill -9s with reruns, and the storm fault profile, each
 * against an uninterrupted run. The sites carry image captures (`--images on`), so every run
 * rescues the articles' images too (issue 16): each image of a written article is checked
 * against the manifest's fate and digest and against the service's own rule, and `salvage media`
 * on the whole existing archive (`salvage import`) must give the images the rescue gave.
 *
 *   npm run bench:rescue                           all 49,118 articles and their images (~80 min here)
 *   npm run bench:rescue -- --sample 3000          a deterministic sample for the main run
 *   npm run bench:rescue -- --reuse                reuse the generated sites in the work folder
 *   npm run bench:rescue -- --scale 10 --check-sample 1500 --kills 5
 *   npm run bench:rescue -- --only main|checks     run one part
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { rankCaptures } from '../src/crawl/index.js';
import { imageKey } from '../src/markdown/index.js';
import { parseMemento, timestampToMs } from '../src/memento.js';
import { surt } from '../src/devtools/wayback-sim/index.js';
import { hkcnewsArticleId } from '../src/sites/index.js';
import type { CdxRow } from '../src/wayback/index.js';
import { articleTree } from '../scripts/archive-tree.js';
import { benchArgs, machine, sharedOrSkip } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:rescue');
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/rescue'));
const scale = Number(arg('--scale') ?? 10);
const sample = arg('--sample');
const checkSample = Number(arg('--check-sample') ?? 1500);
const kills = Number(arg('--kills') ?? 5);
const only = arg('--only');
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');
const cli = join(root, 'dist/cli/main.js');
const simCli = join(root, 'dist/devtools/wayback-sim/cli.js');
if (!existsSync(cli) || !existsSync(simCli)) throw new Error('dist/ is missing: run npm run build');
// The politeness defaults, which the rehearsal keeps (scaled): the floor is computed from them.
const CDX_PER_MINUTE = 24;
const CAPTURES_PER_SECOND = 8;
const CDX_ROWS_PER_REQUEST = 5000;
/** salvage's connection pool: at most this many requests are in flight when a kill strikes. */
const CONNECTIONS = 3;

function run(cmd: string, argv: string[], label: string, okCodes = [0]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  if (!okCodes.includes(r.status ?? -1)) {
    console.error(r.stdout);
    throw new Error(`${label} exited with ${r.status}`);
  }
  return { ms: performance.now() - t0, stdout: r.stdout };
}

function generate(out: string, extra: string[]): void {
  if (args.includes('--reuse') && existsSync(join(out, 'manifest.json'))) {
    console.log(`reusing ${out} (--reuse)`);
    return;
  }
  rmSync(out, { recursive: true, force: true });
  const g = run(
    'node',
    [join(shared, 'tools/hkcnews-site/generate.mjs'), '--articles', articles, '--out', out, '--quiet', ...extra],
    'generate',
  );
  console.log(`generated ${out} in ${(g.ms / 1000).toFixed(0)} s`);
}

interface Sim {
  url: string;
  proc: ChildProcess;
  stats(): Promise<SimStats>;
  stop(): Promise<void>;
}
interface SimStats {
  requests: { cdx: number; capture: number; other: number };
  tooManyRequests: number;
  blocks: { count: number; totalMs: number };
  connectionsOpened: number;
  maxCaptureFetches: number;
  captureFetches: Record<string, number>;
  requestsDuringPause: number | Record<string, number>;
  faultsInjected?: Record<string, number>;
}

/** The simulator in its own process, so the archive process's memory and CPU are its own. */
async function startSim(site: string, faults: string, seed: string): Promise<Sim> {
  const proc = spawn('node', [simCli, '--site', site, '--scale', String(scale), '--faults', faults, '--seed', seed], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((ok, fail) => {
    const lines = createInterface({ input: proc.stdout });
    lines.once('line', (l) => ok(l.trim()));
    proc.once('exit', (code) => fail(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    proc,
    stats: async () =>
      (await (await fetch(`${url}/__sim/stats`, { headers: { 'user-agent': 'salvage-bench' } })).json()) as SimStats,
    stop: () =>
      new Promise<void>((ok) => {
        proc.once('exit', () => ok());
        proc.kill('SIGTERM');
      }),
  };
}

function archiveArgs(out: string, sim: Sim): string[] {
  return [cli, 'archive', 'hkcnews', '--out', out, '--wayback', sim.url, '--time-scale', String(scale), '--quiet'];
}

/** Run `salvage archive` to completion, sampling its RSS every second. */
async function archiveRun(
  out: string,
  sim: Sim,
  killAfterMs?: number,
): Promise<{ ms: number; code: number | null; rss: { t: number; mb: number }[] }> {
  const t0 = performance.now();
  const proc = spawn('node', archiveArgs(out, sim), { stdio: ['ignore', 'ignore', 'inherit'] });
  const rss: { t: number; mb: number }[] = [];
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) rss.push({ t: performance.now() - t0, mb: Number(m[1]) / 1024 });
    } catch {
      /* exited */
    }
  }, 1000);
  const killer = killAfterMs !== undefined ? setTimeout(() => proc.kill('SIGKILL'), killAfterMs) : undefined;
  const code = await new Promise<number | null>((ok) => proc.once('exit', (c) => ok(c)));
  clearInterval(timer);
  if (killer) clearTimeout(killer);
  return { ms: performance.now() - t0, code, rss };
}

function sameTree(a: Map<string, string>, b: Map<string, string>): { same: boolean; detail: string } {
  const differ = [...a].filter(([p, h]) => b.get(p) !== h).length;
  const extra = [...b.keys()].filter((p) => !a.has(p)).length;
  return {
    same: differ === 0 && extra === 0 && a.size === b.size,
    detail: `${a.size} vs ${b.size} files, ${differ} differ or missing, ${extra} extra`,
  };
}

/** Captures an oracle that knows only the CDX index must fetch: per article, rank order up to the first good page. */
async function minimumFetches(site: string): Promise<{ cdxRows: number; captures: number }> {
  const byArticle = new Map<string, (CdxRow & { kind: string })[]>();
  const byDigest = new Map<string, Pick<CdxRow, 'statuscode' | 'mimetype'>>();
  let rows = 0;
  for await (const line of createInterface({ input: createReadStream(join(site, 'cdx.jsonl')) })) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, string>;
    // Image rows are asked for as im_ captures, never through the CDX.
    if (IMAGE_KINDS.has(r['kind']!)) continue;
    rows++;
    const id = hkcnewsArticleId(r['original']!);
    if (id === undefined) continue;
    const row = {
      urlkey: r['urlkey']!,
      timestamp: r['timestamp']!,
      original: r['original']!,
      mimetype: r['mimetype']!,
      statuscode: r['statuscode'] === '-' ? null : Number(r['statuscode']),
      digest: r['digest']!,
      length: null,
      kind: r['kind']!,
    };
    // As the crawl state resolves a revisit: a non-revisit capture of that digest, status 200 first.
    if (row.statuscode !== null && row.mimetype !== 'warc/revisit' && byDigest.get(row.digest)?.statuscode !== 200)
      byDigest.set(row.digest, row);
    (byArticle.get(id) ?? byArticle.set(id, []).get(id)!).push(row);
  }
  let captures = 0;
  for (const list of byArticle.values()) {
    for (const c of rankCaptures(list, '20220104235959', (r) => byDigest.get(r.digest))) {
      captures++;
      if (c.kind === 'ok') break;
    }
  }
  return { cdxRows: rows, captures };
}

interface ManifestArticle {
  id: number;
  outcome: string;
  expected?: { timestamp: string; original: string };
}

/** The chosen capture of every written article against the manifest; unrecovered ids against its list. */
function checkChoices(out: string, manifestPath: string): string {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { articles: ManifestArticle[] };
  const db = new Database(join(out, 'state.sqlite'), { readonly: true });
  const chosen = new Map(
    db
      .prepare(
        'SELECT a.id, c.timestamp, c.original, a.state FROM articles a LEFT JOIN captures c ON c.id = a.capture_id',
      )
      .all()
      .map((r) => {
        const x = r as { id: number; timestamp: string | null; original: string | null; state: string };
        return [x.id, x];
      }),
  );
  db.close();
  let ok = 0,
    wrong = 0,
    unrecoveredRight = 0,
    unrecoveredWrong = 0,
    missing = 0;
  const wrongIds: number[] = [];
  for (const a of manifest.articles) {
    const c = chosen.get(a.id);
    if (!c) {
      missing++;
      continue;
    }
    if (a.outcome === 'ok') {
      if (c.state === 'written' && c.timestamp === a.expected?.timestamp && c.original === a.expected?.original) ok++;
      else {
        wrong++;
        if (wrongIds.length < 10) wrongIds.push(a.id);
      }
    } else if (c.state === 'unrecovered') unrecoveredRight++;
    else unrecoveredWrong++;
  }
  const good = manifest.articles.filter((a) => a.outcome === 'ok').length;
  return `chosen capture = manifest: ${ok}/${good} (${((100 * ok) / Math.max(good, 1)).toFixed(2)}%)${wrong ? `, wrong ${wrong} e.g. ${wrongIds.join(',')}` : ''} · unrecovered as expected ${unrecoveredRight}/${manifest.articles.length - good}, wrongly written ${unrecoveredWrong} · missing from state ${missing}`;
}

interface ManifestImage {
  src: string;
  original: string;
  fate: 'ok' | 'late' | 'twice' | '404' | 'never';
  timestamp: string | null;
  digest: string | null;
}

/** Each image row of an archive's media store, by key: outcome, the time it was asked at, capture time and Wayback digest. */
function mediaRows(
  dir: string,
): Map<string, { outcome: string; requestedTs: string; captureTs: string | null; digest: string | null }> {
  const path = join(dir, 'media/media.sqlite');
  if (!existsSync(path)) return new Map();
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT key, outcome, requested_ts, capture_ts, wayback_digest FROM images').all() as {
      key: string;
      outcome: string;
      requested_ts: string;
      capture_ts: string | null;
      wayback_digest: string | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.key,
        { outcome: r.outcome, requestedTs: r.requested_ts, captureTs: r.capture_ts, digest: r.wayback_digest },
      ]),
    );
  } finally {
    db.close();
  }
}

/** The CDX `kind`s of the generator's image captures (its README, "Image captures"). */
const IMAGE_KINDS = new Set(['image', 'image-notfound']);

/**
 * The time an image `src` is asked at, as FORMAT's `im_` URLs name it: the innermost 14-digit
 * time of its (at most 8) nested mementos.
 */
function srcTimestamp(src: string): string | undefined {
  let m = parseMemento(src);
  let exact = m !== undefined && /^\d{14}$/.test(m.timestamp) ? m.timestamp : undefined;
  for (let i = 0; m !== undefined && i < 8; i++) {
    m = parseMemento(m.original);
    if (m !== undefined && /^\d{14}$/.test(m.timestamp)) exact = m.timestamp;
  }
  return exact;
}

/** What each fate must give: a stored image with the manifest's digest, or the right reason it is missing. */
const FATE_OUTCOME: Record<ManifestImage['fate'], string> = {
  ok: 'stored',
  late: 'stored',
  twice: 'stored',
  '404': 'archived-error',
  never: 'not-archived',
};

/** What an answer should be: the outcome, and the Wayback digest of a stored image. */
interface ImageExpectation {
  outcome: string;
  digest: string | null;
}

/** An image row of the generator's CDX index. */
interface ImageCapture {
  timestamp: string;
  statuscode: string;
  digest: string;
}

/**
 * The image captures of the generator's CDX index by SURT key: what the Wayback answers an
 * `im_` request from, for every spelling of the URL that shares the key (www. or not, http or
 * https: WAYBACK.md, CDX).
 */
async function imageCaptures(site: string): Promise<Map<string, ImageCapture[]>> {
  const byKey = new Map<string, ImageCapture[]>();
  for await (const line of createInterface({ input: createReadStream(join(site, 'cdx.jsonl')) })) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, string>;
    if (!IMAGE_KINDS.has(r['kind']!)) continue;
    const list = byKey.get(r['urlkey']!) ?? byKey.set(r['urlkey']!, []).get(r['urlkey']!)!;
    list.push({ timestamp: r['timestamp']!, statuscode: r['statuscode']!, digest: r['digest']! });
  }
  return byKey;
}

/**
 * What the Wayback answers an `im_` request for `original` at `ts`: the capture of its SURT key
 * closest in time (any spelling, any status; the earlier of two equally close), as the service
 * and the simulator pick it.
 */
function serviceAnswer(captures: Map<string, ImageCapture[]>, original: string, ts: string): ImageExpectation {
  const list = captures.get(surt(original)) ?? [];
  const t = timestampToMs(ts);
  let best: ImageCapture | undefined;
  for (const c of list) {
    const d = Math.abs(timestampToMs(c.timestamp) - t);
    if (
      best === undefined ||
      d < Math.abs(timestampToMs(best.timestamp) - t) ||
      (d === Math.abs(timestampToMs(best.timestamp) - t) && c.timestamp < best.timestamp)
    )
      best = c;
  }
  if (best === undefined) return { outcome: 'not-archived', digest: null };
  return best.statuscode === '200'
    ? { outcome: 'stored', digest: best.digest }
    : { outcome: 'archived-error', digest: null };
}

/**
 * The images of the written articles against two references: the manifest's fate of each image
 * URL (for the article whose time the image was asked at), and the answer the service's own rule
 * gives from the generator's CDX index (the manifest gives every spelling of a URL its own fate,
 * where the Wayback's SURT index answers `www.` and bare, http and https spellings from the
 * captures of all of them).
 */
async function checkMedia(out: string, site: string): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(site, 'manifest.json'), 'utf8')) as {
    articles: (ManifestArticle & { images?: ManifestImage[] })[];
  };
  const captures = await imageCaptures(site);
  const rows = mediaRows(out);
  // key → requested time → the manifest's image (an image several articles show, each at its own time)
  const expected = new Map<string, Map<string, ManifestImage>>();
  for (const a of manifest.articles)
    if (a.outcome === 'ok')
      for (const image of a.images ?? []) {
        const key = imageKey(image.original);
        const at = expected.get(key) ?? expected.set(key, new Map()).get(key)!;
        at.set(srcTimestamp(image.src) ?? a.expected?.timestamp ?? '', image);
      }
  const tally = (): { right: number; want: number; wrong: string[] } => ({ right: 0, want: 0, wrong: [] });
  const byManifest = { stored: tally(), missing: tally() };
  const byService = { stored: tally(), missing: tally() };
  let absent = 0,
    surtTwins = 0;
  const judge = (
    t: { stored: ReturnType<typeof tally>; missing: ReturnType<typeof tally> },
    want: ImageExpectation,
    row: { outcome: string; digest: string | null; captureTs: string | null } | undefined,
    label: string,
  ): boolean => {
    const bucket = want.outcome === 'stored' ? t.stored : t.missing;
    bucket.want++;
    const right =
      row !== undefined && row.outcome === want.outcome && (want.outcome !== 'stored' || row.digest === want.digest);
    if (right) bucket.right++;
    else if (bucket.wrong.length < 3)
      bucket.wrong.push(
        `${label}: want ${want.outcome} ${want.digest ?? ''}, got ${row === undefined ? 'nothing' : `${row.outcome} ${row.digest ?? ''} (${row.captureTs ?? '-'})`}`,
      );
    return right;
  };
  for (const [key, at] of expected) {
    const row = rows.get(key);
    if (row === undefined) absent++;
    // The article the image was asked for (the first article to reach a worker names the time).
    const image = (row?.requestedTs !== undefined ? at.get(row.requestedTs) : undefined) ?? at.values().next().value!;
    const requestedTs = row?.requestedTs ?? srcTimestamp(image.src) ?? '';
    const asManifest = judge(
      byManifest,
      { outcome: FATE_OUTCOME[image.fate], digest: image.digest },
      row,
      `manifest ${image.fate} ${image.original}`,
    );
    const asService = judge(
      byService,
      serviceAnswer(captures, image.original, requestedTs),
      row,
      `service ${image.original}`,
    );
    if (asService && !asManifest) surtTwins++;
  }
  const extra = [...rows.keys()].filter((k) => !expected.has(k)).length;
  const line = (name: string, t: typeof byManifest): string =>
    `${name}: stored with the digest ${t.stored.right}/${t.stored.want} · missing with the right reason ${t.missing.right}/${t.missing.want}${[...t.stored.wrong, ...t.missing.wrong].map((w) => `\n    e.g. ${w}`).join('')}`;
  return [
    `images of written articles: ${expected.size} · absent from the store ${absent} · in the store but in no written article ${extra}`,
    `  ${line("against the service's rule (closest capture of the URL's SURT key, from the generator's CDX)", byService)}`,
    `  ${line("against the manifest's fate of each URL", byManifest)}`,
    `  right by the service's rule but not the manifest's fate: ${surtTwins} (URLs whose www./bare or http/https twin the Wayback answers with)`,
  ].join('\n');
}

/** Whether two archives' media stores agree on every image both hold (and how many each holds). */
function sameMedia(
  a: Map<string, { outcome: string; digest: string | null }>,
  b: typeof a,
): { same: boolean; detail: string } {
  const shared = [...a.keys()].filter((k) => b.has(k));
  const differ = shared.filter((k) => a.get(k)!.outcome !== b.get(k)!.outcome || a.get(k)!.digest !== b.get(k)!.digest);
  return {
    same: differ.length === 0 && shared.length === a.size && shared.length === b.size,
    detail: `${a.size} vs ${b.size} images, ${shared.length} in both, ${differ.length} differ`,
  };
}

function politenessLine(s: SimStats): string {
  const during =
    typeof s.requestsDuringPause === 'number'
      ? s.requestsDuringPause
      : Object.values(s.requestsDuringPause).reduce((a, b) => a + b, 0);
  return `simulator: ${s.requests.cdx} CDX + ${s.requests.capture} capture requests · 429s ${s.tooManyRequests} · requests inside a 429 pause ${during} · blocks ${s.blocks.count} · connections opened ${s.connectionsOpened} · max fetches of one capture ${s.maxCaptureFetches}${s.faultsInjected ? ` · faults ${JSON.stringify(s.faultsInjected)}` : ''}`;
}

console.log(
  `bench:rescue on ${machine()}; time scale ${scale} (simulator limits and salvage's rates and waits both scaled)`,
);

// ---- Main rehearsal ------------------------------------------------------------------------------
if (only === undefined || only === 'main') {
  const site = join(work, 'site');
  generate(site, ['--images', 'on', ...(sample ? ['--sample', sample] : [])]);
  const out = join(work, 'archive');
  rmSync(out, { recursive: true, force: true });
  const sim = await startSim(site, 'default', '1');
  const r = await archiveRun(out, sim);
  const stats = await sim.stats();
  await sim.stop();
  if (r.code !== 0) throw new Error(`salvage archive exited with ${r.code}`);
  const minimum = await minimumFetches(site);
  const floorS =
    stats.requests.cdx / ((CDX_PER_MINUTE * scale) / 60) + stats.requests.capture / (CAPTURES_PER_SECOND * scale);
  console.log(
    `salvage archive: ${(r.ms / 1000).toFixed(0)} s wall; floor implied by the rate limits for its requests ${floorS.toFixed(0)} s → ${(r.ms / 1000 / floorS).toFixed(3)}× the floor (target ≤ 1.1×)`,
  );
  console.log(
    `requests: CDX ${stats.requests.cdx} (minimum ${Math.ceil(minimum.cdxRows / CDX_ROWS_PER_REQUEST)} for ${minimum.cdxRows} rows at ${CDX_ROWS_PER_REQUEST} a block) · captures and images ${stats.requests.capture} (pages: minimum ${minimum.captures}, rank order up to the first good page, for an oracle that knows only the index; images: one im_ request each, plus the closest-capture redirect it answers with)`,
  );
  console.log(politenessLine(stats));
  const marks = [0.2, 0.4, 0.6, 0.8, 1].map(
    (f) => r.rss[Math.min(r.rss.length - 1, Math.max(0, Math.round(f * r.rss.length) - 1))],
  );
  console.log(
    `memory (RSS of salvage archive): ${marks.map((m) => (m ? `${(m.t / 1000).toFixed(0)} s: ${m.mb.toFixed(0)} MB` : '-')).join(' · ')} · peak ${Math.max(...r.rss.map((x) => x.mb)).toFixed(0)} MB`,
  );
  console.log(checkChoices(out, join(site, 'manifest.json')));
  console.log(await checkMedia(out, site));
  const compare = run(
    'node',
    [
      join(shared, 'tools/compare-archive/compare.mjs'),
      '--expected',
      articles,
      '--actual',
      out,
      '--manifest',
      join(site, 'manifest.json'),
      '--json',
      join(work, 'compare.json'),
      '--worst',
      '3',
    ],
    'compare',
  );
  console.log(
    compare.stdout
      .split('\n')
      .filter((l) => !/^time /.test(l))
      .join('\n'),
  );
  const status = run('node', [cli, 'status', out], 'status');
  console.log(status.stdout.trim());
  const rebuilt = join(work, 'rebuilt');
  rmSync(rebuilt, { recursive: true, force: true });
  const rb = run('node', [cli, 'rebuild', out, '--out', rebuilt, '--quiet'], 'rebuild');
  console.log(
    `salvage rebuild: ${rb.stdout.trim()} in ${(rb.ms / 1000).toFixed(0)} s; byte for byte: ${sameTree(articleTree(out), articleTree(rebuilt)).detail}`,
  );

  // salvage media on the existing archive (salvage import of the generator's expected files, the
  // old public archive's own Markdown): the images the rescue gave, for every image both hold.
  const imported = join(work, 'imported');
  rmSync(imported, { recursive: true, force: true });
  {
    run('node', [cli, 'import', join(site, 'expected'), '--out', imported, '--quiet'], 'import');
    const sim = await startSim(site, 'default', '4');
    const t0 = performance.now();
    const m = run(
      'node',
      [cli, 'media', imported, '--wayback', sim.url, '--time-scale', String(scale), '--quiet'],
      'media',
    );
    const importStats = await sim.stats();
    await sim.stop();
    const media = sameMedia(mediaRows(out), mediaRows(imported));
    console.log(
      `salvage media on the imported existing archive: ${m.stdout.trim()} in ${((performance.now() - t0) / 1000).toFixed(1)} s; images as the rescue gave them: ${media.detail}`,
    );
    console.log(`  ${politenessLine(importStats)}`);
    console.log(`  ${await checkMedia(imported, site)}`);
  }
}

// ---- Kill -9 and storm, on a sample ---------------------------------------------------------------
if (only === undefined || only === 'checks') {
  const site = join(work, 'check-site');
  generate(site, ['--images', 'on', '--sample', String(checkSample), '--seed', '7']);
  const reference = join(work, 'check-reference');
  rmSync(reference, { recursive: true, force: true });
  let referenceMs = 0;
  {
    const sim = await startSim(site, 'default', '2');
    const r = await archiveRun(reference, sim);
    await sim.stop();
    if (r.code !== 0) throw new Error(`reference run exited with ${r.code}`);
    referenceMs = r.ms;
    console.log(`check sample: ${checkSample} articles, uninterrupted run ${(r.ms / 1000).toFixed(1)} s`);
  }
  const refTree = articleTree(reference);
  const refMedia = mediaRows(reference);
  console.log(`  ${await checkMedia(reference, site)}`);

  // kill -9 at seeded random moments; each followed by a rerun, the last one to completion.
  const killed = join(work, 'check-killed');
  rmSync(killed, { recursive: true, force: true });
  {
    const sim = await startSim(site, 'default', '2');
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const moments: number[] = [];
    for (let i = 0; i < kills; i++) {
      // Kill i lands in the i-th of `kills` equal slices of the first 80% of an uninterrupted
      // run's time (each rerun resumes, so later slices reach later stages): discovery, page
      // fetching and writing, then the images.
      const at = 300 + ((i + random()) / kills) * 0.8 * referenceMs;
      moments.push(Math.round(at));
      const r = await archiveRun(killed, sim, at);
      if (r.code === 0) {
        console.log(`  run ${i + 1} finished before its kill at ${at.toFixed(0)} ms`);
        break;
      }
    }
    const last = await archiveRun(killed, sim);
    const stats = await sim.stats();
    await sim.stop();
    const same = sameTree(refTree, articleTree(killed));
    const media = sameMedia(refMedia, mediaRows(killed));
    const twice = Object.values(stats.captureFetches).filter((n) => n > 1).length;
    console.log(
      `kill -9 at ${moments.join(', ')} ms into successive runs, then a final run (exit ${last.code}): archive identical to the uninterrupted run: ${same.same ? 'yes' : 'NO'} (${same.detail}); images identical: ${media.same ? 'yes' : 'NO'} (${media.detail})`,
    );
    console.log(
      `  captures fetched more than once: ${twice} (the pages in flight when a kill struck: at most ${CONNECTIONS} per kill); max fetches of one capture ${stats.maxCaptureFetches}`,
    );
  }

  // The storm fault profile: 5xx, resets, slow answers, truncated CDX, lying gzip, an outage, stray 429s.
  const storm = join(work, 'check-storm');
  rmSync(storm, { recursive: true, force: true });
  {
    const sim = await startSim(site, 'storm', '3');
    const r = await archiveRun(storm, sim);
    const stats = await sim.stats();
    await sim.stop();
    const same = sameTree(refTree, articleTree(storm));
    const media = sameMedia(refMedia, mediaRows(storm));
    console.log(
      `storm: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s; archive identical to the calm run: ${same.same ? 'yes' : 'NO'} (${same.detail}); images identical: ${media.same ? 'yes' : 'NO'} (${media.detail})`,
    );
    console.log(`  ${politenessLine(stats)}`);
  }
}
