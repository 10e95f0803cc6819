/**
 * The search page (server results, or in a static export an empty results region the client
 * script fills) and the original-URL lookup page.
 */
import { isSalvageError } from '../../errors.js';
import {
  MAX_QUERY_CHARS,
  MAX_QUERY_EXCLUSIONS,
  MAX_QUERY_TERMS,
  search,
  type QueryLimited,
  type SearchFacets,
  type SearchOptions,
  type SearchResponse,
} from '../../search/index.js';
import { STATIC_SEARCH_SCRIPT_PATH } from '../assets.js';
import type { ReaderContext } from '../context.js';
import { html, type Html, type HtmlPart } from '../html.js';
import { articleList, page, pager } from '../layout.js';
import { SEARCH_PAGE_SIZE, type SearchRequest } from '../params.js';

const num = (n: number): string => n.toLocaleString('en-US');

/** The values shown in the form (what the request asked for). */
export interface SearchFormValues {
  q: string;
  sort?: string;
  from?: string;
  to?: string;
  category?: string;
  author?: string;
  tag?: string;
  group: boolean;
}

export function formValues(request: SearchRequest | undefined, params: URLSearchParams): SearchFormValues {
  if (request === undefined) {
    // Invalid parameters: show what was typed so it can be corrected.
    const v = (name: string): string | undefined => params.get(name) ?? undefined;
    const out: SearchFormValues = { q: params.get('q') ?? '', group: params.get('group') !== '0' };
    for (const name of ['sort', 'from', 'to', 'category', 'author', 'tag'] as const) {
      const value = v(name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  const o = request.options;
  const out: SearchFormValues = { q: request.q, group: o.group };
  for (const name of ['sort', 'from', 'to', 'category', 'author', 'tag'] as const) {
    const value = o[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const selected = (on: boolean): HtmlPart => (on ? html` selected` : '');

function searchForm(ctx: ReaderContext, v: SearchFormValues): Html {
  const categories = ctx.catalog.names('category');
  const years = ctx.catalog.years();
  const min = years[0] !== undefined ? `${years[0].name}-01-01` : undefined;
  const max = years[years.length - 1] !== undefined ? `${years[years.length - 1]!.name}-12-31` : undefined;
  const range = html`${min !== undefined ? html` min="${min}"` : ''}${max !== undefined ? html` max="${max}"` : ''}`;
  return html`<form class="search" role="search" action="/search/" method="get">
<div><label for="q">搜尋字詞</label>
<input class="q" id="q" type="search" name="q" value="${v.q}" aria-describedby="q-help" autocomplete="off"></div>
<p id="q-help" class="muted">任何長度的中文或英文字詞（繁體按字面搜尋；簡體字詞亦找對應的繁體寫法）；多個字詞須全部出現；以 "引號" 搜尋含空格的詞組；以 -字詞 排除。每次最多讀取 ${MAX_QUERY_CHARS} 個字元、${MAX_QUERY_TERMS} 個字詞及 ${MAX_QUERY_EXCLUSIONS} 個排除字詞。</p>
<div class="row">
<label>排序
<select name="sort"><option value="relevance"${selected(v.sort !== 'date')}>相關度</option><option value="date"${selected(v.sort === 'date')}>日期（新至舊）</option></select></label>
<label>由 <input type="date" name="from" value="${v.from ?? ''}"${range}></label>
<label>至 <input type="date" name="to" value="${v.to ?? ''}"${range}></label>
<label>版本
<select name="group"><option value="1"${selected(v.group)}>同一報道合併顯示</option><option value="0"${selected(!v.group)}>顯示每個版本</option></select></label>
</div>
<div class="row">
<label>分類
<select name="category"><option value="">全部</option>${categories.map((c) => html`<option value="${c.name}"${selected(c.name === v.category)}>${c.name}（${num(c.count)}）</option>`)}</select></label>
<label>作者 <input type="text" name="author" value="${v.author ?? ''}"></label>
<label>標籤 <input type="text" name="tag" value="${v.tag ?? ''}"></label>
</div>
<div><button type="submit">搜尋</button></div>
</form>`;
}

/** Whether the request asks for anything (an empty /search/ shows only the form). */
export function hasSearchInput(params: URLSearchParams): boolean {
  for (const name of ['q', 'from', 'to', 'category', 'author', 'tag'])
    if ((params.get(name) ?? '').trim() !== '') return true;
  return false;
}

/** The URL of another page of the same search. */
function pageHref(params: URLSearchParams, n: number): string {
  const next = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'page' && v !== '') next.append(k, v);
  if (n > 1) next.set('page', String(n));
  return `/search/?${next.toString()}`;
}

/** The URL of the same search narrowed by `set` (a year's dates, a category), from its first page. */
function facetHref(params: URLSearchParams, set: Readonly<Record<string, string>>): string {
  const next = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'page' && !(k in set) && v !== '') next.append(k, v);
  for (const [k, v] of Object.entries(set)) next.set(k, v);
  return `/search/?${next.toString()}`;
}

/** Where the matches live: links narrowing the search to a year or a category, with their counts. */
function facetBlock(facets: SearchFacets, params: URLSearchParams): Html {
  const years = facets.years.map((y, i) =>
    y.value === ''
      ? html`${i > 0 ? '、' : ''}沒有日期（${num(y.count)}）`
      : html`${i > 0 ? '、' : ''}<a href="${facetHref(params, { from: `${y.value}-01-01`, to: `${y.value}-12-31` })}">${y.value}</a>（${num(y.count)}）`,
  );
  const categories = facets.categories.map(
    (c, i) =>
      html`${i > 0 ? '、' : ''}<a href="${facetHref(params, { category: c.value })}">${c.value}</a>（${num(c.count)}）`,
  );
  return html`<div class="facets">${years.length > 0 ? html`<p>年份：${years}</p>` : ''}${categories.length > 0 ? html`<p>分類：${categories}</p>` : ''}</div>
`;
}

/**
 * The results region. Its markup is the contract the static export's client renders too
 * (index.ts, "Search result markup").
 */
export function searchResults(response: SearchResponse, request: SearchRequest, params: URLSearchParams): Html {
  const count = response.groups ?? response.total;
  const pages = Math.max(1, Math.ceil(count / SEARCH_PAGE_SIZE));
  const from = (request.page - 1) * SEARCH_PAGE_SIZE + 1;
  const summary =
    response.total === 0
      ? '找不到符合的文章。'
      : `${num(response.total)} 篇文章${response.groups !== undefined && response.groups !== response.total ? `（${num(response.groups)} 則報道）` : ''}，第 ${num(Math.min(from, count))}–${num(Math.min(from + SEARCH_PAGE_SIZE - 1, count))} 項。`;
  return html`<p class="results-summary">${summary}</p>
${response.facets !== undefined && response.total > 0 ? facetBlock(response.facets, params) : ''}${response.results.length > 0 ? articleList(response.results, 2, true, from) : ''}
${pager(request.page, pages, (n) => pageHref(params, n), '搜尋結果分頁')}`;
}

/** Terms listed in the limits note, at most (the rest are counted). */
const MAX_LISTED_DROPPED = 10;

/** The note saying what a query lost to the limits (query.ts `parseQuery`), in the page language. */
export function limitsNote(limited: QueryLimited): string {
  const list = (items: readonly string[], prefix: string): string =>
    items
      .slice(0, MAX_LISTED_DROPPED)
      .map((t) => `${prefix}${t}`)
      .join('、') + (items.length > MAX_LISTED_DROPPED ? ` 等 ${num(items.length)} 個` : '');
  const parts: string[] = [];
  if (limited.ignoredChars > 0)
    parts.push(`查詢超過 ${num(MAX_QUERY_CHARS)} 個字元，其後 ${num(limited.ignoredChars)} 個字元未讀取。`);
  if (limited.droppedTerms.length > 0)
    parts.push(`最多套用 ${MAX_QUERY_TERMS} 個字詞，未套用：${list(limited.droppedTerms, '')}。`);
  if (limited.droppedExclusions.length > 0)
    parts.push(`最多套用 ${MAX_QUERY_EXCLUSIONS} 個排除字詞，未套用：${list(limited.droppedExclusions, '-')}。`);
  if ((limited.uncheckedExclusions?.length ?? 0) > 0)
    parts.push(
      `以下排除字詞出現在太多文章中，逐篇核對太費時，未套用：${list(limited.uncheckedExclusions ?? [], '-')}。`,
    );
  if (limited.partial !== undefined)
    parts.push(
      `字詞須逐篇核對，只核對了最新的 ${num(limited.partial.checked)} 篇候選文章（共 ${num(limited.partial.candidates)} 篇），結果可能不完整；請加上較長的字詞或日期範圍。`,
    );
  return `${limited.ignoredChars > 0 || limited.droppedTerms.length > 0 || limited.droppedExclusions.length > 0 ? '查詢太長，' : ''}結果未套用全部條件：${parts.join('')}`;
}

/** The banner of an index marked incomplete (a build interrupted, or running now). */
export const INCOMPLETE_INDEX_MESSAGE =
  '搜尋索引不完整：上次建立索引（salvage index）被中斷或仍在進行，結果可能缺少文章。請再執行 salvage index。';

/** What the page says when a search was stopped (SEARCH_TOO_COSTLY). */
export const SEARCH_TOO_COSTLY_MESSAGE = '這個搜尋太費時，已停止。請減少字詞、使用較長的字詞或縮小日期範圍後再試。';

/** Run a search: in the reader's search thread when it has one (a server), else in this thread. */
export function runSearch(ctx: ReaderContext, options: SearchOptions): Promise<SearchResponse> {
  if (ctx.searcher !== undefined) return ctx.searcher(options);
  return Promise.resolve().then(() => search(ctx.index, options));
}

/**
 * The search page of a valid request, with its results (server) or the empty region the client
 * fills (static). A search stopped for its cost is a 503 page that says so.
 */
export async function searchPageFor(
  ctx: ReaderContext,
  params: URLSearchParams,
  request: SearchRequest,
): Promise<{ body: Html; status: 200 | 503 }> {
  if (ctx.mode !== 'server' || !hasSearchInput(params)) return { body: searchPage(ctx, params, request), status: 200 };
  try {
    return { body: searchPage(ctx, params, request, undefined, await runSearch(ctx, request.options)), status: 200 };
  } catch (error) {
    if (isSalvageError(error) && error.code === 'SEARCH_TOO_COSTLY')
      return { body: searchPage(ctx, params, request, SEARCH_TOO_COSTLY_MESSAGE, null), status: 503 };
    throw error;
  }
}

/**
 * The search page. `response`: the results to show; undefined runs the search here (in this
 * thread), null shows none.
 */
export function searchPage(
  ctx: ReaderContext,
  params: URLSearchParams,
  request: SearchRequest | undefined,
  error?: string,
  given?: SearchResponse | null,
): Html {
  const values = formValues(request, params);
  const run = ctx.mode === 'server' && request !== undefined && hasSearchInput(params);
  const response = !run || given === null ? undefined : (given ?? search(ctx.index, request.options));
  const title = values.q.trim() !== '' ? `搜尋：${values.q}` : '搜尋';
  return page(
    ctx,
    {
      title,
      section: 'search',
      headerSearch: false,
      ...(ctx.mode === 'static' ? { scripts: [STATIC_SEARCH_SCRIPT_PATH] } : {}),
    },
    html`
<h1>搜尋</h1>
${searchForm(ctx, values)}
${error !== undefined ? html`<p class="notice" role="alert">${error}</p>` : ''}
${ctx.mode === 'server' && (response?.incomplete === true || ctx.index.isIncomplete()) ? html`<p class="notice incomplete" role="status">${INCOMPLETE_INDEX_MESSAGE}</p>` : ''}
${response?.limited !== undefined ? html`<p class="notice limits" role="status">${limitsNote(response.limited)}</p>` : ''}
<div id="search-results" aria-live="polite">${response !== undefined && request !== undefined ? searchResults(response, request, params) : ''}</div>`,
  );
}

/** Why a lookup found nothing. */
export type LookupMiss = { kind: 'not-article-url' } | { kind: 'not-in-archive'; id: number };

export function lookupPage(ctx: ReaderContext, url: string, miss?: LookupMiss): Html {
  let message: HtmlPart = '';
  if (miss?.kind === 'not-article-url') {
    message = html`<div class="notice" role="alert"><p>這不是眾新聞文章的網址。文章網址的格式是 <code>https://www.hkcnews.com/article/&lt;編號&gt;/…</code>（有或沒有 www、http 或 https、任何標題部分，包括 Wayback 存檔網址）。</p>
<p>也可以<a href="/search/">以字詞搜尋</a>文章。</p></div>`;
  } else if (miss?.kind === 'not-in-archive') {
    const wayback = `https://web.archive.org/web/*/hkcnews.com/article/${miss.id}/*`;
    message = html`<div class="notice" role="alert"><p>本存檔沒有編號 ${miss.id} 的文章。它可能從未被存檔，或存檔只有錯誤頁面。</p>
<p>可在 <a href="${wayback}" rel="noopener noreferrer nofollow">Wayback Machine 查看這篇文章的所有存檔</a>（外部網站），或<a href="/search/">以字詞搜尋</a>。</p></div>`;
  }
  return page(
    ctx,
    {
      title: '原網址查詢',
      section: 'lookup',
      ...(ctx.mode === 'static' ? { scripts: [STATIC_SEARCH_SCRIPT_PATH] } : {}),
    },
    html`
<h1>原網址查詢</h1>
<p>貼上眾新聞文章的網址（任何形式，包括 Wayback Machine 的存檔網址及標題亂碼的網址），即可開啟本存檔中的該文章。</p>
<form class="search" action="/lookup/" method="get">
<div><label for="url">文章網址</label>
<input class="q" id="url" type="text" name="url" value="${url}" inputmode="url" autocomplete="off" placeholder="https://www.hkcnews.com/article/…"></div>
<div><button type="submit">查詢</button></div>
</form>
<div id="search-results" aria-live="polite">${message}</div>`,
  );
}
