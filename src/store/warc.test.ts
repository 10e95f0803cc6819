import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWarcCaptures, WarcWriter } from './warc.js';
import { SalvageError } from '../errors.js';

const dir = mkdtempSync(join(tmpdir(), 'salvage-warc-'));

test('round-trips captures: URL exactly as given, capture time, status, content type, payload bytes', async () => {
  const path = join(dir, 'a.warc.gz');
  const url = "https://www.hkcnews.com/article/22930/%E9%A6%99%E6%B8%AF-22930/sex?+Let's+take+a+look";
  const payload = Uint8Array.from([0x1f, 0x8b, 0, 1, 2, 255]);
  const writer = await WarcWriter.open(path);
  await writer.append({
    url,
    timestamp: '20210704235549',
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'text/html; charset=utf-8' },
    payload,
  });
  await writer.append({
    url: 'https://hkcnews.com/article/1',
    timestamp: '20220105000000',
    httpStatus: 404,
    payload: new Uint8Array(),
  });
  await writer.close();
  const got = [];
  for await (const c of readWarcCaptures(path)) got.push(c);
  assert.equal(got.length, 2);
  assert.equal(got[0]!.url, url);
  assert.equal(got[0]!.timestamp, '20210704235549');
  assert.equal(got[0]!.httpStatus, 200);
  assert.equal(got[0]!.contentType, 'text/html; charset=utf-8');
  assert.deepEqual([...got[0]!.payload], [...payload]);
  assert.equal(got[1]!.httpStatus, 404);
  assert.equal(got[1]!.contentType, undefined);
});

test('a file that is not a WARC fails with WARC_MALFORMED', async () => {
  for (const [name, content] of [
    ['empty.warc', ''],
    ['text.warc', 'hello\nworld\n'],
    ['binary.warc.gz', '\x1f\x8b\x08garbage'],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, content);
    await assert.rejects(
      async () => {
        for await (const _ of readWarcCaptures(path)) {
          /* drain */
        }
      },
      (e: unknown) => e instanceof SalvageError && e.code === 'WARC_MALFORMED',
      name,
    );
  }
});
