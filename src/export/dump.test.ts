import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createFixtureArchive, FIXTURE_ARTICLES } from '../../test/helpers/reader-fixture.js';
import { isSalvageError } from '../errors.js';
import { exportDump, DUMP_FIELDS, type DumpRecord } from './dump.js';

const fixture = createFixtureArchive();
// One file that is not an archive file: reported as skipped, not fatal.
writeFileSync(join(fixture.dir, 'articles', '1-1000', 'article_999.md'), 'no frontmatter\n');
const work = mkdtempSync(join(tmpdir(), 'salvage-dump-'));
process.on('exit', () => {
  fixture.cleanup();
  rmSync(work, { recursive: true, force: true });
});
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface Manifest {
  dump: { file: string; bytes: number; sha256: string; format: string };
  articles: number;
  groups: number;
  salvage_version: string;
  schema_version: number;
  skipped: { path: string }[];
  sources: { id: number; path: string; bytes: number; sha256: string }[];
}

test('jsonl.gz: every article in id order with all fields, and a manifest that verifies dump and sources', async () => {
  const out = join(work, 'dump.jsonl.gz');
  const report = await exportDump(fixture.dir, { format: 'jsonl', out });
  const bytes = readFileSync(out);
  const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
  const records = lines.map((l) => JSON.parse(l) as DumpRecord);
  assert.equal(records.length, FIXTURE_ARTICLES.length);
  assert.deepEqual(
    records.map((r) => r.id),
    [...FIXTURE_ARTICLES.map((a) => a.id)].sort((a, b) => a - b),
  );
  for (const r of records) assert.deepEqual(Object.keys(r).sort(), Object.keys(DUMP_FIELDS).sort());
  const first = records.find((r) => r.id === 101)!;
  assert.equal(first.title, '衞生署公布確診個案');
  assert.equal(first.captured_at, '2021-06-28T17:47:10Z');
  assert.equal(first.original_url, 'https://www.hkcnews.com/article/101/x');
  assert.match(first.body_markdown, /<figure>/);
  assert.match(first.text, /衞生署今日公布/);
  assert.equal(first.file_sha256, sha(readFileSync(join(fixture.dir, first.path))));
  // The revision group (same title, date, author) shares the smallest id.
  const groupIds = new Map<string, Set<number>>();
  for (const r of records)
    groupIds.set(
      JSON.stringify([r.title, r.date, r.author]),
      (groupIds.get(JSON.stringify([r.title, r.date, r.author])) ?? new Set()).add(r.group_id),
    );
  for (const ids of groupIds.values()) assert.equal(ids.size, 1);
  assert.ok(
    records.some((r) => r.group_id !== r.id),
    'the fixture has a revision group',
  );

  const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as Manifest;
  assert.equal(manifest.dump.sha256, sha(bytes));
  assert.equal(manifest.dump.bytes, bytes.length);
  assert.equal(manifest.dump.format, 'jsonl.gz');
  assert.equal(manifest.articles, records.length);
  assert.equal(manifest.schema_version, 1);
  assert.equal(manifest.skipped.length, 1);
  assert.equal(manifest.skipped[0]!.path, 'articles/1-1000/article_999.md');
  for (const s of manifest.sources) assert.equal(s.sha256, sha(readFileSync(join(fixture.dir, s.path))), s.path);
  assert.equal(readFileSync(`${out}.sha256`, 'utf8'), `${sha(bytes)}  dump.jsonl.gz\n`);
  assert.equal(report.sha256, manifest.dump.sha256);
  assert.deepEqual(
    readdirSync(work).filter((f) => f.includes('partial')),
    [],
  );
});

test('sqlite: a standalone database with articles, tags, groups and meta', async () => {
  const out = join(work, 'dump.sqlite');
  const report = await exportDump(fixture.dir, { format: 'sqlite', out });
  const db = new Database(out, { readonly: true });
  try {
    assert.equal((db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n, FIXTURE_ARTICLES.length);
    const tags = db.prepare('SELECT tag FROM tags WHERE article_id = 101 ORDER BY position').all() as { tag: string }[];
    assert.deepEqual(
      tags.map((t) => t.tag),
      FIXTURE_ARTICLES.find((a) => a.id === 101)!.tags,
    );
    const groups = db.prepare('SELECT sum(size) AS n, count(*) AS g FROM groups').get() as { n: number; g: number };
    assert.equal(groups.n, FIXTURE_ARTICLES.length);
    assert.equal(groups.g, report.groups);
    const meta = Object.fromEntries(
      (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    assert.equal(meta['format'], 'salvage-dump');
    assert.equal(meta['schema_version'], '1');
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((t) => t.name);
    assert.deepEqual(tables, ['articles', 'groups', 'meta', 'tags']);
  } finally {
    db.close();
  }
  const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as Manifest;
  assert.equal(manifest.dump.sha256, sha(readFileSync(out)));
});

test('a folder without archive files is a clear error, and nothing is written', async () => {
  const empty = join(work, 'empty');
  mkdirSync(empty);
  await assert.rejects(
    exportDump(empty, { format: 'jsonl', out: join(work, 'x.jsonl') }),
    (e) => isSalvageError(e) && e.code === 'INPUT_UNREADABLE',
  );
  mkdirSync(join(empty, 'articles'));
  await assert.rejects(
    exportDump(empty, { format: 'sqlite', out: join(work, 'x.sqlite') }),
    (e) => isSalvageError(e) && e.code === 'INPUT_UNREADABLE',
  );
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('x.')),
    [],
  );
});

test("export removes the partial files of an interrupted run whose process is gone, and keeps a live one's and others", async () => {
  const root = mkdtempSync(join(tmpdir(), 'salvage-dump-leftovers-'));
  try {
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
    );
    const alive = process.ppid;
    const gone = [
      `.d.jsonl.gz.partial-${dead}`,
      `d.jsonl.gz.manifest.json.partial-${dead}`,
      `d.jsonl.gz.sha256.partial-${dead}`,
    ];
    const kept = [
      `.d.jsonl.gz.partial-${alive}`,
      `.other.jsonl.gz.partial-${dead}`,
      `.d.jsonl.gz.partial-${dead}.x`,
      'notes.txt',
    ];
    for (const name of [...gone, ...kept]) writeFileSync(join(root, name), 'partial');
    const seen: string[] = [];
    await exportDump(fixture.dir, {
      format: 'jsonl',
      out: join(root, 'd.jsonl.gz'),
      onLeftover: (l) => seen.push(l.path),
    });
    assert.deepEqual(seen.sort(), gone.map((n) => join(root, n)).sort());
    assert.deepEqual(
      readdirSync(root).sort(),
      [...kept, 'd.jsonl.gz', 'd.jsonl.gz.manifest.json', 'd.jsonl.gz.sha256'].sort(),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
