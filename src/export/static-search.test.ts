import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  conversionTables as serverTables,
  convertibleChars,
  fold,
  search,
  SearchIndex,
  termForms,
  type SearchDocument,
  type SearchOptions,
} from '../search/index.js';
import { conversionTables as clientTables } from './client/zh-map.js';
import { indexDocuments } from './index-documents.js';
import { storedBytes, writeStaticIndex } from './search-index.js';
import { isGzip, unpackIndexFile } from './client/codec.js';
import { StaticSearchIndex, minimalCover } from './client/search-core.js';
import { fileLoader } from './loader.js';

let nextId = 1;
function doc(fields: Partial<SearchDocument> & { title: string; text: string }): SearchDocument {
  const id = fields.id ?? nextId++;
  return { id, path: `articles/1-1000/article_${id}.md`, mtime: 1, size: 1, tags: [], ...fields };
}

const CORPUS: SearchDocument[] = [
  doc({
    id: 1,
    title: '衞生署公布確診',
    text: '衞生署今日公布新增確診個案，電車路綫暫停。',
    date: '2020-03-01',
    author: '記者甲',
    category: '眾聞',
    tags: ['疫情'],
  }),
  doc({
    id: 2,
    title: '香港政府記者會',
    text: '香港政府今日舉行記者會，談及 COVID-19 疫苗 <script>alert(1)</script>。',
    date: '2021-05-02',
    author: '記者乙',
    category: '評論',
    tags: ['政府', '疫情'],
  }),
  doc({
    id: 3,
    title: '港鐵延誤',
    text: '港鐵東鐵綫延誤，乘客需轉乘巴士。MTR says sorry.',
    date: '2019-10-10',
    author: '記者甲',
    category: '眾聞',
    tags: ['交通'],
  }),
  doc({
    id: 4,
    title: '港鐵延誤',
    text: '港鐵東鐵綫延誤，乘客需轉乘巴士。MTR says sorry (updated).',
    date: '2019-10-10',
    author: '記者甲',
    category: '眾聞',
    tags: ['交通'],
  }),
  doc({
    id: 5,
    title: 'Startup art',
    text: 'An article about the start of art in HK01 and 香港. 𠮷野家',
    date: '2018-01-01',
    category: 'English',
    tags: ['art'],
  }),
  doc({ id: 17, title: '無日期', text: '香港香港香港，民主 派與政府。' }),
];

interface Fixture {
  server: SearchIndex;
  client: StaticSearchIndex;
  /** The static index folder. */
  dir: string;
  cleanup: () => void;
}

async function fixture(
  docs: readonly SearchDocument[],
  shards = 8,
  inlineMaxBytes = 16,
  recordsPerFile = 1,
): Promise<Fixture> {
  const server = new SearchIndex(':memory:');
  server.upsertMany(docs);
  const dir = mkdtempSync(join(tmpdir(), 'salvage-static-'));
  writeStaticIndex(indexDocuments(server), dir, { shards, inlineMaxBytes, partitions: 4, recordsPerFile });
  const client = await StaticSearchIndex.open(fileLoader(dir));
  return {
    server,
    client,
    dir,
    cleanup: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The server's full answer: total, groups, ids in order (paged at the server's page limit). */
function serverAll(index: SearchIndex, options: SearchOptions): { total: number; groups?: number; ids: number[] } {
  const ids: number[] = [];
  let first;
  for (let offset = 0; ; offset += 500) {
    const r = search(index, { ...options, limit: 500, offset });
    first ??= r;
    ids.push(...r.results.map((x) => x.id));
    if (r.results.length < 500) break;
  }
  return { total: first.total, ...(first.groups !== undefined ? { groups: first.groups } : {}), ids };
}

async function assertSame(f: Fixture, options: SearchOptions): Promise<void> {
  const s = serverAll(f.server, options);
  const ids = await f.client.matchIds(options);
  assert.equal(ids.length, s.total, `total of ${JSON.stringify(options)}`);
  if (options.group !== true) assert.deepEqual(ids, s.ids, `ids in order of ${JSON.stringify(options)}`);
  for (const offset of [0, 3]) {
    const page = await f.client.search({ ...options, limit: 5, offset });
    assert.deepEqual(
      page,
      search(f.server, { ...options, limit: 5, offset }),
      `page at ${offset} of ${JSON.stringify(options)}`,
    );
  }
}

test('the static search answers the fixture queries as the server does, in its order', async () => {
  const f = await fixture(CORPUS);
  try {
    const queries: SearchOptions[] = [
      { q: '卫生署' },
      { q: '衛生署' },
      { q: '电车路线' },
      { q: '东铁线' },
      { q: '港' },
      { q: '署' },
      { q: '香港' },
      { q: '记者会' },
      { q: 'covid-19 疫苗' },
      { q: 'hk01' },
      { q: 'art' },
      { q: 'tup' },
      { q: '"says sorry (updated)"' },
      { q: '港鐵 -updated' },
      { q: '-香港' },
      { q: '"民主 派"' },
      { q: '，' },
      { q: '𠮷' },
      { q: '𠮷野' },
      { q: '香港香港' },
      { q: '' },
      { q: '港', category: '眾聞' },
      { q: '港', author: '記者甲', from: '2019-01-01', to: '2019-12-31' },
      { q: '港', from: '2019' },
      { q: '港', to: '2019-10' },
      { q: '港', from: 'not a date' },
      { q: '延誤 港' },
      { q: '港鐵 sorry' },
      { q: '', tag: '疫情' },
      { q: '', tag: 'none' },
      { q: '港鐵', group: true },
      { q: '港', group: true, sort: 'date' },
      { q: 'nothing-here' },
      { q: '"' },
      { q: '- -' },
      { q: 'MTR SAYS' },
    ];
    for (const q of queries) {
      await assertSame(f, q);
      await assertSame(f, { ...q, sort: 'date' });
      await assertSame(f, { ...q, group: true, facets: true });
    }
  } finally {
    f.cleanup();
  }
});

test('result rows carry the server fields and highlighted snippets', async () => {
  const f = await fixture(CORPUS);
  try {
    const options: SearchOptions = { q: 'script 疫苗', sort: 'date' };
    const page = await f.client.search(options);
    assert.deepEqual(page, search(f.server, options));
    assert.match(page.results[0]!.snippet, /<mark>疫苗<\/mark>/);
    assert.doesNotMatch(page.results[0]!.snippet, /<script>/);
    const grouped = await f.client.search({ q: '港鐵', group: true });
    assert.equal(grouped.groups, 1);
    assert.equal(grouped.results[0]!.groupSize, 2);
    assert.ok(await f.client.has(17));
    assert.ok(!(await f.client.has(6)));
  } finally {
    f.cleanup();
  }
});

test('minimalCover pins every character at the least weight', () => {
  assert.deepEqual(minimalCover([5]), [0]);
  assert.deepEqual(minimalCover([1, 1]), [0, 1]);
  assert.deepEqual(minimalCover([1, 100, 1]), [0, 2]);
  assert.deepEqual(minimalCover([1, 1, 100, 1]), [0, 1, 3]);
});

const ALPHABET = ['港', '香', '人', '民', '主', '衞', '卫', '線', '线', ' ', '，', 'a', 'B', '1', '𠮷'];
const text = fc.array(fc.constantFrom(...ALPHABET), { minLength: 0, maxLength: 40 }).map((cs) => cs.join(''));
const word = fc
  .array(fc.constantFrom(...ALPHABET.filter((c) => c !== ' ')), { minLength: 1, maxLength: 5 })
  .map((cs) => cs.join(''));
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('', '-'),
      fc.boolean(),
      fc.oneof(
        word,
        fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
      ),
    ),
    { minLength: 0, maxLength: 3 },
  )
  .map((parts) =>
    parts.map(([sign, quoted, w]) => (quoted || w.includes(' ') ? `${sign}"${w}"` : `${sign}${w}`)).join(' '),
  );

test("random queries over random Chinese text give the server's results in its order (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(text, text, fc.constantFrom('2019-01-01', '2020-06-30', undefined)), {
        minLength: 1,
        maxLength: 25,
      }),
      fc.array(query, { minLength: 1, maxLength: 6 }),
      // A file per record, or groups (the compact export), which must answer alike.
      fc.constantFrom(1, 3, 16),
      async (rows, queries, recordsPerFile) => {
        const docs = rows.map(([title, body, date], i) =>
          doc({ id: i + 1, title: title || 't', text: body, ...(date !== undefined ? { date } : {}) }),
        );
        const f = await fixture(docs, 4, 8, recordsPerFile);
        try {
          for (const q of queries) {
            await assertSame(f, { q, sort: 'date' });
            await assertSame(f, { q, from: '2020-01-01' });
            await assertSame(f, { q, group: true, facets: true });
          }
        } finally {
          f.cleanup();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('text holding U+FEFF (a zero-width no-break space) is indexed and found like any other character', async () => {
  const docs = [
    doc({ id: 1, title: '\uFEFF 香港新聞', text: '內文\uFEFF香港\uFEFF' }),
    doc({ id: 2, title: '香港', text: '\uFEFF\uFEFF 另一篇' }),
    doc({ id: 3, title: '其他', text: '沒有' }),
  ];
  // One shard, so one partition: every record after the first U+FEFF token is read from the same file.
  const f = await fixture(docs, 1, 1);
  try {
    for (const q of ['香港', '\uFEFF香港', '另一篇', '其他', '"\uFEFF "']) {
      await assertSame(f, { q });
      await assertSame(f, { q, sort: 'date', facets: true });
    }
    assert.equal((await f.client.matchIds({ q: '另一篇' })).length, 1);
  } finally {
    f.cleanup();
  }
});

test('the static search settles shared-character terms and puts literal matches first, as the server does', async () => {
  const docs = [
    doc({ id: 1, title: '周三開會', text: '議員周三表決，其后表示。', date: '2019-01-01' }),
    doc({ id: 2, title: '週三', text: '週三放假，其後表決。', date: '2020-01-01' }),
    doc({ id: 3, title: '頭髮', text: '內地網民說头发很重要。', date: '2018-01-01' }),
    doc({ id: 4, title: '其後表決', text: '頭髮新聞，其後表決。', date: '2021-01-01' }),
  ];
  const f = await fixture(docs);
  try {
    for (const q of ['周三', '週三', '其后表', '头发', '头发 -周三', '其后表 头发', '头发a', '說头发'])
      for (const sort of ['relevance', 'date'] as const) await assertSame(f, { q, sort });
    assert.deepEqual(await f.client.matchIds({ q: '周三' }), [1], '周三 as typed');
    assert.deepEqual(await f.client.matchIds({ q: '头发' }), [3, 4], 'the literal 头发 first');
  } finally {
    f.cleanup();
  }
});

test("the browser's conversion tables, loaded shard by shard for a query, read it as the server's full tables do", async () => {
  const f = await fixture(CORPUS);
  try {
    const queries = ['价值', '年退休后', '头发', '周三', '香港头发 -干净', '干部', '发', '台', '衛生署', '只干系'];
    for (const q of queries) {
      await f.client.search({ q });
      for (const term of q.split(/\s+/).map((t) => t.replace(/^-/, '')))
        assert.deepEqual(termForms(term, fold, clientTables()), termForms(term, fold, serverTables()), term);
    }
  } finally {
    f.cleanup();
  }
  // A query needing no conversion loads no table; one Simplified word loads a few phrase shards, not all.
  const site = await fixture(CORPUS);
  try {
    const files = fileLoader(site.dir);
    const paths: string[] = [];
    const client = await StaticSearchIndex.open({ load: (path) => (paths.push(path), files.load(path)) });
    await client.search({ q: '香港' });
    assert.ok(!paths.some((p) => p.startsWith('zh/')), 'no conversion table for 香港');
    const before = files.bytes;
    await client.search({ q: '价值' });
    const zh = paths.filter((p) => p.startsWith('zh/phrases/'));
    assert.ok(zh.length >= 1 && zh.length <= 2, `phrase shards for 价值: ${zh.join(', ')}`);
    assert.ok(files.bytes - before < 400_000, `${files.bytes - before} bytes`);
  } finally {
    site.cleanup();
  }
});

test('every dictionary phrase that reads differently holds a character a reading can change (what the browser relies on)', () => {
  const tables = serverTables();
  const convertible = new Set(convertibleChars(tables));
  for (const [key, value] of tables.phrases)
    if (key !== value)
      assert.ok(
        Array.from(key).some((c) => convertible.has(c)),
        `${key} → ${value}`,
      );
});

test('index files are stored gzipped when smaller, always when they would start with the gzip magic, and read back exactly (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        // Plain bytes that look like a gzip member must not be taken for one.
        fc.uint8Array({ maxLength: 60 }).map((rest) => Uint8Array.from([0x1f, 0x8b, 0x08, ...rest])),
        fc.string({ maxLength: 400 }).map((s) => new TextEncoder().encode(s.repeat(3))),
      ),
      async (plain) => {
        const stored = storedBytes(plain);
        assert.ok(stored.length <= plain.length || isGzip(plain), 'never larger, unless it had to be wrapped');
        assert.deepEqual(await unpackIndexFile(stored), plain);
      },
    ),
    { numRuns: 300 },
  );
});

test('an exported index holds gzipped files, and its manifest stays plain JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-gz-'));
  try {
    const text = '立法會選舉押後一年，政府說是為了防疫。'.repeat(40);
    writeStaticIndex(
      [1, 2, 3].map((id) => ({
        ...doc({ id, title: `標題${id}`, text }),
        groupKey: String(id),
        folded: fold(`標題${id}\n${text}`),
        titleFolded: fold(`標題${id}`),
      })),
      dir,
      { shards: 64, partitions: 64 },
    );
    assert.ok(isGzip(readFileSync(join(dir, 'doc/0/1.json'))), 'a long record is stored gzipped');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: number };
    assert.equal(manifest.version, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
