/**
 * The reader in a real browser (Debian chromium via playwright-core, headless, loopback only):
 * search, browsing by day, original-URL lookup, the cite box, an XSS payload that must not run,
 * an automated accessibility check (axe-core), and no request leaving loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { imageKey } from '../../src/markdown/index.js';
import { parseMemento } from '../../src/memento.js';
import { MediaStore } from '../../src/store/index.js';

/** A real, decodable PNG (PNG spec: signature, IHDR, zlib-deflated scanlines in IDAT, IEND): a gradient. */
function realPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows.set([x * 2, y * 3, 128], y * (1 + width * 3) + 1 + x * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
import type { Browser } from 'playwright-core';
import {
  FFFD_SLUG_ORIGINAL,
  FFFD_SLUG_PASTED,
  UNIQUE_WORD,
  XSS_ID,
  launchBrowser,
  offLoopback,
  openPage,
  skipReason,
  FIXTURE_IMAGE,
  axeViolations,
  startReader,
  writeFixtureArchive,
  type RunningReader,
  type WatchedPage,
} from './harness.js';

const skip = skipReason();
if (skip !== undefined) console.log(`reader e2e SKIPPED: ${skip}`);

/** The page's global object, as the page functions below see it (tsconfig has no DOM lib). */
type PageGlobal = { __pwned?: unknown };

/** A 1×1 transparent PNG. */
const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('reader in chromium', { skip: skip ?? false }, () => {
  let dir: string;
  let server: RunningReader;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  /** A fresh page (own context) whose requests are checked at the end. */
  const fresh = async (options: Parameters<typeof openPage>[1] = {}): Promise<WatchedPage> => {
    const w = await openPage(browser, options);
    pages.push(w);
    return w;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvage-e2e-'));
    writeFixtureArchive(dir);
    server = await startReader({ dir });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('search a word and open a result', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/`);
    await page.getByRole('searchbox', { name: '搜尋文章' }).fill(UNIQUE_WORD);
    await Promise.all([
      page.waitForURL(/\/search\/\?/),
      page.getByRole('searchbox', { name: '搜尋文章' }).press('Enter'),
    ]);
    const result = page.locator('main ol.items a[href="/article/32787/"]');
    assert.equal(await result.count(), 1, 'the one article containing the word is listed');
    assert.match(await page.locator('main').innerText(), new RegExp(UNIQUE_WORD));
    await Promise.all([page.waitForURL(/\/article\/32787\/$/), result.click()]);
    assert.equal(await page.locator('h1').innerText(), '陳肇始預料約500萬名市民參與全民檢測');
    assert.match(await page.locator('.article-body').innerText(), new RegExp(`${UNIQUE_WORD}46歲`));
  });

  test('browse a day: home → calendar → day → article', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/`);
    await Promise.all([
      page.waitForURL(/\/date\/2019\/02\/$/),
      page.locator('main a[href="/date/2019/02/"]').first().click(),
    ]);
    await Promise.all([
      page.waitForURL(/\/date\/2019\/02\/27\/$/),
      page.locator('main a[href="/date/2019/02/27/"]').first().click(),
    ]);
    const items = page.locator('main ol.items a[href^="/article/"]');
    const hrefs = await items.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual([...hrefs].sort(), ['/article/18733/', '/article/18740/']);
    await Promise.all([
      page.waitForURL(/\/article\/18733\/$/),
      page.locator('main a[href="/article/18733/"]').first().click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), '特朗普金正恩河內峰會　同稱可望達致成果');
    const body = page.locator('.article-body');
    assert.match(await body.locator('figure figcaption').innerText(), /美聯社/);
    assert.equal(await body.locator('img').count(), 0, 'images are links unless loadImages');
    assert.match(
      (await body.locator('figure a.image-link').getAttribute('href')) ?? '',
      /^https:\/\/web\.archive\.org\/web\/20210628174710im_\//,
    );
    assert.equal(await body.locator('iframe').count(), 0);
    assert.match(await body.innerText(), /嵌入內容：www\.youtube\.com/);
    assert.equal(await body.locator('table tbody tr').count(), 2);
    assert.equal(await body.locator('strong').first().innerText(), '「會談成功」');
  });

  test("the home page announces the archive's Atom feed, and the browser's XML parser reads it", async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/`);
    const link = page.locator('head link[rel="alternate"][type="application/atom+xml"]');
    assert.equal(await link.count(), 1);
    const href = (await link.getAttribute('href')) ?? '';
    const feedUrl = new URL(href, page.url()).href;
    const xml = await (await fetch(feedUrl)).text();
    // Chromium's own XML parser (strict: any well-formedness error gives a <parsererror>).
    const parsed = await page.evaluate(
      ([source, base]) => {
        // The page's DOM, typed by hand (tsconfig has no DOM lib).
        interface XmlElement {
          namespaceURI: string | null;
          localName: string;
          getAttribute(name: string): string | null;
          getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement>;
        }
        interface XmlDocument {
          documentElement: XmlElement;
          getElementsByTagName(name: string): ArrayLike<XmlElement>;
          getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement>;
        }
        const { DOMParser } = globalThis as unknown as {
          DOMParser: new () => { parseFromString(s: string, type: string): XmlDocument };
        };
        const doc = new DOMParser().parseFromString(source, 'application/xml');
        const atom = 'http://www.w3.org/2005/Atom';
        const entries = Array.from(doc.getElementsByTagNameNS(atom, 'entry'));
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          root: `${doc.documentElement.namespaceURI} ${doc.documentElement.localName}`,
          links: entries.map(
            (e) => new URL(e.getElementsByTagNameNS(atom, 'link')[0]?.getAttribute('href') ?? '', base).pathname,
          ),
        };
      },
      [xml, feedUrl] as const,
    );
    assert.equal(parsed.errors, 0);
    assert.equal(parsed.root, 'http://www.w3.org/2005/Atom feed');
    assert.ok(parsed.links.length > 0);
    for (const path of parsed.links) assert.match(path, /^\/article\/\d+\/$/);
    const first = await page.goto(`${server.origin}${parsed.links[0]}`);
    assert.equal(first?.status(), 200, 'the first entry opens its article');
  });

  test('look up an original URL whose slug is U+FFFD', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/lookup/`);
    await page.locator('input[name="url"]').fill(FFFD_SLUG_PASTED);
    await Promise.all([page.waitForURL(/\/article\/31337\/$/), page.locator('input[name="url"]').press('Enter')]);
    assert.equal(await page.locator('h1').innerText(), '網址已損壞的文章');
    // The percent-encoded form and a Wayback memento of it find the same article.
    for (const url of [FFFD_SLUG_ORIGINAL, `https://web.archive.org/web/2021id_/${FFFD_SLUG_ORIGINAL}`]) {
      await page.goto(`${server.origin}/lookup/?url=${encodeURIComponent(url)}`);
      assert.match(page.url(), /\/article\/31337\/$/, url);
    }
  });

  test('the article page has the cite box, Robust Links, JSON-LD and Dublin Core', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/article/18733/`);
    const cite = page.locator('section.cite');
    const text = await cite.innerText();
    assert.match(text, /APA/);
    assert.match(text, /眾新聞記者\. \(2019, February 27\)\. 特朗普金正恩河內峰會　同稱可望達致成果\./);
    assert.match(text, /MLA/);
    assert.match(text, /"特朗普金正恩河內峰會　同稱可望達致成果\."/);
    assert.match(text, /BibTeX/);
    assert.match(text, /@online\{hkcnews-18733,/);
    const memento =
      'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/18733/%E8%B6%8A%E5%8D%97-18730/%E7%89%B9%E6%9C%97%E6%99%AE';
    // The attributes carry IRIs; the browser follows the published, percent-encoded URL.
    const robust = page.locator('.provenance a[data-originalurl][data-versiondate]').first();
    assert.equal(await robust.evaluate((a) => (a as unknown as { href: string }).href), memento);
    assert.equal(
      new URL((await robust.getAttribute('data-originalurl')) ?? '').href,
      'https://www.hkcnews.com/article/18733/%E8%B6%8A%E5%8D%97-18730/%E7%89%B9%E6%9C%97%E6%99%AE',
    );
    assert.match((await robust.getAttribute('data-versiondate')) ?? '', /^2021-06-28/);
    const jsonLd = JSON.parse(await page.locator('script[type="application/ld+json"]').innerText()) as Record<
      string,
      unknown
    >;
    assert.equal(jsonLd['@type'], 'NewsArticle');
    assert.equal(jsonLd['headline'], '特朗普金正恩河內峰會　同稱可望達致成果');
    assert.equal(
      await page.locator('meta[name="DC.title"]').getAttribute('content'),
      '特朗普金正恩河內峰會　同稱可望達致成果',
    );
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hant-HK');
  });

  test('a revision group lists its versions with a diff', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/article/10527/`);
    const revisions = page.locator('section.revisions');
    assert.equal((await revisions.locator('a[href="/article/10524/"]').count()) >= 1, true);
    await revisions.locator('summary').click();
    assert.equal(await revisions.locator('.diff del').first().innerText(), '三');
    assert.equal(await revisions.locator('.diff ins').first().innerText(), '五');
  });

  for (const bypassCSP of [false, true]) {
    test(`the XSS article does not execute its payloads (CSP ${bypassCSP ? 'bypassed: sanitizing alone' : 'on'})`, async () => {
      const w = await fresh({ bypassCSP });
      const { page } = w;
      await page.goto(`${server.origin}/article/${XSS_ID}/`);
      await page.locator('.article-body p', { hasText: '段落' }).click();
      await page.locator('.article-body').hover();
      await page.waitForLoadState('load');
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobal).__pwned), undefined);
      assert.deepEqual(w.dialogs, []);
      assert.match(
        await page.locator('h1').innerText(),
        /<\/script><script>window\.__pwned=1<\/script>/,
        'the hostile title shows as text',
      );
      const body = page.locator('.article-body');
      assert.equal(
        await body.locator('script, style, svg, iframe, form, input, [onclick], [onerror], [onload], [style]').count(),
        0,
      );
      const hrefs = await body.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      assert.deepEqual(
        hrefs.filter((h) => /^\s*javascript:/i.test(h)),
        [],
      );
      assert.match(await body.innerText(), /正文完。/);
      // The only scripts on the page are the reader's own: JSON-LD data and same-origin modules.
      const scripts = await page
        .locator('script')
        .evaluateAll((ss) =>
          ss.map((s) => ({ type: s.getAttribute('type'), src: s.getAttribute('src'), text: s.textContent ?? '' })),
        );
      for (const s of scripts) {
        if (s.type === 'application/ld+json') assert.doesNotThrow(() => JSON.parse(s.text));
        else assert.match(s.src ?? '', /^\/assets\//, JSON.stringify(s));
      }
    });
  }

  for (const [name, path] of [
    ['home', '/'],
    ['article', '/article/18733/'],
    ['search', `/search/?q=${encodeURIComponent('河內')}`],
    ['revision article', '/article/10527/'],
  ] as const) {
    test(`axe-core finds no accessibility violations on the ${name} page`, async () => {
      const { page } = await fresh();
      await page.goto(`${server.origin}${path}`);
      assert.deepEqual(await axeViolations(page), []);
    });
  }

  test('the search page works from the keyboard alone', async () => {
    const { page } = await fresh();
    await page.goto(`${server.origin}/search/`);
    await page.keyboard.press('Tab'); // skip link first
    assert.equal(await page.locator(':focus').getAttribute('href'), '#main');
    await page.locator('#q').focus();
    await page.keyboard.type('峰會');
    await Promise.all([page.waitForURL(/q=/), page.keyboard.press('Enter')]);
    assert.ok((await page.locator('main ol.items li').count()) >= 2);
  });

  test('with loadImages, figures show images from web.archive.org only, lazily and without referrer', async () => {
    const imageServer = await startReader({ dir, loadImages: true });
    try {
      const w = await fresh();
      const archiveRequests: { url: string; referer: string | undefined }[] = [];
      // Answered inside the browser: nothing leaves the machine.
      await w.context.route('https://web.archive.org/**', (route) => {
        archiveRequests.push({ url: route.request().url(), referer: route.request().headers()['referer'] });
        return route.fulfill({ status: 200, contentType: 'image/png', body: ONE_PIXEL_PNG });
      });
      await w.page.goto(`${imageServer.origin}/article/18733/`);
      const img = w.page.locator('.article-body figure img');
      assert.equal(await img.getAttribute('loading'), 'lazy');
      assert.equal(await img.getAttribute('referrerpolicy'), 'no-referrer');
      assert.equal(await img.getAttribute('alt'), '特朗普與金正恩');
      await img.scrollIntoViewIfNeeded();
      await w.page.waitForFunction('document.querySelector(".article-body figure img").complete');
      assert.equal(archiveRequests.length, 1);
      assert.match(archiveRequests[0]!.url, /^https:\/\/web\.archive\.org\/web\/20210628174710im_\//); // length checked above
      assert.equal(archiveRequests[0]!.referer, undefined);
      // The embed stays a link: frames are never loaded.
      assert.equal(await w.page.locator('iframe').count(), 0);
      // Only the Wayback Machine besides loopback; remove those so the final check sees the rest.
      const others = offLoopback(w.requests).filter((u) => !u.startsWith('https://web.archive.org/'));
      assert.deepEqual(others, []);
      w.requests.splice(0, w.requests.length, ...w.requests.filter((u) => !u.startsWith('https://web.archive.org/')));
    } finally {
      await imageServer.close();
    }
  });

  test("with a media store, the article shows the archive's own photograph: no request leaves loopback, axe passes", async () => {
    // A copy of the fixture with its image in a media store (what salvage media writes).
    const mediaDir = mkdtempSync(join(tmpdir(), 'salvage-e2e-media-'));
    writeFixtureArchive(mediaDir);
    const store = MediaStore.open(mediaDir);
    const photo = realPng(96, 64);
    const kept = store.keepFile(photo, 'image/png');
    const original = parseMemento(FIXTURE_IMAGE)!.original;
    store.record({
      url: original,
      key: imageKey(original),
      requestedTs: '20210628174710',
      outcome: 'stored',
      ...kept,
      mime: 'image/png',
      width: 96,
      height: 64,
      bytes: photo.length,
    });
    store.close();
    const media = await startReader({ dir: mediaDir });
    try {
      const w = await fresh();
      await w.page.goto(`${media.origin}/article/18733/`);
      const img = w.page.locator('.article-body figure img');
      await img.scrollIntoViewIfNeeded();
      await w.page.waitForFunction('document.querySelector(".article-body figure img").complete');
      assert.equal(await img.getAttribute('src'), `/media/${kept.file}`);
      assert.deepEqual(
        await img.evaluate((el) => {
          const decoded = el as unknown as { naturalWidth: number; naturalHeight: number };
          return [decoded.naturalWidth, decoded.naturalHeight];
        }),
        [96, 64],
        'the photograph decoded',
      );
      assert.deepEqual([await img.getAttribute('width'), await img.getAttribute('height')], ['96', '64']);
      assert.match(await w.page.locator('.article-body figure figcaption').innerText(), /河內舉行峰會/);
      assert.deepEqual(offLoopback(w.requests), []);
      assert.deepEqual(await axeViolations(w.page), []);
    } finally {
      await media.close();
      rmSync(mediaDir, { recursive: true, force: true });
    }
  });

  test('every request the pages made stayed on loopback', () => {
    const all = pages.flatMap((p) => p.requests);
    assert.ok(all.length > pages.length, 'requests were recorded');
    assert.deepEqual(offLoopback(all), []);
  });
});
