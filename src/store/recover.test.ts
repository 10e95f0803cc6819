import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CaptureStore } from './capture-store.js';
import { recoverCaptures, requestedCaptureHeaders, type RecoveryEvent } from './recover.js';
import { CrawlState, type NewCapture } from './state.js';
import type { ResponseRecordInput } from './warc.js';
import { scanMembers } from './warc-scan.js';

const root = mkdtempSync(join(tmpdir(), 'salvage-recover-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): { dir: string; statePath: string } => {
  const base = join(root, `run-${++n}`);
  return { dir: join(base, 'captures'), statePath: join(base, 'state.sqlite') };
};

const QUERY = '{"url":"example.com/article/"}';
const original = (id: number): string => `https://example.com/article/${id}`;
const ts = (id: number): string => `202106281700${String(id).padStart(2, '0')}`;

function row(id: number): NewCapture {
  return {
    key: `${ts(id)} ${original(id)} D${id} 200`,
    articleId: id,
    urlkey: `com,example)/article/${id}`,
    timestamp: ts(id),
    original: original(id),
    mimetype: 'text/html',
    statuscode: 200,
    digest: `D${id}`,
    length: 100,
  };
}

function input(id: number, fields: Partial<ResponseRecordInput> = {}): ResponseRecordInput {
  return {
    url: original(id),
    timestamp: ts(id),
    httpStatus: 200,
    httpHeaders: { 'Content-Type': 'text/html' },
    payload: new TextEncoder().encode(`<html><body><h1>article ${id}</h1>${'x'.repeat(id * 50)}</body></html>`),
    warcHeaders: {
      'WARC-Source-URI': `http://127.0.0.1:9/web/${ts(id)}id_/${original(id)}`,
      'Salvage-Fetch-Date': '2026-12-06T00:00:00.000Z',
      ...requestedCaptureHeaders(ts(id), original(id)),
    },
    ...fields,
  };
}

function stored(
  state: CrawlState,
): Map<
  number,
  { warc: string | null; warc_offset: number | null; warc_length: number | null; memento_url: string | null }
> {
  return new Map(
    state
      .all<{
        article_id: number;
        warc: string | null;
        warc_offset: number | null;
        warc_length: number | null;
        memento_url: string | null;
      }>('SELECT article_id, warc, warc_offset, warc_length, memento_url FROM captures')
      .map((r) => [r.article_id, r]),
  );
}

async function recover(dir: string, state: CrawlState): Promise<RecoveryEvent[]> {
  const events: RecoveryEvent[] = [];
  await recoverCaptures(dir, state, (e) => events.push(e));
  return events;
}

test('a record written but never committed (a crash between write and commit) is adopted and its capture linked', async () => {
  const { dir, statePath } = fresh();
  const state = CrawlState.open(statePath, 'example');
  try {
    state.addCdxBlock(QUERY, [row(1), row(2)], undefined);
    const store = new CaptureStore(dir, state.warcSizes());
    const a = await store.append(input(1));
    const id1 = state.get<{ id: number }>('SELECT id FROM captures WHERE article_id = 1')!.id;
    state.captureStored({ id: id1, warc: a.warc, offset: a.offset, length: a.length, fetchedAt: 'x', mementoUrl: 'y' });
    const b = await store.append(input(2)); // the kill lands here
    store.close();
    const before = readFileSync(join(dir, a.warc));
    const events = await recover(dir, state);
    assert.deepEqual(events, [{ type: 'adopted', warc: a.warc, from: a.length, records: 1 }]);
    assert.deepEqual(
      state.warcSizes(),
      [{ name: a.warc, size: b.offset + b.length }],
      'the adopted record is committed',
    );
    assert.equal(state.linkFoundRecords(), 1);
    const c2 = stored(state).get(2)!;
    assert.deepEqual(
      [c2.warc, c2.warc_offset, c2.warc_length, c2.memento_url],
      [b.warc, b.offset, b.length, input(2).warcHeaders!['WARC-Source-URI']],
    );
    assert.deepEqual(readFileSync(join(dir, a.warc)), before, 'no byte changed');
    // The file is as long as committed again: appending continues in it.
    const again = new CaptureStore(dir, state.warcSizes());
    const c = await again.append(input(3));
    again.close();
    assert.deepEqual([c.warc, c.offset], [a.warc, b.offset + b.length]);
  } finally {
    state.close();
  }
});

test('a record cut by a crash is reported with its offset and left in place; new records go to a new file', async () => {
  const { dir, statePath } = fresh();
  const state = CrawlState.open(statePath, 'example');
  try {
    const store = new CaptureStore(dir, []);
    const a = await store.append(input(1));
    state.setWarcSize(a.warc, a.length);
    const b = await store.append(input(2));
    store.close();
    const path = join(dir, a.warc);
    writeFileSync(path, readFileSync(path).subarray(0, b.offset + Math.floor(b.length / 2)));
    const before = readFileSync(path);
    const events = await recover(dir, state);
    assert.equal(events.length, 1);
    assert.deepEqual(
      { ...events[0], detail: undefined },
      { type: 'incomplete', warc: a.warc, offset: b.offset, bytes: Math.floor(b.length / 2), detail: undefined },
    );
    assert.deepEqual(state.warcSizes(), [{ name: a.warc, size: a.length }]);
    assert.deepEqual(readFileSync(path), before);
    const again = new CaptureStore(dir, state.warcSizes());
    const c = await again.append(input(3));
    again.close();
    assert.deepEqual([c.warc, c.offset], ['salvage-00002.warc.gz', 0]);
    assert.deepEqual(readFileSync(path), before);
  } finally {
    state.close();
  }
});

test('with a lost state, every record of every file is adopted and linked to the capture it was fetched for, redirects included', async () => {
  const { dir, statePath } = fresh();
  const first = new CaptureStore(dir, [], 1);
  await first.append(input(1));
  // Capture 2 redirected to another capture: the record holds the target's URL and date.
  await first.append(input(2, { url: 'https://example.com/article/2?moved', timestamp: '20210701000000' }));
  // Written before the Salvage-Capture headers existed: linked by its own URI and date.
  await first.append(
    input(3, { warcHeaders: { 'WARC-Source-URI': 'http://x/', 'Salvage-Fetch-Date': '2026-01-01T00:00:00.000Z' } }),
  );
  first.close();
  const state = CrawlState.open(statePath, 'example');
  try {
    const events = await recover(dir, state);
    assert.deepEqual(
      events.map((e) => e.type),
      ['adopted', 'adopted', 'adopted'],
    );
    assert.deepEqual(
      state.warcSizes().map((w) => w.size),
      ['salvage-00001.warc.gz', 'salvage-00002.warc.gz', 'salvage-00003.warc.gz'].map(
        (f) => statSync(join(dir, f)).size,
      ),
    );
    // Discovery redone afterwards: then the records are linked.
    state.addCdxBlock(QUERY, [row(1), row(2), row(3), row(4)], undefined);
    assert.equal(state.linkFoundRecords(), 3);
    const s = stored(state);
    assert.deepEqual(
      [1, 2, 3, 4].map((id) => s.get(id)!.warc),
      ['salvage-00001.warc.gz', 'salvage-00002.warc.gz', 'salvage-00003.warc.gz', null],
    );
    assert.equal(state.linkFoundRecords(), 0, 'linking twice links nothing more');
  } finally {
    state.close();
  }
});

test('a damaged member in the middle of an unknown file is reported; every record after it is adopted', async () => {
  const { dir, statePath } = fresh();
  const store = new CaptureStore(dir, []);
  const records = [];
  for (let i = 1; i <= 4; i++) records.push(await store.append(input(i)));
  store.close();
  const path = join(dir, records[0]!.warc);
  const bytes = readFileSync(path);
  const hit = records[1]!.offset + Math.floor(records[1]!.length / 2);
  bytes[hit] = bytes[hit]! ^ 0xff;
  writeFileSync(path, bytes);
  const state = CrawlState.open(statePath, 'example');
  try {
    const events = await recover(dir, state);
    const damaged = events.filter((e) => e.type === 'damaged');
    assert.equal(damaged.length, 1);
    assert.equal((damaged[0] as { offset: number }).offset, records[1]!.offset);
    assert.deepEqual(
      events.filter((e) => e.type === 'adopted'),
      [{ type: 'adopted', warc: records[0]!.warc, from: 0, records: 3 }],
    );
    assert.deepEqual(
      state.warcSizes(),
      [{ name: records[0]!.warc, size: records[1]!.offset }],
      'committed only up to the damage',
    );
    state.addCdxBlock(QUERY, [1, 2, 3, 4].map(row), undefined);
    assert.equal(state.linkFoundRecords(), 3);
    assert.equal(stored(state).get(2)!.warc, null, 'the damaged one is fetched again');
    assert.deepEqual(readFileSync(path), bytes);
  } finally {
    state.close();
  }
});

test('captures whose bytes are gone (file shorter or missing) are reported and marked to be fetched again, their articles pending', async () => {
  const { dir, statePath } = fresh();
  const state = CrawlState.open(statePath, 'example');
  try {
    state.addCdxBlock(QUERY, [1, 2, 3].map(row), undefined);
    state.seedArticles();
    const store = new CaptureStore(dir, [], 1);
    const ids = new Map(
      state
        .all<{ id: number; article_id: number }>('SELECT id, article_id FROM captures')
        .map((r) => [r.article_id, r.id]),
    );
    const a = await store.append(input(1));
    state.captureStored({ id: ids.get(1)!, ...a, fetchedAt: 'x', mementoUrl: 'y' });
    const b1 = await store.append(input(2));
    state.captureStored({ id: ids.get(2)!, ...b1, fetchedAt: 'x', mementoUrl: 'y' });
    const c = await store.append(input(3));
    state.captureStored({ id: ids.get(3)!, ...c, fetchedAt: 'x', mementoUrl: 'y' });
    store.close();
    for (const id of [1, 2, 3])
      state.articleWritten({ id, captureId: ids.get(id)!, path: `a${id}.md`, sha256: 'h', year: '2021' });
    writeFileSync(join(dir, b1.warc), readFileSync(join(dir, b1.warc)).subarray(0, b1.length - 5));
    rmSync(join(dir, c.warc));
    const events = await recover(dir, state);
    assert.deepEqual(events, [
      { type: 'bytes-gone', warc: b1.warc, size: b1.length - 5, committed: b1.length, missing: false, captures: 1 },
      { type: 'bytes-gone', warc: c.warc, size: 0, committed: c.length, missing: true, captures: 1 },
    ]);
    const s = stored(state);
    assert.deepEqual(
      [1, 2, 3].map((id) => s.get(id)!.warc),
      [a.warc, null, null],
    );
    assert.deepEqual(
      state.all<{ id: number; state: string }>('SELECT id, state FROM articles ORDER BY id').map((r) => r.state),
      ['written', 'pending', 'pending'],
    );
  } finally {
    state.close();
  }
});

test('scanMembers: garbage between records, a record shorter than its Content-Length and trailing junk are reported, records read', async () => {
  const { dir } = fresh();
  const store = new CaptureStore(dir, []);
  const a = await store.append(input(1));
  store.close();
  const path = join(dir, a.warc);
  const record = readFileSync(path);
  // A whole gzip member whose WARC record declares more content than it holds.
  const inflated = gunzipSync(record);
  const shortRecord = gzipSync(inflated.subarray(0, inflated.length - 40));
  writeFileSync(
    path,
    Buffer.concat([record, Buffer.from('junk junk junk'), record, shortRecord, record, Buffer.from('tail')]),
  );
  const seen: string[] = [];
  for await (const m of scanMembers(path))
    seen.push(m.kind === 'record' ? `record@${m.offset}` : `${m.kind}@${m.offset}+${m.bytes}`);
  const r = record.length;
  assert.deepEqual(seen, [
    `record@0`,
    `damaged@${r}+14`,
    `record@${r + 14}`,
    `damaged@${2 * r + 14}+${shortRecord.length}`,
    `record@${2 * r + 14 + shortRecord.length}`,
    `damaged@${3 * r + 14 + shortRecord.length}+4`,
  ]);
});

test("a folder with a WARC file's name is reported and passed over; the other files are adopted, and new records go after it", async () => {
  const { dir, statePath } = fresh();
  const store = new CaptureStore(dir, []);
  await store.append(input(1));
  store.close();
  mkdirSync(join(dir, 'salvage-00002.warc.gz'));
  const state = CrawlState.open(statePath, 'example');
  try {
    const events = await recover(dir, state);
    assert.deepEqual(
      events.map((e) => [e.type, e.warc]),
      [
        ['adopted', 'salvage-00001.warc.gz'],
        ['damaged', 'salvage-00002.warc.gz'],
      ],
    );
    const again = new CaptureStore(dir, state.warcSizes());
    const r = await again.append(input(2));
    again.close();
    assert.equal(r.warc, 'salvage-00003.warc.gz');
  } finally {
    state.close();
  }
});
