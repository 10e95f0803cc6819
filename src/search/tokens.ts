/**
 * Index tokens of folded text: every CJK character alone and every overlapping bigram of CJK runs
 * (a one- or two-character query is then one exact token, whose doclist FTS reads directly), and
 * other letters/digits as words indexed by their suffixes (so any fragment of a word is a prefix
 * query). Queries have plain substring semantics over the folded text: FTS narrows candidates, an
 * exact substring check decides. Measured on 50k articles (STACK.md "Search"): bigrams match the
 * substring truth on every query, word segmenters do not.
 */

/** Scripts written without spaces: searched by substring through bigrams. */
export const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}]/u;
/** A character of a whole-word token: any letter, digit or mark that is not CJK. */
export const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** Runs of CJK characters, or of word characters. Alternation order makes CJK win. */
const RUN =
  /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}]+)|((?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}])[\p{L}\p{N}\p{M}])+)/gu;

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

/**
 * The tokens of a CJK run, by code point: each character, then the bigram it starts. Unigrams
 * replaced a prefix query on bigrams for one-character queries: `港*` merged the doclists of
 * every bigram starting with 港 (45 ms to count 36,070 of 49,118 articles), the token `港` is one
 * doclist (1.2 ms). Measured 2026-11-26 on the hkcnews archive.
 */
export function cjkTokens(run: string): string[] {
  const chars = Array.from(run);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    out.push(chars[i]!);
    if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/**
 * Longest word token, in code points. A word is indexed by every suffix cut to this length
 * (`w[i, i + MAX_WORD_TOKEN)` for each position `i`), so any fragment of a word of at most this
 * length is a prefix of some token. A longer query fragment is searched by its first
 * MAX_WORD_TOKEN characters (a superset); only the exact check on candidates (`findTerm`) then
 * decides, so no true match is lost, and tokens stay bounded: a word of n characters gives n tokens
 * of at most MAX_WORD_TOKEN characters (not n²/2 characters of full suffixes).
 */
export const MAX_WORD_TOKEN = 24;

/**
 * The tokens of a word run: every suffix, cut to {@link MAX_WORD_TOKEN} code points, that starts
 * with a letter or digit (marks alone, or leading a token, are not useful FTS tokens; a query
 * fragment drops its leading marks to match, see {@link termTokens}).
 */
export function wordTokens(run: string): string[] {
  const chars = Array.from(run);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (!LETTER_OR_DIGIT.test(chars[i]!)) continue;
    out.push(chars.slice(i, i + MAX_WORD_TOKEN).join(''));
  }
  return out;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * Index tokens of folded text, in order: CJK unigrams and bigrams ({@link cjkTokens}), and for
 * each word its cut suffixes ({@link wordTokens}).
 */
export function indexTokens(folded: string): string[] {
  const out: string[] = [];
  for (const run of textRuns(folded)) {
    if (run.kind === 'cjk') out.push(...cjkTokens(run.text));
    else out.push(...wordTokens(run.text));
  }
  return out;
}

/** What the FTS index must contain for a folded query term: tokens, and prefixes of tokens. */
export interface TermTokens {
  /** Tokens that every matching document holds exactly (CJK characters and bigrams). */
  exact: string[];
  /**
   * Every matching document holds a token starting with each: word fragments (at most
   * {@link MAX_WORD_TOKEN} characters, starting with a letter or digit).
   */
  prefixes: string[];
}

/**
 * FTS requirements of a folded query term, chosen so that every document whose folded text
 * contains the term as a substring satisfies all of them. The term's CJK runs give their bigrams (a
 * one-character run gives the character). Each word run of the term lies inside one word of the text
 * (anywhere in it: the term may start or end mid-word), so it is a prefix of one of that word's
 * suffix tokens: it gives a prefix, from its first letter or digit, cut to MAX_WORD_TOKEN.
 * Example: `termTokens('港')` → `{ exact: ['港'], prefixes: [] }`.
 */
export function termTokens(folded: string): TermTokens {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const run of textRuns(folded)) {
    const chars = Array.from(run.text);
    if (run.kind === 'word') {
      const first = chars.findIndex((c) => LETTER_OR_DIGIT.test(c));
      if (first !== -1) prefixes.push(chars.slice(first, first + MAX_WORD_TOKEN).join(''));
      continue;
    }
    if (chars.length === 1) exact.push(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) exact.push(chars[i]! + chars[i + 1]!);
  }
  return { exact, prefixes };
}

/** Whether the folded term occurs in folded text at `index` (plain substring semantics). */
export function termMatchesAt(text: string, term: string, index: number): boolean {
  return text.startsWith(term, index);
}

/** Offset of the first occurrence of the folded term in folded text at or after `from`, or -1. */
export function findTerm(text: string, term: string, from = 0): number {
  if (term.length === 0) return -1;
  return text.indexOf(term, from);
}
