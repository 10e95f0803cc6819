/**
 * The capture, replayable in the mirror: a static export with a WACZ (`export-site --wacz FILE`)
 * carries the WACZ and ReplayWeb.page (the `replaywebpage` package: `ui.js`, the web component,
 * and `sw.js`, the service worker that reads the WACZ with range requests and answers the
 * replayed page's requests from it), plus a page that replays one original URL at one capture
 * time from that WACZ. Article pages link "the page as captured" to it. Nothing is loaded from
 * outside the mirror: the WACZ and both scripts are the site's own files, and the service worker
 * answers whatever the replayed page asks for (its scripts, fonts, trackers) from the WACZ or
 * with a 404, never from the network.
 *
 * Layout under SITE (`replay/`): `index.html` (the page), `replay.js` (its link back to the
 * article), `replay.css`, `archive.wacz`, `sw/ui.js`, `sw/sw.js`, `sw/LICENSE.txt`. The service
 * worker's scope is `replay/sw/`: the page itself stays outside it (ReplayWeb.page registers the
 * worker from the page and serves its own frame inside the scope), and `sw/ui.js` is both the
 * page's script and the one the worker's frame loads by default (`./ui.js` in the scope), so
 * there is one copy and no 404.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEFAULT_READER_OPTIONS, html, ICON, STYLESHEET, type CaptureRef, type Html } from '../reader/index.js';
import { ARTICLE_LINK_ID, REPLAY_TEMPLATE_ID } from './client/replay-page.js';
import { bundleClient } from './bundle.js';
import { rebaseLinks, rootFrom } from './links.js';

/** The replay page's folder in SITE (its address is `/replay/`). */
export const REPLAY_DIR = 'replay';
/** The site's files for the replay, relative to SITE. */
export const REPLAY_FILES = {
  page: `${REPLAY_DIR}/index.html`,
  script: `${REPLAY_DIR}/replay.js`,
  stylesheet: `${REPLAY_DIR}/replay.css`,
  wacz: `${REPLAY_DIR}/archive.wacz`,
  ui: `${REPLAY_DIR}/sw/ui.js`,
  serviceWorker: `${REPLAY_DIR}/sw/sw.js`,
  license: `${REPLAY_DIR}/sw/LICENSE.txt`,
} as const;
/** Files the replay adds to a site (the compact export's budget counts them). */
export const REPLAY_FILE_COUNT = Object.keys(REPLAY_FILES).length;

/**
 * The address of the replay of `capture`, from the site's root (the export makes it relative):
 * ReplayWeb.page's deep-link fragment `#url=<original URL>&ts=<14 digits>`. The fragment is
 * read with URLSearchParams, so the URL is encoded once more (`%E6` → `%25E6`) and comes back
 * as the archive file states it, which is the capture's `WARC-Target-URI` (the CDX key).
 */
export function captureReplayHref(capture: Pick<CaptureRef, 'url' | 'timestamp'>): string {
  return `/${REPLAY_DIR}/#${new URLSearchParams({ url: capture.url, ts: capture.timestamp }).toString()}`;
}

/**
 * The replay page's Content-Security-Policy (a `<meta>` tag: static hosts send no header). It
 * allows what ReplayWeb.page needs and nothing else: its scripts from the site (`ui.js`,
 * `replay.js`), the service worker from the site (`worker-src`), the replay frame from the site
 * (`frame-src`: the worker serves it), the stylesheets and icon, and `connect-src 'self'`: on
 * localhost ReplayWeb.page (register-service-worker) fetches `sw.js` itself before registering
 * it (a mirror tried locally, `python3 -m http.server`), and the WACZ is the worker's to read
 * (a worker's requests answer to its own policy, not the page's). Lit's styles are constructed
 * stylesheets, which `style-src` does not govern. The frame's documents are not under this policy
 * (a frame of an http(s) address gets its own): the replayed page gets wabac.js's policy
 * (`default-src 'self' …`, set by the worker on every replayed answer), which keeps it on the
 * site. The article pages keep the
 * reader's strict policy (reader/security.ts), which allows no worker or frame.
 */
export function replayContentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "frame-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The `replaywebpage` package's files the site ships, and its version (for the page's notice). */
export interface ReplayWebPage {
  version: string;
  ui: Buffer;
  serviceWorker: Buffer;
  license: Buffer;
}

/** Where the `replaywebpage` package is: its exports name `./index.html`, not `package.json`. */
function packageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('replaywebpage/index.html'));
}

/** Read ReplayWeb.page's browser files (ui.js, sw.js) and its licence from the installed package. */
export function loadReplayWebPage(): ReplayWebPage {
  const root = packageRoot();
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    version,
    ui: readFileSync(join(root, 'ui.js')),
    serviceWorker: readFileSync(join(root, 'sw.js')),
    license: readFileSync(join(root, 'LICENSE')),
  };
}

/** The replay page's own layout: the page is the header and the replay, which takes the rest of the window. */
export const REPLAY_CSS = `html, body { height: 100%; }
body { display: flex; flex-direction: column; line-height: 1.5; }
.replay-header { flex: none; border-bottom: 1px solid var(--line); background: var(--panel); padding: 0.25rem 1rem; }
.replay-header p { margin: 0; font-size: 0.875rem; }
.replay-header .site-title, #${ARTICLE_LINK_ID} { margin-inline-end: 1rem; }
replay-web-page { flex: 1 1 auto; min-height: 0; display: block; }
`;

export interface ReplayPageOptions {
  /** The WACZ's SHA-256 (hex): part of its address in the page, so a new WACZ is a new collection in the browser's cache. */
  waczSha256: string;
  /** ReplayWeb.page's version, named in the notice. */
  version: string;
  /** Site name in the header. Default: the reader's. */
  siteTitle?: string;
}

/** How many hex digits of the WACZ's SHA-256 its address carries (64 bits: no two exports collide). */
const VERSION_HEX_DIGITS = 16;

/**
 * `SITE/replay/index.html`. Root links (`/`, the stylesheet) are made relative by the export like
 * every page's; the replay's own addresses are relative to the page already. The element is in a
 * `<template>`: `replay.js` puts it in the page once the service worker is active
 * (client/replay-page.ts says why). ReplayWeb.page:
 * `source` is the WACZ, `replaybase` the worker's scope, `deeplink` reads the capture from the
 * fragment (and keeps it current as the reader navigates), `embed="default"` shows its bar with
 * the original URL and the capture time. `ui.js` is a classic script: it finds its own address
 * through `document.currentScript` to load itself into the worker's frame.
 */
export function replayPageHtml(options: ReplayPageOptions): string {
  const siteTitle = options.siteTitle ?? DEFAULT_READER_OPTIONS.siteTitle;
  const source = `archive.wacz?v=${options.waczSha256.slice(0, VERSION_HEX_DIGITS)}`;
  const page: Html = html`<!doctype html>
<html lang="zh-Hant-HK">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${replayContentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>存檔原貌 · ${siteTitle}</title>
<link rel="stylesheet" href="${STYLESHEET.path}">
<link rel="stylesheet" href="replay.css">
<link rel="icon" href="${ICON.path}" type="image/svg+xml">
<script src="sw/ui.js"></script>
<script type="module" src="replay.js"></script>
</head>
<body>
<header class="replay-header">
<p><a class="site-title" href="/">${siteTitle}</a><a id="${ARTICLE_LINK_ID}" href="/lookup/" hidden>返回本站的文章</a>存檔原貌：原網頁存檔時的樣子，由本站的 WACZ 檔案在瀏覽器中重播，不向任何第三方發出請求。<a href="archive.wacz" download>下載 WACZ</a> · 重播程式 ReplayWeb.page ${options.version}（Webrecorder，<a href="sw/LICENSE.txt">AGPL-3.0</a>，<a href="https://github.com/webrecorder/replayweb.page" rel="noopener noreferrer">原始碼</a>）</p>
<noscript><p>重播需要瀏覽器啟用 JavaScript，並以 HTTPS（或本機）開啟本站。</p></noscript>
</header>
<template id="${REPLAY_TEMPLATE_ID}"><replay-web-page source="${source}" replaybase="./sw/" deeplink embed="default"></replay-web-page></template>
</body>
</html>
`;
  return page.value;
}

/**
 * Write the replay's files but the WACZ through `put` (the export's writer): ReplayWeb.page's
 * scripts and licence, the page (root links made relative like every page's), its script and
 * stylesheet. `waczSha256`: the WACZ's SHA-256. Returns ReplayWeb.page's version.
 */
export async function writeReplayFiles(
  waczSha256: string,
  put: (rel: string, data: Uint8Array | string) => Promise<void>,
): Promise<{ version: string }> {
  const rwp = loadReplayWebPage();
  await put(REPLAY_FILES.ui, rwp.ui);
  await put(REPLAY_FILES.serviceWorker, rwp.serviceWorker);
  await put(REPLAY_FILES.license, rwp.license);
  await put(REPLAY_FILES.script, await bundleClient('replay-page'));
  await put(REPLAY_FILES.stylesheet, REPLAY_CSS);
  const page = replayPageHtml({ waczSha256, version: rwp.version });
  await put(REPLAY_FILES.page, rebaseLinks(page, rootFrom(`/${REPLAY_DIR}/`)));
  return { version: rwp.version };
}
