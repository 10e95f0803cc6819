/**
 * Search parameters from a query string, validated: the JSON API answers 400 with the message,
 * the search page shows it. Nothing here throws.
 */
import { isCalendarDate, MAX_LIMIT, type SearchOptions, type SearchSort } from '../search/index.js';

/** Longest query accepted (characters): a query, not a document. */
export const MAX_QUERY_CHARS = 1000;
/** Longest category, author or tag filter accepted (characters). */
export const MAX_FILTER_CHARS = 500;
/** Largest `offset`: beyond every archive's size, small enough to stay an integer everywhere. */
export const MAX_OFFSET = 1_000_000;
/** Results per search page in the HTML reader. */
export const SEARCH_PAGE_SIZE = 20;
/** Largest page number of the HTML search (MAX_OFFSET / SEARCH_PAGE_SIZE). */
export const MAX_SEARCH_PAGE = MAX_OFFSET / SEARCH_PAGE_SIZE;

const INTEGER = /^\d{1,9}$/;
const SORTS: readonly SearchSort[] = ['relevance', 'date'];
const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);

export type ParamResult<T> = { ok: true; value: T } | { ok: false; param: string; message: string };

/** The search options a query string asks for (API or page). */
export interface SearchRequest {
  options: SearchOptions & { limit: number; offset: number; group: boolean };
  /** 1-based page (HTML search). */
  page: number;
  /** The raw query text (for the form). */
  q: string;
}

const bad = (param: string, message: string): { ok: false; param: string; message: string } => ({
  ok: false,
  param,
  message,
});

/**
 * Read `q, limit, offset, sort, from, to, category, author, tag, group, facets` (API) or `… page`
 * (page: `limit` fixed, `offset` from `page`, `group` on unless `group=0`, facets always). Empty values count as absent
 * (an empty form field).
 */
export function parseSearchParams(params: URLSearchParams, kind: 'api' | 'page'): ParamResult<SearchRequest> {
  const get = (name: string): string | undefined => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const q = params.get('q') ?? '';
  if (q.length > MAX_QUERY_CHARS) return bad('q', `q is longer than ${MAX_QUERY_CHARS} characters`);
  let limit = SEARCH_PAGE_SIZE;
  let offset = 0;
  let page = 1;
  if (kind === 'api') {
    const l = get('limit');
    if (l !== undefined) {
      if (!INTEGER.test(l) || Number(l) < 1 || Number(l) > MAX_LIMIT)
        return bad('limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
      limit = Number(l);
    }
    const o = get('offset');
    if (o !== undefined) {
      if (!INTEGER.test(o) || Number(o) > MAX_OFFSET)
        return bad('offset', `offset must be an integer from 0 to ${MAX_OFFSET}`);
      offset = Number(o);
    }
  } else {
    const p = get('page');
    if (p !== undefined) {
      if (!INTEGER.test(p) || Number(p) < 1 || Number(p) > MAX_SEARCH_PAGE)
        return bad('page', `page must be an integer from 1 to ${MAX_SEARCH_PAGE}`);
      page = Number(p);
    }
    offset = (page - 1) * SEARCH_PAGE_SIZE;
  }
  // The page always shows where the matches live; the API counts them when asked (facets=1).
  const options: SearchRequest['options'] = { q, limit, offset, group: kind === 'page', facets: kind === 'page' };
  const sort = get('sort');
  if (sort !== undefined) {
    if (!(SORTS as readonly string[]).includes(sort)) return bad('sort', `sort must be one of ${SORTS.join(', ')}`);
    options.sort = sort as SearchSort;
  }
  for (const name of ['from', 'to'] as const) {
    const v = get(name);
    if (v === undefined) continue;
    if (!isCalendarDate(v)) return bad(name, `${name} must be a date YYYY-MM-DD`);
    options[name] = v;
  }
  for (const name of ['category', 'author', 'tag'] as const) {
    const v = get(name);
    if (v === undefined) continue;
    if (v.length > MAX_FILTER_CHARS) return bad(name, `${name} is longer than ${MAX_FILTER_CHARS} characters`);
    options[name] = v;
  }
  const group = get('group');
  if (group !== undefined) {
    const g = group.toLowerCase();
    if (TRUE_VALUES.has(g)) options.group = true;
    else if (FALSE_VALUES.has(g)) options.group = false;
    else return bad('group', 'group must be 1 or 0');
  }
  const facets = kind === 'api' ? get('facets')?.toLowerCase() : undefined;
  if (facets !== undefined) {
    if (TRUE_VALUES.has(facets)) options.facets = true;
    else if (FALSE_VALUES.has(facets)) options.facets = false;
    else return bad('facets', 'facets must be 1 or 0');
  }
  return { ok: true, value: { options, page, q } };
}
