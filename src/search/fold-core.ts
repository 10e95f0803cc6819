/**
 * The fold loop, over any per-code-point fold: the server's (fold.ts, opencc-js) and the static
 * site's (export/client/fold-map.ts, a table the exporter writes) run this same code, so the two
 * fold text identically wherever their tables agree. No imports: it is bundled for the browser.
 */

/** Folded form of one non-ASCII code point (ASCII is only lower-cased, here). */
export type FoldCodePoint = (cp: number) => string;

/** The last ASCII code point; ASCII needs no NFKC or OpenCC, only lower-casing. */
const ASCII_MAX = 0x7f;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const CASE_OFFSET = 0x20;

/** Fold text one code point at a time. */
export function foldBy(text: string, foldCodePoint: FoldCodePoint): string {
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

/** Like {@link foldBy}, also returning where each folded unit came from (for snippets). */
export function foldWithOriginBy(text: string, foldCodePoint: FoldCodePoint): FoldedText {
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
