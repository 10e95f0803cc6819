/**
 * Query parsing and search. A query is data: it is split into terms, folded, and reaches FTS5
 * only as quoted tokens, so no input raises an SQL or FTS syntax error. FTS gives a superset of
 * candidates; each is then checked against the folded text, so results equal a substring scan of
 * every article's folded title and text for every term (`folded.includes(term)`, tokens.ts `findTerm`).
 */
import type { ArticleSummary } from './catalog.js';
import { foldWithOrigin, fold } from './fold.js';
import { SORT_DAY_SCALE, sortKeyRange, yearOfSortKey, type SearchIndex } from './index-db.js';
import { findTerm, MAX_WORD_TOKEN, termTokens, textRuns } from './tokens.js';
import {
  bm25f,
  formLevelTokens,
  idf,
  levelToken,
  MAX_SCORED_PER_PART,
  orderPart,
  relevanceParts,
  TF_LEVELS,
} from './relevance.js';
import { readsBySharedCharacters, termForms } from './zh.js';
import { conversionTables } from './zh-data.js';
import { escapeHtml } from '../markdown/index.js';

/**
 * A parsed query: terms every result contains, terms no result contains, folded as typed. A term
 * is matched by any of its forms (`forms[i]` for `terms[i]`, itself first): a term typed in
 * Simplified also by its Traditional readings (zh.ts).
 */
export interface ParsedQuery {
  terms: string[];
  excluded: string[];
  /** The forms of each term, parallel to `terms`; `forms[i][0] === terms[i]`. */
  forms: string[][];
  /** The forms of each excluded term, parallel to `excluded`. */
  excludedForms: string[][];
  /** Present when the query went past a limit ({@link QUERY_LIMITS}): what was left out. */
  limited?: QueryLimited;
  /**
   * Terms whose readings rest on characters both scripts write (周三 → 週三): the archive settles
   * them ({@link settleForms}) before the query runs.
   */
  unsettled?: UnsettledTerm[];
}

/** A term of `forms` or `excludedForms` (at `index`) that may be Traditional or Simplified text. */
export interface UnsettledTerm {
  list: 'forms' | 'excludedForms';
  index: number;
}

/**
 * A term typed only in characters both scripts write (周三, 其后表) is Traditional text or
 * Simplified text, and nothing in it says which: the archive decides. The term is taken as typed
 * when the archive holds it as typed in at least this share of as many articles as its other
 * readings together; else it is read as Simplified (as typed or any reading). On hkcnews, 周三 is
 * in 2,855 articles and 週三 in 20: Hong Kong writes 周三, so it means 周三; 其后表 is in none and
 * 其後表 in 122: it is Simplified. Why 1/20: a Simplified query may find at most 5% more articles
 * than its Traditional twin (issue 15). Below this share, reading it as Simplified stays within
 * that; above it, a Simplified reading would add more than that anyway, so the term is more
 * likely Traditional, and a Traditional query must match exactly what it says.
 */
export const TYPED_READING_SHARE = 1 / 20;

/**
 * The forms whose article counts {@link settleForms} needs (none for most queries): each
 * unsettled term's forms, once.
 */
export function formsToCount(parsed: ParsedQuery): string[] {
  const out = new Set<string>();
  for (const { list, index } of parsed.unsettled ?? []) for (const form of parsed[list][index] ?? []) out.add(form);
  return [...out];
}

/**
 * The query with each unsettled term decided by the archive ({@link TYPED_READING_SHARE}):
 * `articlesWith(form)` is how many articles hold the form in their folded title and text,
 * over the whole archive (never the filters: one reading per query). One rule for the server,
 * the static client and the benchmarks; each counts its own way.
 */
export function settleForms(parsed: ParsedQuery, articlesWith: (form: string) => number): ParsedQuery {
  const { unsettled, ...settled } = parsed;
  if (unsettled === undefined) return parsed;
  settled.forms = [...parsed.forms];
  settled.excludedForms = [...parsed.excludedForms];
  for (const { list, index } of unsettled) {
    const [typed, ...others] = parsed[list][index]!;
    if (typed === undefined) continue;
    const otherArticles = others.reduce((n, form) => n + articlesWith(form), 0);
    if (articlesWith(typed) >= otherArticles * TYPED_READING_SHARE) settled[list][index] = [typed];
  }
  return settled;
}

/**
 * What a query lost to the limits: the characters past {@link MAX_QUERY_CHARS} were not read, and
 * the terms and exclusions past {@link MAX_QUERY_TERMS} / {@link MAX_QUERY_EXCLUSIONS} were not
 * applied (so the results may hold articles a dropped term would have removed, or lack articles a
 * dropped exclusion would have kept out: the caller shows a note).
 */
export interface QueryLimited {
  /** Characters (UTF-16 units) of the query past {@link MAX_QUERY_CHARS}, not read. */
  ignoredChars: number;
  /** Folded terms past {@link MAX_QUERY_TERMS}, not applied. */
  droppedTerms: string[];
  /** Folded exclusions past {@link MAX_QUERY_EXCLUSIONS}, not applied. */
  droppedExclusions: string[];
  /**
   * Folded exclusions not applied because checking them would read more article texts than
   * {@link MAX_CHECKED_ROWS} allows (a term FTS cannot decide alone, held by most articles: `-的a`).
   */
  uncheckedExclusions?: string[];
  /**
   * Set when the terms needed a substring check of more candidate articles than
   * {@link MAX_CHECKED_ROWS}: only the newest `checked` of `candidates` were checked, so `total`
   * counts matches among those only.
   */
  partial?: { checked: number; candidates: number };
}

/**
 * Longest query read, in UTF-16 units. A query's work grows with its length (each term is a
 * substring check, each CJK run a phrase): a 1,000-character query of 250 exclusions took 37–64 s
 * of one CPU on the 49,118-article hkcnews archive (issue 12). 256 holds any headline or
 * sentence pasted to find an article (hkcnews titles: at most ~80 characters).
 */
export const MAX_QUERY_CHARS = 256;
/**
 * Most terms (words or phrases every result holds) applied. Each term that FTS cannot decide is
 * one substring pass over its candidates' text (up to ~1 s over the whole hkcnews corpus,
 * measured 2026-12-06); 8 is more than a person types, and bounds the passes.
 */
export const MAX_QUERY_TERMS = 8;
/**
 * Most exclusions (`-word`) applied. Each is one FTS look-up plus a check of the articles holding
 * its tokens (10–30 ms each for common characters on hkcnews, 2026-12-06); 8 bounds that to a
 * fraction of a second.
 */
export const MAX_QUERY_EXCLUSIONS = 8;
/**
 * Most article texts one query's substring checks may read (terms and exclusions FTS cannot
 * decide alone, such as `的a` or `"的 a"`). A check reads the whole folded text of each candidate:
 * ~27 µs an article on hkcnews (45,000 candidates of `-的a` took 1.2 s; 8 such exclusions 10 s,
 * 2026-12-06). The candidate scan and the exclusion checks each get this many rows, so a query
 * reads at most twice this: well under a second here.
 */
export const MAX_CHECKED_ROWS = 15_000;
/** The query limits, for documentation and the UI's note. */
export const QUERY_LIMITS = {
  chars: MAX_QUERY_CHARS,
  terms: MAX_QUERY_TERMS,
  exclusions: MAX_QUERY_EXCLUSIONS,
} as const;

const WHITESPACE = /\s/u;

/**
 * Split a query into bare words, `"quoted phrases"` and `-excluded` words or phrases; an unbalanced
 * quote runs to the end. Never throws. Example: `parseQuery('香港 "民主 派" -政府')` →
 * `{ terms: ['香港', '民主 派'], excluded: ['政府'] }`. Bounded: only the first
 * {@link MAX_QUERY_CHARS} characters are read, and at most {@link MAX_QUERY_TERMS} terms and
 * {@link MAX_QUERY_EXCLUSIONS} exclusions are kept; what was left out is in `limited`.
 */
export function parseQuery(query: string): ParsedQuery {
  let input = query;
  let ignoredChars = 0;
  if (input.length > MAX_QUERY_CHARS) {
    // Never cut between the halves of a surrogate pair.
    const unit = input.charCodeAt(MAX_QUERY_CHARS - 1);
    const cut = unit >= 0xd800 && unit <= 0xdbff ? MAX_QUERY_CHARS - 1 : MAX_QUERY_CHARS;
    ignoredChars = input.length - cut;
    input = input.slice(0, cut);
  }
  const terms: string[] = [];
  const excluded: string[] = [];
  const forms: string[][] = [];
  const excludedForms: string[][] = [];
  const droppedTerms: string[] = [];
  const droppedExclusions: string[] = [];
  const unsettled: UnsettledTerm[] = [];
  const tables = conversionTables();
  let i = 0;
  while (i < input.length) {
    while (i < input.length && WHITESPACE.test(input[i]!)) i++;
    if (i >= input.length) break;
    let negate = false;
    if (input[i] === '-') {
      negate = true;
      i++;
    }
    let raw: string;
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? input.length : close;
      raw = input.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < input.length && !WHITESPACE.test(input[i]!)) i++;
      raw = input.slice(start, i);
    }
    const term = fold(raw).trim();
    if (term === '') continue;
    const [list, listForms, max, dropped] = negate
      ? [excluded, excludedForms, MAX_QUERY_EXCLUSIONS, droppedExclusions]
      : [terms, forms, MAX_QUERY_TERMS, droppedTerms];
    if (list.includes(term) || dropped.includes(term)) continue;
    if (list.length < max) {
      list.push(term);
      const readings = termForms(raw, fold, tables);
      // Settled by counting articles: only terms FTS counts exactly (one CJK run).
      if (
        tables !== undefined &&
        readings.length > 1 &&
        readings.every(ftsIsExact) &&
        readsBySharedCharacters(raw, tables)
      )
        unsettled.push({ list: negate ? 'excludedForms' : 'forms', index: listForms.length });
      listForms.push(readings);
    } else dropped.push(term);
  }
  const parsed: ParsedQuery = { terms, excluded, forms, excludedForms };
  if (unsettled.length > 0) parsed.unsettled = unsettled;
  if (ignoredChars === 0 && droppedTerms.length === 0 && droppedExclusions.length === 0) return parsed;
  return { ...parsed, limited: { ignoredChars, droppedTerms, droppedExclusions } };
}

/** How results are ordered: by relevance (BM25F, relevance.ts), or newest first (see {@link search}). */
export type SearchSort = 'relevance' | 'date';

export interface SearchOptions {
  /** The query text (see {@link parseQuery}). Default `''`: every article passing the filters, newest first. */
  q?: string;
  /** Results per page. Default 20, at most {@link MAX_LIMIT}. */
  limit?: number;
  /** Results to skip (counted in groups when `group`). Default 0. */
  offset?: number;
  /** Default `'relevance'` (`'date'` when the query has no terms). */
  sort?: SearchSort;
  /** Earliest publication date, YYYY-MM-DD, inclusive. */
  from?: string;
  /** Latest publication date, YYYY-MM-DD, inclusive. */
  to?: string;
  /** Exact category. */
  category?: string;
  /** Exact author. */
  author?: string;
  /** Exact tag. */
  tag?: string;
  /** One result per revision group (same title, date, author). Default false. */
  group?: boolean;
  /** Most article texts the substring checks may read. Default {@link MAX_CHECKED_ROWS} (tests lower it). */
  maxCheckedRows?: number;
  /** Also count the matching articles per year and per category ({@link SearchResponse.facets}). Default false. */
  facets?: boolean;
}

/** How many matching articles have one value (a year, a category). */
export interface FacetCount {
  value: string;
  count: number;
}

/** Where a query's matches live: counts per year (newest first, undated '' last) and per category (most first). */
export interface SearchFacets {
  years: FacetCount[];
  categories: FacetCount[];
}

/**
 * Facets from each match's year ('' undated) and category. One function for the server and the
 * static client, so both order ties alike: categories by count, then by code units.
 */
export function facetsOf(matches: Iterable<readonly [year: string, category: string | undefined]>): SearchFacets {
  const years = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const [year, category] of matches) {
    years.set(year, (years.get(year) ?? 0) + 1);
    if (category !== undefined && category !== '') categories.set(category, (categories.get(category) ?? 0) + 1);
  }
  const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    years: [...years]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => (a.value === '' ? 1 : b.value === '' ? -1 : byCode(b.value, a.value))),
    categories: [...categories]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || byCode(a.value, b.value)),
  };
}

export const DEFAULT_SEARCH_OPTIONS = { q: '', limit: 20, offset: 0, sort: 'relevance', group: false } as const;
/** Upper bound on `limit`: a page, not an export. */
export const MAX_LIMIT = 500;
/** Characters of body text in a snippet (before the mark tags). */
export const SNIPPET_CHARS = 100;
/** Characters kept before the first match in a snippet. */
const SNIPPET_LEAD = 30;
/**
 * FTS constraints used per query. Fewer constraints only widen the candidate set (the exact check
 * removes the rest), so a 10k-character query stays a bounded FTS query.
 */
const MAX_FTS_TOKENS = 64;

export interface SearchResult extends ArticleSummary {
  /** ~100 characters of body text around the first match, HTML-escaped, matches in `<mark>`. */
  snippet: string;
  /** With `group`: how many matching articles this result stands for. */
  groupSize?: number;
  /** With `group`: ids of the matching articles of this story (revisions), this one first. */
  versions?: number[];
}

export interface SearchResponse {
  /** Matching articles (not groups). */
  total: number;
  /** With `group`: matching revision groups. */
  groups?: number;
  results: SearchResult[];
  /** Present when the query went past a limit: what was not applied (see {@link parseQuery}). */
  limited?: QueryLimited;
  /** With `facets`: the matches per year and per category. */
  facets?: SearchFacets;
  /**
   * True when the index is marked incomplete (a `salvage index` run was interrupted, or is running
   * now): articles may be missing from the results.
   */
  incomplete?: boolean;
}

function quoteFts(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Most bigrams of one phrase sent to FTS: a longer run is searched by its start (a superset) and checked. */
const MAX_PHRASE_BIGRAMS = 32;

/** FTS constraints of some folded terms, per table. */
export interface FtsConstraints {
  /** Constraints on `fts` (CJK characters, word fragments), ANDed. */
  unigram: string[];
  /** Constraints on `fts_bi` (bigram phrases), ANDed. */
  bigram: string[];
  /** The same constraints on the title table's columns. */
  title: string[];
  /** Whether constraints were dropped (too many, or a phrase cut): the result is then a superset. */
  truncated: boolean;
}

/** One form's FTS tokens, per table (each list ANDed), and how many tokens it costs. */
interface FormConstraints {
  unigram: string[];
  bigram: string[];
  title: string[];
  cost: number;
  /** Constraints were dropped (a one-letter prefix beside others, a phrase cut): a superset. */
  cut: boolean;
}

function formConstraints(form: string, budget: number): FormConstraints {
  const { unigrams, phrases, prefixes: all } = termTokens(form);
  // A one-letter prefix (`a*`) expands to most of the index's tokens (141 ms on hkcnews) and
  // narrows almost nothing: dropped when the term has other constraints (a superset; the term
  // is then checked).
  const prefixes =
    unigrams.length + phrases.length + all.filter((p) => p.length > 1).length > 0
      ? all.filter((p) => p.length > 1)
      : all;
  const out: FormConstraints = { unigram: [], bigram: [], title: [], cost: 0, cut: prefixes.length < all.length };
  for (const token of unigrams)
    if (out.cost++ < budget) {
      out.unigram.push(quoteFts(token));
      out.title.push(`u : ${quoteFts(token)}`);
    } else out.cut = true;
  for (const prefix of prefixes)
    if (out.cost++ < budget) {
      out.unigram.push(`${quoteFts(prefix)}*`);
      out.title.push(`u : ${quoteFts(prefix)}*`);
    } else out.cut = true;
  for (const phrase of phrases) {
    if (out.cost >= budget) {
      out.cut = true;
      continue;
    }
    const cut = phrase.slice(0, Math.min(MAX_PHRASE_BIGRAMS, budget - out.cost));
    if (cut.length < phrase.length) out.cut = true;
    out.cost += cut.length;
    const quoted = quoteFts(cut.join(' '));
    out.bigram.push(quoted);
    out.title.push(`b : ${quoted}`);
  }
  out.cost = Math.min(out.cost, budget);
  return out;
}

/** `(a AND b) OR (c AND d)`: any of the forms, each with all of its constraints. */
const anyOf = (groups: readonly (readonly string[])[]): string =>
  `(${groups.map((g) => `(${g.join(' AND ')})`).join(' OR ')})`;

/**
 * The FTS constraints every document containing all of the folded terms satisfies. A term is a
 * string, or the list of its forms (any of which matches: `ParsedQuery.forms`): the forms become
 * an OR of their constraints, as long as they all fit the token budget and use the same tables
 * (an OR cannot span the two FTS tables); else the term gets no constraint and is checked.
 */
export function ftsConstraints(terms: readonly (string | readonly string[])[]): FtsConstraints {
  const unigram = new Set<string>();
  const bigram = new Set<string>();
  const title = new Set<string>();
  let truncated = false;
  let budget = MAX_FTS_TOKENS;
  for (const term of terms) {
    const forms = typeof term === 'string' ? [term] : term;
    if (forms.length === 1) {
      const c = formConstraints(forms[0]!, Math.max(0, budget));
      budget -= c.cost;
      if (c.cut) truncated = true;
      for (const t of c.unigram) unigram.add(t);
      for (const t of c.bigram) bigram.add(t);
      for (const t of c.title) title.add(t);
      continue;
    }
    const each = forms.map((f) => formConstraints(f, MAX_FTS_TOKENS));
    const cost = each.reduce((sum, c) => sum + c.cost, 0);
    const sameTables = each.every(
      (c) => c.unigram.length > 0 === each[0]!.unigram.length > 0 && c.bigram.length > 0 === each[0]!.bigram.length > 0,
    );
    if (cost > budget || !sameTables || each.some((c) => c.title.length === 0)) {
      truncated = true;
      continue;
    }
    budget -= cost;
    if (each.some((c) => c.cut)) truncated = true;
    if (each[0]!.unigram.length > 0) unigram.add(anyOf(each.map((c) => c.unigram)));
    if (each[0]!.bigram.length > 0) bigram.add(anyOf(each.map((c) => c.bigram)));
    title.add(anyOf(each.map((c) => c.title)));
  }
  return { unigram: [...unigram], bigram: [...bigram], title: [...title], truncated };
}

/**
 * Whether FTS alone decides the term exactly (no substring check needed): one CJK run of any
 * length (a character, or the phrase of its bigrams), or an ASCII letter/digit fragment of at most
 * MAX_WORD_TOKEN characters (a prefix of word suffix tokens: a document has a token starting with
 * it exactly when its folded text contains it). Other terms are checked: FTS case folding and
 * marks make the token test a superset for other words, and a term of several runs only implies
 * each run.
 */
function ftsIsExact(term: string): boolean {
  if (/^[a-z0-9]+$/.test(term)) return term.length <= MAX_WORD_TOKEN;
  const runs = textRuns(term);
  const run = runs[0];
  return (
    runs.length === 1 &&
    run !== undefined &&
    run.text === term &&
    run.kind === 'cjk' &&
    Array.from(term).length <= MAX_PHRASE_BIGRAMS + 1
  );
}

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(value)));
}

/** A SELECT of matching sort keys (`sk`, the FTS rowid), with its parameters. */
interface RowidQuery {
  sql: string;
  params: (string | number)[];
}

/**
 * The sort keys of articles matching positive FTS constraints and none of the excluded ones,
 * within [lo, hi]; undefined when there is no positive constraint. One FTS table drives (its
 * doclist order is sort-key order, so `ORDER BY rowid DESC LIMIT n` stops early); the other
 * table's constraints are `IN` / `NOT IN` filters. `+rowid`: a bare `rowid IN (…)` is handed to
 * FTS5 as one lookup per listed rowid (400 ms for 18,078 rowids); the unary plus keeps it a plain
 * filter (2.5 ms). Measured 2026-11-26.
 */
function matchingRowids(
  positive: FtsConstraints,
  excluded: readonly FtsConstraints[],
  lo: number,
  hi: number,
): RowidQuery | undefined {
  const tables = [
    {
      name: 'fts_bi',
      pos: positive.bigram,
      neg: excluded.filter((x) => x.bigram.length > 0 && x.unigram.length === 0).map((x) => x.bigram),
    },
    {
      name: 'fts',
      pos: positive.unigram,
      neg: excluded.filter((x) => x.unigram.length > 0 && x.bigram.length === 0).map((x) => x.unigram),
    },
  ];
  const driver = tables.find((t) => t.pos.length > 0);
  if (driver === undefined) return undefined;
  const other = tables.find((t) => t !== driver)!; // two tables, one drives
  const andOf = (parts: readonly string[]): string => parts.join(' AND ');
  let sql = `SELECT rowid AS sk FROM ${driver.name} WHERE ${driver.name} MATCH ? AND rowid BETWEEN ? AND ?`;
  const params: (string | number)[] = [
    andOf(driver.pos) + driver.neg.map((n) => ` NOT (${andOf(n)})`).join(''),
    lo,
    hi,
  ];
  if (other.pos.length > 0) {
    sql += ` AND +rowid IN (SELECT rowid FROM ${other.name} WHERE ${other.name} MATCH ?)`;
    params.push(andOf(other.pos));
  }
  for (const n of other.neg) {
    sql += ` AND +rowid NOT IN (SELECT rowid FROM ${other.name} WHERE ${other.name} MATCH ?)`;
    params.push(andOf(n));
  }
  // An excluded term with constraints in both tables (several runs) is never exact: it is checked.
  return { sql, params };
}

/** How many articles a rowid query matches; without one, how many have a sort key in [from, to]. */
function countRows(index: SearchIndex, q: RowidQuery | undefined, from: number, to: number): number {
  return q === undefined
    ? (index.db
        .prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM articles WHERE sk BETWEEN ? AND ?')
        .get(from, to)?.n ?? 0)
    : (index.db.prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM (${q.sql})`).get(...q.params)
        ?.n ?? 0);
}

/**
 * Search the index. Never throws for any query or filter text.
 *
 * Order: `date` is newest publication day first, then highest id. `relevance` (relevance.ts): when
 * a term is read in Simplified, the articles holding it as typed first ({@link literalTierForms}:
 * literal before equivalent); then the articles whose title holds every term; inside each part,
 * BM25F over title, tags and the body's count levels, newest first on equal scores. A part of
 * more than MAX_SCORED_PER_PART articles keeps the cheap order instead (title parts by title
 * length, others newest first), which FTS doclists give without reading every match: scoring
 * 的's 48,044 matches cost ~60 ms here, over the 20 ms p95 the search keeps.
 */
export function search(index: SearchIndex, options: SearchOptions = {}): SearchResponse {
  const parsed = settleForms(parseQuery(options.q ?? DEFAULT_SEARCH_OPTIONS.q), (form) =>
    countRows(index, matchingRowids(ftsConstraints([form]), [], 0, Number.MAX_SAFE_INTEGER), 0, 0),
  );
  const { terms, forms, excludedForms } = parsed;
  let limited = parsed.limited;
  const limit = clampInt(options.limit, DEFAULT_SEARCH_OPTIONS.limit, MAX_LIMIT);
  const offset = clampInt(options.offset, DEFAULT_SEARCH_OPTIONS.offset, Number.MAX_SAFE_INTEGER);
  const sort: SearchSort = terms.length === 0 ? 'date' : (options.sort ?? DEFAULT_SEARCH_OPTIONS.sort);
  const group = options.group ?? DEFAULT_SEARCH_OPTIONS.group;
  const [lo, hi] = sortKeyRange(options.from, options.to);

  const positive = ftsConstraints(forms);
  const termsExact = !positive.truncated && forms.every((fs) => fs.every(ftsIsExact));
  // Excluded terms FTS decides become NOT constraints; the others need the substring check, as
  // long as the articles to check fit the budget (MAX_CHECKED_ROWS); past it they are not applied.
  const exactExclusions: FtsConstraints[] = [];
  const checkedExclusions: { forms: string[]; rowids?: RowidQuery }[] = [];
  const uncheckedExclusions: string[] = [];
  const maxChecked = clampInt(options.maxCheckedRows, MAX_CHECKED_ROWS, Number.MAX_SAFE_INTEGER);
  let exclusionBudget = maxChecked;
  for (const [i, term] of parsed.excluded.entries()) {
    const termForms = excludedForms[i] ?? [term];
    const x = ftsConstraints([termForms]);
    if (!x.truncated && termForms.every(ftsIsExact)) exactExclusions.push(x);
    else {
      const rowids = matchingRowids(x, [], 0, Number.MAX_SAFE_INTEGER);
      const rows = countRows(index, rowids, lo, hi);
      if (rows > exclusionBudget) {
        uncheckedExclusions.push(term);
        continue;
      }
      exclusionBudget -= rows;
      checkedExclusions.push(rowids === undefined ? { forms: termForms } : { forms: termForms, rowids });
    }
  }
  const matching = matchingRowids(positive, exactExclusions, lo, hi);
  // Terms FTS cannot decide are checked on the newest MAX_CHECKED_ROWS candidates at most.
  let checkLimit: number | undefined;
  let partial: { checked: number; candidates: number } | undefined;
  if (!termsExact && terms.length > 0) {
    const rows = countRows(index, matching, lo, hi);
    if (rows > maxChecked) {
      checkLimit = maxChecked;
      partial = { checked: maxChecked, candidates: rows };
    }
  }
  if (uncheckedExclusions.length > 0 || partial !== undefined) {
    limited = { ...(limited ?? { ignoredChars: 0, droppedTerms: [], droppedExclusions: [] }) };
    if (uncheckedExclusions.length > 0) limited.uncheckedExclusions = uncheckedExclusions;
    if (partial !== undefined) limited.partial = partial;
  }
  const joinFilters = options.category !== undefined || options.author !== undefined || options.tag !== undefined;

  let total: number;
  let groups: number | undefined;
  let page: { sk: number; versions?: number[] }[];
  /** Every match's sort key, when a path had them all (facets count them). */
  let all: readonly number[] | undefined;
  const ftsOnly = matching !== undefined && termsExact && checkedExclusions.length === 0 && !joinFilters;
  // Relevance with a term read in Simplified: its literal matches go first (all keys needed).
  const literalTier = sort === 'relevance' ? literalTierForms(forms) : undefined;
  // The FTS-only page reads only the parts its page reaches (relevance: the title part, then the
  // rest; each scored when small enough, relevance.ts MAX_SCORED_PER_PART).
  let counts: { total: number; titleTotal: number } | undefined;
  if (ftsOnly && !group && literalTier === undefined && exactExclusions.length === 0) {
    const matchTotal = countOf(index, matching);
    const titleTotal = sort === 'date' ? 0 : countOf(index, titleHits(positive.title, lo, hi));
    counts = { total: matchTotal, titleTotal };
  }
  if (ftsOnly && counts !== undefined) {
    ({ total, page } = ftsOnlyPage(index, matching, positive.title, forms, lo, hi, sort, limit, offset, counts));
  } else {
    let sks = ftsOnly
      ? index.db
          .prepare<(string | number)[], number>(`${matching.sql} ORDER BY rowid DESC`)
          .pluck()
          .all(...matching.params)
      : candidates(index, {
          forms,
          termsExact,
          matching,
          exactExclusions,
          checkedExclusions,
          lo,
          hi,
          options,
          checkLimit,
        });
    if (sort === 'relevance' && terms.length > 0) {
      const literal = literalTier === undefined ? undefined : literalMatches(index, literalTier, lo, hi);
      sks = relevanceOrder(index, sks, forms, literal, lo, hi);
    }
    total = sks.length;
    all = sks;
    if (group) {
      // Through the cached group table: no row of a match is read. First pass: which match
      // opens each group; second pass: the versions of the groups on this page only.
      const table = index.groupTable();
      const opened = new Uint8Array(table.groupCount);
      const firsts: number[] = [];
      for (const sk of sks) {
        const g = table.groupOf(sk);
        if (g < 0) {
          firsts.push(sk);
          continue;
        } // changed since the table was read: its own group
        if (opened[g] === 0) {
          opened[g] = 1;
          firsts.push(sk);
        }
      }
      groups = firsts.length;
      const shown = firsts.slice(offset, offset + limit);
      const versions = new Map<number, number[]>(shown.map((sk) => [table.groupOf(sk), []]));
      for (const sk of sks) {
        const g = table.groupOf(sk);
        if (g >= 0) versions.get(g)?.push(table.idOf(sk)!);
      }
      page = shown.map((sk) => {
        const g = table.groupOf(sk);
        return { sk, versions: g >= 0 ? versions.get(g)! : [table.idOf(sk) ?? sk % SORT_DAY_SCALE] };
      });
    } else {
      page = sks.slice(offset, offset + limit).map((sk) => ({ sk }));
    }
  }

  const details = index.db.prepare<[number], ResultRow>(
    'SELECT id, path, title, date, author, category, text FROM articles WHERE sk = ?',
  );
  const results: SearchResult[] = [];
  for (const { sk, versions } of page) {
    const detail = details.get(sk);
    if (detail === undefined) continue; // cannot happen within one synchronous call
    results.push(searchResult(detail, forms.flat(), versions));
  }
  const response: SearchResponse = groups === undefined ? { total, results } : { total, groups, results };
  if (options.facets === true) {
    // The FTS-only page read only its page: the facets read every match's key (no rows).
    all ??=
      matching === undefined
        ? []
        : index.db
            .prepare<(string | number)[], number>(matching.sql)
            .pluck()
            .all(...matching.params);
    const table = index.groupTable();
    const years = new Map<number, string>();
    const yearOf = (sk: number): string => {
      const day = Math.floor(sk / SORT_DAY_SCALE);
      let year = years.get(day);
      if (year === undefined) years.set(day, (year = yearOfSortKey(sk)));
      return year;
    };
    response.facets = facetsOf(
      (function* () {
        for (const sk of all) yield [yearOf(sk), table.categoryOf(sk)] as const;
      })(),
    );
  }
  if (limited !== undefined) response.limited = limited;
  if (index.isIncomplete()) response.incomplete = true;
  return response;
}

/**
 * The terms as typed that rank literal matches first (literal before equivalent, issue 15): the
 * typed form of every term read in Simplified, when FTS decides each exactly (one CJK run, the
 * form nearly every Simplified term has). Undefined when no term was read in Simplified, or a
 * typed form needs a text check (`头发a`): deciding those would read article texts, so the
 * order is then the usual one. One rule for the server and the static client.
 */
export function literalTierForms(forms: readonly (readonly string[])[]): string[] | undefined {
  const typed = forms.filter((fs) => fs.length > 1).map((fs) => fs[0]!);
  if (typed.length === 0 || !typed.every(ftsIsExact) || ftsConstraints(typed).truncated) return undefined;
  return typed;
}

/**
 * Literal before equivalent: the sort keys of the articles holding every {@link literalTierForms}
 * form (they go first). FTS alone decides the typed forms, so no article text is read.
 */
function literalMatches(index: SearchIndex, typed: readonly string[], lo: number, hi: number): Set<number> {
  const rowids = matchingRowids(ftsConstraints(typed), [], lo, hi);
  if (rowids === undefined) return new Set();
  return new Set(
    index.db
      .prepare<(string | number)[], number>(rowids.sql)
      .pluck()
      .all(...rowids.params),
  );
}

/**
 * The common case, answered from FTS doclists alone (they are in sort-key order): every term
 * decided by tokens, no exclusion, no category/author/tag filter, no grouping, and either newest
 * first or a relevance order whose two parts are both too large to score (relevance.ts
 * MAX_SCORED_PER_PART: title hits by title length, then the rest newest first). `title` holds
 * the terms' constraints on the title table.
 */
function ftsOnlyPage(
  index: SearchIndex,
  matching: RowidQuery,
  title: readonly string[],
  forms: readonly (readonly string[])[],
  lo: number,
  hi: number,
  sort: SearchSort,
  limit: number,
  offset: number,
  counts: { total: number; titleTotal: number },
): { total: number; page: { sk: number }[] } {
  const db = index.db;
  const newest = (q: RowidQuery, n: number, skip: number): { sk: number }[] =>
    n <= 0
      ? []
      : db
          .prepare<(string | number)[], { sk: number }>(`${q.sql} ORDER BY rowid DESC LIMIT ? OFFSET ?`)
          .all(...q.params, n, skip);
  const { total, titleTotal } = counts;
  if (sort === 'date') return { total, page: newest(matching, limit, offset) };
  const hits = titleHits(title, lo, hi);
  const rest: RowidQuery = {
    sql: `${matching.sql} AND +rowid NOT IN (${hits.sql})`,
    params: [...matching.params, ...hits.params],
  };
  // Each part read and scored only when the page reaches it, and only when small enough.
  const scoredPart = (q: RowidQuery, isTitle: boolean, n: number, skip: number): { sk: number }[] => {
    const sks = db
      .prepare<(string | number)[], number>(`${q.sql} ORDER BY rowid DESC`)
      .pluck()
      .all(...q.params);
    const scoreOf = bm25Scorer(index, forms, sks, total, lo, hi, isTitle);
    return orderPart({ items: sks, title: isTitle, scored: true }, scoreOf, () => 0)
      .slice(skip, skip + n)
      .map((sk) => ({ sk }));
  };
  const page: { sk: number }[] = [];
  if (offset < titleTotal) {
    page.push(
      ...(titleTotal <= MAX_SCORED_PER_PART
        ? scoredPart(hits, true, limit, offset)
        : db
            .prepare<(string | number)[], { sk: number }>(
              `SELECT h.sk FROM (${hits.sql}) h JOIN articles a ON a.sk = h.sk ORDER BY a.title_len, h.sk DESC LIMIT ? OFFSET ?`,
            )
            .all(...hits.params, limit, offset)),
    );
  }
  const n = limit - page.length;
  const skip = Math.max(0, offset - titleTotal);
  if (n > 0 && total - titleTotal > 0)
    page.push(
      ...(total - titleTotal <= MAX_SCORED_PER_PART ? scoredPart(rest, false, n, skip) : newest(rest, n, skip)),
    );
  return { total, page };
}

/** The articles whose title holds every term (the title table decides exactly, as the others do for the whole text). */
function titleHits(title: readonly string[], lo: number, hi: number): RowidQuery {
  return {
    sql: 'SELECT rowid AS sk FROM fts_title WHERE fts_title MATCH ? AND rowid BETWEEN ? AND ?',
    params: [title.join(' AND '), lo, hi],
  };
}

/** How many articles a rowid query matches. */
function countOf(index: SearchIndex, q: RowidQuery): number {
  return (
    index.db.prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM (${q.sql})`).get(...q.params)?.n ??
    0
  );
}

/**
 * Matches (newest first) in relevance order (relevance.ts): literal tier, title part, BM25F
 * within each part of at most MAX_SCORED_PER_PART articles. The fields come from the cached
 * article table (folded titles, lengths, tags) and the body's count levels from the level tokens
 * of the position-free FTS table; no article text is read.
 */
function relevanceOrder(
  index: SearchIndex,
  sks: readonly number[],
  forms: readonly (readonly string[])[],
  literal: Set<number> | undefined,
  lo: number,
  hi: number,
): number[] {
  const table = index.groupTable();
  const rows = new Map<number, number>();
  const rowOf = (sk: number): number => {
    let row = rows.get(sk);
    if (row === undefined) rows.set(sk, (row = table.rowOf(sk)));
    return row;
  };
  const titleOf = (sk: number): string => {
    const row = rowOf(sk);
    return row < 0 ? '' : table.titleFolded[row]!;
  };
  const holds = (text: string, fs: readonly string[]): boolean => fs.some((f) => f.length > 0 && text.includes(f));
  const parts = relevanceParts(sks, literal === undefined ? undefined : (sk) => literal.has(sk), (sk) => {
    const t = titleOf(sk);
    return forms.every((fs) => holds(t, fs));
  });
  const scored = parts.filter((p) => p.scored).flatMap((p) => p.items);
  const scoreOf = scored.length > 0 ? bm25Scorer(index, forms, scored, sks.length, lo, hi) : () => 0;
  const titleLengthOf = (sk: number): number => {
    const row = rowOf(sk);
    return row < 0 ? 0 : table.titleLength[row]!;
  };
  return parts.flatMap((p) => orderPart(p, scoreOf, titleLengthOf));
}

/**
 * BM25F scores (relevance.ts) of the articles `scored` (sort keys; at most a few parts of
 * MAX_SCORED_PER_PART), for a query of `total` matches. Fields from the cached article table;
 * each term's count levels from the level tokens of the position-free FTS table, read only for
 * these articles (`json_each` of their keys: the level lists of a common character hold most
 * of the archive, 46,000 articles for 的2).
 */
function bm25Scorer(
  index: SearchIndex,
  forms: readonly (readonly string[])[],
  scored: readonly number[],
  total: number,
  lo: number,
  hi: number,
  titlePart = false,
): (sk: number) => number {
  const table = index.groupTable();
  // Articles whose title holds every term, each term of one form: the title holds every token
  // of it, so the title table's level tokens (x) say the same as the text's, from far shorter lists.
  const fromTitle = titlePart && forms.every((fs) => fs.length === 1);
  let min = Infinity;
  let max = -Infinity;
  for (const sk of scored) {
    if (sk < min) min = sk;
    if (sk > max) max = sk;
  }
  const scope = JSON.stringify(scored);
  const textLevels = index.db
    .prepare<[string, number, number, string], number>(
      'SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))',
    )
    .pluck();
  const titleLevels = index.db
    .prepare<[string, number, number], number>(
      'SELECT rowid FROM fts_title WHERE fts_title MATCH ? AND rowid BETWEEN ? AND ?',
    )
    .pluck();
  const levelRows = (tokens: readonly string[], l: number): number[] =>
    fromTitle
      ? titleLevels.all(
          tokens.map((t) => `x : ${quoteFts(levelToken(t, l))}`).join(' AND '),
          Math.max(lo, min),
          Math.min(hi, max),
        )
      : textLevels.all(
          tokens.map((t) => quoteFts(levelToken(t, l))).join(' AND '),
          Math.max(lo, min),
          Math.min(hi, max),
          scope,
        );
  // Each term's count level per row: the highest level any form reaches (a form's level is the
  // least among its tokens': one FTS query per level ANDs them).
  const levels = forms.map((fs) => {
    const level = new Uint8Array(table.stats.docs);
    for (const form of fs) {
      const tokens = formLevelTokens(form);
      if (tokens === undefined) continue;
      for (const l of TF_LEVELS) {
        const found = levelRows(tokens, l);
        if (found.length === 0) break; // none of them reaches this level, nor the next
        for (const sk of found) {
          const row = table.rowOf(sk);
          if (row >= 0 && level[row]! < l) level[row] = l;
        }
      }
    }
    return level;
  });
  const tagged = forms.map((fs) => table.rowsWithTag(fs));
  const idfs = termIdfs(forms, table.stats.docs, total, (fs) =>
    countRows(index, matchingRowids(ftsConstraints([fs]), [], 0, Number.MAX_SAFE_INTEGER), 0, 0),
  );
  const holds = (text: string, fs: readonly string[]): boolean => fs.some((f) => f.length > 0 && text.includes(f));
  return (sk) => {
    const row = table.rowOf(sk);
    if (row < 0) return 0; // written after the table was read: cannot happen within one call
    const title = table.titleFolded[row]!;
    return bm25f(
      forms.map((fs, i) => ({ title: holds(title, fs), tags: tagged[i]![row] === 1, level: levels[i]![row] || 1 })),
      idfs,
      table.titleLength[row]!,
      table.textLength[row]!,
      table.stats,
    );
  };
}

/**
 * Each term's idf (relevance.ts), from `articlesWith(forms)`: how many of all articles hold the
 * term, when FTS counts it exactly ({@link countsExactly}); else the query's own total stands
 * for it. With one term the idf scales every score alike: 1, and nothing is counted. One rule for
 * the server and the static client.
 */
export function termIdfs(
  forms: readonly (readonly string[])[],
  docs: number,
  total: number,
  articlesWith: (forms: readonly string[]) => number,
): number[] {
  if (forms.length <= 1) return forms.map(() => 1);
  return forms.map((fs) => idf(countsExactly(fs) ? articlesWith(fs) : total, docs));
}

/** Whether FTS alone counts the articles holding any of a term's forms exactly (no text check). */
export function countsExactly(forms: readonly string[]): boolean {
  return forms.every(ftsIsExact) && !ftsConstraints([forms]).truncated;
}

interface CandidateQuery {
  /** Each term's forms (any matches). */
  forms: string[][];
  termsExact: boolean;
  matching: RowidQuery | undefined;
  exactExclusions: FtsConstraints[];
  checkedExclusions: { forms: string[]; rowids?: RowidQuery }[];
  lo: number;
  hi: number;
  options: SearchOptions;
  /** Check only the newest this many candidates (the budget, MAX_CHECKED_ROWS). */
  checkLimit?: number | undefined;
}

/** The forms that can match: an empty form matches nothing (findTerm's rule). */
const live = (forms: readonly string[]): string[] => forms.filter((f) => f.length > 0);

/** SQL true when `column` contains any of the forms (one `?` per live form, in order). */
function anyForm(column: string, forms: readonly string[]): string {
  const n = live(forms).length;
  return n === 0 ? '0' : `(${Array.from({ length: n }, () => `instr(${column}, ?) > 0`).join(' OR ')})`;
}

/**
 * Every matching article in page order, for queries FTS cannot answer alone: terms or exclusions
 * that need the exact substring check, filters on the articles table, grouping. The check runs
 * inside SQLite (`instr` on the stored folded text), so no text is copied into JavaScript.
 */
function candidates(index: SearchIndex, q: CandidateQuery): number[] {
  const where: string[] = ['a.sk BETWEEN ? AND ?'];
  const params: (string | number)[] = [q.lo, q.hi];
  if (q.matching === undefined) {
    // No positive tokens (no terms, or terms without letters): exclusions are anti-joins.
    for (const x of q.exactExclusions) {
      const rowids = matchingRowids(x, [], 0, Number.MAX_SAFE_INTEGER);
      if (rowids === undefined) continue;
      where.push(`+a.sk NOT IN (${rowids.sql})`);
      params.push(...rowids.params);
    }
  }
  const { category, author, tag } = q.options;
  if (category !== undefined) {
    where.push('a.category = ?');
    params.push(category);
  }
  if (author !== undefined) {
    where.push('a.author = ?');
    params.push(author);
  }
  if (tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?)');
    params.push(tag);
  }
  if (!q.termsExact) {
    for (const fs of q.forms) {
      where.push(anyForm('a.folded', fs));
      params.push(...live(fs));
    }
  }
  for (const x of q.checkedExclusions) {
    if (live(x.forms).length === 0) continue;
    // Only articles holding the excluded term's tokens can hold the term: check just those. A
    // CASE, not an OR: SQLite evaluated `NOT IN (…) OR instr(…)` by reading every article's text
    // (1,483 ms for one exclusion on hkcnews, 10.8 ms as a CASE; 250 of them took 64 s, issue 12).
    if (x.rowids !== undefined) {
      where.push(`(CASE WHEN +a.sk IN (${x.rowids.sql}) THEN NOT ${anyForm('a.folded', x.forms)} ELSE 1 END)`);
      params.push(...x.rowids.params, ...live(x.forms));
    } else {
      where.push(`NOT ${anyForm('a.folded', x.forms)}`);
      params.push(...live(x.forms));
    }
  }
  const limit =
    q.checkLimit === undefined
      ? ''
      : ` ORDER BY ${q.matching !== undefined ? 'rowid' : 'sk'} DESC LIMIT ${Math.trunc(q.checkLimit)}`;
  const from =
    q.matching !== undefined
      ? `(${q.matching.sql}${limit}) m JOIN articles a ON a.sk = m.sk`
      : q.checkLimit !== undefined
        ? `(SELECT sk FROM articles WHERE sk BETWEEN ? AND ?${limit}) m JOIN articles a ON a.sk = m.sk`
        : 'articles a';
  const fromParams = q.matching?.params ?? (q.checkLimit !== undefined ? [q.lo, q.hi] : []);
  // Newest first; relevance orders these in JavaScript (relevanceOrder).
  const sql = `SELECT a.sk FROM ${from} WHERE ${where.join(' AND ')} ORDER BY a.sk DESC`;
  return index.db
    .prepare<(string | number)[], number>(sql)
    .pluck()
    .all(...fromParams, ...params);
}

/** What a result is built from: an article's fields and text (absent fields null or undefined). */
export interface ResultSource {
  id: number;
  path: string;
  title: string;
  date?: string | null | undefined;
  author?: string | null | undefined;
  category?: string | null | undefined;
  text: string;
}

/** One result: the article's fields, a snippet for the folded terms, and with grouping its versions. */
export function searchResult(source: ResultSource, terms: readonly string[], versions?: number[]): SearchResult {
  const result: SearchResult = {
    id: source.id,
    path: source.path,
    title: source.title,
    snippet: snippet(source.text, terms),
  };
  if (source.date != null) result.date = source.date;
  if (source.author != null) result.author = source.author;
  if (source.category != null) result.category = source.category;
  if (versions !== undefined) {
    result.groupSize = versions.length;
    result.versions = versions;
  }
  return result;
}

interface ResultRow {
  id: number;
  path: string;
  title: string;
  date: string | null;
  author: string | null;
  category: string | null;
  text: string;
}

const WHITESPACE_RUN = /\s+/gu;

const show = (text: string): string => escapeHtml(text.replace(WHITESPACE_RUN, ' '));

/** Do not start or end a cut between the halves of a surrogate pair. */
function safeCut(text: string, at: number): number {
  const unit = text.charCodeAt(at);
  return at > 0 && at < text.length && unit >= 0xdc00 && unit <= 0xdfff ? at - 1 : at;
}

/**
 * About {@link SNIPPET_CHARS} characters of `text` around the first match of any folded term,
 * HTML-escaped, every match inside the window wrapped in `<mark>`; the start of the text when no
 * term occurs in it (a title-only match, or no terms).
 */
export function snippet(text: string, terms: readonly string[]): string {
  const live = terms.filter((t) => t.length > 0);
  const first = firstMatch(text, live);
  let start = first === undefined ? 0 : Math.max(0, first[0] - SNIPPET_LEAD);
  let end = Math.min(text.length, Math.max(start + SNIPPET_CHARS, first?.[1] ?? 0));
  start = safeCut(text, start);
  end = safeCut(text, end);
  const matches = first === undefined ? [] : matchesIn(text, start, end, live);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [s, e] of matches) {
    if (s < at || e > end) continue; // overlapping an earlier mark, or past the window
    out += `${show(text.slice(at, s))}<mark>${show(text.slice(s, e))}</mark>`;
    at = e;
  }
  out += show(text.slice(at, end));
  if (end < text.length) out += '…';
  return out.trim();
}

/**
 * Original text folded per chunk while looking for the first match: folding a whole article for
 * every result cost more than the query itself (18 of 31 ms for a page of 20, hkcnews 2026-11-26).
 * Folding is per code point, so a chunk folds exactly as the same span of the whole text.
 */
const SNIPPET_CHUNK = 512;

/** Every match of the terms inside `text[start, end)`, as original offsets, sorted by start then longest. */
function matchesIn(text: string, start: number, end: number, terms: readonly string[]): [number, number][] {
  const { folded, origin } = foldWithOrigin(text.slice(start, end));
  const originAt = (i: number): number => start + (i < folded.length ? origin[i]! : end - start);
  const matches: [number, number][] = [];
  for (const term of terms) {
    for (let i = findTerm(folded, term); i !== -1; i = findTerm(folded, term, i + 1)) {
      matches.push([originAt(i), originAt(i + term.length)]);
    }
  }
  return matches.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
}

/** The earliest match of any term (the longest on a tie), as original offsets, or undefined. */
function firstMatch(text: string, terms: readonly string[]): [number, number] | undefined {
  if (terms.length === 0) return undefined;
  // A term of n folded units comes from at most n code points (2n UTF-16 units) of the original.
  const overlap = 2 * Math.max(...terms.map((t) => t.length)) + 2;
  for (let from = 0; from < text.length;) {
    const chunkEnd = safeCut(text, Math.min(text.length, from + SNIPPET_CHUNK));
    const sliceEnd = safeCut(text, Math.min(text.length, chunkEnd + overlap));
    const { folded, origin } = foldWithOrigin(text.slice(from, sliceEnd));
    const originAt = (i: number): number => from + (i < folded.length ? origin[i]! : sliceEnd - from);
    let best: [number, number] | undefined;
    for (const term of terms) {
      const i = findTerm(folded, term);
      if (i === -1) continue;
      const match: [number, number] = [originAt(i), originAt(i + term.length)];
      // Only matches starting in this chunk: later ones may be cut off by the slice's end.
      if (match[0] >= chunkEnd) continue;
      if (best === undefined || match[0] < best[0] || (match[0] === best[0] && match[1] > best[1])) best = match;
    }
    if (best !== undefined) return best;
    from = chunkEnd;
  }
  return undefined;
}
