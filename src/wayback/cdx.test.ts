import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CDX_FIELDS, CDX_PAGE_ROWS, CdxMalformedError, captureKey, cdxQueryUrl, isRevisit, parseCdxJson, type CdxRow } from './cdx.js';

// ---------------------------------------------------------------- query URLs

const BASE = 'https://web.archive.org';

function params(url: string): URLSearchParams {
  const u = new URL(url);
  assert.equal(u.pathname, '/cdx/search/cdx');
  return u.searchParams;
}

test('a query asks for JSON with all seven fields, urlkey first, and a resume key', () => {
  const p = params(cdxQueryUrl(BASE, { url: 'hkcnews.com/article/*' }));
  assert.equal(p.get('url'), 'hkcnews.com/article/*');
  assert.equal(p.get('output'), 'json');
  assert.equal(p.get('fl'), 'urlkey,timestamp,original,mimetype,statuscode,digest,length');
  assert.equal(p.get('fl')!.split(',')[0], 'urlkey');
  assert.equal(p.get('showResumeKey'), 'true');
  assert.equal(p.get('limit'), String(CDX_PAGE_ROWS));
  assert.equal(p.has('resumeKey'), false, 'the first block has no cursor');
});

test('a query never pages with page= or showNumPages', () => {
  const urls = [
    cdxQueryUrl(BASE, { url: 'hkcnews.com/article/*' }),
    cdxQueryUrl(BASE, { url: 'hkcnews.com', matchType: 'domain', filter: ['statuscode:200'], from: '2016', to: '2022' }, 'com,hkcnews)/article/1 20210101000000', 100),
  ];
  for (const url of urls) {
    const p = params(url);
    assert.equal(p.has('page'), false, url);
    assert.equal(p.has('showNumPages'), false, url);
    assert.equal(p.has('pageSize'), false, url);
  }
});

test('the resume key is passed back exactly, however opaque', () => {
  for (const key of ['com,hkcnews)/article/18733 20210628174710', 'a+b&c=d%20e/?#', '香港 key', '']) {
    const p = params(cdxQueryUrl(BASE, { url: 'hkcnews.com/*' }, key));
    assert.equal(p.get('resumeKey'), key);
    assert.equal(p.getAll('resumeKey').length, 1);
    assert.equal(p.get('showResumeKey'), 'true', 'later blocks ask for the next key too');
  }
});

test('the same query with a cursor differs from the first block only by resumeKey', () => {
  const query = { url: 'hkcnews.com/article/*', matchType: 'prefix', filter: ['statuscode:200', '!mimetype:image/.*'], from: '20160101', to: '20221231' } as const;
  const first = params(cdxQueryUrl(BASE, query));
  const next = params(cdxQueryUrl(BASE, query, 'KEY'));
  next.delete('resumeKey');
  assert.deepEqual([...next].sort(), [...first].sort());
});

test('filters repeat, and matchType, from, to and limit are passed as given', () => {
  const p = params(cdxQueryUrl(BASE, { url: 'hkcnews.com', matchType: 'host', filter: ['statuscode:200', 'mimetype:text/html'], from: '2016', to: '20220104235959' }, undefined, 250));
  assert.deepEqual(p.getAll('filter'), ['statuscode:200', 'mimetype:text/html']);
  assert.equal(p.get('matchType'), 'host');
  assert.equal(p.get('from'), '2016');
  assert.equal(p.get('to'), '20220104235959');
  assert.equal(p.get('limit'), '250');
});

test('optional parameters left out are not sent at all', () => {
  const p = params(cdxQueryUrl(BASE, { url: 'hkcnews.com/*' }));
  for (const name of ['matchType', 'filter', 'from', 'to', 'collapse']) assert.equal(p.has(name), false, name);
});

test('the query goes to the given base (a loopback simulator)', () => {
  const u = new URL(cdxQueryUrl('http://127.0.0.1:8123/', { url: 'hkcnews.com/*' }));
  assert.equal(u.origin, 'http://127.0.0.1:8123');
  assert.equal(u.pathname, '/cdx/search/cdx');
});

// ---------------------------------------------------------------- answers

const HEADER = [...CDX_FIELDS];
const A18733 = 'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const EMPTY_DIGEST = '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ';

/** An answer as web.archive.org sends it: one row per line, a duplicate row, a revisit, a redirect, then the cursor. */
const REAL_ROWS: string[][] = [
  ['com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae', '20210628174710', A18733, 'text/html', '200', 'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY', '23817'],
  ['com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae', '20210628174710', A18733, 'text/html', '200', 'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY', '23817'],
  ['com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae', '20211120081512', A18733.replace('https://www.', 'http://'), 'warc/revisit', '-', 'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY', '-'],
  ['com,hkcnews)/article/18733', '20200101000000', 'https://www.hkcnews.com/article/18733', 'text/html', '301', EMPTY_DIGEST, '512'],
];
const REAL_KEY = 'com,hkcnews)/article/18734 20190302101010';

function answer(rows: readonly unknown[], resumeKey?: string, header: readonly unknown[] = HEADER): string {
  const lines = [header, ...rows].map((r) => JSON.stringify(r));
  if (resumeKey !== undefined) lines.push('[]', JSON.stringify([resumeKey]));
  return '[' + lines.join(',\n') + ']\n';
}

function assertMalformed(body: string, message?: string): void {
  assert.throws(() => parseCdxJson(body), (e: unknown) => e instanceof CdxMalformedError && e.name === 'CdxMalformedError' && e.message !== '', message ?? body.slice(0, 80));
}

test('parses a real-looking answer: every row kept in order, revisit dashes as null, the resume key read', () => {
  const page = parseCdxJson(answer(REAL_ROWS, REAL_KEY));
  assert.equal(page.resumeKey, REAL_KEY);
  assert.equal(page.rows.length, 4, 'duplicates are the caller\'s to remove (captureKey), the parser keeps what it got');
  assert.deepEqual(page.rows[0], {
    urlkey: REAL_ROWS[0]![0]!, timestamp: '20210628174710', original: A18733, mimetype: 'text/html', statuscode: 200, digest: 'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY', length: 23817,
  } satisfies CdxRow);
  assert.deepEqual(page.rows[1], page.rows[0]);
  const revisit = page.rows[2]!;
  assert.equal(revisit.statuscode, null);
  assert.equal(revisit.length, null);
  assert.equal(revisit.mimetype, 'warc/revisit');
  assert.equal(page.rows[3]!.statuscode, 301);
  assert.equal(page.rows[3]!.digest, EMPTY_DIGEST);
});

test('the last block has no resume key', () => {
  const page = parseCdxJson(answer(REAL_ROWS.slice(0, 1)));
  assert.equal(page.resumeKey, undefined);
  assert.equal(page.rows.length, 1);
});

test('a block that holds only the cursor (no rows) still gives the key', () => {
  const page = parseCdxJson(answer([], REAL_KEY));
  assert.deepEqual(page, { rows: [], resumeKey: REAL_KEY });
});

test('a header-only answer is an empty block', () => {
  assert.deepEqual(parseCdxJson(answer([])), { rows: [], resumeKey: undefined });
});

test('an empty body is an empty result', () => {
  for (const body of ['', '\n', '  \r\n']) assert.deepEqual(parseCdxJson(body), { rows: [], resumeKey: undefined }, JSON.stringify(body));
});

test('the empty JSON answer "[]" (no captures, as web.archive.org and our simulator send it) is an empty result', () => {
  assert.deepEqual(parseCdxJson('[]\n'), { rows: [], resumeKey: undefined });
});

test('a body cut short anywhere is CdxMalformedError, never fewer rows', () => {
  const body = answer(REAL_ROWS, REAL_KEY).trimEnd();
  // Every proper prefix (from one character on) is incomplete JSON; the cut points cover the
  // middle of a row, of a string, of the separator, of the empty row and of the key row.
  for (let cut = 1; cut < body.length; cut++) assertMalformed(body.slice(0, cut), `cut at ${cut} of ${body.length}`);
  assert.equal(parseCdxJson(body).rows.length, 4, 'the whole body parses');
});

test('anything but a JSON array whose first row is the header is refused', () => {
  assertMalformed('{}');
  assertMalformed('"text"');
  assertMalformed('null');
  assertMalformed('<html><body>Service Unavailable</body></html>');
  assertMalformed('com,hkcnews)/article/1 20210101000000 https://hkcnews.com/article/1 text/html 200 X 1\n', 'the text output is not JSON');
  assertMalformed(JSON.stringify([REAL_ROWS[0]]), 'a data row where the header should be: no urlkey field');
  assertMalformed(JSON.stringify(['urlkey', 'timestamp']), 'header not an array');
  assertMalformed(JSON.stringify([[...HEADER.slice(0, 6), 7]]), 'header with a non-string');
});

test('a header that lacks any of the seven fields is refused', () => {
  for (const missing of CDX_FIELDS) {
    const header = HEADER.filter((f) => f !== missing);
    const rows = REAL_ROWS.map((r) => r.filter((_, i) => HEADER[i] !== missing));
    assertMalformed(answer(rows, undefined, header), `without ${missing}`);
  }
});

test('columns are read by the header\'s names, whatever their order', () => {
  const order = [6, 5, 4, 3, 2, 1, 0];
  const header = order.map((i) => HEADER[i]);
  const rows = REAL_ROWS.map((r) => order.map((i) => r[i]));
  assert.deepEqual(parseCdxJson(answer(rows, REAL_KEY, header)), parseCdxJson(answer(REAL_ROWS, REAL_KEY)));
});

test('values that are not strings are refused', () => {
  const row = REAL_ROWS[0]!;
  for (const [i, bad] of [[4, 200], [6, 23817], [1, 20210628174710], [2, null], [3, ['text/html']], [5, true]] as const) {
    const copy: unknown[] = [...row];
    copy[i] = bad;
    assertMalformed(answer([copy]), `${HEADER[i]} = ${JSON.stringify(bad)}`);
  }
  assertMalformed(answer(['not a row']), 'a row that is a string');
  assertMalformed(answer([{ urlkey: 'x' }]), 'a row that is an object');
});

test('rows with the wrong number of fields, bad timestamps or non-numeric status and length are refused', () => {
  const row = REAL_ROWS[0]!;
  assertMalformed(answer([row.slice(0, 6)]), 'six fields');
  assertMalformed(answer([[...row, 'extra']]), 'eight fields');
  for (const ts of ['2021062817471', '202106281747100', '2021-06-28T17:47', '', '-']) assertMalformed(answer([[row[0], ts, ...row.slice(2)]]), `timestamp ${ts}`);
  for (const status of ['OK', '20O', '', '2.5', '-1']) assertMalformed(answer([[...row.slice(0, 4), status, ...row.slice(5)]]), `statuscode ${status}`);
  for (const length of ['1e3', '', 'unknown']) assertMalformed(answer([[...row.slice(0, 6), length]]), `length ${length}`);
});

test('the cursor must be exactly an empty row then a one-string row at the end', () => {
  const header = JSON.stringify(HEADER);
  const row = JSON.stringify(REAL_ROWS[0]);
  assertMalformed(`[${header},${row},[]]`, 'empty row without a key');
  assertMalformed(`[${header},${row},[],["k1","k2"]]`, 'two keys');
  assertMalformed(`[${header},${row},[],[42]]`, 'a key that is not a string');
  assertMalformed(`[${header},${row},[],[]]`, 'an empty key row');
  assertMalformed(`[${header},${row},[],["k"],${row}]`, 'rows after the key');
  assertMalformed(`[${header},[],["k"],${row}]`, 'rows after the key, empty block');
});

// ---------------------------------------------------------------- duplicates and revisits

test('identical duplicate rows share a capture key; a differing timestamp, URL, digest or status does not', () => {
  const [a, b] = parseCdxJson(answer(REAL_ROWS)).rows;
  assert.equal(captureKey(a!), captureKey(b!));
  const variants: CdxRow[] = [
    { ...a!, timestamp: '20210628174711' },
    { ...a!, original: A18733.replace('https://www.', 'https://') },
    { ...a!, digest: EMPTY_DIGEST },
    { ...a!, statuscode: 404 },
    { ...a!, statuscode: null },
  ];
  const keys = new Set([captureKey(a!), ...variants.map(captureKey)]);
  assert.equal(keys.size, variants.length + 1);
});

test('empty redirects share a digest but stay distinct captures', () => {
  const redirect = (timestamp: string, original: string) => ({ timestamp, original, digest: EMPTY_DIGEST, statuscode: 302 });
  assert.notEqual(captureKey(redirect('20200101000000', 'https://hkcnews.com/article/1')), captureKey(redirect('20200101000000', 'https://hkcnews.com/article/2')));
  assert.notEqual(captureKey(redirect('20200101000000', 'https://hkcnews.com/article/1')), captureKey(redirect('20200102000000', 'https://hkcnews.com/article/1')));
});

test('mimetype and length do not split a capture (rows repeat with the same payload)', () => {
  const row = parseCdxJson(answer(REAL_ROWS)).rows[0]!;
  assert.equal(captureKey(row), captureKey({ ...row, mimetype: 'text/html; charset=utf-8', length: 1 } as CdxRow));
});

test('a revisit is warc/revisit or a row without status', () => {
  assert.equal(isRevisit({ mimetype: 'warc/revisit', statuscode: null }), true);
  assert.equal(isRevisit({ mimetype: 'warc/revisit', statuscode: 200 }), true);
  assert.equal(isRevisit({ mimetype: 'text/html', statuscode: null }), true);
  assert.equal(isRevisit({ mimetype: 'text/html', statuscode: 200 }), false);
  assert.equal(isRevisit({ mimetype: 'text/html', statuscode: 301 }), false);
});
