import { after, test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { CrawlState, STATE_SCHEMA_VERSION, type NewCapture } from './state.js';
import { readCoverage } from './coverage.js';
import { SalvageError, type SalvageErrorCode } from '../errors.js';

const dir = mkdtempSync(join(tmpdir(), 'salvage-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh database path for each test. */
const freshPath = (): string => join(dir, `run-${++n}`, 'state.sqlite');

const QUERY = JSON.stringify({ url: 'hkcnews.com/article/', matchType: 'prefix' });

function capture(timestamp: string, articleId: number | null, fields: Partial<NewCapture> = {}): NewCapture {
  const original = articleId === null ? 'https://www.hkcnews.com/news' : `https://www.hkcnews.com/article/${articleId}`;
  const c = {
    articleId,
    urlkey: `com,hkcnews)/article/${articleId ?? 'x'}`,
    timestamp,
    original,
    mimetype: 'text/html',
    statuscode: 200 as number | null,
    digest: `D${timestamp}`,
    length: 1000 as number | null,
    ...fields,
  };
  return { key: `${c.timestamp} ${c.original} ${c.digest} ${c.statuscode ?? '-'}`, ...c };
}

const isCode =
  (code: SalvageErrorCode) =>
  (e: unknown): boolean =>
    e instanceof SalvageError && e.code === code && e.message !== '';

function count(state: CrawlState, table: string): number {
  return state.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)!.n;
}

test('open creates the folder, the file and the schema, and records the site and schema version', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  try {
    assert.ok(existsSync(path));
    assert.equal(state.getMeta('site'), 'hkcnews');
    assert.equal(state.getMeta('schema'), String(STATE_SCHEMA_VERSION));
    const tables = state
      .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .map((t) => t.name);
    for (const t of ['articles', 'attempts', 'captures', 'events', 'meta', 'queries', 'warcs'])
      assert.ok(tables.includes(t), t);
    assert.deepEqual(state.queryState(QUERY), { resumeKey: undefined, done: false, rows: 0, blocks: 0 });
  } finally {
    state.close();
  }
});

test('reopening keeps what was committed', () => {
  const path = freshPath();
  const first = CrawlState.open(path, 'hkcnews');
  first.addCdxBlock(QUERY, [capture('20210101000000', 1)], 'KEY1');
  first.setMeta('note', 'kept');
  first.close();
  const again = CrawlState.open(path, 'hkcnews');
  try {
    assert.deepEqual(again.queryState(QUERY), { resumeKey: 'KEY1', done: false, rows: 1, blocks: 1 });
    assert.equal(again.getMeta('note'), 'kept');
    assert.equal(count(again, 'captures'), 1);
  } finally {
    again.close();
  }
});

test('a state of another site is refused with CONFIG_INVALID and left untouched', () => {
  const path = freshPath();
  CrawlState.open(path, 'hkcnews').close();
  assert.throws(
    () => CrawlState.open(path, 'standnews'),
    (e: unknown) => isCode('CONFIG_INVALID')(e) && /hkcnews/.test((e as Error).message),
  );
  const again = CrawlState.open(path, 'hkcnews');
  assert.equal(again.getMeta('site'), 'hkcnews');
  again.close();
});

test('a state of another schema version is refused with CONFIG_INVALID', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  state.setMeta('schema', String(STATE_SCHEMA_VERSION + 1));
  state.close();
  assert.throws(
    () => CrawlState.open(path, 'hkcnews'),
    (e: unknown) => isCode('CONFIG_INVALID')(e) && (e as Error).message.includes(String(STATE_SCHEMA_VERSION + 1)),
  );
});

test('a path that cannot hold a database fails with OUTPUT_FAILED', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  assert.throws(() => CrawlState.open(join(file, 'state.sqlite'), 'hkcnews'), isCode('OUTPUT_FAILED'));
});

/** Every way a state file can be unusable, made from a real state with one capture. */
const UNUSABLE: [string, (path: string) => void][] = [
  [
    'garbage bytes',
    (path) =>
      writeFileSync(path, 'this is not an SQLite database, just some text long enough to have a header '.repeat(20)),
  ],
  [
    'a truncated database',
    (path) => {
      const b = readFileSync(path);
      writeFileSync(path, b.subarray(0, Math.floor(b.length / 2)));
    },
  ],
  ['a database cut inside its header', (path) => writeFileSync(path, readFileSync(path).subarray(0, 50))],
  [
    'a folder',
    (path) => {
      rmSync(path);
      mkdirSync(path);
      writeFileSync(join(path, 'inside.txt'), 'x');
    },
  ],
  [
    "another program's database",
    (path) => {
      rmSync(path);
      const db = new Database(path);
      db.exec('CREATE TABLE captures (x TEXT); INSERT INTO captures VALUES (1)');
      db.close();
    },
  ],
  [
    'a salvage state with an unknown schema mark',
    (path) => {
      const db = new Database(path);
      db.prepare("UPDATE meta SET value = 'x1' WHERE key = 'schema'").run();
      db.close();
    },
  ],
];

for (const [what, spoil] of UNUSABLE) {
  test(`a state that is ${what} is moved aside, never deleted, with a notice; a new state is started`, () => {
    const path = freshPath();
    const first = CrawlState.open(path, 'hkcnews');
    first.addCdxBlock(QUERY, [capture('20210101000000', 1)], undefined);
    first.close();
    spoil(path);
    const digest = (p: string): string =>
      statSync(p).isDirectory() ? 'folder' : createHash('sha256').update(readFileSync(p)).digest('hex');
    const spoiled = digest(path);
    const notices: string[] = [];
    const state = CrawlState.open(path, 'hkcnews', (line) => notices.push(line));
    try {
      assert.equal(notices.length, 1, notices.join('\n'));
      assert.match(
        notices[0]!,
        /cannot be used .*moved aside to state\.sqlite\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z; rebuilding it from the WARC files/,
      );
      assert.doesNotMatch(notices[0]!, /delete/i);
      const aside = readdirSync(dirname(path)).filter(
        (f) => f.startsWith('state.sqlite.corrupt-') && !f.endsWith('-wal') && !f.endsWith('-shm'),
      );
      assert.equal(aside.length, 1);
      const kept = join(dirname(path), aside[0]!);
      assert.equal(digest(kept), spoiled, 'the old file is kept byte for byte');
      assert.equal(count(state, 'captures'), 0);
      assert.equal(state.getMeta('site'), 'hkcnews');
    } finally {
      state.close();
    }
  });
}

test('an empty state file is used as a new state (nothing to move aside)', () => {
  const path = freshPath();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  const notices: string[] = [];
  const state = CrawlState.open(path, 'hkcnews', (line) => notices.push(line));
  state.close();
  assert.deepEqual(notices, []);
});

test('a -wal left without its database is moved aside before a new state is created', () => {
  const path = freshPath();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}-wal`, 'old log');
  const notices: string[] = [];
  const state = CrawlState.open(path, 'hkcnews', (line) => notices.push(line));
  state.close();
  assert.equal(notices.length, 1);
  const aside = readdirSync(dirname(path)).filter((f) => f.startsWith('state.sqlite-wal.orphan-'));
  assert.equal(readFileSync(join(dirname(path), aside[0]!), 'utf8'), 'old log');
});

test('a state of a newer salvage is refused with CONFIG_INVALID saying what to do, and left in place', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  state.setMeta('schema', '99');
  state.close();
  assert.throws(
    () => CrawlState.open(path, 'hkcnews'),
    (e: unknown) =>
      isCode('CONFIG_INVALID')(e) && /newer salvage.*rebuilds the state from the WARC files/.test((e as Error).message),
  );
  assert.ok(existsSync(path));
});

test('openReadOnly of a missing file fails with INPUT_UNREADABLE and creates nothing', () => {
  const path = join(dir, 'missing', 'state.sqlite');
  assert.throws(() => CrawlState.openReadOnly(path), isCode('INPUT_UNREADABLE'));
  assert.equal(existsSync(path), false);
});

test('openReadOnly reads an existing state and cannot write to it', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  state.addCdxBlock(QUERY, [capture('20210101000000', 1)], undefined);
  state.close();
  const ro = CrawlState.openReadOnly(path);
  try {
    assert.equal(ro.getMeta('site'), 'hkcnews');
    assert.equal(ro.queryState(QUERY).done, true);
    assert.throws(() => ro.setMeta('site', 'other'));
  } finally {
    ro.close();
  }
});

test('openReadOnly reads a state written before warc_records existed; a damaged one fails with INPUT_UNREADABLE saying what to do', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  state.addCdxBlock(QUERY, [capture('20210101000000', 1)], undefined);
  state.close();
  const db = new Database(path);
  db.exec('DROP TABLE warc_records');
  db.close();
  const ro = CrawlState.openReadOnly(path);
  try {
    assert.deepEqual([...ro.storedPlaces()], []);
  } finally {
    ro.close();
  }
  writeFileSync(path, 'garbage '.repeat(600));
  assert.throws(
    () => CrawlState.openReadOnly(path),
    (e: unknown) =>
      isCode('INPUT_UNREADABLE')(e) &&
      /cannot be read .*moves it aside and rebuilds it from the WARC files/.test((e as Error).message),
  );
});

test('CDX blocks: rows are added once by key, the cursor and counts follow each block, the last block marks the query done', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    const a = capture('20210101000000', 1);
    const b = capture('20210102000000', 1);
    const c = capture('20210103000000', 2);
    assert.equal(state.addCdxBlock(QUERY, [a, { ...a }, b], 'KEY1'), 2, 'a duplicate row in the block is one capture');
    assert.deepEqual(state.queryState(QUERY), { resumeKey: 'KEY1', done: false, rows: 3, blocks: 1 });
    assert.equal(state.addCdxBlock(QUERY, [b, c], 'KEY2'), 1, 'a row seen in an earlier block is not added again');
    assert.deepEqual(state.queryState(QUERY), { resumeKey: 'KEY2', done: false, rows: 5, blocks: 2 });
    assert.equal(state.addCdxBlock(QUERY, [], undefined), 0);
    assert.deepEqual(state.queryState(QUERY), { resumeKey: undefined, done: true, rows: 5, blocks: 3 });
    assert.equal(count(state, 'captures'), 3);
    assert.deepEqual(
      state.queryState('{"url":"other"}'),
      { resumeKey: undefined, done: false, rows: 0, blocks: 0 },
      'queries are kept apart',
    );
  } finally {
    state.close();
  }
});

test('a CDX block is atomic: when one row cannot be stored, neither its rows nor the cursor move', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(QUERY, [capture('20210101000000', 1)], 'KEY1');
    const broken = { ...capture('20210103000000', 3), original: { not: 'bindable' } } as unknown as NewCapture; // SQLite cannot bind an object
    assert.throws(() => state.addCdxBlock(QUERY, [capture('20210102000000', 2), broken], 'KEY2'));
    assert.deepEqual(state.queryState(QUERY), { resumeKey: 'KEY1', done: false, rows: 1, blocks: 1 });
    assert.equal(count(state, 'captures'), 1);
    // The block is repeated after the failure, this time whole.
    assert.equal(state.addCdxBlock(QUERY, [capture('20210102000000', 2), capture('20210103000000', 3)], 'KEY2'), 2);
    assert.equal(state.queryState(QUERY).resumeKey, 'KEY2');
  } finally {
    state.close();
  }
});

test('revisit rows keep their null status and length', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(
      QUERY,
      [capture('20210101000000', 1, { mimetype: 'warc/revisit', statuscode: null, length: null })],
      undefined,
    );
    state.seedArticles();
    const [c] = state.capturesOf(1);
    assert.equal(c!.statuscode, null);
    assert.equal(c!.length, null);
    assert.equal(c!.mimetype, 'warc/revisit');
  } finally {
    state.close();
  }
});

test('seedArticles makes one pending article per article id; non-article rows make none; reseeding keeps states', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(
      QUERY,
      [
        capture('20210101000000', 5),
        capture('20210102000000', 5),
        capture('20210101000000', 3),
        capture('20210101000000', null),
      ],
      undefined,
    );
    state.seedArticles();
    assert.deepEqual(state.pendingArticles(0, 10), [3, 5]);
    const [c] = state.capturesOf(3);
    state.articleWritten({
      id: 3,
      captureId: c!.id,
      path: 'articles/2021/3.md',
      sha256: 'ab'.repeat(32),
      year: '2021',
    });
    state.addCdxBlock(QUERY, [capture('20210101000000', 9)], undefined);
    state.seedArticles();
    assert.deepEqual(state.pendingArticles(0, 10), [5, 9], 'the written article stays written, the new one is pending');
    assert.equal(count(state, 'articles'), 3);
  } finally {
    state.close();
  }
});

test('pendingArticles pages by id', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    const ids = [42, 7, 19, 3, 100, 8];
    state.addCdxBlock(
      QUERY,
      ids.map((id) => capture('20210101000000', id)),
      undefined,
    );
    state.seedArticles();
    const pages: number[][] = [];
    for (let last = 0; ;) {
      const page = state.pendingArticles(last, 4);
      if (page.length === 0) break;
      pages.push(page);
      last = page.at(-1)!;
    }
    assert.deepEqual(pages, [
      [3, 7, 8, 19],
      [42, 100],
    ]);
    assert.deepEqual(state.pendingArticles(19, 2), [42, 100]);
    assert.deepEqual(state.pendingArticles(100, 10), []);
  } finally {
    state.close();
  }
});

test("capturesOf gives an article's captures with what the index said", () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    const a = capture('20210101000000', 1, {
      mimetype: 'text/html; charset=utf-8',
      statuscode: 301,
      length: 12,
      digest: 'XYZ',
    });
    state.addCdxBlock(QUERY, [a, capture('20210101000000', 2)], undefined);
    const rows = state.capturesOf(1);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0], id: 0 },
      {
        id: 0,
        article_id: 1,
        urlkey: a.urlkey,
        timestamp: a.timestamp,
        original: a.original,
        mimetype: 'text/html; charset=utf-8',
        statuscode: 301,
        digest: 'XYZ',
        length: 12,
        warc: null,
        warc_offset: null,
        warc_length: null,
        verdict: null,
      },
    );
    assert.deepEqual(state.capturesOf(99), []);
  } finally {
    state.close();
  }
});

test('captureStored records where the payload is, and the committed size of a WARC only grows', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(
      QUERY,
      [capture('20210101000000', 1), capture('20210102000000', 1), capture('20210103000000', 1)],
      undefined,
    );
    const [a, b, c] = state.capturesOf(1).sort((x, y) => x.timestamp.localeCompare(y.timestamp));
    const at = { fetchedAt: '2026-01-01T00:00:00.000Z', mementoUrl: 'http://127.0.0.1:1/web/20210101000000id_/x' };
    state.captureStored({ id: a!.id, warc: 'salvage-00001.warc.gz', offset: 0, length: 500, ...at });
    state.captureStored({ id: b!.id, warc: 'salvage-00001.warc.gz', offset: 500, length: 700, ...at });
    assert.deepEqual(state.warcSizes(), [{ name: 'salvage-00001.warc.gz', size: 1200 }]);
    // A record stored out of order (an earlier offset) does not shrink the committed size.
    state.captureStored({ id: c!.id, warc: 'salvage-00001.warc.gz', offset: 100, length: 50, ...at });
    assert.deepEqual(state.warcSizes(), [{ name: 'salvage-00001.warc.gz', size: 1200 }]);
    state.setWarcSize('salvage-00002.warc.gz', 10);
    state.setWarcSize('salvage-00001.warc.gz', 5);
    assert.deepEqual(state.warcSizes(), [
      { name: 'salvage-00001.warc.gz', size: 1200 },
      { name: 'salvage-00002.warc.gz', size: 10 },
    ]);
    const stored = state.capturesOf(1).find((r) => r.id === b!.id)!;
    assert.deepEqual([stored.warc, stored.warc_offset, stored.warc_length], ['salvage-00001.warc.gz', 500, 700]);
    const meta = state.get<{ fetched_at: string; memento_url: string }>(
      'SELECT fetched_at, memento_url FROM captures WHERE id = ?',
      b!.id,
    );
    assert.deepEqual(meta, { fetched_at: at.fetchedAt, memento_url: at.mementoUrl });
  } finally {
    state.close();
  }
});

test('captureRejected sets the verdict and logs the attempt; captureError logs without a verdict', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(QUERY, [capture('20210101000000', 1)], undefined);
    const [c] = state.capturesOf(1);
    state.captureError(c!.id, 'HTTP 503');
    assert.equal(state.capturesOf(1)[0]!.verdict, null);
    state.captureRejected(c!.id, 'challenge', 'a Cloudflare challenge page');
    assert.equal(state.capturesOf(1)[0]!.verdict, 'challenge');
    const attempts = state.all<{ capture_id: number; outcome: string; detail: string }>(
      'SELECT capture_id, outcome, detail FROM attempts ORDER BY id',
    );
    assert.deepEqual(attempts, [
      { capture_id: c!.id, outcome: 'error', detail: 'HTTP 503' },
      { capture_id: c!.id, outcome: 'rejected', detail: 'challenge: a Cloudflare challenge page' },
    ]);
  } finally {
    state.close();
  }
});

test('articleWritten marks the article written and its capture ok; writtenArticles lists it', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(QUERY, [capture('20210101000000', 1), capture('20210101000000', 2)], undefined);
    state.seedArticles();
    const [c] = state.capturesOf(2);
    state.articleWritten({
      id: 2,
      captureId: c!.id,
      path: 'articles/2021/01/2.md',
      sha256: 'f'.repeat(64),
      year: '2021',
    });
    assert.deepEqual(state.pendingArticles(0, 10), [1]);
    assert.equal(state.capturesOf(2)[0]!.verdict, 'ok');
    assert.deepEqual([...state.writtenArticles()], [{ id: 2, path: 'articles/2021/01/2.md', capture_id: c!.id }]);
    const row = state.get<{ state: string; file_sha256: string; year: string; reason: string | null }>(
      'SELECT state, file_sha256, year, reason FROM articles WHERE id = 2',
    );
    assert.deepEqual(row, { state: 'written', file_sha256: 'f'.repeat(64), year: '2021', reason: null });
  } finally {
    state.close();
  }
});

test('articleUnrecovered records the kind and detail in their own columns; a later success clears them', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(QUERY, [capture('20210101000000', 1)], undefined);
    state.seedArticles();
    state.articleUnrecovered(1, { kind: 'revisit', detail: '2 × revisit' }, null);
    assert.deepEqual(state.pendingArticles(0, 10), []);
    assert.deepEqual(state.get('SELECT state, capture_id, path, reason, year FROM articles WHERE id = 1'), {
      state: 'unrecovered',
      capture_id: null,
      path: null,
      reason: 'revisit: 2 × revisit',
      year: null,
    });
    assert.deepEqual(state.all('SELECT article_id, kind, detail FROM unrecovered'), [
      { article_id: 1, kind: 'revisit', detail: '2 × revisit' },
    ]);
    const [c] = state.capturesOf(1);
    state.articleWritten({ id: 1, captureId: c!.id, path: 'articles/1.md', sha256: '0'.repeat(64), year: '2021' });
    assert.deepEqual(state.get('SELECT state, reason FROM articles WHERE id = 1'), { state: 'written', reason: null });
    assert.deepEqual(state.all('SELECT * FROM unrecovered'), []);
  } finally {
    state.close();
  }
});

test('a state written before the unrecovered table gets its kinds from the reason sentences, once, on open', () => {
  const path = freshPath();
  const state = CrawlState.open(path, 'hkcnews');
  state.addCdxBlock(QUERY, [capture('20210101000000', 1), capture('20210101000000', 2)], undefined);
  state.seedArticles();
  state.articleUnrecovered(1, { kind: 'farewell+not-found', detail: 'every capture rejected (…)' }, '2021');
  state.close();
  // What an older salvage left: the sentence only.
  const db = new Database(path);
  db.exec(
    "DROP TABLE unrecovered; UPDATE articles SET reason = 'excluded: the Wayback Machine will not play this URL back' WHERE id = 1",
  );
  db.close();
  const readOnly = CrawlState.openReadOnly(path);
  assert.deepEqual(
    readCoverage(readOnly, dirname(path)).unrecoveredByReason,
    { excluded: 1 },
    'read-only: from the sentence',
  );
  readOnly.close();
  const reopened = CrawlState.open(path, 'hkcnews');
  try {
    assert.deepEqual(reopened.all('SELECT article_id, kind, detail FROM unrecovered'), [
      { article_id: 1, kind: 'excluded', detail: 'the Wayback Machine will not play this URL back' },
    ]);
    assert.deepEqual(readCoverage(reopened, dirname(path)).unrecoveredByReason, { excluded: 1 });
  } finally {
    reopened.close();
  }
});

test('events are recorded with their optional fields', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.event({ type: 'rate-limited', family: 'cdx', ms: 60_000 });
    state.event({ type: 'run-start', detail: 'salvage 0.1.0' });
    assert.deepEqual(state.all('SELECT type, family, ms, detail FROM events ORDER BY id'), [
      { type: 'rate-limited', family: 'cdx', ms: 60_000, detail: null },
      { type: 'run-start', family: null, ms: null, detail: 'salvage 0.1.0' },
    ]);
  } finally {
    state.close();
  }
});

test('heldCaptures lists every stored article capture, chosen or rejected, as the memento its record is', () => {
  const state = CrawlState.open(freshPath(), 'hkcnews');
  try {
    state.addCdxBlock(
      QUERY,
      [
        capture('20210101000000', 7),
        capture('20210301000000', 7),
        capture('20210401000000', 7), // never fetched: not held
        capture('20200101000000', 3),
        capture('20200201000000', null), // not an article
      ],
      undefined,
    );
    const id = (ts: string, original: string): number =>
      state.get<{ id: number }>('SELECT id FROM captures WHERE timestamp = ? AND original = ?', ts, original)!.id;
    const a7 = 'https://www.hkcnews.com/article/7';
    const store = (captureId: number, offset: number, mementoUrl: string): void =>
      state.captureStored({
        id: captureId,
        warc: 'w.warc.gz',
        offset,
        length: 10,
        fetchedAt: '2026-01-01T00:00:00Z',
        mementoUrl,
      });
    // The first capture of 7 was answered with a redirect to another capture: the record is that memento.
    store(id('20210101000000', a7), 0, `http://127.0.0.1:9/web/20210102030405id_/${a7}?from=redirect`);
    store(id('20210301000000', a7), 10, `https://web.archive.org/web/20210301000000id_/${a7}`);
    state.captureRejected(id('20210301000000', a7), 'truncated', 'cut short');
    // A record adopted from a WARC without WARC-Source-URI (another tool's): the CDX row's capture.
    const a3 = 'https://www.hkcnews.com/article/3';
    state.addFoundRecords(
      'other.warc',
      [
        {
          offset: 0,
          length: 10,
          url: a3,
          timestamp: '20200101000000',
          requested: { timestamp: '20200101000000', original: a3 },
          sourceUri: undefined,
          fetchedAt: undefined,
        },
      ],
      undefined,
    );
    assert.equal(state.linkFoundRecords(), 1);
    store(id('20200201000000', 'https://www.hkcnews.com/news'), 30, 'https://web.archive.org/web/20200201000000id_/x');
    assert.deepEqual(
      [...state.heldCaptures()],
      [
        { articleId: 3, timestamp: '20200101000000', original: 'https://www.hkcnews.com/article/3' },
        { articleId: 7, timestamp: '20210102030405', original: `${a7}?from=redirect` },
        { articleId: 7, timestamp: '20210301000000', original: a7 },
      ],
    );
  } finally {
    state.close();
  }
});
