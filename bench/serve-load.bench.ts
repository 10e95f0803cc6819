/**
 * `npm run bench:serve`: the reader under load (issue 4, "Load"). Starts `salvage serve` on the
 * real archive in its own process, then from this process drives it with autocannon on loopback:
 * first a baseline (one static asset, the cheapest response the server has), then the mix —
 * article pages of random real ids, `/search/?q=` pages and `/api/search?q=` with real terms
 * (substrings of real article text, so nearly every query is distinct and misses the response
 * cache). Prints requests/s, errors and non-2xx (must be 0), p50/p99 latency (goal p99 ≤ 50 ms),
 * the server's peak RSS and the machine. Before the load, a sequential probe (one request at a
 * time) measures each kind's own service time, which the load latency is made of.
 *
 *   npm run bench:serve                                    (60 s mix + 20 s baseline)
 *   npm run bench:serve -- --dir DIR --duration 60 --connections 100 --baseline-duration 20
 *   npm run bench:serve -- --terms text                    (terms from body text, not titles)
 *   npm run bench:serve -- --workers 1                     (passed to salvage serve)
 *
 * Terms come from real titles by default (what readers search: names, places, topics); with
 * `--terms text` from body text, which includes the subscription promo that closes 84% of the
 * old archive's articles, so some terms match 40,000 articles.
 *
 * The archive defaults to .bench-out/search/archive (`npm run bench:search` imports and indexes
 * the existing archive there); it is only read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import autocannon, { type Result } from 'autocannon';
import { STYLESHEET } from '../src/reader/index.js';
import { benchArgs, machine, prng, randomTerm, startSalvageServe, termTexts } from './shared.js';

const { arg } = benchArgs();
const root = resolve(import.meta.dirname, '..');
const dir = resolve(arg('--dir') ?? join(root, '.bench-out/search/archive'));
/** Issue 4 acceptance: 60 s at 100 concurrent connections. */
const DURATION_S = Number(arg('--duration') ?? 60);
const CONNECTIONS = Number(arg('--connections') ?? 100);
const BASELINE_S = Number(arg('--baseline-duration') ?? 20);
const TERM_SOURCE = arg('--terms') ?? 'titles';
if (TERM_SOURCE !== 'titles' && TERM_SOURCE !== 'text') throw new Error('--terms must be titles or text');
/** `salvage serve --workers` (default: the server's own default). */
const WORKERS = arg('--workers');
/** Requests of each kind in the sequential probe. */
const PROBE_REQUESTS = 100;
/** The goal for p99 latency (issue 4). */
const P99_GOAL_MS = 50;
/** Share of each request kind in the mix (the rest: article pages). */
const SEARCH_PAGE_SHARE = 0.2;
const API_SEARCH_SHARE = 0.2;
/** Articles whose text the search terms are drawn from. */
const TERM_SOURCE_ARTICLES = 3000;

if (!existsSync(join(dir, 'search.sqlite'))) {
  console.log(`bench:serve skipped: ${dir} has no search index (run npm run bench:search first, or pass --dir)`);
  process.exit(0);
}

// What to ask: every id in the index, and texts to draw terms from.
const { ids, texts } = termTexts(dir, TERM_SOURCE, TERM_SOURCE_ARTICLES);

type Kind = 'article' | 'searchPage' | 'apiSearch';
const kinds: Record<Kind, number> = { article: 0, searchPage: 0, apiSearch: 0 };
const distinct = new Set<string>();

function pathOf(kind: Kind, rand: () => number): string {
  if (kind === 'searchPage') return `/search/?q=${encodeURIComponent(randomTerm(texts, rand))}`;
  if (kind === 'apiSearch') return `/api/search?q=${encodeURIComponent(randomTerm(texts, rand))}&limit=20`;
  return `/article/${ids[Math.floor(rand() * ids.length)]}/`;
}

const rand = prng(42);
function nextPath(): string {
  const r = rand();
  const kind: Kind =
    r < SEARCH_PAGE_SHARE ? 'searchPage' : r < SEARCH_PAGE_SHARE + API_SEARCH_SHARE ? 'apiSearch' : 'article';
  kinds[kind]++;
  const path = pathOf(kind, rand);
  distinct.add(path);
  return path;
}

/** One request at a time per kind (own PRNG, so the load's paths are unchanged): service times. */
async function probe(url: string): Promise<void> {
  const probeRand = prng(7);
  for (const kind of ['article', 'searchPage', 'apiSearch'] as const) {
    const ms: number[] = [];
    let slowest = { ms: 0, path: '' };
    for (let i = 0; i < PROBE_REQUESTS; i++) {
      const path = pathOf(kind, probeRand);
      const t0 = performance.now();
      const response = await fetch(url + path);
      await response.arrayBuffer();
      const took = performance.now() - t0;
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      ms.push(took);
      if (took > slowest.ms) slowest = { ms: took, path };
    }
    ms.sort((a, b) => a - b);
    const at = (q: number): string => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1); // index < length
    console.log(
      `probe ${kind.padEnd(10)} ${PROBE_REQUESTS} sequential: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms; slowest ${decodeURIComponent(slowest.path)}`,
    );
  }
}

/** `pid` and its descendants (the server may fork workers), from /proc. */
function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
        if (child !== '') out.push(...processTree(Number(child)));
      }
    }
  } catch {
    // exited, or no /proc
  }
  return out;
}

/** Sum of the peak RSS of the server's processes (an upper bound of their peak together), and their number. */
function peakRss(pid: number | undefined): { mb: number; processes: number } {
  if (pid === undefined) return { mb: NaN, processes: 0 };
  let kb = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      kb += Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? NaN);
    } catch {
      kb = NaN;
    }
  }
  return { mb: kb / 1024, processes: pids.length };
}

function run(url: string, seconds: number, requests: autocannon.Request[]): Promise<Result> {
  return new Promise((ok, fail) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, requests }, (error, result) =>
      error ? fail(error) : ok(result),
    );
  });
}

function report(name: string, r: Result): { rps: number; p99: number; bad: number } {
  const bad = r.errors + r.timeouts + r.non2xx;
  console.log(
    `${name.padEnd(9)} ${r.requests.total} requests in ${r.duration.toFixed(1)} s: ${r.requests.average.toFixed(0)} req/s; ` +
      `latency p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
      `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`,
  );
  return { rps: r.requests.average, p99: r.latency.p99, bad };
}

/** The 1-minute load average: other work on the machine shares its cores with both processes here. */
const load = (): string => loadavg()[0]!.toFixed(1); // loadavg() has three entries

console.log(`bench:serve on ${machine()}; load average ${load()} before the run`);
console.log(
  `archive ${dir}: ${ids.length} articles; terms from ${TERM_SOURCE}; ${CONNECTIONS} connections on loopback; server in its own process`,
);
const { proc, url } = await startSalvageServe(dir, WORKERS === undefined ? [] : ['--workers', WORKERS]);
let failed = false;
try {
  // Warm up: the first request opens statements and pages in the index.
  await fetch(`${url}/`).then((r) => r.arrayBuffer());
  await probe(url);
  const baseline = report('baseline', await run(url, BASELINE_S, [{ method: 'GET', path: STYLESHEET.path }]));
  const mix = report(
    'mix',
    await run(url, DURATION_S, [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath() }) }]),
  );
  const total = kinds.article + kinds.searchPage + kinds.apiSearch;
  console.log(
    `mix: ${kinds.article} article pages, ${kinds.searchPage} search pages, ${kinds.apiSearch} API searches ` +
      `(${((100 * distinct.size) / Math.max(1, total)).toFixed(0)}% distinct URLs); mix/baseline throughput ${(mix.rps / baseline.rps).toFixed(3)}`,
  );
  const rss = peakRss(proc.pid);
  console.log(
    `server peak RSS ${rss.mb.toFixed(0)} MB (${rss.processes} process${rss.processes === 1 ? '' : 'es'}); load average ${load()} at the end`,
  );
  console.log(`p99 ${mix.p99} ms: ${mix.p99 <= P99_GOAL_MS ? 'meets' : 'MISSES'} the goal of ≤ ${P99_GOAL_MS} ms`);
  if (mix.bad > 0 || baseline.bad > 0) {
    console.log('FAILED: errors, timeouts or non-2xx responses');
    failed = true;
  }
} finally {
  proc.kill('SIGTERM');
}
process.exitCode = failed ? 1 : 0;
