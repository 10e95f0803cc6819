/**
 * The WARC reader on damaged and hostile files. Fixtures are records written by hand after the
 * WARC 1.1 spec (§6 example layout: version line, named fields, CRLF CRLF, content, CRLF CRLF),
 * gzipped one member per record as warcio and wget write them (annex D), and files warcio writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { WARCRecord } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { SalvageError } from '../errors.js';
import {
  readWarcCaptureAt,
  readWarcCaptures,
  type WarcCapture,
  type WarcDamage,
  type WarcReadOptions,
} from './warc-reader.js';
import { MAX_SKIP_INFLATE_BYTES } from './gzip-member.js';

const dir = mkdtempSync(join(tmpdir(), 'salvage-warc-reader-'));
let n = 0;
function put(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** A WARC/1.1 response record as the spec lays it out; `declared` overrides Content-Length. */
function response(url: string, body: string | Uint8Array, declared?: number): Buffer {
  const http = Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`),
    Buffer.from(body),
  ]);
  const head = `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: ${url}\r\nWARC-Date: 2021-07-04T23:55:49Z\r\nWARC-Record-ID: <urn:uuid:${String(n).padStart(8, '0')}-0000-4000-8000-000000000000>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${declared ?? http.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), http, Buffer.from('\r\n\r\n')]);
}
function warcinfo(): Buffer {
  const body = 'software: hand-written fixture\r\nformat: WARC File Format 1.1\r\n';
  return Buffer.from(
    `WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Date: 2021-07-04T23:55:49Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\nContent-Type: application/warc-fields\r\nContent-Length: ${body.length}\r\n\r\n${body}\r\n\r\n`,
  );
}
const page = (i: number): string => `<html><body><p>article ${i} ${'text '.repeat(200)}</p></body></html>`;
const url = (i: number): string => `https://news.example/article/${i}`;

async function readAll(
  path: string,
  options: WarcReadOptions = {},
): Promise<{ captures: WarcCapture[]; damages: WarcDamage[] }> {
  const damages: WarcDamage[] = [];
  const captures: WarcCapture[] = [];
  for await (const c of readWarcCaptures(path, { ...options, onDamage: (d) => damages.push(d) })) captures.push(c);
  return { captures, damages };
}

/** Five records, one gzip member each; returns the file and each member's offset. */
function fiveMembers(): { members: Buffer[]; offsets: number[] } {
  const members = [gzipSync(warcinfo()), ...[1, 2, 3, 4].map((i) => gzipSync(response(url(i), page(i))))];
  const offsets: number[] = [];
  let at = 0;
  for (const m of members) {
    offsets.push(at);
    at += m.length;
  }
  return { members, offsets };
}

test('a damaged member in the middle costs that record only: every record after it is read, the damage reported at its offset', async () => {
  const { members, offsets } = fiveMembers();
  const bad = Buffer.from(members[2]!); // article 2
  for (let i = 20; i < 60; i++) bad[i] = 0xff; // wreck its deflate data
  const path = put('mid.warc.gz', Buffer.concat([members[0]!, members[1]!, bad, members[3]!, members[4]!]));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1), url(3), url(4)],
  );
  assert.deepEqual(
    captures.map((c) => c.offset),
    [offsets[1], offsets[3], offsets[4]],
  );
  assert.deepEqual(
    captures.map((c) => c.length),
    [members[1]!.length, members[3]!.length, members[4]!.length],
  );
  assert.equal(damages.length, 1);
  assert.equal(damages[0]!.offset, offsets[2]);
  assert.equal(damages[0]!.length, members[2]!.length);
  assert.equal(damages[0]!.reason, 'gzip');
  assert.equal(Buffer.from(captures[1]!.payload).toString(), page(3));
});

test('a member whose CRC-32 does not match is damage, not a capture', async () => {
  const { members, offsets } = fiveMembers();
  const bad = Buffer.from(members[3]!);
  bad.writeUInt32LE((bad.readUInt32LE(bad.length - 8) ^ 1) >>> 0, bad.length - 8);
  const path = put('crc.warc.gz', Buffer.concat([members[0]!, members[1]!, members[2]!, bad, members[4]!]));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1), url(2), url(4)],
  );
  assert.deepEqual(
    damages.map((d) => [d.offset, d.reason]),
    [[offsets[3], 'gzip']],
  );
});

test('junk between members and at the start is passed over and reported; the records around it are read', async () => {
  const { members, offsets } = fiveMembers();
  const junk = Buffer.from('\x1f\x8b\x08 not really gzip, just junk \x1f\x8b');
  const path = put('junk.warc.gz', Buffer.concat([members[1]!, junk, members[2]!, members[3]!]));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1), url(2), url(3)],
  );
  assert.deepEqual(
    damages.map((d) => [d.offset, d.length]),
    [[members[1]!.length, junk.length]],
  );
  void offsets;
});

test('a file cut inside its last member: the records before it are read, the cut record reported as truncated', async () => {
  const { members, offsets } = fiveMembers();
  const whole = Buffer.concat(members);
  const path = put('cut.warc.gz', whole.subarray(0, offsets[4]! + Math.floor(members[4]!.length / 2)));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1), url(2), url(3)],
  );
  assert.deepEqual(
    damages.map((d) => [d.offset, d.reason]),
    [[offsets[4], 'truncated']],
  );
});

test('a record shorter than its Content-Length is reported as short, not read as whole (gzip and plain)', async () => {
  const full = response(url(2), page(2));
  const short = response(url(2), page(2), full.length + 500); // declares 500 bytes more than it holds
  const gz = put(
    'short.warc.gz',
    Buffer.concat([gzipSync(response(url(1), page(1))), gzipSync(short), gzipSync(response(url(3), page(3)))]),
  );
  const a = await readAll(gz);
  assert.deepEqual(
    a.captures.map((c) => c.url),
    [url(1), url(3)],
  );
  assert.deepEqual(
    a.damages.map((d) => d.reason),
    ['short'],
  );
  assert.equal(a.damages[0]!.offset, gzipSync(response(url(1), page(1))).length);

  const first = response(url(1), page(1));
  const plain = put('short.warc', Buffer.concat([first, short, response(url(3), page(3))]));
  const b = await readAll(plain);
  assert.deepEqual(
    b.captures.map((c) => c.url),
    [url(1), url(3)],
    'the record after the short one is still read',
  );
  assert.deepEqual(
    b.damages.map((d) => [d.offset, d.reason]),
    [[first.length, 'short']],
  );
});

test('a plain .warc with garbage in the middle resynchronises on the next WARC/ line', async () => {
  const parts = [
    warcinfo(),
    response(url(1), page(1)),
    Buffer.from('garbage garbage\nWARC/x not a version\n'),
    response(url(2), page(2)),
    response(url(3), page(3)),
  ];
  const path = put('garbage.warc', Buffer.concat(parts));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1), url(2), url(3)],
  );
  const at = parts[0]!.length + parts[1]!.length;
  assert.deepEqual(
    damages.map((d) => [d.offset, d.length, d.reason]),
    [[at, parts[2]!.length, 'malformed']],
  );
  assert.equal(captures[1]!.offset, at + parts[2]!.length);
  assert.equal(captures[1]!.length, parts[3]!.length);
});

test('a plain .warc cut inside a record reports it as truncated', async () => {
  const first = response(url(1), page(1));
  const path = put('cut.warc', Buffer.concat([first, response(url(2), page(2)).subarray(0, 400)]));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1)],
  );
  assert.deepEqual(
    damages.map((d) => [d.offset, d.reason]),
    [[first.length, 'truncated']],
  );
});

test('files warcio writes read whole: warcinfo, request and response members; whole-file gzip too', async () => {
  const records = [
    WARCRecord.createWARCInfo({ filename: 'x.warc.gz', warcVersion: 'WARC/1.0' }, { software: 'warcio.js' }),
    WARCRecord.create(
      {
        url: url(1),
        date: '2021-07-04T23:55:49Z',
        type: 'request',
        warcVersion: 'WARC/1.0',
        statusline: 'GET /article/1 HTTP/1.1',
        httpHeaders: { Host: 'news.example' },
      },
      [new Uint8Array()],
    ),
    WARCRecord.create(
      {
        url: url(1),
        date: '2021-07-04T23:55:49Z',
        type: 'response',
        warcVersion: 'WARC/1.0',
        statusline: 'HTTP/1.0 404 Not Found',
        httpHeaders: { 'Content-Type': 'text/html' },
      },
      [Buffer.from(page(1))],
    ),
    WARCRecord.create(
      {
        url: url(2),
        date: '2022-01-05T00:00:00Z',
        type: 'resource',
        warcVersion: 'WARC/1.1',
        warcHeaders: { 'Content-Type': 'text/plain' },
      },
      [Buffer.from('plain text')],
    ),
  ];
  const members: Uint8Array[] = [];
  for (const r of records) members.push(await WARCSerializer.serialize(r, { gzip: true }));
  const gz = put('warcio.warc.gz', Buffer.concat(members));
  const { captures, damages } = await readAll(gz);
  assert.deepEqual(damages, []);
  assert.deepEqual(
    captures.map((c) => [c.url, c.timestamp, c.httpStatus, c.contentType]),
    [
      [url(1), '20210704235549', 404, 'text/html'],
      [url(2), '20220105000000', undefined, 'text/plain'],
    ],
  );
  assert.equal(Buffer.from(captures[0]!.payload).toString(), page(1));
  assert.equal(captures[0]!.length, members[2]!.length);

  const plain: Uint8Array[] = [];
  for (const r of [
    WARCRecord.create(
      {
        url: url(1),
        date: '2021-07-04T23:55:49Z',
        type: 'response',
        warcVersion: 'WARC/1.0',
        statusline: 'HTTP/1.0 200 OK',
        httpHeaders: { 'Content-Type': 'text/html' },
      },
      [Buffer.from(page(1))],
    ),
    WARCRecord.create(
      {
        url: url(2),
        date: '2021-07-04T23:55:49Z',
        type: 'response',
        warcVersion: 'WARC/1.0',
        statusline: 'HTTP/1.0 200 OK',
        httpHeaders: { 'Content-Type': 'text/html' },
      },
      [Buffer.from(page(2))],
    ),
  ])
    plain.push(await WARCSerializer.serialize(r, { gzip: false }));
  const whole = put('whole.warc.gz', gzipSync(Buffer.concat(plain)));
  const w = await readAll(whole);
  assert.deepEqual(w.damages, []);
  assert.deepEqual(
    w.captures.map((c) => [c.url, c.length]),
    [
      [url(1), 0],
      [url(2), 0],
    ],
    'records sharing one member cannot be read alone: length 0',
  );
  const p = await readAll(put('plain.warc', Buffer.concat(plain)));
  assert.deepEqual(
    p.captures.map((c) => [c.url, c.offset, c.length]),
    [
      [url(1), 0, plain[0]!.length],
      [url(2), plain[0]!.length, plain[1]!.length],
    ],
  );
});

test('a payload over the cap is skipped while reading: flagged tooLargeBytes, payload not kept, next record read', async () => {
  const cap = 64 * 1024;
  const big = Buffer.alloc(cap * 50, 0x20); // 50 × the cap of spaces: ~1000:1 in gzip
  const exact = Buffer.alloc(cap, 0x61);
  const path = put(
    'big.warc.gz',
    Buffer.concat([
      gzipSync(response(url(1), big)),
      gzipSync(response(url(2), exact)),
      gzipSync(response(url(3), Buffer.alloc(cap + 1, 0x61))),
    ]),
  );
  const { captures, damages } = await readAll(path, { maxPayloadBytes: cap });
  assert.deepEqual(damages, []);
  assert.deepEqual(
    captures.map((c) => [c.url, c.tooLargeBytes, c.payload.length]),
    [
      [url(1), big.length, 0],
      [url(2), undefined, cap],
      [url(3), cap + 1, 0],
    ],
  );
  const plain = put('big.warc', Buffer.concat([response(url(1), big), response(url(2), page(2))]));
  const p = await readAll(plain, { maxPayloadBytes: cap });
  assert.deepEqual(
    p.captures.map((c) => [c.url, c.tooLargeBytes, c.payload.length]),
    [
      [url(1), big.length, 0],
      [url(2), undefined, page(2).length],
    ],
  );
});

test('a gzip bomb record is not inflated to its end: the member is abandoned and the next one found by its header', async () => {
  // Declares 3 GiB, holds MAX_SKIP_INFLATE_BYTES + 8 MiB of zeros: reading to the member's end
  // would find it short (damage); stopping early yields it flagged too large instead.
  const zeros = Buffer.alloc(MAX_SKIP_INFLATE_BYTES + 8 * 1024 * 1024);
  const head = Buffer.from(
    `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: ${url(1)}\r\nWARC-Date: 2021-07-04T23:55:49Z\r\nContent-Length: ${3 * 2 ** 30}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n`,
  );
  const bomb = gzipSync(Buffer.concat([head, zeros]), { level: 9 });
  const path = put('bomb.warc.gz', Buffer.concat([bomb, gzipSync(response(url(2), page(2)))]));
  const { captures, damages } = await readAll(path);
  assert.deepEqual(damages, []);
  assert.equal(captures.length, 2);
  assert.equal(captures[0]!.payload.length, 0);
  assert.ok(captures[0]!.tooLargeBytes! > 3 * 2 ** 30 - 100);
  assert.equal(captures[0]!.length, bomb.length);
  assert.equal(captures[1]!.url, url(2));
});

test('a header block over its cap is damage, bounded: the records after it are read', async () => {
  const huge = Buffer.concat([
    Buffer.from(`WARC/1.1\r\nWARC-Type: response\r\nX-Long: `),
    Buffer.alloc(3 * 1024 * 1024, 0x61),
    Buffer.from('\r\nContent-Length: 0\r\n\r\n\r\n\r\n'),
  ]);
  const gz = put('hdr.warc.gz', Buffer.concat([gzipSync(huge), gzipSync(response(url(2), page(2)))]));
  const a = await readAll(gz);
  assert.deepEqual(
    a.captures.map((c) => c.url),
    [url(2)],
  );
  assert.deepEqual(
    a.damages.map((d) => [d.offset, d.reason]),
    [[0, 'malformed']],
  );
  const plain = put('hdr.warc', Buffer.concat([huge, response(url(2), page(2))]));
  const b = await readAll(plain);
  assert.deepEqual(
    b.captures.map((c) => c.url),
    [url(2)],
  );
  assert.deepEqual(
    b.damages.map((d) => [d.offset, d.reason]),
    [[0, 'malformed']],
  );
  const httpHuge = Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\nX-Long: '),
    Buffer.alloc(2 * 1024 * 1024, 0x62),
    Buffer.from('\r\n\r\n<p>x</p>'),
  ]);
  const rec = Buffer.concat([
    Buffer.from(
      `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: ${url(1)}\r\nContent-Length: ${httpHuge.length}\r\n\r\n`,
    ),
    httpHuge,
    Buffer.from('\r\n\r\n'),
  ]);
  const c = await readAll(put('http.warc.gz', Buffer.concat([gzipSync(rec), gzipSync(response(url(2), page(2)))])));
  assert.deepEqual(
    c.captures.map((x) => x.url),
    [url(2)],
  );
  assert.deepEqual(
    c.damages.map((d) => d.reason),
    ['malformed'],
  );
});

test('without onDamage the intact captures come first, then WARC_MALFORMED names the damage', async () => {
  const { members, offsets } = fiveMembers();
  const path = put('throw.warc.gz', Buffer.concat([members[1]!, Buffer.from('junk'), members[2]!]));
  const got: string[] = [];
  await assert.rejects(
    async () => {
      for await (const c of readWarcCaptures(path)) got.push(c.url);
    },
    (e: unknown) =>
      e instanceof SalvageError && e.code === 'WARC_MALFORMED' && e.message.includes(`offset ${members[1]!.length}`),
  );
  assert.deepEqual(got, [url(1), url(2)]);
  void offsets;
});

test('reading one record back by offset: whole member only; damage throws WARC_MALFORMED with the offset', async () => {
  const { members, offsets } = fiveMembers();
  const bad = Buffer.from(members[3]!);
  for (let i = 20; i < 40; i++) bad[i] = 0;
  const path = put('at.warc.gz', Buffer.concat([members[0]!, members[1]!, members[2]!, bad]));
  const c = await readWarcCaptureAt(path, offsets[2]!, members[2]!.length);
  assert.equal(c.url, url(2));
  await assert.rejects(
    readWarcCaptureAt(path, offsets[3]!, members[3]!.length),
    (e: unknown) =>
      e instanceof SalvageError && e.code === 'WARC_MALFORMED' && e.message.includes(`offset ${offsets[3]}`),
  );
  await assert.rejects(
    readWarcCaptureAt(path, offsets[1]!, members[1]!.length + members[2]!.length),
    (e: unknown) => e instanceof SalvageError && e.code === 'WARC_MALFORMED',
    'two members where one was expected',
  );
  const big = put('at-big.warc.gz', gzipSync(response(url(1), Buffer.alloc(1024 * 1024, 0x20))));
  const t = await readWarcCaptureAt(big, 0, gzipSync(response(url(1), Buffer.alloc(1024 * 1024, 0x20))).length, {
    maxPayloadBytes: 1024,
  });
  assert.equal(t.tooLargeBytes, 1024 * 1024);
  assert.equal(t.payload.length, 0);
});

test('arbitrary bytes give captures and damage reports or WARC_MALFORMED, never a crash', async () => {
  const { members } = fiveMembers();
  const whole = Buffer.concat(members);
  let seed = 7;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  for (let round = 0; round < 40; round++) {
    const b = Buffer.from(round % 2 ? whole : Buffer.concat(members.map((m) => deflateRawSync(m))));
    for (let k = 0; k < 1 + rand(20); k++) b[rand(b.length)] = rand(256);
    const path = put(`fuzz${round}.warc.gz`, b.subarray(0, b.length - rand(50)));
    try {
      await readAll(path);
    } catch (error) {
      assert.ok(error instanceof SalvageError && error.code === 'WARC_MALFORMED', String(error));
    }
  }
});

test('damaged deflate data that runs on into the next member does not hide that member', async () => {
  // Found by fuzzing: these 11 bytes near the end of member 6 make zlib read on past the
  // member's end before failing, so resynchronising from where zlib stopped skipped member 7.
  const rec = (i: number): Buffer => {
    const body = `<html><p>${'x'.repeat((i * 37) % 5000)} article ${i}</p></html>`;
    const http = `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n${body}`;
    return Buffer.from(
      `WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/${i}\r\nWARC-Date: 2021-01-01T00:00:00Z\r\nContent-Length: ${Buffer.byteLength(http)}\r\n\r\n${http}\r\n\r\n`,
    );
  };
  const members = Array.from({ length: 9 }, (_, i) => gzipSync(rec(i)));
  const bad = Buffer.from(members[6]!);
  Buffer.from([0, 0, 0, 0, 0, 64, 0, 64, 0, 57, 128]).copy(bad, 160);
  members[6] = bad;
  const { captures, damages } = await readAll(put('runon.warc.gz', Buffer.concat(members)));
  assert.deepEqual(
    captures.map((c) => c.url.split('/').pop()),
    ['0', '1', '2', '3', '4', '5', '7', '8'],
  );
  assert.deepEqual(
    damages.map((d) => [d.offset, d.length]),
    [[members.slice(0, 6).reduce((a, m) => a + m.length, 0), bad.length]],
  );
});

test('after damage, members of every deflate block type are found again: stored, fixed and dynamic Huffman', async () => {
  const tiny = Buffer.from(
    'WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: u:1\r\nContent-Length: 1\r\n\r\nx\r\n\r\n',
  );
  const stored = gzipSync(response(url(2), page(2)), { level: 0 });
  const fixed = gzipSync(tiny);
  const dynamic = gzipSync(response(url(3), page(3)));
  assert.deepEqual(
    [stored, fixed, dynamic].map((m) => (m[10]! >> 1) & 3),
    [0, 1, 2],
    'the fixtures cover the three block types',
  );
  const { members } = fiveMembers();
  const bad = Buffer.from(members[1]!);
  for (let i = 20; i < 60; i++) bad[i] = 0x5a;
  for (const m of [stored, fixed, dynamic]) {
    const { captures, damages } = await readAll(put('types.warc.gz', Buffer.concat([bad, m])));
    assert.equal(damages.length, 1);
    assert.equal(damages[0]!.length, bad.length);
    assert.equal(captures.length, 1);
  }
});

test('a file of fake gzip headers is given up on within the resync budget, the rest reported as damage', async () => {
  const unit = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x05, 0xff]); // dynamic block, garbage tables
  const fakes = Buffer.concat(Array.from({ length: 200_000 }, () => unit));
  const file = Buffer.concat([gzipSync(response(url(1), page(1))), fakes, gzipSync(response(url(2), page(2)))]);
  const { captures, damages } = await readAll(put('fakes.warc.gz', file));
  assert.deepEqual(
    captures.map((c) => c.url),
    [url(1)],
  );
  assert.equal(damages.length, 1);
  assert.match(damages[0]!.message, /gave up looking for the next record after \d+ false starts/);
  assert.equal(damages[0]!.offset + damages[0]!.length, file.length, 'the rest of the file is reported');
});
