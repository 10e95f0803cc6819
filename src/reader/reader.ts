/**
 * createReader: one archive folder's reader. Opens the search index read-only once, prepares the
 * catalog's statements once, and answers `fetch(Request)` with pages, the JSON API and assets; in
 * `static` mode it renders the pages a static export writes and lists them with `pagePaths()`.
 */
import { Catalog, SearchIndex, SearchPool, SEARCH_INDEX_FILE, type CatalogFacet } from '../search/index.js';
import { join } from 'node:path';
import { MediaStore, MEDIA_DIR, WEB_IMAGE_TYPES } from '../store/index.js';
import { ASSETS } from './assets.js';
import { ResponseCache, type CachedResponse } from './cache.js';
import {
  articleHref,
  calendarOf,
  dateHref,
  facetHref,
  PAGE_SIZE,
  type ReaderContext,
  type ReaderMode,
} from './context.js';
import { allMonthDays } from './pages/browse.js';
import { facetListHref, facetListPageCount } from './pages/facets.js';
import { createRoutes } from './routes.js';
import { securityHeaders } from './security.js';
import { SegmentMap } from './segments.js';
import { createHash } from 'node:crypto';

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
  /** The clock (`/on-this-day/` redirects to today in Hong Kong). Default `() => new Date()`. */
  now?: () => Date;
  /** Told about unexpected errors (answered with a 500 page). Default: ignored. */
  onError?: (error: Error) => void;
}

export const DEFAULT_READER_OPTIONS = {
  mode: 'server',
  loadImages: false,
  siteTitle: '眾新聞存檔',
  cacheBytes: 64 * 1024 * 1024,
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
   * article, `/search/`, `/lookup/`, and the assets served here. Page paths end in `/` (write
   * them as `<decoded path>/index.html`); asset paths name files. Every decoded segment is a
   * safe file name (no `/`, `\`, `..`, control characters; ≤ 200 bytes).
   */
  pagePaths(): Iterable<string>;
  /**
   * Answer a GET or HEAD of `pathAndQuery` (`URL.pathname + URL.search`) as plain data: what
   * `fetch` answers, without Request and Response objects (node-listener.ts writes it directly).
   * Never rejects.
   */
  respond(method: 'GET' | 'HEAD', pathAndQuery: string, ifNoneMatch?: string): Promise<PlainResponse>;
  /**
   * The cached answer to a GET of `pathAndQuery` (as `URL.pathname + URL.search` spells it), with
   * every response header (ETag included), or undefined: a node adapter answers hits without
   * building a Request and a Response (see node-listener.ts), and calls `fetch` otherwise.
   */
  cached(pathAndQuery: string): CachedResponse | undefined;
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

/** The reader's view of a media store: stored images by key, and files by their path. */
function mediaLookups(dir: string, media: MediaStore): Required<Pick<ReaderContext, 'storedImage' | 'mediaFile'>> {
  return {
    storedImage: (key) => {
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
      return m === null ? undefined : join(dir, MEDIA_DIR, m[1]!);
    },
  };
}

function segmentMaps(catalog: Catalog): Record<CatalogFacet, SegmentMap> {
  const maps = {} as Record<CatalogFacet, SegmentMap>; // filled for every facet just below
  for (const facet of FACETS) maps[facet] = new SegmentMap(catalog.names(facet).map((n) => n.name));
  return maps;
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
  const ctx: ReaderContext = {
    dir: options.dir,
    index,
    catalog,
    mode,
    loadImages,
    siteTitle: options.siteTitle ?? DEFAULT_READER_OPTIONS.siteTitle,
    segments: segmentMaps(catalog),
    ...(media !== undefined ? mediaLookups(options.dir, media) : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
    ...(pool !== undefined ? { searcher: (o) => pool.search(o) } : {}),
  };
  const app = createRoutes(ctx, { now: options.now ?? (() => new Date()) });
  const headers = Object.entries(securityHeaders(loadImages));
  const cache = new ResponseCache(mode === 'server' ? (options.cacheBytes ?? DEFAULT_READER_OPTIONS.cacheBytes) : 0);

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
    }
  };

  const internalError = (error: unknown, path: string): PlainResponse => {
    options.onError?.(error as Error);
    const h = new Headers({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    for (const [k, v] of headers) h.set(k, v);
    if (path.startsWith('/api/')) h.set('Access-Control-Allow-Origin', '*');
    return { status: 500, headers: [...h], body: new TextEncoder().encode('internal error') };
  };

  async function respond(method: 'GET' | 'HEAD', pathAndQuery: string, ifNoneMatch?: string): Promise<PlainResponse> {
    const path = pathAndQuery.split('?', 1)[0] ?? '/';
    try {
      refresh();
      let entry = cache.get(pathAndQuery);
      if (entry === undefined) {
        // A HEAD is answered from the GET's answer: always render as a GET.
        const response = withHeaders(await app.fetch(new Request(REQUEST_ORIGIN + pathAndQuery)), path);
        const body = new Uint8Array(await response.arrayBuffer());
        response.headers.set('Content-Length', String(body.byteLength));
        if (response.status !== 200)
          return { status: response.status, headers: [...response.headers], body: method === 'HEAD' ? null : body };
        const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
        response.headers.set('ETag', etag);
        entry = { status: response.status, headers: [...response.headers], body, etag };
        cache.set(pathAndQuery, entry);
      }
      const notModified = ifNoneMatch === entry.etag;
      return {
        status: notModified ? 304 : entry.status,
        headers: entry.headers,
        body: method === 'HEAD' || notModified ? null : entry.body,
      };
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
          const r = await respond(method, url.pathname + url.search, request.headers.get('If-None-Match') ?? undefined);
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
    cached(pathAndQuery: string): CachedResponse | undefined {
      refresh();
      return cache.get(pathAndQuery);
    },
    pagePaths: () => pagePaths(ctx),
    warm: () => {
      catalog.warm();
      calendarOf(ctx);
    },
    articleCount: () => catalog.count(),
    close: () => {
      void pool?.close();
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
    }
  }
  for (const id of ctx.catalog.ids()) yield articleHref(id);
  yield '/search/';
  yield '/lookup/';
  for (const path of ASSETS.keys()) yield path;
}
