import { test } from 'node:test';
import assert from 'node:assert/strict';
import { articleImages as withKeys, imageKey } from './wayback-urls.js';

/** The images without their keys (tested on their own below). */
const articleImages = (file: { body: string; url?: string }): { url: string; timestamp: string }[] =>
  withKeys(file).map(({ url, timestamp }) => ({ url, timestamp }));

const ARTICLE_URL = 'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/1/x';

test('articleImages: figures, inline HTML and Markdown images, each once, with the time of their im_ URL', () => {
  const body = [
    '',
    '# 標題',
    '',
    '<figure>',
    '<img src="https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/news_新聞/a%20b.jpg?x=1&amp;y=2" alt="">',
    '<figcaption>說明</figcaption>',
    '</figure>',
    '',
    "段落 <img alt='x' SRC='https://web.archive.org/web/20200101000000im_/http://img.example/b.png'> 文字",
    '',
    '![圖](https://web.archive.org/web/20190101000000im_/https://img.example/c.gif "title")',
    '',
    '[![連結圖](https://web.archive.org/web/20190101000000im_/https://img.example/d.webp)](https://example.com/)',
    '',
    '<img src="https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/news_新聞/a%20b.jpg?x=1&amp;y=2">',
    '',
  ].join('\n');
  assert.deepEqual(articleImages({ body, url: ARTICLE_URL }), [
    { url: 'https://www.hkcnews.com/news_新聞/a%20b.jpg?x=1&y=2', timestamp: '20210628174710' },
    { url: 'http://img.example/b.png', timestamp: '20200101000000' },
    { url: 'https://img.example/c.gif', timestamp: '20190101000000' },
    { url: 'https://img.example/d.webp', timestamp: '20190101000000' },
  ]);
});

test('articleImages: an image that is no memento is asked at the article capture time; relative and data: sources are none', () => {
  const body =
    '<img src="https://cdn.example/e.jpg"><img src="/f.jpg"><img src="data:image/gif;base64,R0lGOD">\n![](g.png)\n';
  assert.deepEqual(articleImages({ body, url: ARTICLE_URL }), [
    { url: 'https://cdn.example/e.jpg', timestamp: '20210628174710' },
  ]);
  assert.deepEqual(articleImages({ body }), [], 'no article capture time: nothing to ask at');
  assert.deepEqual(
    articleImages({ body: '<img src="https://web.archive.org/web/2021im_/https://x.example/a.jpg">' }),
    [],
    'an im_ URL without a 14-digit time, in a file without a capture time: nothing to ask at',
  );
  assert.deepEqual(
    articleImages({
      body: '<img src="https://web.archive.org/web/2021im_/https://x.example/a.jpg"><img src="https://web.archive.org/web/20200101000000im_/https://web.archive.org/web/2019im_/https://x.example/b.jpg">',
      url: ARTICLE_URL,
    }),
    [
      { url: 'https://x.example/a.jpg', timestamp: '20210628174710' },
      { url: 'https://x.example/b.jpg', timestamp: '20200101000000' },
    ],
    'an inexact time is asked at the nearest exact one around it: a wrapping memento, else the article capture',
  );
});

test('articleImages: a Wayback URL wrapped in another names the innermost image and its time', () => {
  const inner = 'https://web.archive.org/web/20220625102134im_/https://hkcnews.com/news_新聞/a_large.png';
  const body = `<figure>\n<img src="https://web.archive.org/web/20210923143053im_/${inner}" alt="">\n</figure>\n![](https://web.archive.org/web/20210923143053im_/https://web.archive.org/web/20210923143053im_/${inner})\n`;
  assert.deepEqual(articleImages({ body, url: ARTICLE_URL }), [
    { url: 'https://hkcnews.com/news_新聞/a_large.png', timestamp: '20220625102134' },
  ]);
});

test("articleImages: the closing author card's avatar is the author's, not one of the article's images", () => {
  const body = [
    '',
    '# 標題',
    '',
    '![](https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/a.jpg)',
    '',
    '---',
    '',
    '![博客 | 林兆彬](https://web.archive.org/web/20210712002336im_/https://www.hkcnews.com/uploads/avatars/84a6.png?502377077)',
    '',
    '**林兆彬**',
    '',
    '作者簡介',
    '',
  ].join('\n');
  assert.deepEqual(
    articleImages({ body }).map((i) => i.url),
    ['https://www.hkcnews.com/a.jpg'],
  );
});

test('imageKey: the raw and the escaped spelling of one image URL are one key, as markdown-it writes it', () => {
  const raw = 'https://www.hkcnews.com/news_新聞/a b.jpg?x=1&y=2';
  const escaped = 'https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/a%20b.jpg?x=1&y=2';
  assert.equal(imageKey(raw), escaped);
  assert.equal(imageKey(escaped), escaped);
  assert.equal(imageKey(imageKey(raw)), imageKey(raw));
  const body = `<img src="https://web.archive.org/web/20210628174710im_/${raw}">\n\n![](https://web.archive.org/web/20200101000000im_/${escaped})\n`;
  assert.deepEqual(
    withKeys({ body }).map((i) => i.key),
    [escaped],
    'one image, however it is spelled',
  );
});

test('articleImages: a break, an image and a bold line inside the article are no author card', () => {
  const body = [
    '',
    '---',
    '',
    '![](https://web.archive.org/web/20210628174710im_/https://x.example/inside.jpg)',
    '',
    '**小標題**',
    '',
    '正文。',
    '',
    '![](https://web.archive.org/web/20210628174710im_/https://x.example/later.jpg)',
    '',
  ].join('\n');
  assert.deepEqual(
    articleImages({ body }).map((i) => i.url),
    ['https://x.example/inside.jpg', 'https://x.example/later.jpg'],
  );
});

test('articleImages: a hostile body of unclosed Markdown images is read, the one real image found', () => {
  // 200 KB of `![](x`: linear work with the URL pattern that takes no brackets (a greedy one took
  // 15 s here, measured 2026-12-07; no timing is asserted).
  const body = '![](x'.repeat(40_000) + '![](https://web.archive.org/web/20210628174710im_/https://x.example/a.jpg)';
  assert.deepEqual(
    articleImages({ body }).map((i) => i.url),
    ['https://x.example/a.jpg'],
  );
});

test('articleImages: a stray `<` in a paragraph does not hide the figures after it; images are read as the reader renders the body', () => {
  // The old archive's article 42636: a link whose destination is `<iframe src=`.
  const body = [
    '',
    '# 標題',
    '',
    '台灣 [召開線上記者會](<iframe src=) ，除表示',
    '',
    '<figure>',
    '<img src="https://web.archive.org/web/20210927032618im_/https://www.hkcnews.com/news_新聞/a.jpg" alt="">',
    '<figcaption>說明</figcaption>',
    '</figure>',
    '',
    '`<img src="https://web.archive.org/web/20210927032618im_/https://x.example/code.jpg">` is code, not an image',
    '',
  ].join('\n');
  assert.deepEqual(articleImages({ body, url: ARTICLE_URL }), [
    { url: 'https://www.hkcnews.com/news_新聞/a.jpg', timestamp: '20210927032618' },
  ]);
});
