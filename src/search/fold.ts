/**
 * The normal form that both the index and queries use: NFKC, lower case, and the variant forms of
 * one character that Hong Kong and Taiwan texts mix folded to one (裏/裡, 着/著, 衞/衛, 綫/線, 峯/峰;
 * zh-tables.ts, from OpenCC's variant dictionaries). Traditional characters are never folded to
 * Simplified: 髮 and 發, 颱 and 台, 乾 and 幹 stay distinct, so a Traditional query means what it
 * says (issue 15; folding hk → cn made 髮 match every article with 發). A Simplified query is
 * converted to its Traditional readings instead (zh.ts). Applied one code point at a time so that
 * every folded character can be traced back to the original text (snippets are cut from the
 * original, matches are found in the folded form).
 */
import { foldBy, foldWithOriginBy, type FoldedText } from './fold-core.js';
import { VARIANTS } from './zh-tables.js';

export type { FoldedText } from './fold-core.js';

/** Variant form → the character it folds to. */
const VARIANT = new Map<string, string>(
  VARIANTS.split('|').map((entry) => {
    const [form, to] = Array.from(entry);
    return [form!, to!];
  }),
);

/** Folded form of each code point seen so far (lazily filled, then a Map hit). */
const CACHE = new Map<number, string>();

function foldCodePoint(cp: number): string {
  const cached = CACHE.get(cp);
  if (cached !== undefined) return cached;
  let folded = '';
  for (const c of String.fromCodePoint(cp).normalize('NFKC').toLowerCase()) folded += VARIANT.get(c) ?? c;
  CACHE.set(cp, folded);
  return folded;
}

/**
 * Fold text for matching: NFKC, lower case, variant forms to one, per code point.
 * Example: `fold('衞生署ＡＢＣ裡')` → `'衛生署abc裏'`.
 */
export function fold(text: string): string {
  return foldBy(text, foldCodePoint);
}

/** Like {@link fold}, also returning where each folded unit came from (for snippets). */
export function foldWithOrigin(text: string): FoldedText {
  return foldWithOriginBy(text, foldCodePoint);
}
