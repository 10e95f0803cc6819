/**
 * The CDX index API: building queries and reading answers strictly. A truncated or malformed
 * answer is an error to retry, never an empty result; one malformed row is skipped with its reason.
 */
import { SalvageError } from '../errors.js';
import { timestampToMs } from '../memento.js';

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
export class CdxMalformedError extends SalvageError {
  override readonly name = 'CdxMalformedError';
  constructor(message: string) {
    super('CDX_MALFORMED', message);
  }
}

export interface CdxPage {
  rows: CdxRow[];
  /** Where the next block starts; undefined when this was the last block. */
  resumeKey: string | undefined;
  /** Rows of this block that could not be used, each with its reason (the rest of the block is kept). */
  skipped: CdxSkippedRow[];
}

/** One row of an answer that is not a usable capture: logged and counted, never fatal. */
export interface CdxSkippedRow {
  /** Position in the answer's array (the header is 0). */
  index: number;
  /** Why, for the user: "timestamp \"abc\" is not 14 digits". */
  reason: string;
  /** The row as received, JSON-encoded and cut to CDX_SKIPPED_TEXT_CHARS (control characters escaped by JSON). */
  text: string;
}

const DASH = '-';

/** How much of a skipped row the log keeps: enough to find it in the index, never a huge line. */
export const CDX_SKIPPED_TEXT_CHARS = 300;

/**
 * The earliest capture time taken as real: 1991-01-01, when the Web had barely begun (the first
 * site went public in 1991; the Archive's own captures start in 1996). Earlier timestamps are
 * clock errors or corruption.
 */
export const CDX_EARLIEST_TIMESTAMP = '19910101000000';

/**
 * Slack for captures "from the future": the index's clock and ours may disagree by a few hours;
 * a timestamp later than a day from now is corrupt.
 */
export const CDX_FUTURE_SLACK_MS = 24 * 3600_000;

/**
 * The largest `length` (compressed WARC record bytes) taken as real: 1 TiB. A record lives in one
 * WARC file, and the Archive's WARC files are about 1 GB; a larger value is corruption (and past
 * 2^53 it would not even survive as a number).
 */
export const CDX_MAX_LENGTH = 2 ** 40;

const TIMESTAMP_14 = /^\d{14}$/;
const DIGITS = /^\d+$/;
/** An archived HTTP status: three digits, 100–599 (RFC 9110 §15). */
const HTTP_STATUS = /^[1-5]\d\d$/;
/** C0 controls, DEL and C1 controls: never part of a URL, key, type or digest in the index. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Half of a UTF-16 surrogate pair on its own (JSON's "\\ud800"): no URL can be encoded from it. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a 14-digit capture timestamp cannot be a real capture time, or undefined when it can:
 * not 14 digits, not a calendar time (month 13, 31 April, hour 24), before CDX_EARLIEST_TIMESTAMP
 * or more than CDX_FUTURE_SLACK_MS after `nowMs`.
 */
export function timestampProblem(ts: string, nowMs: number = Date.now()): string | undefined {
  const shown = JSON.stringify(ts.slice(0, 20));
  if (!TIMESTAMP_14.test(ts)) return `timestamp ${shown} is not 14 digits`;
  const ms = timestampToMs(ts);
  if (Number.isNaN(ms)) return `timestamp ${shown} is not a calendar time`;
  if (ts < CDX_EARLIEST_TIMESTAMP) return `timestamp ${shown} is before the Web existed`;
  if (ms > nowMs + CDX_FUTURE_SLACK_MS) return `timestamp ${shown} is in the future`;
  return undefined;
}

/**
 * Why a capture as the index lists it cannot be fetched or trusted, or undefined: a bad
 * timestamp (see timestampProblem), a control character in any field (a CR LF in `original`
 * would end up in a request line), a lone surrogate (no URL encoding exists for it). Used on every CDX row, and again on stored rows before a fetch.
 */
export function cdxRowProblem(
  row: Pick<CdxRow, 'urlkey' | 'timestamp' | 'original' | 'mimetype' | 'digest'>,
  nowMs: number = Date.now(),
): string | undefined {
  const ts = timestampProblem(row.timestamp, nowMs);
  if (ts) return ts;
  for (const field of ['original', 'urlkey', 'mimetype', 'digest'] as const) {
    if (CONTROL.test(row[field])) return `${field} holds a control character`;
    if (LONE_SURROGATE.test(row[field])) return `${field} is not well-formed Unicode (a lone surrogate)`;
  }
  if (row.original === '') return 'original is empty';
  return undefined;
}

/** DEL, C1 controls, line/paragraph separators and bidi controls: escaped in logged row text. */
const LOG_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function skippedText(row: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(row) ?? String(row);
  } catch {
    text = String(row);
  }
  // JSON escapes C0 controls; these it leaves raw, and a terminal would act on them.
  text = text.replace(LOG_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > CDX_SKIPPED_TEXT_CHARS ? `${text.slice(0, CDX_SKIPPED_TEXT_CHARS)}…` : text;
}

export interface ParseCdxOptions {
  /** The current time in ms since the epoch, for "from the future". Default Date.now(). */
  nowMs?: number;
}

/**
 * Parse an `output=json&showResumeKey=true` answer. An empty body is a valid empty result (the
 * service answers nothing for a URL it never saw); anything else must be a whole JSON array whose
 * first row is the header. A problem of the whole answer (cut short, not JSON, no header, a
 * broken cursor) is CdxMalformedError, to retry; a problem of one row (a bad timestamp, a control
 * character, a wrong field count, a value that is not a string, an absurd status or length) skips
 * that row only, with its reason in `skipped`: no retry changes a row the index holds.
 */
export function parseCdxJson(body: string, options: ParseCdxOptions = {}): CdxPage {
  const nowMs = options.nowMs ?? Date.now();
  // A byte-order mark is no content (a proxy or a decoder may add one); JSON.parse would refuse it.
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  if (body.trim() === '') return { rows: [], resumeKey: undefined, skipped: [] };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    // WAYBACK: answers can arrive cut short ("Unexpected end of JSON input"): retry, never treat
    // as the end of the index (birbwatcher/wayback-machine-downloader issue 2).
    throw new CdxMalformedError(
      `CDX answer is not complete JSON (${(error as Error).message}); ${body.length} characters received`,
    );
  }
  if (!Array.isArray(data)) throw new CdxMalformedError('CDX answer is not a JSON array');
  // WAYBACK: a query without captures answers `[]` (no header row).
  if (data.length === 0) return { rows: [], resumeKey: undefined, skipped: [] };
  const header = data[0] as unknown;
  if (!Array.isArray(header) || header.some((h) => typeof h !== 'string'))
    throw new CdxMalformedError('CDX answer has no header row');
  const index = new Map<string, number>((header as string[]).map((name, i) => [name, i]));
  for (const f of CDX_FIELDS) if (!index.has(f)) throw new CdxMalformedError(`CDX answer lacks the ${f} field`);
  const rows: CdxRow[] = [];
  const skipped: CdxSkippedRow[] = [];
  let resumeKey: string | undefined;
  for (let i = 1; i < data.length; i++) {
    const row = data[i] as unknown;
    // WAYBACK: with showResumeKey the rows end with an empty row, then a one-element row holding
    // the key (wayback-cdx-server README).
    if (Array.isArray(row) && row.length === 0) {
      const keyRow = data[i + 1] as unknown;
      if (i + 2 !== data.length || !Array.isArray(keyRow) || keyRow.length !== 1 || typeof keyRow[0] !== 'string') {
        throw new CdxMalformedError('CDX answer has an empty row that is not followed by exactly one resume key');
      }
      resumeKey = keyRow[0];
      break;
    }
    const result = readRow(row, header.length, index, nowMs);
    if (typeof result === 'string') skipped.push({ index: i, reason: result, text: skippedText(row) });
    else rows.push(result);
  }
  return { rows, resumeKey, skipped };
}

/** One data row → a CdxRow, or the reason it cannot be one. */
function readRow(row: unknown, width: number, index: ReadonlyMap<string, number>, nowMs: number): CdxRow | string {
  if (!Array.isArray(row)) return `not an array of fields`;
  if (row.length !== width) return `${row.length} fields, the header has ${width}`;
  const bad = row.findIndex((v) => typeof v !== 'string');
  if (bad >= 0) return `field ${bad + 1} is ${row[bad] === null ? 'null' : typeof row[bad]}, not a string`;
  const v = row as string[];
  const get = (f: CdxField): string => v[index.get(f)!]!; // every field's presence checked with the header
  const fields = {
    urlkey: get('urlkey'),
    timestamp: get('timestamp'),
    original: get('original'),
    mimetype: get('mimetype'),
    digest: get('digest'),
  };
  const problem = cdxRowProblem(fields, nowMs);
  if (problem) return problem;
  const status = get('statuscode');
  if (status !== DASH && !HTTP_STATUS.test(status))
    return `statuscode ${JSON.stringify(status.slice(0, 20))} is not an HTTP status or "-"`;
  const length = get('length');
  if (length !== DASH && !(DIGITS.test(length) && Number(length) <= CDX_MAX_LENGTH))
    return `length ${JSON.stringify(length.slice(0, 24))} is not a byte count up to ${CDX_MAX_LENGTH} or "-"`;
  return {
    ...fields,
    statuscode: status === DASH ? null : Number(status),
    length: length === DASH ? null : Number(length),
  };
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
