/**
 * Browser-test harness: a small fixture archive in FORMAT.md shape, the reader on a loopback
 * port, and Debian's chromium driven by playwright-core with the flags that keep it off the
 * network (STACK.md "Browser tests"; env machines/node.md).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import {
  writeFixtureArchive as writeArchive,
  type FixtureArticle as SharedFixtureArticle,
} from '../helpers/reader-fixture.js';
import { createReader, type Reader, type ReaderOptions } from '../../src/reader/index.js';

/** The browser binary (Debian's package), or `$CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/**
 * Headless chromium as root in a closed network: no sandbox (root), no GPU, and none of the
 * background connections (component updates, sync, QUIC probes) that would leave loopback.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} not found (apt-get install -y chromium fonts-wqy-microhei)`;
}

/** Launch chromium headless. playwright gives every launch a new temporary profile (user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface RunningReader {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  reader: Reader;
  close(): Promise<void>;
}

/** The reader of `dir` on 127.0.0.1, port chosen by the system. */
export async function startReader(options: ReaderOptions): Promise<RunningReader> {
  const reader = createReader(options);
  const server = createAdaptorServer({ fetch: (request: Request) => reader.fetch(request) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    reader,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => {
          reader.close();
          resolve();
        });
      }),
  };
}

/** A page that records every request it makes and every dialog it opens. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  requests: string[];
  dialogs: string[];
  consoleErrors: string[];
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: 'zh-HK', ...options });
  const page = await context.newPage();
  const watched: WatchedPage = { page, context, requests: [], dialogs: [], consoleErrors: [] };
  page.on('request', (r) => watched.requests.push(r.url()));
  page.on('dialog', (d) => {
    watched.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') watched.consoleErrors.push(m.text());
  });
  return watched;
}

/** axe-core's violations on the current page, as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  // The reader's CSP allows no inline script, so axe is evaluated through the DevTools protocol
  // (not a <script> tag); the page's own policy stays in force.
  await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] }),
  );
  return results.violations.flatMap((v: axe.Result) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? '?'}): ${n.target.join(' ')} — ${v.help}`),
  );
}

/** Requests that left loopback (anything but 127.0.0.1 / localhost over http, or data:/about:). */
export function offLoopback(requests: readonly string[]): string[] {
  return requests.filter((url) => {
    if (url.startsWith('data:') || url.startsWith('about:')) return false;
    try {
      const u = new URL(url);
      return !(u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost'));
    } catch {
      return true;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Fixture archive

/** The e2e fixture's articles carry every field (the reader shows them all). */
export type FixtureArticle = SharedFixtureArticle &
  Required<Pick<SharedFixtureArticle, 'date' | 'tags' | 'originalUrl' | 'timestamp'>>;

/** The image of article 18733's figure (an `im_` URL). */
export const FIXTURE_IMAGE =
  'https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2019/02/x-20190227120000_ab12_large.jpg';
/** A slug destroyed into U+FFFD runs, as 9,159 captured URLs have it (HKCNEWS.md). */
export const FFFD_SLUG_ORIGINAL =
  'https://www.hkcnews.com/article/31337/%EF%BF%BD%EF%BF%BD%EF%BF%BD-31330/%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD';
/** The same URL as a reader pastes it: raw U+FFFD characters, no scheme, another slug id. */
export const FFFD_SLUG_PASTED = 'hkcnews.com/article/31337/\uFFFD\uFFFD\uFFFD-31330/\uFFFD\uFFFD';

export const XSS_ID = 40001;
/** A word found only in article 32787. */
export const UNIQUE_WORD = '蝴蝶灣洗衣房';

export const FIXTURE: readonly FixtureArticle[] = [
  {
    id: 18733,
    title: '特朗普金正恩河內峰會　同稱可望達致成果',
    date: '2019-02-27',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['越南', '美朝峰會'],
    originalUrl: 'https://www.hkcnews.com/article/18733/%E8%B6%8A%E5%8D%97-18730/%E7%89%B9%E6%9C%97%E6%99%AE',
    timestamp: '20210628174710',
    body: `美國總統特朗普與北韓領袖金正恩今日在越南河內舉行第二次峰會，**「會談成功」**是雙方的共同說法。

<figure>
<img src="${FIXTURE_IMAGE}" alt="特朗普與金正恩">
<figcaption>特朗普與金正恩在河內舉行峰會。美聯社</figcaption>
</figure>

<iframe src="https://www.youtube.com/embed/abcdefghijk"></iframe>

| 日期 | 地點 |
|---|---|
| 2018-06-12 | 新加坡 |
| 2019-02-27 | 河內 |`,
  },
  {
    id: 18740,
    title: '河內峰會後的東北亞',
    date: '2019-02-27',
    author: '博客甲',
    category: '眾說',
    tags: ['越南'],
    originalUrl: 'https://www.hkcnews.com/article/18740/%E8%B6%8A%E5%8D%97-18740/x',
    timestamp: '20210628174800',
    body: '峰會之後，東北亞局勢仍然充滿變數。\\\n這是第二行。',
  },
  {
    id: 18801,
    title: '立法會審議逃犯條例',
    date: '2019-02-28',
    author: '記者林勵',
    category: '眾聞',
    tags: ['立法會'],
    originalUrl: 'https://www.hkcnews.com/article/18801/x',
    timestamp: '20210701000000',
    body: '立法會今日繼續審議條例草案。\n\n> 議員表示會繼續跟進。',
  },
  {
    id: 32787,
    title: '陳肇始預料約500萬名市民參與全民檢測',
    date: '2020-08-10',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['全民檢測', '陳肇始'],
    originalUrl: 'https://www.hkcnews.com/article/32787/x',
    timestamp: '20210712050044',
    body: `政府最快兩周後展開全民自願檢測計劃。\n\n${UNIQUE_WORD}46歲外判工人初步確診。`,
  },
  {
    id: 10524,
    title: '警方拘捕示威者',
    date: '2018-01-15',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['警方'],
    originalUrl: 'https://www.hkcnews.com/article/10524/x',
    timestamp: '20200101000000',
    body: '警方今日在旺角拘捕三名男子。\n\n事件中沒有人受傷。',
  },
  {
    id: 10527,
    title: '警方拘捕示威者',
    date: '2018-01-15',
    lastUpdated: '2018-01-15 18:30:00',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['警方'],
    originalUrl: 'https://www.hkcnews.com/article/10527/x',
    timestamp: '20200101000100',
    body: '警方今日在旺角拘捕五名男子。\n\n事件中沒有人受傷。\n\n警方稱調查仍在進行。',
  },
  {
    id: XSS_ID,
    title: '測試 </script><script>window.__pwned=1</script> "標題"',
    date: '2021-06-01',
    author: '<img src=x onerror="window.__pwned=1">',
    category: '眾觀',
    tags: ['<b onmouseover="window.__pwned=1">tag</b>'],
    originalUrl: 'https://www.hkcnews.com/article/40001/x',
    timestamp: '20210701000000',
    body: `正文開始。

<script>window.__pwned=1</script>

<img src=x onerror="window.__pwned=1">

<a href="javascript:window.__pwned=1">連結</a> [另一個](javascript:window.__pwned=1)

<svg onload="window.__pwned=1"><circle r="1"/></svg>

<iframe src="javascript:window.__pwned=1"></iframe>

<p onclick="window.__pwned=1" style="background:url(javascript:window.__pwned=1)">段落</p>

<form action="https://evil.example/"><input name="q"><button>送出</button></form>

<style>body { display: none }</style>

正文完。`,
  },
  {
    id: 31337,
    title: '網址已損壞的文章',
    date: '2020-05-05',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['網址'],
    originalUrl: FFFD_SLUG_ORIGINAL,
    timestamp: '20210101000000',
    body: '這篇文章的原網址只剩下替換字元。',
  },
  {
    id: 45000,
    title: 'Press freedom in Hong Kong',
    date: '2021-12-31',
    author: 'Tri-angles',
    category: 'tri-angles',
    tags: ['press freedom'],
    originalUrl: 'https://www.hkcnews.com/article/45000/x',
    timestamp: '20220101000000',
    body: 'An English column about *press freedom*.',
  },
];

/** Write the fixture archive into `dir` and index it. */
export function writeFixtureArchive(dir: string, articles: readonly FixtureArticle[] = FIXTURE): void {
  writeArchive(dir, articles);
}
