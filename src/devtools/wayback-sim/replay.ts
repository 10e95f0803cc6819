/**
 * `GET /web/<timestamp><modifier>/<original>`: exact replays of the archived bytes, archived
 * redirects, closest-capture redirects and the "not archived" page, with the real headers.
 */
import { readBody, REVISIT_STATUS, type Site, type SiteRow } from './site.js';
import { surt } from './surt.js';
import { httpDate, isFullTimestamp, msToTimestamp, timestampToMs } from './timestamps.js';

/** A finished replay answer (faults are applied by the server). */
export interface ReplayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Set for an exact replay: `timestamp + ' ' + original` of the row served (for SimStats). */
  captureKey?: string;
}

/**
 * `<timestamp><modifier>/<original>` after `/web/`; the timestamp may be absent (a timegate
 * request, answered with the latest capture) or partial. Compiled once.
 * WAYBACK: `id_` returns the original bytes; no modifier gives a rewritten page with a toolbar and
 * `im_`, `if_`, `js_`, `cs_` are content hints (WAYBACK.md, captures: pywb rewriter.rst). The
 * simulator answers every modifier with the original bytes.
 */
const REPLAY_PATH = /^(?:(\d{1,14})([a-z]{2}_)?\/)?(.+)$/s;
/** Proxies and clients merge `//` in paths: `https:/host` is read as `https://host`. */
const MERGED_SCHEME_SLASHES = /^([a-z][a-z0-9+.-]*:)\/(?!\/)/i;

const HTML_TYPE = 'text/html; charset=utf-8';
const HTML_SPECIAL = /[&<>"]/g;
const escapeHtml = (s: string): string => s.replace(HTML_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);

/** The Wayback Machine's page for a URL it holds no capture of (its wording, shortened). */
export const NOT_ARCHIVED_HTML =
  '<!DOCTYPE html>\n<html lang="en"><head><title>Wayback Machine</title></head><body>\n' +
  '<div id="error"><p class="code shift target">Hrm.</p>\n' +
  '<p class="code shift target">The Wayback Machine has not archived that URL.</p></div>\n</body></html>\n';

/** The Wayback Machine's page for a URL it will not play back (its wording; status 200, no Memento-Datetime). */
export const EXCLUDED_HTML =
  '<!DOCTYPE html>\n<html lang="en"><head><title>Wayback Machine</title></head><body>\n' +
  '<div id="error"><p class="code">Sorry.</p>\n<p class="code shift">This URL has been excluded from the Wayback Machine.</p></div>\n</body></html>\n';

/** The Wayback Machine's answer for a blocked site (status 403), CDX and replay alike. */
export const BLOCKED_SITE_HTML =
  '<!DOCTYPE html>\n<html><head><title>Wayback Machine</title></head><body>\n' +
  '<h1>Blocked Site Error</h1>\n<p>org.archive.wayback.accesscontrol.AdministrativeAccessControlException: Blocked Site Error</p>\n</body></html>\n';

export function html(status: number, text: string): ReplayAnswer {
  const body = Buffer.from(text, 'utf8');
  return { status, headers: { 'content-type': HTML_TYPE }, body };
}

/** `text/html` is served as UTF-8 (the generator writes UTF-8 pages); other types as they are. */
const contentType = (mimetype: string): string => (mimetype === 'text/html' ? HTML_TYPE : mimetype);

function linkHeader(simUrl: string, row: SiteRow): string {
  return [
    `<${row.original}>; rel="original"`,
    `<${simUrl}/web/timemap/link/${row.original}>; rel="timemap"; type="application/link-format"`,
    `<${simUrl}/web/${row.original}>; rel="timegate"`,
    `<${simUrl}/web/${row.timestamp}/${row.original}>; rel="memento"; datetime="${httpDate(row.timestamp)}"`,
  ].join(', ');
}

/** The row holding a revisit's payload: same digest, not a revisit; the same URL first. */
function payloadOf(site: Site, row: SiteRow, range: { start: number; end: number }): SiteRow | undefined {
  for (let i = range.start; i < range.end; i++) {
    const candidate = site.rows[i]!;
    if (candidate.digest === row.digest && candidate.statuscode !== REVISIT_STATUS) return candidate;
  }
  const index = site.byDigest.get(row.digest);
  return index === undefined ? undefined : site.rows[index];
}

async function replayRow(
  site: Site,
  row: SiteRow,
  range: { start: number; end: number },
  modifier: string,
  simUrl: string,
): Promise<ReplayAnswer> {
  let source = row;
  let mimetype = row.mimetype;
  let status = Number(row.statuscode);
  if (row.statuscode === REVISIT_STATUS) {
    // WAYBACK: a revisit (`warc/revisit`, status `-`) replays the payload of the earlier capture
    // with the same digest, with that capture's status and type (WAYBACK.md, CDX index: revisits).
    const payload = payloadOf(site, row, range);
    source = payload ?? row;
    mimetype = payload?.mimetype ?? 'application/octet-stream';
    status = payload === undefined ? 200 : Number(payload.statuscode);
  }
  if (!Number.isInteger(status)) status = 200;
  const body = await readBody(site, source);
  const headers: Record<string, string> = {
    'content-type': contentType(mimetype),
    // WAYBACK: a memento carries Memento-Datetime, Link (original/timemap/timegate), X-Archive-Src
    // and the original headers as X-Archive-Orig-* (WAYBACK.md, captures: headers).
    'memento-datetime': httpDate(row.timestamp),
    link: linkHeader(simUrl, row),
    'x-archive-src': `sim-${row.timestamp}-${row.digest.slice(0, 8).toLowerCase()}.warc.gz`,
    'x-archive-orig-content-type': contentType(mimetype),
    'x-archive-orig-content-length': String(body.length),
  };
  // WAYBACK: an archived 429 is played back with its status, Memento-Datetime and the site's own
  // Retry-After as X-Archive-Orig-Retry-After (WAYBACK.md, answers seen in real recordings).
  if (status === 429) headers['x-archive-orig-retry-after'] = '3600';
  if (status >= 300 && status < 400 && source.location !== undefined) {
    // WAYBACK: an archived redirect is itself the capture: it keeps Memento-Datetime and points
    // at the target at the same timestamp (WAYBACK.md, captures; edgi wayback `_client.py`).
    headers['location'] = `${simUrl}/web/${row.timestamp}${modifier}/${source.location}`;
    headers['x-archive-orig-location'] = source.location;
  }
  return { status, headers, body, captureKey: row.timestamp + ' ' + row.original };
}

/**
 * Answers a replay request. `path` is the raw request target after `/web/` (query included, as
 * it belongs to the original URL); `simUrl` is the simulator's base URL for Location headers.
 */
export async function answerReplay(
  site: Site,
  path: string,
  simUrl: string,
  options: { closestOnly?: boolean } = {},
): Promise<ReplayAnswer> {
  const m = REPLAY_PATH.exec(path);
  if (!m) return html(400, '<!DOCTYPE html><title>Bad Request</title><p>Bad replay URL</p>\n');
  const timestamp = m[1];
  const modifier = m[2] ?? '';
  const original = m[3]!.replace(MERGED_SCHEME_SLASHES, '$1//');
  let urlkey: string;
  try {
    urlkey = surt(original);
  } catch {
    return html(400, '<!DOCTYPE html><title>Bad Request</title><p>Bad original URL</p>\n');
  }
  const range = site.byUrlkey.get(urlkey);
  // WAYBACK: a URL without captures gets 404 and the "Hrm. The Wayback Machine has not archived
  // that URL." page.
  if (range === undefined) return html(404, NOT_ARCHIVED_HTML);

  if (timestamp !== undefined && isFullTimestamp(timestamp) && options.closestOnly !== true) {
    let exact: SiteRow | undefined;
    for (let i = range.start; i < range.end; i++) {
      const row = site.rows[i]!;
      if (row.timestamp !== timestamp) continue;
      if (exact === undefined || (row.original === original && exact.original !== original)) exact = row;
    }
    if (exact !== undefined) return replayRow(site, exact, range, modifier, simUrl);
  }

  // WAYBACK: an inexact timestamp redirects (302) to the closest capture, however far away, with
  // X-Archive-Redirect-Reason and without Memento-Datetime (WAYBACK.md, captures).
  const target = timestampToMs(timestamp ?? msToTimestamp(Date.now()));
  let best = site.rows[range.start]!;
  let bestDistance = Infinity;
  for (let i = range.start; i < range.end; i++) {
    const row = site.rows[i]!;
    // `closestOnly` (the `closest` URL fault): the exact capture cannot be played back, so the
    // service sends the reader to the nearest other one.
    if (options.closestOnly === true && row.timestamp === timestamp && range.end - range.start > 1) continue;
    const distance = Math.abs(timestampToMs(row.timestamp) - target);
    if (distance < bestDistance) {
      best = row;
      bestDistance = distance;
    }
  }
  const location = `${simUrl}/web/${best.timestamp}${modifier}/${best.original}`;
  const answer = html(
    302,
    `<!DOCTYPE html><title>Redirecting</title><p>found capture at ${best.timestamp}: <a href="${escapeHtml(location)}">${escapeHtml(location)}</a></p>\n`,
  );
  answer.headers['location'] = location;
  answer.headers['x-archive-redirect-reason'] = `found capture at ${best.timestamp}`;
  return answer;
}
