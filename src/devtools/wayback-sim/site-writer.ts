/**
 * Writes small site directories in the hkcnews-site format (`cdx.jsonl`, `bodies/*.gz`,
 * `manifest.json`), for tests that need a simulator without ../shared.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REVISIT_STATUS } from './site.js';
import { surt } from './surt.js';

/** One capture to write. */
export interface SimCaptureInput {
  /** The URL as crawled, e.g. `https://www.hkcnews.com/article/1/x`. */
  original: string;
  /** 14-digit UTC timestamp. */
  timestamp: string;
  /** Payload bytes (a string is written as UTF-8). Default empty. */
  body?: string | Uint8Array;
  /** Archived status. Default '301' when `location` is set, else '200'; '-' for revisits. */
  statuscode?: string;
  /** Default 'text/html'; 'warc/revisit' for revisits. */
  mimetype?: string;
  /** Redirect target of a 3xx capture (an original URL). */
  location?: string;
  /** A `warc/revisit` row: status `-`, the digest and length of `body`, as the index lists revisits. */
  revisit?: boolean;
  /** Simulation metadata. Default from the other fields: revisit, redirect, notfound or ok. */
  kind?: string;
  /** Served in CDX answers instead of the row's fields (a malformed row); see SiteRow.raw. */
  raw?: unknown;
}

/** RFC 4648 base32 alphabet, as Wayback digests use. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BITS_PER_BASE32_CHAR = 5;

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= BITS_PER_BASE32_CHAR) {
      out += BASE32[(value >>> (bits - BITS_PER_BASE32_CHAR)) & 31];
      bits -= BITS_PER_BASE32_CHAR;
    }
  }
  if (bits > 0) out += BASE32[(value << (BITS_PER_BASE32_CHAR - bits)) & 31];
  return out;
}

/** Wayback payload digest: base32 of the SHA-1 of the bytes (`3I42H3S6…` for an empty payload). */
export const waybackDigest = (bytes: Uint8Array): string => base32(createHash('sha1').update(bytes).digest());

const EXTENSIONS: Record<string, string> = { 'text/html': 'html', 'image/svg+xml': 'svg', 'image/jpeg': 'jpg' };

/**
 * Writes `captures` as a site directory (created if needed) and returns the rows written, in
 * index order. Urlkeys, digests and lengths are computed; rows are sorted like a CDX index
 * (urlkey, timestamp, original), keeping duplicates.
 */
export async function writeSimSite(
  dir: string,
  captures: readonly SimCaptureInput[],
): Promise<Record<string, string>[]> {
  await mkdir(join(dir, 'bodies'), { recursive: true });
  const rows: Record<string, unknown>[] = [];
  const written = new Set<string>();
  for (const c of captures) {
    const bytes = typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : Buffer.from(c.body ?? new Uint8Array(0));
    const digest = waybackDigest(bytes);
    const payloadType = c.revisit === true ? 'text/html' : (c.mimetype ?? 'text/html');
    const body = `bodies/${digest}.${EXTENSIONS[payloadType] ?? 'bin'}.gz`;
    if (!written.has(body)) {
      written.add(body);
      await writeFile(join(dir, body), gzipSync(bytes));
    }
    const statuscode =
      c.revisit === true ? REVISIT_STATUS : (c.statuscode ?? (c.location !== undefined ? '301' : '200'));
    const kind =
      c.kind ??
      (c.revisit === true
        ? 'revisit'
        : statuscode.startsWith('3')
          ? 'redirect'
          : statuscode === '404'
            ? 'notfound'
            : 'ok');
    const row: Record<string, unknown> = {
      urlkey: surt(c.original),
      timestamp: c.timestamp,
      original: c.original,
      mimetype: c.revisit === true ? 'warc/revisit' : payloadType,
      statuscode,
      digest,
      length: String(bytes.length),
      body,
    };
    if (c.location !== undefined) row['location'] = c.location;
    row['kind'] = kind;
    if (c.raw !== undefined) row['raw'] = c.raw;
    rows.push(row);
  }
  const order = (r: Record<string, unknown>): string[] => [
    r['urlkey'] as string,
    r['timestamp'] as string,
    r['original'] as string,
  ];
  rows.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  await writeFile(join(dir, 'cdx.jsonl'), rows.map((r) => JSON.stringify(r) + '\n').join(''));
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({ generator: 'wayback-sim writeSimSite', counts: { captures: rows.length } }, null, 1) + '\n',
  );
  // Every field is a string except `raw`, which only tests of malformed rows set (and read back as they wrote it).
  return rows as Record<string, string>[];
}
