/** `salvage archive`, `salvage rebuild` and `salvage status`: thin wiring of crawl, store and wayback. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  extractCapture,
  LayoutReport,
  layoutReportLines,
  type LayoutSummary,
  type SiteProfile,
} from '../extract/index.js';
import {
  CAPTURES_DIR,
  CDX_ROW_SKIPPED_EVENT,
  COVERAGE_FILE,
  rescue,
  STATE_FILE,
  writeArchiveFile,
  type RescueEvent,
  type RescueProgress,
  type RescueSummary,
} from '../crawl/index.js';
import { writeFileAtomic } from '../markdown/index.js';
import { mementoUrl } from '../memento.js';
import { siteForUrl } from '../sites/index.js';
import { CrawlState, readWarcCaptures, type WarcDamage } from '../store/index.js';
import {
  DEFAULT_CLIENT_OPTIONS,
  Politeness,
  WaybackClient,
  type PolitenessEvent,
  type PolitenessOptions,
} from '../wayback/index.js';
import { SalvageError } from '../errors.js';

export interface ArchiveCommandOptions {
  out: string;
  wayback?: string;
  cdxRpm?: number;
  rps?: number;
  maxWaitMinutes?: number;
  concurrency?: number;
  /** How far a closest-capture redirect may move a capture's time, in minutes. */
  closestWindowMinutes?: number;
  timeScale?: number;
  quiet?: boolean;
}

const REDRAW_MS = 250;
const LOG_EVERY_MS = 30_000;

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

/** Progress: a redrawn line on a terminal, a plain line every 30 s otherwise. */
function progressPrinter(quiet: boolean): { update(p: RescueProgress): void; line(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let fetchStart: { at: number; done: number } | undefined;
  let last = 0;
  let drawn = false;
  const text = (p: RescueProgress): string => {
    if (p.phase === 'discover') return `discovering captures: ${p.cdxRows} CDX rows`;
    fetchStart ??= { at: Date.now(), done: p.done };
    const rate = (p.done - fetchStart.done) / Math.max((Date.now() - fetchStart.at) / 1000, 0.001);
    const left = p.articles - p.done;
    const eta = rate > 0 ? ` · ETA ${formatDuration((left / rate) * 1000)}` : '';
    const pct = p.articles > 0 ? ((100 * p.done) / p.articles).toFixed(1) : '0.0';
    return `${p.done}/${p.articles} articles (${pct}%) · ${p.written} written · ${p.unrecovered} unrecovered${p.failed ? ` · ${p.failed} failed` : ''} · ${p.fetched} fetched · ${rate.toFixed(1)} articles/s${eta}`;
  };
  const clear = (): void => {
    if (drawn) {
      process.stderr.write('\r\x1b[K');
      drawn = false;
    }
  };
  return {
    update(p) {
      if (quiet) return;
      const now = Date.now();
      if (tty) {
        if (now - last < REDRAW_MS) return;
        last = now;
        process.stderr.write('\r\x1b[K' + text(p));
        drawn = true;
      } else if (last === 0 || now - last >= LOG_EVERY_MS) {
        last = now;
        process.stderr.write(text(p) + '\n');
      }
    },
    line(t) {
      if (!quiet) {
        clear();
        process.stderr.write(t + '\n');
      }
    },
    done: clear,
  };
}

function describeEvent(e: PolitenessEvent): string | undefined {
  switch (e.type) {
    case 'rate-limited':
      return `the Wayback Machine answered 429 (too many requests): every request pauses ${formatDuration(e.pauseMs)}`;
    case 'outage':
      return `the Wayback Machine keeps failing (${e.serverErrors} server errors in a row): pausing ${formatDuration(e.pauseMs)}`;
    case 'blocked':
      return `the Wayback Machine ${e.cause === 'refused' ? 'refuses connections' : `connections keep failing (${e.cause})`}: this usually means this IP is blocked for an hour. Waiting ${formatDuration(e.pauseMs)}, then one gentle probe. Progress is saved; Ctrl-C is safe and the same command resumes.`;
    case 'unblocked':
      return `connections work again after ${formatDuration(e.blockedMs)}`;
    case 'retry':
      return undefined;
  }
}

/**
 * Skipped CDX rows shown one line each up to this many per run; a site with thousands of bad rows
 * would otherwise bury everything else. `salvage status` counts them all.
 */
const MAX_SKIPPED_ROW_LINES = 20;

/** Lines for the rows and captures a run stepped over (RescueEvent), with the reason of each. */
function rescueEventPrinter(line: (text: string) => void): (e: RescueEvent) => void {
  let skipped = 0;
  return (e) => {
    switch (e.type) {
      case 'cdx-row-skipped':
        skipped++;
        if (skipped <= MAX_SKIPPED_ROW_LINES)
          line(`skipped a malformed CDX row (${e.query}, row ${e.index}): ${e.reason}: ${e.text}`);
        if (skipped === MAX_SKIPPED_ROW_LINES)
          line(`further malformed CDX rows are skipped silently; salvage status counts them`);
        return;
      case 'capture-failed':
        line(
          `capture failed ${e.timestamp} ${e.original.length > 200 ? `${e.original.slice(0, 200)}…` : e.original} (article ${e.articleId}, ${e.kind}): ${e.reason}; trying the article's next capture`,
        );
        return;
      case 'capture-deferred':
        line(
          `capture ${e.timestamp} of article ${e.articleId} keeps failing (${e.reason}); tried once more at the end of the run`,
        );
        return;
    }
  };
}

export async function runArchive(site: SiteProfile, options: ArchiveCommandOptions): Promise<RescueSummary> {
  const printer = progressPrinter(options.quiet === true);
  const politenessOptions: PolitenessOptions = {
    ...(options.cdxRpm !== undefined ? { cdxPerMinute: options.cdxRpm } : {}),
    ...(options.rps !== undefined ? { capturesPerSecond: options.rps } : {}),
    ...(options.maxWaitMinutes !== undefined ? { maxWaitMs: options.maxWaitMinutes * 60_000 } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    onEvent: (e) => {
      const t = describeEvent(e);
      if (t) printer.line(t);
    },
  };
  const politeness = new Politeness(politenessOptions);
  const scale = options.timeScale ?? 1;
  const client = new WaybackClient({
    politeness,
    ...(options.wayback ? { baseUrl: options.wayback } : {}),
    ...(options.closestWindowMinutes !== undefined ? { closestWindowMs: options.closestWindowMinutes * 60_000 } : {}),
    timeoutMs: DEFAULT_CLIENT_OPTIONS.timeoutMs / scale,
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    printer.line(
      'stopping after the pages in flight… (progress is saved; run the same command to resume; Ctrl-C again to quit at once)',
    );
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const summary = await rescue({
      site,
      outDir: options.out,
      client,
      signal: controller.signal,
      notice: (l) => printer.line(l),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onProgress: (p) => printer.update(p),
      log: (l) => {
        if (l.startsWith('unrecovered') || l.startsWith('failed')) printer.line(l);
      },
      onEvent: rescueEventPrinter((t) => printer.line(t)),
    });
    printer.done();
    await writeCoverage(options.out);
    return summary;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await client.close();
  }
}

export interface StatusReport {
  site: string | undefined;
  /** `cdxRowsSkipped`: malformed rows skipped (each counted once, however many runs met it). */
  discovered: { cdxRows: number; cdxRowsSkipped: number; captures: number; articles: number };
  fetched: number;
  written: number;
  unrecovered: number;
  pending: number;
  unrecoveredByReason: Record<string, number>;
  attempts: { rejected: number; errors: number };
  retries: number;
  rateLimited: number;
  outages: number;
  blocks: number;
  blockedMs: number;
  pausedMs: number;
  runs: number;
  byYear: Record<string, { written: number; unrecovered: number; pending: number }>;
  /**
   * Stored captures whose WARC bytes are gone (file missing, or shorter than the record's end),
   * by file; the next salvage archive fetches them again.
   */
  missingEvidence: {
    captures: number;
    files: { warc: string; missing: boolean; size: number; committed: number; captures: number }[];
    damagedStretches: number;
  };
  /** Records in the WARC files that no listed capture points at (kept; rebuild reads them). */
  unlinkedRecords: number;
  /** Written articles grouped by page layout: where each field came from, what is missing (extract/layout.ts). */
  layouts: LayoutSummary[];
}

/** The layout report of an archive's state: its groups counted into layouts. */
function layoutsOf(state: CrawlState): LayoutSummary[] {
  const report = new LayoutReport();
  for (const g of state.layoutGroups()) {
    let fields: Record<string, [string, number]> = {};
    try {
      fields = JSON.parse(g.fields) as Record<string, [string, number]>;
    } catch {
      // a damaged row counts its pages with every field unknown
    }
    const evidence = Object.fromEntries(
      Object.entries(fields).map(([f, [source, disagreements]]) => [
        f,
        { source: String(source), disagreements: Number(disagreements) || 0 },
      ]),
    );
    const sample = g.timestamp !== null && g.original !== null ? mementoUrl(g.timestamp, g.original) : '-';
    if (g.from !== null) report.add({ layout: g.layout, date: g.from, sample, evidence }, 0);
    report.add({ layout: g.layout, date: g.to ?? undefined, sample, evidence }, g.n);
  }
  return report.summary();
}

/** The coverage of an archive folder, from its crawl state. */
export function readStatus(dir: string): StatusReport {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) {
    const hint = existsSync(join(dir, CAPTURES_DIR))
      ? `its ${CAPTURES_DIR}/ are kept: salvage archive rebuilds the state from them`
      : 'is it a folder written by salvage archive?';
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no crawl state (${STATE_FILE}); ${hint}`, { subject: dir });
  }
  const state = CrawlState.openReadOnly(path);
  try {
    return statusOf(dir, state);
  } catch (error) {
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `the crawl state ${path} cannot be read (${(error as Error).message}); salvage archive moves it aside and rebuilds it from the WARC files`,
      { cause: error, subject: path },
    );
  } finally {
    state.close();
  }
}

/** The status report of an open state (the WARC files are looked at for missing evidence). */
function statusOf(dir: string, state: CrawlState): StatusReport {
  const n = (sql: string, ...params: unknown[]): number => state.get<{ n: number | null }>(sql, ...params)?.n ?? 0;
  // Damaged stretches as the last archive run found them (reading every record here would cost a full pass).
  const missingEvidence: StatusReport['missingEvidence'] = {
    captures: 0,
    files: [],
    damagedStretches: state.warcDamage(),
  };
  for (const w of state.all<{ name: string; size: number }>('SELECT name, size FROM warcs ORDER BY name')) {
    const file = join(dir, CAPTURES_DIR, w.name);
    const missing = !existsSync(file);
    const size = missing ? 0 : statSync(file).size;
    if (size >= w.size) continue;
    const captures = n(
      'SELECT count(*) AS n FROM captures WHERE warc = ? AND warc_offset + warc_length > ?',
      w.name,
      size,
    );
    missingEvidence.files.push({ warc: w.name, missing, size, committed: w.size, captures });
    missingEvidence.captures += captures;
  }
  const byYear: StatusReport['byYear'] = {};
  for (const r of state.all<{ year: string | null; state: string; n: number }>(
    'SELECT year, state, count(*) AS n FROM articles GROUP BY year, state',
  )) {
    const y = (byYear[r.year ?? 'unknown'] ??= { written: 0, unrecovered: 0, pending: 0 });
    y[r.state as 'written' | 'unrecovered' | 'pending'] += r.n;
  }
  const unrecoveredByReason: Record<string, number> = {};
  for (const r of state.all<{ reason: string; n: number }>(
    "SELECT substr(reason, 1, instr(reason || ':', ':') - 1) AS reason, count(*) AS n FROM articles WHERE state = 'unrecovered' GROUP BY 1 ORDER BY 2 DESC",
  ))
    unrecoveredByReason[r.reason] = r.n;
  return {
    site: state.getMeta('site'),
    discovered: {
      cdxRows: n('SELECT sum(rows) AS n FROM queries'),
      cdxRowsSkipped: n(`SELECT count(DISTINCT detail) AS n FROM events WHERE type = '${CDX_ROW_SKIPPED_EVENT}'`),
      captures: n('SELECT count(*) AS n FROM captures'),
      articles: n('SELECT count(*) AS n FROM articles'),
    },
    // Stored captures whose bytes are still there: those gone are missing evidence, not fetched.
    fetched: n('SELECT count(*) AS n FROM captures WHERE warc IS NOT NULL') - missingEvidence.captures,
    written: n("SELECT count(*) AS n FROM articles WHERE state = 'written'"),
    unrecovered: n("SELECT count(*) AS n FROM articles WHERE state = 'unrecovered'"),
    pending: n("SELECT count(*) AS n FROM articles WHERE state = 'pending'"),
    unrecoveredByReason,
    attempts: {
      rejected: n("SELECT count(*) AS n FROM attempts WHERE outcome = 'rejected'"),
      errors: n("SELECT count(*) AS n FROM attempts WHERE outcome = 'error'"),
    },
    retries: n("SELECT count(*) AS n FROM events WHERE type = 'retry'"),
    rateLimited: n("SELECT count(*) AS n FROM events WHERE type = 'rate-limited'"),
    outages: n("SELECT count(*) AS n FROM events WHERE type = 'outage'"),
    blocks: n("SELECT count(*) AS n FROM events WHERE type = 'blocked'"),
    blockedMs: n("SELECT sum(ms) AS n FROM events WHERE type = 'unblocked'"),
    pausedMs: n("SELECT sum(ms) AS n FROM events WHERE type IN ('rate-limited', 'outage', 'blocked')"),
    runs: n("SELECT count(*) AS n FROM events WHERE type = 'run-start'"),
    byYear,
    missingEvidence,
    unlinkedRecords:
      n("SELECT count(*) AS n FROM sqlite_master WHERE name = 'warc_records'") > 0
        ? n('SELECT count(*) AS n FROM warc_records WHERE linked = 0')
        : 0,
    layouts: layoutsOf(state),
  };
}

export function formatStatus(s: StatusReport): string {
  const lines = [
    `site ${s.site ?? '?'}: ${s.discovered.articles} articles in ${s.discovered.captures} captures (${s.discovered.cdxRows} CDX rows${s.discovered.cdxRowsSkipped ? `, ${s.discovered.cdxRowsSkipped} malformed rows skipped` : ''})`,
    `written ${s.written} · unrecovered ${s.unrecovered} · pending ${s.pending} · captures fetched ${s.fetched}`,
  ];
  const reasons = Object.entries(s.unrecoveredByReason);
  if (reasons.length > 0) lines.push(`unrecovered by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(' · ')}`);
  lines.push(
    `attempts: ${s.attempts.rejected} captures rejected, ${s.attempts.errors} fetch errors · retries ${s.retries} · 429s ${s.rateLimited} · outages ${s.outages} · blocks ${s.blocks} (${formatDuration(s.blockedMs)} blocked) · paused ${formatDuration(s.pausedMs)} · runs ${s.runs}`,
  );
  if (s.missingEvidence.captures > 0 || s.missingEvidence.files.length > 0) {
    lines.push(
      `missing evidence: ${s.missingEvidence.captures} stored captures whose WARC bytes are gone (salvage archive fetches them again)`,
    );
    for (const f of s.missingEvidence.files)
      lines.push(
        `  ${CAPTURES_DIR}/${f.warc}: ${f.missing ? 'missing' : `${f.size} of ${f.committed} bytes`} · ${f.captures} captures`,
      );
  }
  if (s.missingEvidence.damagedStretches > 0)
    lines.push(
      `damaged WARC bytes: ${s.missingEvidence.damagedStretches} stretches found by the last archive run (left in place; salvage rebuild lists them)`,
    );
  if (s.unlinkedRecords > 0)
    lines.push(`${s.unlinkedRecords} WARC records not linked to a listed capture (kept; rebuild reads them)`);
  lines.push('by year (written / unrecovered / pending):');
  for (const [year, y] of Object.entries(s.byYear).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`  ${year}  ${y.written} / ${y.unrecovered} / ${y.pending}`);
  if (s.layouts.length > 0) {
    lines.push(
      `by layout (${s.layouts.length}; where each field came from, what is missing; salvage extract --explain on a sample shows why):`,
    );
    for (const line of layoutReportLines(s.layouts)) lines.push(`  ${line}`);
  }
  return lines.join('\n');
}

/** `coverage.json` beside `articles/`: the status report, rewritten atomically after each run. */
export async function writeCoverage(dir: string): Promise<void> {
  await writeFileAtomic(join(dir, COVERAGE_FILE), JSON.stringify(readStatus(dir), null, 2) + '\n');
}

export interface RebuildResult {
  records: number;
  written: number;
  /** Damaged or short stretches of the WARC files (every intact record around them was read). */
  damaged: number;
  /** Captures the crawl state lists whose bytes are missing, short or not a whole record. */
  missingEvidence: number;
  /** Set when the state could not be read, so its list was not checked. */
  stateUnchecked?: string;
}

/** Problems of one kind in one file are listed in full up to this many, then counted. */
const PROBLEM_LINES_PER_FILE = 20;

/**
 * Regenerate every archive file from the WARCs alone: records in file order (the order they were
 * fetched, each article's captures in rank order), the first one the extractor accepts per article.
 * Every damaged stretch is reported (`report`) and skipped; every (file, offset, length) the crawl
 * state lists is checked against the records read, in one merged pass (both are in file and offset
 * order). Any problem makes the result non-clean, for a non-zero exit.
 */
export async function runRebuild(
  dir: string,
  out: string,
  quiet: boolean,
  profiles: readonly SiteProfile[] = [],
  report: (line: string) => void = () => {},
): Promise<RebuildResult> {
  const captures = join(dir, CAPTURES_DIR);
  if (!existsSync(captures))
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no ${CAPTURES_DIR}/ folder of WARC files`, { subject: dir });
  const files = readdirSync(captures)
    .filter((n) => /\.warc(?:\.gz)?$/.test(n))
    .sort();
  const done = new Set<string>();
  const result: RebuildResult = { records: 0, written: 0, damaged: 0, missingEvidence: 0 };
  let state: CrawlState | undefined;
  let places: Iterator<{ id: number; warc: string; offset: number; length: number }> | undefined;
  const statePath = join(dir, STATE_FILE);
  if (existsSync(statePath)) {
    try {
      state = CrawlState.openReadOnly(statePath);
      places = state.storedPlaces();
    } catch (error) {
      state?.close();
      state = undefined;
      result.stateUnchecked = (error as Error).message;
      report(
        `the crawl state cannot be read (${(error as Error).message}): the stored captures it lists are not checked; salvage archive moves it aside and rebuilds it from the WARC files`,
      );
    }
  }
  let place = places?.next();
  const problems = new Map<string, number>();
  const problem = (file: string, line: string): void => {
    result.missingEvidence++;
    const n = (problems.get(file) ?? 0) + 1;
    problems.set(file, n);
    if (n <= PROBLEM_LINES_PER_FILE) report(`${CAPTURES_DIR}/${file}: ${line}`);
  };
  /** State places before (file, offset) that no intact record matched. */
  const passPlaces = (
    file: string | undefined,
    offset: number,
    why: (p: { warc: string; offset: number; length: number }) => string,
  ): void => {
    while (
      place &&
      !place.done &&
      (file === undefined || place.value.warc < file || (place.value.warc === file && place.value.offset < offset))
    ) {
      problem(place.value.warc, why(place.value));
      place = places!.next(); // places is set whenever place is
    }
  };
  const missingFile = (p: { offset: number; length: number }): string =>
    `missing: the stored capture at offset ${p.offset} (${p.length} bytes) is gone`;
  try {
    for (const file of files) {
      passPlaces(file, 0, missingFile);
      const path = join(captures, file);
      const size = statSync(path).size;
      // A file created just before a kill, with nothing in it yet: no record, no damage.
      if (size === 0) {
        passPlaces(file, Number.POSITIVE_INFINITY, missingFile);
        continue;
      }
      const notThere = (p: { offset: number; length: number }): string =>
        p.offset + p.length > size
          ? `the stored capture at offset ${p.offset} (${p.length} bytes) is past the end of the file (${size} bytes)`
          : `the bytes of the stored capture at offset ${p.offset} (${p.length} bytes) are not a whole record`;
      const onDamage = (d: WarcDamage): void => {
        result.damaged++;
        report(
          `${CAPTURES_DIR}/${file}: ${d.length} damaged bytes at offset ${d.offset} skipped (${d.reason}: ${d.message})`,
        );
      };
      try {
        for await (const c of readWarcCaptures(path, { onDamage })) {
          result.records++;
          passPlaces(file, c.offset, notThere);
          if (place && !place.done && place.value.warc === file && place.value.offset === c.offset) {
            if (place.value.length !== c.length)
              problem(
                file,
                `the stored capture at offset ${c.offset} is ${place.value.length} bytes in the crawl state, ${c.length} in the file`,
              );
            place = places!.next();
          }
          const site = profiles.find((p) => p.articleId(c.url) !== undefined) ?? siteForUrl(c.url);
          const id = site?.articleId(c.url);
          if (!site || id === undefined || done.has(`${site.id} ${id}`)) continue;
          const extracted = extractCapture(
            {
              payload: c.payload,
              url: c.url,
              timestamp: c.timestamp,
              ...(c.httpStatus !== undefined ? { httpStatus: c.httpStatus } : {}),
              ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
              ...(c.tooLargeBytes !== undefined ? { payloadBytes: c.tooLargeBytes } : {}),
            },
            site,
          );
          if (!extracted.ok) continue;
          await writeArchiveFile(out, extracted.article);
          done.add(`${site.id} ${id}`);
          if (!quiet && done.size % 5000 === 0)
            process.stderr.write(`${done.size} articles rebuilt from ${result.records} records\n`);
        }
      } catch (error) {
        // A file with no record at all: reported like damage, and the next file is read.
        if (!(error instanceof SalvageError) || error.code !== 'WARC_MALFORMED') throw error;
        result.damaged++;
        report(`${CAPTURES_DIR}/${file}: ${error.message}`);
      }
      passPlaces(file, Number.POSITIVE_INFINITY, notThere);
    }
    passPlaces(undefined, 0, missingFile);
  } finally {
    state?.close();
  }
  for (const [file, n] of problems)
    if (n > PROBLEM_LINES_PER_FILE)
      report(
        `${CAPTURES_DIR}/${file}: … ${n - PROBLEM_LINES_PER_FILE} more stored captures with missing or damaged bytes (${n} in all)`,
      );
  result.written = done.size;
  return result;
}
