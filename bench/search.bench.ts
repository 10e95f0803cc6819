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
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseArchiveFile } from '../src/markdown/index.js';
import { fold, search, SearchIndex, type SearchOptions } from '../src/search/index.js';
import { benchArgs, machine, sharedOrSkip } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:search');
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/search'));
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build');
const archive = join(work, 'archive');

/** Run the CLI, sampling its RSS; returns wall time and peak RSS. */
async function timed(argv: string[]): Promise<{ ms: number; peakMb: number; stdout: string }> {
  const t0 = performance.now();
  const proc = spawn('node', [cli, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  proc.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch { /* exited */ }
  }, 200);
  const code = await new Promise<number | null>((ok) => proc.once('exit', ok));
  clearInterval(timer);
  if (code !== 0) throw new Error(`salvage ${argv[0]} exited with ${code}`);
  return { ms: performance.now() - t0, peakMb: peak, stdout };
}

console.log(`bench:search on ${machine()}`);
if (!(args.includes('--reuse') && existsSync(join(archive, 'search.sqlite')))) {
  rmSync(work, { recursive: true, force: true });
  const imp = await timed(['import', articles, '--out', archive, '--quiet']);
  console.log(`import: ${imp.stdout.trim()} in ${(imp.ms / 1000).toFixed(1)} s, peak RSS ${imp.peakMb.toFixed(0)} MB`);
  const idx = await timed(['index', archive, '--quiet']);
  console.log(`index build: ${idx.stdout.trim()}; wall ${(idx.ms / 1000).toFixed(1)} s, peak RSS ${idx.peakMb.toFixed(0)} MB (goal ≤ 60 s, ≤ 500 MB)`);
  const again = await timed(['index', archive, '--quiet']);
  console.log(`re-index with nothing changed: ${(again.ms / 1000).toFixed(1)} s`);
} else console.log(`reusing ${archive} (--reuse)`);

// The corpus as the index saw it, folded, for the brute-force scan.
interface Doc { id: number; date: string; category: string; author: string; tags: string[]; folded: string; text: string }
const docs: Doc[] = [];
for await (const line of createInterface({ input: createReadStream(articles).pipe(createGunzip()) })) {
  const { id, raw } = JSON.parse(line) as { id: number; raw: string };
  const f = parseArchiveFile(raw);
  docs.push({ id, date: f.date ?? '', category: f.category ?? '', author: f.author ?? '', tags: f.tags, folded: `${fold(f.title)}\n${fold(f.text)}`, text: f.text });
}

// 200 queries drawn deterministically from the corpus.
let seed = 20261126;
const random = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
function cjkSlice(len: number): string {
  for (;;) {
    const d = pick(docs);
    if (d.text.length < len + 10) continue;
    const at = Math.floor(random() * (d.text.length - len));
    const s = d.text.slice(at, at + len);
    if ([...s].every((c) => CJK.test(c))) return s;
  }
}
function latinWord(): string {
  for (;;) {
    const m = pick(docs).text.match(/[A-Za-z]{4,12}/g);
    if (m) return pick(m);
  }
}
const simplify = (s: string): string => fold(s);
const categories = [...new Set(docs.map((d) => d.category).filter(Boolean))];
const queries: { kind: string; options: SearchOptions }[] = [];
const add = (kind: string, n: number, make: () => SearchOptions): void => { for (let i = 0; i < n; i++) queries.push({ kind, options: make() }); };
add('1 char', 30, () => ({ q: cjkSlice(1) }));
add('2 chars', 40, () => ({ q: cjkSlice(2) }));
add('3-6 chars', 40, () => ({ q: cjkSlice(3 + Math.floor(random() * 4)) }));
add('phrase', 15, () => ({ q: `"${cjkSlice(4 + Math.floor(random() * 4))}"` }));
add('simplified', 25, () => ({ q: simplify(cjkSlice(2 + Math.floor(random() * 3))) }));
add('english', 15, () => ({ q: latinWord() }));
add('two terms', 15, () => ({ q: `${cjkSlice(2)} ${cjkSlice(2)}` }));
add('exclusion', 10, () => ({ q: `${cjkSlice(2)} -${cjkSlice(1)}` }));
add('filters', 10, () => ({ q: cjkSlice(2), category: pick(categories), from: '2019-01-01', to: '2020-12-31' }));

/** The brute-force answer: every doc whose folded text contains each term and none of the excluded. */
function bruteForce(o: SearchOptions): number {
  const tokens = (o.q ?? '').match(/"[^"]*"|\S+/g) ?? [];
  const terms = tokens.filter((t) => !t.startsWith('-')).map((t) => fold(t.replace(/"/g, '')));
  const excluded = tokens.filter((t) => t.startsWith('-') && t.length > 1).map((t) => fold(t.slice(1).replace(/"/g, '')));
  let n = 0;
  for (const d of docs) {
    if (o.category && d.category !== o.category) continue;
    if (o.from && d.date < o.from) continue;
    if (o.to && (d.date === '' || d.date > o.to)) continue;
    if (terms.every((t) => d.folded.includes(t)) && !excluded.some((t) => d.folded.includes(t))) n++;
  }
  return n;
}

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
  const truth = bruteForce(options);
  const k = byKind.get(kind) ?? byKind.set(kind, { n: 0, ok: 0, ms: [] }).get(kind)!;
  k.n++;
  k.ms.push(ms);
  if (r.total === truth) k.ok++;
  else if (misses.length < 10) misses.push(`${JSON.stringify(options)}: index ${r.total}, brute force ${truth}`);
}
index.close();
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
console.log(`queries: ${queries.length}; latency p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (goal p95 ≤ 20 ms; first page of 20 with snippets, totals exact)`);
for (const [kind, k] of byKind) console.log(`  ${kind.padEnd(10)} ${k.ok}/${k.n} totals equal to brute force · p50 ${pct(k.ms, 0.5).toFixed(1)} ms · p95 ${pct(k.ms, 0.95).toFixed(1)} ms`);
const ok = [...byKind.values()].reduce((a, k) => a + k.ok, 0);
console.log(`recall and precision: ${ok}/${queries.length} queries return exactly the brute-force set size${misses.length ? `; differing: ${misses.join(' | ')}` : ''}`);
