/**
 * createReader: one archive folder's reader. Opens the search index read-only once, prepares the
 * catalog's statements once, and answers `fetch(Request)` with pages, the JSON API and assets; in
 * `static` mode it renders the pages a static export writes and lists them with `pagePaths()`.
 */
import { Catalog, SearchIndex, SearchPool, SEARCH_INDEX_FILE, type CatalogFacet } from '../search/index.js';
import { join } from 'node:path';
import { MediaStore, MEDIA_DIR, WEB_IMAGE_TYPES } from '../store/index.js';
import { ASSETS } from './assets.js';
import { cacheEntry, represent, ResponseCache, withAllCodings, type CachedResponse } from './cache.js';
import { noneMatch } from './encoding.js';
import { codeStamp, PAGE_STORE_FILE, PageStore } from './page-store.js';
import {
  articleHref,
  calendarOf,
  dateHref,
  facetHref,
  PAGE_SIZE,
  type CaptureRef,
  type ReaderContext,
  type ReaderMode,
} from './context.js';
import { allMonthDays } from './pages/browse.js';
import { FEED_FACETS, facetFeedHref, SITE_FEED_PATH } from './pages/feeds.js';
import { facetListHref, facetListPageCount } from './pages/facets.js';
import { createRoutes } from './routes.js';
import { timeMapHref } from './memento-links.js';
import { securityHeaders } from './security.js';
import { SegmentMap } from './segments.js';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ReaderOptions {
  /** The archive folder (with `search.sqlite`, built by `salvage index`). Required. */
  dir: string;
  /**
   * `server` (default): live search, lookup redirects, the JSON API. `static`: pages for a static
   * export: `/search/` and `/lookup/` render the form and an empty results region plus the client
   * script `/assets/static-search.js`; `/on-this-day/` is an index of all days, not a redirect.
   */
  mode?: ReaderMode;
  /**
   * Show article images inline, loaded from web.archive.org (and allow that host, only, in the
   * CSP `img-src`). Default false: no third-party requests; images are links with captions.
   */
  loadImages?: boolean;
  /** Site name in headers and titles. Default {@link DEFAULT_READER_OPTIONS}.siteTitle. */
  siteTitle?: string;
  /** Bytes of rendered responses kept in memory (server mode). Default 64 MiB; 0 disables. */
  cacheBytes?: number;
  /**
   * Keep rendered pages in `DIR/reader-pages.sqlite` (page-store.ts), shared by every process
   * and restart (server mode). Default true; false renders into memory only.
   */
  pageStore?: boolean;
  /** The clock (`/on-this-day/` redirects to today in Hong Kong). Default `() => new Date()`. */
  now?: () => Date;
  /**
   * The address of the page where an article's capture is replayed (a root path such as
   * `/replay/#url=…&ts=…`, or undefined for a capture it cannot replay): article pages then link
   * "the page as captured" to it beside the Wayback link. The static export sets it when it
   * includes a WACZ with ReplayWeb.page (export/replay.ts). Default: no such link.
   */
  captureHref?: (capture: CaptureRef) => string | undefined;
  /** Told about unexpected errors (answered with a 500 page). Default: ignored. */
  onError?: (error: Error) => void;
  /** Told, in one line, what the reader does without (a page store it cannot open). Default: ignored. */
  onWarning?: (message: string) => void;
}

export const DEFAULT_READER_OPTIONS = {
  mode: 'server',
  loadImages: false,
  siteTitle: '眾新聞存檔',
  cacheBytes: 64 * 1024 * 1024,
  pageStore: true,
} as const satisfies Partial<ReaderOptions>;

/** A response as data: status, every header, and the body (null for HEAD, 304 and redirects without one). */
export interface PlainResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array | null;
}

/** Origin of the requests the reader builds for its routes (only path and query are read). */
const REQUEST_ORIGIN = 'http://localhost';

export interface Reader {
  /** Answer one request (any method; GET and HEAD are served). Never rejects. */
  fetch(request: Request): Promise<Response>;
  /**
   * Every path a static site needs, URL-encoded, each starting with `/`: home, date pages,
   * on-this-day (index + 366 days), category/tag/author lists and every page of each, every
   * article and its TimeMap (`/article/<id>/timemap.txt`), `/search/`, `/lookup/`, and the
   * assets served here. Page paths end in `/` (write
   * them as `<decoded path>/index.html`); asset paths name files. Every decoded segment is a
   * safe file name (no `/`, `\`, `..`, control characters; ≤ 200 bytes).
   */
  pagePaths(): Iterable<string>;
  /**
   * Answer a GET or HEAD of `pathAndQuery` (`URL.pathname + URL.search`) as plain data: what
   * `fetch` answers, without Request and Response objects (node-listener.ts writes it directly).
   * Never rejects.
   */
  respond(
    method: 'GET' | 'HEAD',
    pathAndQuery: string,
    ifNoneMatch?: string,
    acceptEncoding?: string,
  ): Promise<PlainResponse>;
  /**
   * What `respond` answers, when the page is already rendered (in memory or in the page store),
   * synchronously; undefined otherwise. A node adapter answers these without building a Request
   * and a Response (see node-listener.ts), and calls `respond` for the others.
   */
  cached(
    method: 'GET' | 'HEAD',
    pathAndQuery: string,
    ifNoneMatch?: string,
    acceptEncoding?: string,
  ): PlainResponse | undefined;
  /**
   * Render `pathAndQuery` into the page store unless it is there already (`salvage render`):
   * `stored`, `kept` (already stored), or `not-stored` (not a page the store keeps, or not a 200).
   */
  store(pathAndQuery: string): Promise<'stored' | 'kept' | 'not-stored'>;
  /** The page store's file, when the reader has one. */
  pageStoreFile(): string | undefined;
  /** The generation of the index the reader serves ({@link SearchIndex.generation}). */
  generation(): string;
  /** Compute what the first requests would otherwise wait for (counts, category and author lists). */
  warm(): void;
  /** Number of articles in the index. */
  articleCount(): number;
  /** Close the index. */
  close(): void;
}

const FACETS: readonly CatalogFacet[] = ['category', 'tag', 'author'];

/** A media path the reader serves: `/media/files/<ab>/<sha256>.<ext>`, the file's own name. */
const MEDIA_PATH = new RegExp(
  `^/media/(files/([0-9a-f]{2})/\\2[0-9a-f]{62}\\.(?:${Object.keys(WEB_IMAGE_TYPES).join('|')}))$`,
);

/** How often a reader looks whether the media store changed (its withheld files). */
const WITHHELD_CHECK_MS = 1000;

/** Images of taken-down articles: their keys, and the stored files those keys name. */
interface WithheldImages {
  keys: Set<string>;
  files: Set<string>;
}

function withheldImages(index: SearchIndex, media: MediaStore | undefined): WithheldImages {
  const keys = index.takenDownImages();
  const files = new Set<string>();
  if (media !== undefined) for (const key of keys) for (const file of media.storedFilesOfKey(key)) files.add(file);
  return { keys, files };
}

/**
 * The reader's view of a media store: stored images by key, and files by their path. An image a
 * taken-down article shows is withheld everywhere (another article showing the same photograph
 * gets its caption and Wayback link, as for an image the store lacks).
 */
function mediaLookups(
  dir: string,
  media: MediaStore,
  withheld: () => WithheldImages,
): Required<Pick<ReaderContext, 'storedImage' | 'mediaFile'>> {
  return {
    storedImage: (key) => {
      if (withheld().keys.has(key)) return undefined;
      const row = media.storedByKey(key);
      if (row?.file === undefined) return undefined;
      return {
        href: `/${MEDIA_DIR}/${row.file}`,
        ...(row.width !== undefined && row.height !== undefined ? { width: row.width, height: row.height } : {}),
      };
    },
    // Only names the store gives its files: nothing else under the archive folder is served.
    mediaFile: (path) => {
      const m = MEDIA_PATH.exec(path);
      return m === null || withheld().files.has(m[1]!) ? undefined : join(dir, MEDIA_DIR, m[1]!);
    },
  };
}

function segmentMaps(catalog: Catalog): Record<CatalogFacet, SegmentMap> {
  const maps = {} as Record<CatalogFacet, SegmentMap>; // filled for every facet just below
  for (const facet of FACETS) maps[facet] = new SegmentMap(catalog.names(facet).map((n) => n.name));
  return maps;
}

/** salvage's code (`dist/` or `src/`) and its package: part of every stored page's stamp. */
const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_ROOT = join(CODE_ROOT, '..');
let rendererStamp: string | undefined;
const rendererCode = (): string =>
  (rendererStamp ??= codeStamp(
    [CODE_ROOT],
    [join(PACKAGE_ROOT, 'package.json'), join(PACKAGE_ROOT, 'package-lock.json')],
  ));

/**
 * Pages the page store keeps: what depends only on the indexed archive, at its one address.
 * Searches and lookups (one per query: memory only), images (files already) and assets (built
 * into the code) are not; neither is any other spelling of an address that renders the same page:
 * a query string (pages take none), an escape the reader's own links do not write
 * (`/%61rticle/7/`, `%e7` for `%E7`), a number with a leading zero (`/article/007/`). Each
 * spelling would be a row, and a client could fill the disk with them.
 */
function isStoredPage(pathAndQuery: string): boolean {
  if (pathAndQuery.includes('?')) return false;
  if (/^\/(?:search\/|api\/search|lookup\/|media\/|assets\/)/.test(pathAndQuery)) return false;
  if (/\/(?:article|page|articles)\/0/.test(pathAndQuery)) return false;
  for (const segment of pathAndQuery.split('/')) {
    try {
      if (encodeURIComponent(decodeURIComponent(segment)) !== segment) return false;
    } catch {
      return false; // not decodable: not an address the reader writes
    }
  }
  return true;
}

/**
 * The cache key of a request: path and query as given, except that an API search's parameters
 * are put in order (`?limit=5&q=a` and `?q=a&limit=5` are one answer; a name given twice keeps
 * its order). A search page keeps its order: its links repeat the query as the reader wrote it.
 */
function cacheKey(path: string, pathAndQuery: string): string {
  if (path !== '/api/search') return pathAndQuery;
  const at = pathAndQuery.indexOf('?');
  if (at < 0) return pathAndQuery;
  const params = new URLSearchParams(pathAndQuery.slice(at + 1));
  params.sort();
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

/**
 * Open the reader of an archive folder.
 * Throws SalvageError INPUT_UNREADABLE when the folder has no current search index.
 */
export function createReader(options: ReaderOptions): Reader {
  const mode = options.mode ?? DEFAULT_READER_OPTIONS.mode;
  const loadImages = options.loadImages ?? DEFAULT_READER_OPTIONS.loadImages;
  const index = SearchIndex.openDir(options.dir, { readonly: true });
  const catalog = new Catalog(index);
  // The archive's own images (salvage media), when it has them. A media index that cannot be
  // read (damaged, another version) leaves the images as links: the articles still read.
  let media: MediaStore | undefined;
  try {
    media = MediaStore.openExisting(options.dir);
  } catch (error) {
    options.onError?.(error as Error);
  }
  // A server searches in a worker thread (search-pool.ts): one costly search must not stall pages.
  const pool = mode === 'server' ? new SearchPool({ file: join(options.dir, SEARCH_INDEX_FILE) }) : undefined;
  /**
   * Images of taken-down articles: read on first use, again after each change of the index, and
   * when the media store has changed (`salvage media` storing an image since), looked at once a
   * second at most.
   */
  let withheld: { images: WithheldImages; mediaStamp: string; checkedAt: number } | undefined;
  const currentWithheld = (): WithheldImages => {
    const now = Date.now();
    if (withheld !== undefined && now - withheld.checkedAt < WITHHELD_CHECK_MS) return withheld.images;
    const mediaStamp = media?.stamp() ?? '';
    if (withheld !== undefined && withheld.mediaStamp === mediaStamp) {
      withheld.checkedAt = now;
      return withheld.images;
    }
    withheld = { images: withheldImages(index, media), mediaStamp, checkedAt: now };
    return withheld.images;
  };
  const ctx: ReaderContext = {
    dir: options.dir,
    index,
    catalog,
    mode,
    loadImages,
    siteTitle: options.siteTitle ?? DEFAULT_READER_OPTIONS.siteTitle,
    segments: segmentMaps(catalog),
    ...(media !== undefined ? mediaLookups(options.dir, media, currentWithheld) : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
    ...(options.captureHref !== undefined ? { captureHref: options.captureHref } : {}),
    ...(pool !== undefined ? { searcher: (o) => pool.search(o) } : {}),
  };
  const app = createRoutes(ctx, { now: options.now ?? (() => new Date()) });
  const headers = Object.entries(securityHeaders(loadImages));
  const cache = new ResponseCache(mode === 'server' ? (options.cacheBytes ?? DEFAULT_READER_OPTIONS.cacheBytes) : 0);
  const stamp = (): string =>
    createHash('sha1')
      .update(
        JSON.stringify([index.generation(), media?.stamp() ?? '', mode, loadImages, ctx.siteTitle, rendererCode()]),
      )
      .digest('hex');
  const usePageStore = mode === 'server' && (options.pageStore ?? DEFAULT_READER_OPTIONS.pageStore);
  let store: PageStore | undefined;
  let storeStamp: string | undefined;
  let warned = false;
  /** Changes with every change of the index: a render begun before one is not kept after it. */
  let epoch = 0;
  /** (Re)open the page store when what pages are rendered from has changed. */
  const openStore = (): void => {
    if (!usePageStore) return;
    const current = stamp();
    if (store !== undefined && current === storeStamp) return;
    store?.close();
    store = undefined;
    storeStamp = current;
    // A build running or interrupted: the index is between two states, and so would its pages be.
    if (index.isIncomplete()) return;
    store = PageStore.open(options.dir, current, index.generation(), (error) => {
      if (!warned)
        options.onWarning?.(
          `pages are not kept in ${join(options.dir, PAGE_STORE_FILE)} (${error.message}): each worker renders a page on its first request`,
        );
      warned = true;
    });
  };
  openStore();

  const withHeaders = (response: Response, path: string): Response => {
    for (const [k, v] of headers) response.headers.set(k, v);
    // The API is public, read-only data: any site may read it (no credentials are involved).
    if (path.startsWith('/api/')) response.headers.set('Access-Control-Allow-Origin', '*');
    return response;
  };

  const refresh = (): void => {
    if (catalog.refresh()) {
      // Another process re-indexed the folder: names, counts and pages may have changed.
      cache.clear();
      ctx.segments = segmentMaps(catalog);
      ctx.calendar = undefined;
      withheld = undefined;
      epoch++;
      openStore();
    }
  };

  const internalError = (error: unknown, path: string): PlainResponse => {
    options.onError?.(error as Error);
    const h = new Headers({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    for (const [k, v] of headers) h.set(k, v);
    if (path.startsWith('/api/')) h.set('Access-Control-Allow-Origin', '*');
    return { status: 500, headers: [...h], body: new TextEncoder().encode('internal error') };
  };

  /** The rendered answer of a key, from memory or the page store, without rendering. */
  const lookup = (key: string): CachedResponse | undefined => {
    let entry = cache.get(key);
    if (entry === undefined && store !== undefined && isStoredPage(key)) {
      entry = store.get(key);
      if (entry !== undefined) cache.set(key, entry);
    }
    return entry;
  };

  /** Render a key (a GET: a HEAD is answered from the GET's answer); a 200 is kept. */
  const render = async (key: string, path: string): Promise<CachedResponse | PlainResponse> => {
    const began = epoch;
    const response = withHeaders(await app.fetch(new Request(REQUEST_ORIGIN + key)), path);
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200) {
      response.headers.set('Content-Length', String(body.byteLength));
      return { status: response.status, headers: [...response.headers], body };
    }
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    const entry = cacheEntry(response.status, [...response.headers], body, etag);
    // Rendered from an index that has changed since (a re-index, a takedown): answered, not kept.
    if (epoch !== began) return entry;
    if (store !== undefined && isStoredPage(key)) store.put(key, withAllCodings(entry));
    cache.set(key, entry);
    return entry;
  };

  const answer = (
    method: 'GET' | 'HEAD',
    key: string,
    entry: CachedResponse,
    ifNoneMatch: string | undefined,
    acceptEncoding: string | undefined,
  ): PlainResponse => {
    const r = represent(entry, acceptEncoding);
    cache.touch(key); // a coding made for this request counts against the memory bound
    const notModified = noneMatch(ifNoneMatch, r.etag);
    return {
      status: notModified ? 304 : r.status,
      headers: r.headers,
      body: method === 'HEAD' || notModified ? null : r.body,
    };
  };

  async function respond(
    method: 'GET' | 'HEAD',
    pathAndQuery: string,
    ifNoneMatch?: string,
    acceptEncoding?: string,
  ): Promise<PlainResponse> {
    const path = pathAndQuery.split('?', 1)[0] ?? '/';
    try {
      refresh();
      const key = cacheKey(path, pathAndQuery);
      const entry = lookup(key) ?? (await render(key, path));
      if (!('etag' in entry)) return method === 'HEAD' ? { ...entry, body: null } : entry;
      return answer(method, key, entry, ifNoneMatch, acceptEncoding);
    } catch (error) {
      return internalError(error, path);
    }
  }

  return {
    async fetch(request: Request): Promise<Response> {
      let path = '/';
      try {
        const url = new URL(request.url);
        path = url.pathname;
        const method = request.method;
        if (method === 'GET' || method === 'HEAD') {
          const r = await respond(
            method,
            url.pathname + url.search,
            request.headers.get('If-None-Match') ?? undefined,
            request.headers.get('Accept-Encoding') ?? undefined,
          );
          return new Response(r.body, { status: r.status, headers: r.headers });
        }
        refresh();
        return withHeaders(await app.fetch(request), path);
      } catch (error) {
        const r = internalError(error, path);
        return new Response(r.body, { status: r.status, headers: r.headers });
      }
    },
    respond,
    cached(method, pathAndQuery, ifNoneMatch, acceptEncoding): PlainResponse | undefined {
      const path = pathAndQuery.split('?', 1)[0] ?? '/';
      try {
        refresh();
        const key = cacheKey(path, pathAndQuery);
        const entry = lookup(key);
        return entry === undefined ? undefined : answer(method, key, entry, ifNoneMatch, acceptEncoding);
      } catch (error) {
        return internalError(error, path);
      }
    },
    async store(pathAndQuery: string): Promise<'stored' | 'kept' | 'not-stored'> {
      const path = pathAndQuery.split('?', 1)[0] ?? '/';
      refresh();
      const key = cacheKey(path, pathAndQuery);
      if (store === undefined || !isStoredPage(key)) return 'not-stored';
      if (store.has(key)) return 'kept';
      const entry = await render(key, path);
      return 'etag' in entry ? 'stored' : 'not-stored';
    },
    pageStoreFile: () => store?.file,
    generation: () => index.generation(),
    pagePaths: () => pagePaths(ctx),
    warm: () => {
      catalog.warm();
      calendarOf(ctx);
    },
    articleCount: () => catalog.count(),
    close: () => {
      void pool?.close();
      store?.close();
      media?.close();
      index.close();
    },
  };
}

function* pagePaths(ctx: ReaderContext): Generator<string> {
  yield '/';
  // The calendar's dates only: an article dated `2020-13-45` has its page, not a date page.
  const calendar = calendarOf(ctx);
  for (const { name: year } of calendar.years) {
    yield dateHref(year);
    for (const { name: month } of calendar.months(year)) {
      yield dateHref(month);
      for (const { name: day } of calendar.days(month)) yield dateHref(day);
    }
  }
  yield '/on-this-day/';
  for (const md of allMonthDays()) yield `/on-this-day/${md}/`;
  for (const facet of FACETS) {
    for (let n = 1; n <= facetListPageCount(ctx, facet); n++) yield facetListHref(facet, n);
    for (const [name, items] of ctx.catalog.itemCounts(facet)) {
      const pages = Math.max(1, Math.ceil(items / PAGE_SIZE));
      for (let n = 1; n <= pages; n++) {
        const href = facetHref(ctx, facet, name, n);
        if (href !== undefined) yield href;
      }
      if (FEED_FACETS.includes(facet)) {
        const feed = facetFeedHref(ctx, facet, name);
        if (feed !== undefined) yield feed;
      }
    }
  }
  yield SITE_FEED_PATH;
  for (const id of ctx.catalog.ids()) {
    yield articleHref(id);
    yield timeMapHref(id);
  }
  // Taken-down articles: their tombstones, so a mirror's old links and citations still answer.
  for (const t of ctx.index.takedowns()) yield articleHref(t.id);
  yield '/search/';
  yield '/lookup/';
  for (const path of ASSETS.keys()) yield path;
}
