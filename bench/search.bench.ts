/**
 * `npm run bench:search`: the search part of issue 4 on real data. Imports the existing archive's
 * 49,118 files (`salvage import`), builds the index (`salvage index`, timed, peak RSS sampled),
 * then runs 200 deterministic queries drawn from the corpus — 1, 2 and 3+ characters, phrases,
 * Simplified-script queries, English, exclusions, filters — timing each (p50/p95) and checking
 * its total against a brute-force substring scan of the same folded text (recall and precision).
 *
 *   npm run bench:search              (~3 min here)
 *   npm run bench:search -- --reuse   keep the imported folder and its index
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { search, SearchIndex } from '../src/search/index.js';
import { benchQueries, bruteForce, loadCorpus } from './search-queries.js';
import { benchArgs, machine, sharedOrSkip, runTimed } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:search');
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/search'));
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build');
const archive = join(work, 'archive');

/** Run the CLI, sampling its RSS; returns wall time and peak RSS. */
const timed = (argv: string[]): ReturnType<typeof runTimed> => runTimed([cli, ...argv]);

console.log(`bench:search on ${machine()}`);
if (!(args.includes('--reuse') && existsSync(join(archive, 'search.sqlite')))) {
  rmSync(work, { recursive: true, force: true });
  const imp = await timed(['import', articles, '--out', archive, '--quiet']);
  console.log(`import: ${imp.stdout.trim()} in ${(imp.ms / 1000).toFixed(1)} s, peak RSS ${imp.peakMb.toFixed(0)} MB`);
  const idx = await timed(['index', archive, '--quiet']);
  console.log(
    `index build: ${idx.stdout.trim()}; wall ${(idx.ms / 1000).toFixed(1)} s, peak RSS ${idx.peakMb.toFixed(0)} MB (goal ≤ 60 s, ≤ 500 MB); index file ${(statSync(join(archive, 'search.sqlite')).size / 1e6).toFixed(0)} MB`,
  );
  const again = await timed(['index', archive, '--quiet']);
  console.log(`re-index with nothing changed: ${(again.ms / 1000).toFixed(1)} s`);
} else console.log(`reusing ${archive} (--reuse)`);

const docs = await loadCorpus(articles);
const queries = benchQueries(docs);

const index = SearchIndex.openDir(archive);
const latencies: number[] = [];
const byKind = new Map<string, { n: number; ok: number; ms: number[] }>();
const misses: string[] = [];
for (const { kind, options } of queries) {
  search(index, { ...options, limit: 20 }); // warm the page cache for this query's rows
  const t0 = performance.now();
  const r = search(index, { ...options, limit: 20 });
  const ms = performance.now() - t0;
  latencies.push(ms);
  const truth = bruteForce(docs, options).length;
  const k = byKind.get(kind) ?? byKind.set(kind, { n: 0, ok: 0, ms: [] }).get(kind)!;
  k.n++;
  k.ms.push(ms);
  if (r.total === truth) k.ok++;
  else if (misses.length < 10) misses.push(`${JSON.stringify(options)}: index ${r.total}, brute force ${truth}`);
}
index.close();
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
console.log(
  `queries: ${queries.length}; latency p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (goal p95 ≤ 20 ms; first page of 20 with snippets, totals exact)`,
);
for (const [kind, k] of byKind)
  console.log(
    `  ${kind.padEnd(10)} ${k.ok}/${k.n} totals equal to brute force · p50 ${pct(k.ms, 0.5).toFixed(1)} ms · p95 ${pct(k.ms, 0.95).toFixed(1)} ms`,
  );
const ok = [...byKind.values()].reduce((a, k) => a + k.ok, 0);
console.log(
  `recall and precision: ${ok}/${queries.length} queries return exactly the brute-force set size${misses.length ? `; differing: ${misses.join(' | ')}` : ''}`,
);
