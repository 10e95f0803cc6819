/**
 * The reader's routes (Hono). Page paths end in `/` so a static export can write each one as
 * `path/index.html`; query strings carry only search, lookup and filter input.
 */
import { lstat, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Hono, type Context } from 'hono';
import { type CatalogFacet } from '../search/index.js';
import { isSalvageError } from '../errors.js';
import { articleIdFromUrl } from '../sites/index.js';
import { WEB_IMAGE_TYPES, type WebImageType } from '../store/index.js';
import { ASSET_CACHE_CONTROL, ASSETS } from './assets.js';

import { articleHref, FACET_LABELS, onThisDayHref, type ReaderContext } from './context.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import {
  articleJson,
  articleMementoLinks,
  articlePage,
  articleTimeMap,
  loadArticle,
  tombstoneJson,
  tombstonePage,
} from './pages/article.js';
import { linkHeader, TIMEMAP_CONTENT_TYPE } from './memento-links.js';
import {
  dayPage,
  homePage,
  isCalendarDate,
  monthPage,
  onThisDayIndexPage,
  onThisDayPage,
  yearPage,
} from './pages/browse.js';
import { facetListPage, facetPage } from './pages/facets.js';
import { FEED_CONTENT_TYPE, FEED_FACETS, facetFeed, siteFeed, SITE_FEED_PATH } from './pages/feeds.js';
import { lookupPage, runSearch, searchPage, searchPageFor } from './pages/search.js';
import { parseSearchParams } from './params.js';

/** `MM-DD` of now in Hong Kong (the site's time zone): where `/on-this-day/` sends a reader. */
const HK_MONTH_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Hong_Kong', month: '2-digit', day: '2-digit' });
/** A pasted bare path or id: `/article/123`, `article/123/…`, `123`. */
const BARE_ARTICLE = /^\s*(?:\/?article\/)?(\d{1,9})(?:[/?#]\S*)?\s*$/i;
/**
 * Cache-Control of pages and API answers: any cache may keep them, and asks again each time with
 * the strong ETag (`no-cache`), which the server answers with a 304 after one lookup. An answer
 * changes only when `salvage index` changes the archive, but then it must change at once: a
 * takedown that browsers kept showing for an hour would not be one.
 */
export const PAGE_CACHE_CONTROL = 'public, no-cache';
const NO_STORE = 'no-store';
/** The methods every reader route answers (the `Allow` header of a 405). */
export const ALLOWED_METHODS = 'GET, HEAD';
/**
 * A path that may get its trailing slash added: segments without slashes or backslashes, so the
 * redirect never becomes a protocol-relative URL to another host (`//evil.example`).
 */
const SLASHLESS_PAGE = /^(?:\/[^/\\]+)+$/;

export interface RouteOptions {
  /** The clock (tests pin "today" for `/on-this-day/`). */
  now: () => Date;
}

function notFoundPage(ctx: ReaderContext, message: string): Html {
  return page(
    ctx,
    { title: '找不到頁面' },
    html`
<h1>找不到頁面</h1>
<p>${message}</p>
<ul>
<li><a href="/">返回首頁</a></li>
<li><a href="/search/">搜尋文章</a></li>
<li><a href="/lookup/">以原網址查詢文章</a></li>
</ul>`,
  );
}

/** The id a lookup input names: any hkcnews URL form, a Wayback memento of one, a bare path or id. */
export function lookupId(ctx: ReaderContext, input: string): number | undefined {
  const fromUrl = articleIdFromUrl(input);
  if (fromUrl !== undefined) return fromUrl;
  const bare = BARE_ARTICLE.exec(input)?.[1];
  if (bare !== undefined && Number(bare) > 0) return Number(bare);
  const url = input.trim();
  // A taken-down article's URL leads to its tombstone.
  return ctx.catalog.idByOriginalUrl(url) ?? ctx.index.takedownByOriginalUrl(url)?.id;
}

export function createRoutes(ctx: ReaderContext, options: RouteOptions): Hono {
  const app = new Hono({ strict: true });
  const htmlPage = (c: Context, body: Html, status: 200 | 400 | 404 | 503 = 200): Response => {
    c.header('Cache-Control', status === 200 ? PAGE_CACHE_CONTROL : NO_STORE);
    return c.html(body.value, status);
  };
  const notFound = (c: Context, message = '這個網址在本存檔中沒有頁面。'): Response =>
    htmlPage(c, notFoundPage(ctx, message), 404);
  const jsonError = (c: Context, status: 400 | 404 | 500 | 503, error: string, message: string): Response => {
    c.header('Cache-Control', NO_STORE);
    return c.json({ error, message }, status);
  };

  app.get('/', (c) => htmlPage(c, homePage(ctx)));

  const feed = (c: Context, body: string): Response => {
    c.header('Cache-Control', PAGE_CACHE_CONTROL);
    c.header('Content-Type', FEED_CONTENT_TYPE);
    return c.body(body);
  };
  app.get(SITE_FEED_PATH, (c) => feed(c, siteFeed(ctx)));

  app.get('/date/:y{[0-9]{4}}/', (c) => {
    const p = yearPage(ctx, Number(c.req.param('y')));
    return p === undefined ? notFound(c, '這一年沒有文章。') : htmlPage(c, p);
  });
  app.get('/date/:y{[0-9]{4}}/:m{[0-9]{2}}/', (c) => {
    const [y, m] = [Number(c.req.param('y')), Number(c.req.param('m'))];
    const p = m >= 1 && m <= 12 ? monthPage(ctx, y, m) : undefined;
    return p === undefined ? notFound(c, '這個月沒有文章。') : htmlPage(c, p);
  });
  app.get('/date/:y{[0-9]{4}}/:m{[0-9]{2}}/:d{[0-9]{2}}/', (c) => {
    const [y, m, d] = [c.req.param('y'), c.req.param('m'), c.req.param('d')];
    const p = isCalendarDate(Number(y), Number(m), Number(d)) ? dayPage(ctx, `${y}-${m}-${d}`) : undefined;
    return p === undefined ? notFound(c, '這一天沒有文章。') : htmlPage(c, p);
  });

  app.get('/on-this-day/', (c) => {
    if (ctx.mode === 'static') return htmlPage(c, onThisDayIndexPage(ctx));
    c.header('Cache-Control', NO_STORE);
    return c.redirect(onThisDayHref(HK_MONTH_DAY.format(options.now())), 302);
  });
  app.get('/on-this-day/:md{[0-9]{2}-[0-9]{2}}/', (c) => {
    const md = c.req.param('md');
    const [m, d] = md.split('-').map(Number) as [number, number];
    return isCalendarDate(2000, m, d) ? htmlPage(c, onThisDayPage(ctx, md)) : notFound(c, '沒有這一天。');
  });

  for (const facet of ['category', 'tag', 'author'] as const satisfies readonly CatalogFacet[]) {
    app.get(FACET_LABELS[facet].listPath, (c) => htmlPage(c, facetListPage(ctx, facet) ?? notFoundPage(ctx, '')));
    app.get(`${FACET_LABELS[facet].listPath}page/:n{[0-9]{1,6}}/`, (c) => {
      const n = Number(c.req.param('n'));
      if (n === 1) return c.redirect(FACET_LABELS[facet].listPath, 301);
      const p = facetListPage(ctx, facet, n);
      return p === undefined ? notFound(c, '沒有這一頁。') : htmlPage(c, p);
    });
    const show = (c: Context, pageNumber: number): Response => {
      const name = ctx.segments[facet].nameOf(c.req.param('seg') ?? '');
      const p = name === undefined || pageNumber < 1 ? undefined : facetPage(ctx, facet, name, pageNumber);
      return p === undefined ? notFound(c, `本存檔沒有這個${FACET_LABELS[facet].one}或頁數。`) : htmlPage(c, p);
    };
    app.get(`/${facet}/:seg/`, (c) => show(c, 1));
    if (FEED_FACETS.includes(facet))
      app.get(`/${facet}/:seg/feed.xml`, (c) => {
        const name = ctx.segments[facet].nameOf(c.req.param('seg'));
        const body = name === undefined ? undefined : facetFeed(ctx, facet, name);
        return body === undefined ? notFound(c, `本存檔沒有這個${FACET_LABELS[facet].one}。`) : feed(c, body);
      });
    app.get(`/${facet}/:seg/page/:n{[0-9]{1,6}}/`, (c) => {
      const n = Number(c.req.param('n'));
      if (n === 1) return c.redirect(`/${facet}/${encodeURIComponent(c.req.param('seg'))}/`, 301);
      return show(c, n);
    });
  }

  app.get('/article/:id{[0-9]{1,15}}/', async (c) => {
    const id = Number(c.req.param('id'));
    const a = Number.isSafeInteger(id) ? await loadArticle(ctx, id) : undefined;
    if (a !== undefined) {
      // RFC 7089 §2.2 / RFC 8288: the same original, memento and timemap links as the page's head.
      c.header('Link', linkHeader(articleMementoLinks(a)));
      return htmlPage(c, articlePage(ctx, a));
    }
    const gone = Number.isSafeInteger(id) ? ctx.index.takedown(id) : undefined;
    if (gone !== undefined) {
      // 410 Gone on a server; a static host sends every file as 200, and the page says it.
      if (ctx.mode === 'static') return htmlPage(c, tombstonePage(ctx, gone));
      c.header('Cache-Control', NO_STORE);
      return c.html(tombstonePage(ctx, gone).value, 410);
    }
    return notFound(c, `本存檔沒有編號 ${c.req.param('id')} 的文章。`);
  });

  // The article's TimeMap (RFC 7089 §5.1.1), cached like its page (it changes with the index only).
  app.get('/article/:id{[0-9]{1,15}}/timemap.txt', async (c) => {
    const id = Number(c.req.param('id'));
    const a = Number.isSafeInteger(id) ? await loadArticle(ctx, id) : undefined;
    if (a !== undefined) {
      c.header('Cache-Control', PAGE_CACHE_CONTROL);
      c.header('Content-Type', TIMEMAP_CONTENT_TYPE);
      return c.body(articleTimeMap(ctx, a));
    }
    c.header('Cache-Control', NO_STORE);
    // A taken-down article's mementos go with it: its page says why (a static mirror has no such file).
    const gone = Number.isSafeInteger(id) ? ctx.index.takedown(id) : undefined;
    return gone !== undefined
      ? c.text(`article ${gone.id} was taken down on ${gone.date}\n`, 410)
      : c.text('not found\n', 404);
  });

  app.get('/search/', async (c) => {
    const params = new URL(c.req.url).searchParams;
    if (ctx.mode === 'static') return htmlPage(c, searchPage(ctx, params, undefined));
    const parsed = parseSearchParams(params, 'page');
    if (!parsed.ok) return htmlPage(c, searchPage(ctx, params, undefined, `搜尋條件有誤：${parsed.message}`), 400);
    // Off this thread (the reader's search pool): a costly search never delays other requests.
    const { body, status } = await searchPageFor(ctx, params, parsed.value);
    return htmlPage(c, body, status);
  });

  app.get('/lookup/', (c) => {
    const url = ctx.mode === 'static' ? '' : (c.req.query('url') ?? '').trim();
    if (url === '') return htmlPage(c, lookupPage(ctx, ''));
    const id = lookupId(ctx, url);
    if (id === undefined) return htmlPage(c, lookupPage(ctx, url, { kind: 'not-article-url' }), 404);
    if (ctx.catalog.article(id) === undefined && ctx.index.takedown(id) === undefined)
      return htmlPage(c, lookupPage(ctx, url, { kind: 'not-in-archive', id }), 404);
    c.header('Cache-Control', NO_STORE);
    return c.redirect(articleHref(id), 302);
  });

  app.get('/api/search', async (c) => {
    const parsed = parseSearchParams(new URL(c.req.url).searchParams, 'api');
    if (!parsed.ok) return jsonError(c, 400, 'bad-parameter', parsed.message);
    try {
      const response = await runSearch(ctx, parsed.value.options);
      c.header('Cache-Control', PAGE_CACHE_CONTROL);
      return c.json(response);
    } catch (error) {
      if (isSalvageError(error) && error.code === 'SEARCH_TOO_COSTLY')
        return jsonError(c, 503, 'search-too-costly', error.message);
      throw error;
    }
  });
  app.get('/api/articles/:id', async (c) => {
    const raw = c.req.param('id');
    if (!/^[1-9][0-9]{0,14}$/.test(raw)) return jsonError(c, 400, 'bad-parameter', 'id must be a positive integer');
    const a = await loadArticle(ctx, Number(raw));
    const gone = a === undefined ? ctx.index.takedown(Number(raw)) : undefined;
    if (gone !== undefined) {
      c.header('Cache-Control', NO_STORE);
      return c.json(tombstoneJson(gone), 410);
    }
    if (a === undefined) return jsonError(c, 404, 'not-found', `no article ${raw} in this archive`);
    c.header('Cache-Control', PAGE_CACHE_CONTROL);
    return c.json(articleJson(a));
  });

  // The archive's own images: content-addressed, so the answer never changes.
  app.get('/media/files/:ab/:name', async (c) => {
    const file = ctx.mediaFile?.(c.req.path);
    if (file === undefined) return c.text('not found', 404);
    let body: Uint8Array<ArrayBuffer>;
    try {
      // Only a regular file: a link or a pipe planted in the store is not followed.
      if (!(await lstat(file)).isFile()) return c.text('not found', 404);
      body = new Uint8Array(await readFile(file));
    } catch {
      return c.text('not found', 404);
    }
    c.header('Cache-Control', ASSET_CACHE_CONTROL);
    // The store names a file by its format (store WEB_IMAGE_TYPES): the extension gives its type.
    c.header('Content-Type', WEB_IMAGE_TYPES[extname(file).slice(1) as WebImageType] ?? 'application/octet-stream');
    return c.body(body);
  });

  app.get('/assets/:name', (c) => {
    const asset = ASSETS.get(c.req.path);
    if (asset === undefined) return c.text('not found', 404);
    c.header('Cache-Control', ASSET_CACHE_CONTROL);
    c.header('Content-Type', asset.contentType);
    return c.body(asset.body);
  });

  // RFC 9110 §15.5.6: a method the resource does not support is 405 with `Allow`, not 404. Every
  // route above is read-only, so any other method on a known path gets this; unknown paths stay 404.
  const methodNotAllowed = (c: Context): Response => {
    c.header('Allow', ALLOWED_METHODS);
    c.header('Cache-Control', NO_STORE);
    if (c.req.path.startsWith('/api/'))
      return c.json(
        { error: 'method-not-allowed', message: `${c.req.method} is not supported; use ${ALLOWED_METHODS}` },
        405,
      );
    return c.text(`${c.req.method} is not supported here; use ${ALLOWED_METHODS}\n`, 405);
  };
  for (const path of new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path)))
    app.all(path, methodNotAllowed);

  app.notFound((c) => {
    const path = c.req.path;
    // `POST /article/1` names the page `/article/1/` (GET redirects there): its method is the problem.
    if (
      c.req.method !== 'GET' &&
      c.req.method !== 'HEAD' &&
      SLASHLESS_PAGE.test(path) &&
      app.router.match('GET', `${path}/`)[0].length > 0
    )
      return methodNotAllowed(c);
    if (path.startsWith('/api/'))
      return jsonError(c, 404, 'not-found', 'no such API endpoint; see /api/search and /api/articles/:id');
    if (
      SLASHLESS_PAGE.test(path) &&
      !path.startsWith('/assets/') &&
      (c.req.method === 'GET' || c.req.method === 'HEAD')
    ) {
      // Every page path ends in `/`: `/article/123` → `/article/123/`.
      const url = new URL(c.req.url);
      c.header('Cache-Control', NO_STORE);
      return c.redirect(`${url.pathname}/${url.search}`, 301);
    }
    return notFound(c);
  });

  app.onError((error, c) => {
    ctx.onError?.(error);
    if (c.req.path.startsWith('/api/')) return jsonError(c, 500, 'internal', 'internal error');
    c.header('Cache-Control', NO_STORE);
    return c.html(
      page(ctx, { title: '內部錯誤' }, html`<h1>內部錯誤</h1><p>這一頁未能顯示。請稍後再試，或回報這個網址。</p>`)
        .value,
      500,
    );
  });

  return app;
}
