/**
 * The normal form that both the index and queries use: NFKC, lower case, and Traditional / Hong Kong
 * variants folded to Simplified (opencc-js `hk` → `cn`), applied one code point at a time so that
 * every folded character can be traced back to the original text (snippets are cut from the
 * original, matches are found in the folded form).
 */
import * as OpenCC from 'opencc-js';

/**
 * opencc-js converts by longest dictionary phrase; a phrase-level fold would change lengths and
 * make folded positions untraceable. Converting each character alone is consistent between index
 * and query (both fold the same way) and keeps a 1:1 character map. Checked 2025: every BMP and
 * supplementary CJK character converts to exactly one character with `hk` → `cn`.
 */
const HK_TO_CN = OpenCC.Converter({ from: 'hk', to: 'cn' });

/** Folded form of each code point seen so far (lazily filled: ~5 µs per first sight, then a Map hit). */
const CACHE = new Map<number, string>();

/** The last ASCII code point; ASCII needs no NFKC or OpenCC, only lower-casing. */
const ASCII_MAX = 0x7f;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const CASE_OFFSET = 0x20;

function foldCodePoint(cp: number): string {
  const cached = CACHE.get(cp);
  if (cached !== undefined) return cached;
  const normalized = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
  const folded = HK_TO_CN(normalized);
  CACHE.set(cp, folded);
  return folded;
}

/**
 * Fold text for matching: NFKC, lower case, Traditional/HK → Simplified, per code point.
 * Example: `fold('衞生署ＡＢＣ')` → `'卫生署abc'`.
 */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= ASCII_MAX) {
      out += unit >= UPPER_A && unit <= UPPER_Z ? String.fromCharCode(unit + CASE_OFFSET) : text[i];
      continue;
    }
    const cp = text.codePointAt(i) ?? unit;
    if (cp > 0xffff) i++;
    out += foldCodePoint(cp);
  }
  return out;
}

/** Folded text plus, for every folded UTF-16 unit, the offset of the original unit it came from. */
export interface FoldedText {
  folded: string;
  /** `origin[i]` is the offset in the original text of the code point that produced `folded[i]`. */
  origin: Int32Array;
}

/** Like {@link fold}, also returning where each folded unit came from (for snippets). */
export function foldWithOrigin(text: string): FoldedText {
  let out = '';
  // Folded text is rarely longer than the original (NFKC ligatures, ㈱ → (株)); grow if it is.
  let origin = new Int32Array(text.length + 16);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const start = i;
    const unit = text.charCodeAt(i);
    let folded: string;
    if (unit <= ASCII_MAX) {
      folded = unit >= UPPER_A && unit <= UPPER_Z ? String.fromCharCode(unit + CASE_OFFSET) : text[i]!;
    } else {
      const cp = text.codePointAt(i) ?? unit;
      if (cp > 0xffff) i++;
      folded = foldCodePoint(cp);
    }
    out += folded;
    if (n + folded.length > origin.length) {
      const grown = new Int32Array(origin.length * 2 + folded.length);
      grown.set(origin);
      origin = grown;
    }
    for (let k = 0; k < folded.length; k++) origin[n++] = start;
  }
  return { folded: out, origin: origin.subarray(0, n) };
}
