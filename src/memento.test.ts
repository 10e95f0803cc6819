import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  httpDate,
  isoToTimestamp,
  mementoUrl,
  parseMemento,
  timeGateUrl,
  timestampToHttpDate,
  timestampToIso,
  timestampToMs,
  toTimestamp,
} from './memento.js';

test('timestampToMs gives the UTC time of a real timestamp and NaN for anything else', () => {
  assert.equal(timestampToMs('20210628174710'), Date.UTC(2021, 5, 28, 17, 47, 10));
  for (const ts of ['99999999999999', '2021062817471', 'abcdefghijklmn', '20210631000000', '20210628240000'])
    assert.ok(Number.isNaN(timestampToMs(ts)), ts);
});

test('timestamps go to and from ISO instants and Dates unchanged', () => {
  assert.equal(timestampToIso('20210628174710'), '2021-06-28T17:47:10Z');
  assert.equal(timestampToIso('20210631000000'), undefined);
  assert.equal(isoToTimestamp('2021-06-28T17:47:10.123Z'), '20210628174710');
  assert.equal(toTimestamp(new Date(Date.UTC(2021, 5, 28, 17, 47, 10))), '20210628174710');
  for (const ts of ['19961231235959', '20210628174710']) assert.equal(isoToTimestamp(timestampToIso(ts)!), ts);
});

test('memento URLs are written as the Wayback spells them and read back in every form pages use', () => {
  assert.equal(
    mementoUrl('20210628174710', 'https://www.hkcnews.com/article/1/x?a=1'),
    'https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/1/x?a=1',
  );
  assert.equal(
    mementoUrl('20210628174710', 'https://a.example/i.jpg', 'im_'),
    'https://web.archive.org/web/20210628174710im_/https://a.example/i.jpg',
  );
  const parts = { timestamp: '20210628174710', modifier: 'id_', original: 'https://a.example/x' };
  assert.deepEqual(parseMemento('https://web.archive.org/web/20210628174710id_/https://a.example/x'), {
    host: 'web.archive.org',
    ...parts,
  });
  assert.deepEqual(parseMemento('//web.archive.org/web/20210628174710id_/https://a.example/x'), {
    host: 'web.archive.org',
    ...parts,
  });
  assert.deepEqual(parseMemento('/web/20210628174710id_/https://a.example/x'), { host: '', ...parts });
  assert.deepEqual(parseMemento('archive.org/web/2021/https://a.example/x'), {
    host: 'archive.org',
    timestamp: '2021',
    modifier: '',
    original: 'https://a.example/x',
  });
  assert.equal(parseMemento('https://web.archive.org/web/*/a.example/*')?.timestamp, '*');
  assert.equal(
    parseMemento('http://127.0.0.1:8080/web/20210628174710/https://a.example/x'),
    undefined,
    'another host only when asked',
  );
  assert.equal(
    parseMemento('http://127.0.0.1:8080/web/20210628174710/https://a.example/x', { anyHost: true })?.host,
    '127.0.0.1:8080',
  );
  assert.equal(parseMemento('https://a.example/web/page'), undefined);
});

test('timestamps become HTTP-dates exactly as RFC 9110 and RFC 7089 write them', () => {
  // RFC 9110 §5.6.7's own example, and the first memento of RFC 7089 §5.1.1's TimeMap example.
  assert.equal(timestampToHttpDate('19941106084937'), 'Sun, 06 Nov 1994 08:49:37 GMT');
  assert.equal(timestampToHttpDate('20000620180259'), 'Tue, 20 Jun 2000 18:02:59 GMT');
  assert.equal(httpDate(Date.UTC(2008, 3, 9, 20, 30, 51)), 'Wed, 09 Apr 2008 20:30:51 GMT');
  // Single-digit days keep their leading zero (IMF-fixdate's `2DIGIT` day).
  assert.equal(timestampToHttpDate('20210101000000'), 'Fri, 01 Jan 2021 00:00:00 GMT');
  for (const ts of ['20210631000000', '2021', 'x'.repeat(14)]) assert.equal(timestampToHttpDate(ts), undefined, ts);
});

test('the TimeGate of an original URL is the Wayback memento URL without a timestamp', () => {
  assert.equal(timeGateUrl('https://a.example/x?y=1'), 'https://web.archive.org/web/https://a.example/x?y=1');
});
