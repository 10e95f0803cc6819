/**
 * The static site's search and lookup pages in the browser: read `location.search`, run the
 * search over the index files, and fill `#search-results` with the markup the server renders
 * (src/reader/index.ts, "Search result markup"). Built with DOM nodes and text only: snippets
 * (escaped text with `<mark>`) are split into text and `<mark>` elements, never assigned as HTML.
 */
import { articleIdFromUrl } from '../../sites/index.js';
import { isCalendarDate, type SearchFacets, type SearchOptions, type SearchResponse } from '../../search/index.js';
import type { StaticSearchIndex } from './search-core.js';

/** The few DOM features used, typed structurally (the project compiles without the DOM lib). */
export interface DomNode {
  appendChild(node: DomNode): DomNode;
}
export interface DomElement extends DomNode {
  readonly tagName: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  replaceChildren(...nodes: DomNode[]): void;
  textContent: string | null;
}
export interface DomDocument {
  createElement(tag: string): DomElement;
  createTextNode(text: string): DomNode;
  getElementById(id: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

/** Results per page (as the server's search page: src/reader/params.ts SEARCH_PAGE_SIZE). */
export const PAGE_SIZE = 20;
/** Pages listed either side of the current one in the pager (src/reader/layout.ts `pager`). */
const PAGER_WINDOW = 3;
/** The server page's limits (src/reader/params.ts): longest query, longest filter, last page. */
const MAX_QUERY_CHARS = 1000;
const MAX_FILTER_CHARS = 500;
const MAX_PAGE = 50_000;
const PAGE_NUMBER = /^\d{1,9}$/;
const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);
/** A pasted bare path or id: `/article/123`, `article/123/…`, `123` (as src/reader/routes.ts). */
const BARE_ARTICLE = /^\s*(?:\/?article\/)?(\d{1,9})(?:[/?#]\S*)?\s*$/i;
const SEARCH_FIELDS = ['q', 'from', 'to', 'category', 'author', 'tag'] as const;

const num = (n: number): string => n.toLocaleString('en-US');

/** A search page request read from the query string, or the message of what is wrong with it. */
export type PageRequest =
  | { ok: true; options: SearchOptions & { limit: number; offset: number; group: boolean }; page: number }
  | { ok: false; message: string };

/** Read the search page's parameters as the server does (empty values are absent; `group` on unless 0). */
export function readSearchParams(params: URLSearchParams): PageRequest {
  const get = (name: string): string | undefined => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  if ((params.get('q') ?? '').length > MAX_QUERY_CHARS)
    return { ok: false, message: `q is longer than ${MAX_QUERY_CHARS} characters` };
  let page = 1;
  const p = get('page');
  if (p !== undefined) {
    if (!PAGE_NUMBER.test(p) || Number(p) < 1 || Number(p) > MAX_PAGE)
      return { ok: false, message: `page must be an integer from 1 to ${MAX_PAGE}` };
    page = Number(p);
  }
  const options: SearchOptions & { limit: number; offset: number; group: boolean } = {
    q: params.get('q') ?? '',
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    group: true,
    facets: true,
  };
  const sort = get('sort');
  if (sort !== undefined) {
    if (sort !== 'relevance' && sort !== 'date') return { ok: false, message: 'sort must be one of relevance, date' };
    options.sort = sort;
  }
  for (const name of ['from', 'to'] as const) {
    const v = get(name);
    if (v === undefined) continue;
    if (!isCalendarDate(v)) return { ok: false, message: `${name} must be a date YYYY-MM-DD` };
    options[name] = v;
  }
  for (const name of ['category', 'author', 'tag'] as const) {
    const v = get(name);
    if (v === undefined) continue;
    if (v.length > MAX_FILTER_CHARS)
      return { ok: false, message: `${name} is longer than ${MAX_FILTER_CHARS} characters` };
    options[name] = v;
  }
  const group = get('group')?.toLowerCase();
  if (group !== undefined) {
    if (TRUE_VALUES.has(group)) options.group = true;
    else if (FALSE_VALUES.has(group)) options.group = false;
    else return { ok: false, message: 'group must be 1 or 0' };
  }
  return { ok: true, options, page };
}

/** Whether the query string asks for anything (an empty /search/ shows only the form). */
export function hasSearchInput(params: URLSearchParams): boolean {
  return SEARCH_FIELDS.some((name) => (params.get(name) ?? '').trim() !== '');
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const ENTITY = /&(?:amp|lt|gt|quot|#39);/g;
const MARK = /<mark>([\s\S]*?)<\/mark>/g;
const unescape = (text: string): string => text.replace(ENTITY, (e) => ENTITIES[e] ?? e);

/** A snippet (escaped text with `<mark>…</mark>`, as search() makes it) as DOM nodes. */
export function snippetNodes(doc: DomDocument, snippet: string): DomNode[] {
  const out: DomNode[] = [];
  let at = 0;
  for (const m of snippet.matchAll(MARK)) {
    if (m.index > at) out.push(doc.createTextNode(unescape(snippet.slice(at, m.index))));
    const mark = doc.createElement('mark');
    mark.appendChild(doc.createTextNode(unescape(m[1] ?? '')));
    out.push(mark);
    at = m.index + m[0].length;
  }
  if (at < snippet.length) out.push(doc.createTextNode(unescape(snippet.slice(at))));
  return out;
}

function element(
  doc: DomDocument,
  tag: string,
  attributes: Record<string, string>,
  ...children: (DomNode | string)[]
): DomElement {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  for (const c of children) e.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
  return e;
}

/**
 * The site's root as seen from the pages this script runs on (`/search/`, `/lookup/`, one level
 * down): links are relative, so a site served under a path prefix (`https://host/archive/`)
 * works as one at a host's root.
 */
const ROOT = '../';

const dateHref = (date: string): string => `${ROOT}date/${date.split('-').join('/')}/`;

/** The URL of another page of the same search (as the server's pager). */
export function pageHref(params: URLSearchParams, n: number): string {
  const next = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'page' && v !== '') next.append(k, v);
  if (n > 1) next.set('page', String(n));
  return `${ROOT}search/?${next.toString()}`;
}

/** The URL of the same search narrowed by `set` (the server's `facetHref`). */
function facetHref(params: URLSearchParams, set: Readonly<Record<string, string>>): string {
  const next = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'page' && !(k in set) && v !== '') next.append(k, v);
  for (const [k, v] of Object.entries(set)) next.set(k, v);
  return `${ROOT}search/?${next.toString()}`;
}

/** Where the matches live (the server's `facetBlock`). */
function facetNodes(doc: DomDocument, facets: SearchFacets, params: URLSearchParams): DomElement {
  const block = element(doc, 'div', { class: 'facets' });
  const paragraph = (label: string, items: (DomNode | string)[][]): void => {
    if (items.length === 0) return;
    const p = element(doc, 'p', {}, label);
    items.forEach((parts, i) => {
      if (i > 0) p.appendChild(doc.createTextNode('、'));
      for (const part of parts) p.appendChild(typeof part === 'string' ? doc.createTextNode(part) : part);
    });
    block.appendChild(p);
  };
  paragraph(
    '年份：',
    facets.years.map((y) =>
      y.value === ''
        ? [`沒有日期（${num(y.count)}）`]
        : [
            element(
              doc,
              'a',
              { href: facetHref(params, { from: `${y.value}-01-01`, to: `${y.value}-12-31` }) },
              y.value,
            ),
            `（${num(y.count)}）`,
          ],
    ),
  );
  paragraph(
    '分類：',
    facets.categories.map((c) => [
      element(doc, 'a', { href: facetHref(params, { category: c.value }) }, c.value),
      `（${num(c.count)}）`,
    ]),
  );
  return block;
}

/** The results region's content for a response (the server's `searchResults`). */
export function resultNodes(
  doc: DomDocument,
  response: SearchResponse,
  page: number,
  params: URLSearchParams,
): DomNode[] {
  const count = response.groups ?? response.total;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const from = (page - 1) * PAGE_SIZE + 1;
  const summary =
    response.total === 0
      ? '找不到符合的文章。'
      : `${num(response.total)} 篇文章${response.groups !== undefined && response.groups !== response.total ? `（${num(response.groups)} 則報道）` : ''}，第 ${num(Math.min(from, count))}–${num(Math.min(from + PAGE_SIZE - 1, count))} 項。`;
  // Text nodes of '\n' stand where the server's template has line breaks: the same DOM.
  const out: DomNode[] = [element(doc, 'p', { class: 'results-summary' }, summary), doc.createTextNode('\n')];
  if (response.facets !== undefined && response.total > 0)
    out.push(facetNodes(doc, response.facets, params), doc.createTextNode('\n'));
  if (response.results.length > 0) {
    const list = element(doc, 'ol', from > 1 ? { class: 'items', start: String(from) } : { class: 'items' });
    for (const r of response.results) {
      const title = r.title === '' ? `（無標題 #${r.id}）` : r.title;
      const meta = element(doc, 'p', { class: 'item-meta' });
      const parts: (DomNode | string)[] = [];
      // As the server (src/reader/layout.ts articleDate): only a real calendar day has a day page.
      if (r.date !== undefined)
        parts.push(
          isCalendarDate(r.date)
            ? element(doc, 'a', { href: dateHref(r.date) }, element(doc, 'time', { datetime: r.date }, r.date))
            : r.date,
        );
      if (r.category !== undefined) parts.push(r.category);
      if (r.author !== undefined) parts.push(r.author);
      parts.forEach((p, i) => {
        if (i > 0) meta.appendChild(doc.createTextNode(' · '));
        meta.appendChild(typeof p === 'string' ? doc.createTextNode(p) : p);
      });
      if (r.groupSize !== undefined && r.groupSize > 1) {
        meta.appendChild(doc.createTextNode(' '));
        meta.appendChild(element(doc, 'span', { class: 'versions' }, `${r.groupSize} 個版本`));
      }
      const snippet = element(doc, 'p', { class: 'item-snippet' });
      for (const n of snippetNodes(doc, r.snippet)) snippet.appendChild(n);
      list.appendChild(
        element(
          doc,
          'li',
          { class: 'item' },
          element(doc, 'h2', { class: 'item-title' }, element(doc, 'a', { href: `${ROOT}article/${r.id}/` }, title)),
          meta,
          snippet,
        ),
      );
    }
    out.push(list);
  }
  out.push(doc.createTextNode('\n'));
  if (pages > 1) {
    const numbers: number[] = [];
    for (let n = 1; n <= pages; n++) if (n === 1 || n === pages || Math.abs(n - page) <= PAGER_WINDOW) numbers.push(n);
    const ul = element(doc, 'ul', {});
    let last = 0;
    for (const n of numbers) {
      if (n - last > 1) ul.appendChild(element(doc, 'li', { 'aria-hidden': 'true' }, '…'));
      ul.appendChild(
        element(
          doc,
          'li',
          {},
          element(
            doc,
            'a',
            n === page ? { href: pageHref(params, n), 'aria-current': 'page' } : { href: pageHref(params, n) },
            String(n),
          ),
        ),
      );
      last = n;
    }
    out.push(
      element(
        doc,
        'nav',
        { class: 'pager', 'aria-label': '搜尋結果分頁' },
        '\n',
        page > 1
          ? element(doc, 'a', { href: pageHref(params, page - 1), rel: 'prev' }, '← 上一頁')
          : element(doc, 'span', {}),
        '\n',
        ul,
        '\n',
        page < pages
          ? element(doc, 'a', { href: pageHref(params, page + 1), rel: 'next' }, '下一頁 →')
          : element(doc, 'span', {}),
        '\n',
      ),
    );
  }
  return out;
}

/**
 * Put the request's values back into the form (the static page is rendered without them), as
 * attributes: an input's `value`, a select's `selected` option (what the server renders).
 */
function fillForm(doc: DomDocument, params: URLSearchParams, names: readonly string[]): void {
  for (const name of names) {
    const value = params.get(name);
    if (value === null) continue;
    for (const field of doc.querySelectorAll(`form.search [name="${name}"]`)) {
      if (field.tagName.toLowerCase() !== 'select') {
        field.setAttribute('value', value);
        continue;
      }
      const options = [...doc.querySelectorAll(`form.search select[name="${name}"] option`)];
      if (!options.some((o) => (o.getAttribute('value') ?? '') === value)) continue;
      for (const option of options) {
        if ((option.getAttribute('value') ?? '') === value) option.setAttribute('selected', '');
        else option.removeAttribute('selected');
      }
    }
  }
}

function notice(doc: DomDocument, ...paragraphs: (DomNode | string)[][]): DomElement {
  return element(
    doc,
    'div',
    { class: 'notice', role: 'alert' },
    ...paragraphs.map((children) => element(doc, 'p', {}, ...children)),
  );
}

/** The search page: run the query string's search and show it. */
export async function runSearchPage(
  doc: DomDocument,
  search: string,
  open: () => Promise<StaticSearchIndex>,
): Promise<void> {
  const region = doc.getElementById('search-results');
  if (region === null) return;
  const params = new URLSearchParams(search);
  fillForm(doc, params, ['q', 'sort', 'from', 'to', 'group', 'category', 'author', 'tag']);
  if (!hasSearchInput(params)) return;
  const request = readSearchParams(params);
  if (!request.ok) {
    region.replaceChildren(element(doc, 'p', { class: 'notice', role: 'alert' }, `搜尋條件有誤：${request.message}`));
    return;
  }
  region.replaceChildren(element(doc, 'p', { class: 'results-summary' }, '搜尋中…'));
  try {
    const index = await open();
    const response = await index.search(request.options);
    region.replaceChildren(...resultNodes(doc, response, request.page, params));
  } catch (error) {
    region.replaceChildren(
      element(doc, 'p', { class: 'notice', role: 'alert' }, `搜尋未能完成：${(error as Error).message}`),
    );
  }
}

/** The lookup page: the pasted URL's article id, then that article if this archive has it. */
export async function runLookupPage(
  doc: DomDocument,
  search: string,
  open: () => Promise<StaticSearchIndex>,
  go: (href: string) => void,
): Promise<void> {
  const region = doc.getElementById('search-results');
  if (region === null) return;
  const params = new URLSearchParams(search);
  fillForm(doc, params, ['url']);
  const url = (params.get('url') ?? '').trim();
  if (url === '') return;
  const bare = BARE_ARTICLE.exec(url)?.[1];
  const id = articleIdFromUrl(url) ?? (bare !== undefined && Number(bare) > 0 ? Number(bare) : undefined);
  const searchLink = (): DomElement => element(doc, 'a', { href: `${ROOT}search/` }, '以字詞搜尋');
  if (id === undefined) {
    region.replaceChildren(
      notice(
        doc,
        [
          '這不是眾新聞文章的網址。文章網址的格式是 ',
          element(doc, 'code', {}, 'https://www.hkcnews.com/article/<編號>/…'),
          '（有或沒有 www、http 或 https、任何標題部分，包括 Wayback 存檔網址）。',
        ],
        ['也可以', searchLink(), '文章。'],
      ),
    );
    return;
  }
  const index = await open();
  if (await index.has(id)) {
    go(`${ROOT}article/${id}/`);
    return;
  }
  const wayback = `https://web.archive.org/web/*/hkcnews.com/article/${id}/*`;
  region.replaceChildren(
    notice(
      doc,
      [`本存檔沒有編號 ${id} 的文章。它可能從未被存檔，或存檔只有錯誤頁面。`],
      [
        '可在 ',
        element(
          doc,
          'a',
          { href: wayback, rel: 'noopener noreferrer nofollow' },
          'Wayback Machine 查看這篇文章的所有存檔',
        ),
        '（外部網站），或',
        searchLink(),
        '。',
      ],
    ),
  );
}
