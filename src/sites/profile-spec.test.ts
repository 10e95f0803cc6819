import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractCapture } from '../extract/index.js';
import {
  appledaily,
  generic,
  genericArticleId,
  hkcnews,
  parseProfileFile,
  ProfileError,
  profileFromSpec,
  siteFor,
  standnews,
} from './index.js';

const encoder = new TextEncoder();
const page = (html: string): Uint8Array => encoder.encode(html);

const PROFILE_YAML = `
id: example-news
name: Example News
hosts: [www.example-news.test, example-news.test]
article_url: '^https?://(?:www\\.)?example-news\\.test/story/(?<id>\\d+)'
not_article_url: ['/story/\\d+/comments']
timezone: '+09:00'
encoding: shift_jis
closed: 2020-03-31
selectors:
  body: ['.story-text']
  chrome: ['.share']
chrome_text: ['^Subscribe to Example News']
not_article:
  - { title: '^Gone fishing', reason: farewell, only_without_body: true }
`;

test('a YAML profile becomes a site: ids, time zone, encoding, closing date and CDX queries', () => {
  const site = parseProfileFile(PROFILE_YAML);
  assert.equal(site.id, 'example-news');
  assert.equal(site.articleId('https://www.example-news.test/story/00042/some-slug'), '42');
  assert.equal(site.articleId('https://example-news.test/story/42/comments'), undefined, 'not_article_url wins');
  assert.equal(site.articleId('https://example-news.test/section/world'), undefined);
  assert.equal(site.utcOffsetMinutes, 540);
  assert.equal(site.defaultEncoding, 'shift_jis');
  assert.deepEqual(site.rescue, {
    cdxQueries: [{ url: 'example-news.test/', matchType: 'prefix' }],
    closedAt: '20200331235959',
  });
});

test("a profile's selectors, chrome text and not-article rules drive extraction", () => {
  const site = parseProfileFile(PROFILE_YAML);
  const html = `<html><head><title>Rain in Tokyo | Example News</title></head><body>
    <div class="story-text"><p>It rained all day in Tokyo, and the trains ran late.</p><div class="share">Share this</div>
    <p>Subscribe to Example News for more.</p></div></body></html>`;
  const r = extractCapture(
    { payload: page(html), url: 'https://example-news.test/story/7', timestamp: '20200101000000' },
    site,
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.article.site, 'example-news');
  assert.equal(r.article.id, '7');
  assert.equal(r.article.title, 'Rain in Tokyo');
  assert.deepEqual(r.article.blocks, [
    { type: 'paragraph', children: [{ type: 'text', text: 'It rained all day in Tokyo, and the trains ran late.' }] },
  ]);
  const farewell = extractCapture(
    {
      payload: page(
        '<title>Gone fishing</title><p>We have closed. Thank you for reading us all these years, friends.</p>',
      ),
      url: 'https://example-news.test/story/8',
      timestamp: '20210101000000',
    },
    site,
  );
  assert.equal(farewell.ok, false);
  assert.equal(!farewell.ok && farewell.reason, 'farewell');
});

test('a wrong profile is a ProfileError that names the key', () => {
  const bad: [string, string][] = [
    ['name: x\nhosts: [a.test]\narticle_url: "/a/"', 'id'],
    ['id: Bad Id\nname: x\nhosts: [a.test]\narticle_url: "/a/"', 'id'],
    ['id: generic\nname: x\nhosts: [a.test]\narticle_url: "/a/"', 'id'],
    ['id: a\nname: x\nhosts: []\narticle_url: "/a/"', 'hosts'],
    ['id: a\nname: x\nhosts: [a.test]', 'article_url'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "(unclosed"', 'article_url[0]'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\ntimezone: "8"', 'timezone'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\nencoding: klingon', 'encoding'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\nclosed: yesterday', 'closed'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\nselectors: {bdy: [".x"]}', 'selectors.bdy'],
    [
      'id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\nnot_article: [{title: "x", reason: "bored"}]',
      'not_article[0].reason',
    ],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\ncolour: red', 'colour'],
    ['id: a\nname: x\nhosts: [a.test]\narticle_url: "/a/"\ncdx: [{match: prefix}]', 'cdx[0]'],
    ['{{{', 'file'],
    ['- just\n- a list', 'profile'],
  ];
  for (const [text, path] of bad) {
    assert.throws(
      () => parseProfileFile(text),
      (e: unknown) => e instanceof ProfileError && e.path === path,
      `${JSON.stringify(text)} → ${path}`,
    );
  }
});

test('an id group that is not digits becomes a stable number; a profile without the group hashes the URL', () => {
  const site = profileFromSpec({
    id: 'slugs',
    name: 'S',
    hosts: ['s.test'],
    article_url: '^https?://s\\.test/p/(?<id>[^/?#]+)',
  });
  const a = site.articleId('https://s.test/p/%E5%A4%A7%E5%9F%94');
  assert.match(a ?? '', /^[1-9]\d{0,14}$/, 'an id the archive can name a file by');
  assert.equal(site.articleId('https://s.test/p/大埔'), a, 'raw and percent-encoded slugs are one article');
  assert.notEqual(site.articleId('https://s.test/p/other'), a);
  const whole = profileFromSpec({
    id: 'whole',
    name: 'W',
    hosts: ['w.test'],
    article_url: '^https?://w\\.test/\\d{4}/',
  });
  assert.equal(whole.articleId('https://w.test/2019/a'), genericArticleId('https://w.test/2019/a'));
});

test('generic ids: one per page whatever the scheme, www, fragment or tracking; none for home, listings and files', () => {
  const id = genericArticleId('https://www.news.test/2019/02/27/story?utm_source=x#top');
  assert.match(id ?? '', /^[1-9]\d{0,14}$/, 'an id the archive can name a file by');
  assert.equal(genericArticleId('http://news.test/2019/02/27/story/'), id);
  assert.equal(genericArticleId('https://NEWS.test/2019/02/27/story?fbclid=1'), id);
  assert.notEqual(genericArticleId('https://news.test/2019/02/27/other'), id);
  assert.notEqual(
    genericArticleId('https://news.test/?p=1700'),
    genericArticleId('https://news.test/?p=1701'),
    'query ids name pages',
  );
  for (const url of [
    'https://news.test/',
    'https://news.test/tag/x',
    'https://news.test/category/world/',
    'https://news.test/page/2',
    'https://news.test/logo.png',
    'https://news.test/feed/',
    'not a url',
    'ftp://news.test/a',
  ]) {
    assert.equal(genericArticleId(url), undefined, url);
  }
});

test('siteFor: a user profile, then the built-in site by URL, then by host, then generic', () => {
  const mine = profileFromSpec({
    id: 'mine',
    name: 'M',
    hosts: ['www.hkcnews.com'],
    article_url: '^https://www\\.hkcnews\\.com/special/(?<id>\\d+)',
  });
  assert.equal(siteFor('https://www.hkcnews.com/special/5', [mine]), mine);
  assert.equal(siteFor('https://www.hkcnews.com/article/5/x', [mine]), hkcnews);
  assert.equal(
    siteFor('https://www.hkcnews.com/aboutus', [mine]),
    mine,
    "a non-article page of a host the profile serves is the profile's to reject",
  );
  assert.equal(siteFor('https://www.hkcnews.com/aboutus'), hkcnews);
  assert.equal(siteFor('https://elsewhere.test/2020/story'), generic);
});

test('standnews: ids from slugs; section fronts and author pages are not articles', () => {
  const id = standnews.articleId('https://www.thestandnews.com/society/%E5%A4%A7%E5%9F%94%E8%BB%8A%E7%A6%8D');
  assert.match(id ?? '', /^\d+$/);
  assert.equal(standnews.articleId('http://thestandnews.com/society/大埔車禍/'), id);
  assert.equal(standnews.articleId('https://www.thestandnews.com/politics/?page=2'), undefined);
  assert.equal(standnews.articleId('https://www.thestandnews.com/author/someone'), undefined);
  assert.equal(standnews.rescue?.closedAt, '20211229235959');
});

test('appledaily: both URL eras', () => {
  assert.equal(appledaily.articleId('http://hk.apple.nextmedia.com/news/art/20150720/19225923'), '19225923');
  assert.equal(appledaily.articleId('http://hk.apple.nextmedia.com/realtime/china/20150427/53677179'), '53677179');
  // The later form of the same story keeps its id.
  assert.equal(
    appledaily.articleId('https://hk.news.appledaily.com/local/daily/article/20170101/19879112'),
    appledaily.articleId('http://hk.apple.nextmedia.com/news/art/20170101/19879112'),
  );
  assert.equal(
    appledaily.articleId('https://hk.news.appledaily.com/local/realtime/article/20190104/59083210/'),
    '59083210',
  );
  const key = appledaily.articleId('https://hk.appledaily.com/news/20210117/FLXATT4LKVBGVEBRLAECJPTCHM/');
  assert.match(key ?? '', /^\d+$/);
  assert.equal(appledaily.articleId('https://hk.appledaily.com/news/20210117/'), undefined);
  assert.deepEqual(
    appledaily.rescue?.cdxQueries.map((q) => q.url),
    ['hk.appledaily.com/', 'hk.news.appledaily.com/', 'hk.apple.nextmedia.com/', 'hkm.appledaily.com/'],
  );
});

test('a profile that draws a YAML warning is a ProfileError naming it, and nothing is printed', () => {
  const warnings: unknown[] = [];
  const onWarning = (w: unknown): void => {
    warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    assert.throws(
      () => parseProfileFile('id: !oddtag mysite\nhosts: [example.com]\n'),
      (e: unknown) => e instanceof ProfileError && /questionable YAML: Unresolved tag: !oddtag/.test(e.message),
    );
    assert.throws(
      () => parseProfileFile('%YAML 1.3\n---\nid: mysite\n'),
      (e: unknown) => e instanceof ProfileError && /Unsupported YAML version/.test(e.message),
    );
  } finally {
    process.off('warning', onWarning);
  }
  return new Promise<void>((done) =>
    setImmediate(() => {
      assert.deepEqual(warnings, []);
      done();
    }),
  );
});
