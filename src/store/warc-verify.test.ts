/**
 * Fixity of WARC files (`salvage verify`): records written here from the WARC 1.1 text (§4: a
 * version line, named fields, CRLF CRLF, the block, CRLF CRLF) with the digests other tools
 * state (Heritrix, wget and pywb: `sha1:` base32), and by webrecorder's warcio.js (`sha256:` hex),
 * then damaged one way at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WARCRecord } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { checkWarcFile, checkWarcFolder, type WarcPlace } from './warc-verify.js';
import type { IntegrityFinding } from './integrity.js';

const dir = mkdtempSync(join(tmpdir(), 'salvage-warc-verify-'));
let n = 0;
const CRLF = '\r\n';

/** Base32 bit by bit (RFC 4648 §6): the `sha1:` digests Heritrix and the Wayback write. */
function base32(bytes: Uint8Array): string {
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5)
    out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}
const sha1 = (b: Uint8Array): string => `sha1:${base32(createHash('sha1').update(b).digest())}`;

/** A response record with `sha1:` base32 block and payload digests, as Heritrix writes one. */
function response(i: number): Buffer {
  const body = Buffer.from(`<html><title>Page ${i}</title><p>${'Words of the page. '.repeat(20)}</p></html>`);
  const block = Buffer.concat([
    Buffer.from(['HTTP/1.1 200 OK', 'Content-Type: text/html', `Content-Length: ${body.length}`, '', ''].join(CRLF)),
    body,
  ]);
  const head = [
    'WARC/1.0',
    'WARC-Type: response',
    `WARC-Target-URI: http://example.com/${i}`,
    'WARC-Date: 2021-07-04T23:55:49Z',
    `WARC-Record-ID: <urn:uuid:${String(++n).padStart(8, '0')}-0000-4000-8000-000000000000>`,
    'Content-Type: application/http; msgtype=response',
    `WARC-Block-Digest: ${sha1(block)}`,
    `WARC-Payload-Digest: ${sha1(body)}`,
    `Content-Length: ${block.length}`,
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head + CRLF + CRLF), block, Buffer.from(CRLF + CRLF)]);
}

function put(name: string, bytes: Uint8Array, sub = ''): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  writeFileSync(path, bytes);
  return path;
}

async function findingsOf(path: string): Promise<IntegrityFinding[]> {
  const out: IntegrityFinding[] = [];
  await checkWarcFile(path, 'f', (f) => out.push(f));
  return out;
}

const records = [response(1), response(2), response(3)];

test('a plain WARC of intact records has no findings, and each digest is counted as a match', async () => {
  const path = put('clean.warc', Buffer.concat(records));
  const found: IntegrityFinding[] = [];
  const summary = await checkWarcFile(path, 'clean.warc', (f) => found.push(f));
  assert.deepEqual(found, []);
  assert.equal(summary.records, 3);
  assert.equal(summary.blockDigests.ok, 3);
  assert.equal(summary.payloadDigests.ok, 3);
});

test('a flipped byte in a payload is named by its record: both digests differ, the others match', async () => {
  const bytes = Buffer.concat(records);
  const at = records[0]!.length + records[1]!.length - 20; // inside record 2's body
  bytes[at] = bytes[at]! ^ 0x01;
  const found = await findingsOf(put('flipped.warc', bytes));
  assert.deepEqual(
    found.map((f) => [f.problem, f.code, f.offset]),
    [
      ['altered', 'block-digest', records[0]!.length],
      ['altered', 'payload-digest', records[0]!.length],
    ],
  );
  assert.match(found[0]!.message, /http:\/\/example\.com\/2/);
});

test('in a .warc.gz, a flipped byte of compressed data or of a gzip trailer is damage at that member; the members around it are read', async () => {
  const members = records.map((r) => gzipSync(r));
  for (const [what, at] of [
    ['deflate data', members[0]!.length + 40],
    ['CRC-32 trailer', members[0]!.length + members[1]!.length - 6],
  ] as const) {
    const bytes = Buffer.concat(members);
    bytes[at] = bytes[at]! ^ 0x55;
    const found: IntegrityFinding[] = [];
    const summary = await checkWarcFile(put(`${what}.warc.gz`, bytes), 'x.warc.gz', (f) => found.push(f));
    assert.deepEqual(
      found.map((f) => [f.problem, f.code, f.offset]),
      [['altered', 'damaged-bytes', members[0]!.length]],
      what,
    );
    assert.equal(summary.records, 2, what);
    assert.equal(summary.blockDigests.ok, 2, what);
  }
});

test('records written by warcio.js (sha256 hex digests) check clean', async () => {
  const record = WARCRecord.create(
    {
      url: 'http://example.com/warcio',
      date: '2021-07-04T23:55:49Z',
      type: 'response',
      warcVersion: 'WARC/1.1',
      statusline: 'HTTP/1.1 200 OK',
      httpHeaders: { 'Content-Type': 'text/plain' },
    },
    [Buffer.from('written by another implementation')],
  );
  const bytes = await WARCSerializer.serialize(record, { gzip: true });
  assert.match(
    Buffer.from(await WARCSerializer.serialize(record)).toString('latin1'),
    /WARC-Payload-Digest: sha256:[0-9a-f]{64}/,
  );
  const found: IntegrityFinding[] = [];
  const summary = await checkWarcFile(put('warcio.warc.gz', bytes), 'w', (f) => found.push(f));
  assert.deepEqual(found, []);
  assert.deepEqual([summary.blockDigests.ok, summary.payloadDigests.ok], [1, 1]);
});

test('records without digests are read whole and said once per file as not checked against a digest', async () => {
  const bare = Buffer.from(
    [
      'WARC/1.1',
      'WARC-Type: resource',
      'WARC-Target-URI: http://example.com/x',
      'Content-Length: 3',
      '',
      'abc',
      '',
      '',
    ].join(CRLF),
  );
  const found = await findingsOf(put('bare.warc', Buffer.concat([bare, bare])));
  assert.deepEqual(
    found.map((f) => [f.problem, f.code]),
    [['notice', 'digest-absent']],
  );
});

test("a folder's files are held to the index: a missing file, a shorter file, places with no whole record, an unknown file", async () => {
  const sub = `folder-${++n}`;
  const members = records.map((r) => gzipSync(r));
  const whole = Buffer.concat(members);
  put('salvage-00001.warc.gz', whole, sub);
  put('salvage-00002.warc.gz', whole.subarray(0, members[0]!.length + 7), sub); // cut inside member 2
  put('notes.txt', Buffer.from('hello'), sub);
  const offsets = [0, members[0]!.length, members[0]!.length + members[1]!.length];
  const places: WarcPlace[] = [
    { warc: 'salvage-00001.warc.gz', offset: offsets[0]!, length: members[0]!.length },
    { warc: 'salvage-00001.warc.gz', offset: offsets[1]!, length: members[1]!.length + 1 }, // wrong length
    { warc: 'salvage-00001.warc.gz', offset: 5, length: 9 }, // not a record start
    { warc: 'salvage-00002.warc.gz', offset: offsets[0]!, length: members[0]!.length },
    { warc: 'salvage-00002.warc.gz', offset: offsets[1]!, length: members[1]!.length }, // cut off
    { warc: 'salvage-00003.warc.gz', offset: 0, length: 10 }, // a file that is gone
    { warc: 'salvage-00003.warc.gz', offset: 10, length: 10 },
  ].sort((a, b) => (a.warc < b.warc ? -1 : a.warc > b.warc ? 1 : a.offset - b.offset));
  const found: IntegrityFinding[] = [];
  const summary = await checkWarcFolder({
    dir: join(dir, sub),
    label: 'captures',
    committed: [
      { name: 'salvage-00001.warc.gz', size: whole.length },
      { name: 'salvage-00002.warc.gz', size: whole.length },
      { name: 'salvage-00003.warc.gz', size: 20 },
    ],
    places,
    onFinding: (f) => found.push(f),
  });
  assert.deepEqual(
    found.map((f) => [f.problem, f.check, f.code, f.path, f.offset]),
    [
      ['extra', 'warc', 'unexpected-file', 'captures/notes.txt', undefined],
      ['altered', 'warc-place', 'place-not-record', 'captures/salvage-00001.warc.gz', 5],
      ['altered', 'warc-place', 'place-not-record', 'captures/salvage-00001.warc.gz', offsets[1]],
      ['altered', 'warc', 'file-short', 'captures/salvage-00002.warc.gz', undefined],
      ['altered', 'warc', 'damaged-bytes', 'captures/salvage-00002.warc.gz', offsets[1]],
      ['altered', 'warc-place', 'place-not-record', 'captures/salvage-00002.warc.gz', offsets[1]],
      ['missing', 'warc', 'file-missing', 'captures/salvage-00003.warc.gz', undefined],
    ],
  );
  assert.match(found.at(-1)!.message, /names 2 records/);
  assert.equal(summary.places, places.length);
  assert.equal(summary.placesIntact, 2);
});

test('damaged bytes wholly past the size the index committed are a notice: a write a stop cut, left in place', async () => {
  const sub = `folder-${++n}`;
  const members = records.map((r) => gzipSync(r));
  const committed = members[0]!.length + members[1]!.length;
  put('salvage-00001.warc.gz', Buffer.concat([members[0]!, members[1]!, members[2]!.subarray(0, 30)]), sub);
  const found: IntegrityFinding[] = [];
  await checkWarcFolder({
    dir: join(dir, sub),
    label: 'captures',
    committed: [{ name: 'salvage-00001.warc.gz', size: committed }],
    places: [{ warc: 'salvage-00001.warc.gz', offset: members[0]!.length, length: members[1]!.length }],
    onFinding: (f) => found.push(f),
  });
  assert.deepEqual(
    found.map((f) => [f.problem, f.code, f.offset]),
    [
      ['notice', 'uncommitted', undefined],
      ['notice', 'uncommitted-damage', committed],
    ],
  );
});
