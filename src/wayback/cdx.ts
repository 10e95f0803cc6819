/**
 * The CDX index API: building queries and reading answers strictly. A truncated or malformed
 * answer is an error to retry, never an empty result.
 */

/** The public CDX fields, in the service's default order. */
export const CDX_FIELDS = ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'] as const;
export type CdxField = (typeof CDX_FIELDS)[number];

/** One capture as the index lists it. */
export interface CdxRow {
  /** SURT key: `www.`, scheme and port folded away, so host twins share it. */
  urlkey: string;
  /** 14-digit capture time, UTC. */
  timestamp: string;
  /** The URL as it was crawled (non-ASCII percent-encoded). */
  original: string;
  mimetype: string;
  /** Archived HTTP status; null for revisits (`-`). */
  statuscode: number | null;
  /** Base32 SHA-1 of the payload. */
  digest: string;
  /** Payload length in bytes; null when unknown (`-`). */
  length: number | null;
}

export interface CdxQuery {
  /** `host/path/*` (prefix) or an exact URL. */
  url: string;
  matchType?: 'exact' | 'prefix' | 'host' | 'domain';
  /** `[!]field:regex`; the regex must match the whole field. */
  filter?: readonly string[];
  from?: string;
  to?: string;
}

/**
 * Rows per answer. The service streams large answers; a block of this size is ~1 MB of JSON
 * and keeps one retry cheap when an answer arrives truncated.
 */
export const CDX_PAGE_ROWS = 5000;

/** The URL of one block of a query, continuing after `resumeKey` when given. */
export function cdxQueryUrl(base: string, query: CdxQuery, resumeKey?: string, limit: number = CDX_PAGE_ROWS): string {
  const url = new URL('/cdx/search/cdx', base);
  const p = url.searchParams;
  p.set('url', query.url);
  if (query.matchType) p.set('matchType', query.matchType);
  p.set('output', 'json');
  // WAYBACK: resumeKey misbehaves unless urlkey is among the fields (internetarchive/wayback
  // issue 121), so every query asks for all seven, urlkey first.
  p.set('fl', CDX_FIELDS.join(','));
  for (const f of query.filter ?? []) p.append('filter', f);
  if (query.from) p.set('from', query.from);
  if (query.to) p.set('to', query.to);
  p.set('limit', String(limit));
  // WAYBACK: paging with the cursor, never `page=`: with pages rows go missing and filters apply
  // after paging (issues 135, 243, 270); without a cursor answers stop at 150,000 rows silently.
  p.set('showResumeKey', 'true');
  if (resumeKey !== undefined) p.set('resumeKey', resumeKey);
  return url.href;
}

/** The answer was not a complete CDX JSON document: retry the same request. */
export class CdxMalformedError extends Error {
  override readonly name = 'CdxMalformedError';
}

export interface CdxPage {
  rows: CdxRow[];
  /** Where the next block starts; undefined when this was the last block. */
  resumeKey: string | undefined;
}

const DASH = '-';

function numberOrNull(value: string, field: string): number | null {
  if (value === DASH) return null;
  if (!/^\d+$/.test(value)) throw new CdxMalformedError(`CDX field ${field} is ${JSON.stringify(value.slice(0, 20))}, not a number or "-"`);
  return Number(value);
}

/**
 * Parse an `output=json&showResumeKey=true` answer. An empty body is a valid empty result (the
 * service answers nothing for a URL it never saw); anything else must be a whole JSON array whose
 * first row is the header.
 */
export function parseCdxJson(body: string): CdxPage {
  if (body.trim() === '') return { rows: [], resumeKey: undefined };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    // WAYBACK: answers can arrive cut short ("Unexpected end of JSON input"): retry, never treat
    // as the end of the index (birbwatcher/wayback-machine-downloader issue 2).
    throw new CdxMalformedError(`CDX answer is not complete JSON (${(error as Error).message}); ${body.length} characters received`);
  }
  if (!Array.isArray(data)) throw new CdxMalformedError('CDX answer is not a JSON array');
  // WAYBACK: a query without captures answers `[]` (no header row).
  if (data.length === 0) return { rows: [], resumeKey: undefined };
  const header = data[0] as unknown;
  if (!Array.isArray(header) || header.some((h) => typeof h !== 'string')) throw new CdxMalformedError('CDX answer has no header row');
  const index = new Map<string, number>((header as string[]).map((name, i) => [name, i]));
  for (const f of CDX_FIELDS) if (!index.has(f)) throw new CdxMalformedError(`CDX answer lacks the ${f} field`);
  const rows: CdxRow[] = [];
  let resumeKey: string | undefined;
  for (let i = 1; i < data.length; i++) {
    const row = data[i] as unknown;
    if (!Array.isArray(row) || row.some((v) => typeof v !== 'string')) throw new CdxMalformedError(`CDX row ${i} is not an array of strings`);
    // WAYBACK: with showResumeKey the rows end with an empty row, then a one-element row holding
    // the key (wayback-cdx-server README).
    if (row.length === 0) {
      const keyRow = data[i + 1] as unknown;
      if (i + 2 !== data.length || !Array.isArray(keyRow) || keyRow.length !== 1 || typeof keyRow[0] !== 'string') {
        throw new CdxMalformedError('CDX answer has an empty row that is not followed by exactly one resume key');
      }
      resumeKey = keyRow[0];
      break;
    }
    if (row.length !== header.length) throw new CdxMalformedError(`CDX row ${i} has ${row.length} fields, the header ${header.length}`);
    const v = row as string[];
    const get = (f: CdxField): string => v[index.get(f)!]!; // every field's presence checked above
    const timestamp = get('timestamp');
    if (!/^\d{14}$/.test(timestamp)) throw new CdxMalformedError(`CDX row ${i} has timestamp ${JSON.stringify(timestamp.slice(0, 20))}`);
    rows.push({
      urlkey: get('urlkey'),
      timestamp,
      original: get('original'),
      mimetype: get('mimetype'),
      statuscode: numberOrNull(get('statuscode'), 'statuscode'),
      digest: get('digest'),
      length: numberOrNull(get('length'), 'length'),
    });
  }
  return { rows, resumeKey };
}

/**
 * WAYBACK: identical rows repeat in the index (edgi-govdata-archiving/wayback cassettes). Two rows
 * are one capture when these agree; digest alone is not enough (every empty redirect shares
 * `3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ`).
 */
export function captureKey(row: Pick<CdxRow, 'timestamp' | 'original' | 'digest' | 'statuscode'>): string {
  return `${row.timestamp} ${row.original} ${row.digest} ${row.statuscode ?? DASH}`;
}

/** A revisit: the payload equals an earlier capture with the same digest. */
export function isRevisit(row: Pick<CdxRow, 'mimetype' | 'statuscode'>): boolean {
  return row.mimetype === 'warc/revisit' || row.statuscode === null;
}
