/**
 * `npm run bench:export`: the static export and the data dumps of issue 4 on the real archive.
 * Runs `salvage export-site` on the indexed 49k-article archive (wall time, peak RSS, size of the
 * site and of its search index), then the bench:search queries with the shipped client bundle
 * (`SITE/assets/static-search.js`, loaded in Node over the written files) against the server's
 * `search()`: the same total, the same ids (all of them against the brute-force scan; the first
 * `--max-ids` in date order against the server's pages), the same first page with its facets, and the
 * bytes each query loads from a cold start (p50/p95). The same for `export-site --compact` (issue
 * 17: at most 20,000 files). Then `salvage export` as jsonl.gz and sqlite.
 *
 *   npm run bench:export                       (archive: .bench-out/search/archive, from bench:search)
 *   npm run bench:export -- --dir DIR --reuse  (DIR indexed; --reuse keeps an existing SITE)
 *   --max-ids N                                (ids compared in date order with the server's pages; default 1000)
 *   --no-compact                               (skip the compact export, `export-site --compact`, and its checks)
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { search, SearchIndex } from '../src/search/index.js';
import { fileLoader, type StaticSearchIndex } from '../src/export/index.js';
import { benchQueries, bruteForce, loadCorpus } from './search-queries.js';
import { benchArgs, machine, sharedOrSkip, runTimed } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:export');
const root = resolve(import.meta.dirname, '..');
const dir = resolve(arg('--dir') ?? join(root, '.bench-out/search/archive'));
const out = resolve(arg('--out') ?? join(root, '.bench-out/export'));
const maxIds = Number(arg('--max-ids') ?? 1000);
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');
if (!existsSync(join(dir, 'search.sqlite')))
  throw new Error(`${dir} has no search index: run npm run bench:search first, or pass --dir`);

/** Run the CLI (from source, via tsx), sampling its peak RSS. */
const timed = (argv: string[]): ReturnType<typeof runTimed> =>
  runTimed(['--import', 'tsx', join(root, 'src/cli/main.ts'), ...argv]);

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

console.log(`bench:export on ${machine()}`);
console.log(`archive: ${dir}`);

interface SiteReport {
  pages: number;
  files: number;
  bytes: number;
  clientBytes: number;
  index: { files: number; bytes: number; tokens: number; parts: Record<string, number> };
  compact?: {
    dataFiles: number;
    dataBytes: number;
    pagesInData: number;
    feedsLeftOut: number;
    timeMapsLeftOut: number;
  };
  seconds: { pages: number; index: number };
}

/** Export the site (default or compact), then run every query with the shipped bundle against the server. */
async function exportAndCheck(variant: 'default' | 'compact'): Promise<void> {
  const site = join(out, variant === 'default' ? 'site' : 'site-compact');
  const extra = variant === 'compact' ? ['--compact'] : [];
  if (!(args.includes('--reuse') && existsSync(join(site, '.salvage-site.json')))) {
    // A fresh export is timed: replacing an earlier one adds the time to delete its files.
    rmSync(site, { recursive: true, force: true });
    const r = await timed(['export-site', dir, '--out', site, ...extra, '--json', '--quiet']);
    const report = JSON.parse(r.stdout) as SiteReport;
    console.log(
      `export-site${variant === 'compact' ? ' --compact' : ''}: ${report.pages} pages, ${report.files} files, ${mib(report.bytes)} (${report.bytes} bytes) in ${(r.ms / 1000).toFixed(1)} s (search index ${report.seconds.index.toFixed(0)} s, pages ${report.seconds.pages.toFixed(0)} s), peak RSS ${r.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  search index: ${mib(report.index.bytes)} in ${report.index.files} files, ${report.index.tokens} tokens; ${Object.entries(
        report.index.parts,
      )
        .map(([k, v]) => `${k} ${mib(v)}`)
        .join(', ')}; client script ${(report.clientBytes / 1024).toFixed(1)} KiB`,
    );
    if (report.compact !== undefined)
      console.log(
        `  page data: ${report.compact.pagesInData} pages in ${report.compact.dataFiles} files, ${mib(report.compact.dataBytes)}; ${report.compact.feedsLeftOut} tag feeds and ${report.compact.timeMapsLeftOut} TimeMaps left out`,
      );
  } else console.log(`reusing ${site} (--reuse)`);

  const bundle = (await import(pathToFileURL(join(site, 'assets/static-search.js')).href)) as {
    StaticSearchIndex: typeof StaticSearchIndex;
  };
  const index = SearchIndex.openDir(dir, { readonly: true });
  let agree = 0;
  const bytes: number[] = [];
  const files: number[] = [];
  const ms: number[] = [];
  const failures: string[] = [];
  const checks = { text: 0, positions: 0 };
  for (const { kind, options } of queries) {
    // The query as a reader runs it (default sort: relevance; 20 results), from a cold start.
    const loader = fileLoader(join(site, 'search-index'));
    const t0 = performance.now();
    const client = await bundle.StaticSearchIndex.open(loader);
    // As the search page asks: with the per-year and per-category counts.
    const page = await client.search({ ...options, facets: true });
    ms.push(performance.now() - t0);
    bytes.push(loader.bytes);
    files.push(loader.files);
    checks.text += client.checks.text;
    checks.positions += client.checks.positions;

    const problems: string[] = [];
    const serverPage = search(index, { ...options, facets: true });
    if (JSON.stringify(page) !== JSON.stringify(serverPage)) problems.push('first page differs');
    for (const sort of ['relevance', 'date'] as const) {
      const ids = await client.matchIds({ ...options, sort });
      const serverIds: number[] = [];
      for (let offset = 0; offset < Math.min(serverPage.total, maxIds); offset += 500) {
        serverIds.push(...search(index, { ...options, sort, limit: 500, offset }).results.map((r) => r.id));
      }
      if (serverPage.total !== ids.length) problems.push(`total ${ids.length} ≠ server ${serverPage.total}`);
      if (JSON.stringify(ids.slice(0, serverIds.length)) !== JSON.stringify(serverIds))
        problems.push(`${sort} order differs within the first ${serverIds.length}`);
      if (sort === 'date') {
        const truth = bruteForce(docs, options);
        const mine = [...ids].sort((x, y) => x - y);
        if (JSON.stringify(mine) !== JSON.stringify(truth))
          problems.push(`id set ≠ brute force (${mine.length} vs ${truth.length})`);
      }
    }
    if (problems.length === 0) agree++;
    else failures.push(`${kind} ${JSON.stringify(options)}: ${problems.join('; ')}`);
    if (bytes.length % 20 === 0) process.stderr.write(`  ${bytes.length}/${queries.length} queries, ${agree} agree\n`);
  }
  index.close();

  console.log(
    `  client search (shipped bundle in Node, cold start per query): agreement ${agree}/${queries.length} (total; all ids vs brute force; first page with facets and first ${maxIds} ids in relevance and in date order vs server)`,
  );
  for (const f of failures.slice(0, 10)) console.log(`  ✗ ${f}`);
  console.log(
    `  bytes loaded per query: p50 ${(pct(bytes, 0.5) / 1024).toFixed(0)} KiB, p95 ${(pct(bytes, 0.95) / 1024).toFixed(0)} KiB, max ${(Math.max(...bytes) / 1024).toFixed(0)} KiB; files p50 ${pct(files, 0.5)}, p95 ${pct(files, 0.95)}`,
  );
  console.log(
    `  time per query (Node, from disk, 20 results): p50 ${pct(ms, 0.5).toFixed(0)} ms, p95 ${pct(ms, 0.95).toFixed(0)} ms; 3+-character terms decided by positions ${checks.positions}, by candidate text ${checks.text}`,
  );
}

const docs = await loadCorpus(articles);
const queries = benchQueries(docs);
await exportAndCheck('default');
if (!args.includes('--no-compact')) await exportAndCheck('compact');

for (const [format, file] of [
  ['jsonl', 'hkcnews.jsonl.gz'],
  ['sqlite', 'hkcnews.sqlite'],
] as const) {
  const target = join(out, file);
  const r = await timed(['export', dir, '--format', format, '--out', target, '--quiet']);
  console.log(
    `export --format ${format}: ${mib(statSync(target).size)} (manifest ${mib(statSync(`${target}.manifest.json`).size)}) in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB`,
  );
}
