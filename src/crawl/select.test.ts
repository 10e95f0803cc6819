import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CdxRow } from '../wayback/index.js';
import { hkcnews } from '../sites/index.js';
import { isCandidate, nonCandidateSummary, rankCaptures } from './select.js';

/** hkcnews closed on 2022-01-04 (HKT): the site profile's closing time. */
const CLOSED = '20220104235959';
const URL =
  'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const EMPTY_DIGEST = '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ';

let digestCounter = 0;
function row(timestamp: string, fields: Partial<CdxRow> = {}): CdxRow {
  return {
    urlkey: 'com,hkcnews)/article/18733',
    timestamp,
    original: URL,
    mimetype: 'text/html',
    statuscode: 200,
    digest: `DIGEST${String(digestCounter++).padStart(26, '0')}`,
    length: 20_000,
    ...fields,
  };
}

const stamps = (rows: readonly CdxRow[]): string[] => rows.map((r) => r.timestamp);

test('the profile of hkcnews closes at 20220104235959', () => {
  assert.equal(hkcnews.rescue?.closedAt, CLOSED);
});

test('the latest capture on or before the closing time comes first, then older ones newest first, then later ones oldest first', () => {
  const rows = [
    row('20190101000000'),
    row('20220105000000'), // the first second of 5 January: after
    row('20210628174710'),
    row('20230101000000'),
    row('20220104235959'), // exactly the closing time: before
    row('20220301120000'),
    row('20200101000000'),
  ];
  assert.deepEqual(stamps(rankCaptures(rows, CLOSED)), [
    '20220104235959',
    '20210628174710',
    '20200101000000',
    '20190101000000',
    '20220105000000',
    '20220301120000',
    '20230101000000',
  ]);
});

test('with no capture before the closing time, the earliest after it comes first', () => {
  const rows = [row('20240101000000'), row('20220106000000'), row('20220601000000')];
  assert.deepEqual(stamps(rankCaptures(rows, CLOSED)), ['20220106000000', '20220601000000', '20240101000000']);
});

test('ranking uses CDX data only: a challenge page or a truncated page placed newer is still ranked first', () => {
  // The CDX index cannot tell a Cloudflare challenge or a cut page from the article: both are
  // status-200 HTML. The extractor rejects them later and the next capture in this order is tried.
  const article = row('20210101000000', { length: 23_817 });
  const challenge = row('20211231000000', { length: 4_096 });
  const truncated = row('20220103000000', { length: 1_200 });
  const farewell = row('20220110000000', { length: 3_000 });
  assert.deepEqual(rankCaptures([article, challenge, truncated, farewell], CLOSED), [
    truncated,
    challenge,
    article,
    farewell,
  ]);
});

test('revisits, redirects, errors and non-HTML captures are never candidates', () => {
  const good = row('20200101000000');
  const excluded = [
    row('20210101000000', { mimetype: 'warc/revisit', statuscode: null, length: null }),
    row('20210102000000', { statuscode: null }), // a `-` status is a revisit whatever the type
    row('20210103000000', { mimetype: 'warc/revisit' }),
    row('20210104000000', { statuscode: 301, digest: EMPTY_DIGEST }),
    row('20210105000000', { statuscode: 302, digest: EMPTY_DIGEST }),
    row('20210106000000', { statuscode: 404 }),
    row('20210107000000', { statuscode: 503 }),
    row('20210108000000', { statuscode: 204 }),
    row('20210109000000', { mimetype: 'image/jpeg' }),
    row('20210110000000', { mimetype: 'application/json' }),
    row('20210111000000', { mimetype: 'unk' }),
    row('20210112000000', { mimetype: 'text/plain' }),
    row('20210113000000', { mimetype: 'text/htmlx' }),
  ];
  for (const r of excluded) assert.equal(isCandidate(r), false, `${r.timestamp} ${r.mimetype} ${String(r.statuscode)}`);
  assert.deepEqual(rankCaptures([...excluded, good], CLOSED), [good]);
  assert.deepEqual(rankCaptures(excluded, CLOSED), []);
});

test('HTML and XHTML with parameters or in capitals are candidates', () => {
  for (const mimetype of ['text/html', 'text/html; charset=utf-8', 'TEXT/HTML', 'application/xhtml+xml']) {
    assert.equal(isCandidate({ statuscode: 200, mimetype }), true, mimetype);
  }
});

test('identical duplicate rows are tried once', () => {
  const a = row('20210628174710');
  const b = row('20200101000000');
  const ranked = rankCaptures([a, { ...a }, b, { ...a }, { ...b }], CLOSED);
  assert.deepEqual(stamps(ranked), ['20210628174710', '20200101000000']);
  assert.equal(ranked[0], a, 'the first of the duplicates is kept');
});

test('captures at one timestamp but with different URLs or digests are distinct', () => {
  const a = row('20210628174710', { original: 'https://www.hkcnews.com/article/18733' });
  const b = row('20210628174710', { original: 'http://hkcnews.com/article/18733' });
  const c = row('20210628174710', { original: 'https://www.hkcnews.com/article/18733', digest: EMPTY_DIGEST });
  assert.equal(rankCaptures([a, b, c], CLOSED).length, 3);
});

test('equal timestamps are ordered by URL, before and after the closing time, whatever the input order', () => {
  const urls = [
    'https://www.hkcnews.com/article/18733',
    'http://www.hkcnews.com/article/18733',
    'https://hkcnews.com/article/18733',
    'http://hkcnews.com/article/18733',
  ];
  const expected = [...urls].sort();
  for (const ts of ['20210628174710', '20220201000000']) {
    const rows = urls.map((original) => row(ts, { original }));
    assert.deepEqual(
      rankCaptures(rows, CLOSED).map((r) => r.original),
      expected,
      ts,
    );
    assert.deepEqual(
      rankCaptures([...rows].reverse(), CLOSED).map((r) => r.original),
      expected,
      `${ts} reversed`,
    );
  }
});

test('accepts any iterable and leaves its input alone', () => {
  const rows = [row('20200101000000'), row('20210101000000')];
  const copy = [...rows];
  const ranked = rankCaptures(new Set(rows), CLOSED);
  assert.deepEqual(stamps(ranked), ['20210101000000', '20200101000000']);
  assert.deepEqual(rows, copy);
  assert.deepEqual(rankCaptures([], CLOSED), []);
});

test("keeps the caller's row type (the crawl ranks its stored captures)", () => {
  const stored = [
    { ...row('20200101000000'), id: 7, verdict: null },
    { ...row('20210101000000'), id: 9, verdict: 'challenge' },
  ];
  const ranked = rankCaptures(stored, CLOSED);
  assert.deepEqual(
    ranked.map((r) => r.id),
    [9, 7],
  );
});

// ---------------------------------------------------------------- properties

const DIGESTS = ['AAAA', 'BBBB', EMPTY_DIGEST];
const arbRow: fc.Arbitrary<CdxRow> = fc.record({
  urlkey: fc.constant('com,hkcnews)/article/1'),
  // Few distinct values so that ties and duplicates are common; around the closing time.
  timestamp: fc.constantFrom('20200101000000', '20220104235958', CLOSED, '20220105000000', '20230101000000'),
  original: fc.constantFrom(
    'https://www.hkcnews.com/article/1',
    'http://www.hkcnews.com/article/1',
    'https://hkcnews.com/article/1',
  ),
  mimetype: fc.constantFrom('text/html', 'text/html', 'warc/revisit', 'image/png'),
  statuscode: fc.constantFrom<number | null>(200, 200, 200, 301, 404, null),
  digest: fc.constantFrom(...DIGESTS),
  length: fc.constantFrom<number | null>(1000, null),
});

/**
 * Rows as the index gives them: a capture (timestamp, URL) has one payload, possibly repeated as
 * identical duplicate lines. (Two different payloads at the same second and URL: see the next test.)
 */
const arbIndex = fc.array(arbRow, { maxLength: 30 }).chain((rows) => {
  const byCapture = new Map<string, CdxRow>();
  for (const r of rows)
    if (!byCapture.has(`${r.timestamp} ${r.original}`)) byCapture.set(`${r.timestamp} ${r.original}`, r);
  const distinct = [...byCapture.values()];
  return fc
    .array(fc.nat({ max: Math.max(0, distinct.length - 1) }), { maxLength: distinct.length * 2 })
    .map((dups) => (distinct.length === 0 ? [] : [...distinct, ...dups.map((i) => ({ ...distinct[i]! }))]));
});

const show = (rows: readonly CdxRow[]): string[] =>
  rows.map((r) => `${r.timestamp} ${r.original} ${r.digest} ${String(r.statuscode)} ${r.mimetype}`);

test('property: the order does not depend on the order of the index rows', () => {
  fc.assert(
    fc.property(
      arbIndex.chain((rows) =>
        fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })),
      ),
      ([rows, shuffled]) => {
        assert.deepEqual(show(rankCaptures(shuffled, CLOSED)), show(rankCaptures(rows, CLOSED)));
      },
    ),
    { numRuns: 300 },
  );
});

test('property: every candidate appears exactly once, before-closing ones first, each part in its direction', () => {
  fc.assert(
    fc.property(arbIndex, (rows) => {
      const ranked = rankCaptures(rows, CLOSED);
      const keys = ranked.map((r) => `${r.timestamp} ${r.original} ${r.digest} ${String(r.statuscode)}`);
      assert.equal(new Set(keys).size, keys.length, 'no duplicates');
      assert.deepEqual(
        new Set(keys),
        new Set(
          rows.filter(isCandidate).map((r) => `${r.timestamp} ${r.original} ${r.digest} ${String(r.statuscode)}`),
        ),
        'every candidate',
      );
      const split = ranked.findIndex((r) => r.timestamp > CLOSED);
      const before = split === -1 ? ranked : ranked.slice(0, split);
      const after = split === -1 ? [] : ranked.slice(split);
      assert.ok(
        after.every((r) => r.timestamp > CLOSED),
        'nothing on or before closing after the first later one',
      );
      for (let i = 1; i < before.length; i++)
        assert.ok(before[i - 1]!.timestamp >= before[i]!.timestamp, 'before: newest first');
      for (let i = 1; i < after.length; i++)
        assert.ok(after[i - 1]!.timestamp <= after[i]!.timestamp, 'after: oldest first');
    }),
    { numRuns: 300 },
  );
});

test('two different payloads at the same second and URL are ordered the same whatever the input order', () => {
  const a = row('20210628174710', { digest: 'AAAA' });
  const b = row('20210628174710', { digest: 'BBBB' });
  assert.deepEqual(
    rankCaptures([a, b], CLOSED).map((r) => r.digest),
    rankCaptures([b, a], CLOSED).map((r) => r.digest),
  );
});

// ---------------------------------------------------------------- the unrecovered report

test('the summary of non-candidates counts each kind, skipping candidates', () => {
  const rows = [
    row('20200101000000'),
    row('20200102000000', { mimetype: 'warc/revisit', statuscode: null }),
    row('20200103000000', { mimetype: 'warc/revisit', statuscode: null }),
    row('20200104000000', { statuscode: 301 }),
    row('20200105000000', { statuscode: 404 }),
    row('20200106000000', { statuscode: 301 }),
    row('20200107000000', { mimetype: 'image/jpeg' }),
  ];
  assert.equal(nonCandidateSummary(rows), '2 × revisit, 2 × HTTP 301, 1 × HTTP 404, 1 × image/jpeg');
  assert.equal(nonCandidateSummary([row('20200101000000')]), '');
  assert.equal(nonCandidateSummary([]), '');
});

test('a revisit of a good capture elsewhere is tried after every direct candidate; other revisits never', () => {
  const good = row('20210105000000');
  const revisitOfGood = row('20210301000000', { mimetype: 'warc/revisit', statuscode: null, digest: 'GOODPAGE' });
  const revisitOfRedirect = row('20210302000000', {
    mimetype: 'warc/revisit',
    statuscode: null,
    digest: '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ',
  });
  const unresolved = row('20210303000000', { mimetype: 'warc/revisit', statuscode: null, digest: 'UNKNOWN' });
  const resolve = (r: CdxRow): Pick<CdxRow, 'statuscode' | 'mimetype'> | undefined =>
    r.digest === 'GOODPAGE'
      ? { statuscode: 200, mimetype: 'text/html' }
      : r.digest === '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
        ? { statuscode: 301, mimetype: 'text/html' }
        : undefined;
  const ranked = rankCaptures([revisitOfGood, revisitOfRedirect, unresolved, good], CLOSED, resolve);
  assert.deepEqual(
    ranked.map((r) => r.timestamp),
    ['20210105000000', '20210301000000'],
  );
  assert.deepEqual(
    rankCaptures([revisitOfGood, good], CLOSED).map((r) => r.timestamp),
    ['20210105000000'],
    'without a resolver revisits are never tried',
  );
});
