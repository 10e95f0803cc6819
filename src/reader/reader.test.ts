/** The reader's routes on a small fixture archive, through `reader.fetch(Request)`. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  articleFile,
  createFixtureArchive,
  FFFD_URL,
  FIXTURE_ARTICLES,
  HOSTILE_TITLE,
  PAGED_COUNT,
  PAGED_TAG,
  SLASH_TAG,
} from '../../test/helpers/reader-fixture.js';
import { buildIndex, search, SearchIndex } from '../search/index.js';
import { createReader, type Reader } from './index.js';
import { isSafeSegment } from './segments.js';
import { parseLinkFormat } from '../../test/helpers/link-format.js';

let fixture: { dir: string; cleanup: () => void };
let reader: Reader;
/** 2024-07-01 12:00 in Hong Kong. */
const NOW = new Date('2024-07-01T04:00:00Z');

before(() => {
  fixture = createFixtureArchive();
  reader = createReader({ dir: fixture.dir, now: () => NOW });
});
after(() => {
  reader.close();
  fixture.cleanup();
});

const get = (path: string, init?: RequestInit): Promise<Response> =>
  reader.fetch(new Request(`http://localhost${path}`, init));
async function page(path: string, status = 200): Promise<string> {
  const r = await get(path);
  const text = await r.text();
  assert.equal(r.status, status, `${path}: ${text.slice(0, 300)}`);
  return text;
}
async function json(path: string, status = 200): Promise<Record<string, unknown>> {
  const r = await get(path);
  assert.equal(r.status, status, path);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return (await r.json()) as Record<string, unknown>;
}
/** Hrefs of every link in a page. */
const hrefs = (text: string): string[] =>
  [...text.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

describe('methods', () => {
  test('other methods on a known route answer 405 with Allow: GET, HEAD; unknown paths stay 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of [
        '/',
        '/article/101/',
        '/article/101/timemap.txt',
        '/date/2020/03/01/',
        '/search/?q=x',
        '/lookup/',
        '/api/search?q=x',
        '/api/articles/101',
        '/tags/',
      ]) {
        const r = await get(path, { method });
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers.get('allow'), 'GET, HEAD', `${method} ${path}`);
        assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      }
    }
    const api = await get('/api/articles/101', { method: 'DELETE' });
    assert.equal(((await api.json()) as { error: string }).error, 'method-not-allowed');
    assert.equal((await get('/no-such-page/', { method: 'POST' })).status, 404);
    assert.equal((await get('/no-such-page', { method: 'PUT' })).status, 404);
    // The slashless form of a page (GET redirects it) is that page: 405 too.
    const slashless = await get('/article/101', { method: 'POST' });
    assert.equal(slashless.status, 405);
    assert.equal(slashless.headers.get('allow'), 'GET, HEAD');
    assert.equal((await get('/article/101/')).status, 200);
    assert.equal((await get('/article/101/', { method: 'HEAD' })).status, 200);
  });
});

describe('headers', () => {
  test('every response carries the strict CSP, nosniff and no-referrer, 404s and API answers included', async () => {
    for (const path of [
      '/',
      '/article/101/',
      '/nope/',
      '/api/search?q=x',
      '/api/articles/999999',
      '/api/search?limit=abc',
    ]) {
      const r = await get(path);
      assert.equal(
        r.headers.get('content-security-policy'),
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        path,
      );
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
    }
  });

  test('with loadImages the CSP allows images from web.archive.org and nowhere else', async () => {
    const withImages = createReader({ dir: fixture.dir, loadImages: true });
    try {
      const r = await withImages.fetch(new Request('http://localhost/article/101/'));
      assert.match(r.headers.get('content-security-policy') ?? '', /img-src 'self' https:\/\/web\.archive\.org;/);
      assert.match(await r.text(), /<img[^>]+src="https:\/\/web\.archive\.org\/web\/20210628174710im_\//);
    } finally {
      withImages.close();
    }
  });

  test('pages make no third-party request by default: no external src, no inline script or style', async () => {
    for (const path of ['/', '/article/101/', '/article/103/', '/search/?q=港']) {
      const text = await page(path);
      assert.doesNotMatch(text, /\ssrc="https?:/, path);
      assert.doesNotMatch(text, /<style|\sstyle=/i, path);
      for (const m of text.matchAll(/<script([^>]*)>/g))
        assert.match(m[1]!, /type="module" src="\/assets\/|type="application\/ld\+json"/, `${path}: ${m[0]}`);
    }
  });

  test('assets are served with a year-long immutable cache and their content type', async () => {
    const home = await page('/');
    const css = hrefs(home).find((h) => h.endsWith('.css'));
    assert.ok(css !== undefined && css.startsWith('/assets/'));
    const r = await get(css);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(await r.text(), /line-height: 1\.8/);
    assert.equal((await get('/assets/nope.css')).status, 404);
  });
});

describe('pages', () => {
  test('home: language, landmarks, skip link, latest articles and the calendar by year and month', async () => {
    const text = await page('/');
    assert.match(text, /^<!doctype html>\n<html lang="zh-Hant-HK">/);
    assert.match(text, /<a class="skip-link" href="#main">/);
    assert.match(text, /<main id="main"/);
    assert.match(text, /<nav class="site-nav" aria-label=/);
    const links = hrefs(text);
    for (const h of [
      '/article/107/',
      '/article/103/',
      '/date/2020/',
      '/date/2020/03/',
      '/date/2019/03/',
      '/date/2018/01/',
    ])
      assert.ok(links.includes(h), h);
    assert.ok(!links.includes('/article/106/'), 'an undated page is not among the latest');
  });

  test('a day page lists its articles with revision groups collapsed, and links the neighbouring days', async () => {
    const text = await page('/date/2020/03/01/');
    assert.ok(hrefs(text).includes('/article/105/'), 'the newest version stands for its group');
    assert.ok(!hrefs(text).includes('/article/101/'));
    assert.match(text, /2 個版本/);
    assert.ok(hrefs(text).includes('/date/2019/03/01/'), 'previous day with articles');
    assert.ok(hrefs(text).includes('/date/2021/05/02/'), 'next day with articles');
  });

  test('year and month pages link their months and days with counts', async () => {
    assert.ok(hrefs(await page('/date/2020/')).includes('/date/2020/03/'));
    const month = await page('/date/2018/01/');
    assert.ok(hrefs(month).includes('/date/2018/01/28/'));
    assert.match(month, /<table class="month">/);
    assert.match(month, /<caption>/);
  });

  test('dates that do not exist or have no articles are 404 pages', async () => {
    for (const path of [
      '/date/2020/13/',
      '/date/2020/02/30/',
      '/date/1999/',
      '/date/2020/04/',
      '/date/2020/03/02/',
      '/on-this-day/02-30/',
      '/on-this-day/13-01/',
    ]) {
      const text = await page(path, 404);
      assert.match(text, /找不到頁面/, path);
    }
  });

  test('on this day: the same day of every year; /on-this-day/ redirects to today in Hong Kong', async () => {
    const text = await page('/on-this-day/03-01/');
    assert.ok(hrefs(text).includes('/article/104/'));
    assert.ok(hrefs(text).includes('/article/105/'));
    assert.ok(text.indexOf('/article/105/') < text.indexOf('/article/104/'), 'newest year first');
    const r = await get('/on-this-day/');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/on-this-day/07-01/');
    await page('/on-this-day/02-29/');
  });

  test('category, tag and author lists with counts link to pages that show their articles', async () => {
    const tags = await page('/tags/');
    const slashTag = hrefs(tags).find((h) => h.startsWith('/tag/AC'));
    assert.ok(slashTag !== undefined, 'the tag with a slash is listed');
    assert.doesNotMatch(slashTag, /%2F|\/AC\/DC/i, 'no slash in the segment');
    assert.ok(isSafeSegment(decodeURIComponent(slashTag.split('/')[2]!)));
    const tagPage = await page(slashTag);
    assert.ok(hrefs(tagPage).includes('/article/101/'));
    assert.ok(tagPage.includes(SLASH_TAG));

    const categories = await page('/categories/');
    const news = hrefs(categories).find((h) => h === `/category/${encodeURIComponent('眾聞')}/`);
    assert.ok(news !== undefined);
    assert.match(categories, /眾聞<\/a> <span class="n">3<\/span>/);
    assert.ok(hrefs(await page(news)).includes('/article/107/'));

    const authors = await page('/authors/');
    const quoted = hrefs(authors).find((h) => decodeURIComponent(h).startsWith('/author/作者 -引號-~'));
    assert.ok(quoted !== undefined, 'an author with quotes gets a cleaned, suffixed segment');
    assert.ok(hrefs(await page(quoted)).includes('/article/103/'));
  });

  test('long lists page by path: /page/N/, page 1 redirects to the bare path, past the end is 404', async () => {
    const base = `/tag/${encodeURIComponent(PAGED_TAG)}/`;
    const first = await page(base);
    assert.equal((first.match(/<li class="item">/g) ?? []).length, 50);
    assert.ok(hrefs(first).includes(`${base}page/2/`));
    const second = await page(`${base}page/2/`);
    assert.equal((second.match(/<li class="item">/g) ?? []).length, PAGED_COUNT - 50);
    const one = await get(`${base}page/1/`);
    assert.equal(one.status, 301);
    assert.equal(one.headers.get('location'), base);
    await page(`${base}page/3/`, 404);
    await page(`/tag/${encodeURIComponent('no such tag')}/`, 404);
    const listOne = await get('/tags/page/1/');
    assert.equal(listOne.status, 301);
    assert.equal(listOne.headers.get('location'), '/tags/');
    await page('/tags/page/2/', 404);
  });

  test('article page: metadata links, body, provenance, cite box, JSON-LD and Dublin Core', async () => {
    const text = await page('/article/101/');
    assert.match(text, /<h1 id="article-title">衞生署公布確診個案<\/h1>/);
    const links = hrefs(text);
    assert.ok(links.includes('/date/2020/03/01/'));
    assert.ok(links.includes(`/category/${encodeURIComponent('眾聞')}/`));
    assert.ok(links.some((h) => h.startsWith('/tag/AC')));
    assert.match(text, /衞生署記者會。/, 'the figure caption');
    assert.doesNotMatch(text, /<img/, 'images are links by default');
    assert.match(text, /data-originalurl="https:\/\/www\.hkcnews\.com\/article\/101\/x" data-versiondate="2021-06-28"/);
    assert.match(
      text,
      /https:\/\/web\.archive\.org\/web\/20210628174710\/https:\/\/www\.hkcnews\.com\/article\/101\/x/,
    );
    assert.match(text, /abababab/, 'the SHA-256');
    assert.match(text, /APA[\s\S]*MLA[\s\S]*BibTeX/);
    const ld = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(text);
    assert.ok(ld !== null);
    assert.equal((JSON.parse(ld[1]!) as { '@type': string })['@type'], 'NewsArticle');
    assert.match(text, /<meta name="DC\.title" content="衞生署公布確診個案">/);
  });

  test('article page lists the other versions of its revision group and shows a diff', async () => {
    const text = await page('/article/105/');
    assert.ok(hrefs(text).includes('/article/101/'));
    assert.match(text, /共 2 個版本/);
    assert.match(text, /class="diff"/);
    assert.match(text, /運作/, 'the added words appear in the diff');
    const single = await page('/article/104/');
    assert.doesNotMatch(single, /其他版本/);
  });

  test('hostile article: scripts and event handlers never reach the page; the title is escaped everywhere', async () => {
    const text = await page('/article/103/');
    assert.doesNotMatch(text, /<script>alert/);
    assert.doesNotMatch(text, /onerror/i);
    assert.doesNotMatch(text, /href="javascript:/i);
    assert.doesNotMatch(text, /<b>bold<\/b>/);
    assert.match(text, /He said &quot;hi&quot; &amp; &lt;b&gt;bold&lt;\/b&gt; &#39;x&#39; &lt;\/script&gt;/);
    const ld = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(text);
    assert.ok(ld !== null);
    assert.equal(
      (JSON.parse(ld[1]!) as { headline: string }).headline,
      HOSTILE_TITLE,
      'JSON-LD carries the exact title and stays one script element',
    );
    const tagLink = hrefs(text).find((h) => h.startsWith('/tag/'));
    assert.ok(tagLink !== undefined && !tagLink.includes('<'));
  });

  test('unknown articles are 404; paths without the trailing slash redirect; no open redirect', async () => {
    await page('/article/999999/', 404);
    const r = await get('/article/101');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/article/101/');
    const evil = await get('//evil.example');
    assert.notEqual(evil.status, 301);
    assert.ok(!(evil.headers.get('location') ?? '').includes('evil'));
    await page('/no/such/page/', 404);
  });

  test('HEAD answers without a body; ETag revalidation answers 304', async () => {
    const head = await get('/article/101/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const full = await get('/article/101/');
    const etag = full.headers.get('etag');
    assert.ok(etag !== null);
    const again = await get('/article/101/', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
  });
});

describe('Memento', () => {
  test('an article answers with a Link header naming its original, its memento and its TimeMap, as its head does', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await get('/article/101/', { method });
      const links = parseLinkFormat(r.headers.get('link') ?? '');
      assert.deepEqual(
        links.map((l) => [l.rel.join(' '), l.target, l.params.datetime ?? l.params.type]),
        [
          ['original', 'https://www.hkcnews.com/article/101/x', undefined],
          [
            'memento',
            'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/101/x',
            'Mon, 28 Jun 2021 17:47:10 GMT',
          ],
          ['timemap', '/article/101/timemap.txt', 'application/link-format'],
        ],
        method,
      );
    }
    const text = await page('/article/101/');
    assert.match(text, /<link rel="original" href="https:\/\/www\.hkcnews\.com\/article\/101\/x">/);
    assert.match(
      text,
      /<link rel="memento" href="https:\/\/web\.archive\.org\/web\/20210628174710\/https:\/\/www\.hkcnews\.com\/article\/101\/x" datetime="Mon, 28 Jun 2021 17:47:10 GMT">/,
    );
    assert.match(text, /<link rel="timemap" type="application\/link-format" href="\/article\/101\/timemap\.txt">/);
    assert.equal((await get('/')).headers.get('link'), null, 'only article pages');
  });

  test('the TimeMap is link-format, cached and revalidated like a page, and compressed for clients that take it', async () => {
    const r = await get('/article/101/timemap.txt');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/link-format');
    assert.equal(r.headers.get('cache-control'), 'public, no-cache');
    const links = parseLinkFormat(await r.text());
    assert.deepEqual(
      links.map((l) => l.rel.join(' ')),
      ['original', 'self', 'timegate', 'first last memento'],
    );
    const etag = r.headers.get('etag');
    assert.ok(etag !== null);
    assert.equal((await get('/article/101/timemap.txt', { headers: { 'If-None-Match': etag } })).status, 304);
    // Article 107's TimeMap (a longer URL, 577 bytes) is past the size worth compressing.
    const gzip = await get('/article/107/timemap.txt', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gzip.headers.get('content-encoding'), 'gzip');
    assert.equal(gzip.headers.get('vary'), 'Accept-Encoding');
    assert.equal(await reader.store('/article/101/timemap.txt'), 'kept', 'in the page store since its first request');
  });

  test('the TimeMap of an article not in the archive is a 404 that no cache keeps', async () => {
    for (const path of ['/article/999999/timemap.txt', '/article/0/timemap.txt']) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('cache-control'), 'no-store', path);
    }
  });
});

describe('search page and lookup', () => {
  test('search shows highlighted results, collapses revisions by default, and keeps the form filled', async () => {
    const text = await page('/search/?q=卫生署');
    assert.match(text, /<mark>衞生署<\/mark>/);
    assert.match(text, /2 個版本/);
    assert.match(text, /value="卫生署"/);
    assert.match(text, /<div id="search-results" aria-live="polite">/);
    const all = await page('/search/?q=卫生署&group=0');
    assert.ok(hrefs(all).includes('/article/101/') && hrefs(all).includes('/article/105/'));
  });

  test('search shows where the matches live: counts per year and per category, each a link narrowing the search', async () => {
    const index = SearchIndex.openDir(fixture.dir, { readonly: true });
    const { facets, total } = search(index, { q: '篇的內容', facets: true });
    index.close();
    const text = await page(`/search/?q=${encodeURIComponent('篇的內容')}&page=2`);
    const block = /<div class="facets">([\s\S]*?)<\/div>/.exec(text)?.[1] ?? '';
    assert.ok(facets !== undefined && facets.years.length > 0 && facets.categories.length > 0);
    assert.equal(
      facets.years.reduce((n, f) => n + f.count, 0),
      total,
      'every match counted once by year',
    );
    for (const y of facets.years.filter((f) => f.value !== ''))
      assert.ok(
        block.includes(
          `<a href="/search/?q=${encodeURIComponent('篇的內容')}&amp;from=${y.value}-01-01&amp;to=${y.value}-12-31">${y.value}</a>（${y.count}）`,
        ),
        y.value,
      );
    const first = facets.categories[0]!;
    assert.ok(block.includes(`>${first.value}</a>（${first.count}）`));
    assert.doesNotMatch(block, /page=/, 'a narrowed search starts at its first page');
  });

  test('search escapes the query everywhere and treats hostile input as text', async () => {
    const text = await page(`/search/?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    assert.doesNotMatch(text, /<script>alert/);
    for (const q of ['"', 'NEAR(', '*', 'a OR', '-', '^:', '()']) await page(`/search/?q=${encodeURIComponent(q)}`);
  });

  test('bad search parameters give a 400 page with the form, not an error', async () => {
    const text = await page('/search/?q=港&from=2020-02-30', 400);
    assert.match(text, /role="alert"/);
    assert.match(text, /from must be a date/);
    await page('/search/?q=港&page=0', 400);
    await page('/search/?q=港&sort=random', 400);
  });

  test('search pages through results by ?page=', async () => {
    const first = await page(`/search/?q=${encodeURIComponent('篇的內容')}`);
    assert.equal((first.match(/<li class="item">/g) ?? []).length, 20);
    const third = await page(`/search/?q=${encodeURIComponent('篇的內容')}&page=3`);
    assert.equal((third.match(/<li class="item">/g) ?? []).length, PAGED_COUNT - 40);
    assert.match(third, /<ol class="items" start="41">/);
  });

  test('lookup: every hkcnews URL form of an article redirects to /article/<id>/', async () => {
    const variants = [
      FFFD_URL,
      'https://www.hkcnews.com/article/107/\uFFFD\uFFFD\uFFFD-107/\uFFFD\uFFFD',
      'http://hkcnews.com/article/107/whatever',
      'hkcnews.com/article/107',
      'www.hkcnews.com/article/107/',
      '/article/107',
      'article/107/',
      `https://web.archive.org/web/20210628174710/${FFFD_URL}`,
      `  ${FFFD_URL}  `,
    ];
    for (const v of variants) {
      const r = await get(`/lookup/?url=${encodeURIComponent(v)}`);
      assert.equal(r.status, 302, v);
      assert.equal(r.headers.get('location'), '/article/107/', v);
    }
  });

  test('lookup: an id not in the archive and a URL that is not an article are helpful 404 pages', async () => {
    const missing = await page(`/lookup/?url=${encodeURIComponent('https://www.hkcnews.com/article/424242/x')}`, 404);
    assert.match(missing, /424242/);
    assert.match(missing, /web\.archive\.org\/web\/\*\/hkcnews\.com\/article\/424242\/\*/);
    const other = await page(`/lookup/?url=${encodeURIComponent('https://example.com/article/107/x')}`, 404);
    assert.match(other, /不是眾新聞文章的網址/);
    assert.match(await page('/lookup/'), /<form class="search" action="\/lookup\/"/);
  });
});

describe('JSON API', () => {
  test('/api/search answers exactly what search() answers', async () => {
    const index = SearchIndex.openDir(fixture.dir, { readonly: true });
    try {
      for (const [qs, options] of [
        ['q=卫生署', { q: '卫生署' }],
        ['q=卫生署&group=1', { q: '卫生署', group: true }],
        ['q=篇的內容&limit=5&offset=10&sort=date', { q: '篇的內容', limit: 5, offset: 10, sort: 'date' as const }],
        [
          'q=&category=眾聞&from=2021-01-01&to=2021-12-31',
          { q: '', category: '眾聞', from: '2021-01-01', to: '2021-12-31' },
        ],
        ['tag=' + encodeURIComponent(SLASH_TAG), { tag: SLASH_TAG }],
      ] as const) {
        const body = await json(`/api/search?${qs}`);
        assert.deepEqual(body, JSON.parse(JSON.stringify(search(index, options))), qs);
      }
    } finally {
      index.close();
    }
    const faceted = await json('/api/search?q=卫生署&facets=1');
    assert.deepEqual(faceted['facets'], {
      years: [{ value: '2020', count: 2 }],
      categories: [{ value: '眾聞', count: 2 }],
    });
    const grouped = await json('/api/search?q=卫生署&group=1');
    assert.equal(grouped['total'], 2);
    assert.equal(grouped['groups'], 1);
    const results = (await json('/api/search?q=卫生署')) as { results: Record<string, unknown>[] };
    for (const key of ['id', 'title', 'date', 'snippet']) assert.ok(key in results.results[0]!, key);
  });

  test('/api/search: bad parameters are 400 JSON errors, never 500', async () => {
    for (const qs of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'offset=-1',
      'offset=1.5',
      'sort=random',
      'from=2020-13-01',
      'to=yesterday',
      'group=maybe',
      'facets=maybe',
      `q=${'x'.repeat(1001)}`,
    ]) {
      const body = await json(`/api/search?${qs}`, 400);
      assert.equal(body['error'], 'bad-parameter', qs);
      assert.equal(typeof body['message'], 'string');
    }
  });

  test('/api/articles/:id: metadata, body Markdown, text and the revision group; 404 and 400 JSON', async () => {
    const a = await json('/api/articles/101');
    assert.equal(a['id'], 101);
    assert.equal(a['title'], '衞生署公布確診個案');
    assert.deepEqual(a['tags'], ['立法會', SLASH_TAG]);
    assert.deepEqual(a['revisions'], [101, 105]);
    assert.match(String(a['body']), /^\n?# 衞生署公布確診個案\n/);
    assert.match(String(a['text']), /港鐵綫路正常/);
    assert.equal(a['originalUrl'], 'https://www.hkcnews.com/article/101/x');
    assert.equal(a['capturedAt'], '2021-06-28T17:47:10Z');
    assert.equal((await json('/api/articles/999999', 404))['error'], 'not-found');
    assert.equal((await json('/api/articles/abc', 400))['error'], 'bad-parameter');
    assert.equal((await json('/api/nothing', 404))['error'], 'not-found');
  });
});

describe('static mode and pagePaths', () => {
  test('every listed path renders with 200 in static mode, and every decoded segment is a safe file name', async () => {
    const staticReader = createReader({ dir: fixture.dir, mode: 'static' });
    try {
      const paths = [...staticReader.pagePaths()];
      assert.equal(new Set(paths).size, paths.length, 'no duplicates');
      for (const p of [
        '/',
        '/date/2020/03/01/',
        '/on-this-day/',
        '/on-this-day/02-29/',
        '/categories/',
        '/tags/',
        '/authors/',
        '/article/106/',
        '/search/',
        '/lookup/',
        `/tag/${encodeURIComponent(PAGED_TAG)}/page/2/`,
      ]) {
        assert.ok(paths.includes(p), p);
      }
      assert.equal(paths.filter((p) => p.startsWith('/on-this-day/')).length, 367);
      assert.equal(paths.filter((p) => /^\/article\/\d+\/$/.test(p)).length, 6 + PAGED_COUNT);
      assert.equal(paths.filter((p) => /^\/article\/\d+\/timemap\.txt$/.test(p)).length, 6 + PAGED_COUNT);
      for (const p of paths) {
        const r = await staticReader.fetch(new Request(`http://localhost${p}`));
        assert.equal(r.status, 200, p);
        for (const segment of p.split('/').filter((s) => s !== ''))
          assert.ok(isSafeSegment(decodeURIComponent(segment)), `${p}: ${segment}`);
      }
    } finally {
      staticReader.close();
    }
  });

  test('static search and lookup pages have the form, an empty results region and the client script', async () => {
    const staticReader = createReader({ dir: fixture.dir, mode: 'static' });
    try {
      for (const path of ['/search/', '/search/?q=港', '/lookup/']) {
        const text = await (await staticReader.fetch(new Request(`http://localhost${path}`))).text();
        assert.match(text, /<script type="module" src="\/assets\/static-search\.js"><\/script>/, path);
        assert.match(text, /<div id="search-results" aria-live="polite"><\/div>/, path);
        assert.match(text, /<form class="search"/, path);
      }
      const onThisDay = await (await staticReader.fetch(new Request('http://localhost/on-this-day/'))).text();
      assert.ok(hrefs(onThisDay).includes('/on-this-day/12-31/'));
      assert.doesNotMatch(onThisDay, /\/api\//, 'a static site has no API to link');
      // A static host sends no CSP header: the pages carry the policy (less frame-ancestors, which
      // a <meta> cannot set) before anything it governs.
      const meta = (
        /<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(onThisDay)?.[1] ??
        ''
      ).replaceAll('&#39;', "'");
      assert.match(meta, /^default-src 'none'; .*script-src 'self'/);
      assert.doesNotMatch(meta, /frame-ancestors/);
      const served = await (await get('/on-this-day/')).text();
      assert.doesNotMatch(served, /http-equiv="Content-Security-Policy"/, 'the server sends the header instead');
    } finally {
      staticReader.close();
    }
  });
});

describe('index updates while serving', () => {
  test('a re-index by another process is seen on the next request: cached pages and name segments are rebuilt', async () => {
    const own = createFixtureArchive(FIXTURE_ARTICLES.slice(0, 4));
    const live = createReader({ dir: own.dir });
    try {
      const before = await (await live.fetch(new Request('http://localhost/categories/'))).text();
      assert.doesNotMatch(before, /眾觀/);
      writeFileSync(
        join(own.dir, 'articles/1-1000/article_110.md'),
        articleFile({
          id: 110,
          title: '新分類文章',
          date: '2021-06-01',
          category: '眾觀',
          tags: ['新/標籤'],
          body: '內容。',
        }),
      );
      buildIndex(own.dir);
      const after = await (await live.fetch(new Request('http://localhost/categories/'))).text();
      assert.match(after, /眾觀/);
      const article = await (await live.fetch(new Request('http://localhost/article/110/'))).text();
      const tag = hrefs(article).find((h) => h.startsWith('/tag/'));
      assert.ok(tag !== undefined, 'the new tag is linked');
      assert.equal((await live.fetch(new Request(`http://localhost${tag}`))).status, 200);
    } finally {
      live.close();
      own.cleanup();
    }
  });
});

describe('robustness', () => {
  test('odd URLs get 2xx, 3xx or 4xx answers, never a 500', async () => {
    const odd = [
      '/tag/%E9/',
      '/tag/%/',
      '/article/99999999999999999999/',
      '/article/0/',
      '/date/0000/',
      '/date/9999/12/31/',
      '/search/?q=%E9',
      '/search/?page=99999999',
      '/api/search?q=%',
      '/api/articles/0',
      '/api/articles/99999999999999999999',
      '/lookup/?url=%',
      '/lookup/?url=' + encodeURIComponent('javascript:alert(1)'),
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/../../package.json',
      '/category/../',
      '/on-this-day/00-00/',
      '/tags/page/0/',
      '/author/%00/',
      '/search/?q=' + encodeURIComponent('\u0000\uFFFF') + '%ED%A0%80',
    ];
    for (const path of odd) {
      const r = await get(path);
      assert.ok(r.status < 500, `${path}: ${r.status}`);
      await r.arrayBuffer();
    }
  });

  test('property: any path and query string is answered without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (path, query) => {
        const url = new URL('http://localhost/');
        url.pathname = `/${path}`;
        url.search = query;
        const r = await reader.fetch(new Request(url));
        await r.arrayBuffer();
        return r.status < 500;
      }),
      { numRuns: 300 },
    );
  });
});
