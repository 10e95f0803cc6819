import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore, type StoredRecord } from './capture-store.js';
import { readWarcCaptures, type ResponseRecordInput } from './warc.js';
import { SalvageError, type SalvageErrorCode } from '../errors.js';

const root = mkdtempSync(join(tmpdir(), 'salvage-captures-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshDir = (): string => join(root, `run-${++n}`, 'captures');

const URL_18733 =
  'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function input(i: number, fields: Partial<ResponseRecordInput> = {}): ResponseRecordInput {
  return {
    url: `${URL_18733}?n=${i}`,
    timestamp: `2021062817${String(i % 60).padStart(2, '0')}10`,
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'text/html; charset=utf-8' },
    payload: enc(`<html><body><h1>特朗普 ${i}</h1>${'x'.repeat(i * 37)}</body></html>`),
    warcHeaders: { 'WARC-Source-URI': `http://127.0.0.1:9/web/20210628174710id_/${URL_18733}` },
    ...fields,
  };
}

async function assertReadsBack(
  store: CaptureStore,
  record: StoredRecord,
  expected: ResponseRecordInput,
): Promise<void> {
  const got = await store.read(record);
  assert.equal(got.url, expected.url);
  assert.equal(got.timestamp, expected.timestamp);
  assert.equal(got.httpStatus, expected.httpStatus ?? 200);
  assert.equal(got.offset, record.offset);
  assert.deepEqual([...got.payload], [...expected.payload]);
}

const isCode =
  (code: SalvageErrorCode) =>
  (e: unknown): boolean =>
    e instanceof SalvageError && e.code === code;

test('append returns consecutive offsets in the first file; each record reads back by its offset', async () => {
  const dir = freshDir();
  const store = new CaptureStore(dir, []);
  try {
    const inputs = [
      input(1),
      input(2, { httpStatus: 404, httpHeaders: {} }),
      input(3, { payload: new Uint8Array() }),
      input(4, { payload: Uint8Array.from([0x1f, 0x8b, 0, 255, 13, 10]) }),
    ];
    const records: StoredRecord[] = [];
    for (const i of inputs) records.push(await store.append(i));
    assert.deepEqual(
      records.map((r) => r.warc),
      Array(4).fill('salvage-00001.warc.gz'),
    );
    assert.equal(records[0]!.offset, 0);
    for (let i = 1; i < records.length; i++)
      assert.equal(records[i]!.offset, records[i - 1]!.offset + records[i - 1]!.length);
    assert.equal(statSync(join(dir, 'salvage-00001.warc.gz')).size, records.at(-1)!.offset + records.at(-1)!.length);
    // Read in reverse order: reading by offset does not depend on what was read before.
    for (let i = inputs.length - 1; i >= 0; i--) await assertReadsBack(store, records[i]!, inputs[i]!);
    const got = await store.read(records[0]!);
    assert.equal(got.contentType, 'text/html; charset=utf-8');
  } finally {
    store.close();
  }
});

test('the files are ordinary WARCs: a reader sees every record in order', async () => {
  const dir = freshDir();
  const store = new CaptureStore(dir, []);
  const inputs = [input(1), input(2), input(3)];
  for (const i of inputs) await store.append(i);
  store.close();
  const urls: string[] = [];
  for await (const c of readWarcCaptures(join(dir, 'salvage-00001.warc.gz'))) urls.push(c.url);
  assert.deepEqual(
    urls,
    inputs.map((i) => i.url),
  );
});

test('appends started together get separate, readable places', async () => {
  const store = new CaptureStore(freshDir(), []);
  try {
    const inputs = Array.from({ length: 8 }, (_, i) => input(i));
    const records = await Promise.all(inputs.map((i) => store.append(i)));
    const spans = [...records].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < spans.length; i++)
      assert.equal(spans[i]!.offset, spans[i - 1]!.offset + spans[i - 1]!.length, 'no overlap, no gap');
    for (let i = 0; i < inputs.length; i++) await assertReadsBack(store, records[i]!, inputs[i]!);
  } finally {
    store.close();
  }
});

test('a new file is started once the current one reaches rotateBytes', async () => {
  const dir = freshDir();
  const store = new CaptureStore(dir, [], 1);
  const records: StoredRecord[] = [];
  const inputs = [input(1), input(2), input(3)];
  for (const i of inputs) records.push(await store.append(i));
  assert.deepEqual(
    records.map((r) => [r.warc, r.offset]),
    [
      ['salvage-00001.warc.gz', 0],
      ['salvage-00002.warc.gz', 0],
      ['salvage-00003.warc.gz', 0],
    ],
  );
  for (let i = 0; i < inputs.length; i++) await assertReadsBack(store, records[i]!, inputs[i]!);
  assert.deepEqual(
    store.files(),
    records.map((r) => join(dir, r.warc)),
  );
  store.close();
});

test('rotation waits until the size is reached: a file takes records until it holds rotateBytes', async () => {
  const dir = freshDir();
  const probe = new CaptureStore(join(root, `probe-${++n}`), []);
  const one = (await probe.append(input(1))).length;
  probe.close();
  const store = new CaptureStore(dir, [], Math.floor(one * 1.5));
  const records: StoredRecord[] = [];
  for (let i = 0; i < 3; i++) records.push(await store.append(input(1)));
  store.close();
  assert.deepEqual(
    records.map((r) => r.warc),
    ['salvage-00001.warc.gz', 'salvage-00001.warc.gz', 'salvage-00002.warc.gz'],
  );
});

test('reopening with the committed sizes appends after the committed records', async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, []);
  const a = await first.append(input(1));
  first.close();
  const again = new CaptureStore(dir, [{ name: a.warc, size: a.offset + a.length }]);
  try {
    const b = await again.append(input(2));
    assert.deepEqual([b.warc, b.offset], [a.warc, a.length]);
    await assertReadsBack(again, a, input(1));
    await assertReadsBack(again, b, input(2));
  } finally {
    again.close();
  }
});

test('reopening after a crash leaves the cut record in place; new records go to a new file', async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, []);
  const a = await first.append(input(1));
  const lost = await first.append(input(2)); // written, but its offset never reached the state
  first.close();
  const path = join(dir, a.warc);
  // The crash cut the uncommitted record halfway.
  writeFileSync(path, readFileSync(path).subarray(0, lost.offset + Math.floor(lost.length / 2)));
  const before = readFileSync(path);
  const again = new CaptureStore(dir, [{ name: a.warc, size: a.length }]);
  try {
    const b = await again.append(input(3));
    assert.deepEqual([b.warc, b.offset], ['salvage-00002.warc.gz', 0]);
    assert.deepEqual(readFileSync(path), before, 'not a byte of the old file changed');
    await assertReadsBack(again, a, input(1));
    await assertReadsBack(again, b, input(3));
  } finally {
    again.close();
  }
});

test('files the state does not know are left alone; new records go to a file numbered after them', async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, [], 1);
  const a = await first.append(input(1));
  const b = await first.append(input(2)); // salvage-00002: never committed
  first.close();
  writeFileSync(join(dir, 'notes.txt'), 'keep me');
  const bBytes = readFileSync(join(dir, b.warc));
  const again = new CaptureStore(dir, [{ name: a.warc, size: a.length }], 1);
  try {
    assert.deepEqual(readFileSync(join(dir, b.warc)), bBytes);
    assert.equal(statSync(join(dir, a.warc)).size, a.length);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'keep me');
    const c = await again.append(input(3));
    assert.deepEqual([c.warc, c.offset], ['salvage-00003.warc.gz', 0]);
    await assertReadsBack(again, b, input(2));
    await assertReadsBack(again, c, input(3));
  } finally {
    again.close();
  }
});

test('with no committed sizes at all (a lost state), no file is touched and writing starts in a new file', async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, []);
  await first.append(input(1));
  first.close();
  const before = readFileSync(join(dir, 'salvage-00001.warc.gz'));
  const again = new CaptureStore(dir, []);
  try {
    assert.deepEqual(readFileSync(join(dir, 'salvage-00001.warc.gz')), before);
    const r = await again.append(input(2));
    assert.deepEqual([r.warc, r.offset], ['salvage-00002.warc.gz', 0]);
  } finally {
    again.close();
  }
  assert.deepEqual(readFileSync(join(dir, 'salvage-00001.warc.gz')), before);
});

test("a file shorter than its committed size is not appended to; a missing file's name is not reused", async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, [], 1);
  const a = await first.append(input(1));
  const b = await first.append(input(2));
  first.close();
  writeFileSync(join(dir, b.warc), readFileSync(join(dir, b.warc)).subarray(0, 10));
  const short = new CaptureStore(
    dir,
    [
      { name: a.warc, size: a.length },
      { name: b.warc, size: b.length },
    ],
    1024 * 1024,
  );
  const c = await short.append(input(3));
  short.close();
  assert.equal(c.warc, 'salvage-00003.warc.gz');
  rmSync(join(dir, c.warc));
  const missing = new CaptureStore(
    dir,
    [
      { name: a.warc, size: a.length },
      { name: b.warc, size: b.length },
      { name: c.warc, size: c.length },
    ],
    1024 * 1024,
  );
  const d = await missing.append(input(4));
  missing.close();
  assert.equal(d.warc, 'salvage-00004.warc.gz');
});

test('reopening continues in the last committed file, not the first', async () => {
  const dir = freshDir();
  const first = new CaptureStore(dir, [], 1);
  const records = [await first.append(input(1)), await first.append(input(2))];
  first.close();
  const committed = records.map((r) => ({ name: r.warc, size: r.offset + r.length }));
  const again = new CaptureStore(dir, committed, 1024 * 1024);
  try {
    const c = await again.append(input(3));
    assert.deepEqual([c.warc, c.offset], [records[1]!.warc, records[1]!.length]);
  } finally {
    again.close();
  }
});

test('the folder is created when missing', () => {
  const dir = join(freshDir(), 'deeper');
  const store = new CaptureStore(dir, []);
  store.close();
  assert.ok(existsSync(dir));
  assert.deepEqual(readdirSync(dir), [], 'nothing is written before the first append');
});

test('reading a missing file fails with INPUT_UNREADABLE; a record past the end or cut short with WARC_MALFORMED', async () => {
  const dir = freshDir();
  const store = new CaptureStore(dir, []);
  try {
    const a = await store.append(input(1));
    await assert.rejects(store.read({ ...a, warc: 'salvage-00009.warc.gz' }), isCode('INPUT_UNREADABLE'));
    await assert.rejects(store.read({ ...a, length: a.length + 100 }), isCode('WARC_MALFORMED'));
    await assert.rejects(store.read({ ...a, length: a.length - 30 }), isCode('WARC_MALFORMED'));
  } finally {
    store.close();
  }
});

test('reading bytes that are not a WARC record (a wrong offset, a foreign file) fails with WARC_MALFORMED', async () => {
  const dir = freshDir();
  const store = new CaptureStore(dir, []);
  try {
    const a = await store.append(input(1));
    await assert.rejects(
      store.read({ warc: a.warc, offset: a.offset + 5, length: a.length - 5 }),
      isCode('WARC_MALFORMED'),
      'offset inside the record',
    );
    appendFileSync(join(dir, 'salvage-00002.warc.gz'), 'not a warc record at all, just text\n'.repeat(4));
    await assert.rejects(
      store.read({ warc: 'salvage-00002.warc.gz', offset: 0, length: 40 }),
      isCode('WARC_MALFORMED'),
      'a text file',
    );
  } finally {
    store.close();
  }
});
