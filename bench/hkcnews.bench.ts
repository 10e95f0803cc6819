/**
 * `npm run bench:hkcnews`: the full rehearsal of issue 2. Generates captures of every article of
 * the existing archive with ../shared/tools/hkcnews-site (templates A, B, C, no faults), packs them
 * into a WARC, runs `salvage extract` on it, measures the result with ../shared/tools/compare-archive,
 * checks every non-article page's rejection reason, and measures speed on one core against
 * @mozilla/readability + linkedom on the same pages in the same run.
 *
 *   npm run bench:hkcnews                       all 49,118 articles (~10 min here)
 *   npm run bench:hkcnews -- --sample 2000      a deterministic sample
 *   npm run bench:hkcnews -- --baseline-pages 500 --rounds 5
 *   npm run bench:hkcnews -- --reuse --fidelity-only   (no speed or memory part)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readWarcCaptures, WarcWriter, type WarcCapture } from '../src/store/index.js';
import { expectedCaptures, siteToWarc } from '../scripts/site-to-warc.js';
import { benchArgs, machine, sharedOrSkip } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:hkcnews');
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/hkcnews'));
const baselinePages = Number(arg('--baseline-pages') ?? 1000);
const sample = arg('--sample');
const articles = join(shared, 'data/hkcnews/articles.jsonl.gz');

function run(cmd: string, argv: string[], label: string, stdoutFile?: string): { ms: number; stdout: string } {
  const t0 = performance.now();
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : undefined;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', fd ?? 'pipe', 'inherit'] });
  if (fd !== undefined) closeSync(fd);
  const ms = performance.now() - t0;
  if (r.status !== 0 && !(label === 'extract' && r.status === 3)) {
    console.error(r.stdout);
    throw new Error(`${label} exited with ${r.status}`);
  }
  return { ms, stdout: r.stdout };
}

console.log(`bench:hkcnews on ${machine()}`);
const site = join(work, 'site');
const warc = join(work, 'captures.warc.gz');
const manifestPath = join(site, 'manifest.json');
let records: number;
if (args.includes('--reuse') && existsSync(warc) && existsSync(manifestPath)) {
  records = expectedCaptures(manifestPath).size;
  console.log(`reusing ${warc} (--reuse)`);
} else {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const gen = run(
    'node',
    [
      join(shared, 'tools/hkcnews-site/generate.mjs'),
      '--articles',
      articles,
      '--out',
      site,
      '--faults',
      'off',
      '--quiet',
      ...(sample ? ['--sample', sample] : []),
    ],
    'generate',
  );
  console.log(`generated captures in ${(gen.ms / 1000).toFixed(0)} s`);
  records = await siteToWarc(site, warc, expectedCaptures(manifestPath));
  console.log(`packed ${records} captures into ${warc}`);
}

// 1. The CLI, as a user runs it: fidelity and outcomes.
const archive = join(work, 'archive');
rmSync(archive, { recursive: true, force: true });
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build');
const jsonl = join(work, 'pages.jsonl');
const extract = run('node', [cli, 'extract', warc, '--out', archive, '--format', 'jsonl', '--quiet'], 'extract', jsonl);
const lines: { url: string; timestamp: string; outcome: string; reason: string | null }[] = [];
for await (const line of createInterface({ input: createReadStream(jsonl) })) {
  const { url, timestamp, outcome, reason } = JSON.parse(line) as {
    url: string;
    timestamp: string;
    outcome: string;
    reason: string | null;
  };
  lines.push({ url, timestamp, outcome, reason });
}
console.log(
  `salvage extract: ${lines.length} pages in ${(extract.ms / 1000).toFixed(1)} s wall (${(lines.length / (extract.ms / 1000)).toFixed(0)} pages/s, incl. WARC reading, gunzip and file writes)`,
);

// 2. Non-article captures: each rejected for the right reason, none written.
interface ManifestArticle {
  id: number;
  outcome: string;
  degenerate?: string;
  expected?: { timestamp: string; original: string };
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { articles: ManifestArticle[] };
const REASON_OF: Record<string, string> = { farewell: 'farewell', offline: 'wayback-error', blank: 'no-title' };
const byCapture = new Map(lines.map((l) => [l.timestamp + ' ' + l.url, l]));
const reasonTally: Record<string, number> = {};
let wrongReason = 0;
for (const a of manifest.articles) {
  if (a.outcome !== 'unrecovered' || !a.expected) continue;
  const line = byCapture.get(a.expected.timestamp + ' ' + a.expected.original);
  const want = REASON_OF[a.degenerate ?? ''];
  const key = `${a.degenerate} → ${line?.outcome} ${line?.reason ?? ''}`;
  reasonTally[key] = (reasonTally[key] ?? 0) + 1;
  if (!line || line.outcome !== 'rejected' || line.reason !== want) wrongReason++;
}
console.log(
  `non-article captures: ${Object.entries(reasonTally)
    .map(([k, n]) => `${k}: ${n}`)
    .join(' · ')}; wrong or written: ${wrongReason}`,
);
const unexpected = lines.filter((l) => l.outcome !== 'written' && l.outcome !== 'rejected');
if (unexpected.length > 0) console.log(`FAILED pages: ${unexpected.length}`);

// 3. compare-archive against the existing archive.
const compare = run(
  'node',
  [
    join(shared, 'tools/compare-archive/compare.mjs'),
    '--expected',
    articles,
    '--actual',
    archive,
    '--manifest',
    manifestPath,
    '--json',
    join(work, 'compare.json'),
    '--worst',
    '5',
  ],
  'compare',
);
console.log(
  compare.stdout
    .split('\n')
    .filter((l) => !/^time /.test(l))
    .join('\n'),
);

// Speed and memory are measured on the compiled code users run (dist/), not through the tsx loader.
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { extractCapture } = await load<typeof import('../src/extract/index.js')>('dist/extract/index.js');
const { renderArticle } = await load<typeof import('../src/markdown/index.js')>('dist/markdown/index.js');
const { hkcnews } = await load<typeof import('../src/sites/index.js')>('dist/sites/index.js');

if (args.includes('--fidelity-only')) process.exit(0);

// 4. Speed on one core: decode + extract + Markdown, ours vs Readability.js + linkedom, same pages,
// each engine in fresh processes, order alternating over the rounds; medians reported.
// The speed sample: an even spread over the archive (the WARC is in URL order, i.e. by id, so
// all three templates count), written once so each measuring process reads only it.
const sampleWarc = join(work, 'speed-sample.warc.gz');
rmSync(sampleWarc, { force: true });
{
  const writer = await WarcWriter.open(sampleWarc);
  const step = Math.max(1, Math.floor(records / baselinePages));
  let index = 0;
  let taken = 0;
  for await (const c of readWarcCaptures(warc)) {
    if (index++ % step !== 0 || taken >= baselinePages) continue;
    taken++;
    await writer.append({
      url: c.url,
      timestamp: c.timestamp,
      ...(c.httpStatus !== undefined ? { httpStatus: c.httpStatus } : {}),
      httpHeaders: { 'Content-Type': c.contentType ?? 'text/html' },
      payload: c.payload,
    });
  }
  await writer.close();
}
const rounds = Number(arg('--rounds') ?? 3);
const speed = { salvage: [] as number[], readability: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['salvage', 'readability'] as const) : (['readability', 'salvage'] as const);
  for (const engine of order) {
    const r = run(
      'node',
      [
        join(root, 'bench/extract-speed.mjs'),
        '--engine',
        engine,
        '--warc',
        sampleWarc,
        '--pages',
        String(baselinePages),
      ],
      'speed',
    );
    speed[engine].push((JSON.parse(r.stdout) as { pagesPerSecond: number }).pagesPerSecond);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const oursRate = median(speed.salvage);
const baseRate = median(speed.readability);
console.log(
  `speed (${Math.min(baselinePages, records)} pages, one core, fresh process per engine, median of ${rounds} rounds): salvage ${oursRate.toFixed(0)} pages/s · Readability.js+linkedom ${baseRate.toFixed(1)} pages/s · ratio ${(oursRate / baseRate).toFixed(1)}× (target ≥ 10×, goal 20×)`,
);

// 5. Memory over the whole stream (the CLI's code path, in this process): RSS must stay flat.
function ours(c: WarcCapture): void {
  const r = extractCapture({ payload: c.payload, url: c.url, timestamp: c.timestamp }, hkcnews);
  if (r.ok) renderArticle(r.article);
}
const rss: string[] = [];
let n = 0;
const t0 = performance.now();
for await (const c of readWarcCaptures(warc)) {
  ours(c);
  if (++n % Math.max(1, Math.floor(records / 5)) === 0)
    rss.push(`${n}: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
}
console.log(
  `full stream: ${n} pages at ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} pages/s (one core, incl. WARC reading); RSS ${rss.join(' · ')}`,
);
