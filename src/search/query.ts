/**
 * Query parsing and search. A query is data: it is split into terms, folded, and reaches FTS5
 * only as quoted tokens, so no input raises an SQL or FTS syntax error. FTS gives a superset of
 * candidates; each is then checked against the folded text, so results equal a substring scan of
 * every article's folded title and text for every term (`folded.includes(term)`, tokens.ts `findTerm`).
 */
import { foldWithOrigin, fold } from './fold.js';
import type { SearchIndex } from './index-db.js';
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

/** How results are ordered: FTS5 bm25 then newest, or newest first. */
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
}

export interface SearchResponse {
  /** Matching articles (not groups). */
  total: number;
  /** With `group`: matching revision groups. */
  groups?: number;
  results: SearchResult[];
}

interface Candidate {
  id: number;
  date: string | null;
  group_key: string;
  score: number;
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
 * characters (a bigram, or a prefix of bigrams and lone last characters), or an ASCII letter/digit
 * fragment of at most MAX_WORD_TOKEN characters (a prefix of word suffix tokens: a document has a
 * token starting with it exactly when its folded text contains it). Other words are checked: FTS
 * case folding and marks make the token test only a superset there.
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

/** Search the index. Never throws for any query or filter text. */
export function search(index: SearchIndex, options: SearchOptions = {}): SearchResponse {
  const { terms, excluded } = parseQuery(options.q ?? DEFAULT_SEARCH_OPTIONS.q);
  const limit = clampInt(options.limit, DEFAULT_SEARCH_OPTIONS.limit, MAX_LIMIT);
  const offset = clampInt(options.offset, DEFAULT_SEARCH_OPTIONS.offset, Number.MAX_SAFE_INTEGER);
  const sort: SearchSort = terms.length === 0 ? 'date' : (options.sort ?? DEFAULT_SEARCH_OPTIONS.sort);
  const group = options.group ?? DEFAULT_SEARCH_OPTIONS.group;

  const where: string[] = [];
  const params: (string | number)[] = [];
  const { match, truncated } = ftsExpression(terms);
  if (match !== undefined) {
    where.push('fts MATCH ?');
    params.push(match);
  }
  if (options.from !== undefined) {
    where.push('a.date >= ?');
    params.push(options.from);
  }
  if (options.to !== undefined) {
    where.push('substr(a.date, 1, 10) <= ?');
    params.push(options.to);
  }
  if (options.category !== undefined) {
    where.push('a.category = ?');
    params.push(options.category);
  }
  if (options.author !== undefined) {
    where.push('a.author = ?');
    params.push(options.author);
  }
  if (options.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?)');
    params.push(options.tag);
  }
  const needCheck = truncated || excluded.length > 0 || !terms.every(ftsIsExact) || (match === undefined && terms.length > 0);
  if (needCheck) {
    // The exact check (findTerm's plain substring rule) runs inside SQLite: `instr` on the stored
    // folded text, so no candidate's text is copied into JavaScript (measured: exclusion and
    // English queries spent most of their time there). An empty term matches nothing, as findTerm.
    for (const t of terms) {
      where.push(t.length === 0 ? '0' : 'instr(a.folded, ?) > 0');
      if (t.length > 0) params.push(t);
    }
    for (const t of excluded) {
      if (t.length === 0) continue;
      where.push('instr(a.folded, ?) = 0');
      params.push(t);
    }
  }
  const columns = `a.id, a.date, a.group_key, ${match !== undefined ? 'bm25(fts)' : '0'} AS score`;
  const from = match !== undefined ? 'fts JOIN articles a ON a.id = fts.rowid' : 'articles a';
  const sql = `SELECT ${columns} FROM ${from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const rows = index.db.prepare<(string | number)[], Candidate>(sql).all(...params);
  const byDate = (a: Candidate, b: Candidate): number =>
    (b.date ?? '').localeCompare(a.date ?? '') || b.id - a.id;
  rows.sort(sort === 'relevance' ? (a, b) => a.score - b.score || byDate(a, b) : byDate);

  const total = rows.length;
  let page: { row: Candidate; size?: number }[];
  let groups: number | undefined;
  if (group) {
    const sizes = new Map<string, number>();
    const firsts: Candidate[] = [];
    for (const row of rows) {
      const size = sizes.get(row.group_key);
      if (size === undefined) firsts.push(row);
      sizes.set(row.group_key, (size ?? 0) + 1);
    }
    groups = firsts.length;
    page = firsts.slice(offset, offset + limit).map((row) => ({ row, size: sizes.get(row.group_key) ?? 1 }));
  } else {
    page = rows.slice(offset, offset + limit).map((row) => ({ row }));
  }

  const details = index.db.prepare<[number], ResultRow>(
    'SELECT id, path, title, date, author, category, text FROM articles WHERE id = ?',
  );
  const results: SearchResult[] = [];
  for (const { row, size } of page) {
    const detail = details.get(row.id);
    if (detail === undefined) continue; // cannot happen within one synchronous call
    const result: SearchResult = { id: detail.id, path: detail.path, title: detail.title, snippet: snippet(detail.text, terms) };
    if (detail.date !== null) result.date = detail.date;
    if (detail.author !== null) result.author = detail.author;
    if (detail.category !== null) result.category = detail.category;
    if (size !== undefined) result.groupSize = size;
    results.push(result);
  }
  return groups === undefined ? { total, results } : { total, groups, results };
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
  const { folded, origin } = foldWithOrigin(text);
  const originAt = (i: number): number => (i < folded.length ? origin[i]! : text.length);
  const matches: [number, number][] = [];
  for (const term of terms) {
    for (let i = findTerm(folded, term); i !== -1; i = findTerm(folded, term, i + 1)) {
      matches.push([originAt(i), originAt(i + term.length)]);
    }
  }
  matches.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = matches[0];
  let start = first === undefined ? 0 : Math.max(0, first[0] - SNIPPET_LEAD);
  let end = Math.min(text.length, Math.max(start + SNIPPET_CHARS, first?.[1] ?? 0));
  start = safeCut(text, start);
  end = safeCut(text, end);
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
