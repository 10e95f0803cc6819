import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import { articlePath, removeStaleTempFiles, writeArticleFile, writeFileAtomic } from './write.js';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'salvage-write-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const isUnsafe = (error: unknown): boolean => error instanceof SalvageError && error.code === 'OUTPUT_UNSAFE';

test('articlePath puts an id in its bucket of 1000', () => {
  assert.equal(articlePath('18733'), 'articles/18001-19000/article_18733.md');
  assert.equal(articlePath('1'), 'articles/1-1000/article_1.md');
  assert.equal(articlePath('1000'), 'articles/1-1000/article_1000.md');
  assert.equal(articlePath('1001'), 'articles/1001-2000/article_1001.md');
  assert.equal(articlePath('2000'), 'articles/1001-2000/article_2000.md');
  assert.equal(articlePath('49930'), 'articles/49001-50000/article_49930.md');
});

test('articlePath refuses every id that is not a positive integer', () => {
  for (const id of [
    '../x',
    '0',
    '-1',
    '1e3',
    '12/..',
    '',
    ' 12',
    '12 ',
    '012',
    '1.0',
    '0x1f',
    '１２',
    '12\n',
    'NaN',
    'Infinity',
    '/etc/passwd',
    '1000000000000000',
  ]) {
    assert.throws(() => articlePath(id), isUnsafe, JSON.stringify(id));
  }
});

test('writeFileAtomic creates missing folders and leaves no temporary files', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'articles', '1-1000', 'article_1.md');
    await writeFileAtomic(path, '---\ntitle: "a"\n---\n');
    assert.equal(await readFile(path, 'utf8'), '---\ntitle: "a"\n---\n');
    assert.deepEqual(await readdir(join(dir, 'articles', '1-1000')), ['article_1.md']);
  });
});

test('writeFileAtomic replaces existing content entirely', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'a.md');
    await writeFile(path, 'a much longer old content that must not survive\n'.repeat(100));
    await writeFileAtomic(path, 'new\n');
    assert.equal(await readFile(path, 'utf8'), 'new\n');
    assert.deepEqual(await readdir(dir), ['a.md']);
  });
});

test('writeFileAtomic writes bytes as given', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'b.bin');
    const bytes = Uint8Array.from([0, 255, 0xe7, 0x9c, 0xbe, 10]);
    await writeFileAtomic(path, bytes);
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes);
  });
});

test('concurrent atomic writes to one path leave one complete version and no temporary files', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'c.md');
    const versions = Array.from({ length: 20 }, (_, i) => `version ${i}\n`.repeat(500));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    assert.ok(versions.includes(await readFile(path, 'utf8')));
    assert.deepEqual(await readdir(dir), ['c.md']);
  });
});

test('writeFileAtomic fails with OUTPUT_FAILED when the target is a folder, and cleans up', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await assert.rejects(
      writeFileAtomic(path, 'x'),
      (error: unknown) => error instanceof SalvageError && error.code === 'OUTPUT_FAILED',
    );
    assert.deepEqual(await readdir(dir), ['taken']);
  });
});

test('writeArticleFile writes under the root at the id path and returns it', async () => {
  await withTempDir(async (dir) => {
    const path = await writeArticleFile(dir, '18733', 'x\n');
    assert.equal(path, join(dir, 'articles/18001-19000/article_18733.md'));
    assert.equal(await readFile(path, 'utf8'), 'x\n');
  });
});

test('writeArticleFile refuses an unsafe id before touching the disk', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(writeArticleFile(dir, '../../escape', 'x'), isUnsafe);
    assert.deepEqual(await readdir(dir), []);
  });
});

test('temp files a killed writer left behind are removed, article files are kept', async () => {
  await withTempDir(async (dir) => {
    const bucket = join(dir, 'articles', '1-1000');
    await mkdir(bucket, { recursive: true });
    await writeFile(join(bucket, 'article_7.md'), 'kept');
    await writeFile(join(bucket, '.4242.17.tmp'), 'half a file');
    await writeFile(join(bucket, 'notes.tmp'), 'not ours: kept');
    assert.equal(await removeStaleTempFiles(dir), 1);
    assert.deepEqual((await readdir(bucket)).sort(), ['article_7.md', 'notes.tmp']);
    assert.equal(await removeStaleTempFiles(join(dir, 'missing')), 0);
  });
});
