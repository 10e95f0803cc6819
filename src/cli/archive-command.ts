/** `salvage archive` and `salvage status`: flags wired to crawl and wayback, and the reports rendered. */
import { layoutReportLines, type SiteProfile } from '../extract/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CAPTURES_DIR,
  STATE_FILE,
  readMediaStatus,
  readStatus,
  rescue,
  rescueMedia,
  type MediaProgress,
  type MediaSummary,
  writeCoverage,
  type RescueEvent,
  type RescueProgress,
  type RescueSummary,
} from '../crawl/index.js';
import type { CoverageReport, MediaCounts, MediaOutcome } from '../store/index.js';
import {
  DEFAULT_CLIENT_OPTIONS,
  Politeness,
  WaybackClient,
  type PolitenessEvent,
  type PolitenessOptions,
} from '../wayback/index.js';

/** The flags every command that asks the Wayback Machine shares. */
export interface WaybackCommandOptions {
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

export interface ArchiveCommandOptions extends WaybackCommandOptions {
  out: string;
  /** Also rescue the images of the written articles (after the pages, same budget). Default true. */
  media?: boolean;
}

/** What `salvage archive` did: the pages, and the images when they were rescued. */
export interface ArchiveRun {
  pages: RescueSummary;
  media?: MediaSummary;
}

const REDRAW_MS = 250;
const LOG_EVERY_MS = 30_000;

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

interface Printer<P> {
  update(p: P): void;
  line(text: string): void;
  done(): void;
}

/** Progress of `salvage archive` (see {@link linePrinter}). */
function progressPrinter(quiet: boolean): Printer<RescueProgress> {
  let fetchStart: { at: number; done: number } | undefined;
  return linePrinter(quiet, (p: RescueProgress): string => {
    if (p.phase === 'discover') return `discovering captures: ${p.cdxRows} CDX rows`;
    fetchStart ??= { at: Date.now(), done: p.done };
    const rate = (p.done - fetchStart.done) / Math.max((Date.now() - fetchStart.at) / 1000, 0.001);
    const left = p.articles - p.done;
    const eta = rate > 0 ? ` · ETA ${formatDuration((left / rate) * 1000)}` : '';
    const pct = p.articles > 0 ? ((100 * p.done) / p.articles).toFixed(1) : '0.0';
    return `${p.done}/${p.articles} articles (${pct}%) · ${p.written} written · ${p.unrecovered} unrecovered${p.failed ? ` · ${p.failed} failed` : ''} · ${p.fetched} fetched · ${rate.toFixed(1)} articles/s${eta}`;
  });
}

/** Progress: a redrawn line on a terminal, a plain line every 30 s otherwise; other lines above it. */
function linePrinter<P>(quiet: boolean, text: (p: P) => string): Printer<P> {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let drawn = false;
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

/** The Wayback client of a command: one politeness budget, its events as lines. */
function waybackClient(options: WaybackCommandOptions, line: (text: string) => void): WaybackClient {
  const politenessOptions: PolitenessOptions = {
    ...(options.cdxRpm !== undefined ? { cdxPerMinute: options.cdxRpm } : {}),
    ...(options.rps !== undefined ? { capturesPerSecond: options.rps } : {}),
    ...(options.maxWaitMinutes !== undefined ? { maxWaitMs: options.maxWaitMinutes * 60_000 } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    onEvent: (e) => {
      const t = describeEvent(e);
      if (t) line(t);
    },
  };
  const scale = options.timeScale ?? 1;
  return new WaybackClient({
    politeness: new Politeness(politenessOptions),
    ...(options.wayback ? { baseUrl: options.wayback } : {}),
    ...(options.closestWindowMinutes !== undefined ? { closestWindowMs: options.closestWindowMinutes * 60_000 } : {}),
    timeoutMs: DEFAULT_CLIENT_OPTIONS.timeoutMs / scale,
  });
}

/** Run `work` with Ctrl-C (and SIGTERM) turned into an abort of its signal; a second Ctrl-C quits at once. */
async function interruptible<T>(line: (text: string) => void, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    line(
      'stopping after the requests in flight… (progress is saved; run the same command to resume; Ctrl-C again to quit at once)',
    );
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

export async function runArchive(site: SiteProfile, options: ArchiveCommandOptions): Promise<ArchiveRun> {
  const printer = progressPrinter(options.quiet === true);
  const client = waybackClient(options, (t) => printer.line(t));
  try {
    return await interruptible(
      (t) => printer.line(t),
      async (signal) => {
        const pages = await rescue({
          site,
          outDir: options.out,
          client,
          signal,
          notice: (l) => printer.line(l),
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          onProgress: (p) => printer.update(p),
          log: (l) => {
            if (l.startsWith('unrecovered') || l.startsWith('failed')) printer.line(l);
          },
          onEvent: rescueEventPrinter((t) => printer.line(t)),
        });
        printer.done();
        const run: ArchiveRun = { pages };
        try {
          // The images once the pages are done, through the same client: one politeness budget.
          // No article written (no articles/ folder): no image to rescue.
          if (
            options.media !== false &&
            pages.stop === 'complete' &&
            !signal.aborted &&
            existsSync(join(options.out, 'articles'))
          ) {
            const images = mediaPrinter(options.quiet === true);
            run.media = await rescueMedia({
              archiveDir: options.out,
              client,
              signal,
              onProgress: (p) => images.update(p),
              log: (l) => images.line(l),
            });
            images.done();
          }
        } finally {
          // The pages' report whatever became of the images.
          await writeCoverage(options.out);
        }
        return run;
      },
    );
  } finally {
    await client.close();
  }
}

/** Progress of an image rescue (`salvage media`, and `salvage archive` after its pages). */
function mediaPrinter(quiet: boolean): Printer<MediaProgress> {
  return linePrinter<MediaProgress>(quiet, (p) => {
    const left = p.images - p.alreadyDone - p.stored - p.missing - p.failed;
    return `images: ${p.articles} articles read · ${p.images} shown (${p.alreadyDone} already done) · ${p.stored} stored · ${p.missing} missing${p.failed ? ` · ${p.failed} failed` : ''} · ${p.fetched} fetched · ${Math.max(0, left)} queued`;
  });
}

export interface MediaCommandOptions extends WaybackCommandOptions {
  dir: string;
}

/** `salvage media DIR`: the images of an archive's articles into its media store. */
export async function runMedia(options: MediaCommandOptions): Promise<MediaSummary> {
  const printer = mediaPrinter(options.quiet === true);
  const client = waybackClient(options, (t) => printer.line(t));
  try {
    return await interruptible(
      (t) => printer.line(t),
      async (signal) => {
        const summary = await rescueMedia({
          archiveDir: options.dir,
          client,
          signal,
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          onProgress: (p) => printer.update(p),
          log: (l) => printer.line(l),
        });
        printer.done();
        // An archive made by salvage archive keeps its coverage report up to date.
        if (existsSync(join(options.dir, STATE_FILE))) await writeCoverage(options.dir);
        return summary;
      },
    );
  } finally {
    await client.close();
  }
}

/** One line for the media store's counts: stored, files and bytes, and the missing by reason. */
export function mediaSummary(c: MediaCounts): string {
  const missing = Object.entries(c.byOutcome)
    .filter(([outcome]) => outcome !== 'stored')
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  return `${c.byOutcome.stored ?? 0} of ${c.total} images stored (${c.files} files, ${(c.fileBytes / 1024 / 1024).toFixed(1)} MiB)${missing ? `; missing: ${missing}` : ''}`;
}

/**
 * `salvage status DIR`: the coverage report as JSON (`--json`, and a bag's `coverage.json`) and
 * as text. An imported archive has no crawl state; its images (salvage media) are what there is
 * to report. Throws SalvageError INPUT_UNREADABLE when there is neither.
 */
export function statusReport(dir: string): { json: CoverageReport | { media: MediaCounts }; text: string } {
  const media = readMediaStatus(dir);
  if (media !== undefined)
    return { json: { media }, text: `no crawl state (not written by salvage archive); images: ${mediaSummary(media)}` };
  const status = readStatus(dir);
  return { json: status, text: formatStatus(status) };
}

/** `salvage status` as text: the coverage report, one topic a line. */
export function formatStatus(s: CoverageReport): string {
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
  if (s.media !== undefined) {
    lines.push(`images: ${mediaSummary(s.media)}`);
    const outcomes = Object.keys(s.media.byOutcome) as MediaOutcome[];
    lines.push(`  images by year (${outcomes.join(' / ')}):`);
    for (const [year, y] of Object.entries(s.media.byYear).sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`    ${year || 'undated'}  ${outcomes.map((o) => y[o] ?? 0).join(' / ')}`);
  }
  if (s.layouts.length > 0) {
    lines.push(
      `by layout (${s.layouts.length}; where each field came from, what is missing; salvage extract --explain on a sample shows why):`,
    );
    for (const line of layoutReportLines(s.layouts)) lines.push(`  ${line}`);
  }
  return lines.join('\n');
}
