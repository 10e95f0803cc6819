/** `salvage extract` on damaged and hostile WARC files: every intact article written, each damage reported, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serializeResponseRecord } from '../src/store/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'salvage-warc-damage-'));

function salvage(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const article = (id: number): Uint8Array =>
  new TextEncoder().encode(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Story ${id} - 眾新聞</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Story ${id}","datePublished":"2019-02-27T20:04:00+08:00","author":{"@type":"Person","name":"眾新聞記者"}}</script>
</head><body><article><h1>Story ${id}</h1><section class="article__body"><p>第${id}段。</p><p>Second paragraph of story ${id}.</p></section></article></body></html>
`);
const record = (id: number): Promise<Uint8Array> =>
  serializeResponseRecord({
    url: `https://www.hkcnews.com/article/${id}/x`,
    timestamp: '20210628174710',
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'text/html; charset=utf-8' },
    payload: article(id),
  });

test('a WARC with a damaged member in the middle: every intact article written, the damage on stderr with its offset, exit 1', async () => {
  const members = await Promise.all([18001, 18002, 18003, 18004].map(record));
  const bad = Buffer.from(members[1]!);
  for (let i = 30; i < 80; i++) bad[i] = 0xaa;
  const path = join(work, 'damaged.warc.gz');
  writeFileSync(path, Buffer.concat([members[0]!, bad, members[2]!, members[3]!]));
  const out = join(work, 'out');
  const r = salvage('extract', path, '--out', out, '--summary');
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(readdirSync(join(out, 'articles/18001-19000')).sort(), [
    'article_18001.md',
    'article_18003.md',
    'article_18004.md',
  ]);
  assert.match(readFileSync(join(out, 'articles/18001-19000/article_18004.md'), 'utf8'), /第18004段。/);
  const offset = members[0]!.length;
  const lines = r.stderr.split('\n').filter((l) => l.includes(`${path}@${offset}`));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /failed .*warc-gzip/);
  assert.match(r.stdout, /4 pages: 3 written, 0 rejected, 1 failed/);
});

test('a truncated WARC and a short record: the intact articles written, both reported in JSON lines, exit 1', async () => {
  const members = await Promise.all([18011, 18012].map(record));
  const short = Buffer.from(
    `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://www.hkcnews.com/article/18013/x\r\nWARC-Date: 2021-06-28T17:47:10Z\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>only part of it</html>\r\n\r\n`,
  );
  const path = join(work, 'cut.warc.gz');
  const cutAt = members[0]!.length + gzipSync(short).length;
  writeFileSync(path, Buffer.concat([members[0]!, gzipSync(short), members[1]!.subarray(0, 100)]));
  const r = salvage('extract', path, '--format', 'jsonl', '--quiet');
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { input: string; outcome: string; reason: string | null });
  assert.deepEqual(
    lines.map((l) => [l.input, l.outcome, l.reason]),
    [
      [`${path}@0`, 'written', null],
      [`${path}@${members[0]!.length}`, 'failed', 'warc-short'],
      [`${path}@${cutAt}`, 'failed', 'warc-truncated'],
    ],
  );
});

test('a record over --max-page-mb is rejected as too-large without being read; the record after it is written', async () => {
  const zeros = Buffer.alloc(60 * 1024 * 1024, 0x20);
  const big = gzipSync(
    Buffer.concat([
      Buffer.from(
        `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://www.hkcnews.com/article/18021/x\r\nWARC-Date: 2021-06-28T17:47:10Z\r\nContent-Length: ${zeros.length + 19}\r\n\r\nHTTP/1.1 200 OK\r\n\r\n`,
      ),
      zeros,
      Buffer.from('\r\n\r\n'),
    ]),
  );
  const path = join(work, 'big.warc.gz');
  writeFileSync(path, Buffer.concat([big, await record(18022)]));
  const r = salvage('extract', path, '--format', 'jsonl', '--quiet', '--max-page-mb', '1');
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { outcome: string; reason: string | null; message: string | null });
  assert.deepEqual(
    lines.map((l) => [l.outcome, l.reason]),
    [
      ['rejected', 'too-large'],
      ['written', null],
    ],
  );
  assert.match(lines[0]!.message!, /60\.0 MiB, over the 1 MiB page limit/);
});
