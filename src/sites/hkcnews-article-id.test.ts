import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { articleIdFromUrl } from './index.js';

const SLUG = '%E7%89%B9%E6%9C%97%E6%99%AE-18730/%E7%89%B9%E6%9C%97%E6%99%AE%E9%87%91%E6%AD%A3%E6%81%A9';
const FFFD = '%EF%BF%BD%EF%BF%BD%EF%BF%BD-18730/%EF%BF%BD%EF%BF%BD';

test('articleIdFromUrl reads every hkcnews URL variant', () => {
  const variants = [
    'https://www.hkcnews.com/article/18733',
    'https://www.hkcnews.com/article/18733/',
    'http://www.hkcnews.com/article/18733/0',
    'https://hkcnews.com/article/18733/',
    'HTTPS://WWW.HKCNEWS.COM/article/18733/',
    'www.hkcnews.com/article/18733/',
    'hkcnews.com/article/18733',
    'http://hkcnews.com:80/article/18733/',
    `https://www.hkcnews.com/article/18733/${SLUG}`,
    'https://www.hkcnews.com/article/18733/特朗普-18730/特朗普金正恩河內峰會',
    `https://www.hkcnews.com/article/18733/${FFFD}`,
    'https://www.hkcnews.com/article/18733/\uFFFD\uFFFD\uFFFD-18730/\uFFFD\uFFFD',
    'https://www.hkcnews.com/article/18733?utm_source=facebook',
    'https://www.hkcnews.com/article/18733#comments',
    'https://www.hkcnews.com/article/18733/slug?fbclid=x#top',
    '  <https://www.hkcnews.com/article/18733/>  ',
    `https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/18733/${SLUG}`,
    `https://web.archive.org/web/2021id_/https://www.hkcnews.com/article/18733/${FFFD}`,
    'https://web.archive.org/web/20210628174710im_/http://hkcnews.com/article/18733',
    'web.archive.org/web/20210628174710/www.hkcnews.com/article/18733/',
    '/web/20210628174710/https://www.hkcnews.com/article/18733/x',
    'https://web.archive.org/web/*/https://www.hkcnews.com/article/18733/*',
    'https://web.archive.org/web/2022/https://web.archive.org/web/2021id_/https://www.hkcnews.com/article/18733/',
    'https%3A%2F%2Fwww.hkcnews.com%2Farticle%2F18733%2F',
  ];
  for (const url of variants) assert.equal(articleIdFromUrl(url), 18733, url);
});

test('articleIdFromUrl keys on the id segment, never the slug', () => {
  // <id2> in the slug (23% differ) names another revision; the first segment wins.
  assert.equal(articleIdFromUrl('https://www.hkcnews.com/article/10527/tag-10524/title'), 10527);
  assert.equal(articleIdFromUrl('https://www.hkcnews.com/article/171/'), 171);
  assert.equal(articleIdFromUrl('https://www.hkcnews.com/article/1710/'), 1710);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.string(), (id, slug) => {
      assert.equal(articleIdFromUrl(`https://www.hkcnews.com/article/${id}/${encodeURIComponent(slug)}`), id);
    }),
  );
});

test('articleIdFromUrl gives undefined for other hosts and paths', () => {
  const others = [
    '',
    'hkcnews',
    'https://www.hkcnews.com/',
    'https://www.hkcnews.com/news',
    'https://www.hkcnews.com/tag/越南',
    'https://www.hkcnews.com/article/',
    'https://www.hkcnews.com/article/abc',
    'https://www.hkcnews.com/article/123abc/',
    'https://www.hkcnews.com/article/0/',
    'https://www.hkcnews.com/articles/123/',
    'https://www.hkcnews.com/x/article/123/',
    'https://hkcnews.com.evil.example/article/123/',
    'https://nothkcnews.com/article/123/',
    'https://evil.example/?u=https://www.hkcnews.com/article/123/',
    'https://evil.example/article/123/',
    'https://web.archive.org/web/20210628174710/https://evil.example/article/123/',
    'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/bloggers',
    'https%3A%2F%2Fwww.hkcnews.com%2Farticle%2F18733%2F%E5%',
  ];
  for (const url of others) assert.equal(articleIdFromUrl(url), undefined, url);
});

test('articleIdFromUrl never throws on arbitrary input', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      const id = articleIdFromUrl(s);
      assert.ok(id === undefined || (Number.isSafeInteger(id) && id > 0));
    }),
  );
});
