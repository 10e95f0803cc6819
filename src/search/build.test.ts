import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { buildIndex, buildIndexInParallel } from './build.js';
import { isSalvageError } from '../errors.js';
import { bootId, CORRUPT_INDEX_SUFFIX, SEARCH_INDEX_FILE, SearchIndex } from './index-db.js';
import { MAX_INDEXED_TITLE_CHARS, prepareDocument } from './prepare.js';
import { unigramTokens } from './tokens.js';
import { search } from './query.js';

function archive(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-build-'));
  mkdirSync(join(dir, 'articles', '1-1000'), { recursive: true });
  const words = ['香港', '政府', '衞生署', '港鐵', '記者會', 'COVID-19', '立法會'];
  for (let id = 1; id <= n; id++) {
    const body = Array.from({ length: 5 }, (_, k) => words[(id * 7 + k * 3) % words.length]).join('，');
    const title = `第${id}篇：${words[id % words.length]}`;
    writeFileSync(
      join(dir, 'articles', '1-1000', `article_${id}.md`),
      `---\ntitle: "${title}"\ndate: "2020-01-${String((id % 28) + 1).padStart(2, '0')}"\ntags:\n  - "t${id % 3}"\n---\n\n# ${title}\n\n${body}\n`,
    );
  }
  writeFileSync(join(dir, 'articles', '1-1000', 'article_99999.md'), 'no frontmatter here\n');
  return dir;
}

function snapshot(dir: string): string {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    const rows = index.db
      .prepare(
        'SELECT id, sk, path, title, date, tags, group_key, title_folded, text, folded FROM articles ORDER BY id',
      )
      .all();
    const queries = ['港', '卫生署', 'covid', '政府 -港铁', ''].map((q) => search(index, { q, limit: 500 }));
    return JSON.stringify({ rows, queries });
  } finally {
    index.close();
  }
}

test('the parallel build writes the same index as the single-thread build, and reports unparsable files', async () => {
  const a = archive(1_050); // more than two worker chunks and two transactions
  const b = archive(1_050);
  try {
    const one = buildIndex(a);
    const many = await buildIndexInParallel(b, { workers: 2 });
    assert.deepEqual({ ...many, failed: many.failed.length }, { ...one, failed: one.failed.length });
    assert.equal(many.indexed, 1_050);
    assert.deepEqual(
      many.failed.map((f) => f.path),
      [join('articles', '1-1000', 'article_99999.md')],
    );
    assert.equal(snapshot(b), snapshot(a));
    const again = await buildIndexInParallel(b, { workers: 2 });
    assert.equal(again.unchanged, 1_050);
    assert.equal(again.indexed, 0);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('a batch writer commits every batchSize articles; a failed build rolls back only the open batch', () => {
  const index = new SearchIndex(':memory:');
  try {
    const docs = [1, 2, 3, 4, 5].map((id) =>
      prepareDocument({ id, path: `a/${id}.md`, mtime: 1, size: 1, tags: [], title: `第${id}篇`, text: '香港新聞' }),
    );
    const writer = index.batchWriter(2);
    writer.add(docs.slice(0, 3)); // 1, 2 committed; 3 in the open transaction
    assert.equal(index.db.inTransaction, true);
    writer.add(docs.slice(3, 4)); // 3, 4 committed
    assert.equal(index.db.inTransaction, false);
    writer.add(docs.slice(4));
    writer.abandon(); // 5 rolled back
    assert.equal(index.db.inTransaction, false);
    assert.equal(index.count(), 4);
    assert.deepEqual(
      search(index, { q: '香港', limit: 10 })
        .results.map((r) => r.id)
        .sort(),
      [1, 2, 3, 4],
    );
    const again = index.batchWriter(2);
    again.add(docs.slice(4));
    again.finish();
    assert.equal(index.count(), 5);
  } finally {
    index.close();
  }
});

test('a first build writes unsynced under a mark of its boot: cleared when done, kept by a killed process, rebuilt after a restart', async () => {
  const dir = archive(30);
  const file = join(dir, SEARCH_INDEX_FILE);
  const meta = (key: string): string | undefined => {
    const index = SearchIndex.openDir(dir, { readonly: true });
    try {
      return index.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
    } finally {
      index.close();
    }
  };
  // Written as a bulk load cut short leaves it (a SearchIndex opened to write would act on it at once).
  const plant = (value: string): void => {
    const db = new Database(file);
    db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('unsynced-bulk-load', value);
    db.close();
  };
  try {
    await buildIndexInParallel(dir, { workers: 1 });
    assert.equal(meta('unsynced-bulk-load'), undefined);
    // A mark of another boot: the machine stopped mid-load, the file is moved aside and built anew.
    plant('another-boot');
    const again = await buildIndexInParallel(dir, { workers: 1 });
    assert.equal(again.corruptMovedTo, file + CORRUPT_INDEX_SUFFIX);
    assert.equal(again.indexed, 30);
    assert.equal(meta('unsynced-bulk-load'), undefined);
    const boot = bootId();
    if (boot !== undefined) {
      // A mark of this boot: the process was killed; what it wrote stands, and the build goes on from it.
      plant(boot);
      const resumed = await buildIndexInParallel(dir, { workers: 1 });
      assert.equal(resumed.corruptMovedTo, undefined);
      assert.equal(resumed.unchanged, 30);
      assert.equal(meta('unsynced-bulk-load'), undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a huge title is indexed cut to MAX_INDEXED_TITLE_CHARS; a 3-million-character one is reported, and the run goes on', () => {
  // Issue 12: a 3-million-character title (a file of an older version or another tool) failed
  // with "Maximum call stack size exceeded" (its characters were spread as arguments).
  const dir = archive(3);
  try {
    const title = '港'.repeat(200_000) + 'ab'.repeat(100_000);
    writeFileSync(
      join(dir, 'articles', '1-1000', 'article_500.md'),
      `---\ntitle: "${title}"\ndate: "2020-01-01"\n---\n\n# 短\n\n${'正文 '.repeat(10)}\n`,
    );
    const huge = '港'.repeat(1_500_000) + 'ab'.repeat(750_000);
    writeFileSync(
      join(dir, 'articles', '1-1000', 'article_501.md'),
      `---\ntitle: "${huge}"\ndate: "2020-01-01"\n---\n\n# 短\n\n正文\n`,
    );
    const progress = buildIndex(dir);
    assert.equal(progress.indexed, 4);
    // The 3-million-character file: skipped by the parser's frontmatter limit or indexed with its
    // title cut, never a stack overflow, and the other files are indexed either way.
    for (const f of progress.failed) assert.doesNotMatch(f.message, /call stack/);
    assert.ok(
      progress.failed.every((f) =>
        [join('articles', '1-1000', 'article_99999.md'), join('articles', '1-1000', 'article_501.md')].includes(f.path),
      ),
    );
    const index = SearchIndex.openDir(dir, { readonly: true });
    try {
      const row = index.db.prepare<[], { title: string }>('SELECT title FROM articles WHERE id = 500').get();
      assert.equal(row?.title.length, MAX_INDEXED_TITLE_CHARS);
      assert.deepEqual(
        search(index, { q: '港港港' }).results.map((r) => r.id),
        [500],
      );
    } finally {
      index.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unigramTokens of a run of millions of characters does not overflow the stack', () => {
  assert.equal(unigramTokens('港'.repeat(3_000_000)).length, 3_000_000);
  assert.equal(unigramTokens('a'.repeat(300_000)).length, 300_000);
});

test('a damaged index file is moved aside and rebuilt by the next build; a reader is told it is damaged', async () => {
  const dir = archive(30);
  try {
    const file = join(dir, SEARCH_INDEX_FILE);
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a)); // not a database at all
    assert.throws(
      () => SearchIndex.openDir(dir, { readonly: true }),
      (e) =>
        isSalvageError(e) &&
        e.code === 'INPUT_UNREADABLE' &&
        /damaged/.test(e.message) &&
        !/another version/.test(e.message),
    );
    const progress = await buildIndexInParallel(dir, { workers: 1 });
    assert.equal(progress.corruptMovedTo, file + CORRUPT_INDEX_SUFFIX);
    assert.equal(progress.indexed, 30);
    assert.ok(existsSync(file + CORRUPT_INDEX_SUFFIX));
    const index = SearchIndex.openDir(dir, { readonly: true });
    assert.equal(index.count(), 30);
    index.close();

    // Damage inside a valid file (its pages overwritten): found by a write, then rebuilt.
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let at = 2 * pageSize; at < bytes.length; at += pageSize) bytes.fill(0xa5, at + 8, at + pageSize);
    writeFileSync(file, bytes);
    for (const name of readdirSync(join(dir, 'articles', '1-1000')))
      utimesSync(join(dir, 'articles', '1-1000', name), new Date(), new Date(Date.now() + 5000));
    const again = buildIndex(dir);
    assert.equal(again.corruptMovedTo, file + CORRUPT_INDEX_SUFFIX);
    assert.equal(again.indexed, 30);
    const rebuilt = SearchIndex.openDir(dir, { readonly: true });
    assert.equal(search(rebuilt, { q: '港' }).total, snapshotCount(dir));
    rebuilt.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Articles of the test archive whose text holds 港 (every one: each body has a 港 word or not; counted by scan). */
function snapshotCount(dir: string): number {
  let n = 0;
  for (const name of readdirSync(join(dir, 'articles', '1-1000'))) {
    const text = readFileSync(join(dir, 'articles', '1-1000', name), 'utf8');
    if (text.startsWith('---') && text.includes('港')) n++;
  }
  return n;
}

test('an index whose build did not finish is marked incomplete until a build completes', () => {
  const dir = archive(10);
  try {
    buildIndex(dir);
    const complete = SearchIndex.openDir(dir, { readonly: true });
    assert.equal(complete.isIncomplete(), false);
    assert.equal(search(complete, { q: '港' }).incomplete, undefined);
    complete.close();

    // What kill -9 leaves: a build began (the mark is committed first) and never ended.
    const writer = SearchIndex.openDir(dir);
    writer.beginBuild();
    writer.close();
    const reader = SearchIndex.openDir(dir, { readonly: true });
    assert.equal(reader.isIncomplete(), true);
    assert.equal(search(reader, { q: '港' }).incomplete, true);
    reader.close();

    buildIndex(dir);
    const finished = SearchIndex.openDir(dir, { readonly: true });
    assert.equal(finished.isIncomplete(), false);
    finished.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
