import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isSalvageError } from '../errors.js';
import { importArchive } from './import.js';

const FILE_A = '---\ntitle: "甲"\ndate: ""\n---\n\n# 甲\n\n正文 **粗體**   \n 下一行\n';
/** CRLF, a BOM, a lone surrogate-free emoji and no final newline: must all survive unchanged. */
const FILE_B = '\ufeff---\r\ntitle: "乙 😀"\r\n---\r\n\r\n# 乙\r\n\r\n{{< video src="https://x/y" >}}';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'salvage-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir`, relative path → bytes. */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) out.set(name, await readFile(path));
  }
  return out;
}

const jsonl = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const GOOD = [
  { id: '1', path: 'articles/1-1000/article_1.md', raw: FILE_A },
  { id: '18733', path: 'articles/18001-19000/article_18733.md', raw: FILE_B },
];

test('imports a .jsonl file byte for byte into articles/<lo>-<hi>/article_<id>.md', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(GOOD));
  const progress: number[] = [];
  const result = await importArchive(join(dir, 'in.jsonl'), join(dir, 'out'), { onProgress: (n) => progress.push(n) });
  assert.deepEqual(result, { files: 2, skipped: [] });
  assert.deepEqual(progress, [1, 2]);
  const files = await tree(join(dir, 'out'));
  assert.deepEqual([...files.keys()], ['articles/1-1000/article_1.md', 'articles/18001-19000/article_18733.md']);
  assert.deepEqual(files.get('articles/1-1000/article_1.md'), Buffer.from(FILE_A, 'utf8'));
  assert.deepEqual(files.get('articles/18001-19000/article_18733.md'), Buffer.from(FILE_B, 'utf8'));
});

test('imports a .jsonl.gz file, streamed, with the same result as the plain file', async (t) => {
  const dir = await tempDir(t);
  const many = Array.from({ length: 300 }, (_, i) => ({
    id: String(i + 1),
    path: `articles/1-1000/article_${i + 1}.md`,
    raw: `---\ntitle: "${i + 1}"\n---\n`,
  }));
  await writeFile(join(dir, 'in.jsonl'), jsonl([...GOOD.slice(1), ...many.slice(1)]));
  await writeFile(join(dir, 'in.jsonl.gz'), gzipSync(jsonl([...GOOD.slice(1), ...many.slice(1)])));
  const plain = await importArchive(join(dir, 'in.jsonl'), join(dir, 'plain'), { concurrency: 4 });
  const gz = await importArchive(join(dir, 'in.jsonl.gz'), join(dir, 'gz'), { concurrency: 4 });
  assert.deepEqual(gz, { files: 300, skipped: [] });
  assert.deepEqual(plain, gz);
  assert.deepEqual(await tree(join(dir, 'gz')), await tree(join(dir, 'plain')));
});

test('imports a folder searched recursively for article_<id>.md, ignoring other files', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'old');
  await mkdir(join(src, 'articles', '1-1000'), { recursive: true });
  await mkdir(join(src, 'deep', 'er'), { recursive: true });
  await writeFile(join(src, 'articles', '1-1000', 'article_1.md'), FILE_A);
  await writeFile(join(src, 'deep', 'er', 'article_18733.md'), FILE_B);
  await writeFile(join(src, 'README.md'), 'not an article');
  await writeFile(join(src, 'deep', 'article_abc.md'), 'hostile');
  await writeFile(join(src, 'deep', 'article_0.md'), 'zero');
  const result = await importArchive(src, join(dir, 'out'));
  assert.equal(result.files, 2);
  assert.deepEqual(result.skipped.map((s) => s.path).sort(), [
    join('deep', 'article_0.md'),
    join('deep', 'article_abc.md'),
  ]);
  const files = await tree(join(dir, 'out'));
  assert.deepEqual([...files.keys()], ['articles/1-1000/article_1.md', 'articles/18001-19000/article_18733.md']);
  assert.deepEqual(files.get('articles/18001-19000/article_18733.md'), Buffer.from(FILE_B, 'utf8'));
});

test('skips hostile or malformed records with a reason and writes nothing outside outDir', async (t) => {
  const dir = await tempDir(t);
  const hostile = [
    { id: '../../escape', path: 'articles/1-1000/article_1.md', raw: 'x' },
    { id: '5', path: '../../escape.md', raw: 'x' },
    { id: '6', path: 'articles/1-1000/article_7.md', raw: 'x' },
    { id: '0', raw: 'x' },
    { id: '-3', raw: 'x' },
    { id: '1e3', raw: 'x' },
    { id: '12345678901234567890', raw: 'x' },
    { id: '9', raw: 42 },
    { id: null, raw: 'x' },
    { id: 'abc', path: 'articles/1-1000/article_abc.md', raw: 'x' },
    ['not', 'an', 'object'],
  ];
  const text =
    jsonl([GOOD[0], ...hostile]) +
    '{not json\n' +
    jsonl([
      { id: 1, raw: 'duplicate' },
      { id: 2, raw: 'numeric id, no path' },
    ]);
  await writeFile(join(dir, 'in.jsonl'), text);
  const out = join(dir, 'sub', 'out');
  const result = await importArchive(join(dir, 'in.jsonl'), out);
  assert.equal(result.files, 2);
  assert.equal(result.skipped.length, hostile.length + 2);
  for (const skip of result.skipped)
    assert.ok(skip.reason.length > 0 && skip.path.startsWith('in.jsonl:'), JSON.stringify(skip));
  assert.match(result.skipped.at(-1)!.reason, /appears again/);
  assert.deepEqual([...(await tree(dir)).keys()].sort(), [
    'in.jsonl',
    'sub/out/articles/1-1000/article_1.md',
    'sub/out/articles/1-1000/article_2.md',
  ]);
  assert.equal(await readFile(join(out, 'articles/1-1000/article_1.md'), 'utf8'), FILE_A);
});

test('a rerun overwrites the files identically and leaves no temporary files', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(GOOD));
  await importArchive(join(dir, 'in.jsonl'), join(dir, 'out'));
  const first = await tree(join(dir, 'out'));
  await writeFile(join(dir, 'out', 'articles', '1-1000', 'article_1.md'), 'changed');
  assert.deepEqual(await importArchive(join(dir, 'in.jsonl'), join(dir, 'out')), { files: 2, skipped: [] });
  assert.deepEqual(await tree(join(dir, 'out')), first);
});

test('a folder source that contains the output folder does not re-import its own output', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'article_3.md'), FILE_A);
  assert.deepEqual(await importArchive(dir, join(dir, 'out')), { files: 1, skipped: [] });
  assert.deepEqual(await importArchive(dir, join(dir, 'out')), { files: 1, skipped: [] });
});

test('an output that is the source, holds the source under articles/, or is a file is refused as CONFIG_INVALID, before anything is written', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src', 'articles', '1-1000'), { recursive: true });
  await writeFile(join(dir, 'src', 'articles', '1-1000', 'article_1.md'), FILE_A);
  await writeFile(join(dir, 'in.jsonl'), jsonl(GOOD));
  await symlink(join(dir, 'src'), join(dir, 'link'));
  const before = await tree(dir);
  const cases: [string, string][] = [
    [join(dir, 'src'), join(dir, 'src')],
    [join(dir, 'src'), join(dir, 'src', '.')],
    [join(dir, 'src'), join(dir, 'link')],
    [join(dir, 'link'), join(dir, 'src') + '/'],
    [join(dir, 'src', 'articles'), join(dir, 'src')],
    [join(dir, 'src', 'articles', '1-1000'), join(dir, 'link')],
    [join(dir, 'in.jsonl'), join(dir, 'in.jsonl')],
    [join(dir, 'src'), join(dir, 'in.jsonl')],
  ];
  for (const [source, out] of cases) {
    await assert.rejects(
      importArchive(source, out),
      (e: unknown) => isSalvageError(e) && e.code === 'CONFIG_INVALID',
      `${source} → ${out}`,
    );
  }
  assert.deepEqual(await tree(dir), before);
  // A jsonl file inside the output folder is fine: nothing is written over it.
  assert.deepEqual(await importArchive(join(dir, 'in.jsonl'), dir), { files: 2, skipped: [] });
});

test("temporary files of a dead import are removed before the next run and reported; a live process's and other files are kept", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.jsonl'), jsonl(GOOD));
  const bucket = join(dir, 'out', 'articles', '1-1000');
  await mkdir(bucket, { recursive: true });
  const dead = Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
  );
  const alive = process.ppid;
  const keep = [`.${alive}.1.tmp`, `.${dead}.1.tmp.bak`, `x.${dead}.1.tmp`, `.${dead}.tmp`, 'notes.txt'];
  for (const name of [`.${dead}.1.tmp`, `.${dead}.27.tmp`, ...keep]) await writeFile(join(bucket, name), 'partial');
  const seen: { path: string; pid: number }[] = [];
  assert.deepEqual(await importArchive(join(dir, 'in.jsonl'), join(dir, 'out'), { onLeftover: (l) => seen.push(l) }), {
    files: 2,
    skipped: [],
  });
  assert.deepEqual(
    seen.map((l) => l.path).sort(),
    [join(bucket, `.${dead}.1.tmp`), join(bucket, `.${dead}.27.tmp`)].sort(),
  );
  assert.ok(seen.every((l) => l.pid === dead));
  assert.deepEqual((await readdir(bucket)).sort(), [...keep, 'article_1.md'].sort());
});

test('a missing source is INPUT_UNREADABLE; an unknown file type is INPUT_INVALID; corrupt gzip is INPUT_UNREADABLE', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    importArchive(join(dir, 'missing.jsonl.gz'), join(dir, 'out')),
    (e: unknown) => isSalvageError(e) && e.code === 'INPUT_UNREADABLE',
  );
  await writeFile(join(dir, 'in.txt'), 'x');
  await assert.rejects(
    importArchive(join(dir, 'in.txt'), join(dir, 'out')),
    (e: unknown) => isSalvageError(e) && e.code === 'INPUT_INVALID',
  );
  await writeFile(
    join(dir, 'bad.jsonl.gz'),
    Buffer.concat([gzipSync(jsonl(GOOD)).subarray(0, 30), Buffer.from('garbage')]),
  );
  await assert.rejects(
    importArchive(join(dir, 'bad.jsonl.gz'), join(dir, 'out2')),
    (e: unknown) => isSalvageError(e) && e.code === 'INPUT_UNREADABLE',
  );
});
