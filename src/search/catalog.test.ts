import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  articleFile,
  createFixtureArchive,
  FFFD_URL,
  PAGED_COUNT,
  PAGED_TAG,
  SLASH_TAG,
} from '../../test/helpers/reader-fixture.js';
import { buildIndex, Catalog, SearchIndex } from './index.js';

let fixture: { dir: string; cleanup: () => void };
let index: SearchIndex;
let catalog: Catalog;

before(() => {
  fixture = createFixtureArchive();
  index = SearchIndex.openDir(fixture.dir, { readonly: true });
  catalog = new Catalog(index);
});
after(() => {
  index.close();
  fixture.cleanup();
});

test('counts per year, month and day add up to the dated articles', () => {
  assert.equal(catalog.count(), 6 + PAGED_COUNT);
  assert.deepEqual(catalog.years(), [
    { name: '2018', count: PAGED_COUNT },
    { name: '2019', count: 1 },
    { name: '2020', count: 2 },
    { name: '2021', count: 2 },
  ]);
  assert.deepEqual(catalog.months(2021), [{ name: '2021-05', count: 2 }]);
  assert.deepEqual(catalog.days(2021, 5), [
    { name: '2021-05-02', count: 1 },
    { name: '2021-05-03', count: 1 },
  ]);
  assert.equal(
    catalog.days(2018, 1).reduce((n, d) => n + d.count, 0),
    PAGED_COUNT,
  );
  assert.deepEqual(catalog.months(1999), []);
});

test('a day lists its articles with revision groups collapsed to the newest id', () => {
  assert.deepEqual(
    catalog.onDay('2020-03-01').map((i) => [i.id, i.groupSize]),
    [[105, 2]],
  );
  assert.deepEqual(catalog.adjacentDays('2020-03-01'), { previous: '2019-03-01', next: '2021-05-02' });
  assert.deepEqual(catalog.adjacentDays('2021-05-03'), { previous: '2021-05-02' });
});

test('on this day gathers the same month and day of every year, newest year first', () => {
  assert.deepEqual(
    catalog.onThisDay('03-01').map((y) => [y.year, y.items.map((i) => i.id)]),
    [
      ['2020', [105]],
      ['2019', [104]],
    ],
  );
  assert.deepEqual(catalog.onThisDay('12-25'), []);
});

test('latest skips undated pages and collapses revisions', () => {
  const latest = catalog.latest(3);
  assert.deepEqual(
    latest.map((i) => i.id),
    [107, 103, 105],
  );
  assert.equal(latest[2]!.groupSize, 2);
});

test("names with counts, and each name's articles paged newest first", () => {
  assert.deepEqual(catalog.names('category'), [
    { name: '眾聞', count: 3 },
    { name: '眾說', count: 2 + PAGED_COUNT },
  ]);
  assert.ok(catalog.names('tag').some((t) => t.name === SLASH_TAG && t.count === 1));
  const first = catalog.byName('tag', PAGED_TAG, 1, 50);
  assert.equal(first.total, PAGED_COUNT);
  assert.equal(first.page.length, 50);
  const dates = first.page.map((i) => i.date!);
  assert.deepEqual(dates, [...dates].sort().reverse());
  assert.equal(catalog.byName('tag', PAGED_TAG, 2, 50).page.length, PAGED_COUNT - 50);
  assert.equal(catalog.byName('tag', PAGED_TAG, 3, 50).page.length, 0);
  assert.deepEqual(
    catalog.byName('category', '眾聞', 1, 50).page.map((i) => [i.id, i.groupSize]),
    [
      [107, 1],
      [105, 2],
    ],
  );
  assert.equal(catalog.countOf('author', '記者林勵'), 2);
  assert.equal(catalog.byName('author', 'nobody', 1, 50).total, 0);
});

test('an article row, its revision group, and lookup by original URL', () => {
  const row = catalog.article(101);
  assert.equal(row?.title, '衞生署公布確診個案');
  assert.deepEqual(row?.tags, ['立法會', SLASH_TAG]);
  assert.equal(catalog.article(999), undefined);
  assert.deepEqual(
    catalog.revisionGroup(101).map((a) => a.id),
    [101, 105],
  );
  assert.deepEqual(
    catalog.revisionGroup(104).map((a) => a.id),
    [104],
  );
  assert.deepEqual(catalog.revisionGroup(999), []);
  assert.deepEqual(
    catalog.revisionGroup(106).map((a) => a.id),
    [106],
    'undated pages form no revision group',
  );
  assert.equal(catalog.idByOriginalUrl(FFFD_URL), 107);
  assert.equal(catalog.idByOriginalUrl('https://example.com/'), undefined);
  assert.match(catalog.text(105) ?? '', /運作/);
  assert.deepEqual(catalog.ids().slice(0, 3), [101, 103, 104]);
});

test('refresh drops memoized counts once another connection has re-indexed', () => {
  const before = catalog.names('category');
  assert.equal(catalog.refresh(), false);
  writeFileSync(
    join(fixture.dir, 'articles/1-1000/article_110.md'),
    articleFile({ id: 110, title: '新分類', date: '2021-06-01', category: '眾觀', body: '新文章。' }),
  );
  buildIndex(fixture.dir);
  assert.deepEqual(catalog.names('category'), before, 'still memoized');
  assert.equal(catalog.refresh(), true);
  assert.ok(catalog.names('category').some((c) => c.name === '眾觀'));
  assert.equal(catalog.refresh(), false);
});

test('item counts per name equal the lengths of the collapsed lists', () => {
  for (const facet of ['category', 'tag', 'author'] as const) {
    const counts = catalog.itemCounts(facet);
    assert.equal(counts.size, catalog.names(facet).length, facet);
    for (const [name, items] of counts)
      assert.equal(items, catalog.byName(facet, name, 1, 1000).items, `${facet} ${name}`);
  }
  assert.equal(catalog.itemCounts('category').get('眾聞'), 2, '3 articles, one revision group of 2');
});

test('warm computes the lists ahead; answers are the same as computed on demand', () => {
  const cold = new Catalog(index);
  const warm = new Catalog(index);
  warm.warm();
  for (const facet of ['category', 'author'] as const) {
    for (const { name } of cold.names(facet))
      assert.deepEqual(warm.byName(facet, name, 1, 100), cold.byName(facet, name, 1, 100), `${facet} ${name}`);
  }
  assert.deepEqual(warm.years(), cold.years());
});
