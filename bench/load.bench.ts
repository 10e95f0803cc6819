/**
 * `npm run bench:load`: the reader at a fixed offered rate (issue 17). An open-loop load: request
 * i is sent at start + i / rate whether or not earlier ones have been answered, and its latency
 * counts from that planned moment to the last byte of its answer. A closed loop (bench:serve,
 * autocannon's N connections) only sends when an answer comes back, so a slow server is asked
 * less and its latency is throughput in disguise (Little's law); here a stall shows as latency.
 *
 * The mix is what readers ask: 70% article pages, 15% browse pages (home, years, months, days,
 * on-this-day, category/tag/author pages and their lists), 10% searches (half `/search/`, half
 * `/api/search`, terms cut from real titles), 5% assets, every request with a browser's
 * `Accept-Encoding`. Addresses are drawn from every page the reader has (`Reader.pagePaths`).
 *
 * Steps: `salvage render DIR` (resumable; its time is printed, 0 pages when done before), then
 * `salvage serve DIR` in its own process(es), a warm-up, the main run (`--rate`, `--duration`),
 * and a search for the highest rate whose p99 stays ≤ 50 ms with no errors (`--steps`, each
 * `--step-duration` seconds, stopping at the first that fails).
 *
 *   npm run bench:load
 *   npm run bench:load -- --rate 1000 --duration 60 --steps 1500,2000,3000,4000 --step-duration 15
 *   npm run bench:load -- --dir DIR --workers 2 --no-render
 *   npm run bench:load -- --steps none              (the main run only)
 *
 * The archive defaults to .bench-out/search/archive (`npm run bench:search` imports and indexes
 * the existing archive there). The load generator shares the machine with the server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { createReader } from '../src/reader/index.js';
import { benchArgs, machine, prng, randomTerm, startSalvageServe, termTexts } from './shared.js';

const { args, arg } = benchArgs();
const root = resolve(import.meta.dirname, '..');
const dir = resolve(arg('--dir') ?? join(root, '.bench-out/search/archive'));
const RATE = Number(arg('--rate') ?? 1000);
const DURATION_S = Number(arg('--duration') ?? 60);
// `--steps none`: the main run only (bench:scale).
const STEPS =
  arg('--steps') === 'none' ? [] : (arg('--steps') ?? '1500,2000,2500,3000,4000,5000').split(',').map(Number);
const STEP_S = Number(arg('--step-duration') ?? 15);
const WORKERS = arg('--workers');
const RENDER = !args.includes('--no-render');
/** Issue 17: p99 at most this, with no errors. */
const P99_GOAL_MS = 50;
/** An answer slower than this is an error (and its socket is dropped). */
const TIMEOUT_MS = 10_000;
/** What a browser sends. */
const ACCEPT_ENCODING = 'gzip, deflate, br';
/** Warm-up requests before measuring (statements, the index's pages in the OS cache). */
const WARMUP_REQUESTS = 2000;
/** Titles the search terms are cut from. */
const TERM_SOURCE_ARTICLES = 3000;

if (![RATE, DURATION_S, STEP_S, ...STEPS].every((n) => Number.isFinite(n) && n > 0))
  throw new Error('--rate, --duration, --steps and --step-duration take positive numbers');
if (!existsSync(join(dir, 'search.sqlite'))) {
  console.log(`bench:load skipped: ${dir} has no search index (run npm run bench:search first, or pass --dir)`);
  process.exit(0);
}

type Kind = 'article' | 'browse' | 'search' | 'asset';
const SHARES: readonly [Kind, number][] = [
  ['article', 0.7],
  ['browse', 0.15],
  ['search', 0.1],
  ['asset', 0.05],
];

// Every address the reader has, by kind; terms from real titles.
const paths: Record<Kind, string[]> = { article: [], browse: [], search: [], asset: [] };
{
  const reader = createReader({ dir, pageStore: false, cacheBytes: 0 });
  for (const p of reader.pagePaths()) {
    // Article pages, not their TimeMaps (one per article: they would be half of the article share).
    if (p.startsWith('/article/')) {
      if (p.endsWith('/')) paths.article.push(p);
    } else if (p.startsWith('/assets/')) paths.asset.push(p);
    // Browse pages, not feeds (one per tag: they would be most of the browse share).
    else if (p.endsWith('/') && !p.startsWith('/search/') && !p.startsWith('/lookup/') && p !== '/on-this-day/')
      paths.browse.push(p);
  }
  reader.close();
  const { texts } = termTexts(dir, 'titles', TERM_SOURCE_ARTICLES);
  const rand = prng(5);
  for (let i = 0; i < 20_000; i++) {
    const q = encodeURIComponent(randomTerm(texts, rand));
    paths.search.push(i % 2 === 0 ? `/search/?q=${q}` : `/api/search?q=${q}&limit=20`);
  }
}
for (const [kind, list] of Object.entries(paths))
  if (list.length === 0) throw new Error(`the archive at ${dir} has no ${kind} addresses`);

function nextRequest(rand: () => number): { kind: Kind; path: string } {
  let r = rand();
  let kind: Kind = 'article';
  for (const [k, share] of SHARES) {
    if (r < share) {
      kind = k;
      break;
    }
    r -= share;
  }
  const list = paths[kind];
  return { kind, path: list[Math.floor(rand() * list.length)]! }; // index < length
}

interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}

/**
 * Offer `rate` requests a second for `seconds`, open loop. Each request's latency counts from its
 * planned send time, so time spent waiting for a socket or for this process's timer counts too.
 */
async function openLoop(origin: string, rate: number, seconds: number, seed: number): Promise<Sample[]> {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const rand = prng(seed);
  const total = Math.round(rate * seconds);
  const samples: Sample[] = [];
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((done) => {
    let finished = 0;
    const finish = (s: Sample): void => {
      samples.push(s);
      if (++finished === total) done();
    };
    const send = (planned: number): void => {
      const { kind, path } = nextRequest(rand);
      let settled = false;
      const end = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        finish({ kind, ms: performance.now() - planned, ok });
      };
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path,
          agent,
          headers: { 'Accept-Encoding': ACCEPT_ENCODING },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => end(res.statusCode === 200));
          res.on('error', () => end(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => end(false));
      req.end();
    };
    // A 1 ms tick sends every request whose planned time has come.
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) send(start + (sent++ * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  return samples;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!; // in range
}

function summarize(name: string, rate: number, samples: readonly Sample[]): { p99: number; errors: number } {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const errors = samples.filter((s) => !s.ok).length;
  const kinds = SHARES.map(([kind]) => {
    const k = samples
      .filter((s) => s.kind === kind)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    return `${kind} ${k.length} p99 ${quantile(k, 0.99).toFixed(1)}`;
  }).join(' · ');
  const p99 = quantile(ms, 0.99);
  console.log(
    `${name}: ${rate} req/s offered, ${samples.length} requests: latency p50 ${quantile(ms, 0.5).toFixed(1)} ms, ` +
      `p99 ${p99.toFixed(1)} ms, max ${(ms.at(-1) ?? NaN).toFixed(1)} ms; errors ${errors} (${kinds})`,
  );
  return { p99, errors };
}

const load = (): string => loadavg()[0]!.toFixed(1); // loadavg() has three entries
console.log(`bench:load on ${machine()}; load average ${load()} before the run`);
console.log(
  `archive ${dir}: ${paths.article.length} article pages, ${paths.browse.length} browse pages, ${paths.search.length} search addresses, ${paths.asset.length} assets`,
);
if (RENDER) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'render', dir, '--quiet'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`salvage render exited with ${r.status}`);
  console.log(`salvage render: ${r.stdout.trim()} (${((performance.now() - t0) / 1000).toFixed(1)} s with start-up)`);
}
const { proc, url } = await startSalvageServe(dir, WORKERS === undefined ? [] : ['--workers', WORKERS]);
let failed = false;
try {
  await openLoop(url, 500, WARMUP_REQUESTS / 500, 1);
  const main = summarize('main', RATE, await openLoop(url, RATE, DURATION_S, 42));
  const goal = main.p99 <= P99_GOAL_MS && main.errors === 0;
  console.log(
    `main run: p99 ${main.p99.toFixed(1)} ms, ${main.errors} errors: ${goal ? 'meets' : 'MISSES'} the goal (p99 ≤ ${P99_GOAL_MS} ms, 0 errors)`,
  );
  if (main.errors > 0) failed = true;
  let best = goal ? RATE : 0;
  for (const [i, rate] of STEPS.entries()) {
    if (rate <= best) continue;
    const step = summarize(`step ${i + 1}`, rate, await openLoop(url, rate, STEP_S, 100 + i));
    if (step.p99 > P99_GOAL_MS || step.errors > 0) break;
    best = rate;
  }
  console.log(
    `highest rate tried with p99 ≤ ${P99_GOAL_MS} ms and 0 errors: ${best > 0 ? `${best} req/s` : 'none'}; load average ${load()} at the end`,
  );
} finally {
  proc.kill('SIGTERM');
}
process.exitCode = failed ? 1 : 0;
