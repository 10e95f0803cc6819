/**
 * Simplified queries over Traditional text (issue 15). The index keeps text as published (fold.ts
 * folds only variant forms of one character), so a query typed in Simplified is converted into
 * the Traditional readings it can stand for, and matches any of them or itself as typed:
 *
 * - A run of CJK characters is read as Simplified when it holds a character that exists in
 *   Simplified alone (发, 风, 头); or when it is two or more characters, holds none that exists in
 *   Traditional alone (價, 後), and reads differently in Traditional (价值 → 價值, 依据 → 依據,
 *   退休后 → 退休後): Simplified text written with characters both scripts share. Anything else is
 *   taken as typed: a lone 台, 干 or 后 is a Traditional reader's 台, 干 or 后, and 皇后 stays 皇后.
 *   A run of shared characters may still be Traditional text (周三 is written so in Hong Kong):
 *   for those the archive decides (query.ts `settleForms`).
 * - A run is read by OpenCC's method, longest dictionary phrase first: 头发 → 頭髮, 发展 → 發展,
 *   台风 → 颱風. A character no phrase covers stands for every Traditional character it can be
 *   (发 → 發 or 髮, 干 → 幹, 乾, 干 or 榦), most common first.
 * - Mixed queries work per run: 香港头发 is one run, read as 香港頭髮.
 *
 * The tables come from the caller (zh-data.ts on the server, a file of the export in the
 * browser): this module has no imports of data, so the client bundle carries only its logic.
 */
import { CJK_CHAR } from './tokens.js';

/** What converting needs: OpenCC's character and phrase tables. */
export interface ConversionTables {
  /** Simplified character → every Traditional character it can stand for, most common first. */
  candidates: ReadonlyMap<string, readonly string[]>;
  /** Simplified phrase → its Traditional phrase (OpenCC STPhrases, first reading). */
  phrases: ReadonlyMap<string, string>;
  /** Longest phrase, in characters. */
  maxPhraseChars: number;
  /** Characters that exist in Traditional alone (Traditional → Simplified always changes them). */
  traditionalOnly: ReadonlySet<string>;
}

/**
 * Most forms one term matches (itself as typed and its readings). Each form is one more FTS
 * alternative and substring check; a run of ambiguous characters no phrase covers (只干系) has
 * the product of their readings: the most common ones are kept, in OpenCC's order.
 */
export const MAX_TERM_FORMS = 16;

/** The strings the tables are built from (zh-data.ts; the exporter writes them for the browser). */
export interface ConversionSource {
  /** `kvv…|kvv…`: first character the key, the others its readings (zh-tables.ts CANDIDATES). */
  candidates: string;
  /** opencc-js's STPhrases: `key value|key value…`. */
  phrases: string;
  /** zh-tables.ts TRADITIONAL_ONLY. */
  traditionalOnly: string;
}

/** Tables from their compact strings. */
export function conversionTablesFrom({ candidates, phrases, traditionalOnly }: ConversionSource): ConversionTables {
  const chars = new Map<string, string[]>();
  for (const entry of candidates.split('|')) {
    const [key, ...values] = Array.from(entry);
    if (key !== undefined && values.length > 0) chars.set(key, values);
  }
  const phraseMap = new Map<string, string>();
  let maxPhraseChars = 1;
  for (const entry of phrases.split('|')) {
    const space = entry.indexOf(' ');
    if (space <= 0) continue;
    const key = entry.slice(0, space);
    const value = entry.slice(space + 1).split(' ')[0]!;
    const n = Array.from(key).length;
    // Only readings of the same length: a match position in the text maps back to the query's.
    if (n < 2 || Array.from(value).length !== n) continue;
    phraseMap.set(key, value);
    if (n > maxPhraseChars) maxPhraseChars = n;
  }
  return {
    candidates: chars,
    phrases: phraseMap,
    maxPhraseChars,
    traditionalOnly: new Set(Array.from(traditionalOnly)),
  };
}

/** Whether `c` exists in Simplified alone: it has readings, and none of them is itself. */
export function isSimplifiedOnly(c: string, tables: ConversionTables): boolean {
  const readings = tables.candidates.get(c);
  return readings !== undefined && !readings.includes(c);
}

/**
 * The characters a Simplified reading can change: those with a reading other than themselves.
 * A query without any is taken as typed whatever the tables say (every dictionary phrase that
 * reads differently holds one: checked by a test), so the browser loads the tables only for a
 * query that has one.
 */
export function convertibleChars(tables: ConversionTables): string {
  let out = '';
  for (const [c, readings] of tables.candidates) if (readings.some((r) => r !== c)) out += c;
  return out;
}

/**
 * Whether a CJK run can be Simplified text, decided without the phrase table: it holds a
 * Simplified-only character, or it is 2+ characters, holds no Traditional-only one, and holds one
 * a reading can change. Only such runs are read (so the browser loads phrases only for them).
 */
export function mayBeSimplified(run: string, tables: ConversionTables): boolean {
  const chars = Array.from(run);
  if (chars.some((c) => isSimplifiedOnly(c, tables))) return true;
  return (
    chars.length >= 2 &&
    !chars.some((c) => tables.traditionalOnly.has(c)) &&
    chars.some((c) => tables.candidates.get(c)?.some((r) => r !== c) === true)
  );
}

/** Whether a CJK run is Simplified text (see the module doc), given its readings. */
function isSimplifiedRun(run: string, readings: readonly string[], tables: ConversionTables): boolean {
  if (Array.from(run).some((c) => isSimplifiedOnly(c, tables))) return true;
  return mayBeSimplified(run, tables) && readings.some((r) => r !== run);
}

/** Every choice of one option per slot, in order, at most `max` of them. */
function product(slots: readonly (readonly string[])[], max: number): string[] {
  let out = [''];
  for (const options of slots) {
    const next: string[] = [];
    for (const prefix of out) {
      for (const option of options) {
        if (next.length >= max) break;
        next.push(prefix + option);
      }
    }
    out = next;
  }
  return out;
}

/** The Traditional readings of a CJK run, longest phrase first (see the module doc). */
export function traditionalReadings(run: string, tables: ConversionTables, max = MAX_TERM_FORMS): string[] {
  const chars = Array.from(run);
  const slots: string[][] = [];
  for (let i = 0; i < chars.length;) {
    let matched = 0;
    for (let len = Math.min(tables.maxPhraseChars, chars.length - i); len >= 2 && matched === 0; len--) {
      const phrase = tables.phrases.get(chars.slice(i, i + len).join(''));
      if (phrase !== undefined) {
        slots.push([phrase]);
        matched = len;
      }
    }
    if (matched > 0) i += matched;
    else {
      const c = chars[i]!;
      slots.push([...(tables.candidates.get(c) ?? [c])]);
      i++;
    }
  }
  return product(slots, max);
}

/** Runs of CJK characters in `text`, with their offsets. */
export function cjkRuns(text: string): { start: number; text: string }[] {
  const runs: { start: number; text: string }[] = [];
  let start = -1;
  let i = 0;
  for (const c of text) {
    const cjk = CJK_CHAR.test(c);
    if (cjk && start < 0) start = i;
    if (!cjk && start >= 0) {
      runs.push({ start, text: text.slice(start, i) });
      start = -1;
    }
    i += c.length;
  }
  if (start >= 0) runs.push({ start, text: text.slice(start) });
  return runs;
}

/**
 * The forms a query term matches, each folded with `fold` (and trimmed, as the query parser
 * does): the term as typed first, then, when a run of it holds a Simplified-only character, its
 * Traditional readings (at most {@link MAX_TERM_FORMS} in all, no duplicates). `typed` is the
 * term before folding: OpenCC's tables are keyed by the characters as typed, not by their
 * variant fold. Without tables (a static site that has not loaded them) the term is matched as typed.
 */
export function termForms(
  typed: string,
  fold: (text: string) => string,
  tables: ConversionTables | undefined,
): string[] {
  const literal = fold(typed).trim();
  if (tables === undefined) return [literal];
  const runs = cjkRuns(typed)
    .filter((run) => mayBeSimplified(run.text, tables))
    .map((run) => ({ ...run, readings: traditionalReadings(run.text, tables) }))
    .filter((run) => isSimplifiedRun(run.text, run.readings, tables));
  if (runs.length === 0) return [literal];
  let forms = [''];
  let at = 0;
  for (const run of runs) {
    const between = typed.slice(at, run.start);
    forms = product([forms.map((f) => f + between), run.readings], MAX_TERM_FORMS);
    at = run.start + run.text.length;
  }
  const out = [literal];
  for (const form of forms) {
    const folded = fold(form + typed.slice(at)).trim();
    if (!out.includes(folded) && out.length < MAX_TERM_FORMS) out.push(folded);
  }
  return out;
}

/**
 * Whether a term's Simplified reading rests only on characters both scripts write: no run of it
 * holds a Simplified-only character (周三, 其后表, 年退休后). Such a term may be Traditional text
 * as well as Simplified: query.ts `settleForms` lets the archive decide.
 */
export function readsBySharedCharacters(typed: string, tables: ConversionTables): boolean {
  return !cjkRuns(typed).some((run) => Array.from(run.text).some((c) => isSimplifiedOnly(c, tables)));
}
