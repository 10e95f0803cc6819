import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createFixtureArchive, writeFixtureArchive } from '../../test/helpers/reader-fixture.js';
import { buildIndex, SearchIndex } from '../search/index.js';
import { codedEtag, negotiate, noneMatch } from './encoding.js';
import { PAGE_STORE_FILE, PageStore, prunePageStore } from './page-store.js';
import { createReader, type PlainResponse } from './index.js';

const header = (r: PlainResponse, name: string): string | undefined =>
  r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

test('Accept-Encoding picks the accepted coding of higher weight (brotli on a tie), else none; q=0 refuses and * stands for the rest', () => {
  assert.equal(negotiate(undefined), 'identity');
  assert.equal(negotiate(''), 'identity');
  assert.equal(negotiate('gzip, deflate, br'), 'br');
  assert.equal(negotiate('gzip, deflate'), 'gzip');
  assert.equal(negotiate('br;q=0, gzip'), 'gzip');
  assert.equal(negotiate('BR;Q=0.5'), 'br');
  assert.equal(negotiate('*'), 'br');
  assert.equal(negotiate('*;q=0'), 'identity');
  assert.equal(negotiate('gzip;q=0, *'), 'br');
  assert.equal(negotiate('deflate, identity'), 'identity');
  assert.equal(negotiate('x-gzip'), 'gzip');
  assert.equal(negotiate(`${'zz, '.repeat(5000)}br`), 'identity', 'a huge header is read to its first entries');
  assert.equal(negotiate('gzip;q=1, br;q=0.1'), 'gzip', 'the higher weight wins');
  assert.equal(negotiate('gzip;q=0.5, br;q=0.5'), 'br', 'brotli on a tie');
  assert.equal(negotiate('br;q=-1, gzip'), 'gzip', 'a weight that is no number from 0 to 1 is ignored');
  assert.equal(negotiate('br;q=abc'), 'identity');
  assert.equal(negotiate('br;q=1.5'), 'identity');
});

test('If-None-Match matches a listed, weak or wildcard validator, each coding by its own ETag', () => {
  assert.equal(codedEtag('"abc"', 'identity'), '"abc"');
  assert.equal(codedEtag('"abc"', 'br'), '"abc-br"');
  assert.equal(codedEtag('"abc"', 'gzip'), '"abc-gz"');
  assert.ok(noneMatch('"x", "abc-br"', '"abc-br"'));
  assert.ok(noneMatch('W/"abc"', '"abc"'));
  assert.ok(noneMatch('*', '"abc"'));
  assert.ok(!noneMatch('"abc"', '"abc-br"'));
  assert.ok(!noneMatch(undefined, '"abc"'));
});

test('a page rendered once is answered by another reader of the folder from the page store, in the coding asked', async () => {
  const fixture = createFixtureArchive();
  try {
    const first = createReader({ dir: fixture.dir });
    const plain = await first.respond('GET', '/article/101/');
    assert.equal(plain.status, 200);
    assert.equal(header(plain, 'content-encoding'), undefined);
    const text = Buffer.from(plain.body!).toString('utf8');
    first.close();
    assert.ok(existsSync(join(fixture.dir, PAGE_STORE_FILE)));

    // A new process (a restart, another worker): no render, the stored page is answered at once.
    const second = createReader({ dir: fixture.dir });
    const br = second.cached('GET', '/article/101/', undefined, 'gzip, deflate, br');
    assert.ok(br !== undefined, 'served from the page store without rendering');
    assert.equal(header(br, 'content-encoding'), 'br');
    assert.equal(header(br, 'vary'), 'Accept-Encoding');
    assert.equal(header(br, 'content-length'), String(br.body!.byteLength));
    assert.equal(brotliDecompressSync(br.body!).toString('utf8'), text);
    const gz = second.cached('GET', '/article/101/', undefined, 'gzip');
    assert.equal(header(gz!, 'content-encoding'), 'gzip');
    assert.equal(gunzipSync(gz!.body!).toString('utf8'), text);
    const identity = second.cached('GET', '/article/101/');
    assert.equal(Buffer.from(identity!.body!).toString('utf8'), text);
    // Each coding is its own representation: its own strong ETag, and a 304 only for that one.
    const etags = [br, gz, identity].map((r) => header(r!, 'etag'));
    assert.equal(new Set(etags).size, 3);
    assert.equal(etags[2], header(plain, 'etag'));
    assert.equal(second.cached('GET', '/article/101/', etags[0], 'br')?.status, 304);
    assert.equal(second.cached('GET', '/article/101/', etags[2], 'br')?.status, 200);
    const head = second.cached('HEAD', '/article/101/', undefined, 'br');
    assert.equal(head?.body, null);
    assert.equal(header(head, 'content-length'), String(br.body!.byteLength));
    second.close();
  } finally {
    fixture.cleanup();
  }
});

test('a re-index that changes the archive retires every stored page; one that changes nothing keeps them', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir });
    await reader.respond('GET', '/article/101/');
    reader.close();
    buildIndex(fixture.dir); // nothing changed
    const kept = createReader({ dir: fixture.dir });
    assert.ok(kept.cached('GET', '/article/101/') !== undefined, 'an unchanged index keeps its pages');

    writeFixtureArchive(fixture.dir, [{ id: 101, title: '改寫後的標題', date: '2020-03-01', body: '新的內文。' }]);
    // The running reader sees the new index on its next request, and renders the new page.
    const after = await kept.respond('GET', '/article/101/');
    assert.match(Buffer.from(after.body!).toString('utf8'), /改寫後的標題/);
    kept.close();
    const fresh = createReader({ dir: fixture.dir });
    const stored = fresh.cached('GET', '/article/101/');
    assert.match(Buffer.from(stored!.body!).toString('utf8'), /改寫後的標題/);
    fresh.close();
  } finally {
    fixture.cleanup();
  }
});

test('only a page at its own address is stored: no query strings, other escapes, leading zeros or searches', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir });
    assert.equal(await reader.store('/article/101/'), 'stored');
    assert.equal(await reader.store('/article/101/'), 'kept');
    const spellings = [
      '/article/101/?utm=x',
      '/article/0101/',
      '/%61rticle/101/',
      '/article/%31%30%31/',
      `/search/?q=${encodeURIComponent('衞生署')}`,
    ];
    for (const path of spellings) assert.equal(await reader.store(path), 'not-stored', path);
    assert.equal(await reader.store('/article/424242/'), 'not-stored', 'a 404 is not kept');
    for (const path of spellings.slice(0, 4)) assert.equal((await reader.respond('GET', path)).status, 200, path);
    // A name outside ASCII is stored in the spelling the reader's links use (upper-case escapes).
    assert.equal(await reader.store(`/tag/${encodeURIComponent('立法會')}/`), 'stored');
    assert.equal(await reader.store(`/tag/${encodeURIComponent('立法會').toLowerCase()}/`), 'not-stored');
    reader.close();
    const next = createReader({ dir: fixture.dir });
    assert.ok(next.cached('GET', '/article/101/') !== undefined);
    for (const path of spellings) assert.equal(next.cached('GET', path), undefined, path);
    next.close();
  } finally {
    fixture.cleanup();
  }
});

test('an API search is one cache entry whatever the order of its parameters; a search page keeps its order', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir, pageStore: false });
    const q = encodeURIComponent('衞生署');
    const a = await reader.respond('GET', `/api/search?q=${q}&sort=date`);
    const b = reader.cached('GET', `/api/search?sort=date&q=${q}`);
    assert.ok(b !== undefined);
    assert.equal(header(b, 'etag'), header(a, 'etag'));
    // The page's facet links repeat the parameters in the order given: another order is another page.
    await reader.respond('GET', `/search/?q=${q}&sort=date`);
    assert.equal(reader.cached('GET', `/search/?sort=date&q=${q}`), undefined);
    reader.close();
  } finally {
    fixture.cleanup();
  }
});

test('a folder whose page store cannot be opened is served without one', async () => {
  const fixture = createFixtureArchive();
  try {
    mkdirSync(join(fixture.dir, PAGE_STORE_FILE)); // a directory where the file should be
    const errors: Error[] = [];
    const warnings: string[] = [];
    const reader = createReader({
      dir: fixture.dir,
      onError: (e) => errors.push(e),
      onWarning: (w) => warnings.push(w),
    });
    assert.equal(reader.pageStoreFile(), undefined);
    assert.equal((await reader.respond('GET', '/article/101/')).status, 200);
    assert.equal((await reader.respond('GET', '/article/105/')).status, 200);
    assert.deepEqual(errors, [], 'not an internal error');
    assert.equal(warnings.length, 1, 'one line says so');
    assert.match(warnings[0]!, /pages are not kept in .*reader-pages\.sqlite/);
    reader.close();
    rmSync(join(fixture.dir, PAGE_STORE_FILE), { recursive: true });
  } finally {
    fixture.cleanup();
  }
});

test('a worker opening the page store while another process holds its lock waits for it instead of serving without one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-page-store-'));
  // Another process creates the store and holds its write lock for a moment (as a second worker
  // creating it, or salvage render writing a batch, does); the lock is released by its exit.
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1]);
       db.pragma('journal_mode = WAL');
       db.exec('BEGIN EXCLUSIVE');
       process.stdout.write('locked\\n');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
       db.exec('COMMIT');`,
      join(dir, PAGE_STORE_FILE),
    ],
    { cwd: resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [first] = await once(holder.stdout, 'data');
    assert.equal(first.toString(), 'locked\n');
    let failure: Error | undefined;
    const store = PageStore.open(dir, 'stamp', 'generation', (error) => (failure = error));
    assert.ok(store !== undefined, `opened (${failure?.message ?? ''})`);
    store.close();
  } finally {
    if (holder.exitCode === null) await once(holder, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a page rendered while the index changes is answered but not kept, so a takedown is never stored over', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir });
    const pending = reader.respond('GET', '/article/104/'); // renders from the old index
    writeFileSync(join(fixture.dir, 'takedowns.yaml'), '- id: 104\n  date: 2026-12-01\n  reason: r\n  by: b\n');
    buildIndex(fixture.dir);
    assert.equal(reader.cached('GET', '/'), undefined, 'a request that sees the new index');
    assert.equal((await pending).status, 200);
    reader.close();
    const fresh = createReader({ dir: fixture.dir });
    assert.equal(fresh.cached('GET', '/article/104/'), undefined, 'the old page was not stored');
    assert.equal((await fresh.respond('GET', '/article/104/')).status, 410);
    fresh.close();
  } finally {
    fixture.cleanup();
  }
});

test('a build that finishes an interrupted one renews the generation, so pages of the half-built index go', () => {
  const fixture = createFixtureArchive();
  try {
    const index = SearchIndex.openDir(fixture.dir);
    const before = index.generation();
    index.beginBuild(); // killed here: the mark stays
    index.close();
    const progress = buildIndex(fixture.dir);
    assert.equal(progress.indexed, 0, 'nothing left to index');
    const after = SearchIndex.openDir(fixture.dir, { readonly: true });
    assert.notEqual(after.generation(), before);
    after.close();
    const idle = SearchIndex.openDir(fixture.dir, { readonly: true });
    const g = idle.generation();
    idle.close();
    buildIndex(fixture.dir); // nothing changed, nothing interrupted
    const same = SearchIndex.openDir(fixture.dir, { readonly: true });
    assert.equal(same.generation(), g);
    same.close();
  } finally {
    fixture.cleanup();
  }
});

test('pruning removes the pages of other index generations only', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir });
    await reader.store('/article/101/');
    reader.close();
    const index = SearchIndex.openDir(fixture.dir, { readonly: true });
    const generation = index.generation();
    index.close();
    assert.equal(prunePageStore(fixture.dir, generation), 0);
    assert.equal(prunePageStore(fixture.dir, 'another'), 1);
    assert.equal(prunePageStore(join(fixture.dir, 'articles'), generation), 0, 'no store: nothing to do');
  } finally {
    fixture.cleanup();
  }
});
