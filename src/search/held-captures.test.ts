import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrawlState, STATE_FILE, type NewCapture } from '../store/index.js';
import { buildIndex } from './build.js';
import { Catalog } from './catalog.js';
import { SearchIndex } from './index-db.js';

const work = mkdtempSync(join(tmpdir(), 'salvage-held-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

const original = (id: number): string => `https://www.hkcnews.com/article/${id}/x`;

/** An archive folder with files for articles 1 and 2 (no crawl state yet). */
function archive(): string {
  const dir = join(work, `a${++n}`);
  mkdirSync(join(dir, 'articles', '1-1000'), { recursive: true });
  for (const id of [1, 2])
    writeFileSync(
      join(dir, 'articles', '1-1000', `article_${id}.md`),
      `---\ntitle: "t${id}"\ndate: "2021-01-0${id}"\nurl: "https://web.archive.org/web/20210601000000/${original(id)}"\noriginal_url: "${original(id)}"\nid: "${id}"\n---\n\n# t${id}\n\nbody\n`,
    );
  return dir;
}

function cdxRow(articleId: number, timestamp: string): NewCapture {
  const url = original(articleId);
  return {
    key: `${timestamp} ${url} D${timestamp} 200`,
    articleId,
    urlkey: `com,hkcnews)/article/${articleId}/x`,
    timestamp,
    original: url,
    mimetype: 'text/html',
    statuscode: 200,
    digest: `D${timestamp}`,
    length: 100,
  };
}

/** Store the captures (article, timestamp) in the folder's crawl state as fetched into a WARC. */
function hold(dir: string, captures: [number, string][]): void {
  const state = CrawlState.open(join(dir, STATE_FILE), 'hkcnews');
  try {
    state.addCdxBlock(
      'q',
      captures.map(([id, ts]) => cdxRow(id, ts)),
      undefined,
    );
    for (const [id, ts] of captures) {
      const row = state.get<{ id: number }>('SELECT id FROM captures WHERE timestamp = ? AND article_id = ?', ts, id)!;
      const offset = state.warcSizes()[0]?.size ?? 0;
      state.captureStored({
        id: row.id,
        warc: 'salvage-00000.warc.gz',
        offset,
        length: 10,
        fetchedAt: '2026-01-01T00:00:00Z',
        mementoUrl: `https://web.archive.org/web/${ts}id_/${original(id)}`,
      });
    }
  } finally {
    state.close();
  }
}

function held(dir: string, id: number): string[] {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    return new Catalog(index).heldMementos(id).map((m) => `${m.timestamp} ${m.original}`);
  } finally {
    index.close();
  }
}

function generation(dir: string): string {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    return index.generation();
  } finally {
    index.close();
  }
}

test('the index lists each article the captures its WARCs hold, oldest first, and only those', () => {
  const dir = archive();
  hold(dir, [
    [1, '20210601000000'],
    [1, '20200101000000'],
    [2, '20190101000000'],
  ]);
  // A capture the state knows but never fetched is not held.
  const state = CrawlState.open(join(dir, STATE_FILE), 'hkcnews');
  state.addCdxBlock('q2', [cdxRow(2, '20220101000000')], undefined);
  state.close();
  const progress = buildIndex(dir);
  assert.deepEqual(progress.captures, { held: 3, changed: true });
  assert.deepEqual(held(dir, 1), [`20200101000000 ${original(1)}`, `20210601000000 ${original(1)}`]);
  assert.deepEqual(held(dir, 2), [`20190101000000 ${original(2)}`]);
  assert.deepEqual(held(dir, 3), []);
});

test('a build that finds the same held captures keeps the generation; a new capture renews it', () => {
  const dir = archive();
  hold(dir, [[1, '20210601000000']]);
  buildIndex(dir);
  const first = generation(dir);
  assert.deepEqual(buildIndex(dir).captures, { held: 1, changed: false });
  assert.equal(generation(dir), first, 'nothing changed: the reader keeps its stored pages');
  hold(dir, [[1, '20211201000000']]);
  const again = buildIndex(dir);
  assert.equal(again.indexed, 0, 'no archive file changed');
  assert.deepEqual(again.captures, { held: 2, changed: true });
  assert.notEqual(generation(dir), first, 'the TimeMap of article 1 changed: its pages are rendered again');
  assert.equal(held(dir, 1).length, 2);
});

test('an archive without a crawl state (imported) holds no captures beyond its files', () => {
  const dir = archive();
  assert.deepEqual(buildIndex(dir).captures, { held: 0, changed: false });
  assert.deepEqual(held(dir, 1), []);
});

test('a crawl state that cannot be read leaves the earlier list and says why, and the build goes on', () => {
  const dir = archive();
  hold(dir, [[1, '20210601000000']]);
  buildIndex(dir);
  rmSync(join(dir, STATE_FILE));
  rmSync(join(dir, `${STATE_FILE}-wal`), { force: true });
  rmSync(join(dir, `${STATE_FILE}-shm`), { force: true });
  writeFileSync(
    join(dir, STATE_FILE),
    'this is not a database, just some bytes that are long enough to look like one'.repeat(100),
  );
  const progress = buildIndex(dir);
  assert.equal(progress.captures?.changed, false);
  assert.equal(progress.captures?.held, 1);
  assert.match(progress.captures?.unreadable ?? '', /state\.sqlite/);
  assert.deepEqual(held(dir, 1), [`20210601000000 ${original(1)}`]);
});
