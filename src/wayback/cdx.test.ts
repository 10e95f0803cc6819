import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CDX_FIELDS,
  CDX_MAX_LENGTH,
  CDX_PAGE_ROWS,
  CdxMalformedError,
  captureKey,
  cdxQueryUrl,
  cdxRowProblem,
  isRevisit,
  parseCdxJson,
  timestampProblem,
  type CdxRow,
} from './cdx.js';

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
    cdxQueryUrl(
      BASE,
      { url: 'hkcnews.com', matchType: 'domain', filter: ['statuscode:200'], from: '2016', to: '2022' },
      'com,hkcnews)/article/1 20210101000000',
      100,
    ),
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
  const query = {
    url: 'hkcnews.com/article/*',
    matchType: 'prefix',
    filter: ['statuscode:200', '!mimetype:image/.*'],
    from: '20160101',
    to: '20221231',
  } as const;
  const first = params(cdxQueryUrl(BASE, query));
  const next = params(cdxQueryUrl(BASE, query, 'KEY'));
  next.delete('resumeKey');
  assert.deepEqual([...next].sort(), [...first].sort());
});

test('filters repeat, and matchType, from, to and limit are passed as given', () => {
  const p = params(
    cdxQueryUrl(
      BASE,
      {
        url: 'hkcnews.com',
        matchType: 'host',
        filter: ['statuscode:200', 'mimetype:text/html'],
        from: '2016',
        to: '20220104235959',
      },
      undefined,
      250,
    ),
  );
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
const A18733 =
  'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const EMPTY_DIGEST = '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ';

/** An answer as web.archive.org sends it: one row per line, a duplicate row, a revisit, a redirect, then the cursor. */
const REAL_ROWS: string[][] = [
  [
    'com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae',
    '20210628174710',
    A18733,
    'text/html',
    '200',
    'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY',
    '23817',
  ],
  [
    'com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae',
    '20210628174710',
    A18733,
    'text/html',
    '200',
    'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY',
    '23817',
  ],
  [
    'com,hkcnews)/article/18733/%e7%be%8e%e6%9c%9d%e5%b3%b0%e6%9c%83-18733/%e7%89%b9%e6%9c%97%e6%99%ae',
    '20211120081512',
    A18733.replace('https://www.', 'http://'),
    'warc/revisit',
    '-',
    'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY',
    '-',
  ],
  [
    'com,hkcnews)/article/18733',
    '20200101000000',
    'https://www.hkcnews.com/article/18733',
    'text/html',
    '301',
    EMPTY_DIGEST,
    '512',
  ],
];
const REAL_KEY = 'com,hkcnews)/article/18734 20190302101010';

function answer(rows: readonly unknown[], resumeKey?: string, header: readonly unknown[] = HEADER): string {
  const lines = [header, ...rows].map((r) => JSON.stringify(r));
  if (resumeKey !== undefined) lines.push('[]', JSON.stringify([resumeKey]));
  return '[' + lines.join(',\n') + ']\n';
}

function assertMalformed(body: string, message?: string): void {
  assert.throws(
    () => parseCdxJson(body),
    (e: unknown) => e instanceof CdxMalformedError && e.name === 'CdxMalformedError' && e.message !== '',
    message ?? body.slice(0, 80),
  );
}

test('parses a real-looking answer: every row kept in order, revisit dashes as null, the resume key read', () => {
  const page = parseCdxJson(answer(REAL_ROWS, REAL_KEY));
  assert.equal(page.resumeKey, REAL_KEY);
  assert.equal(page.rows.length, 4, "duplicates are the caller's to remove (captureKey), the parser keeps what it got");
  assert.deepEqual(page.rows[0], {
    urlkey: REAL_ROWS[0]![0]!,
    timestamp: '20210628174710',
    original: A18733,
    mimetype: 'text/html',
    statuscode: 200,
    digest: 'S5GXQ3W7TFNZDQOYVCLYG6SNPS5GIVUY',
    length: 23817,
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
  assert.deepEqual(page, { rows: [], resumeKey: REAL_KEY, skipped: [] });
});

test('a header-only answer is an empty block', () => {
  assert.deepEqual(parseCdxJson(answer([])), { rows: [], resumeKey: undefined, skipped: [] });
});

test('an empty body is an empty result', () => {
  for (const body of ['', '\n', '  \r\n'])
    assert.deepEqual(parseCdxJson(body), { rows: [], resumeKey: undefined, skipped: [] }, JSON.stringify(body));
});

test('the empty JSON answer "[]" (no captures, as web.archive.org and our simulator send it) is an empty result', () => {
  assert.deepEqual(parseCdxJson('[]\n'), { rows: [], resumeKey: undefined, skipped: [] });
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
  assertMalformed(
    'com,hkcnews)/article/1 20210101000000 https://hkcnews.com/article/1 text/html 200 X 1\n',
    'the text output is not JSON',
  );
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

test("columns are read by the header's names, whatever their order", () => {
  const order = [6, 5, 4, 3, 2, 1, 0];
  const header = order.map((i) => HEADER[i]);
  const rows = REAL_ROWS.map((r) => order.map((i) => r[i]));
  assert.deepEqual(parseCdxJson(answer(rows, REAL_KEY, header)), parseCdxJson(answer(REAL_ROWS, REAL_KEY)));
});

/** Parses `rows` (between two good rows) and checks that exactly the bad ones are skipped, each with a reason. */
function assertSkipped(rows: readonly unknown[], reason: RegExp, label: string): void {
  const good = REAL_ROWS[3]!;
  const page = parseCdxJson(answer([good, ...rows, good], REAL_KEY), { nowMs: NOW_MS });
  assert.equal(page.rows.length, 2, `${label}: the good rows around it are kept`);
  assert.equal(page.resumeKey, REAL_KEY, `${label}: the cursor is kept`);
  assert.equal(page.skipped.length, rows.length, `${label}: ${JSON.stringify(page.skipped)}`);
  for (const s of page.skipped) {
    assert.match(s.reason, reason, label);
    assert.ok(s.text.length <= 301, 'the logged text is cut short');
    assert.doesNotMatch(s.text, /[\r\n]/, 'the logged text holds no raw line break');
  }
}

/** A fixed "now" (2026-12-01) so "in the future" does not depend on the day the tests run. */
const NOW_MS = Date.UTC(2026, 11, 1);

test('a value that is not a string skips its row only, with the reason', () => {
  const row = REAL_ROWS[0]!;
  for (const [i, bad] of [
    [4, 200],
    [6, 23817],
    [1, 20210628174710],
    [2, null],
    [3, ['text/html']],
    [5, true],
    [0, { k: 1 }],
  ] as const) {
    const copy: unknown[] = [...row];
    copy[i] = bad;
    assertSkipped([copy], /not a string/, `${HEADER[i]} = ${JSON.stringify(bad)}`);
  }
  assertSkipped(['not a row'], /not an array/, 'a row that is a string');
  assertSkipped([{ urlkey: 'x' }], /not an array/, 'a row that is an object');
  assertSkipped([null, 42], /not an array/, 'null and a number');
});

test('a row with the wrong number of fields is skipped; the rest of the block is kept', () => {
  const row = REAL_ROWS[0]!;
  assertSkipped([row.slice(0, 6)], /6 fields, the header has 7/, 'six fields');
  assertSkipped([[...row, 'extra']], /8 fields/, 'eight fields');
  assertSkipped([['x']], /1 fields/, 'one field (not the cursor: that is an empty row then a key at the end)');
});

test('a row whose timestamp is not 14 digits, not a calendar time, before the Web or in the future is skipped', () => {
  const row = REAL_ROWS[0]!;
  const withTs = (ts: string): string[] => [row[0]!, ts, ...row.slice(2)];
  for (const ts of [
    'abc',
    '2020',
    '2021062817471',
    '202106281747100',
    '2021-06-28T17:47',
    '',
    '-',
    ' 20210628174710',
    '２０２１０６２８１７４７１０',
  ])
    assertSkipped([withTs(ts)], /not 14 digits/, `timestamp ${ts}`);
  for (const ts of [
    '99999999999999',
    '20201301000000',
    '20200431000000',
    '20210229000000',
    '20200101240000',
    '20200101006000',
    '20200101000060',
    '20200000000000',
  ])
    assertSkipped([withTs(ts)], /not a calendar time/, `timestamp ${ts}`);
  for (const ts of ['00000101000000', '19000101000000', '19901231235959'])
    assertSkipped([withTs(ts)], /before the Web/, `timestamp ${ts}`);
  for (const ts of ['20261203000000', '20990101000000', '99991231235959'])
    assertSkipped([withTs(ts)], /in the future/, `timestamp ${ts}`);
  assert.equal(
    parseCdxJson(answer([withTs('20200229235959')]), { nowMs: NOW_MS }).rows.length,
    1,
    'a leap day is a real time',
  );
  assert.equal(
    parseCdxJson(answer([withTs('20261201120000')]), { nowMs: NOW_MS }).rows.length,
    1,
    'a few hours ahead of our clock is clock skew, not corruption',
  );
});

test('a control character or a lone surrogate in any field skips the row (a CR LF in original would reach a request line)', () => {
  const row = REAL_ROWS[0]!;
  for (const [i, name] of [
    [0, 'urlkey'],
    [2, 'original'],
    [3, 'mimetype'],
    [5, 'digest'],
  ] as const) {
    for (const ctl of ['\r\n', '\n', '\u0000', '\t', '\u007f', '\u0085', '\u001b[31m']) {
      const copy = [...row];
      copy[i] = `${row[i]!.slice(0, 10)}${ctl}X-Injected: 1`;
      assertSkipped([copy], new RegExp(`${name} holds a control character`), `${name} with ${JSON.stringify(ctl)}`);
    }
    for (const half of ['\ud800', '\udfff', '\udc00\ud800']) {
      const copy = [...row];
      copy[i] = `${row[i]!}${half}x`;
      assertSkipped([copy], new RegExp(`${name} is not well-formed Unicode`), `${name} with a lone surrogate`);
    }
  }
  assert.equal(
    parseCdxJson(answer([[...row.slice(0, 2), `${row[2]!}/\ud83d\ude00`, ...row.slice(3)]])).rows.length,
    1,
    'a whole surrogate pair (an emoji) is fine',
  );
});

test('an absurd status or length skips the row; "-" stays null', () => {
  const row = REAL_ROWS[0]!;
  for (const status of ['OK', '20O', '', '2.5', '-1', '0', '99', '600', '99999', '2000', '200 '])
    assertSkipped([[...row.slice(0, 4), status, ...row.slice(5)]], /statuscode/, `statuscode ${status}`);
  for (const length of ['1e3', '', 'unknown', '-5', String(CDX_MAX_LENGTH + 1), '9'.repeat(400)])
    assertSkipped([[...row.slice(0, 6), length]], /length/, `length ${length}`);
  const revisit = parseCdxJson(answer([REAL_ROWS[2]!])).rows[0]!;
  assert.deepEqual([revisit.statuscode, revisit.length], [null, null]);
});

test('a block of only bad rows is an empty block that keeps its cursor (paging goes on)', () => {
  const bad = [[REAL_ROWS[0]![0], 'abc', ...REAL_ROWS[0]!.slice(2)], 7];
  const page = parseCdxJson(answer(bad, REAL_KEY));
  assert.deepEqual(page.rows, []);
  assert.equal(page.resumeKey, REAL_KEY);
  assert.deepEqual(
    page.skipped.map((s) => s.index),
    [1, 2],
  );
});

test('both JSON layouts of the service parse alike: the older with spaces after commas, the newer compact', () => {
  const rows = [REAL_ROWS[0]!, REAL_ROWS[2]!];
  const spaced =
    '[["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],\n' +
    rows.map((r) => '[' + r.map((v) => JSON.stringify(v)).join(', ') + ']').join(',\n') +
    ',\n[],\n["' +
    REAL_KEY +
    '"]]\n';
  const compact = JSON.stringify([HEADER, ...rows, [], [REAL_KEY]]);
  assert.deepEqual(parseCdxJson(spaced), parseCdxJson(compact));
  assert.equal(parseCdxJson(compact).rows.length, 2);
  const badSpaced = spaced.replace(REAL_ROWS[0]![1]!, 'abc');
  assert.equal(parseCdxJson(badSpaced).skipped.length, 1, 'a bad row in the older layout is skipped too');
});

test('a leading byte-order mark is ignored, not a reason to retry the block', () => {
  const page = parseCdxJson('\ufeff' + answer([REAL_ROWS[0]!], REAL_KEY));
  assert.equal(page.rows.length, 1);
  assert.equal(page.resumeKey, REAL_KEY);
});

test('any array of rows parses to rows plus skipped rows, never an exception (property over mutated rows)', () => {
  // A small deterministic generator: each field of a good row replaced by a hostile value.
  const hostile: unknown[] = [
    '',
    'abc',
    '2020',
    '99999999999999',
    '\r\n',
    '\u0000',
    '-',
    '１２',
    null,
    0,
    -1,
    1e300,
    [],
    {},
    true,
    'x'.repeat(10_000),
    '\ud800',
  ];
  let total = 0;
  for (let field = 0; field < 7; field++) {
    for (const value of hostile) {
      const copy: unknown[] = [...REAL_ROWS[0]!];
      copy[field] = value;
      const page = parseCdxJson(answer([copy, REAL_ROWS[3]!]), { nowMs: NOW_MS });
      assert.equal(
        page.rows.length + page.skipped.length,
        2,
        `${HEADER[field]} = ${JSON.stringify(value)?.slice(0, 20)}`,
      );
      total++;
    }
  }
  assert.equal(total, 7 * hostile.length);
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
  const redirect = (timestamp: string, original: string) => ({
    timestamp,
    original,
    digest: EMPTY_DIGEST,
    statuscode: 302,
  });
  assert.notEqual(
    captureKey(redirect('20200101000000', 'https://hkcnews.com/article/1')),
    captureKey(redirect('20200101000000', 'https://hkcnews.com/article/2')),
  );
  assert.notEqual(
    captureKey(redirect('20200101000000', 'https://hkcnews.com/article/1')),
    captureKey(redirect('20200102000000', 'https://hkcnews.com/article/1')),
  );
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

test('timestampProblem accepts a real past timestamp; cdxRowProblem names a control character in a field', () => {
  assert.equal(timestampProblem('20210628174710', NOW_MS), undefined);
  assert.equal(
    cdxRowProblem(
      {
        urlkey: 'k',
        timestamp: '20210628174710',
        original: 'https://a.example/\r\nx',
        mimetype: 'text/html',
        digest: 'D',
      },
      NOW_MS,
    ),
    'original holds a control character',
  );
});
