/**
 * Category, tag and author names as URL path segments that are also safe folder names for a static
 * export on any common file system. A name that is already safe is its own segment (`/tag/立法會/`);
 * any other gets a cleaned form plus `~` and 8 hex digits of its SHA-256 (`/tag/a-b~1f2e3d4c/` for
 * `a/b`), so segments stay unique and readable. Segments are reversed by lookup in a
 * {@link SegmentMap} built from every name of the archive.
 */
import { createHash } from 'node:crypto';

/**
 * Characters never kept in a segment: path separators, characters Windows forbids in file names,
 * `%` (a static host decodes the request path once), `~` (our suffix marker), C0/C1 controls and
 * Unicode line/paragraph separators.
 */
const UNSAFE_CHARS = /[/\\:*?"<>|%~\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Leading dots (hidden files, `.`/`..`) and trailing dots or spaces (Windows drops them). */
const EDGE_DOTS_SPACES = /^[.\s]+|[.\s]+$/g;
/** Device names Windows reserves with or without an extension. */
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\.|$)/i;
/** Segment bytes before the suffix; with `~` + 8 hex digits a segment stays ≤ 200 UTF-8 bytes. */
export const MAX_SEGMENT_BASE_BYTES = 180;
const HASH_HEX_DIGITS = 8;

/** Cut `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

/** The cleaned form of a name and whether cleaning changed it (then it needs the hash suffix). */
export function baseSegment(name: string): { base: string; changed: boolean } {
  let base = name.replace(UNSAFE_CHARS, '-').replace(EDGE_DOTS_SPACES, '');
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  base = cutToBytes(base, MAX_SEGMENT_BASE_BYTES);
  if (base === '') base = '_';
  return { base, changed: base !== name };
}

const hashOf = (name: string): string => createHash('sha256').update(name).digest('hex').slice(0, HASH_HEX_DIGITS);

/** Whether a segment is safe as a URL path segment and as a folder name (what SegmentMap produces). */
export function isSafeSegment(segment: string): boolean {
  return (
    segment !== '' &&
    Buffer.byteLength(segment) <= 200 &&
    !/[/\\:*?"<>|%\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(segment) &&
    !/^[.\s]|[.\s]$/.test(segment) &&
    !WINDOWS_RESERVED.test(segment)
  );
}

/**
 * Name ↔ segment for one set of names (every tag, say). Deterministic for a given set: a name keeps
 * its own text unless cleaning changed it or another name differs from it only in letter case
 * (`Carrie Lam` / `carrie lam` would share a folder on a case-insensitive file system); those get
 * the hash suffix.
 */
export class SegmentMap {
  readonly #toSegment = new Map<string, string>();
  readonly #toName = new Map<string, string>();

  constructor(names: Iterable<string>) {
    const bases = new Map<string, { base: string; changed: boolean }>();
    const caseCount = new Map<string, number>();
    for (const name of names) {
      if (bases.has(name)) continue;
      const b = baseSegment(name);
      bases.set(name, b);
      const folded = b.base.toLowerCase();
      caseCount.set(folded, (caseCount.get(folded) ?? 0) + 1);
    }
    for (const [name, { base, changed }] of bases) {
      const clash = (caseCount.get(base.toLowerCase()) ?? 0) > 1;
      const segment = changed || clash ? `${base}~${hashOf(name)}` : base;
      this.#toSegment.set(name, segment);
      this.#toName.set(segment, name);
    }
  }

  /** The segment of a known name (undefined for a name not in the set). */
  segmentOf(name: string): string | undefined {
    return this.#toSegment.get(name);
  }

  /** The name a segment stands for (undefined when no name has it). */
  nameOf(segment: string): string | undefined {
    return this.#toName.get(segment);
  }

  get size(): number {
    return this.#toSegment.size;
  }

  /** Every segment, in the order the names were given. */
  segments(): IterableIterator<string> {
    return this.#toName.keys();
  }
}
