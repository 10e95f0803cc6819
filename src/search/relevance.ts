/**
 * Relevance (issue 15, item 4): BM25F over three fields — title, tags, body — with the body's
 * term frequency read from the index's tokens. One module for the server (query.ts) and the static
 * client (export/client/search-core.ts): both gather the same inputs their own way and call the
 * same functions here, so both order every query alike, to the last bit of each score.
 *
 * Order of a relevance search: articles holding every term read in Simplified as typed first
 * (literal before equivalent); then articles whose title holds every term; inside each of those
 * parts, the BM25F score (highest first), then newest first. A part of more than
 * {@link MAX_SCORED_PER_PART} articles is not scored (see there): it keeps the order of the
 * version before BM25 — shorter titles first in a title part, newest first otherwise.
 */
import { textRuns } from './tokens.js';

/**
 * Term-frequency levels kept per token. The body's count of a token is stored as its level
 * (1, 3 or 8: the highest of these it reaches): the server's position-free FTS table holds a
 * token `<token><level>` for each level above 1 an article reaches (tokens.ts cannot write such a
 * token otherwise: a CJK token never has an ASCII digit). Why these: BM25 saturates (with k1 = 1.2
 * a count of 8 already gives 87% of the most a term can add), and every level is a posting per
 * article and token, which the build pays for. Measured on 2,798 hkcnews articles (2026-12-08):
 * an article holds 490 distinct unigram tokens and would add 452 level tokens with levels 2, 4
 * and 8 (whole build 64.8 s against 49.8 s before BM25, over the 60 s goal) but 199 with 3 and 8.
 * Levels tell a passing mention (1–2) from a repeated one (3–7) and from the article's subject (8+).
 */
export const TF_LEVELS = [3, 8] as const;

/** The level of a count (1 below 3: an absent token counts as one occurrence, see {@link formLevelTokens}). */
export function tfLevel(tf: number): number {
  let level = 1;
  for (const l of TF_LEVELS) if (tf >= l) level = l;
  return level;
}

/** Length in code points (BM25's field lengths; index-db.ts titleLength counts alike). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    n++;
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

/** The FTS token saying that an article's text holds `token` at least `level` times. */
export function levelToken(token: string, level: number): string {
  return `${token}${level}`;
}

/**
 * The level tokens of a folded text: for every CJK character and every bigram of a CJK run
 * (tokens.ts's unigram and bigram tokens), one token per {@link TF_LEVELS} level its count
 * reaches. About 200 tokens for an hkcnews article.
 */
export function textLevelTokens(folded: string, counts = tokenCounts(folded)): string[] {
  const out: string[] = [];
  for (const [token, tf] of counts) for (const l of TF_LEVELS) if (tf >= l) out.push(levelToken(token, l));
  return out;
}

/**
 * The level tokens of the title's own CJK characters and bigrams, counted in the whole folded
 * text: the title table keeps them (column `x`), so the articles whose title holds a term find
 * their levels among the title's few postings instead of the text's long lists (29,815 articles
 * hold 入 twice or more, 1,685 in their title; 4 ms of a query's 14 ms went to those lists).
 */
export function titleLevelTokens(titleFolded: string, folded: string, counts = tokenCounts(folded)): string[] {
  const own = tokenCounts(titleFolded);
  if (own.size === 0) return [];
  const out: string[] = [];
  for (const token of own.keys()) {
    const tf = counts.get(token) ?? 0;
    for (const l of TF_LEVELS) if (tf >= l) out.push(levelToken(token, l));
  }
  return out;
}

/** Counts of every CJK character and bigram of CJK runs in folded text (one pass shared by both level lists). */
export function tokenCounts(folded: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of textRuns(folded)) {
    if (run.kind !== 'cjk') continue;
    const chars = Array.from(run.text);
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      counts.set(c, (counts.get(c) ?? 0) + 1);
      if (i + 1 < chars.length) {
        const b = c + chars[i + 1]!;
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/**
 * The tokens whose counts stand for a query form's count in an article: the character of a
 * one-character CJK form, or the distinct bigrams of a longer one (the form's count is taken as
 * the least level among them: an upper bound of the phrase's own count, which only positions
 * would give). Undefined for any other form (Latin words, mixed runs, punctuation): its count is
 * taken as 1, since the index keeps no counts for word fragments.
 */
export function formLevelTokens(form: string): string[] | undefined {
  const runs = textRuns(form);
  const run = runs[0];
  if (runs.length !== 1 || run === undefined || run.kind !== 'cjk' || run.text !== form) return undefined;
  const chars = Array.from(form);
  if (chars.length > MAX_LEVEL_CHARS) return undefined;
  if (chars.length === 1) return [form];
  return [...new Set(chars.slice(0, -1).map((c, i) => c + chars[i + 1]!))];
}

/** Longest form whose count is read (33 characters: the phrases FTS decides, query.ts MAX_PHRASE_BIGRAMS + 1). */
const MAX_LEVEL_CHARS = 33;

/**
 * BM25F's weights and parameters. Why these values: k1 and b are Robertson's usual ones. A title
 * holding the term counts as three body occurrences (a headline names what the article is about;
 * chosen, not tuned: bench:search's known items stay 39–40/40 in the top 3 with it), a tag as
 * two. The title's length is normalised too (b 0.5: titles vary less than bodies), so among
 * titles holding a term the shorter — the one the query is more of — ranks first, as before BM25.
 */
export const RELEVANCE_WEIGHTS = {
  k1: 1.2,
  /** Body length normalisation. */
  b: 0.75,
  /** Title length normalisation. */
  titleB: 0.5,
  title: 3,
  tags: 2,
  body: 1,
} as const;

/**
 * Parts larger than this are not scored: ordering them would read each article's levels, which
 * costs ~1 µs per article and term level on hkcnews (的: 48,044 matches; reading them and their
 * levels took ~60 ms on a loaded machine, over the 20 ms p95 the search keeps). 5,000 scores every
 * part of every query with fewer matches than that, and the title part of most common ones.
 */
export const MAX_SCORED_PER_PART = 5_000;

/** What BM25F reads of one article for one term. */
export interface TermFeatures {
  /** The title holds the term (any of its forms). */
  title: boolean;
  /** A tag holds the term. */
  tags: boolean;
  /** The body's count level ({@link tfLevel}). */
  level: number;
}

/** Collection statistics: article count and mean folded lengths, in code points. */
export interface CollectionStats {
  docs: number;
  meanTitleLength: number;
  meanTextLength: number;
}

/** Robertson–Spärck Jones idf, kept positive (Lucene's form): a term in every article still counts a little. */
export function idf(df: number, docs: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

/**
 * An article's BM25F score: Σ idf × t / (k1 + t), t the term's weighted, length-normalised count
 * over the fields. `terms[i]` and `idfs[i]` go together; the sum runs in term order, so the server
 * and the static client get the same bits.
 */
export function bm25f(
  terms: readonly TermFeatures[],
  idfs: readonly number[],
  titleLength: number,
  textLength: number,
  stats: CollectionStats,
): number {
  const w = RELEVANCE_WEIGHTS;
  const titleNorm = 1 - w.titleB + (w.titleB * titleLength) / Math.max(1, stats.meanTitleLength);
  const bodyNorm = 1 - w.b + (w.b * textLength) / Math.max(1, stats.meanTextLength);
  let score = 0;
  for (let i = 0; i < terms.length; i++) {
    const f = terms[i]!;
    const t = (f.title ? w.title / titleNorm : 0) + (f.tags ? w.tags : 0) + (w.body * f.level) / bodyNorm;
    score += (idfs[i] ?? 1) * (t / (w.k1 + t));
  }
  return score;
}

/** One part of the order (see the module doc). `items` are newest first. */
export interface RelevancePart<T> {
  items: T[];
  /** Whether the title holds every term (the order of an unscored part). */
  title: boolean;
  /** Whether it is scored (at most {@link MAX_SCORED_PER_PART} articles). */
  scored: boolean;
}

/**
 * Split matches (newest first) into the parts of the order: literal tier, then title, each part
 * keeping newest first. `literal` is undefined when no term was read in Simplified.
 */
export function relevanceParts<T>(
  matches: readonly T[],
  literal: ((m: T) => boolean) | undefined,
  titleHolds: (m: T) => boolean,
): RelevancePart<T>[] {
  const buckets: T[][] = [[], [], [], []];
  for (const m of matches) {
    const tier = literal === undefined || literal(m) ? 0 : 2;
    buckets[tier + (titleHolds(m) ? 0 : 1)]!.push(m);
  }
  return buckets
    .map((items, i) => ({ items, title: i % 2 === 0, scored: items.length <= MAX_SCORED_PER_PART }))
    .filter((p) => p.items.length > 0);
}

/**
 * One part in order: by score (highest first) when scored, else by title length (title parts)
 * or as it came; ties keep the part's newest-first order (the sort is stable).
 */
export function orderPart<T>(part: RelevancePart<T>, scoreOf: (m: T) => number, titleLengthOf: (m: T) => number): T[] {
  if (part.scored) {
    const scores = part.items.map(scoreOf);
    return part.items
      .map((_, i) => i)
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .map((i) => part.items[i]!);
  }
  if (!part.title) return part.items;
  const lengths = part.items.map(titleLengthOf);
  return part.items
    .map((_, i) => i)
    .sort((a, b) => lengths[a]! - lengths[b]! || a - b)
    .map((i) => part.items[i]!);
}
