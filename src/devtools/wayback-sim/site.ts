/**
 * The site directory held in memory: one compact object per `cdx.jsonl` row, kept in file order
 * (sorted by urlkey, then timestamp), with lookups by urlkey and by digest. Bodies stay on disk.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SalvageError } from '../../errors.js';

const gunzipAsync = promisify(gunzip);

/** The public CDX fields, in the service's default order (WAYBACK.md, CDX index: fields). */
export const CDX_FIELDS = ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'] as const;
export type CdxField = (typeof CDX_FIELDS)[number];

/** One row of `cdx.jsonl`: the seven CDX strings plus the simulation's own fields. */
export interface SiteRow {
  urlkey: string;
  timestamp: string;
  original: string;
  mimetype: string;
  statuscode: string;
  digest: string;
  length: string;
  /** Relative path of the gzip file holding the payload bytes. */
  body: string | undefined;
  /** Redirect target (an original URL) of a 3xx row. */
  location: string | undefined;
  /** Simulation metadata: ok, redirect, notfound, challenge, truncated, revisit, dup, other. */
  kind: string;
  /**
   * Served in CDX answers in place of the fields (any JSON value; a string is a text line as it
   * is): a malformed row of the index, for the tests of "one bad row is one skipped row".
   */
  raw?: unknown;
}

export interface Site {
  readonly dir: string;
  /** Every row, sorted by urlkey then timestamp; duplicates kept. */
  readonly rows: readonly SiteRow[];
  /** First and one-past-last row index of each urlkey. */
  readonly byUrlkey: ReadonlyMap<string, { start: number; end: number }>;
  /** Index of the first non-revisit row of each digest. */
  readonly byDigest: ReadonlyMap<string, number>;
}

/** `-` marks a revisit's status (WAYBACK.md, CDX index: fields). */
export const REVISIT_STATUS = '-';

/**
 * Interns the few distinct values of repetitive fields (mimetype, status, kind, and urlkeys of
 * neighbouring rows) so 78k rows share one copy of each.
 */
class Interner {
  private readonly values = new Map<string, string>();
  get(value: string): string {
    const known = this.values.get(value);
    if (known !== undefined) return known;
    this.values.set(value, value);
    return value;
  }
}

function str(o: Record<string, unknown>, key: string, line: number, file: string): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw new SalvageError('INPUT_INVALID', `${file}:${line}: field "${key}" must be a string`, { subject: file });
  return v;
}

const compareRows = (a: SiteRow, b: SiteRow): number =>
  a.urlkey < b.urlkey
    ? -1
    : a.urlkey > b.urlkey
      ? 1
      : a.timestamp < b.timestamp
        ? -1
        : a.timestamp > b.timestamp
          ? 1
          : 0;

/** Reads `<dir>/cdx.jsonl`. Throws INPUT_UNREADABLE when missing, INPUT_INVALID for a bad line. */
export async function loadSite(dir: string): Promise<Site> {
  const file = join(dir, 'cdx.jsonl');
  const rows: SiteRow[] = [];
  const small = new Interner();
  let previousKey = '';
  let previousOriginal = '';
  let lineNo = 0;
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch (cause) {
        throw new SalvageError('INPUT_INVALID', `${file}:${lineNo}: not a JSON object`, { subject: file, cause });
      }
      let urlkey = str(o, 'urlkey', lineNo, file);
      if (urlkey === previousKey) urlkey = previousKey;
      previousKey = urlkey;
      let original = str(o, 'original', lineNo, file);
      if (original === previousOriginal) original = previousOriginal;
      previousOriginal = original;
      const body = o['body'];
      const location = o['location'];
      const kind = o['kind'];
      rows.push({
        urlkey,
        timestamp: str(o, 'timestamp', lineNo, file),
        original,
        mimetype: small.get(str(o, 'mimetype', lineNo, file)),
        statuscode: small.get(str(o, 'statuscode', lineNo, file)),
        digest: str(o, 'digest', lineNo, file),
        length: str(o, 'length', lineNo, file),
        body: typeof body === 'string' ? small.get(body) : undefined,
        location: typeof location === 'string' ? location : undefined,
        kind: small.get(typeof kind === 'string' ? kind : 'ok'),
        ...('raw' in o ? { raw: o['raw'] } : {}),
      });
    }
  } catch (error) {
    if (error instanceof SalvageError) throw error;
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `cannot read ${file}: is ${dir} a site directory written by hkcnews-site?`,
      { subject: file, cause: error },
    );
  }
  // WAYBACK: identical duplicate rows are common in the real index (WAYBACK.md, CDX index: edgi
  // wayback cassettes); `kind: dup` rows are kept and served as they are.
  // The generator writes rows sorted; a hand-made file may not be. A stable sort keeps duplicates.
  for (let i = 1; i < rows.length; i++) {
    if (compareRows(rows[i - 1]!, rows[i]!) > 0) {
      rows.sort(compareRows);
      break;
    }
  }
  const byUrlkey = new Map<string, { start: number; end: number }>();
  const byDigest = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const range = byUrlkey.get(row.urlkey);
    if (range === undefined) byUrlkey.set(row.urlkey, { start: i, end: i + 1 });
    else range.end = i + 1;
    if (row.statuscode !== REVISIT_STATUS && !byDigest.has(row.digest)) byDigest.set(row.digest, i);
  }
  return { dir, rows, byUrlkey, byDigest };
}

/** First row index whose urlkey is ≥ key (binary search over the sorted rows). */
export function lowerBound(rows: readonly SiteRow[], key: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.urlkey < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The payload bytes of a row (its gzip body file, decompressed). Throws INPUT_UNREADABLE. */
export async function readBody(site: Site, row: SiteRow): Promise<Buffer> {
  if (row.body === undefined) return Buffer.alloc(0);
  const root = resolve(site.dir);
  const path = resolve(root, row.body);
  if (!path.startsWith(root + sep))
    throw new SalvageError('INPUT_INVALID', `body path ${row.body} leaves the site directory`, { subject: row.body });
  try {
    return await gunzipAsync(await readFile(path));
  } catch (cause) {
    throw new SalvageError('INPUT_UNREADABLE', `cannot read the body ${row.body} of ${row.timestamp} ${row.original}`, {
      subject: path,
      cause,
    });
  }
}
