import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractCapture as extractForChrome, articleText as textForChrome } from '../extract/index.js';
import { hkcnews, hkcnewsArticleId } from './hkcnews.js';
import { siteForUrl } from './index.js';

/** Any Unicode scalar values (no lone surrogates: a URL slug is UTF-8). */
const anyScalars = fc
  .array(
    fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
    { maxLength: 30 },
  )
  .map((codes) => String.fromCodePoint(...codes));

test('reads the id of every hkcnews URL form', () => {
  const cases: [string, string][] = [
    ['https://www.hkcnews.com/article/18733/%E7%BE%8E-18733/%E7%89%B9', '18733'],
    [
      'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-%E8%B6%8A%E5%8D%97-18733/%E7%89%B9%E6%9C%97%E6%99%AE',
      '18733',
    ],
    ['https://www.hkcnews.com/article/18733/美朝峰會-越南-18730/特朗普金正恩', '18733'],
    ['http://hkcnews.com/article/171/0', '171'],
    ['https://www.hkcnews.com/article/171', '171'],
    ['https://www.hkcnews.com/article/171/', '171'],
    ['https://hkcnews.com/article/171?x=1', '171'],
    ['https://www.hkcnews.com/article/171/slug?x=1&y=2', '171'],
    ['https://www.hkcnews.com/article/171#comments', '171'],
    ['https://www.hkcnews.com:443/article/171/x', '171'],
    ['hkcnews.com/article/171/', '171'],
    ['HTTPS://WWW.HKCNEWS.COM/article/171/x', '171'],
    ['  https://www.hkcnews.com/article/171/x\n', '171'],
    ['https://www.hkcnews.com/article/1710', '1710'],
    ['https://www.hkcnews.com/article/1710/x', '1710'],
    ['https://www.hkcnews.com/article/49930/%EF%BF%BD%EF%BF%BD%EF%BF%BD-49930/%EF%BF%BD%EF%BF%BD', '49930'],
    ['https://www.hkcnews.com/article/49930/\ufffd\ufffd\ufffd-49930/\ufffd\ufffd', '49930'],
    ['https://www.hkcnews.com/article/174/%EF%BF%BD', '174'],
  ];
  for (const [url, id] of cases) assert.equal(hkcnewsArticleId(url), id, url);
});

test('gives no id for URLs that are not hkcnews article pages', () => {
  const urls = [
    'https://www.hkcnews.com/news',
    'https://www.hkcnews.com/tag/x',
    'https://www.hkcnews.com/',
    'https://www.hkcnews.com/article/',
    'https://www.hkcnews.com/article/abc/x',
    'https://www.hkcnews.com/article/0/x',
    'https://www.hkcnews.com/article/1234567890/x',
    'https://www.hkcnews.com/articles/171/x',
    'https://www.hkcnews.com/x/article/171/',
    'https://www.hkcnews.com/article/171x',
    'https://hkcnews.com.evil.net/article/1/',
    'https://evilhkcnews.com/article/1/',
    'https://cdn.hkcnews.com/article/1/',
    'https://evil.net/article/1/?u=https://www.hkcnews.com/article/1/',
    'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/1/',
    'ftp://www.hkcnews.com/article/1/',
    '//www.hkcnews.com/article/1/',
    '/article/171',
    '',
  ];
  for (const url of urls) assert.equal(hkcnewsArticleId(url), undefined, url);
});

test('an article id never depends on the slug', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 999_999_999 }),
      anyScalars,
      fc.constantFrom('https://www.', 'http://', 'https://'),
      (id, slug, prefix) => {
        const url = `${prefix}hkcnews.com/article/${id}/${encodeURIComponent(slug)}`;
        assert.equal(hkcnewsArticleId(url), String(id));
      },
    ),
    { numRuns: 1000, seed: 7 },
  );
});

test('an id is always a positive integer without leading zeros, or undefined', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 60 }).map((s) => 'https://www.hkcnews.com/article/' + s),
      (url) => {
        const id = hkcnewsArticleId(url);
        if (id !== undefined) assert.match(id, /^[1-9]\d{0,8}$/);
      },
    ),
    { numRuns: 1000, seed: 8 },
  );
});

test('siteForUrl chooses hkcnews for its article URLs only', () => {
  assert.equal(siteForUrl('https://www.hkcnews.com/article/18733/x')?.id, 'hkcnews');
  assert.equal(siteForUrl('https://www.hkcnews.com/news'), undefined);
  assert.equal(siteForUrl('https://example.org/article/1/'), undefined);
});

// ---------------------------------------------------------------- chrome inside the body

function bodyTextOf(bodyHtml: string): string {
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>標題 - 眾新聞</title></head><body><article><h1>標題</h1><section class="article__body">${bodyHtml}</section></article></body></html>`;
  const result = extractForChrome(
    {
      payload: new TextEncoder().encode(page),
      url: 'https://www.hkcnews.com/article/2733/open-data',
      timestamp: '20220109182632',
    },
    hkcnews,
  );
  assert.ok(result.ok);
  return textForChrome(result.article);
}

test('drops an author box written into the body (rule, avatar, role line, bio)', () => {
  const text = bodyTextOf(
    '<p>內文。</p><p>---</p><p><img src="/uploads/avatars/5ad1b3f7.png?614219996" alt="博客 | 系統管理員"></p><p><strong>博客 | 系統管理員</strong></p><p>系統管理員</p>',
  );
  assert.equal(text, '內文。');
});

test('drops the subscription promo and the rule before it', () => {
  const text = bodyTextOf(
    '<p>內文。</p><div><hr><p>請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊 。</p><p>月費訂戶 <a href="/aboutus/#subscribe">網址：hkcnews.com/aboutus/#subscribe</a></p></div>',
  );
  assert.equal(text, '內文。');
});

test('keeps a paragraph that the promo link only opens (articles 18893, 19432)', () => {
  const text = bodyTextOf(
    '<p><a href="/aboutus/#subscribe">請支持《眾新聞》，成為訂戶</a> 國泰航空正式發出公告。</p><p><a href="/aboutus/#subscribe">請支持《眾新聞》，成為訂戶</a></p>',
  );
  assert.equal(text, '請支持《眾新聞》，成為訂戶 國泰航空正式發出公告。');
});

test('stops parsing at the comments widget and still reads JSON-LD placed after it', () => {
  const ld = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: '後置標題',
    datePublished: '2021-03-04T05:06:07+08:00',
    keywords: ['甲'],
  });
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>x - 眾新聞</title></head><body><article><section class="article__body"><p>內文。</p></section></article>
<div class="comments-section"><p>留言不是內文</p></div><div><a href="/tag/乙">乙</a><h1>不是標題</h1></div>
<script type="application/ld+json">${ld}</script></body></html>`;
  const result = extractForChrome(
    {
      payload: new TextEncoder().encode(page),
      url: 'https://www.hkcnews.com/article/5/x',
      timestamp: '20210401000000',
    },
    hkcnews,
  );
  assert.ok(result.ok);
  assert.equal(result.article.title, '後置標題');
  assert.equal(result.article.date, '2021-03-04');
  assert.deepEqual(result.article.tags, ['甲']);
  assert.equal(textForChrome(result.article), '內文。');
});
