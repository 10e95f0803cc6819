import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePercent, parseLinkFormat } from '../../test/helpers/link-format.js';
import {
  articleMementos,
  formatLinks,
  linkHeader,
  MAX_LINK_HEADER_BYTES,
  mementoLinkElements,
  pageMementoLinks,
  timeMapBody,
  uriReference,
} from './memento-links.js';

const ORIGINAL = 'https://www.hkcnews.com/article/7569/x';
const wayback = (ts: string, original = ORIGINAL): string => `https://web.archive.org/web/${ts}/${original}`;

/** URLs whose characters could end a link, a parameter, a header or a file early if written as they are. */
const HOSTILE = [
  'https://a.example/x>y',
  'https://a.example/"quoted"',
  'https://a.example/a b',
  'https://a.example/p?q=1,2;x=3',
  'https://a.example/<script>',
  'https://a.example/%zz%',
  'https://a.example/中文/％',
  'https://a.example/x>;rel="memento";datetime="Mon, 01 Jan 2001 00:00:00 GMT",<https://evil.example/',
  'https://a.example/\\back|pipe^caret{}`',
  'https://a.example/x\u2028y\u0085z',
  'https://a.example/\uD800lone',
];

test('uriReference percent-encodes what a URI cannot hold and keeps reserved characters and escapes', () => {
  assert.equal(uriReference('https://a.example/a b"<>\\^`{|}'), 'https://a.example/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D');
  assert.equal(
    uriReference("https://a.example/p?q=1,2;x=3&y=(4)*!$'+@:[]#f"),
    "https://a.example/p?q=1,2;x=3&y=(4)*!$'+@:[]#f",
  );
  assert.equal(uriReference('https://a.example/%E4%B8%AD%zz%'), 'https://a.example/%E4%B8%AD%25zz%25');
  assert.equal(uriReference('https://a.example/中'), 'https://a.example/%E4%B8%AD');
  assert.equal(uriReference('https://a.example/\uD800'), 'https://a.example/%EF%BF%BD', 'a lone surrogate as U+FFFD');
});

test('every hostile URL stays one link of link-format, naming the resource a browser would follow', () => {
  for (const url of HOSTILE) {
    const text = formatLinks([
      { target: url, rel: 'original' },
      { target: url, rel: 'memento', datetime: 'Mon, 12 Jul 2021 01:18:43 GMT' },
    ]);
    const links = parseLinkFormat(text);
    assert.equal(links.length, 2, url);
    assert.deepEqual(
      links.map((l) => l.rel),
      [['original'], ['memento']],
      url,
    );
    assert.equal(links[1]?.params.datetime, 'Mon, 12 Jul 2021 01:18:43 GMT', url);
    assert.equal(decodePercent(links[0]!.target), decodePercent(new URL(url).href), url);
  }
});

test('whatever a URL holds, the links stay parseable and each decodes back to the URL a browser reads', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
      const urls = [`https://a.example/${a}`, `http://b.example/?${b}`];
      const links = parseLinkFormat(formatLinks(urls.map((u) => ({ target: u, rel: 'memento', datetime: 'x' }))));
      assert.equal(links.length, 2);
      links.forEach((l, i) => assert.equal(decodePercent(l.target), decodePercent(new URL(urls[i]!).href)));
    }),
  );
});

test("an article's mementos: its file's capture and the held ones, one each, oldest first; unsafe ones left out", () => {
  const m = articleMementos(
    { url: wayback('20210712011843'), originalUrl: ORIGINAL, capturedAt: '2021-07-12T01:18:43Z' },
    [
      { timestamp: '20210916215128', original: ORIGINAL },
      { timestamp: '20210712011843', original: ORIGINAL }, // the file's own, held too
      { timestamp: '20200101000000', original: 'https://hkcnews.com/article/7569/' }, // another spelling
      { timestamp: '20200101000000', original: 'javascript:alert(1)' },
      { timestamp: '20211331000000', original: ORIGINAL }, // no real instant
    ],
  );
  assert.equal(m.original, ORIGINAL);
  assert.deepEqual(m.memento, {
    href: wayback('20210712011843'),
    timestamp: '20210712011843',
    datetime: 'Mon, 12 Jul 2021 01:18:43 GMT',
  });
  assert.deepEqual(
    m.mementos.map((x) => x.href),
    [
      wayback('20200101000000', 'https://hkcnews.com/article/7569/'),
      wayback('20210712011843'),
      wayback('20210916215128'),
    ],
  );
});

test("the capture time is captured_at when it is UTC, else the memento URL's; the original falls back to the memento's", () => {
  const m = articleMementos({ url: wayback('20210712011843'), capturedAt: '2021-07-12T09:18:43+08:00' }, []);
  assert.equal(m.memento?.datetime, 'Mon, 12 Jul 2021 01:18:43 GMT');
  assert.equal(m.original, ORIGINAL);
  assert.equal(
    articleMementos({ url: 'https://archive.example/copy', capturedAt: 'yesterday' }, []).memento,
    undefined,
  );
  assert.equal(
    articleMementos({ url: 'javascript:alert(1)', capturedAt: '2021-07-12T01:18:43Z' }, []).memento,
    undefined,
  );
});

test('a TimeMap names the original, itself with from and until, the TimeGate, and the first and last memento', () => {
  const m = articleMementos({ url: wayback('20210712011843'), originalUrl: ORIGINAL }, [
    { timestamp: '20210916215128', original: ORIGINAL },
    { timestamp: '20210801000000', original: ORIGINAL },
  ]);
  const links = parseLinkFormat(timeMapBody('/article/7569/timemap.txt', m));
  assert.deepEqual(
    links.map((l) => [l.target, l.rel.join(' '), l.params.datetime ?? '']),
    [
      [ORIGINAL, 'original', ''],
      ['/article/7569/timemap.txt', 'self', ''],
      [`https://web.archive.org/web/${ORIGINAL}`, 'timegate', ''],
      [wayback('20210712011843'), 'first memento', 'Mon, 12 Jul 2021 01:18:43 GMT'],
      [wayback('20210801000000'), 'memento', 'Sun, 01 Aug 2021 00:00:00 GMT'],
      [wayback('20210916215128'), 'last memento', 'Thu, 16 Sep 2021 21:51:28 GMT'],
    ],
  );
  assert.deepEqual(links[1]?.params, {
    rel: 'self',
    type: 'application/link-format',
    from: 'Mon, 12 Jul 2021 01:18:43 GMT',
    until: 'Thu, 16 Sep 2021 21:51:28 GMT',
  });
  const one = parseLinkFormat(timeMapBody('/t', articleMementos({ url: wayback('20210712011843') }, [])));
  assert.deepEqual(one.at(-1)?.rel, ['first', 'last', 'memento']);
  const none = parseLinkFormat(timeMapBody('/t', articleMementos({ originalUrl: ORIGINAL }, [])));
  assert.deepEqual(
    none.map((l) => l.rel.join(' ')),
    ['original', 'self', 'timegate'],
  );
  assert.equal(none[1]?.params.from, undefined, 'no memento: no from or until');
});

test("the page's link elements escape the URL for the attribute and carry the memento's datetime", () => {
  const evil = 'https://a.example/"><script>alert(1)</script>';
  const links = pageMementoLinks(7, articleMementos({ url: wayback('20210712011843', evil), originalUrl: evil }, []));
  const markup = mementoLinkElements(links)
    .map((h) => h.value)
    .join('');
  assert.doesNotMatch(markup, /<script/);
  assert.match(markup, /<link rel="original" href="https:\/\/a\.example\/&quot;&gt;&lt;script&gt;[^"]*">/);
  assert.match(markup, /<link rel="memento" href="[^"]+" datetime="Mon, 12 Jul 2021 01:18:43 GMT">/);
  assert.match(markup, /<link rel="timemap" type="application\/link-format" href="\/article\/7\/timemap\.txt">/);
});

test('the Link header keeps within its budget: the TimeMap link first, then the original, then the memento', () => {
  const links = (original: string) =>
    pageMementoLinks(7, articleMementos({ url: wayback('20210712011843', original), originalUrl: original }, []));
  const rels = (header: string): string[] => parseLinkFormat(header).map((l) => l.rel.join(' '));
  assert.deepEqual(rels(linkHeader(links(ORIGINAL))), ['original', 'memento', 'timemap']);
  // hkcnews' longest URL is 3,000 characters: both URL links do not fit with it.
  const long = `https://www.hkcnews.com/article/7/${'%E4%B8%AD'.repeat(320)}`;
  const header = linkHeader(links(long));
  assert.ok(header.length <= MAX_LINK_HEADER_BYTES, `${header.length} bytes`);
  assert.deepEqual(rels(header), ['original', 'timemap']);
  const longer = `${long}${'x'.repeat(MAX_LINK_HEADER_BYTES)}`;
  assert.deepEqual(rels(linkHeader(links(longer))), ['timemap']);
});
