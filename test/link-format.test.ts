/**
 * The test parser of link-format (helpers/link-format.ts) against the RFCs' own examples, so the
 * Memento tests that rely on it check salvage's TimeMaps against the grammar, not against itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkFormatError, parseLinkFormat } from './helpers/link-format.js';

test('the link-format parser reads the examples of RFC 6690 §5', () => {
  // §5, the discovery answer with an anchor and a link-extension ptoken (ct=40), line breaks removed.
  const links = parseLinkFormat(
    '</sensors>;ct=40;title="Sensor Index",</sensors/temp>;rt="temperature-c";if="sensor",</sensors/light>;rt="light-lux";if="sensor",<http://www.example.com/sensors/t123>;anchor="/sensors/temp";rel="describedby",</t>;anchor="/sensors/temp";rel="alternate"',
  );
  assert.deepEqual(
    links.map((l) => l.target),
    ['/sensors', '/sensors/temp', '/sensors/light', 'http://www.example.com/sensors/t123', '/t'],
  );
  assert.deepEqual(links[0]?.params, { ct: '40', title: 'Sensor Index' });
  assert.deepEqual(links[3]?.rel, ['describedby']);
  assert.equal(links[3]?.params.anchor, '/sensors/temp');
});

test('the link-format parser reads the TimeMap of RFC 7089 §5.1.1', () => {
  const links = parseLinkFormat(
    [
      '<http://a.example.org>;rel="original"',
      '<http://arxiv.example.net/timemap/http://a.example.org>;rel="self";type="application/link-format";from="Tue, 20 Jun 2000 18:02:59 GMT";until="Wed, 09 Apr 2008 20:30:51 GMT"',
      '<http://arxiv.example.net/timegate/http://a.example.org>;rel="timegate"',
      '<http://arxiv.example.net/web/20000620180259/http://a.example.org>;rel="first memento";datetime="Tue, 20 Jun 2000 18:02:59 GMT";license="http://creativecommons.org/publicdomain/zero/1.0/"',
      '<http://arxiv.example.net/web/20091027204954/http://a.example.org>;rel="last memento";datetime="Tue, 27 Oct 2009 20:49:54 GMT";license="http://creativecommons.org/publicdomain/zero/1.0/"',
    ].join(','),
  );
  assert.deepEqual(
    links.map((l) => l.rel),
    [['original'], ['self'], ['timegate'], ['first', 'memento'], ['last', 'memento']],
  );
  assert.equal(links[1]?.params.until, 'Wed, 09 Apr 2008 20:30:51 GMT');
  assert.equal(links[3]?.params.datetime, 'Tue, 20 Jun 2000 18:02:59 GMT');
});

test('the link-format parser refuses what the grammar does not allow', () => {
  for (const bad of [
    '<http://a.example/>; rel="original"', // white space
    '<http://a.example/>;rel="original",\n<http://b.example/>;rel="memento"',
    '<http://a.example/x y>;rel="original"', // a space in a URI
    '<http://a.example/x"y>;rel="original"',
    '<http://a.example/%zz>;rel="original"',
    '<http://a.example/中>;rel="original"',
    '<http://a.example/>;rel="original', // unterminated
    '<http://a.example/>;rel="Original"', // relation types are lowercase
    '<http://a.example/>;type="not a type"',
    '<http://a.example/>;rel="original";rel="memento"',
    '<http://a.example/>;rel="original",',
    '<http://a.example/',
    'http://a.example/;rel="original"',
    '<http://a.example/>;datetime="a\u0001b"',
  ])
    assert.throws(() => parseLinkFormat(bad), LinkFormatError, JSON.stringify(bad));
});
