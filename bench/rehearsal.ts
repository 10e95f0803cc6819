/**
 * A rehearsal on a sample of the real hkcnews archive: generate captures of N articles with
 * ../shared/tools/hkcnews-site (optionally with extra layouts), pack the expected captures into a
 * WARC, run `salvage extract` on it as a user does, and measure the result with
 * ../shared/tools/compare-archive, per layout. Used by `npm run bench:layouts` and by the quality
 * gate in `npm test` (test/quality-gate.test.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectedCaptures, siteToWarc } from '../scripts/site-to-warc.js';

export interface RehearsalOptions {
  shared: string;
  /** A scratch folder, emptied first. */
  work: string;
  /** The command that runs salvage: `[node, dist/cli/main.js]` or `[node, --import, tsx, src/cli/main.ts]`. */
  salvage: readonly string[];
  /** Articles to generate (`--sample`), or explicit ids (`--ids`). */
  sample?: number;
  ids?: string;
  /** An `--extra-variants` module. */
  extraVariants?: string;
  /** Only the layouts named (`--variants A,B,C`), for built-in layouts. */
  variants?: string;
  log?: (line: string) => void;
}

export interface LayoutResult {
  articles: number;
  fullyEqual: number;
  /** Per frontmatter field and for the body: how many articles have it equal. */
  equal: Record<string, number>;
  /** Ids that are not fully equal, first few. */
  failing: number[];
}

export interface RehearsalResult {
  layouts: Record<string, LayoutResult>;
  /** Not-article captures written as articles, and articles not written. */
  written: number;
  unrecoveredWritten: number;
  missing: number;
  comparePath: string;
}

function run(argv: readonly string[], okCodes: readonly number[] = [0]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = argv;
    const proc = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] }); // argv is never empty
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code !== null && okCodes.includes(code)
        ? resolve(out)
        : reject(new Error(`${argv.slice(0, 3).join(' ')} … exited with ${code}: ${err.slice(-2000)}`)),
    );
  });
}

const FIELDS = ['title', 'date', 'last_updated', 'author', 'category', 'tags'] as const;

export async function rehearse(o: RehearsalOptions): Promise<RehearsalResult> {
  const log = o.log ?? (() => {});
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(o.work, { recursive: true });
  const site = join(o.work, 'site');
  const articles = join(o.shared, 'data/hkcnews/articles.jsonl.gz');
  const gen = [
    process.execPath,
    join(o.shared, 'tools/hkcnews-site/generate.mjs'),
    '--articles',
    articles,
    '--out',
    site,
    '--faults',
    'off',
    '--quiet',
  ];
  if (o.sample !== undefined) gen.push('--sample', String(o.sample));
  if (o.ids !== undefined) gen.push('--ids', o.ids);
  if (o.extraVariants !== undefined) gen.push('--extra-variants', o.extraVariants);
  if (o.variants !== undefined) gen.push('--variants', o.variants);
  let t0 = performance.now();
  await run(gen);
  log(`generated captures in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const manifestPath = join(site, 'manifest.json');
  const warc = join(o.work, 'captures.warc.gz');
  const records = await siteToWarc(site, warc, expectedCaptures(manifestPath));
  const archive = join(o.work, 'archive');
  t0 = performance.now();
  // Exit 3: some pages were rejected (the 888 non-article pages), which is expected.
  await run([...o.salvage, 'extract', warc, '--out', archive, '--quiet'], [0, 3]);
  log(`salvage extract: ${records} captures in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const comparePath = join(o.work, 'compare.json');
  await run([
    process.execPath,
    join(o.shared, 'tools/compare-archive/compare.mjs'),
    '--expected',
    articles,
    '--actual',
    archive,
    '--manifest',
    manifestPath,
    '--json',
    comparePath,
    '--quiet',
  ]);

  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    articles: { id: number; outcome: string; variant?: string | null }[];
  };
  const variantOf = new Map(manifest.articles.map((a) => [a.id, a.variant ?? '(none)']));
  const layouts: Record<string, LayoutResult> = {};
  const report = JSON.parse(readFileSync(comparePath, 'utf8')) as {
    counts: { unrecovered_written: number; missing: number };
    articles: {
      id: number;
      status: string;
      fields?: Record<string, boolean>;
      body?: { exact: boolean };
      fullyEqual?: boolean;
    }[];
  };
  let written = 0;
  for (const a of report.articles) {
    if (a.status !== 'compared') continue;
    written++;
    const name = variantOf.get(a.id) ?? '(none)';
    const layout = (layouts[name] ??= {
      articles: 0,
      fullyEqual: 0,
      equal: Object.fromEntries([...FIELDS, 'body'].map((f) => [f, 0])),
      failing: [],
    });
    layout.articles++;
    if (a.fullyEqual) layout.fullyEqual++;
    else if (layout.failing.length < 20) layout.failing.push(a.id);
    for (const f of FIELDS) if (a.fields?.[f]) layout.equal[f]!++;
    if (a.body?.exact) layout.equal['body']!++;
  }
  return {
    layouts,
    written,
    unrecoveredWritten: report.counts.unrecovered_written,
    missing: report.counts.missing,
    comparePath,
  };
}

/** One line per layout: `amp  120 pages  fully equal 98.3%  (title 100.0% …)`. */
export function layoutLines(result: RehearsalResult): string[] {
  const pct = (n: number, d: number): string => `${d === 0 ? '-' : ((100 * n) / d).toFixed(1)}%`;
  return Object.entries(result.layouts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, l]) =>
        `${name.padEnd(10)} ${String(l.articles).padStart(5)} pages  fully equal ${pct(l.fullyEqual, l.articles).padStart(6)}  (${Object.entries(
          l.equal,
        )
          .map(([f, n]) => `${f} ${pct(n, l.articles)}`)
          .join(' · ')})${l.failing.length ? `  e.g. ${l.failing.slice(0, 5).join(', ')}` : ''}`,
    );
}
