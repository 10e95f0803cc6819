/**
 * Index tokens of folded text, for two FTS tables: every CJK character alone and other
 * letters/digits as words indexed by their suffixes (so any fragment of a word is a prefix query),
 * without positions; and the overlapping bigrams of CJK runs with positions, so a CJK term of any
 * length is a phrase of its bigrams, which FTS decides exactly. Queries have plain substring semantics over the folded text: FTS narrows candidates, an
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
 * Token between CJK runs in the bigram stream: bigrams of two runs are never adjacent, so a
 * phrase never spans a gap in the text. No query phrase contains it (phrases hold CJK bigrams only).
 */
export const RUN_SEPARATOR = '0';

/**
 * The position-free tokens of folded text, in order: each CJK character, and each word's cut
 * suffixes ({@link wordTokens}). A one-character query is one token, whose doclist FTS reads
 * directly: `港` counts 36,070 of 49,118 articles in 1.2 ms, where the prefix query `港*` over
 * bigrams took 45 ms (hkcnews, 2026-11-26).
 */
export function unigramTokens(folded: string): string[] {
  const out: string[] = [];
  // A loop, not `push(...tokens)`: spreading a run of millions of characters as arguments overflowed
  // the stack ("Maximum call stack size exceeded" on a 3-million-character title, issue 12).
  for (const run of textRuns(folded)) {
    if (run.kind === 'cjk') for (const c of run.text) out.push(c);
    else for (const token of wordTokens(run.text)) out.push(token);
  }
  return out;
}

/**
 * The bigrams of every CJK run, by code point, each run followed by {@link RUN_SEPARATOR}: a CJK
 * term of n ≥ 2 characters occurs in the text exactly when the phrase of its n − 1 bigrams does.
 * A phrase query replaced a substring scan of the candidates' text: 「支持我們」, in the
 * subscription promo of 41,242 articles, took 600–1,800 ms to check and takes 18 ms as a phrase.
 */
export function bigramTokens(folded: string): string[] {
  const out: string[] = [];
  for (const run of textRuns(folded)) {
    if (run.kind !== 'cjk') continue;
    const chars = Array.from(run.text);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    out.push(RUN_SEPARATOR);
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

/** What the FTS tables must hold for a folded query term. */
export interface TermTokens {
  /** Single CJK characters (position-free table). */
  unigrams: string[];
  /** Word fragments, each a prefix of some word suffix token (position-free table). */
  prefixes: string[];
  /** One bigram phrase per CJK run of two or more characters (bigram table). */
  phrases: string[][];
}

/**
 * FTS requirements of a folded query term, chosen so that every document whose folded text
 * contains the term as a substring satisfies all of them. A one-character CJK run gives the
 * character; a longer run gives the phrase of its bigrams. Each word run of the term lies inside
 * one word of the text (anywhere in it: the term may start or end mid-word), so it is a prefix of
 * one of that word's suffix tokens: it gives a prefix, from its first letter or digit, cut to
 * MAX_WORD_TOKEN. Example: `termTokens('香港x')` → `{ unigrams: [], prefixes: ['x'], phrases: [['香港']] }`.
 */
export function termTokens(folded: string): TermTokens {
  const unigrams: string[] = [];
  const prefixes: string[] = [];
  const phrases: string[][] = [];
  for (const run of textRuns(folded)) {
    const chars = Array.from(run.text);
    if (run.kind === 'word') {
      const first = chars.findIndex((c) => LETTER_OR_DIGIT.test(c));
      if (first !== -1) prefixes.push(chars.slice(first, first + MAX_WORD_TOKEN).join(''));
    } else if (chars.length === 1) {
      unigrams.push(chars[0]!);
    } else {
      const phrase: string[] = [];
      for (let i = 0; i + 1 < chars.length; i++) phrase.push(chars[i]! + chars[i + 1]!);
      phrases.push(phrase);
    }
  }
  return { unigrams, prefixes, phrases };
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
