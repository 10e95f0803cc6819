/**
 * `npm run bench:search`: the search part of issue 4 on real data. Imports the existing archive's
 * 49,118 files (`salvage import`), builds the index (`salvage index`, timed, peak RSS sampled),
 * then runs 333 deterministic queries drawn from the corpus (search-queries.ts), timing each
 * (p50/p95/max) and judging it against a literal scan of the published text with the variant
 * table only (fold.ts): Traditional queries must return exactly its articles (precision and
 * recall); a Simplified query must find its Traditional twin's articles (≥ 99%, ≤ 5% extra); a
 * title fragment must bring its article into the top 3.
 *
 *   npm run bench:search              (~3 min here)
 *   npm run bench:search -- --reuse   keep the imported folder and its index
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { search, SearchIndex, type SearchOptions } from '../src/search/index.js';
import { benchQueries, literalScan, loadCorpus } from './search-queries.js';
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

/** Ids the index returns for a query, all of them up to `cap` (pages of 500). */
const MAX_COMPARED_IDS = 5000;
function indexIds(index: SearchIndex, options: SearchOptions): { ids: number[]; total: number } {
  const first = search(index, { ...options, sort: 'date', limit: 500 });
  const ids = first.results.map((r) => r.id);
  for (let offset = 500; offset < Math.min(first.total, MAX_COMPARED_IDS); offset += 500)
    ids.push(...search(index, { ...options, sort: 'date', limit: 500, offset }).results.map((r) => r.id));
  return { ids, total: first.total };
}

interface KindStats {
  n: number;
  ms: number[];
  exact: number;
  /** Summed over queries: ids returned, ids in the truth, ids in both. */
  got: number;
  truth: number;
  both: number;
  /** Simplified kinds: queries finding ≥ 99% of the twin's hits, and with ≤ 5% extra. */
  found99: number;
  extra5: number;
  /** Known items: in the top 3. */
  top3: number;
}
const index = SearchIndex.openDir(archive);
const latencies: number[] = [];
const byKind = new Map<string, KindStats>();
const misses: string[] = [];
for (const { kind, options, twin, known } of queries) {
  search(index, { ...options, limit: 20 }); // warm the page cache for this query's rows
  const t0 = performance.now();
  search(index, { ...options, limit: 20 });
  const ms = performance.now() - t0;
  latencies.push(ms);
  const k =
    byKind.get(kind) ??
    byKind.set(kind, { n: 0, ms: [], exact: 0, got: 0, truth: 0, both: 0, found99: 0, extra5: 0, top3: 0 }).get(kind)!;
  k.n++;
  k.ms.push(ms);
  if (known !== undefined) {
    // As the reader shows them: one result per revision group; the article or its group counts.
    const top = search(index, { ...options, limit: 3, group: true }).results;
    if (top.some((x) => x.id === known || x.versions?.includes(known) === true)) k.top3++;
    else if (misses.length < 12) misses.push(`${kind} ${JSON.stringify(options.q)}: article ${known} not in the top 3`);
    continue;
  }
  const truth = literalScan(docs, twin === undefined ? options : { ...options, q: twin });
  const truthSet = new Set(truth);
  const { ids, total } = indexIds(index, options);
  const both = ids.filter((id) => truthSet.has(id)).length;
  // Past MAX_COMPARED_IDS the rest is judged by the total.
  const gotN = total;
  const bothN = ids.length < total ? both + (total - ids.length) * (both / Math.max(1, ids.length)) : both;
  k.got += gotN;
  k.truth += truth.length;
  k.both += bothN;
  if (twin !== undefined) {
    const found = truth.length === 0 ? 1 : bothN / truth.length;
    const extra = truth.length === 0 ? (gotN > 0 ? 1 : 0) : (gotN - bothN) / truth.length;
    if (found >= 0.99) k.found99++;
    if (extra <= 0.05) k.extra5++;
    if ((found < 0.99 || extra > 0.05) && misses.length < 12)
      misses.push(
        `${kind} ${options.q} (twin ${twin}): found ${(found * 100).toFixed(1)}%, extra ${(extra * 100).toFixed(1)}%`,
      );
  } else if (total === truth.length && both === ids.length) k.exact++;
  else if (misses.length < 12)
    misses.push(
      `${kind} ${JSON.stringify(options)}: index ${total} (${ids.length - both} not in the scan), literal scan ${truth.length}`,
    );
}
index.close();
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const percent = (a: number, b: number): string => (b === 0 ? '100.00' : ((100 * a) / b).toFixed(2));
console.log(
  `queries: ${queries.length}; latency p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (goal p95 ≤ 20 ms, max ≤ 100 ms; first page of 20 with snippets, totals exact)`,
);
let literalExact = 0;
let literalN = 0;
for (const [kind, k] of byKind) {
  const time = `p50 ${pct(k.ms, 0.5).toFixed(1)} ms · p95 ${pct(k.ms, 0.95).toFixed(1)} ms`;
  if (kind === 'known item') console.log(`  ${kind.padEnd(20)} ${k.top3}/${k.n} in the top 3 (goal ≥ 95%) · ${time}`);
  else if (kind.startsWith('simplified'))
    console.log(
      `  ${kind.padEnd(20)} ${k.found99}/${k.n} find ≥ 99% of their Traditional twin's hits, ${k.extra5}/${k.n} with ≤ 5% extra (overall found ${percent(k.both, k.truth)}%, extra ${percent(k.got - k.both, k.truth)}%) · ${time}`,
    );
  else {
    literalExact += k.exact;
    literalN += k.n;
    console.log(
      `  ${kind.padEnd(20)} ${k.exact}/${k.n} equal to the literal scan · precision ${percent(k.both, k.got)}% · recall ${percent(k.both, k.truth)}% · ${time}`,
    );
  }
}
console.log(
  `literal queries: ${literalExact}/${literalN} return exactly the literal scan's articles${misses.length ? `\n  ${misses.join('\n  ')}` : ''}`,
);
