/**
 * `salvage export --format bagit` on an archive rescued from the local Wayback simulator (the
 * committed demo site: 40 articles with their images): the bag passes a check written from RFC
 * 8493 (test/helpers/bag-check.ts) and coreutils' own digest check, the checker fails on bags
 * broken on purpose, and the release rules hold (takedowns, hard links, atomic replace, leftovers).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { exportBag, jsonPart, type ExportBagReport } from '../src/export/index.js';
import { articleImages, parseArchiveFile } from '../src/markdown/index.js';
import { isSalvageError } from '../src/errors.js';
import { checkBag, readBagInfo } from './helpers/bag-check.js';
import { checkWacz } from './helpers/wacz-check.js';
import { rescueDemo } from './helpers/demo-rescue.js';
import { verifyPath } from '../src/verify/index.js';
import type { IntegrityFinding } from '../src/store/index.js';
import { buildIndex } from '../src/search/index.js';
import { runCli } from './helpers/run-cli.js';

const BAGGED = new Date('2026-12-07T10:00:00Z');

const work = mkdtempSync(join(tmpdir(), 'salvage-bag-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const archive = join(work, 'archive');
let bag: string;
let report: ExportBagReport;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Files under `dir` as `/`-separated relative paths. */
function files(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? files(dir, child) : [child];
  });
}

before(async () => {
  await rescueDemo(archive, { media: true });
  bag = join(work, 'bag');
  report = await exportBag(archive, {
    out: bag,
    organization: 'Test Archive',
    info: [{ label: 'Contact-Email', value: 'archive@example.org' }],
    parts: [jsonPart('coverage.json', 'the coverage report', () => ({ site: 'hkcnews' }))],
    now: () => BAGGED,
  });
});

test('the bag of a rescued archive passes the RFC 8493 check: declaration, complete manifests, right digests, tag manifests, Payload-Oxum', () => {
  assert.deepEqual(checkBag(bag), []);
  assert.equal(
    readFileSync(join(bag, 'bagit.txt'), 'utf8'),
    'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
  );
  for (const name of ['manifest-sha256.txt', 'manifest-sha512.txt', 'tagmanifest-sha256.txt', 'tagmanifest-sha512.txt'])
    assert.ok(existsSync(join(bag, name)), name);
  // Tag files end lines with LF alone.
  for (const name of readdirSync(bag).filter((n) => n.endsWith('.txt')))
    assert.doesNotMatch(readFileSync(join(bag, name), 'utf8'), /\r/, name);
});

test('salvage verify finds the bag clean, its WACZ too, and an extra file planted in a copy of it', async () => {
  const clean = await verifyPath(bag);
  assert.equal(clean.target, 'bag');
  assert.ok(clean.clean, JSON.stringify(clean.findings));
  const wacz = await verifyPath(join(bag, 'data/captures.wacz'));
  assert.ok(wacz.clean, JSON.stringify(wacz.findings));
  const copy = join(work, 'bag-extra');
  cpSync(bag, copy, { recursive: true });
  try {
    writeFileSync(join(copy, 'data/articles/planted.md'), 'not in any manifest\n');
    const found: IntegrityFinding[] = [];
    const damaged = await verifyPath(copy, { onFinding: (f) => found.push(f) });
    assert.equal(damaged.clean, false);
    assert.deepEqual(
      found.map((f) => [f.problem, f.path]),
      [
        ['extra', 'data/articles/planted.md'],
        ['altered', 'bag-info.txt'], // its Payload-Oxum no longer counts the payload
      ],
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('bag-info.txt holds the elements a repository asks for, and the flags and --info given', () => {
  const info = new Map(readBagInfo(bag).map((e) => [e.label, e.value]));
  assert.equal(info.get('Source-Organization'), 'Test Archive');
  assert.equal(info.get('Contact-Email'), 'archive@example.org');
  assert.equal(info.get('Bagging-Date'), '2026-12-07');
  assert.match(info.get('Bag-Software-Agent') ?? '', /^salvage \d+\.\d+\.\d+/);
  assert.equal(info.get('Salvage-Site'), 'hkcnews');
  assert.equal(info.get('Salvage-Articles'), String(report.articles));
  assert.match(info.get('External-Description') ?? '', /^眾新聞 \(hkcnews\.com\): \d+ articles rescued/);
  assert.match(info.get('External-Description') ?? '', /the coverage report \(data\/coverage\.json\)/);
  assert.equal(info.get('Payload-Oxum'), `${report.payload.bytes}.${report.payload.files}`);
  assert.match(info.get('Bag-Size') ?? '', /^\d+(?:\.\d)? (?:B|KB|MB|GB|TB)$/);
});

test("the payload is the archive's article files and stored images byte for byte, and no WARC", () => {
  const archiveArticles = files(join(archive, 'articles')).sort();
  assert.ok(archiveArticles.length >= 30, `${archiveArticles.length} articles rescued`);
  assert.deepEqual(files(join(bag, 'data/articles')).sort(), archiveArticles);
  for (const f of archiveArticles)
    assert.ok(readFileSync(join(bag, 'data/articles', f)).equals(readFileSync(join(archive, 'articles', f))), f);
  const db = new Database(join(archive, 'media/media.sqlite'), { readonly: true });
  const stored = db
    .prepare("SELECT DISTINCT file FROM images WHERE outcome = 'stored' ORDER BY file")
    .pluck()
    .all() as string[];
  db.close();
  assert.ok(stored.length > 50, `${stored.length} images stored`);
  assert.deepEqual(
    files(join(bag, 'data/media/files'))
      .map((f) => `files/${f}`)
      .sort(),
    stored,
  );
  for (const f of stored)
    assert.equal(sha256(readFileSync(join(bag, 'data/media', f))), f.split('/')[2]!.split('.')[0], f);
  assert.deepEqual(readdirSync(join(bag, 'data/media')).sort(), ['files', 'media.sqlite']); // no -wal, -shm, captures
  assert.ok(!files(join(bag, 'data')).some((f) => f.includes('.warc')), 'no WARC in the payload');
  assert.deepEqual(report.media?.missing, []);
});

test("the dump in the bag is of the bag's own articles: its manifest lists exactly data/articles", () => {
  const manifest = JSON.parse(readFileSync(join(bag, 'data/dump/articles.jsonl.gz.manifest.json'), 'utf8')) as {
    sources: { path: string; sha256: string }[];
    source: string;
    dump: { sha256: string };
  };
  const listed = manifest.sources.map((s) => s.path).sort();
  assert.deepEqual(
    listed,
    files(join(bag, 'data/articles'))
      .map((f) => `articles/${f}`)
      .sort(),
  );
  for (const s of manifest.sources) assert.equal(s.sha256, sha256(readFileSync(join(bag, 'data', s.path))), s.path);
  const dump = readFileSync(join(bag, 'data/dump/articles.jsonl.gz'));
  assert.equal(manifest.dump.sha256, sha256(dump));
  assert.equal(gunzipSync(dump).toString('utf8').trimEnd().split('\n').length, report.articles);
  assert.equal(manifest.source, archive);
});

test("the built-in site profile is in the bag as a profile file that salvage's own reader takes", async () => {
  const text = readFileSync(join(bag, 'data/site-profiles/hkcnews.yaml'), 'utf8');
  assert.match(text, /^# The built-in site profile "hkcnews"/);
  assert.match(text, /adds in code: articleId, dropChrome/);
  // Quoted for YAML 1.1 readers (PyYAML would read +08:00 as 480).
  assert.match(text, /^timezone: "\+08:00"$/m);
  const { parseProfileFile } = await import('../src/sites/index.js');
  // The spec alone lacks the article id rule hkcnews has in code: with one added it is a whole profile.
  const profile = parseProfileFile(`${text}article_url: '/article/(?<id>\\d+)'\n`);
  assert.equal(profile.id, 'hkcnews');
  assert.equal(profile.name, '眾新聞');
});

test('coreutils sha256sum and sha512sum (an independent implementation) verify every manifest', (t) => {
  if (spawnSync('sha256sum', ['--version']).status !== 0) return t.skip('sha256sum is not installed');
  for (const name of [
    'manifest-sha256.txt',
    'manifest-sha512.txt',
    'tagmanifest-sha256.txt',
    'tagmanifest-sha512.txt',
  ]) {
    const tool = name.includes('512') ? 'sha512sum' : 'sha256sum';
    const r = spawnSync(tool, ['--strict', '--quiet', '-c', name], { cwd: bag, encoding: 'utf8' });
    assert.equal(r.status, 0, `${tool} -c ${name}: ${r.stdout}${r.stderr}`);
  }
});

test('bagit.py (the Library of Congress implementation) validates the bag', (t) => {
  const found = spawnSync('bagit.py', ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) {
    console.log('# bagit.py (the Library of Congress bagit-python) is not on PATH: skipping its validation');
    return t.skip('bagit.py is not installed');
  }
  const r = spawnSync('bagit.py', ['--validate', bag], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

/** A copy of the bag with new inodes: the bag's files are hard links to the archive's, never to be written through. */
function brokenCopy(name: string): string {
  const copy = join(work, name);
  cpSync(bag, copy, { recursive: true });
  return copy;
}

test('the checker fails a bag with an extra payload file', () => {
  const copy = brokenCopy('broken-extra');
  writeFileSync(join(copy, 'data/articles/extra.md'), 'not listed\n');
  assert.ok(
    checkBag(copy).some((p) => p.includes('data/articles/extra.md is not listed')),
    checkBag(copy).join('\n'),
  );
});

test('the checker fails a bag with a changed byte in a payload file', () => {
  const copy = brokenCopy('broken-byte');
  const victim = join(
    copy,
    'data',
    files(join(copy, 'data')).find((f) => f.startsWith('articles/'))!,
  );
  const bytes = readFileSync(victim);
  bytes[10] = bytes[10]! ^ 0x01;
  writeFileSync(victim, bytes);
  const problems = checkBag(copy);
  assert.ok(
    problems.some((p) => /manifest-sha256\.txt: .* does not match its sha256/.test(p)),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => /manifest-sha512\.txt: .* does not match its sha512/.test(p)),
    problems.join('\n'),
  );
});

test('the checker fails a bag whose Payload-Oxum is wrong (and whose tag manifest then disagrees)', () => {
  const copy = brokenCopy('broken-oxum');
  const info = readFileSync(join(copy, 'bag-info.txt'), 'utf8');
  writeFileSync(
    join(copy, 'bag-info.txt'),
    info.replace(/^Payload-Oxum: (\d+)\.(\d+)$/m, (_, o, n) => `Payload-Oxum: ${Number(o) + 1}.${n}`),
  );
  const problems = checkBag(copy);
  assert.ok(
    problems.some((p) => p.startsWith('bag-info.txt: Payload-Oxum')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('bag-info.txt does not match')),
    problems.join('\n'),
  );
});

test('the checker fails a bag with a line missing from a manifest, and one with a file listed that is gone', () => {
  const copy = brokenCopy('broken-line');
  const manifest = readFileSync(join(copy, 'manifest-sha512.txt'), 'utf8').split('\n');
  const dropped = manifest.splice(3, 1)[0]!.split('  ')[1]!;
  writeFileSync(join(copy, 'manifest-sha512.txt'), manifest.join('\n'));
  assert.ok(
    checkBag(copy).includes(`manifest-sha512.txt: ${dropped} is not listed (§3: every payload file in every manifest)`),
  );
  const gone = brokenCopy('broken-gone');
  rmSync(join(gone, dropped));
  assert.ok(checkBag(gone).includes(`manifest-sha256.txt: ${dropped} is listed but not in the payload`));
});

test('the checker fails a bag whose tag file is not in the tag manifest, or whose path has a raw %', () => {
  const copy = brokenCopy('broken-tag');
  writeFileSync(join(copy, 'notes.txt'), 'an extra tag file\n');
  assert.ok(checkBag(copy).includes('tagmanifest-sha256.txt: tag file notes.txt is not listed'));
  const pct = brokenCopy('broken-percent');
  appendFileSync(join(pct, 'manifest-sha256.txt'), `${'0'.repeat(64)}  data/100%.md\n`);
  assert.ok(checkBag(pct).some((p) => p.includes('"%" not written as %25')));
});

test("article and image files are hard links to the archive's (same inode), and no archive file changed", () => {
  const article = files(join(bag, 'data/articles'))[0]!;
  assert.equal(statSync(join(bag, 'data/articles', article)).ino, statSync(join(archive, 'articles', article)).ino);
  assert.equal(report.links.copied, 0);
  assert.equal(report.links.linked, report.articles + (report.media?.files ?? 0));
});

test('a bag on another file system copies the files instead, and is as valid', async (t) => {
  const shm = '/dev/shm';
  if (!existsSync(shm) || statSync(shm).dev === statSync(work).dev) return t.skip('no second file system here');
  const other = mkdtempSync(join(shm, 'salvage-bag-'));
  try {
    const r = await exportBag(archive, { out: join(other, 'bag'), now: () => BAGGED });
    assert.equal(r.links.linked, 0);
    assert.equal(r.links.copied, r.articles + (r.media?.files ?? 0));
    assert.deepEqual(checkBag(join(other, 'bag')), []);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('taken-down articles and their images are left out of the payload, the dump and the media index', async () => {
  const copy = join(work, 'archive-takedown');
  cpSync(archive, copy, { recursive: true });
  // The article with the most stored images.
  const db = new Database(join(copy, 'media/media.sqlite'), { readonly: true });
  const storedKeys = new Set(db.prepare("SELECT key FROM images WHERE outcome = 'stored'").pluck().all() as string[]);
  db.close();
  let victim: { id: number; path: string; keys: string[] } | undefined;
  for (const path of files(join(copy, 'articles'))) {
    const parsed = parseArchiveFile(readFileSync(join(copy, 'articles', path), 'utf8'));
    const keys = articleImages(parsed)
      .map((i) => i.key)
      .filter((k) => storedKeys.has(k));
    if (keys.length > (victim?.keys.length ?? 0)) victim = { id: Number(/article_(\d+)/.exec(path)![1]), path, keys };
  }
  assert.ok(victim !== undefined, 'an article with stored images');
  writeFileSync(
    join(copy, 'takedowns.yaml'),
    `- id: ${victim.id}\n  date: 2026-12-01\n  reason: 應當事人要求移除\n  by: 編輯部\n`,
  );
  // The bag's WACZ leaves the article's captures out by the index's takedown list.
  await assert.rejects(exportBag(copy, { out: join(work, 'bag-no-index'), now: () => BAGGED }), /run salvage index/);
  assert.ok(!existsSync(join(work, 'bag-no-index')), 'nothing is left of a refused bag');
  buildIndex(copy);
  const out = join(work, 'bag-takedown');
  const r = await exportBag(copy, { out, now: () => BAGGED });
  assert.deepEqual(checkBag(out), []);
  const wacz = await checkWacz(join(out, 'data/captures.wacz'));
  assert.deepEqual(wacz.problems, []);
  const baggedArticles = new Set(files(join(out, 'data/articles')));
  assert.equal(wacz.pages, baggedArticles.size, 'the WACZ lists the pages of the articles in the bag, no more');
  assert.ok(!existsSync(join(out, 'data/articles', victim.path)), 'the article is not in the bag');
  assert.equal(r.takenDown, 1);
  assert.ok((r.media?.withheldFiles ?? 0) > 0);
  const snapshot = new Database(join(out, 'data/media/media.sqlite'), { readonly: true });
  const left = snapshot.prepare('SELECT count(*) FROM images WHERE key = ?').pluck();
  for (const key of victim.keys) assert.equal(left.get(key), 0, key);
  const bagged = new Set(
    snapshot.prepare("SELECT file FROM images WHERE outcome = 'stored'").pluck().all() as string[],
  );
  snapshot.close();
  const payloadImages = new Set(files(join(out, 'data/media/files')).map((f) => `files/${f}`));
  assert.deepEqual(payloadImages, bagged, 'the index copy lists exactly the files in the bag');
  // Deleted securely: the withheld URLs leave no bytes in the copied database file.
  const raw = readFileSync(join(out, 'data/media/media.sqlite'));
  for (const key of victim.keys) assert.equal(raw.indexOf(Buffer.from(key)), -1, `${key} left in the file`);
  const dumpText = gunzipSync(readFileSync(join(out, 'data/dump/articles.jsonl.gz'))).toString('utf8');
  assert.ok(!dumpText.split('\n').some((l) => l.startsWith(`{"id":${victim.id},`)));
  const manifest = JSON.parse(readFileSync(join(out, 'data/dump/articles.jsonl.gz.manifest.json'), 'utf8'));
  assert.deepEqual(
    manifest.takedowns.map((t: { id: number }) => t.id),
    [victim.id],
  );
  assert.equal(readBagInfo(out).find((e) => e.label === 'Salvage-Takedowns')?.value, '1');
});

test('the media index is copied as of one moment, with what is still in its write-ahead log', async () => {
  const copy = join(work, 'archive-wal');
  cpSync(archive, copy, { recursive: true });
  // A writer that keeps its connection open: its commit sits in media.sqlite-wal, not in the main file.
  const writer = new Database(join(copy, 'media/media.sqlite'));
  try {
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer
      .prepare(
        "INSERT INTO images (url, key, requested_ts, outcome) VALUES ('https://img.example/wal.jpg', 'https://img.example/wal.jpg', '20210101000000', 'not-archived')",
      )
      .run();
    const out = join(work, 'bag-wal');
    await exportBag(copy, { out, now: () => BAGGED });
    const snapshot = new Database(join(out, 'data/media/media.sqlite'), { readonly: true });
    assert.equal(
      snapshot.prepare("SELECT count(*) FROM images WHERE url = 'https://img.example/wal.jpg'").pluck().get(),
      1,
    );
    assert.equal(snapshot.pragma('journal_mode', { simple: true }), 'delete');
    snapshot.close();
    assert.deepEqual(checkBag(out), []);
  } finally {
    writer.close();
  }
});

test('salvage export --format bagit: an existing bag is kept unless --replace, which swaps in a whole new one', async () => {
  const out = join(work, 'cli-bag');
  const first = await runCli(['export', archive, '--format', 'bagit', '--out', out, '--quiet', '--json']);
  assert.equal(first.status, 0, first.stderr);
  assert.equal((JSON.parse(first.stdout) as ExportBagReport).out, out);
  assert.deepEqual(checkBag(out), []);
  // The coverage report is wired in by the CLI: salvage status --json.
  const coverage = JSON.parse(readFileSync(join(out, 'data/coverage.json'), 'utf8')) as {
    site: string;
    written: number;
  };
  assert.equal(coverage.site, 'hkcnews');
  const again = await runCli(['export', archive, '--format', 'bagit', '--out', out]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists; choose another --out, or --replace .*\[OUTPUT_UNSAFE\]/);
  writeFileSync(join(out, 'data/marker'), 'from the first bag');
  const replaced = await runCli(['export', archive, '--format', 'bagit', '--out', out, '--replace', '--quiet']);
  assert.equal(replaced.status, 0, replaced.stderr);
  assert.ok(!existsSync(join(out, 'data/marker')), 'the old bag is gone');
  assert.deepEqual(checkBag(out), []);
  assert.deepEqual(
    readdirSync(work).filter((n) => n.includes('.cli-bag.')),
    [],
    'no partial or old folder left',
  );
});

test('--replace never replaces a folder that is not a bag; a bag inside the archive or holding it is refused', async () => {
  const folder = join(work, 'precious');
  mkdirSync(folder);
  writeFileSync(join(folder, 'keep.txt'), 'mine');
  const r = await runCli(['export', archive, '--format', 'bagit', '--out', folder, '--replace']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is not a bag \(no bagit\.txt\); it is never replaced \[OUTPUT_UNSAFE\]/);
  assert.equal(readFileSync(join(folder, 'keep.txt'), 'utf8'), 'mine');
  for (const out of [join(archive, 'articles', 'bag'), join(archive, 'media', 'bag'), work]) {
    await assert.rejects(
      exportBag(archive, { out, replace: true }),
      (e: unknown) => isSalvageError(e) && e.code === 'OUTPUT_UNSAFE',
      out,
    );
  }
  assert.ok(existsSync(join(archive, 'articles')));
});

test('bag-only flags with another format, a malformed --info and a label salvage writes are bad usage (exit 2)', async () => {
  const dump = await runCli([
    'export',
    archive,
    '--format',
    'jsonl',
    '--out',
    join(work, 'x.jsonl'),
    '--organization',
    'X',
  ]);
  assert.equal(dump.status, 2);
  assert.match(dump.stderr, /--organization is for --format bagit/);
  const info = await runCli([
    'export',
    archive,
    '--format',
    'bagit',
    '--out',
    join(work, 'y'),
    '--info',
    'no colon here',
  ]);
  assert.equal(info.status, 2);
  const oxum = await runCli([
    'export',
    archive,
    '--format',
    'bagit',
    '--out',
    join(work, 'z'),
    '--info',
    'Payload-Oxum: 1.1',
  ]);
  assert.equal(oxum.status, 2);
  assert.match(oxum.stderr, /Payload-Oxum is written by salvage/);
  assert.ok(!existsSync(join(work, 'y')) && !existsSync(join(work, 'z')));
});

test('a partial bag left by a dead process is removed by the next run; a live one is left alone', async () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const stale = join(work, `.leftover-bag.partial-${deadPid}`);
  const live = join(work, `.leftover-bag.partial-${process.ppid}`);
  for (const dir of [stale, live]) mkdirSync(join(dir, 'data'), { recursive: true });
  const seen: string[] = [];
  await exportBag(archive, {
    out: join(work, 'leftover-bag'),
    onLeftover: (l) => seen.push(l.path),
    now: () => BAGGED,
  });
  assert.deepEqual(seen, [stale]);
  assert.ok(!existsSync(stale));
  assert.ok(existsSync(live));
  rmSync(live, { recursive: true });
});

test('an image the media index lists but the archive lacks is left out and named, and the export exits 3', async () => {
  const copy = join(work, 'archive-missing-image');
  cpSync(archive, copy, { recursive: true });
  const image = files(join(copy, 'media/files'))[0]!;
  rmSync(join(copy, 'media/files', image));
  const out = join(work, 'bag-missing-image');
  const r = await runCli(['export', copy, '--format', 'bagit', '--out', out, '--quiet']);
  assert.equal(r.status, 3, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`left out media/files/${image.replace(/\./g, '\\.')}: the media index lists it as stored`),
  );
  assert.deepEqual(checkBag(out), []);
  assert.ok(!existsSync(join(out, 'data/media/files', image)));
});
