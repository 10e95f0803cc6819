/**
 * The page shell: document head, skip link, header with navigation and a search box, main
 * landmark, footer. Shared list markup (article items, pagers) lives here too.
 */
import type { CatalogItem } from '../search/index.js';
import { ICON, SCRIPT, STYLESHEET } from './assets.js';
import { articleDateHref, articleHref, SITE_FEED_PATH, type ReaderContext } from './context.js';
import { html, trusted, type Html, type HtmlPart } from './html.js';
import { contentSecurityPolicy } from './security.js';

/** The language of every page: Traditional Chinese as written in Hong Kong. */
export const PAGE_LANG = 'zh-Hant-HK';

export type NavSection = 'home' | 'date' | 'on-this-day' | 'categories' | 'tags' | 'authors' | 'search' | 'lookup';

const NAV: readonly { section: NavSection; href: string; label: string }[] = [
  { section: 'home', href: '/', label: '首頁' },
  { section: 'on-this-day', href: '/on-this-day/', label: '歷史上的今天' },
  { section: 'categories', href: '/categories/', label: '分類' },
  { section: 'tags', href: '/tags/', label: '標籤' },
  { section: 'authors', href: '/authors/', label: '作者' },
  { section: 'search', href: '/search/', label: '搜尋' },
  { section: 'lookup', href: '/lookup/', label: '原網址查詢' },
];

export interface PageOptions {
  /** The page's own title; the site title is appended. */
  title: string;
  /** `<meta name="description">`. */
  description?: string;
  section?: NavSection;
  /** Extra `<head>` markup (meta tags, JSON-LD). */
  head?: HtmlPart;
  /** Module scripts to load (same-origin paths). */
  scripts?: readonly string[];
  /** Load the cite-box enhancement script. */
  enhance?: boolean;
  /** The header search box (hidden on the search page, which has its own form). */
  headerSearch?: boolean;
  /** The Atom feed of this page's list (a category's, a tag's), announced beside the archive's. */
  feed?: { href: string; title: string };
}

export function page(ctx: ReaderContext, options: PageOptions, content: HtmlPart): Html {
  const scripts = [...(options.enhance === true ? [SCRIPT.path] : []), ...(options.scripts ?? [])];
  const fullTitle = options.title === ctx.siteTitle ? ctx.siteTitle : `${options.title} · ${ctx.siteTitle}`;
  return html`<!doctype html>
<html lang="${PAGE_LANG}">
<head>
<meta charset="utf-8">
${
  ctx.mode === 'static'
    ? html`<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(ctx.loadImages, { forMeta: true })}">
`
    : ''
}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${fullTitle}</title>
${options.description !== undefined ? html`<meta name="description" content="${options.description}">\n` : ''}<link rel="stylesheet" href="${STYLESHEET.path}">
<link rel="icon" href="${ICON.path}" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="${ctx.siteTitle}" href="${SITE_FEED_PATH}">
${
  options.feed !== undefined
    ? html`<link rel="alternate" type="application/atom+xml" title="${options.feed.title}" href="${options.feed.href}">
`
    : ''
}${options.head ?? ''}${scripts.map((src) => html`<script type="module" src="${src}"></script>\n`)}</head>
<body>
<a class="skip-link" href="#main">跳至主要內容</a>
<header class="site-header">
<div class="wrap">
<a class="site-title" href="/">${ctx.siteTitle}</a>
<nav class="site-nav" aria-label="主要導覽">
<ul>${NAV.map((n) => html`<li><a href="${n.href}"${n.section === options.section ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul>
</nav>
${
  options.headerSearch === false
    ? ''
    : html`<form class="header-search" role="search" action="/search/" method="get">
<label class="visually-hidden" for="header-q">搜尋文章</label>
<input id="header-q" type="search" name="q" placeholder="搜尋文章">
<button type="submit">搜尋</button>
</form>`
}
</div>
</header>
<main id="main" class="wrap" tabindex="-1">
${content}
</main>
<footer class="site-footer">
<div class="wrap">
<p>${ctx.siteTitle}：從互聯網檔案館（Wayback Machine）的存檔救回的文章。內容版權屬原作者及出版者所有。本站不載入任何第三方資源，亦不追蹤讀者。</p>
${ctx.mode === 'server' ? html`<p><a href="/api/search?q=">JSON API</a>（<code>/api/search</code>、<code>/api/articles/&lt;id&gt;</code>）</p>` : ''}
</div>
</footer>
</body>
</html>
`;
}

/** `N 個版本` badge for a collapsed revision group. */
export function versionsBadge(groupSize: number | undefined): HtmlPart {
  return groupSize !== undefined && groupSize > 1 ? html` <span class="versions">${groupSize} 個版本</span>` : '';
}

/** An article in a list: a browse item, or a search result with its snippet (HTML, from search()). */
export type ListItem = Pick<CatalogItem, 'id' | 'title' | 'date' | 'author' | 'category'> & {
  groupSize?: number;
  snippet?: string;
};

/**
 * An article's date: a link to its day page when it is a real calendar day, else the text as
 * the file states it (`2020-13-45` names no page). export/client/dom.ts writes the same.
 */
export function articleDate(date: string): HtmlPart {
  const href = articleDateHref(date);
  return href === undefined ? date : html`<a href="${href}"><time datetime="${date}">${date}</time></a>`;
}

/** One article in a list. `headingLevel` keeps the document outline in order. */
export function articleItem(item: ListItem, headingLevel: 2 | 3 = 2, showDate = true): Html {
  const title = item.title === '' ? `（無標題 #${item.id}）` : item.title;
  const heading =
    headingLevel === 2
      ? html`<h2 class="item-title"><a href="${articleHref(item.id)}">${title}</a></h2>`
      : html`<h3 class="item-title"><a href="${articleHref(item.id)}">${title}</a></h3>`;
  const meta: HtmlPart[] = [];
  if (showDate && item.date !== undefined) meta.push(articleDate(item.date));
  if (item.category !== undefined) meta.push(item.category);
  if (item.author !== undefined) meta.push(item.author);
  return html`<li class="item">${heading}<p class="item-meta">${joinParts(meta, ' · ')}${versionsBadge(item.groupSize)}</p>${item.snippet !== undefined ? html`<p class="item-snippet">${trusted(item.snippet)}</p>` : ''}</li>`;
}

export function articleList(
  items: readonly ListItem[],
  headingLevel: 2 | 3 = 2,
  showDate = true,
  start?: number,
): Html {
  return html`<ol class="items"${start !== undefined && start > 1 ? html` start="${start}"` : ''}>${items.map((i) => articleItem(i, headingLevel, showDate))}</ol>`;
}

export function joinParts(parts: readonly HtmlPart[], separator: string): HtmlPart[] {
  const out: HtmlPart[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(separator);
    out.push(p);
  });
  return out;
}

/** Pager links: previous/next and a window of page numbers. `hrefOf(1)` is the first page. */
export function pager(current: number, pages: number, hrefOf: (n: number) => string, label = '分頁'): HtmlPart {
  if (pages <= 1) return '';
  const window = 3;
  const numbers: number[] = [];
  for (let n = 1; n <= pages; n++) if (n === 1 || n === pages || Math.abs(n - current) <= window) numbers.push(n);
  const items: HtmlPart[] = [];
  let last = 0;
  for (const n of numbers) {
    if (n - last > 1) items.push(html`<li aria-hidden="true">…</li>`);
    items.push(
      n === current
        ? html`<li><a href="${hrefOf(n)}" aria-current="page">${n}</a></li>`
        : html`<li><a href="${hrefOf(n)}">${n}</a></li>`,
    );
    last = n;
  }
  return html`<nav class="pager" aria-label="${label}">
${current > 1 ? html`<a href="${hrefOf(current - 1)}" rel="prev">← 上一頁</a>` : html`<span></span>`}
<ul>${items}</ul>
${current < pages ? html`<a href="${hrefOf(current + 1)}" rel="next">下一頁 →</a>` : html`<span></span>`}
</nav>`;
}
