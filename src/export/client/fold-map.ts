/**
 * The browser's fold: the same function as src/search/fold.ts (NFKC, lower case, HK/Traditional →
 * Simplified, one code point at a time), driven by a table the exporter writes
 * (`search-index/fold.json`: every code point whose fold differs from itself), so the browser
 * ships no opencc-js and no Unicode tables of its own. The client bundle resolves
 * `src/search/fold.js` to this file (bundle.ts), so query parsing and snippets run the server's
 * own code over this fold.
 */

/** Folded form of each code point that changes; absent: the code point is its own fold. */
let TABLE: Map<number, string> = new Map();
let installed = false;

const ASCII_MAX = 0x7f;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const CASE_OFFSET = 0x20;

/** Install a fold table (`fold.json`: `{ "<char>": "<folded>" }`); with `add`, add to the one installed. */
export function installFoldMap(table: Readonly<Record<string, string>>, add = false): void {
  const map = add ? TABLE : new Map<number, string>();
  for (const [from, to] of Object.entries(table)) map.set(from.codePointAt(0) ?? 0, to);
  TABLE = map;
  installed = true;
}

/** Whether a table was installed (the bundle refuses to search without one). */
export function foldMapInstalled(): boolean {
  return installed;
}

/** See src/search/fold.ts `fold`. */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= ASCII_MAX) {
      out += unit >= UPPER_A && unit <= UPPER_Z ? String.fromCharCode(unit + CASE_OFFSET) : text[i];
      continue;
    }
    const cp = text.codePointAt(i) ?? unit;
    const start = i;
    if (cp > 0xffff) i++;
    out += TABLE.get(cp) ?? text.slice(start, i + 1);
  }
  return out;
}

/** Folded text plus, for every folded UTF-16 unit, the offset of the original unit it came from. */
export interface FoldedText {
  folded: string;
  origin: Int32Array;
}

/** See src/search/fold.ts `foldWithOrigin`. */
export function foldWithOrigin(text: string): FoldedText {
  const parts: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const start = i;
    const cp = text.codePointAt(i) ?? text.charCodeAt(i);
    if (cp > 0xffff) i++;
    const folded = cp <= ASCII_MAX ? String.fromCharCode(cp).toLowerCase() : (TABLE.get(cp) ?? text.slice(start, i + 1));
    parts.push(folded);
    for (let k = 0; k < folded.length; k++) origin.push(start);
  }
  return { folded: parts.join(''), origin: Int32Array.from(origin) };
}
