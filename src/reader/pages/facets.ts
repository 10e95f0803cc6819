/** Categories, tags and authors: the lists with counts and each name's paginated articles. */
import { facetFeedHref } from './feeds.js';
import type { CatalogFacet } from '../../search/index.js';
import { FACET_LABELS, facetHref, PAGE_SIZE, type ReaderContext } from '../context.js';
import { html, type Html } from '../html.js';
import { articleList, page, pager, type NavSection } from '../layout.js';

const SECTION: Record<CatalogFacet, NavSection> = { category: 'categories', tag: 'tags', author: 'authors' };
const num = (n: number): string => n.toLocaleString('en-US');

/**
 * Names per page of `/categories/`, `/tags/`, `/authors/`. The hkcnews archive has 15,256 tags:
 * on one page that was 1.5 MB of HTML; most readers want the most used ones first.
 */
export const NAMES_PER_PAGE = 1000;

/** URL path of page `n` of a facet's name list. */
export const facetListHref = (facet: CatalogFacet, n: number): string =>
  n > 1 ? `${FACET_LABELS[facet].listPath}page/${n}/` : FACET_LABELS[facet].listPath;

/** Pages of a facet's name list. */
export function facetListPageCount(ctx: ReaderContext, facet: CatalogFacet): number {
  return Math.max(1, Math.ceil(ctx.catalog.names(facet).length / NAMES_PER_PAGE));
}

/**
 * `/categories/`, `/tags/`, `/authors/` (and `page/N/`): every name with its number of articles,
 * most used first; undefined for a page past the end.
 */
export function facetListPage(ctx: ReaderContext, facet: CatalogFacet, pageNumber = 1): Html | undefined {
  const label = FACET_LABELS[facet];
  const names = ctx.catalog.names(facet);
  const pages = facetListPageCount(ctx, facet);
  if (pageNumber < 1 || pageNumber > pages) return undefined;
  const sorted = [...names].sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const list = sorted.slice((pageNumber - 1) * NAMES_PER_PAGE, pageNumber * NAMES_PER_PAGE);
  const title = pageNumber > 1 ? `${label.plural}（第 ${pageNumber} 頁）` : label.plural;
  return page(
    ctx,
    { title, section: SECTION[facet] },
    html`
<h1>${title}</h1>
<p>${num(names.length)} 個${label.one}，按文章數排列${pages > 1 ? `，第 ${pageNumber} / ${pages} 頁` : ''}。</p>
<ul class="counts">${list.map((n) => {
      const href = facetHref(ctx, facet, n.name);
      return href === undefined
        ? ''
        : html`<li><a href="${href}">${n.name}</a> <span class="n">${num(n.count)}</span></li>`;
    })}</ul>
${pager(pageNumber, pages, (n) => facetListHref(facet, n))}`,
  );
}

/** `/category/<seg>/[page/N/]`: one name's articles, newest first; undefined when the name or page does not exist. */
export function facetPage(ctx: ReaderContext, facet: CatalogFacet, name: string, pageNumber: number): Html | undefined {
  const label = FACET_LABELS[facet];
  const result = ctx.catalog.byName(facet, name, pageNumber, PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(result.items / PAGE_SIZE));
  if (result.total === 0 || pageNumber > pages) return undefined;
  const hrefOf = (n: number): string => facetHref(ctx, facet, name, n) ?? '/';
  const title = `${label.one}：${name}`;
  const feed = facetFeedHref(ctx, facet, name);
  return page(
    ctx,
    {
      title: pageNumber > 1 ? `${title}（第 ${pageNumber} 頁）` : title,
      section: SECTION[facet],
      ...(feed !== undefined ? { feed: { href: feed, title: `${title} · ${ctx.siteTitle}` } } : {}),
    },
    html`
<p class="muted"><a href="${label.listPath}">${label.plural}</a></p>
<h1>${title}</h1>
<p>${num(result.total)} 篇文章${result.total !== result.items ? `（${num(result.items)} 則報道，同一報道的其他版本合併顯示）` : ''}${pages > 1 ? `，第 ${pageNumber} / ${pages} 頁` : ''}。<a href="/search/?${facet}=${encodeURIComponent(name)}">在此${label.one}內搜尋</a></p>
${articleList(result.page)}
${pager(pageNumber, pages, hrefOf)}`,
  );
}
