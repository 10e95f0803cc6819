/** `salvage import`, `salvage index`, `salvage search` end to end on a small hand-made archive. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src/cli/main.ts');
const work = mkdtempSync(join(tmpdir(), 'salvage-read-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const salvage = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', cwd: ROOT });

function file(title: string, date: string, body: string, extra = ''): string {
  return `---\ntitle: "${title}"\ndate: "${date}"\nauthor: "眾新聞記者"\ncategory: "眾聞"\n${extra}url: "https://web.archive.org/web/20210101000000/https://www.hkcnews.com/article/1/x"\noriginal_url: "https://www.hkcnews.com/article/1/x"\n---\n\n# ${title}\n\n${body}\n`;
}

const records = [
  {
    id: 101,
    path: 'articles/1-1000/article_101.md',
    raw: file('衞生署公布確診個案', '2020-03-01', '衞生署今日公布新增確診個案，港鐵綫路正常。'),
  },
  {
    id: 102,
    path: 'articles/1-1000/article_102.md',
    raw: file(
      '立法會辯論',
      '2021-05-02',
      '議員在立法會辯論財政預算案。\\\nCOVID-19 疫苗接種。',
      'tags:\n  - "立法會"\n',
    ),
  },
  {
    id: 2001,
    path: 'articles/2001-3000/article_2001.md',
    raw: file('衞生署公布確診個案', '2020-03-01', '衞生署今日公布新增確診個案（更新版）。'),
  },
  { id: 9, path: '../../etc/article_9.md', raw: 'hostile' },
];
const source = join(work, 'old.jsonl');
writeFileSync(source, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
const dir = join(work, 'archive');

test('import lays out the files byte for byte, skips a record whose path disagrees with its id, and exits 3 saying how many were skipped', () => {
  const r = salvage('import', source, '--out', dir, '--quiet');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /imported 3 files, skipped 1/);
  assert.match(r.stderr, /skipped old\.jsonl:4 .*does not match id 9/);
  assert.match(r.stderr, /^1 input skipped \(not imported\); exit code 3$/m);
  assert.equal(readFileSync(join(dir, 'articles/1-1000/article_101.md'), 'utf8'), records[0]!.raw);
});

test('import exits 0 when every input is imported, and refuses --out equal to the source with one usage line', () => {
  const clean = join(work, 'clean.jsonl');
  writeFileSync(
    clean,
    records
      .slice(0, 2)
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  const ok = salvage('import', clean, '--out', join(work, 'clean-archive'), '--quiet');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stderr, '');
  const folder = join(work, 'clean-archive');
  for (const [src, out] of [
    [folder, folder],
    [join(folder, 'articles'), folder],
    [clean, clean],
  ] as const) {
    const r = salvage('import', src, '--out', out);
    assert.equal(r.status, 2, `${src} → ${out}: ${r.stderr}`);
    assert.match(r.stderr, /^salvage: --out .* \[CONFIG_INVALID\]\n$/);
  }
  assert.equal(readFileSync(clean, 'utf8').split('\n').length, 3, 'the source file is untouched');
});

test('index builds, and a second run reads only what changed', () => {
  const first = salvage('index', dir, '--quiet');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^indexed 3, unchanged 0, removed 0, taken down 0, failed 0 of 3 files/);
  const touched = join(dir, 'articles/1-1000/article_102.md');
  writeFileSync(touched, records[1]!.raw.replace('財政預算案', '財政預算案及施政報告'));
  utimesSync(touched, new Date(), new Date(Date.now() + 5000));
  rmSync(join(dir, 'articles/2001-3000/article_2001.md'));
  const second = salvage('index', dir, '--quiet');
  assert.match(second.stdout, /^indexed 1, unchanged 1, removed 1, taken down 0, failed 0 of 2 files/);
});

test('search: a Simplified query finds Traditional and HK-variant text, with snippets; filters, exclusions and facets apply', () => {
  const json = (...args: string[]): { total: number; results: { id: number; snippet: string }[] } => {
    const r = salvage('search', dir, ...args);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { total: number; results: { id: number; snippet: string }[] };
  };
  const simplified = json('卫生署', '线路');
  assert.deepEqual(
    simplified.results.map((r) => r.id),
    [101],
  );
  assert.match(simplified.results[0]!.snippet, /<mark>衞生署<\/mark>/);
  assert.equal(json('施政報告').total, 1, 'the re-indexed text is searchable');
  assert.equal(json('確診', '--from', '2021-01-01').total, 0);
  assert.equal(json('covid').total, 1);
  assert.equal(json('議員 -疫苗').total, 0, 'one argument holding an exclusion');
  assert.equal(json('--', '議員', '-疫苗').total, 0, 'an exclusion as its own argument after --');
  assert.equal(json('議員').total, 1);
  const faceted = JSON.parse(salvage('search', dir, '確診', '--facets').stdout) as {
    total: number;
    facets: { years: { value: string; count: number }[] };
  };
  assert.equal(
    faceted.facets.years.reduce((n, y) => n + y.count, 0),
    faceted.total,
    '--facets counts every match by year',
  );
  for (const hostile of ['"', 'NEAR(', '*', 'a OR', '-', '^:', '()', '"unbalanced'])
    assert.equal(salvage('search', dir, '--', hostile).status, 0, `query ${hostile}`);
});

test('search and index explain what is missing instead of failing with a stack trace', () => {
  const noIndex = salvage('search', join(work, 'nothing'), '港');
  assert.equal(noIndex.status, 1);
  assert.match(noIndex.stderr, /no search index; run salvage index/);
  const noArchive = salvage('index', join(work, 'nothing'));
  assert.equal(noArchive.status, 1);
  assert.match(noArchive.stderr, /no articles\/ folder/);
});

test('a damaged index: search says it is damaged (not "another version"), index moves it aside and rebuilds it, exit 0', () => {
  const damaged = join(work, 'damaged');
  for (const r of records.slice(0, 3)) {
    mkdirSync(join(damaged, r.path, '..'), { recursive: true });
    writeFileSync(join(damaged, r.path), r.raw);
  }
  writeFileSync(join(damaged, 'search.sqlite'), Buffer.alloc(8192, 0x41));
  const search = salvage('search', damaged, '港');
  assert.equal(search.status, 1);
  assert.match(search.stderr, /search index .* is damaged .*run salvage index/);
  assert.doesNotMatch(search.stderr, /another version|internal error/);
  const index = salvage('index', damaged, '--quiet');
  assert.equal(index.status, 0, index.stderr);
  assert.match(
    index.stderr,
    /^salvage index: the search index was damaged; moved it to .*search\.sqlite\.corrupt and built a new one/m,
  );
  assert.match(index.stdout, /indexed 3,/);
  assert.equal(salvage('search', damaged, '衞生署').status, 0);
});

test('search on an index whose build was interrupted warns on stderr', () => {
  const interrupted = join(work, 'damaged');
  // What kill -9 during salvage index leaves: the build mark, committed first, never cleared.
  const db = new Database(join(interrupted, 'search.sqlite'));
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('build-incomplete', '2026-12-06T00:00:00Z')").run();
  db.close();
  const r = salvage('search', interrupted, '衞生署');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^warning: the search index of .* is incomplete/m);
  assert.equal((JSON.parse(r.stdout) as { incomplete?: boolean }).incomplete, true);
  assert.equal(salvage('index', interrupted, '--quiet').status, 0);
  assert.doesNotMatch(salvage('search', interrupted, '衞生署').stderr, /incomplete/);
});

test('search past the query limits answers and notes on stderr what it did not apply', () => {
  const q = Array.from({ length: 250 }, (_, i) => `-的${String.fromCharCode(97 + (i % 26))}${i}`).join(' ');
  const r = salvage('search', join(work, 'damaged'), `港 ${q}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /^note: the query is past the search limits: .*exclusions past the first \d+ were not applied/m,
  );
});
