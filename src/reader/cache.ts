/**
 * A byte-bounded LRU of rendered responses, keyed by path and query. The archive and its index do
 * not change while a reader serves them (the reader clears the cache when the index file does), so
 * a page rendered once is the same page until then; a popular page or search costs one render.
 */

export interface CachedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  etag: string;
}

export class ResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** `maxBytes` 0 disables caching. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry); // most recently used last
    }
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    const size = entry.body.byteLength + key.length * 2;
    if (size > this.#maxBytes / 8) return; // one huge page would evict everything else
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.body.byteLength + key.length * 2;
    }
    this.#entries.set(key, entry);
    this.#bytes += size;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.body.byteLength + k.length * 2;
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
