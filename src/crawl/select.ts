/**
 * Which capture of an article to use: the order in which its captures are tried. The first one
 * the extractor accepts is the article's capture; the rest are never fetched.
 */
import { captureKey, isRevisit, type CdxRow } from '../wayback/index.js';

/** Only complete HTML responses can hold the article (redirects, 404s, images and revisits cannot). */
export function isCandidate(row: Pick<CdxRow, 'statuscode' | 'mimetype'>): boolean {
  return row.statuscode === 200 && !isRevisit(row) && /^(?:text\/html|application\/xhtml\+xml)\b/i.test(row.mimetype);
}

/** What a revisit repeats: the status and type of the capture whose payload it shares. */
export type RevisitResolver = (row: CdxRow) => Pick<CdxRow, 'statuscode' | 'mimetype'> | undefined;

/**
 * The try order of an article's captures: status-200 HTML only, duplicates removed; first the
 * latest on or before the site's closing time (the article as it last stood while the site was
 * alive), newest first; then those after it, oldest first (later ones are more likely the
 * farewell page or an error page). Equal timestamps: by URL, then digest, so the order never
 * depends on the index's row order.
 *
 * Revisits come last, in the same order, and only those that `resolve` says repeat a status-200
 * HTML capture: WAYBACK: a revisit (`warc/revisit`, status `-`) has the payload of an earlier
 * capture with the same digest, which the service serves in its place (WAYBACK.md, revisits).
 * They matter only when that capture is not among the article's own rows (it is tried first when it is).
 */
export function rankCaptures<T extends CdxRow>(rows: Iterable<T>, closedAt: string, resolve?: RevisitResolver): T[] {
  const seen = new Set<string>();
  const before: T[] = [];
  const after: T[] = [];
  const revisitsBefore: T[] = [];
  const revisitsAfter: T[] = [];
  for (const row of rows) {
    let early: T[];
    let late: T[];
    if (isCandidate(row)) {
      [early, late] = [before, after];
    } else {
      const repeated = isRevisit(row) ? resolve?.(row) : undefined;
      if (!repeated || !isCandidate(repeated)) continue;
      [early, late] = [revisitsBefore, revisitsAfter];
    }
    const key = captureKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    (row.timestamp <= closedAt ? early : late).push(row);
  }
  const byUrl = (a: T, b: T): number =>
    a.original !== b.original
      ? a.original < b.original
        ? -1
        : 1
      : a.digest < b.digest
        ? -1
        : a.digest > b.digest
          ? 1
          : 0;
  const newestFirst = (a: T, b: T): number =>
    a.timestamp === b.timestamp ? byUrl(a, b) : a.timestamp < b.timestamp ? 1 : -1;
  const oldestFirst = (a: T, b: T): number =>
    a.timestamp === b.timestamp ? byUrl(a, b) : a.timestamp < b.timestamp ? -1 : 1;
  return [
    ...before.sort(newestFirst),
    ...after.sort(oldestFirst),
    ...revisitsBefore.sort(newestFirst),
    ...revisitsAfter.sort(oldestFirst),
  ];
}

/** Why no capture was tried, for the unrecovered report: counts of the kinds of rows there were. */
export function nonCandidateSummary(rows: Iterable<Pick<CdxRow, 'statuscode' | 'mimetype'>>): string {
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (isCandidate(row)) continue;
    const kind = isRevisit(row) ? 'revisit' : row.statuscode !== 200 ? `HTTP ${row.statuscode}` : row.mimetype;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}
