/**
 * `npm run bench:scale`: the scale rehearsal of issue 17. Builds synthetic archives at 1×, 3× and
 * 10× the real one and measures, for each, what an operator pays: import and index build time,
 * peak RSS, index size, query latency (p50/p95), the reader's p99 at a fixed offered rate, and the
 * static export (size, files, time).
 *
 * A k× archive is the 49,118 real files k times. Copy 0 is the real archive; copy c ≥ 1 gets new
 * ids (id + c·100,000, in the original URLs too), its dates moved back c·8 years (a multiple of 4:
 * 29 February stays a real day), and one Han character in eight of its title and text replaced by
 * another common one (a fixed permutation of the corpus's 4,000 most frequent characters per
 * copy), so postings differ and the vocabulary stays that of a real news site. Authors,
 * categories and tags stay: a larger archive of the same outlet.
 *
 * Queries: the bench:search queries (search-queries.ts, drawn from the real corpus), the first
 * page of 20 with snippets, timed in-process. Serving: bench:load's open loop against
 * `salvage serve` at `--rate` (default 200 req/s, the 70/15/10/5 mix) for `--duration` seconds,
 * without `salvage render` (pages rendered on demand: a render of 10× takes ~half an hour).
 * Export: `salvage export-site` for scales up to `--export-max` (default 3; 10 takes ~40 min).
 *
 *   npm run bench:scale                           (1, 3, 10; ~1.5 h here)
 *   npm run bench:scale -- --scales 1,3 --export-max 10 --rate 200 --duration 30 --keep
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { search, SearchIndex } from '../src/search/index.js';
import { benchQueries, loadCorpus } from './search-queries.js';
import { benchArgs, machine, prng, runTimed, sharedOrSkip } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:scale');
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/scale'));
const SCALES = (arg('--scales') ?? '1,3,10').split(',').map(Number);
const EXPORT_MAX = Number(arg('--export-max') ?? 3);
const RATE = Number(arg('--rate') ?? 200);
const DURATION_S = Number(arg('--duration') ?? 30);
const KEEP = args.includes('--keep');
if (![...SCALES, RATE, DURATION_S].every((n) => Number.isFinite(n) && n > 0) || !(EXPORT_MAX >= 0))
  throw new Error('--scales, --rate and --duration take positive numbers, --export-max a number ≥ 0');
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build');

/** Ids of copy c are the real ids plus c times this (the real ids are below 50,000). */
const ID_STRIDE = 100_000;
/** Years copy c's dates move back per copy: a multiple of 4 keeps 29 February a real day. */
const YEARS_PER_COPY = 8;
/** One Han character in this many is replaced in a copy. */
const REPLACE_ONE_IN = 8;
/** The replacement alphabet: the corpus's most frequent Han characters. */
const COMMON_CHARS = 4000;

const HAN = /\p{sc=Han}/u;

async function* jsonLines(file: string): AsyncGenerator<{ id: number; path: string; raw: string }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines)
    if (line.trim() !== '') yield JSON.parse(line) as { id: number; path: string; raw: string };
}

/** The most frequent Han characters of the corpus, most frequent first. */
async function commonChars(): Promise<string[]> {
  const counts = new Map<string, number>();
  for await (const r of jsonLines(articles))
    for (const ch of r.raw) if (HAN.test(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, COMMON_CHARS)
    .map(([ch]) => ch);
}

/** Copy c's text: one common Han character in REPLACE_ONE_IN swapped by copy c's permutation, decided per line. */
function perturbLine(line: string, permutation: Map<string, string>, seed: number): string {
  // The choice depends on the character and its occurrence in the line, so a title reads the same
  // in `title: "…"` and in `# …`.
  const seen = new Map<string, number>();
  let out = '';
  for (const ch of line) {
    const swap = permutation.get(ch);
    if (swap === undefined) {
      out += ch;
      continue;
    }
    const k = (seen.get(ch) ?? 0) + 1;
    seen.set(ch, k);
    const h = Math.imul(seed ^ ch.codePointAt(0)!, 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b);
    out += (h >>> 0) % REPLACE_ONE_IN === 0 ? swap : ch;
  }
  return out;
}

const lo = (id: number): number => Math.floor((id - 1) / 1000) * 1000 + 1;

/** Copy `c` of one archive file. */
function copyOf(
  r: { id: number; raw: string },
  c: number,
  permutation: Map<string, string>,
): { id: number; path: string; raw: string } {
  if (c === 0) return { id: r.id, path: `articles/${lo(r.id)}-${lo(r.id) + 999}/article_${r.id}.md`, raw: r.raw };
  const id = r.id + c * ID_STRIDE;
  const end = r.raw.indexOf('\n---\n', 4);
  const front = r.raw
    .slice(0, end)
    .split('\n')
    .map((line) => {
      if (/^(?:date|last_updated): "\d{4}/.test(line))
        return line.replace(/"(\d{4})/, (_, y: string) => `"${Number(y) - c * YEARS_PER_COPY}`);
      if (/^(?:url|original_url): /.test(line)) return line.replace(`/article/${r.id}/`, `/article/${id}/`);
      if (line.startsWith('title: ')) return perturbLine(line, permutation, c);
      return line;
    })
    .join('\n');
  const body = r.raw
    .slice(end)
    .split('\n')
    .map((line) => perturbLine(line, permutation, c))
    .join('\n');
  return { id, path: `articles/${lo(id)}-${lo(id) + 999}/article_${id}.md`, raw: front + body };
}

/** Write the k× archive as a jsonl.gz for `salvage import`. */
async function writeScaled(k: number, common: readonly string[], out: string): Promise<number> {
  const permutations = Array.from({ length: k }, (_, c) => {
    const rand = prng(1000 + c);
    const shuffled = [...common];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return new Map(common.map((ch, i) => [ch, shuffled[i]!]));
  });
  let n = 0;
  async function* lines(): AsyncGenerator<string> {
    for (let c = 0; c < k; c++)
      for await (const r of jsonLines(articles)) {
        n++;
        yield `${JSON.stringify(copyOf(r, c, permutations[c]!))}\n`;
      }
  }
  await pipeline(Readable.from(lines()), createGzip({ level: 1 }), createWriteStream(out));
  return n;
}

function dirStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

const pct = (xs: readonly number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

console.log(`bench:scale on ${machine()}; scales ${SCALES.join(', ')}; export up to ${EXPORT_MAX}×`);
mkdirSync(work, { recursive: true });
const common = await commonChars();
const corpus = await loadCorpus(articles);
const queries = benchQueries(corpus);
const rows: string[] = [];

for (const k of SCALES) {
  const dir = join(work, `x${k}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = join(dir, 'source.jsonl.gz');
  const count = await writeScaled(k, common, source);
  const archive = join(dir, 'archive');
  const imp = await runTimed([cli, 'import', source, '--out', archive, '--quiet']);
  rmSync(source);
  const idx = await runTimed([cli, 'index', archive, '--quiet']);
  const indexBytes = statSync(join(archive, 'search.sqlite')).size;
  console.log(
    `${k}×: ${count} articles; import ${s(imp.ms)} (peak RSS ${imp.peakMb.toFixed(0)} MB); index build ${s(idx.ms)}, peak RSS ${idx.peakMb.toFixed(0)} MB, index ${mb(indexBytes)}`,
  );

  const index = SearchIndex.openDir(archive, { readonly: true });
  const ms: number[] = [];
  try {
    for (const { options } of queries) search(index, options); // warm the page cache once
    for (const { options } of queries) {
      const t0 = performance.now();
      search(index, options);
      ms.push(performance.now() - t0);
    }
  } finally {
    index.close();
  }
  console.log(
    `${k}×: ${queries.length} queries: p50 ${pct(ms, 0.5).toFixed(1)} ms, p95 ${pct(ms, 0.95).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms`,
  );

  const load = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/load.bench.ts'),
      '--dir',
      archive,
      '--rate',
      String(RATE),
      '--duration',
      String(DURATION_S),
      '--steps',
      'none',
      '--no-render',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const main = /^main: .*$/m.exec(load.stdout)?.[0] ?? `bench:load failed (exit ${load.status})`;
  const p99 = /p99 ([\d.]+) ms/.exec(main)?.[1] ?? '?';
  const errors = /errors (\d+)/.exec(main)?.[1] ?? '?';
  console.log(`${k}×: serve ${main}`);

  let exported = 'not run (--export-max)';
  if (k <= EXPORT_MAX) {
    const site = join(dir, 'site');
    const r = await runTimed([cli, 'export-site', archive, '--out', site, '--quiet']);
    const st = dirStats(site);
    exported = `${mb(st.bytes)} in ${st.files} files, ${s(r.ms)} (peak RSS ${r.peakMb.toFixed(0)} MB)`;
    console.log(`${k}×: export-site ${exported}`);
    if (!KEEP) rmSync(site, { recursive: true, force: true });
  }
  rows.push(
    `| ${k}× | ${count} | ${s(idx.ms)} | ${idx.peakMb.toFixed(0)} MB | ${mb(indexBytes)} | ${pct(ms, 0.5).toFixed(1)} / ${pct(ms, 0.95).toFixed(1)} ms | ${p99} ms (${errors} errors) | ${exported} |`,
  );
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\n| scale | articles | index build | peak RSS | index | query p50 / p95 | serve p99 at ${RATE} req/s | export-site |`,
);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
