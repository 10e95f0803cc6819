/**
 * `npm run bench:verify -- --dir DIR`: how long `salvage verify` takes on an archive folder, in
 * a fresh process each run (dist/cli/main.js, so the compiled code is timed), with and without
 * the rebuild of every article file, and its peak RSS; then the same per article, scaled to the
 * 49,118 articles of hkcnews and to 2 million. Build DIR with `npm run bench:rescue` (its
 * `.bench-out/rescue/archive`), or `salvage archive` against the simulator.
 *
 *   npm run bench:verify -- --dir .bench-out/rescue/archive [--rounds 3]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchArgs, machine, runTimed } from './shared.js';

const { arg } = benchArgs();
const dir = arg('--dir');
const rounds = Number(arg('--rounds') ?? 1);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/ is missing: run npm run build');
if (dir === undefined || !existsSync(dir))
  throw new Error('usage: npm run bench:verify -- --dir ARCHIVE_DIR [--rounds N]');

/** The hkcnews archive and the scale the project plans for (STYLE.md: designs that hold at 2 million articles). */
const HKCNEWS_ARTICLES = 49_118;
const PLANNED_ARTICLES = 2_000_000;

interface Report {
  clean: boolean;
  findings: Record<string, number>;
  seconds: number;
  phaseSeconds?: Record<string, number>;
  checked: {
    warc?: { files: number; bytes: number; records: number };
    mediaWarc?: { files: number; bytes: number; records: number };
    articles?: { written: number; rebuiltEqual: number; asWritten: number };
    media?: { files: number; bytes: number };
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

console.log(`bench:verify on ${resolve(dir)}\n${machine()}\n`);
for (const [label, flags] of [
  ['full (articles rebuilt)', []],
  ['--no-rebuild', ['--no-rebuild']],
] as const) {
  const runs: { ms: number; peakMb: number; report: Report }[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await runTimed([cli, 'verify', dir, '--json', '--quiet', ...flags]);
    const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
    runs.push({ ms: r.ms, peakMb: r.peakMb, report: JSON.parse(last) as Report });
  }
  const report = runs[0]!.report;
  const c = report.checked;
  const seconds = median(runs.map((r) => r.ms)) / 1000;
  const articles = c.articles?.written ?? 0;
  console.log(
    `${label}: ${seconds.toFixed(1)} s (median of ${rounds}), peak RSS ${Math.max(...runs.map((r) => r.peakMb)).toFixed(0)} MB, clean ${report.clean}, findings ${JSON.stringify(report.findings)}`,
  );
  console.log(
    `  ${c.warc?.records ?? 0} page records in ${c.warc?.files ?? 0} WARC files (${mib(c.warc?.bytes ?? 0)}), ${c.mediaWarc?.records ?? 0} media records (${mib(c.mediaWarc?.bytes ?? 0)}), ${articles} articles (${c.articles?.rebuiltEqual ?? 0} rebuilt equal, ${c.articles?.asWritten ?? 0} as written), ${c.media?.files ?? 0} image files (${mib(c.media?.bytes ?? 0)})`,
  );
  console.log(
    `  phases (s): ${Object.entries(report.phaseSeconds ?? {})
      .map(([p, s]) => `${p} ${s.toFixed(1)}`)
      .join(', ')}`,
  );
  if (articles > 0)
    console.log(
      `  per article ${((seconds * 1000) / articles).toFixed(2)} ms: ${((seconds * HKCNEWS_ARTICLES) / articles / 60).toFixed(1)} min for ${HKCNEWS_ARTICLES.toLocaleString('en')} articles, ${((seconds * PLANNED_ARTICLES) / articles / 3600).toFixed(1)} h for ${PLANNED_ARTICLES.toLocaleString('en')} (linear: every check streams)`,
    );
}
