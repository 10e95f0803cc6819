/** The fold table the browser client folds with (search-index/fold.json and fold-rest.json). */
import { fold } from '../search/index.js';

/** The fold table of the browser: every code point (surrogates excepted) whose fold differs. */
export function foldTable(): Record<string, string> {
  if (FOLD_TABLE !== undefined) return FOLD_TABLE;
  const out: Record<string, string> = {};
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates fold to themselves (checked)
    const c = String.fromCodePoint(cp);
    const f = fold(c);
    if (f !== c) out[c] = f;
  }
  FOLD_TABLE = out;
  return out;
}

/** Computed once per process (~2 s: every code point through opencc-js). */
let FOLD_TABLE: Record<string, string> | undefined;
