/**
 * Bringing the crawl state and the WARC files back into agreement before a run, without touching a
 * WARC byte: records past what the state committed (a crash between write and commit, a lost or
 * rebuilt state, a file the state never knew) are adopted; bytes that hold no record are reported
 * and left in place; captures whose bytes are gone are marked to be fetched again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isoToTimestamp } from '../memento.js';
import { WARC_NAME } from './capture-store.js';
import { STATE_BATCH_ROWS, type CrawlState, type FoundRecord } from './state.js';
import { scanMembers } from './warc-scan.js';

/**
 * WARC headers salvage writes with each record: the capture asked for (a redirect makes the
 * record's own WARC-Target-URI and WARC-Date those of the capture it led to), so a rebuilt state
 * links the record to the capture the CDX index lists.
 */
export const REQUESTED_TIMESTAMP_HEADER = 'Salvage-Capture-Timestamp';
export const REQUESTED_URI_HEADER = 'Salvage-Capture-URI';

export type RecoveryEvent =
  /** `records` whole records from `from` on were unknown to the state and are now known. */
  | { type: 'adopted'; warc: string; from: number; records: number }
  /** Bytes that hold no record, left in place; readers skip them. */
  | { type: 'damaged' | 'incomplete'; warc: string; offset: number; bytes: number; detail: string }
  /** The file is shorter than the state committed (`size` 0 and `missing`: it is gone). */
  | { type: 'bytes-gone'; warc: string; size: number; committed: number; missing: boolean; captures: number };

export interface RecoverySummary {
  adopted: number;
  damaged: number;
  capturesGone: number;
}

/** The headers naming the capture asked for; `%`, white space and controls percent-encoded. */
export function requestedCaptureHeaders(timestamp: string, original: string): Record<string, string> {
  return {
    [REQUESTED_TIMESTAMP_HEADER]: timestamp,
    [REQUESTED_URI_HEADER]: original.replace(/[%\s\u0000-\u001f\u007f]/gu, (ch) => encodeURIComponent(ch)),
  };
}

/** The capture a record was fetched for, from the headers {@link requestedCaptureHeaders} wrote. */
export function requestedOf(warc: Map<string, string>): { timestamp: string; original: string } | undefined {
  const timestamp = warc.get(REQUESTED_TIMESTAMP_HEADER.toLowerCase());
  const uri = warc.get(REQUESTED_URI_HEADER.toLowerCase());
  if (!timestamp || !uri) return undefined;
  try {
    return { timestamp, original: decodeURIComponent(uri) };
  } catch {
    return undefined; // not as salvage writes it: the record's own URI and date are used
  }
}

/**
 * Reconcile the captures folder `dir` with `state`. Work is one pass over the bytes past each
 * file's committed size (all of a file the state does not know), records stored in batches.
 */
export async function recoverCaptures(
  dir: string,
  state: CrawlState,
  onEvent: (e: RecoveryEvent) => void = () => {},
): Promise<RecoverySummary> {
  const summary: RecoverySummary = { adopted: 0, damaged: 0, capturesGone: 0 };
  const committed = new Map(state.warcSizes().map((w) => [w.name, w.size]));
  const onDisk = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => WARC_NAME.test(n))
        .sort()
    : [];
  for (const [warc, size] of committed) {
    const path = join(dir, warc);
    const missing = !existsSync(path);
    const actual = missing ? 0 : statSync(path).size;
    if (actual >= size) continue;
    const captures = state.forgetStoredPast(warc, actual);
    summary.capturesGone += captures;
    onEvent({ type: 'bytes-gone', warc, size: actual, committed: size, missing, captures });
  }
  for (const warc of onDisk) {
    const path = join(dir, warc);
    const known = committed.get(warc);
    const from = known ?? 0;
    const stat = statSync(path);
    if (!stat.isFile()) {
      summary.damaged++;
      onEvent({ type: 'damaged', warc, offset: 0, bytes: 0, detail: 'not a file' });
      continue;
    }
    if (stat.size <= from) continue;
    let end = from;
    let batch: FoundRecord[] = [];
    let records = 0;
    const flush = (): void => {
      state.addFoundRecords(warc, batch, end > from || known === undefined ? end : undefined);
      batch = [];
    };
    try {
      for await (const m of scanMembers(path, from)) {
        if (m.kind !== 'record') {
          summary.damaged++;
          onEvent({ type: m.kind, warc, offset: m.offset, bytes: m.bytes, detail: m.detail });
          continue;
        }
        if (m.offset === end) end += m.length;
        if (m.head.type !== 'response') continue;
        const timestamp = isoToTimestamp(m.head.date) ?? '';
        // Records written before the Salvage-Capture headers: the record's own URI and date are the
        // capture's unless a redirect was followed (that capture is then fetched again).
        const url = m.head.targetUri;
        batch.push({
          offset: m.offset,
          length: m.length,
          url,
          timestamp,
          requested: requestedOf(m.head.warc) ?? { timestamp, original: url },
          sourceUri: m.head.warc.get('warc-source-uri'),
          fetchedAt: m.head.warc.get('salvage-fetch-date'),
        });
        records++;
        if (batch.length >= STATE_BATCH_ROWS) flush();
      }
    } catch (error) {
      // An unreadable file (permissions, I/O error) is reported like damage; the others are read.
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw error;
      summary.damaged++;
      onEvent({ type: 'damaged', warc, offset: end, bytes: 0, detail: `cannot be read: ${(error as Error).message}` });
    }
    flush();
    summary.adopted += records;
    if (records > 0) onEvent({ type: 'adopted', warc, from, records });
  }
  return summary;
}
