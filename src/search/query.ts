/**
 * Query parsing and search. A query is data: it is split into terms, folded, and reaches FTS5
 * only as quoted tokens, so no input raises an SQL or FTS syntax error. FTS gives a superset of
 * candidates; each is then checked against the folded text, so results equal a substring scan of
 * every article's folded title and text for every term (`folded.includes(term)`, tokens.ts `findTerm`).
 */
import { foldWithOrigin, fold } from './fold.js';
import { dayNumber, SORT_DAY_SCALE, type SearchIndex } from './index-db.js';
import { findTerm, MAX_WORD_TOKEN, termTokens, textRuns } from './tokens.js';

/** A parsed query: terms every result contains, terms no result contains. Terms are folded. */
export interface ParsedQuery {
  terms: string[];
  excluded: string[];
}

const WHITESPACE = /\s/u;

/**
 * Split a query into bare words, `"quoted phrases"` and `-excluded` words or phrases; an unbalanced
 * quote runs to the end. Never throws. Example: `parseQuery('香港 "民主 派" -政府')` →
 * `{ terms: ['香港', '民主 派'], excluded: ['政府'] }`.
 */
export function parseQuery(input: string): ParsedQuery {
  const terms: string[] = [];
  const excluded: string[] = [];
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
    const list = negate ? excluded : terms;
    if (!list.includes(term)) list.push(term);
  }
  return { terms, excluded };
}

/** How results are ordered: title matches first then newest, or newest first (see {@link search}). */
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

export interface SearchResult {
  id: number;
  path: string;
  title: string;
  date?: string;
  author?: string;
  category?: string;
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
}

function quoteFts(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/**
 * The FTS5 MATCH expression for folded terms (undefined when they give no constraint), and whether
 * it was cut to {@link MAX_FTS_TOKENS} constraints.
 */
export function ftsExpression(terms: readonly string[]): { match?: string; truncated: boolean } {
  const parts = new Set<string>();
  for (const term of terms) {
    const { exact, prefixes } = termTokens(term);
    for (const token of exact) parts.add(quoteFts(token));
    for (const prefix of prefixes) parts.add(`${quoteFts(prefix)}*`);
  }
  const list = [...parts].slice(0, MAX_FTS_TOKENS);
  const truncated = parts.size > list.length;
  return list.length === 0 ? { truncated } : { match: list.join(' AND '), truncated };
}

/**
 * Whether FTS alone decides the term exactly (no substring check needed): one or two CJK
 * characters (a unigram or bigram token), or an ASCII letter/digit fragment of at most
 * MAX_WORD_TOKEN characters (a prefix of word suffix tokens: a document has a token starting with
 * it exactly when its folded text contains it). Other terms are checked: longer CJK terms only
 * imply their bigrams, and FTS case folding and marks make the token test a superset for words.
 */
function ftsIsExact(term: string): boolean {
  if (/^[a-z0-9]+$/.test(term)) return term.length <= MAX_WORD_TOKEN;
  const runs = textRuns(term);
  const run = runs[0];
  if (runs.length !== 1 || run === undefined || run.text !== term || run.kind !== 'cjk') return false;
  return Array.from(term).length <= 2;
}

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(value)));
}

const DATE_BOUND = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * The sort-key range of `from`/`to` (inclusive). `YYYY` and `YYYY-MM` mean the whole year or
 * month; a bound that is not such a date is ignored. Any bound excludes undated articles.
 */
function sortKeyRange(from: string | undefined, to: string | undefined): [number, number] {
  let lo = 0;
  let hi = Number.MAX_SAFE_INTEGER;
  const f = from === undefined ? null : DATE_BOUND.exec(from.trim());
  const t = to === undefined ? null : DATE_BOUND.exec(to.trim());
  if (f !== null) lo = dayNumber(`${f[1]}-${f[2] ?? '01'}-${f[3] ?? '01'}`) * SORT_DAY_SCALE;
  if (t !== null) {
    const [y, m, d] = [Number(t[1]), t[2] === undefined ? 12 : Number(t[2]), t[3] === undefined ? undefined : Number(t[3])];
    // Day 0 of the next month is the last day of this one.
    const last = d ?? new Date(Date.UTC(y, m, 0)).getUTCDate();
    const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
    hi = (dayNumber(iso) + 1) * SORT_DAY_SCALE - 1;
  }
  if (f !== null || t !== null) lo = Math.max(lo, SORT_DAY_SCALE);
  return [lo, hi];
}

/** One matching article on its way to a page: sort key, revision group, whether its title holds every term. */
interface Candidate {
  sk: number;
  id: number;
  group_key?: string;
  title_hit?: number;
}

/**
 * Search the index. Never throws for any query or filter text.
 *
 * Order: `date` is newest publication day first, then highest id. `relevance` puts articles whose
 * title contains every term first, then the others, each part in date order: a news archive is
 * read by story and by time, and this order is exact and cheap (FTS doclists are in date order);
 * a bm25 order over a one-character query's 36,070 matches cost 20–90 ms.
 */
export function search(index: SearchIndex, options: SearchOptions = {}): SearchResponse {
  const { terms, excluded } = parseQuery(options.q ?? DEFAULT_SEARCH_OPTIONS.q);
  const limit = clampInt(options.limit, DEFAULT_SEARCH_OPTIONS.limit, MAX_LIMIT);
  const offset = clampInt(options.offset, DEFAULT_SEARCH_OPTIONS.offset, Number.MAX_SAFE_INTEGER);
  const sort: SearchSort = terms.length === 0 ? 'date' : (options.sort ?? DEFAULT_SEARCH_OPTIONS.sort);
  const group = options.group ?? DEFAULT_SEARCH_OPTIONS.group;
  const [lo, hi] = sortKeyRange(options.from, options.to);

  const { match, truncated } = ftsExpression(terms);
  const termsExact = match !== undefined && !truncated && terms.every(ftsIsExact);
  // Excluded terms FTS decides become `NOT` clauses of the match; the others need a check.
  const exactExclusions: string[] = [];
  const checkedExclusions: { term: string; match?: string }[] = [];
  for (const term of excluded) {
    const x = ftsExpression([term]);
    if (x.match !== undefined && !x.truncated && ftsIsExact(term)) exactExclusions.push(x.match);
    else checkedExclusions.push(x.match === undefined ? { term } : { term, match: x.match });
  }
  const fullMatch = match === undefined ? undefined : match + exactExclusions.map((x) => ` NOT (${x})`).join('');
  const joinFilters = options.category !== undefined || options.author !== undefined || options.tag !== undefined;

  let total: number;
  let groups: number | undefined;
  let page: { sk: number; versions?: number[] }[];
  if (fullMatch !== undefined && termsExact && checkedExclusions.length === 0 && !joinFilters && !group) {
    ({ total, page } = ftsOnlyPage(index, fullMatch, match!, exactExclusions.length > 0, lo, hi, sort, limit, offset));
  } else {
    const rows = candidates(index, { terms, termsExact, fullMatch, exactExclusions, checkedExclusions, lo, hi, sort, options });
    total = rows.length;
    if (group) {
      const members = new Map<string, number[]>();
      const firsts: Candidate[] = [];
      for (const row of rows) {
        const key = row.group_key!; // selected when group is set
        const ids = members.get(key);
        if (ids === undefined) {
          firsts.push(row);
          members.set(key, [row.id]);
        } else ids.push(row.id);
      }
      groups = firsts.length;
      page = firsts.slice(offset, offset + limit).map((row) => ({ sk: row.sk, versions: members.get(row.group_key!) ?? [row.id] }));
    } else {
      page = rows.slice(offset, offset + limit).map((row) => ({ sk: row.sk }));
    }
  }

  const details = index.db.prepare<[number], ResultRow>(
    'SELECT id, path, title, date, author, category, text FROM articles WHERE sk = ?',
  );
  const results: SearchResult[] = [];
  for (const { sk, versions } of page) {
    const detail = details.get(sk);
    if (detail === undefined) continue; // cannot happen within one synchronous call
    const result: SearchResult = { id: detail.id, path: detail.path, title: detail.title, snippet: snippet(detail.text, terms) };
    if (detail.date !== null) result.date = detail.date;
    if (detail.author !== null) result.author = detail.author;
    if (detail.category !== null) result.category = detail.category;
    if (versions !== undefined) {
      result.groupSize = versions.length;
      result.versions = versions;
    }
    results.push(result);
  }
  return groups === undefined ? { total, results } : { total, groups, results };
}

/**
 * The common case, answered from FTS doclists alone (they are in sort-key order): every term and
 * exclusion decided by tokens, no category/author/tag filter, no grouping. `titleMatch` is the
 * positive part, run on the title index for relevance.
 */
function ftsOnlyPage(
  index: SearchIndex, fullMatch: string, titleMatch: string, hasExclusions: boolean, lo: number, hi: number,
  sort: SearchSort, limit: number, offset: number,
): { total: number; page: { sk: number }[] } {
  const db = index.db;
  const total = db.prepare<[string, number, number], { n: number }>(
    'SELECT count(*) AS n FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?',
  ).get(fullMatch, lo, hi)?.n ?? 0;
  const newest = (where: string, params: (string | number)[], n: number, skip: number): { sk: number }[] =>
    n <= 0 ? [] : db.prepare<(string | number)[], { sk: number }>(`${where} ORDER BY rowid DESC LIMIT ? OFFSET ?`).all(...params, n, skip);
  const matching = 'SELECT rowid AS sk FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?';
  if (sort === 'date') return { total, page: newest(matching, [fullMatch, lo, hi], limit, offset) };
  // Title hits: the title holds every term (title tokens decide exactly, as for the full text),
  // and the whole article holds no excluded term.
  // `+rowid`: a bare `rowid IN (…)` is handed to FTS5 as one lookup per listed rowid (400 ms for
  // 18,078 rowids); the unary plus keeps it a plain filter (2.5 ms). Measured 2026-11-26.
  const titleHits = `SELECT rowid AS sk FROM fts_title WHERE fts_title MATCH ? AND rowid BETWEEN ? AND ?${hasExclusions ? ' AND +rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)' : ''}`;
  const titleParams = hasExclusions ? [titleMatch, lo, hi, fullMatch] : [titleMatch, lo, hi];
  const titleTotal = db.prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM (${titleHits})`).get(...titleParams)?.n ?? 0;
  const first = offset < titleTotal ? newest(titleHits, titleParams, limit, offset) : [];
  const rest = newest(`${matching} AND +rowid NOT IN (${titleHits})`, [fullMatch, lo, hi, ...titleParams], limit - first.length, Math.max(0, offset - titleTotal));
  return { total, page: [...first, ...rest] };
}

interface CandidateQuery {
  terms: string[];
  termsExact: boolean;
  fullMatch: string | undefined;
  exactExclusions: string[];
  checkedExclusions: { term: string; match?: string }[];
  lo: number;
  hi: number;
  sort: SearchSort;
  options: SearchOptions;
}

/**
 * Every matching article in page order, for queries FTS cannot answer alone: terms or exclusions
 * that need the exact substring check, filters on the articles table, grouping. The check runs
 * inside SQLite (`instr` on the stored folded text), so no text is copied into JavaScript.
 */
function candidates(index: SearchIndex, q: CandidateQuery): Candidate[] {
  const where: string[] = ['a.sk BETWEEN ? AND ?'];
  const params: (string | number)[] = [q.lo, q.hi];
  if (q.fullMatch !== undefined) {
    where.unshift('fts MATCH ?');
    params.unshift(q.fullMatch);
  } else {
    // No positive tokens (no terms, or terms without letters): exclusions are anti-joins.
    for (const x of q.exactExclusions) {
      where.push('+a.sk NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)');
      params.push(x);
    }
  }
  const { category, author, tag } = q.options;
  if (category !== undefined) { where.push('a.category = ?'); params.push(category); }
  if (author !== undefined) { where.push('a.author = ?'); params.push(author); }
  if (tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?)');
    params.push(tag);
  }
  if (!q.termsExact) {
    // An empty term matches nothing (findTerm's rule).
    for (const t of q.terms) {
      where.push(t.length === 0 ? '0' : 'instr(a.folded, ?) > 0');
      if (t.length > 0) params.push(t);
    }
  }
  for (const x of q.checkedExclusions) {
    if (x.term.length === 0) continue;
    // Only articles holding the excluded term's tokens can hold the term: check just those.
    if (x.match !== undefined) {
      where.push('(+a.sk NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?) OR instr(a.folded, ?) = 0)');
      params.push(x.match, x.term);
    } else {
      where.push('instr(a.folded, ?) = 0');
      params.push(x.term);
    }
  }
  const relevance = q.sort === 'relevance' && q.terms.length > 0;
  const titleHit = relevance ? q.terms.map((t) => (t.length === 0 ? '0' : 'instr(a.title_folded, ?) > 0')).join(' AND ') : '0';
  const titleParams = relevance ? q.terms.filter((t) => t.length > 0) : [];
  const from = q.fullMatch !== undefined ? 'fts JOIN articles a ON a.sk = fts.rowid' : 'articles a';
  const sql = `SELECT a.sk, a.id, a.group_key, ${titleHit} AS title_hit FROM ${from} WHERE ${where.join(' AND ')} ORDER BY title_hit DESC, a.sk DESC`;
  return index.db.prepare<(string | number)[], Candidate>(sql).all(...titleParams, ...params);
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

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/g;
const WHITESPACE_RUN = /\s+/gu;

/** Escape text for HTML content or attributes. */
export function escapeHtml(text: string): string {
  return text.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] ?? c);
}

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
  for (let from = 0; from < text.length; ) {
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
