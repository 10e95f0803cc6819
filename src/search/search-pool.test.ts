/** The search pool (searches in worker threads) and the reader's use of it, on a small fixture archive. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createFixtureArchive } from '../../test/helpers/reader-fixture.js';
import { createReader } from '../reader/index.js';
import { isSalvageError } from '../errors.js';
import { SearchIndex, SEARCH_INDEX_FILE } from './index-db.js';
import { MAX_QUERY_EXCLUSIONS, search } from './query.js';
import { SearchPool } from './search-pool.js';

let fixture: { dir: string; cleanup: () => void };
before(() => {
  fixture = createFixtureArchive();
});
after(() => fixture.cleanup());

/** Issue 12's query: 250 mixed-script exclusions. */
const HOSTILE_QUERY = Array.from({ length: 250 }, (_, i) => `-的${String.fromCharCode(97 + (i % 26))}${i}`).join(' ');

test('a pool search answers exactly what search() answers in this thread', async () => {
  const pool = new SearchPool({ file: join(fixture.dir, SEARCH_INDEX_FILE) });
  const index = SearchIndex.openDir(fixture.dir, { readonly: true });
  try {
    for (const q of ['香港', '港 -政府', '', HOSTILE_QUERY]) {
      assert.deepEqual(
        await pool.search({ q, limit: 100, group: true }),
        search(index, { q, limit: 100, group: true }),
        q.slice(0, 20),
      );
    }
    const limited = await pool.search({ q: HOSTILE_QUERY });
    assert.ok(
      limited.limited !== undefined && limited.limited.droppedExclusions.length > 0 && limited.limited.ignoredChars > 0,
    );
  } finally {
    index.close();
    await pool.close();
  }
});

test('a search past the time budget is refused with SEARCH_TOO_COSTLY and its thread replaced', async () => {
  // A budget of 0 ms: the timer fires before any thread can answer (a thread takes far longer to start).
  const pool = new SearchPool({ file: join(fixture.dir, SEARCH_INDEX_FILE), budgetMs: 0 });
  try {
    await assert.rejects(pool.search({ q: '香港' }), (e) => isSalvageError(e) && e.code === 'SEARCH_TOO_COSTLY');
    await assert.rejects(pool.search({ q: '港' }), (e) => isSalvageError(e) && e.code === 'SEARCH_TOO_COSTLY');
  } finally {
    await pool.close();
  }
  // The same pool settings with a budget: the replacement thread answers.
  const ok = new SearchPool({ file: join(fixture.dir, SEARCH_INDEX_FILE) });
  try {
    assert.equal(typeof (await ok.search({ q: '港' })).total, 'number');
  } finally {
    await ok.close();
  }
});

test('searches past the queue limit are refused at once, the queued ones answered', async () => {
  const pool = new SearchPool({ file: join(fixture.dir, SEARCH_INDEX_FILE), maxQueued: 2 });
  try {
    const jobs = Array.from({ length: 4 }, (_, i) => pool.search({ q: `港${i}` }));
    const settled = await Promise.allSettled(jobs);
    // The first is taken by the thread at once; two wait; the fourth finds the queue full.
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
    );
    const refused = settled[3] as PromiseRejectedResult;
    assert.ok(isSalvageError(refused.reason) && refused.reason.code === 'SEARCH_TOO_COSTLY');
  } finally {
    await pool.close();
  }
});

test('the reader answers an article page while a search is still running in its search thread', async () => {
  const reader = createReader({ dir: fixture.dir });
  try {
    const order: string[] = [];
    const searching = reader
      .fetch(new Request(`http://reader.test/search/?q=${encodeURIComponent(HOSTILE_QUERY.slice(0, 1000))}`))
      .then((r) => {
        order.push('search');
        return r;
      });
    const article = await reader.fetch(new Request('http://reader.test/article/101/'));
    order.push('article');
    assert.equal(article.status, 200);
    const page = await searching;
    assert.deepEqual(order, ['article', 'search'], 'the search ran off the server thread, so the article came first');
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, /class="notice limits"/);
    assert.match(body, new RegExp(`最多套用 ${MAX_QUERY_EXCLUSIONS} 個排除字詞`));
    const api = await reader.fetch(
      new Request(`http://reader.test/api/search?q=${encodeURIComponent(HOSTILE_QUERY.slice(0, 1000))}`),
    );
    const json = (await api.json()) as { limited?: { droppedExclusions: string[] } };
    assert.ok((json.limited?.droppedExclusions.length ?? 0) > 0);
  } finally {
    reader.close();
  }
});
