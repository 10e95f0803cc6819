import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { surt, surtHost } from './surt.js';

/**
 * [original, urlkey] pairs copied from a cdx.jsonl written by ../shared/tools/hkcnews-site
 * (`generate.mjs --seed 7`, all articles, faults on; 2026-11-26): the shortest row of each kind of
 * URL that exercises a rule. The simulator must compute the generator's keys exactly, or queries
 * and replays miss rows.
 */
const GENERATED_ROWS: readonly [string, string][] = [
  // bare host (the www twin shares the key)
  ['https://hkcnews.com/article/22076/-', 'com,hkcnews)/article/22076/-'],
  // percent-escapes lower-cased
  [
    'https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2016/12/230-20180602064234_9ea4_large.jpg',
    'com,hkcnews)/news_%e6%96%b0%e8%81%9e/hk-discuss/2016/12/230-20180602064234_9ea4_large.jpg',
  ],
  // ASCII path lower-cased
  [
    'https://www.hkcnews.com/article/209/images/images/HKCNEWS-text-white.svg',
    'com,hkcnews)/article/209/images/images/hkcnews-text-white.svg',
  ],
  ['https://www.hkcnews.com/article/320/bit.ly/UGL-DTZ-Japan', 'com,hkcnews)/article/320/bit.ly/ugl-dtz-japan'],
  // trailing slash dropped, also before a query
  ['https://www.hkcnews.com/article/', 'com,hkcnews)/article'],
  ['https://www.hkcnews.com/article/?page=2', 'com,hkcnews)/article?page=2'],
  // double-escaped (%25E6) decodes to the same key as %E6
  [
    'https://www.hkcnews.com/article/1718/%25E6%25B0%2591%25E4%25B8%25BB%25E6%2580%259D%25E8%25B7%25AF%25E6%2594%25BF%25E9%25BB%25A8%25E5%258C%2596',
    'com,hkcnews)/article/1718/%e6%b0%91%e4%b8%bb%e6%80%9d%e8%b7%af%e6%94%bf%e9%bb%a8%e5%8c%96',
  ],
  // U+FFFD mojibake stays escaped
  [
    'https://hkcnews.com/article/3377/new_jersey-florence_kayser-3383/%EF%BF%BD%EF%BF%BD%EF%BF%BD-moment-in-life',
    'com,hkcnews)/article/3377/new_jersey-florence_kayser-3383/%ef%bf%bd%ef%bf%bd%ef%bf%bd-moment-in-life',
  ],
  // fragment dropped
  [
    'https://www.hkcnews.com/article/36932/%E6%AD%A6%E6%BC%A2%E8%82%BA%E7%82%8E-covid19_vaccines-%E7%96%AB%E8%8B%97-36933/covid19-vaccines#fbcomment',
    'com,hkcnews)/article/36932/%e6%ad%a6%e6%bc%a2%e8%82%ba%e7%82%8e-covid19_vaccines-%e7%96%ab%e8%8b%97-36933/covid19-vaccines',
  ],
  // %7C decodes to a literal | (minimal re-escaping); the embedded Wayback URL is kept
  [
    'https://www.hkcnews.com/article/45999/612%E4%BA%BA%E9%81%93%E6%94%AF%E6%8F%B4%E5%9F%BA%E9%87%91-47516/612%E4%BA%BA%E9%81%93%E6%94%AF%E6%8F%B4%E5%9F%BA%E9%87%91%7Caccessdate=2022-06-10%7Cwork=%E7%9C%BE%E6%96%B0%E8%81%9E%7Cdate=2021-11-10%7Carchive-date=2022-06-22%7Carchive-url=https://web.archive.org/web/20220622163052/https://www.hkcnews.com/article/45999/612%E4%BA%BA%E9%81%93%E6%94%AF%E6%8F%B4%E5%9F%BA%E9%87%91-47516/images/images/HKCNEWS-text-white.svg',
    'com,hkcnews)/article/45999/612%e4%ba%ba%e9%81%93%e6%94%af%e6%8f%b4%e5%9f%ba%e9%87%91-47516/612%e4%ba%ba%e9%81%93%e6%94%af%e6%8f%b4%e5%9f%ba%e9%87%91|accessdate=2022-06-10|work=%e7%9c%be%e6%96%b0%e8%81%9e|date=2021-11-10|archive-date=2022-06-22|archive-url=https://web.archive.org/web/20220622163052/https://www.hkcnews.com/article/45999/612%e4%ba%ba%e9%81%93%e6%94%af%e6%8f%b4%e5%9f%ba%e9%87%91-47516/images/images/hkcnews-text-white.svg',
  ],
];

test("surt gives the generator's urlkey for real generated rows", () => {
  for (const [original, urlkey] of GENERATED_ROWS) assert.equal(surt(original), urlkey, original);
});

test('surt folds www, wwwN, scheme, default ports and host case into one key', () => {
  const key = 'com,hkcnews)/article/1/x';
  for (const url of [
    'https://www.hkcnews.com/article/1/x',
    'http://hkcnews.com/article/1/x',
    'https://WWW2.HKCNEWS.COM:443/article/1/x',
    'http://hkcnews.com:80/article/1/x/',
    'hkcnews.com/article/1/x',
  ]) {
    assert.equal(surt(url), key, url);
  }
  // Other ports stay, after the reversed host (IA's form; the generator never writes one).
  assert.equal(surt('https://hkcnews.com:8080/a'), 'com,hkcnews:8080)/a');
  assert.equal(surtHost('https://www.news.hkcnews.com/x'), 'com,hkcnews,news');
});

test('surt escapes raw UTF-8 and sorts query arguments', () => {
  assert.equal(surt('https://www.hkcnews.com/news_新聞/a b.jpg'), 'com,hkcnews)/news_%e6%96%b0%e8%81%9e/a%20b.jpg');
  assert.equal(surt('https://hkcnews.com/search?q=B&a=1'), 'com,hkcnews)/search?a=1&q=b');
  assert.equal(surt('https://hkcnews.com/'), 'com,hkcnews)/');
  assert.equal(surt('https://hkcnews.com'), 'com,hkcnews)/');
});

test('surt keeps the trailing slash only when asked (prefix queries)', () => {
  assert.equal(surt('hkcnews.com/article/', { keepTrailingSlash: true }), 'com,hkcnews)/article/');
  assert.equal(surt('hkcnews.com/article/'), 'com,hkcnews)/article');
});

test('surt gives one key for any escaping of the same path bytes', () => {
  const segment = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[/?#%]/.test(s));
  const lowerEscapes = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  fc.assert(
    // The last segment is not empty: a trailing slash is dropped once per call, by design.
    fc.property(
      fc.array(segment, { minLength: 1, maxLength: 4 }).filter((s) => s[s.length - 1] !== ''),
      (segments) => {
        const raw = '/' + segments.join('/');
        const escaped = '/' + segments.map((s) => encodeURIComponent(s)).join('/');
        const key = surt('https://www.hkcnews.com' + escaped);
        assert.equal(surt('http://hkcnews.com' + lowerEscapes(escaped)), key);
        assert.equal(surt('https://hkcnews.com' + escaped.replace(/%/g, '%25')), key);
        assert.equal(surt('https://hkcnews.com' + raw), key);
        assert.equal(
          surt('https://hkcnews.com' + key.slice(key.indexOf(')') + 1)),
          key,
          "a key's own path maps to itself",
        );
      },
    ),
  );
});
