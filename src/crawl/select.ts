/**
 * Which capture of an article to use: the order in which its captures are tried. The first one
 * the extractor accepts is the article's capture; the rest are never fetched.
 */
import { captureKey, isRevisit, type CdxRow } from '../wayback/index.js';

/** Only complete HTML responses can hold the article (redirects, 404s, images and revisits cannot). */
export function isCandidate(row: Pick<CdxRow, 'statuscode' | 'mimetype'>): boolean {
  return row.statuscode === 200 && !isRevisit(row) && /^(?:text\/html|application\/xhtml\+xml)\b/i.test(row.mimetype);
}

/**
 * The try order of an article's captures: status-200 HTML only, duplicates removed; first the
 * latest on or before the site's closing time (the article as it last stood while the site was
 * alive), newest first; then those after it, oldest first (later ones are more likely the
 * farewell page or an error page). Equal timestamps: by URL, then digest, so the order never
 * depends on the index's row order.
 */
export function rankCaptures<T extends CdxRow>(rows: Iterable<T>, closedAt: string): T[] {
  const seen = new Set<string>();
  const before: T[] = [];
  const after: T[] = [];
  for (const row of rows) {
    if (!isCandidate(row)) continue;
    const key = captureKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    (row.timestamp <= closedAt ? before : after).push(row);
  }
  const byUrl = (a: T, b: T): number => (a.original !== b.original ? (a.original < b.original ? -1 : 1) : a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
  before.sort((a, b) => (a.timestamp === b.timestamp ? byUrl(a, b) : a.timestamp < b.timestamp ? 1 : -1));
  after.sort((a, b) => (a.timestamp === b.timestamp ? byUrl(a, b) : a.timestamp < b.timestamp ? -1 : 1));
  return [...before, ...after];
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
