/**
 * The browser's fold: the same function as src/search/fold.ts (NFKC, lower case, HK/Traditional →
 * Simplified, one code point at a time), driven by a table the exporter writes
 * (`search-index/fold.json`: every code point whose fold differs from itself), so the browser
 * ships no opencc-js and no Unicode tables of its own. The client bundle resolves
 * `src/search/fold.js` to this file (bundle.ts), so query parsing and snippets run the server's
 * own code over this fold.
 */

import { foldBy, foldWithOriginBy, type FoldedText } from '../../search/index.js';

export type { FoldedText } from '../../search/index.js';

/** Folded form of each code point that changes; absent: the code point is its own fold. */
let TABLE: Map<number, string> = new Map();
let installed = false;

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

const fromTable = (cp: number): string => TABLE.get(cp) ?? String.fromCodePoint(cp);

/** See src/search/fold.ts `fold`. */
export function fold(text: string): string {
  return foldBy(text, fromTable);
}

/** See src/search/fold.ts `foldWithOrigin`. */
export function foldWithOrigin(text: string): FoldedText {
  return foldWithOriginBy(text, fromTable);
}
