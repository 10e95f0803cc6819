/**
 * Index tokens of folded text: overlapping bigrams of CJK runs (each run's last character also
 * alone, so every CJK character starts some token and a one-character query is a prefix query), and
 * other letters/digits as whole words. Measured on 50k articles (STACK.md "Search"): bigrams match
 * the substring truth on every query, word segmenters do not.
 */

/** Scripts written without spaces: searched by substring through bigrams. */
export const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}]/u;
/** A character of a whole-word token: any letter, digit or mark that is not CJK. */
export const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** Runs of CJK characters, or of word characters. Alternation order makes CJK win. */
const RUN =
  /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}]+)|((?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}])[\p{L}\p{N}\p{M}])+)/gu;
/** A word token must hold a letter or digit: marks alone vanish in the FTS tokenizer. */
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** One run of folded text: CJK (searched by bigrams) or a whole word. */
export interface TextRun {
  kind: 'cjk' | 'word';
  text: string;
  /** UTF-16 offset in the folded text. */
  start: number;
}

/** Split folded text into CJK runs and word runs (separators dropped). */
export function textRuns(folded: string): TextRun[] {
  const runs: TextRun[] = [];
  for (const m of folded.matchAll(RUN)) {
    runs.push({ kind: m[1] !== undefined ? 'cjk' : 'word', text: m[0], start: m.index });
  }
  return runs;
}

/** The bigrams of a CJK run, by code point, plus its last character alone. */
export function cjkTokens(run: string): string[] {
  const chars = Array.from(run);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) out.push(chars[i]! + (chars[i + 1] ?? ''));
  return out;
}

/** Index tokens of folded text, in order (duplicates kept: FTS ranks by frequency). */
export function indexTokens(folded: string): string[] {
  const out: string[] = [];
  for (const run of textRuns(folded)) {
    if (run.kind === 'cjk') out.push(...cjkTokens(run.text));
    else if (HAS_LETTER_OR_DIGIT.test(run.text)) out.push(run.text);
  }
  return out;
}

/** What the FTS index must contain for a folded query term: tokens, and one-character prefixes. */
export interface TermTokens {
  /** Tokens that every matching document holds exactly. */
  exact: string[];
  /** Single CJK characters: every matching document holds a token starting with each. */
  prefixes: string[];
}

/**
 * FTS requirements of a folded query term, chosen so that every document containing the term (as
 * {@link termMatchesAt} defines it) satisfies all of them: the term's CJK runs give their bigrams
 * (a one-character run gives a prefix), its words give whole-word tokens.
 */
export function termTokens(folded: string): TermTokens {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const run of textRuns(folded)) {
    if (run.kind === 'word') {
      if (HAS_LETTER_OR_DIGIT.test(run.text)) exact.push(run.text);
      continue;
    }
    const chars = Array.from(run.text);
    if (chars.length === 1) prefixes.push(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) exact.push(chars[i]! + chars[i + 1]!);
  }
  return { exact, prefixes };
}

function isWordCharAt(text: string, index: number, before: boolean): boolean {
  if (index < 0 || index >= text.length) return false;
  const cp = before ? codePointBefore(text, index + 1) : text.codePointAt(index);
  if (cp === undefined) return false;
  const ch = String.fromCodePoint(cp);
  return WORD_CHAR.test(ch) && !CJK_CHAR.test(ch);
}

function codePointBefore(text: string, end: number): number | undefined {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(end - 2);
  }
  return text.codePointAt(end - 1);
}

/**
 * Whether the folded term occurs in folded text at `index`: a substring match where a word at the
 * term's start or end must also start or end there in the text (`art` does not match inside
 * `start`; CJK matches anywhere).
 */
export function termMatchesAt(text: string, term: string, index: number): boolean {
  if (!text.startsWith(term, index)) return false;
  if (isWordCharAt(term, 0, false) && isWordCharAt(text, index - 1, true)) return false;
  if (isWordCharAt(term, term.length - 1, true) && isWordCharAt(text, index + term.length, false)) return false;
  return true;
}

/** Offset of the first match of the folded term in folded text at or after `from`, or -1. */
export function findTerm(text: string, term: string, from = 0): number {
  if (term.length === 0) return -1;
  for (let i = text.indexOf(term, from); i !== -1; i = text.indexOf(term, i + 1)) {
    if (termMatchesAt(text, term, i)) return i;
  }
  return -1;
}
