/**
 * The reader's static assets: one stylesheet and one small progressive-enhancement script (copy
 * buttons on the cite box). Their URLs carry a hash of their content, so they are served with a
 * one-year immutable cache and a new version is a new URL.
 */
import { createHash } from 'node:crypto';

/** System fonts only (no third-party requests): Hong Kong / Taiwan CJK faces first, then fallbacks. */
const CSS = `
:root {
  --text: #1b1b1b; --muted: #4d4d4d; --bg: #fdfdfb; --panel: #f2f1ec; --line: #d6d4cc;
  --link: #0a4fa8; --visited: #5b2a86; --focus: #c2410c; --mark: #ffe27a; --accent: #8a1c1c;
  --ins: #dff3e2; --del: #fbe1e1;
  --sans: system-ui, -apple-system, "PingFang HK", "PingFang TC", "Noto Sans CJK TC", "Noto Sans TC",
    "Source Han Sans HK", "Source Han Sans TC", "Microsoft JhengHei", "Heiti TC", "WenQuanYi Micro Hei", sans-serif;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK TC", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #ecebe6; --muted: #b9b7ae; --bg: #161615; --panel: #232321; --line: #44433f;
    --link: #8cbcff; --visited: #d2b3f5; --focus: #ffa065; --mark: #6b5500; --accent: #ff9b9b;
    --ins: #1f3b25; --del: #4a2020;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text); font-family: var(--sans);
  font-size: 1.0625rem; line-height: 1.8; overflow-wrap: anywhere; word-break: normal;
  font-kerning: normal; text-rendering: optimizeLegibility;
}
a { color: var(--link); text-underline-offset: 0.2em; }
a:visited { color: var(--visited); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
mark { background: var(--mark); color: inherit; padding: 0 0.1em; }
.skip-link { position: absolute; left: 0.5rem; top: -4rem; z-index: 10; background: var(--bg); color: var(--link); padding: 0.5rem 1rem; border: 2px solid var(--focus); }
.skip-link:focus { top: 0.5rem; }
.site-header { border-bottom: 1px solid var(--line); background: var(--panel); }
.site-header .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 1.5rem; padding-block: 0.5rem; }
.site-title { font-weight: 700; font-size: 1.15rem; color: var(--text); text-decoration: none; }
.site-title:visited { color: var(--text); }
.site-nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0; }
.site-nav a { display: inline-block; padding: 0.25rem 0; }
.site-nav a[aria-current="page"] { font-weight: 700; }
.header-search { display: flex; gap: 0.25rem; margin-inline-start: auto; }
.wrap { max-width: 46rem; margin: 0 auto; padding-inline: 1rem; }
main { padding-block: 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.4; margin: 1rem 0 0.75rem; }
h2 { font-size: 1.3rem; line-height: 1.5; margin: 2rem 0 0.5rem; }
h3 { font-size: 1.1rem; line-height: 1.5; margin: 1.5rem 0 0.5rem; }
p { margin: 0 0 1em; }
.muted, .item-meta, .article-meta { color: var(--muted); font-size: 0.9375rem; }
.items { list-style: none; padding: 0; margin: 0; }
.item { padding: 0.75rem 0; border-bottom: 1px solid var(--line); }
.item-title { font-size: 1.1rem; margin: 0; line-height: 1.5; }
.item-meta { margin: 0.25rem 0 0; }
.item-snippet { margin: 0.25rem 0 0; }
.versions { display: inline-block; font-size: 0.8125rem; border: 1px solid var(--line); border-radius: 1em; padding: 0 0.6em; color: var(--muted); }
.counts { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: 0.25rem 1rem; }
.counts .n { color: var(--muted); font-size: 0.875rem; }
.calendar-years { display: grid; gap: 0.5rem; }
.months { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(6.5rem, 1fr)); gap: 0.25rem 0.75rem; }
table.month { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.month caption { text-align: start; font-weight: 700; padding-bottom: 0.5rem; }
table.month th, table.month td { border: 1px solid var(--line); padding: 0.25rem; text-align: center; vertical-align: top; }
table.month td a { display: block; }
table.month .n { display: block; font-size: 0.75rem; color: var(--muted); }
.facets { font-size: 0.9rem; color: var(--muted); margin: 0.5rem 0 1rem; }
.facets p { margin: 0.25rem 0; }
.pager { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; justify-content: space-between; margin: 1.5rem 0; }
.pager ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; padding: 0; margin: 0; }
.pager [aria-current="page"] { font-weight: 700; }
form.search { display: grid; gap: 0.75rem; margin: 1rem 0 1.5rem; }
form.search .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; }
form.search label { display: flex; flex-direction: column; font-size: 0.9375rem; gap: 0.125rem; }
input, select, button, textarea { font: inherit; color: inherit; }
input[type="search"], input[type="text"], input[type="url"], input[type="date"], select {
  padding: 0.375rem 0.5rem; border: 1px solid var(--muted); border-radius: 4px; background: var(--bg); min-width: 0; max-width: 100%;
}
input[type="search"].q, input[type="url"].q { width: 100%; font-size: 1.125rem; }
button { padding: 0.375rem 1rem; border: 1px solid var(--link); border-radius: 4px; background: var(--link); color: var(--bg); cursor: pointer; }
.header-search input { width: 10rem; }
.header-search button { padding-inline: 0.75rem; }
article.article .article-meta { margin: 0 0 1.5rem; }
.article-meta dl, .provenance dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.125rem 1rem; margin: 0; }
.article-meta dt, .provenance dt { font-weight: 700; }
.article-meta dd, .provenance dd { margin: 0; }
.tags { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; padding: 0; margin: 0; }
.article-body { font-size: 1.125rem; line-height: 1.9; }
.article-body h1, .article-body h2, .article-body h3, .article-body h4, .article-body h5, .article-body h6 { line-height: 1.5; }
.article-body blockquote { margin: 1em 0; padding: 0.25em 1em; border-inline-start: 4px solid var(--line); color: var(--muted); }
.article-body figure { margin: 1.5em 0; }
.article-body figure img, .article-body img { max-width: 100%; height: auto; }
.article-body figcaption { font-size: 0.9375rem; color: var(--muted); line-height: 1.6; margin-top: 0.25rem; }
.article-body table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; }
.article-body th, .article-body td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; }
.article-body pre, .article-body code { font-family: var(--mono); font-size: 0.9em; }
.article-body pre { overflow-x: auto; background: var(--panel); padding: 0.75rem; }
.article-body pre.body-overflow { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; font-size: 1em; }
.unlinked-url { overflow-wrap: anywhere; }
.box { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; margin: 2rem 0; }
.box h2 { margin-top: 0; font-size: 1.1rem; }
.provenance dd { overflow-wrap: anywhere; font-size: 0.9375rem; }
.hash { font-family: var(--mono); font-size: 0.8125rem; }
.cite .citation { overflow-wrap: anywhere; font-size: 0.9375rem; line-height: 1.7; background: var(--bg); border: 1px solid var(--line); padding: 0.5rem; margin: 0.25rem 0 0.75rem; }
.cite pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--mono); font-size: 0.8125rem; line-height: 1.6; background: var(--bg); border: 1px solid var(--line); padding: 0.5rem; margin: 0.25rem 0 0.75rem; }
.cite h3 { font-size: 1rem; margin: 0.75rem 0 0; display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
.cite button { font-size: 0.8125rem; padding: 0.125rem 0.5rem; }
.diff { font-size: 0.9375rem; line-height: 1.8; }
.diff .diff-del { background: var(--del); }
.diff .diff-ins { background: var(--ins); }
.diff .diff-skip, .diff .diff-same { color: var(--muted); }
.diff-box ins { background: var(--ins); text-decoration: underline; }
.diff-box del { background: var(--del); text-decoration: line-through; }
details > summary { cursor: pointer; }
.site-footer { border-top: 1px solid var(--line); padding-block: 1rem 2rem; color: var(--muted); font-size: 0.875rem; }
.notice { border-inline-start: 4px solid var(--accent); padding: 0.25rem 0.75rem; background: var(--panel); }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 30rem) {
  body { font-size: 1rem; }
  h1 { font-size: 1.45rem; }
  .article-body { font-size: 1.0625rem; }
  .header-search { margin-inline-start: 0; width: 100%; }
  .header-search input { flex: 1; width: auto; }
  table.month th, table.month td { padding: 0.125rem; font-size: 0.875rem; }
}
@media print {
  .site-header, .site-footer, .skip-link, form.search, .cite button { display: none; }
  a { color: inherit; }
}
`;

/** Copy buttons for the cite box; the page works the same without it. */
const JS = `
for (const pre of document.querySelectorAll('[data-copy]')) {
  const heading = pre.previousElementSibling;
  if (!heading || !navigator.clipboard) continue;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = '複製';
  button.setAttribute('aria-label', '複製 ' + heading.textContent.trim());
  button.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(pre.textContent); button.textContent = '已複製'; }
    catch { button.textContent = '未能複製'; }
    setTimeout(() => { button.textContent = '複製'; }, 2000);
  });
  heading.append(button);
}
`;

export interface Asset {
  path: string;
  contentType: string;
  body: string;
}

const hashed = (name: string, ext: string, body: string): string =>
  `/assets/${name}-${createHash('sha256').update(body).digest('hex').slice(0, 10)}.${ext}`;

/** The stylesheet every page links. */
export const STYLESHEET: Asset = {
  path: hashed('reader', 'css', CSS),
  contentType: 'text/css; charset=utf-8',
  body: CSS.trimStart(),
};
/** The enhancement script article pages load (`type="module"`, so deferred). */
export const SCRIPT: Asset = {
  path: hashed('reader', 'js', JS),
  contentType: 'text/javascript; charset=utf-8',
  body: JS.trimStart(),
};
/** A plain mark for browser tabs (browsers ask for /favicon.ico when a page names no icon). */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#8a1c1c"/><path d="M8 10h16M8 16h16M8 22h10" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>\n';
export const ICON: Asset = { path: hashed('icon', 'svg', ICON_SVG), contentType: 'image/svg+xml', body: ICON_SVG };
/** The static export's client-side search (written by the static export, not served here). */
export const STATIC_SEARCH_SCRIPT_PATH = '/assets/static-search.js';

/** Every asset the server itself serves, by path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([STYLESHEET, SCRIPT, ICON].map((a) => [a.path, a]));
/** `Cache-Control` of hashed assets: a year, never revalidated (a change is a new URL). */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
