/**
 * The coverage of an archive from its crawl state: what was discovered, fetched, written and
 * left unrecovered (by reason and year), what the service did (retries, 429s, outages, blocks),
 * which stored captures lost their WARC bytes, and the layout report. Every query of the state's
 * tables lives here; `salvage status`, `--json` and `coverage.json` render it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutReport, type LayoutSummary } from '../extract/index.js';
import { mementoUrl } from '../memento.js';
import type { CrawlState } from './state.js';
import type { MediaCounts } from './media-store.js';

/** The state's event type of a skipped CDX row (its detail: query, row, reason, text). */
export const CDX_ROW_SKIPPED_EVENT = 'cdx-row-skipped';

export interface CoverageReport {
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
  /** The images of the articles (`salvage media`), when the archive has a media store. */
  media?: MediaCounts;
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

/**
 * The coverage of an open crawl state. `capturesDir` is the folder of its WARC files, looked at
 * for missing evidence (a file gone or shorter than the state committed).
 */
export function readCoverage(state: CrawlState, capturesDir: string): CoverageReport {
  const n = (sql: string, ...params: unknown[]): number => state.get<{ n: number | null }>(sql, ...params)?.n ?? 0;
  // Damaged stretches as the last archive run found them (reading every record here would cost a full pass).
  const missingEvidence: CoverageReport['missingEvidence'] = {
    captures: 0,
    files: [],
    damagedStretches: state.warcDamage(),
  };
  for (const w of state.all<{ name: string; size: number }>('SELECT name, size FROM warcs ORDER BY name')) {
    const file = join(capturesDir, w.name);
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
  const byYear: CoverageReport['byYear'] = {};
  for (const r of state.all<{ year: string | null; state: string; n: number }>(
    'SELECT year, state, count(*) AS n FROM articles GROUP BY year, state',
  )) {
    const y = (byYear[r.year ?? 'unknown'] ??= { written: 0, unrecovered: 0, pending: 0 });
    y[r.state as 'written' | 'unrecovered' | 'pending'] += r.n;
  }
  const unrecoveredByReason: Record<string, number> = {};
  // A state of an older salvage, opened read-only, may lack the unrecovered table: its sentences
  // then say the kind before their first colon.
  const kinds =
    n("SELECT count(*) AS n FROM sqlite_master WHERE name = 'unrecovered'") > 0
      ? "SELECT kind AS reason, count(*) AS n FROM articles JOIN unrecovered ON article_id = id WHERE state = 'unrecovered' GROUP BY 1 ORDER BY 2 DESC, 1"
      : "SELECT substr(reason, 1, instr(reason || ':', ':') - 1) AS reason, count(*) AS n FROM articles WHERE state = 'unrecovered' GROUP BY 1 ORDER BY 2 DESC, 1";
  for (const r of state.all<{ reason: string; n: number }>(kinds)) unrecoveredByReason[r.reason] = r.n;
  return {
    site: state.getMeta('site'),
    discovered: {
      cdxRows: n('SELECT sum(rows) AS n FROM queries'),
      cdxRowsSkipped: n('SELECT count(DISTINCT detail) AS n FROM events WHERE type = ?', CDX_ROW_SKIPPED_EVENT),
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
