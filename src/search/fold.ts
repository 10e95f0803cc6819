/**
 * The normal form that both the index and queries use: NFKC, lower case, and Traditional / Hong Kong
 * variants folded to Simplified (opencc-js `hk` → `cn`), applied one code point at a time so that
 * every folded character can be traced back to the original text (snippets are cut from the
 * original, matches are found in the folded form).
 */
import * as OpenCC from 'opencc-js';
import { foldBy, foldWithOriginBy, type FoldedText } from './fold-core.js';

export type { FoldedText } from './fold-core.js';

/**
 * opencc-js converts by longest dictionary phrase; a phrase-level fold would change lengths and
 * make folded positions untraceable. Converting each character alone is consistent between index
 * and query (both fold the same way) and keeps a 1:1 character map. Checked 2025: every BMP and
 * supplementary CJK character converts to exactly one character with `hk` → `cn`.
 */
// opencc-js's bundled types do not resolve under NodeNext: its converter is typed here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const HK_TO_CN: (text: string) => string = OpenCC.Converter({ from: 'hk', to: 'cn' });

/** Folded form of each code point seen so far (lazily filled: ~5 µs per first sight, then a Map hit). */
const CACHE = new Map<number, string>();

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
  return foldBy(text, foldCodePoint);
}

/** Like {@link fold}, also returning where each folded unit came from (for snippets). */
export function foldWithOrigin(text: string): FoldedText {
  return foldWithOriginBy(text, foldCodePoint);
}
