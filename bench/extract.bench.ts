/**
 * `npm run bench:extract`: the measuring harness of issue 5 (any news site). Runs salvage's
 * extractor, exactly the library call `salvage extract` makes, and @mozilla/readability on linkedom
 * over the real pages of ../shared/bench, in the same process, on the same pages, on one core:
 *
 * - readability set: `readability/<case>/source.html` against `expected.html` (Readability's own
 *   curated output: agreement with a strong reference, not truth) and `expected-metadata.json`
 *   (title, byline, publishedTime: checked only where the reference gives a value);
 * - zh set: every `zh/html/<id>.html`, bodies against `zh/ground-truth.json` (73 pages), fields
 *   against `zh/fields.json` (78 pages).
 *
 * Bodies are scored with the bench's `score.mjs` (faithful and `--cjk`), fields with its
 * `check-fields.mjs` (title, author, date), also with the documented reference corrections of
 * `bench/reference-corrections.json` (both results printed). Crashes (exceptions) and rejections
 * are counted apart; both score as an empty prediction. Speed: each engine in a timing process of
 * its own, warmed up, one pass each in turn per round (the order alternating), pages / (sum of the
 * times of the extraction calls); the ratio of each round, median over rounds (`--rounds`, 7). Both
 * engines are timed from the page's bytes (Readability.js gets them decoded by salvage's
 * `decodePayload`, as it has no decoder of its own).
 *
 * Site choice is the CLI's (`--site`, else `siteFor`: the site module for the URL or host, else the
 * generic one), so every bench page goes to the generic extractor unless a built-in site claims it.
 *
 *   npm run bench:extract
 *   npm run bench:extract -- --only zh --sample 20 --rounds 1
 *   npm run bench:extract -- --site hkcnews --worst 5 --verbose
 *   npm run bench:extract -- --probe        (adds a diagnostic row: salvage's engine, blank profile)
 *   npm run bench:extract -- --quality-only --json OUT.json   (salvage alone, no speed: the quality gate of npm test)
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { articleText, decodePayload, extractCapture, type SiteProfile } from '../src/extract/index.js';
import { SITES, siteFor } from '../src/sites/index.js';
import { benchArgs, machine, sharedOrSkip } from './shared.js';

const { args, arg } = benchArgs();
const shared = sharedOrSkip('bench:extract');
const benchDir = join(shared, 'bench');
if (!existsSync(join(benchDir, 'score.mjs'))) {
  console.log(`bench:extract skipped: ${benchDir} (the extraction bench sets) is not present`);
  process.exit(0);
}
const root = resolve(import.meta.dirname, '..');
const work = resolve(arg('--work') ?? join(root, '.bench-out/extract'));
const only = arg('--only');
if (only !== undefined && only !== 'readability' && only !== 'zh')
  throw new Error(`--only takes readability or zh, got ${only}`);
const sample = arg('--sample') === undefined ? undefined : Number(arg('--sample'));
/** Salvage's quality alone: no baseline engine, no speed rounds (test/quality-gate.test.ts). */
const qualityOnly = args.includes('--quality-only');
const rounds = qualityOnly ? 0 : Number(arg('--rounds') ?? 7);
const jsonOut = arg('--json');
/** What `--json` writes per set: salvage's body F1 and field tallies (`ok/n` strings as check-fields prints). */
const summary: Record<
  string,
  { f1: number; f1cjk: number; fields: Record<string, string>; fieldsCorrected?: Record<string, string> }
> = {};
const worst = Number(arg('--worst') ?? 0);
const verbose = args.includes('--verbose');
const forcedSite = arg('--site');
if (forcedSite !== undefined && !SITES.has(forcedSite))
  throw new Error(`unknown site ${forcedSite}; known: ${[...SITES.keys()].join(', ')}`);
/** Set when this process only times one engine (see speedInChild). */
const speedOf = arg('--speed-of');
/** Capture time given to salvage (the bench pages have none; it only shapes Wayback URLs). */
const TIMESTAMP = '20200101000000';

// ---------- the scorers (the bench's own code) ----------
interface Metrics {
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  f1_std?: number;
  n_docs: number;
  n_missing: number;
}
interface PerDoc {
  f1: number;
  precision: number | null;
  recall: number | null;
}
interface ScoreModule {
  evaluate(
    gt: Record<string, { articleBody: string }>,
    pred: Record<string, { articleBody: string }>,
    options: { nBootstrap?: number; cjk?: boolean; allowMissing?: boolean },
  ): { metrics: Metrics; perDoc: Record<string, PerDoc> };
}
const score = (await import(pathToFileURL(join(benchDir, 'score.mjs')).href)) as ScoreModule;

/** `check-fields.mjs` has no exports: run it on a prediction file and read its ALL row. */
function checkFields(fieldsFile: string, predFile: string): { tally: Record<string, string>; output: string } {
  const r = spawnSync(
    process.execPath,
    [join(benchDir, 'check-fields.mjs'), '--fields', fieldsFile, predFile, '--verbose'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`check-fields.mjs exited with ${r.status}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const header = lines.find((l) => l.startsWith('source'));
  const all = lines.find((l) => l.startsWith('ALL '));
  const tally: Record<string, string> = {};
  if (header && all) {
    const cols = header.trim().split(/\s+/).slice(1);
    const vals = all.trim().split(/\s+/).slice(1);
    cols.forEach((c, i) => {
      tally[c] = vals[i] ?? '-';
    });
  }
  return { tally, output: r.stdout };
}

// ---------- the pages ----------
interface Page {
  id: string;
  url: string;
  bytes: Uint8Array;
}
interface BenchSet {
  name: 'readability' | 'zh';
  pages: Page[];
  truth: Record<string, { articleBody: string }>;
  /** check-fields.mjs shape. */
  fields: Record<string, Record<string, unknown>>;
  /** `fields` with the reference corrections applied, and how many there are on these pages. */
  corrected: Record<string, Record<string, unknown>>;
  corrections: number;
}

/**
 * bench/reference-corrections.json: reference values the page itself contradicts, with the lines
 * that show it. Fields are scored both as given and corrected; a correction whose reference value
 * no longer matches the bench's is stale and stops the run rather than score against a guess.
 */
function withCorrections(set: Omit<BenchSet, 'corrected' | 'corrections'>): BenchSet {
  type Correction = { reference: string; corrected: string; evidence: string };
  const all = JSON.parse(readFileSync(join(root, 'bench/reference-corrections.json'), 'utf8')) as Record<
    string,
    Record<string, Record<string, Correction>> | string
  >;
  const mine = all[set.name];
  const corrected = structuredClone(set.fields);
  let corrections = 0;
  for (const [id, byField] of Object.entries(typeof mine === 'object' ? mine : {})) {
    const f = corrected[id];
    if (!f) continue; // not in this --sample
    for (const [field, c] of Object.entries(byField)) {
      if (f[field] !== c.reference)
        throw new Error(
          `bench/reference-corrections.json: ${set.name}/${id} ${field} corrects ${JSON.stringify(c.reference)}, but the bench says ${JSON.stringify(f[field])}`,
        );
      f[field] = c.corrected;
      corrections++;
    }
  }
  return { ...set, corrected, corrections };
}

/** Text of a DOM subtree with a line break at every block boundary (so `<p>a</p><p>b</p>` is two words). */
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}
function blockText(node: DomNode): string {
  const parts: string[] = [];
  const walk = (n: DomNode): void => {
    if (n.nodeType === 3) {
      parts.push(n.textContent ?? '');
      return;
    }
    if (n.nodeType !== 1 && n.nodeType !== 9 && n.nodeType !== 11) return;
    const name = n.nodeName.toLowerCase();
    if (name === 'script' || name === 'style' || name === 'noscript' || name === 'template') return;
    const block = BLOCK.has(name);
    if (block) parts.push('\n');
    for (let i = 0; i < n.childNodes.length; i++) walk(n.childNodes[i]!);
    if (block) parts.push('\n');
  };
  walk(node);
  return parts
    .join('')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '')
    .join('\n');
}
function htmlText(html: string): string {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`);
  return blockText(document.body);
}

/** An even, deterministic spread of `n` pages. */
function spread<T>(xs: T[], n: number | undefined): T[] {
  if (n === undefined || n >= xs.length) return xs;
  const step = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]!);
}

function readabilitySet(): BenchSet {
  const dir = join(benchDir, 'readability');
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'source.html')))
    .map((d) => d.name)
    .sort();
  const pages: Page[] = [];
  const truth: BenchSet['truth'] = {};
  const fields: BenchSet['fields'] = {};
  for (const id of spread(ids, sample)) {
    // The URL mozilla/readability's own test harness gives every page.
    pages.push({ id, url: 'http://fakehost/test/page.html', bytes: readFileSync(join(dir, id, 'source.html')) });
    // A speed child needs no truth, and parsing it with linkedom would leave garbage to collect while timing.
    if (speedOf === undefined)
      truth[id] = { articleBody: htmlText(readFileSync(join(dir, id, 'expected.html'), 'utf8')) };
    const meta = JSON.parse(readFileSync(join(dir, id, 'expected-metadata.json'), 'utf8')) as {
      title?: string | null;
      byline?: string | null;
      publishedTime?: string | null;
    };
    const f: Record<string, unknown> = { source: 'readability' };
    if (meta.title) f['title'] = meta.title;
    if (meta.byline) f['author'] = meta.byline; // "where expected": a null byline is not a claim that there is none
    if (meta.publishedTime) f['date'] = meta.publishedTime;
    fields[id] = f;
  }
  return withCorrections({ name: 'readability', pages, truth, fields });
}

function zhSet(): BenchSet {
  const dir = join(benchDir, 'zh');
  const gt = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as Record<
    string,
    { articleBody: string; url?: string }
  >;
  const fieldsAll = JSON.parse(readFileSync(join(dir, 'fields.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const ids = readdirSync(join(dir, 'html'))
    .filter((f) => f.endsWith('.html'))
    .map((f) => f.slice(0, -5))
    .sort();
  const pages: Page[] = [];
  const truth: BenchSet['truth'] = {};
  const fields: BenchSet['fields'] = {};
  for (const id of spread(ids, sample)) {
    const fUrl = fieldsAll[id]?.['url'];
    const url = gt[id]?.url ?? (typeof fUrl === 'string' ? fUrl : `http://fakehost/${id}.html`);
    pages.push({ id, url, bytes: readFileSync(join(dir, 'html', `${id}.html`)) });
    if (gt[id]) truth[id] = { articleBody: gt[id].articleBody };
    if (fieldsAll[id]) fields[id] = fieldsAll[id];
  }
  return withCorrections({ name: 'zh', pages, truth, fields });
}

// ---------- the two extractors ----------
interface Prediction {
  articleBody: string;
  title: string;
  author: string;
  date: string;
}
type Outcome =
  { kind: 'ok'; pred: Prediction } | { kind: 'rejected'; reason: string } | { kind: 'crashed'; message: string };
interface Engine {
  name: string;
  run(page: Page): Outcome;
}

function chosenSite(url: string): SiteProfile {
  return (forcedSite !== undefined ? SITES.get(forcedSite) : undefined) ?? siteFor(url);
}

const salvage: Engine = {
  name: 'salvage',
  run(page) {
    const r = extractCapture({ payload: page.bytes, url: page.url, timestamp: TIMESTAMP }, chosenSite(page.url));
    if (!r.ok) return { kind: 'rejected', reason: r.reason };
    const a = r.article;
    return {
      kind: 'ok',
      pred: { articleBody: articleText(a), title: a.title, author: a.author ?? '', date: a.date ?? '' },
    };
  },
};

const readability: Engine = {
  name: 'Readability.js+linkedom',
  run(page) {
    const { document } = parseHTML(decodePayload(page.bytes).text);
    const r = new Readability(document).parse();
    if (!r) return { kind: 'rejected', reason: 'null' };
    return {
      kind: 'ok',
      pred: {
        articleBody: r.content ? htmlText(r.content) : (r.textContent ?? ''),
        title: r.title ?? '',
        author: r.byline ?? '',
        date: r.publishedTime ?? '',
      },
    };
  },
};
/**
 * `--probe`: salvage's engine with a blank profile (every URL an article, no hosts, selectors or
 * chrome rules): what the extraction code does on a foreign page once the URL gate is passed. Not
 * a site module and not what `salvage extract` runs; a diagnostic row only.
 */
const blank: SiteProfile = { id: 'blank', name: '', hosts: [], articleId: () => '0' };
const probe: Engine = {
  name: 'salvage blank profile',
  run(page) {
    const r = extractCapture({ payload: page.bytes, url: page.url, timestamp: TIMESTAMP }, blank);
    if (!r.ok) return { kind: 'rejected', reason: r.reason };
    const a = r.article;
    return {
      kind: 'ok',
      pred: { articleBody: articleText(a), title: a.title, author: a.author ?? '', date: a.date ?? '' },
    };
  },
};
const engines = args.includes('--quality-only')
  ? [salvage]
  : [salvage, readability, ...(args.includes('--probe') ? [probe] : [])];

/** One pass over the pages: outcomes, and the seconds spent inside the extraction calls. */
function pass(engine: Engine, pages: Page[]): { outcomes: Map<string, Outcome>; seconds: number } {
  const outcomes = new Map<string, Outcome>();
  let ms = 0;
  for (const page of pages) {
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      outcome = engine.run(page);
    } catch (error) {
      outcome = { kind: 'crashed', message: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    }
    ms += performance.now() - t0;
    outcomes.set(page.id, outcome);
  }
  return { outcomes, seconds: ms / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
function share(cell: string | undefined): string {
  const m = /^(\d+)\/(\d+)$/.exec(cell ?? '');
  if (!m) return '-';
  const [ok, n] = [Number(m[1]), Number(m[2])];
  // One decimal: 72/76 is 94.7%, and a rounded "95%" would read as meeting a 95% bar.
  return `${n === 0 ? '-' : ((100 * ok) / n).toFixed(1) + '%'} ${ok}/${n}`;
}

// ---------- run ----------
/**
 * `--speed-of <engine> --set <name>`: this file as a timing worker for one engine on one set. It
 * makes one warm-up pass, says `ready`, then times one pass each time the parent asks and answers
 * with the rate. Each engine in a process of its own: in one process the engine timed second paid
 * for collecting the first's garbage (linkedom leaves a lot), and the ratio swung from 4.3× to
 * 6.9× between runs. The parent alternates the two workers pass by pass, so the two passes of a
 * round are back to back and share the machine's state of the moment: this shared VM's speed
 * drifts by ±30% over minutes (a whole process ran 1.6× slower on every page, vCPU contention).
 */
if (speedOf !== undefined) {
  const engine = engines.find((e) => e.name === speedOf);
  if (!engine) throw new Error(`--speed-of takes one of ${engines.map((e) => e.name).join(', ')}`);
  const set = arg('--set') === 'zh' ? zhSet() : readabilitySet();
  pass(engine, set.pages);
  process.on('message', (m) => {
    if (m === 'pass') process.send!({ rate: set.pages.length / pass(engine, set.pages).seconds });
    else process.exit(0);
  });
  process.send!('ready');
} else {
  await main();
}

interface SpeedWorker {
  time(): Promise<number>;
  stop(): void;
}

async function speedWorker(engine: Engine, setName: string): Promise<SpeedWorker> {
  const passOn = ['--sample', '--site'].flatMap((name) => (arg(name) === undefined ? [] : [name, arg(name)!]));
  const child = fork(
    import.meta.filename,
    ['--speed-of', engine.name, '--set', setName, ...passOn, ...(args.includes('--probe') ? ['--probe'] : [])],
    { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const next = (): Promise<unknown> =>
    new Promise((done, fail) => {
      const onExit = (code: number | null): void =>
        fail(new Error(`timing worker for ${engine.name} on ${setName} exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        done(m);
      });
    });
  await next(); // ready
  return {
    async time() {
      child.send('pass');
      return ((await next()) as { rate: number }).rate;
    },
    stop() {
      child.send('stop');
    },
  };
}

async function main(): Promise<void> {
  console.log(`bench:extract on ${machine()}`);
  console.log(
    `salvage: ${forcedSite !== undefined ? `--site ${forcedSite}` : 'site by URL, else generic'}; Readability.js ${readabilityVersion()} on linkedom ${linkedomVersion()}, pages decoded by salvage's decodePayload`,
  );
  mkdirSync(work, { recursive: true });
  const sets = [...(only === 'zh' ? [] : [readabilitySet()]), ...(only === 'readability' ? [] : [zhSet()])];

  for (const set of sets) {
    const results = new Map<string, { outcomes: Map<string, Outcome>; rates: number[] }>();
    for (const e of engines) results.set(e.name, { outcomes: pass(e, set.pages).outcomes, rates: [] });
    const workers = new Map<Engine, SpeedWorker>();
    if (rounds > 0) for (const e of engines) workers.set(e, await speedWorker(e, set.name));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? engines : [...engines].reverse();
      for (const e of order) results.get(e.name)!.rates.push(await workers.get(e)!.time());
    }
    for (const w of workers.values()) w.stop();

    const nTruth = Object.keys(set.truth).length;
    const nFields = Object.keys(set.fields).length;
    console.log(
      `\n== ${set.name}: ${set.pages.length} pages (${nTruth} with a body truth, ${nFields} with field checks)${sample !== undefined ? `, --sample ${sample}` : ''}; speed: median of ${rounds} rounds`,
    );
    const head = [
      'extractor'.padEnd(24),
      'ok'.padStart(4),
      'rej'.padStart(4),
      'crash'.padStart(5),
      '  F1   ',
      ' P    ',
      ' R    ',
      '| F1cjk',
      ' Pcjk ',
      ' Rcjk ',
      '| title'.padEnd(16),
      'author'.padEnd(14),
      'date'.padEnd(14),
      'pages/s'.padStart(8),
    ];
    console.log(head.join(' '));
    const notes: string[] = [];
    for (const e of engines) {
      const { outcomes, rates: rs } = results.get(e.name)!;
      const pred: Record<string, Prediction> = {};
      let ok = 0;
      const rejected: Record<string, number> = {};
      const crashed: string[] = [];
      for (const page of set.pages) {
        const o = outcomes.get(page.id)!;
        if (o.kind === 'ok') {
          ok++;
          pred[page.id] = o.pred;
          continue;
        }
        // Rejections and crashes are empty predictions (check-fields.mjs skips ids that are absent).
        pred[page.id] = { articleBody: '', title: '', author: '', date: '' };
        if (o.kind === 'rejected') rejected[o.reason] = (rejected[o.reason] ?? 0) + 1;
        else crashed.push(`${page.id}: ${o.message.slice(0, 80)}`);
      }
      const bodies = Object.fromEntries(
        Object.keys(set.truth).map((id) => [id, { articleBody: pred[id]?.articleBody ?? '' }]),
      );
      const faithful = score.evaluate(set.truth, bodies, { nBootstrap: 0, allowMissing: true });
      const cjk = score.evaluate(set.truth, bodies, { nBootstrap: 0, allowMissing: true, cjk: true });
      const slug = e.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      const predFile = join(work, `${set.name}.${slug}.json`);
      const fieldsFile = join(work, `${set.name}.fields.json`);
      writeFileSync(predFile, JSON.stringify(pred, null, 1));
      writeFileSync(fieldsFile, JSON.stringify(set.fields, null, 1));
      const fields = checkFields(fieldsFile, predFile);
      const rate = rs.length > 0 ? median(rs) : Number.NaN;
      const nRej = Object.values(rejected).reduce((a, b) => a + b, 0);
      const fm = faithful.metrics,
        cm = cjk.metrics;
      if (e === salvage) summary[set.name] = { f1: fm.f1, f1cjk: cm.f1, fields: fields.tally };
      console.log(
        [
          e.name.padEnd(24),
          String(ok).padStart(4),
          String(nRej).padStart(4),
          String(crashed.length).padStart(5),
          pct(fm.f1).padEnd(7),
          pct(fm.precision).padEnd(6),
          pct(fm.recall).padEnd(6),
          '|',
          pct(cm.f1).padEnd(5),
          pct(cm.precision).padEnd(6),
          pct(cm.recall).padEnd(6),
          '|',
          share(fields.tally['title']).padEnd(14),
          share(fields.tally['author']).padEnd(14),
          share(fields.tally['date']).padEnd(14),
          (Number.isNaN(rate) ? '-' : rate.toFixed(1)).padStart(8),
        ].join(' '),
      );
      if (nRej > 0)
        notes.push(
          `${e.name} rejections: ${Object.entries(rejected)
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
        );
      if (crashed.length > 0) notes.push(`${e.name} crashes: ${crashed.join(' · ')}`);
      notes.push(
        `${e.name} body metrics over ${fm.n_docs} truths: accuracy ${pct(fm.accuracy)}, ${Object.values(faithful.perDoc).filter((d) => d.precision === null).length} empty predictions (left out of macro precision); body_contains ${fields.tally['body_contains'] ?? '-'}, body_excludes ${fields.tally['body_excludes'] ?? '-'}`,
      );
      if (worst > 0) {
        const rows = Object.entries(cjk.perDoc)
          .sort((a, b) => a[1].f1 - b[1].f1)
          .slice(0, worst);
        notes.push(
          `${e.name} worst ${worst} (cjk F1): ${rows.map(([id, d]) => `${id} ${d.f1.toFixed(2)}`).join(' · ')}`,
        );
      }
      if (set.corrections > 0) {
        const correctedFile = join(work, `${set.name}.fields-corrected.json`);
        writeFileSync(correctedFile, JSON.stringify(set.corrected, null, 1));
        const c = checkFields(correctedFile, predFile).tally;
        if (e === salvage && summary[set.name]) summary[set.name]!.fieldsCorrected = c;
        notes.push(
          `${e.name} fields with ${set.corrections} reference correction${set.corrections > 1 ? 's' : ''} (bench/reference-corrections.json): title ${share(c['title'])}, author ${share(c['author'])}, date ${share(c['date'])}`,
        );
      }
      if (verbose) notes.push(fields.output.trim());
    }
    for (const n of notes) console.log(`  ${n}`);
    if (rounds === 0) continue;
    // The ratio of each round, then their median: the two runs of a round are back to back, so they
    // share the machine's state of the moment (it drifts by ±20% over minutes on this shared VM).
    const roundRatios = (engine: Engine): number[] =>
      results.get(engine.name)!.rates.map((r, i) => r / results.get(readability.name)!.rates[i]!);
    const ratios = roundRatios(salvage);
    const oursOk = [...results.get(salvage.name)!.outcomes.values()].filter((o) => o.kind === 'ok').length;
    const caveat =
      oursOk < set.pages.length / 2
        ? `; salvage returned an article for only ${oursOk}/${set.pages.length} pages, so its rate is mostly the speed of rejecting`
        : '';
    console.log(
      `  speed ratio salvage / Readability.js+linkedom: ${median(ratios).toFixed(1)}× (median of the rounds' ${ratios.map((x) => x.toFixed(1)).join(', ')}; extraction call only, each engine in a process of its own, all pages whatever the outcome; target ≥ 5×${caveat})`,
    );
    if (engines.includes(probe))
      console.log(
        `  speed ratio salvage blank profile / Readability.js+linkedom: ${median(roundRatios(probe)).toFixed(1)}×`,
      );
  }
  console.log(`\npredictions and field files: ${work}`);
  if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify(summary, null, 1));
}

function readabilityVersion(): string {
  return (
    JSON.parse(readFileSync(join(root, 'node_modules/@mozilla/readability/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}
function linkedomVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/linkedom/package.json'), 'utf8')) as { version: string })
    .version;
}
