/**
 * Rendered answers, kept: a byte-bounded LRU in each process, over the page store on disk
 * (page-store.ts) that every process and every restart share. The archive and its index do not
 * change while a reader serves them (the reader clears both when the index does), so a page
 * rendered once is the same page until then; a popular page or search costs one render.
 */
import { codedEtag, compress, decompress, isCompressible, negotiate, type Coding } from './encoding.js';

/** One rendered 200 answer, in the codings made so far (at least one). */
export interface CachedResponse {
  status: number;
  /** Every header but Content-Length, Content-Encoding and ETag (set per coding). */
  headers: [string, string][];
  /** The identity representation's strong ETag, quoted. */
  etag: string;
  /** Whether the body is sent compressed to clients that accept it (text types of some size). */
  compressible: boolean;
  bodies: Partial<Record<Coding, Uint8Array>>;
}

/** What goes on the wire for one request: status, headers and body of the chosen coding. */
export interface Representation {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  etag: string;
}

/** A cache entry for a rendered answer (headers as rendered; `Content-Length` and `ETag` are dropped and set per coding). */
export function cacheEntry(
  status: number,
  headers: [string, string][],
  body: Uint8Array,
  etag: string,
): CachedResponse {
  const kept = headers.filter(([k]) => !/^(?:content-length|content-encoding|etag)$/i.test(k));
  const type = kept.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const compressible = isCompressible(type, body.byteLength);
  if (compressible) kept.push(['Vary', 'Accept-Encoding']);
  return { status, headers: kept, etag, compressible, bodies: { identity: body } };
}

/** Make every coding of a compressible entry now (what goes into the page store). */
export function withAllCodings(entry: CachedResponse): CachedResponse {
  if (entry.compressible) for (const c of ['br', 'gzip'] as const) bodyOf(entry, c);
  return entry;
}

/** The body of `coding`, made (and kept in the entry) from another coding when missing. */
function bodyOf(entry: CachedResponse, coding: Coding): Uint8Array {
  const have = entry.bodies[coding];
  if (have !== undefined) return have;
  let identity = entry.bodies.identity;
  if (identity === undefined) {
    const from = entry.bodies.br !== undefined ? 'br' : 'gzip';
    identity = decompress(entry.bodies[from]!, from); // an entry holds at least one coding
    entry.bodies.identity = identity;
  }
  const made = coding === 'identity' ? identity : compress(identity, coding);
  entry.bodies[coding] = made;
  return made;
}

/** The representation of `entry` for a request's `Accept-Encoding`. */
export function represent(entry: CachedResponse, acceptEncoding: string | undefined): Representation {
  const coding = entry.compressible ? negotiate(acceptEncoding) : 'identity';
  const body = bodyOf(entry, coding);
  const etag = codedEtag(entry.etag, coding);
  const headers: [string, string][] = [...entry.headers, ['Content-Length', String(body.byteLength)], ['ETag', etag]];
  if (coding !== 'identity') headers.push(['Content-Encoding', coding]);
  return { status: entry.status, headers, body, etag };
}

function entryBytes(key: string, entry: CachedResponse): number {
  let n = key.length * 2;
  for (const b of Object.values(entry.bodies)) n += b.byteLength;
  return n;
}

export class ResponseCache {
  readonly #entries = new Map<string, { entry: CachedResponse; bytes: number }>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** `maxBytes` 0 disables caching. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string): CachedResponse | undefined {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, found); // most recently used last
    }
    return found?.entry;
  }

  set(key: string, entry: CachedResponse): void {
    this.#remove(key);
    const bytes = entryBytes(key, entry);
    if (bytes > this.#maxBytes / 8) return; // one huge page would evict everything else
    this.#entries.set(key, { entry, bytes });
    this.#bytes += bytes;
    this.#evict();
  }

  /** Account for codings made after `set` (an entry grows when a client asks for a new coding). */
  touch(key: string): void {
    const found = this.#entries.get(key);
    if (found === undefined) return;
    const bytes = entryBytes(key, found.entry);
    this.#bytes += bytes - found.bytes;
    found.bytes = bytes;
    this.#evict();
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= old.bytes;
  }

  #evict(): void {
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.bytes;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }
}
