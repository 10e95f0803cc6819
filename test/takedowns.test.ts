/**
 * A takedown across the stages (issue 17): `takedowns.yaml` → `salvage index` → the reader
 * (search, browse pages, the tombstone, the API, lookup) → the static export and the data dump.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createFixtureArchive } from './helpers/reader-fixture.js';
import { buildIndex, search, SearchIndex } from '../src/search/index.js';
import { createReader, type PlainResponse } from '../src/reader/index.js';
import { exportDump, exportSite } from '../src/export/index.js';
import { TAKEDOWNS_FILE } from '../src/markdown/index.js';
import { requireTakedownsApplied, takedownsPending } from '../src/cli/read-commands.js';

/** Article 104 of the fixture: "三年前的今天", 2019-03-01, 眾說, the only one with 財政預算案. */
const ID = 104;
const PHRASE = '財政預算案';
const LIST = `- id: ${ID}\n  date: 2026-12-01\n  reason: 應當事人要求移除\n  by: 存檔編輯部\n`;

const text = (r: PlainResponse): string => Buffer.from(r.body ?? new Uint8Array()).toString('utf8');

function found(dir: string, q: string): number[] {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    return search(index, { q }).results.map((r) => r.id);
  } finally {
    index.close();
  }
}

test('a takedown leaves search and every page, its address shows a tombstone, and lifting it restores the article', async () => {
  const fixture = createFixtureArchive();
  try {
    assert.deepEqual(found(fixture.dir, PHRASE), [ID]);
    const listing = ['/', '/date/2019/03/01/', '/category/%E7%9C%BE%E8%AA%AA/', '/on-this-day/03-01/'];
    const before = createReader({ dir: fixture.dir });
    // Pages that list the article now (the day page is stored: the takedown must retire it).
    for (const path of listing) assert.match(text(await before.respond('GET', path)), /三年前的今天/, path);
    before.close();

    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), LIST);
    const progress = buildIndex(fixture.dir);
    assert.equal(progress.takenDown, 1);
    assert.equal(progress.removed, 1);
    assert.equal(progress.indexed, 0, 'nothing else is indexed again');
    assert.deepEqual(found(fixture.dir, PHRASE), []);

    const reader = createReader({ dir: fixture.dir });
    const tomb = await reader.respond('GET', `/article/${ID}/`);
    assert.equal(tomb.status, 410);
    assert.match(text(tomb), /文章已移除/);
    assert.match(text(tomb), /三年前的今天/);
    assert.match(text(tomb), /2026-12-01/);
    assert.match(text(tomb), /應當事人要求移除/);
    assert.doesNotMatch(text(tomb), new RegExp(PHRASE), 'no text of the article');
    // Its TimeMap goes with it (the tombstone says why; no original URL or memento is listed).
    const timemap = await reader.respond('GET', `/article/${ID}/timemap.txt`);
    assert.equal(timemap.status, 410);
    assert.doesNotMatch(text(timemap), /hkcnews\.com|web\.archive\.org/);
    assert.ok(![...reader.pagePaths()].includes(`/article/${ID}/timemap.txt`), 'the mirror writes no TimeMap of it');
    const api = await reader.respond('GET', `/api/articles/${ID}`);
    assert.equal(api.status, 410);
    assert.equal((JSON.parse(text(api)) as { error: string }).error, 'taken-down');
    const lookup = await reader.respond(
      'GET',
      `/lookup/?url=${encodeURIComponent(`https://www.hkcnews.com/article/${ID}/x`)}`,
    );
    assert.equal(lookup.status, 302, 'a taken-down article URL leads to its tombstone');
    for (const path of listing) {
      const r = await reader.respond('GET', path);
      assert.ok(r.status === 200 || r.status === 404, path);
      assert.doesNotMatch(text(r), /三年前的今天/, path);
    }
    const api2 = await reader.respond('GET', `/api/search?q=${encodeURIComponent(PHRASE)}`);
    assert.equal((JSON.parse(text(api2)) as { total: number }).total, 0);
    assert.ok([...reader.pagePaths()].includes(`/article/${ID}/`), 'the mirror keeps the tombstone');
    reader.close();

    // Lifted: the same file comes back, nothing else is read again.
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), '');
    const lifted = buildIndex(fixture.dir);
    assert.equal(lifted.indexed, 1);
    assert.deepEqual(found(fixture.dir, PHRASE), [ID]);
    const again = createReader({ dir: fixture.dir });
    assert.equal((await again.respond('GET', `/article/${ID}/`)).status, 200);
    again.close();
  } finally {
    fixture.cleanup();
  }
});

test('a bad takedown list stops salvage index before the index changes', () => {
  const fixture = createFixtureArchive();
  try {
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), `- id: ${ID}\n  date: soon\n  reason: r\n  by: x\n`);
    const mtime = statSync(join(fixture.dir, 'search.sqlite')).mtimeMs;
    assert.throws(() => buildIndex(fixture.dir), /date must be YYYY-MM-DD/);
    assert.equal(statSync(join(fixture.dir, 'search.sqlite')).mtimeMs, mtime);
    assert.deepEqual(found(fixture.dir, PHRASE), [ID]);
  } finally {
    fixture.cleanup();
  }
});

test('exports leave a taken-down article out: the mirror has its tombstone and no text, the dump lists the takedown', async () => {
  const fixture = createFixtureArchive();
  const work = mkdtempSync(join(tmpdir(), 'salvage-takedown-export-'));
  try {
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), LIST);
    buildIndex(fixture.dir);
    const site = join(work, 'site');
    await exportSite(fixture.dir, { out: site });
    const tomb = readFileSync(join(site, 'article', String(ID), 'index.html'), 'utf8');
    assert.match(tomb, /文章已移除/);
    assert.ok(!existsSync(join(site, 'article', String(ID), 'timemap.txt')));
    const everything = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? everything(join(dir, e.name)) : [join(dir, e.name)],
      );
    for (const file of everything(site)) {
      const bytes = readFileSync(file);
      const body = file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
      assert.ok(!body.toString('utf8').includes(PHRASE), `${file} holds the taken-down text`);
    }
    const marker = JSON.parse(readFileSync(join(site, '.salvage-site.json'), 'utf8')) as {
      takedowns: { id: number }[];
    };
    assert.deepEqual(
      marker.takedowns.map((t) => t.id),
      [ID],
    );

    const out = join(work, 'dump.jsonl.gz');
    const report = await exportDump(fixture.dir, { format: 'jsonl', out });
    const ids = gunzipSync(readFileSync(out))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: number }).id);
    assert.ok(!ids.includes(ID));
    assert.equal(report.takenDown.length, 1);
    const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as {
      takedowns: { id: number; reason: string }[];
      sources: { path: string }[];
    };
    assert.deepEqual(manifest.takedowns, [
      { id: ID, date: '2026-12-01', reason: '應當事人要求移除', by: '存檔編輯部', showTitle: true },
    ]);
    assert.ok(!manifest.sources.some((s) => s.path.endsWith(`article_${ID}.md`)));
    assert.ok(existsSync(join(fixture.dir, 'articles', '1-1000', `article_${ID}.md`)), 'the file itself stays');
  } finally {
    fixture.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

test('a takedown with show_title: false names only the id: no title, no original URL', async () => {
  const fixture = createFixtureArchive();
  try {
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), `${LIST}  show_title: false\n`);
    buildIndex(fixture.dir);
    const reader = createReader({ dir: fixture.dir });
    const tomb = text(await reader.respond('GET', `/article/${ID}/`));
    assert.match(tomb, new RegExp(`編號 ${ID} 的文章`));
    assert.doesNotMatch(tomb, /三年前的今天/);
    assert.doesNotMatch(tomb, /hkcnews\.com/);
    const api = JSON.parse(text(await reader.respond('GET', `/api/articles/${ID}`))) as { takedown: { title: string } };
    assert.equal(api.takedown.title, '');
    reader.close();
  } finally {
    fixture.cleanup();
  }
});

test('taking down one version of a story names the other versions that stay public', () => {
  const fixture = createFixtureArchive();
  try {
    // 101 and 105 are two versions of one story (same title, date and author).
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), '- id: 101\n  date: 2026-12-01\n  reason: r\n  by: b\n');
    assert.deepEqual(buildIndex(fixture.dir).takedownRevisions, [{ id: 101, revisions: [105] }]);
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), LIST);
    assert.deepEqual(buildIndex(fixture.dir).takedownRevisions, [], 'a story of one version');
  } finally {
    fixture.cleanup();
  }
});

test("a taken-down article's images stay withheld when its file is deleted later; unknown ones are reported", () => {
  const fixture = createFixtureArchive();
  try {
    const file = join(fixture.dir, 'articles', '1-1000', 'article_101.md');
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), '- id: 101\n  date: 2026-12-01\n  reason: r\n  by: b\n');
    buildIndex(fixture.dir);
    const images = (): Map<number, string[]> => {
      const index = SearchIndex.openDir(fixture.dir, { readonly: true });
      try {
        return index.takedownImagesById();
      } finally {
        index.close();
      }
    };
    const recorded = images().get(101);
    assert.equal(recorded?.length, 1, "article 101's photograph is recorded");
    rmSync(file); // the keepers delete the file too
    const again = buildIndex(fixture.dir);
    assert.deepEqual(images().get(101), recorded, 'kept from the earlier build');
    assert.deepEqual(again.takedownImagesUnknown, []);
    // A file deleted before its first takedown: nothing to read its images from, and it is said.
    rmSync(join(fixture.dir, 'articles', '1-1000', 'article_105.md'));
    writeFileSync(
      join(fixture.dir, TAKEDOWNS_FILE),
      '- id: 101\n  date: 2026-12-01\n  reason: r\n  by: b\n- id: 105\n  date: 2026-12-01\n  reason: r\n  by: b\n',
    );
    assert.deepEqual(buildIndex(fixture.dir).takedownImagesUnknown, [105]);
  } finally {
    fixture.cleanup();
  }
});

test('an edited takedown (a reason, show_title) is pending until salvage index applies it', () => {
  const fixture = createFixtureArchive();
  try {
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), LIST);
    buildIndex(fixture.dir);
    const pending = (): string | undefined => {
      const index = SearchIndex.openDir(fixture.dir, { readonly: true });
      try {
        return takedownsPending(fixture.dir, index);
      } finally {
        index.close();
      }
    };
    assert.equal(pending(), undefined);
    writeFileSync(join(fixture.dir, TAKEDOWNS_FILE), `${LIST}  show_title: false\n`);
    assert.match(pending() ?? '', /edited since salvage index applied it/);
    assert.throws(() => requireTakedownsApplied(fixture.dir), /edited since/);
    buildIndex(fixture.dir);
    assert.equal(pending(), undefined);
  } finally {
    fixture.cleanup();
  }
});
