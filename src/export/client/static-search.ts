/**
 * `SITE/assets/static-search.js`, the static site's search (bundled by bundle.ts): on `/search/`
 * and `/lookup/` it loads `SITE/search-index/` files as a query needs them and renders results as
 * the server does. Also exports the search itself, so Node can run the shipped bundle (benchmark).
 */
import { StaticSearchIndex, type IndexLoader } from './search-core.js';
import { runLookupPage, runSearchPage, type DomDocument } from './dom.js';

export { StaticSearchIndex, type IndexLoader } from './search-core.js';

/** A loader over `fetch`: `base` is the URL of `search-index/`; 404 is a missing file. */
export function fetchLoader(
  base: URL,
  fetchFn: (url: URL) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>,
): IndexLoader {
  return {
    async load(path: string): Promise<Uint8Array | undefined> {
      const response = await fetchFn(new URL(path, base));
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`loading ${path} failed: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

interface BrowserGlobals {
  document?: DomDocument;
  location?: { pathname: string; search: string; replace(href: string): void };
  fetch?: (url: URL) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

const browser = globalThis as BrowserGlobals;
if (browser.document !== undefined && browser.location !== undefined && browser.fetch !== undefined) {
  const { document, location } = browser;
  const fetchFn = browser.fetch.bind(globalThis);
  let opened: Promise<StaticSearchIndex> | undefined;
  const open = (): Promise<StaticSearchIndex> =>
    (opened ??= StaticSearchIndex.open(fetchLoader(new URL('../search-index/', import.meta.url), fetchFn)));
  if (location.pathname.endsWith('/lookup/'))
    void runLookupPage(document, location.search, open, (href) => location.replace(href));
  else void runSearchPage(document, location.search, open);
}
