/**
 * `GET /cdx/search/cdx` over the in-memory index: the query parameters of the real CDX server
 * (internetarchive/wayback `wayback-cdx-server/README.md`), its output formats and its cursor.
 */
import { CDX_FIELDS, lowerBound, type CdxField, type Site, type SiteRow } from './site.js';
import { surt, surtHost } from './surt.js';
import { PARTIAL_TIMESTAMP, padFrom, padTo } from './timestamps.js';
import { unitHash } from './options.js';

/** A finished CDX answer: a status and a body (gzip and faults are applied by the server). */
export interface CdxAnswer {
  status: number;
  contentType: string;
  body: string;
  /** True for `output=json` answers with rows, the only ones a truncated-JSON fault may cut. */
  json: boolean;
}

type MatchType = 'exact' | 'prefix' | 'host' | 'domain';
const MATCH_TYPES: readonly string[] = ['exact', 'prefix', 'host', 'domain'];

interface Filter {
  field: CdxField;
  negate: boolean;
  regex: RegExp;
}
interface Collapse {
  field: CdxField;
  chars: number | undefined;
}

/** `[!]field:regex` (WAYBACK.md, CDX index: params). */
const FILTER_PARAM = /^(!?)([a-z]+):(.*)$/s;
/** `field` or `field:N`. */
const COLLAPSE_PARAM = /^([a-z]+)(?::(\d+))?$/;
const INTEGER = /^-?\d+$/;
/** Separator inside a decoded resume key: urlkeys and timestamps never contain it. */
const KEY_SEPARATOR = ' ';
/**
 * How far a resumed page lands from the right row when `urlkey` is not in `fl`: 1 to
 * RESUME_DRIFT_MAX rows too early (repeats) or too late (skips), chosen by a hash of the key.
 */
const RESUME_DRIFT_MAX = 3;

const TEXT_TYPE = 'text/plain; charset=UTF-8';
const JSON_TYPE = 'application/json';

const badRequest = (message: string): CdxAnswer => ({
  status: 400,
  contentType: TEXT_TYPE,
  body: `Bad Request: ${message}\n`,
  json: false,
});

function isField(name: string): name is CdxField {
  return (CDX_FIELDS as readonly string[]).includes(name);
}

/** Resume keys: base64url of `urlkey timestamp nextRowIndex`; opaque to clients. */
export function encodeResumeKey(row: SiteRow, nextIndex: number): string {
  return Buffer.from([row.urlkey, row.timestamp, String(nextIndex)].join(KEY_SEPARATOR), 'utf8').toString('base64url');
}

/** The row index a resume key continues from, or undefined when the key is not one of ours. */
export function decodeResumeKey(key: string, rowCount: number): number | undefined {
  const parts = Buffer.from(key, 'base64url').toString('utf8').split(KEY_SEPARATOR);
  const next = Number(parts[2]);
  if (parts.length !== 3 || !Number.isInteger(next) || next < 0 || next > rowCount) return undefined;
  return next;
}

/** Row range [start, end) of the query's urlkeys, following UrlSurtRangeComputer of the CDX server. */
function keyRange(site: Site, url: string, matchType: MatchType): { start: number; end: number } {
  if (matchType === 'exact') return site.byUrlkey.get(surt(url)) ?? { start: 0, end: 0 };
  if (matchType === 'prefix') {
    const key = surt(url, { keepTrailingSlash: true });
    if (!key.endsWith(')/')) {
      const after = key.slice(0, -1) + String.fromCharCode(key.charCodeAt(key.length - 1) + 1);
      return { start: lowerBound(site.rows, key), end: lowerBound(site.rows, after) };
    }
    // A prefix query for the root is a host query, as in the real server.
  }
  const host = surtHost(url);
  // WAYBACK: host = keys from `host)/` up to `host*`; domain also takes subdomains `host,…` by
  // ending at `host-` (internetarchive/wayback UrlSurtRangeComputer.determineRange).
  const endKey = matchType === 'domain' ? host + '-' : host + '*';
  return { start: lowerBound(site.rows, host + ')/'), end: lowerBound(site.rows, endKey) };
}

/** Answers one CDX query; `maxRows` is the cap of a query without a cursor (150,000 by default). */
export function answerCdx(site: Site, params: URLSearchParams, maxRows: number): CdxAnswer {
  // WAYBACK: paged queries lose rows and web.archive.org often answers `-`, 400 or 403 to them
  // (WAYBACK.md, paging: issues 135, 243, 270); the simulator refuses them outright.
  if (params.has('page') || params.has('showNumPages') || params.has('pageSize')) {
    return badRequest(
      'page, pageSize and showNumPages are not supported by the simulator; page with showResumeKey=true and resumeKey',
    );
  }
  let url = params.get('url');
  if (url === null || url === '') return badRequest('missing url parameter');
  const explicitMatch = params.get('matchType');
  if (explicitMatch !== null && !MATCH_TYPES.includes(explicitMatch))
    return badRequest(`unknown matchType ${explicitMatch}`);
  let matchType = (explicitMatch ?? 'exact') as MatchType;
  // WAYBACK: `host/path/*` means a prefix query and `*.host` a domain query (cdx-server README).
  if (url.startsWith('*.')) {
    url = url.slice(2);
    if (explicitMatch === null) matchType = 'domain';
  }
  if (url.endsWith('*')) {
    url = url.slice(0, -1);
    if (explicitMatch === null) matchType = 'prefix';
  }

  const fl: CdxField[] = [];
  for (const name of (params.get('fl') ?? CDX_FIELDS.join(',')).split(',')) {
    if (!isField(name)) return badRequest(`unknown field ${name} in fl`);
    fl.push(name);
  }

  const filters: Filter[] = [];
  for (const value of params.getAll('filter')) {
    const m = FILTER_PARAM.exec(value);
    if (!m || !isField(m[2]!)) return badRequest(`bad filter ${value}: use [!]field:regex`);
    try {
      // WAYBACK: the regex must match the whole field (Java Matcher.matches): `statuscode:2..`,
      // not `statuscode:2` (WAYBACK.md, CDX index: params).
      filters.push({ field: m[2], negate: m[1] === '!', regex: new RegExp(`^(?:${m[3]})$`, 's') });
    } catch {
      return badRequest(`bad regex in filter ${value}`);
    }
  }

  const collapses: Collapse[] = [];
  for (const value of params.getAll('collapse')) {
    const m = COLLAPSE_PARAM.exec(value);
    if (!m || !isField(m[1]!)) return badRequest(`bad collapse ${value}: use field or field:N`);
    collapses.push({ field: m[1], chars: m[2] === undefined ? undefined : Number(m[2]) });
  }

  const fromParam = params.get('from');
  const toParam = params.get('to');
  for (const ts of [fromParam, toParam]) {
    if (ts !== null && ts !== '' && !PARTIAL_TIMESTAMP.test(ts))
      return badRequest(`bad timestamp ${ts}: use 1 to 14 digits`);
  }
  // WAYBACK: `from`/`to` take 1–14 digits; `from` pads with 0s, `to` with 9s (cdx-server README).
  const from = fromParam ? padFrom(fromParam) : undefined;
  const to = toParam ? padTo(toParam) : undefined;

  const limitParam = params.get('limit');
  if (limitParam !== null && !INTEGER.test(limitParam)) return badRequest(`bad limit ${limitParam}`);
  const limit = limitParam === null ? 0 : Number(limitParam);
  const showResumeKey = params.get('showResumeKey') === 'true';
  const output = params.get('output') === 'json' ? 'json' : 'text';

  let range: { start: number; end: number };
  try {
    range = keyRange(site, url, matchType);
  } catch {
    return badRequest(`cannot read url ${url}`);
  }
  let start = range.start;
  const resumeKey = params.get('resumeKey');
  if (resumeKey !== null && resumeKey !== '') {
    const next = decodeResumeKey(resumeKey, site.rows.length);
    if (next === undefined) return badRequest('invalid resumeKey');
    start = Math.max(start, next);
  }

  // WAYBACK: without a cursor the answer stops silently at 150,000 rows (WAYBACK.md, paging); with
  // one, a full page ends with a key even when nothing follows (CDXServer writes it whenever the
  // write count reached the limit).
  const writeLimit = limit > 0 ? Math.min(limit, maxRows) : maxRows;
  const lastN = limit < 0 ? Math.min(-limit, maxRows) : 0;
  let selected: number[] = [];
  const lastValues: (string | undefined)[] = collapses.map(() => undefined);
  for (let i = start; i < range.end; i++) {
    const row = site.rows[i]!;
    if (from !== undefined && row.timestamp < from) continue;
    if (to !== undefined && row.timestamp > to) continue;
    if (!filters.every((f) => f.regex.test(row[f.field]) !== f.negate)) continue;
    // WAYBACK: collapse compares each row with the previous row kept, so equal values that are
    // not adjacent survive (cdx-server README "collapse").
    let unique = true;
    for (let c = 0; c < collapses.length && unique; c++) {
      const { field, chars } = collapses[c]!;
      const value = chars === undefined ? row[field] : row[field].slice(0, chars);
      if (value === lastValues[c]) unique = false;
      else lastValues[c] = value;
    }
    if (!unique) continue;
    selected.push(i);
    if (lastN === 0 && selected.length >= writeLimit) break;
  }
  // WAYBACK: a negative limit returns the last N rows (cdx-server README "limit").
  if (lastN > 0) selected = selected.slice(-lastN);

  let key: string | undefined;
  const lastIndex = selected[selected.length - 1];
  if (showResumeKey && lastN === 0 && lastIndex !== undefined && selected.length >= writeLimit) {
    const last = site.rows[lastIndex]!;
    // WAYBACK: the cursor only works when urlkey is in fl; without it resumed pages repeat or
    // skip rows (WAYBACK.md, paging: internetarchive/wayback issue 121). Here the next page
    // starts 1–3 rows early or late, fixed by the key.
    // A repeat never reaches back to this page's first row, so paging still ends.
    let next = lastIndex + 1;
    if (!fl.includes('urlkey')) {
      const u = unitHash(last.urlkey + KEY_SEPARATOR + last.timestamp + KEY_SEPARATOR + lastIndex);
      const drift = 1 + Math.floor(u * RESUME_DRIFT_MAX);
      const back = Math.min(drift, selected.length - 1);
      next += unitHash(String(lastIndex)) < 0.5 && back > 0 ? -back : drift;
    }
    key = encodeResumeKey(last, Math.min(next, site.rows.length));
  }
  return output === 'json' ? formatJson(site, selected, fl, key) : formatText(site, selected, fl, key);
}

function formatJson(
  site: Site,
  selected: readonly number[],
  fl: readonly CdxField[],
  key: string | undefined,
): CdxAnswer {
  // WAYBACK: an empty JSON answer is `[]`, without the header row: the header is written with the
  // first row (internetarchive/wayback cdx-server JsonWriter.writeLine).
  if (selected.length === 0) return { status: 200, contentType: JSON_TYPE, body: '[]\n', json: false };
  // WAYBACK: JSON is an array of arrays of strings, the first the header; with a cursor the rows
  // are followed by `[]` and `["<key>"]` (WAYBACK.md, CDX index: paging).
  const lines = [JSON.stringify(fl)];
  for (const i of selected) {
    const row = site.rows[i]!;
    lines.push(row.raw !== undefined ? JSON.stringify(row.raw) : JSON.stringify(fl.map((f) => row[f])));
  }
  if (key !== undefined) lines.push('[]', JSON.stringify([key]));
  return { status: 200, contentType: JSON_TYPE, body: '[' + lines.join(',\n') + ']\n', json: true };
}

function formatText(
  site: Site,
  selected: readonly number[],
  fl: readonly CdxField[],
  key: string | undefined,
): CdxAnswer {
  const lines: string[] = [];
  for (const i of selected) {
    const row = site.rows[i]!;
    if (row.raw !== undefined) lines.push((typeof row.raw === 'string' ? row.raw : JSON.stringify(row.raw)) + '\n');
    else lines.push(fl.map((f) => row[f]).join(' ') + '\n');
  }
  // WAYBACK: text answers end a page with a blank line and the key (cdx-server PlainTextWriter).
  if (key !== undefined) lines.push('\n' + key + '\n');
  return { status: 200, contentType: TEXT_TYPE, body: lines.join(''), json: false };
}
