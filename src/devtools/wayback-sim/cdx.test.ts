import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startWaybackSimulator, writeSimSite, type WaybackSimulator } from './index.js';
import { rawRequest, type RawResponse } from './raw-request.js';

const UA = { 'user-agent': 'salvage-tests (wayback-sim)' };
const A = 'https://www.hkcnews.com/article/1/a';

/** A hand-made index: one URL with a duplicate row and a revisit, a redirect, a 404, other paths and hosts. */
const CAPTURES = [
  { original: A, timestamp: '20190101000000', body: '<html>A1</html>\n' },
  { original: A, timestamp: '20190101000000', body: '<html>A1</html>\n', kind: 'dup' },
  { original: A, timestamp: '20200101000000', body: '<html>A2</html>\n' },
  { original: A, timestamp: '20220212000000', body: '<html>A2</html>\n', revisit: true },
  {
    original: 'https://hkcnews.com/article/2',
    timestamp: '20200505050505',
    body: 'moved',
    location: 'https://hkcnews.com/article/2/b',
  },
  { original: 'https://hkcnews.com/article/2/b', timestamp: '20200505050507', body: '<html>B</html>\n' },
  {
    original: 'https://www.hkcnews.com/article/3/c',
    timestamp: '20220301000000',
    body: 'Page not found',
    statuscode: '404',
  },
  { original: 'https://hkcnews.com/articles', timestamp: '20210101000000', body: 'list' },
  {
    original: 'https://www.hkcnews.com/images/logo.svg',
    timestamp: '20180101000000',
    body: '<svg/>',
    mimetype: 'image/svg+xml',
  },
  { original: 'https://news.hkcnews.com/x', timestamp: '20210101000000', body: 'sub' },
  { original: 'https://example.com/elsewhere', timestamp: '20210101000000', body: 'other' },
];
/** Timestamps of the /article/ prefix, in index order. */
const ARTICLE_TIMESTAMPS = [
  '20190101000000',
  '20190101000000',
  '20200101000000',
  '20220212000000',
  '20200505050505',
  '20200505050507',
  '20220301000000',
];

let dir: string;
let sim: WaybackSimulator;
let capped: WaybackSimulator;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayback-sim-cdx-'));
  await writeSimSite(dir, CAPTURES);
  sim = await startWaybackSimulator({ siteDir: dir, timeScale: 10_000 });
  capped = await startWaybackSimulator({ siteDir: dir, timeScale: 10_000, limits: { cdxMaxRows: 3 } });
});
after(async () => {
  await sim.close();
  await capped.close();
  await rm(dir, { recursive: true, force: true });
});

function cdx(
  query: string,
  options: { on?: WaybackSimulator; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return rawRequest(`${(options.on ?? sim).url}/cdx/search/cdx?${query}`, { headers: options.headers ?? UA });
}
async function json(query: string, on?: WaybackSimulator): Promise<string[][]> {
  const res = await cdx(query + '&output=json', on === undefined ? {} : { on });
  assert.equal(res.status, 200, res.body.toString());
  return JSON.parse(res.body.toString('utf8')) as string[][];
}
const column = (rows: string[][], i: number): string[] => rows.slice(1).map((r) => r[i]!);

describe('CDX output', () => {
  test('JSON is an array of string arrays headed by the field names', async () => {
    const rows = await json('url=hkcnews.com/article/*');
    assert.deepEqual(rows[0], ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length']);
    assert.deepEqual(column(rows, 1), ARTICLE_TIMESTAMPS);
    assert.ok(rows.every((r) => r.every((v) => typeof v === 'string')));
    const revisit = rows.find((r) => r[1] === '20220212000000')!;
    assert.equal(revisit[3], 'warc/revisit');
    assert.equal(revisit[4], '-');
  });

  test('text is one space-separated line per row', async () => {
    const res = await cdx('url=hkcnews.com/article/*');
    assert.equal(res.headers['content-type'], 'text/plain; charset=UTF-8');
    const lines = res.body.toString('utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 7);
    assert.deepEqual(lines[4]!.split(' '), [
      'com,hkcnews)/article/2',
      '20200505050505',
      'https://hkcnews.com/article/2',
      'text/html',
      '301',
      lines[4]!.split(' ')[5],
      '5',
    ]);
  });

  test('fl selects and orders the fields, header included', async () => {
    const rows = await json('url=hkcnews.com/article/2&fl=statuscode,timestamp');
    assert.deepEqual(rows, [
      ['statuscode', 'timestamp'],
      ['301', '20200505050505'],
    ]);
    assert.equal((await cdx('url=hkcnews.com/article/2&fl=timestamp,kind')).status, 400);
  });

  test('an empty JSON answer is [] without a header', async () => {
    assert.deepEqual(await json('url=hkcnews.com/nothing-here'), []);
  });

  test('CDX answers are gzipped for clients that accept gzip', async () => {
    const plain = await cdx('url=hkcnews.com/article/*');
    const zipped = await cdx('url=hkcnews.com/article/*', { headers: { ...UA, 'accept-encoding': 'gzip, deflate' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
  });

  test('a request without a User-Agent gets 400', async () => {
    assert.equal((await cdx('url=hkcnews.com/article/*', { headers: {} })).status, 400);
  });
});

describe('CDX matching', () => {
  test('exact matching folds www and the scheme into the urlkey', async () => {
    assert.deepEqual(
      column(await json('url=http://hkcnews.com/article/1/a&fl=timestamp'), 0),
      ARTICLE_TIMESTAMPS.slice(0, 4),
    );
  });

  test('a prefix keeps its trailing slash: /article/* does not match /articles', async () => {
    assert.equal((await json('url=hkcnews.com/article/*')).length - 1, 7);
    assert.equal((await json('url=hkcnews.com/article/&matchType=prefix')).length - 1, 7);
    assert.equal((await json('url=hkcnews.com/article&matchType=prefix')).length - 1, 8);
  });

  test('host matching takes every path of the host, domain matching its subdomains too', async () => {
    assert.equal((await json('url=www.hkcnews.com&matchType=host')).length - 1, 9);
    assert.equal((await json('url=hkcnews.com/*')).length - 1, 9, 'a prefix query of the root is a host query');
    const domain = await json('url=hkcnews.com&matchType=domain&fl=original');
    assert.equal(domain.length - 1, 10);
    assert.ok(column(domain, 0).includes('https://news.hkcnews.com/x'));
    assert.equal((await json('url=*.hkcnews.com')).length - 1, 10);
  });
});

describe('CDX filter, collapse, from/to, limit', () => {
  test('filter regexes must match the whole field', async () => {
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=statuscode&filter=statuscode:2..'), 0), [
      '200',
      '200',
      '200',
      '200',
    ]);
    assert.deepEqual(await json('url=hkcnews.com/article/*&filter=statuscode:2'), []);
  });

  test('! negates a filter, and filters are repeatable', async () => {
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=statuscode&filter=!statuscode:200'), 0), [
      '-',
      '301',
      '404',
    ]);
    assert.deepEqual(
      column(
        await json('url=hkcnews.com/article/*&fl=statuscode&filter=mimetype:text/.*&filter=!statuscode:[23]..'),
        0,
      ),
      ['404'],
    );
    assert.equal((await cdx('url=hkcnews.com/article/*&filter=nofield:x')).status, 400);
  });

  test('collapse compares adjacent rows only, on the whole field or its first N characters', async () => {
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=timestamp&collapse=timestamp:4'), 0), [
      '20190101000000',
      '20200101000000',
      '20220212000000',
      '20200505050505',
      '20220301000000',
    ]);
    assert.equal((await json('url=hkcnews.com/article/*&collapse=urlkey')).length - 1, 4);
    // the duplicate row and the revisit of the 2020 payload each collapse into their neighbour
    assert.deepEqual(column(await json('url=hkcnews.com/article/1/a&fl=timestamp&collapse=digest'), 0), [
      '20190101000000',
      '20200101000000',
    ]);
  });

  test('from pads with 0s and to with 9s', async () => {
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=timestamp&from=2020&to=2020'), 0), [
      '20200101000000',
      '20200505050505',
      '20200505050507',
    ]);
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=timestamp&to=201901'), 0), [
      '20190101000000',
      '20190101000000',
    ]);
    assert.deepEqual(column(await json('url=hkcnews.com/article/*&fl=timestamp&from=20220212000000'), 0), [
      '20220212000000',
      '20220301000000',
    ]);
    assert.equal((await cdx('url=hkcnews.com/article/*&from=2020-01')).status, 400);
  });

  test('a positive limit keeps the first rows, a negative one the last', async () => {
    assert.deepEqual(
      column(await json('url=hkcnews.com/article/*&fl=timestamp&limit=2'), 0),
      ARTICLE_TIMESTAMPS.slice(0, 2),
    );
    assert.deepEqual(
      column(await json('url=hkcnews.com/article/*&fl=timestamp&limit=-2'), 0),
      ARTICLE_TIMESTAMPS.slice(-2),
    );
  });

  test('paged queries (page, showNumPages) are refused with 400', async () => {
    assert.equal((await cdx('url=hkcnews.com/article/*&page=0')).status, 400);
    assert.equal((await cdx('url=hkcnews.com/article/*&showNumPages=true')).status, 400);
  });
});

/** Follows resume keys; returns every data row and the number of requests. */
async function pageThrough(query: string, output: 'json' | 'text'): Promise<{ rows: string[]; pages: number }> {
  const rows: string[] = [];
  let key: string | undefined;
  let pages = 0;
  do {
    const res = await cdx(
      `${query}&showResumeKey=true${output === 'json' ? '&output=json' : ''}${key === undefined ? '' : '&resumeKey=' + encodeURIComponent(key)}`,
    );
    assert.equal(res.status, 200);
    pages++;
    key = undefined;
    const text = res.body.toString('utf8');
    if (output === 'json') {
      const parsed = JSON.parse(text) as string[][];
      const blank = parsed.findIndex((r) => r.length === 0);
      if (blank >= 0) key = parsed[blank + 1]![0];
      rows.push(...parsed.slice(1, blank >= 0 ? blank : undefined).map((r) => r.join(' ')));
    } else {
      const [body, tail] = text.split('\n\n');
      if (tail !== undefined) key = tail.trim();
      rows.push(...body!.split('\n').filter((l) => l !== ''));
    }
  } while (key !== undefined && pages < 20);
  return { rows, pages };
}

describe('CDX resume keys', () => {
  test('paging with urlkey in fl returns every row exactly once (JSON)', async () => {
    const all = (await json('url=hkcnews.com/article/*&fl=urlkey,timestamp,digest')).slice(1).map((r) => r.join(' '));
    const paged = await pageThrough('url=hkcnews.com/article/*&fl=urlkey,timestamp,digest&limit=2', 'json');
    assert.deepEqual(paged.rows, all);
    assert.equal(paged.pages, 4);
  });

  test('paging with urlkey in fl returns every row exactly once (text), and a full last page is followed by an empty one', async () => {
    const all = (await cdx('url=hkcnews.com/article/*')).body
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.deepEqual((await pageThrough('url=hkcnews.com/article/*&limit=3', 'text')).rows, all);
    const exact = await pageThrough('url=hkcnews.com/article/*&limit=7', 'json');
    assert.equal(exact.rows.length, 7);
    assert.equal(exact.pages, 2, 'the key follows a page that reached the limit, even when nothing is left');
  });

  test('paging without urlkey in fl repeats or skips rows (internetarchive/wayback issue 121)', async () => {
    const all = (await json('url=hkcnews.com&matchType=domain&fl=timestamp,original')).slice(1).map((r) => r.join(' '));
    const paged = await pageThrough('url=hkcnews.com&matchType=domain&fl=timestamp,original&limit=3', 'json');
    assert.notDeepEqual(paged.rows, all);
  });

  test('a resume key that is not ours gets 400', async () => {
    assert.equal((await cdx('url=hkcnews.com/article/*&showResumeKey=true&resumeKey=garbage')).status, 400);
  });

  test('without a cursor the answer stops silently at the row cap; with one, a key follows', async () => {
    assert.equal((await json('url=hkcnews.com/article/*', capped)).length - 1, 3);
    assert.equal((await json('url=hkcnews.com/article/*&limit=5', capped)).length - 1, 3);
    const withKey = await json('url=hkcnews.com/article/*&showResumeKey=true', capped);
    assert.equal(withKey.length, 1 + 3 + 2);
    assert.deepEqual(withKey[4], []);
  });
});
