/**
 * Reader: an archive folder as a website (server-rendered pages, JSON API, static-export pages).
 *
 * ## Search result markup (the contract with the static export's client script)
 *
 * `/search/` has a form `form.search` (fields `q`, `sort` = relevance|date, `from`, `to`
 * (YYYY-MM-DD), `group` = 1|0 (default 1: revision groups collapsed), `category`, `author`, `tag`;
 * the page number is `page`, 20 results a page) and a results region
 * `<div id="search-results" aria-live="polite">`. In a static export the region is empty and
 * `/assets/static-search.js` fills it with exactly what the server renders into it:
 *
 * ```html
 * <p class="results-summary">1,234 篇文章（1,100 則報道），第 1–20 項。</p>   <!-- or 找不到符合的文章。 -->
 * <div class="facets"><p>年份：<a href="/search/?q=…&amp;from=2021-01-01&amp;to=2021-12-31">2021</a>（800）、…、沒有日期（3）</p><p>分類：<a href="/search/?q=…&amp;category=眾聞">眾聞</a>（900）、…</p></div>
 * <ol class="items" start="21">                        <!-- start only from page 2 on -->
 *   <li class="item">
 *     <h2 class="item-title"><a href="/article/18733/">TITLE</a></h2>
 *     <p class="item-meta"><a href="/date/2019/02/27/"><time datetime="2019-02-27">2019-02-27</time></a> · CATEGORY · AUTHOR <span class="versions">3 個版本</span></p>
 *     <p class="item-snippet">SNIPPET</p>
 *   </li>
 * </ol>
 * <nav class="pager" aria-label="搜尋結果分頁">…</nav>  <!-- only with more than one page -->
 * ```
 *
 * Text is HTML-escaped; SNIPPET is search()'s `snippet` (escaped text with `<mark>`). The date
 * link, the category and the author are left out when the article has none; the versions badge
 * only when `groupSize > 1` (a space precedes it). The summary counts are
 * `total` articles and, when grouping and different, `groups`; the range is 1-based over results
 * (groups when grouping). The facets (when there are matches) count every matching article by
 * year (newest first, the undated last, unlinked) and by category (most first); each link is the
 * same search narrowed to that year or category, from its first page. `/lookup/` has `form.search` with the field `url` and the same empty
 * region for the client's message.
 */
export { createReader, DEFAULT_READER_OPTIONS, type PlainResponse, type Reader, type ReaderOptions } from './reader.js';
export type { CaptureRef, ReaderMode } from './context.js';
export { STYLESHEET, SCRIPT, ICON, STATIC_SEARCH_SCRIPT_PATH, ASSET_CACHE_CONTROL } from './assets.js';
export { SegmentMap, baseSegment, isSafeSegment } from './segments.js';
export { contentSecurityPolicy, securityHeaders } from './security.js';
export { escapeText, html, trusted, Html, type HtmlPart } from './html.js';
export { createRequestListener } from './node-listener.js';
export type { CachedResponse } from './cache.js';
export { PAGE_STORE_FILE, prunePageStore } from './page-store.js';
export { prerender, type PrerenderProgress } from './prerender.js';
