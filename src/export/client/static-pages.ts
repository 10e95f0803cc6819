/**
 * `SITE/assets/static-pages.js`, the compact export's page assembler (bundled by bundle.ts). A
 * compact export keeps most pages (articles, tag, author and category pages) in a few thousand
 * data files (`SITE/pages/<k>.json`) instead of a file each, to fit hosts that limit files. A
 * static host answers the address of such a page with `404.html`; that page is a shell that loads
 * this script, which finds the page's data file from its address, and puts the page's `<main>`
 * and title in place (or the not-found message kept in the shell). Links inside a page are
 * relative to its own address, so they work wherever the site is served.
 */
import { fromUtf8, pageDataFile, pageKey, pageShardOf, unpackIndexFile, type PageData } from './codec.js';

/** `<meta name>` of the shell: how many page data files there are. */
export const PAGE_SHARDS_META = 'salvage-page-shards';
/** `<meta name>` of the shell: the article pages' enhancement script, a file name in `assets/`. */
export const ENHANCE_META = 'salvage-enhance';
/** The shell's `<template>` holding the not-found message. */
export const NOT_FOUND_TEMPLATE_ID = 'salvage-not-found';

/**
 * The keys to try for `pathname` on a site whose root is `rootPath` (`/repo/`): the page's own
 * (`article/1/`), and for an address without its final slash the folder's (`article/1` →
 * `article/1/`, as a static host redirects a folder). None for an address outside the site or a
 * file (`feed.xml`).
 */
export function candidateKeys(rootPath: string, pathname: string): string[] {
  if (!pathname.startsWith(rootPath)) return [];
  const key = pageKey(pathname.slice(rootPath.length));
  if (key === '' || key.endsWith('/')) return [key];
  if (/\.[a-z0-9]{1,5}$/i.test(key)) return [];
  return [key, `${key}/`];
}

/** The page at `pathname`, from its data file: which key matched and the page, or undefined. */
export async function findPage(
  root: URL,
  pathname: string,
  shards: number,
  load: (url: URL) => Promise<Uint8Array | undefined>,
): Promise<{ key: string; page: PageData } | undefined> {
  if (!(Number.isSafeInteger(shards) && shards > 0)) return undefined;
  for (const key of candidateKeys(root.pathname, pathname)) {
    const data = await load(new URL(pageDataFile(pageShardOf(key, shards)), root));
    if (data === undefined) continue;
    const pages = JSON.parse(fromUtf8(await unpackIndexFile(data))) as Record<string, PageData>;
    if (Object.hasOwn(pages, key)) return { key, page: pages[key]! };
  }
  return undefined;
}

interface ShellElement {
  innerHTML: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  replaceChildren(...nodes: unknown[]): void;
  scrollIntoView?(): void;
  content?: { cloneNode(deep: boolean): unknown };
}

interface Browser {
  document?: {
    title: string;
    querySelector(selector: string): ShellElement | null;
    getElementById(id: string): ShellElement | null;
  };
  location?: { pathname: string; search: string; hash: string };
  history?: { replaceState(state: unknown, unused: string, url: string): void };
  fetch?: (url: URL) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

const browser = globalThis as Browser;
if (browser.document !== undefined && browser.location !== undefined && browser.fetch !== undefined) {
  const { document, location, history } = browser;
  const fetchFn = browser.fetch.bind(globalThis);
  const root = new URL('../', import.meta.url);
  const shards = Number(document.querySelector(`meta[name="${PAGE_SHARDS_META}"]`)?.getAttribute('content'));
  const main = document.getElementById('main');
  // Taken before the page replaces <main>, which holds it.
  const template = document.getElementById(NOT_FOUND_TEMPLATE_ID);
  const load = async (url: URL): Promise<Uint8Array | undefined> => {
    const response = await fetchFn(url);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.pathname}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const show = async (): Promise<void> => {
    let found: Awaited<ReturnType<typeof findPage>>;
    try {
      found = await findPage(root, location.pathname, shards, load);
    } catch (error) {
      // Not "not found": the page may well exist (an old browser, a network error).
      if (main !== null) main.textContent = `未能載入這一頁：${(error as Error).message}`;
      return;
    }
    if (found === undefined || main === null) {
      if (main !== null && template?.content !== undefined) main.replaceChildren(template.content.cloneNode(true));
      return;
    }
    // The page's links are relative to its own address: a folder's, with its final slash.
    if (found.key.endsWith('/') && !location.pathname.endsWith('/'))
      history?.replaceState(null, '', `${location.pathname}/${location.search}${location.hash}`);
    document.title = found.page.title;
    main.innerHTML = found.page.main;
    if (location.hash.length > 1) {
      let id = location.hash.slice(1);
      try {
        id = decodeURIComponent(id);
      } catch {
        // a malformed escape: look the fragment up as written
      }
      document.getElementById(id)?.scrollIntoView?.();
    }
    const enhance = document.querySelector(`meta[name="${ENHANCE_META}"]`)?.getAttribute('content');
    if (enhance) await import(/* @vite-ignore */ new URL(enhance, import.meta.url).href);
  };
  void show();
}
