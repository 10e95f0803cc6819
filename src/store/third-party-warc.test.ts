/**
 * WARC and ARC files as other tools write them (issue 14; WAYBACK.md "WARC files written by other
 * tools"). Each fixture is built here from the specifications — WARC 1.0 and 1.1 (ISO 28500), the
 * ARC file format 1.0, HTTP/1.1 chunked transfer coding (RFC 9112 §7.1) — with the quirk of the
 * tool named, and checked against an independent reader (webrecorder's warcio.js) where it reads
 * the format: the same records, the same payload text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { WARCParser } from 'warcio';
import { captureInput, readWarcCaptures, type WarcCapture, type WarcDamage } from './warc-reader.js';
import { dechunk } from './http-payload.js';
import { parseArcHeader } from './arc-record.js';
import { articleText as textOf, extractCapture, type SiteProfile } from '../extract/index.js';

/** A profile that knows nothing of the site: the generic rules alone. */
const ANY_SITE: SiteProfile = { id: 'fixture', name: '', hosts: [], articleId: () => '1' };

const dir = mkdtempSync(join(tmpdir(), 'salvage-third-party-'));
let n = 0;
function put(name: string, bytes: Uint8Array): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

const CRLF = '\r\n';
const page = (i: number): string =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Story number ${i} of the fixture</title></head><body><article><h1>Story number ${i} of the fixture</h1><p>${'The first paragraph tells what happened, in words enough to be read as prose. '.repeat(6)}</p><p>${'A second paragraph goes on with more of the story, as articles do. '.repeat(6)}</p></article></body></html>`;

/** A WARC record: version line, named fields, CRLF CRLF, the block, CRLF CRLF (WARC 1.1 §4). */
function record(version: string, type: string, target: string, block: Buffer, extra: string[] = []): Buffer {
  const head = [
    version,
    `WARC-Type: ${type}`,
    `WARC-Target-URI: ${target}`,
    'WARC-Date: 2021-07-04T23:55:49Z',
    `WARC-Record-ID: <urn:uuid:${String(n++).padStart(8, '0')}-0000-4000-8000-000000000000>`,
    ...extra,
    `Content-Length: ${block.length}`,
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head + CRLF + CRLF, 'latin1'), block, Buffer.from(CRLF + CRLF)]);
}
const http = (status: string, headers: string[], body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([status, ...headers].join(CRLF) + CRLF + CRLF, 'latin1'), body]);
const html = (i: number): Buffer => Buffer.from(page(i), 'utf8');
const plainResponse = (i: number): Buffer =>
  http('HTTP/1.1 200 OK', ['Content-Type: text/html; charset=utf-8', `Content-Length: ${html(i).length}`], html(i));

/**
 * pywb and Save Page Now: the request record's HTTP block has no final blank line; the record's
 * own CRLF CRLF follows it at once.
 */
function pywbRequest(target: string): Buffer {
  return record(
    'WARC/1.0',
    'request',
    target,
    Buffer.from(
      `GET ${new URL(target).pathname} HTTP/1.1${CRLF}Host: ${new URL(target).host}${CRLF}User-Agent: pywb${CRLF}`,
      'latin1',
    ),
    ['Content-Type: application/http; msgtype=request'],
  );
}

/** `bytes` in chunked transfer coding (RFC 9112 §7.1), in chunks of `size`, with a chunk extension and a trailer. */
function chunked(bytes: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const chunk = bytes.subarray(at, at + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}${at === 0 ? ';ext=1' : ''}${CRLF}`), chunk, Buffer.from(CRLF));
  }
  parts.push(Buffer.from(`0${CRLF}X-Trailer: yes${CRLF}${CRLF}`));
  return Buffer.concat(parts);
}

async function ours(path: string): Promise<{ captures: WarcCapture[]; damages: WarcDamage[] }> {
  const captures: WarcCapture[] = [];
  const damages: WarcDamage[] = [];
  for await (const c of readWarcCaptures(path, { onDamage: (d) => damages.push(d) })) captures.push(c);
  return { captures, damages };
}

/** warcio.js's reading of the same file: response records, their URL and decoded payload text. */
async function theirs(path: string): Promise<{ url: string; text: string }[]> {
  const out: { url: string; text: string }[] = [];
  for await (const r of new WARCParser(createReadStream(path))) {
    if (r.warcType !== 'response') continue;
    out.push({ url: r.warcTargetURI ?? '', text: await r.contentText() });
  }
  return out;
}

/** The article text our extractor makes of a capture. */
function articleText(c: WarcCapture): string {
  const r = extractCapture(captureInput(c), ANY_SITE);
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.message}`);
  return r.ok ? `${r.article.title}\n${textOf(r.article)}` : '';
}

test('pywb / Save Page Now request blocks without their final blank line: every response is read, as warcio.js reads them', async () => {
  const records: Buffer[] = [];
  for (let i = 0; i < 24; i++)
    records.push(
      pywbRequest(`https://news.example/a/${i}`),
      record('WARC/1.0', 'response', `https://news.example/a/${i}`, plainResponse(i), [
        'Content-Type: application/http; msgtype=response',
      ]),
    );
  for (const [name, bytes] of [
    ['spn.warc.gz', Buffer.concat(records.map((r) => gzipSync(r)))],
    ['spn.warc', Buffer.concat(records)],
    ['whole-file.warc.gz', gzipSync(Buffer.concat(records))],
  ] as const) {
    const path = put(name, bytes);
    const { captures, damages } = await ours(path);
    const reference = await theirs(path);
    assert.deepEqual(damages, [], name);
    assert.equal(captures.length, 24, name);
    assert.equal(reference.length, 24, `warcio.js on ${name}`);
    assert.deepEqual(
      captures.map((c) => c.url),
      reference.map((r) => r.url),
      name,
    );
    assert.deepEqual(
      captures.map((c) => Buffer.from(c.payload).toString('utf8')),
      reference.map((r) => r.text),
      name,
    );
  }
});

test('a chunked and gzipped payload (Heritrix, warcprox, gowarc) gives the same article as the plain page, and its digest covers no framing', async () => {
  const gz = gzipSync(html(7));
  const wire = http(
    'HTTP/1.1 200 OK',
    ['Content-Type: text/html; charset=utf-8', 'Content-Encoding: gzip', 'Transfer-Encoding: chunked'],
    chunked(gz, 100),
  );
  const onlyChunked = http(
    'HTTP/1.1 200 OK',
    ['Content-Type: text/html; charset=utf-8', 'Transfer-Encoding: chunked'],
    chunked(html(7), 64),
  );
  const path = put(
    'heritrix.warc.gz',
    Buffer.concat(
      [
        record('WARC/1.1', 'response', 'https://news.example/a/7', wire),
        record('WARC/1.1', 'response', 'https://news.example/a/8', onlyChunked),
        record('WARC/1.1', 'response', 'https://news.example/a/9', plainResponse(7)),
      ].map((r) => gzipSync(r)),
    ),
  );
  const { captures, damages } = await ours(path);
  assert.deepEqual(damages, []);
  const [both, chunkedOnly, plain] = captures;
  assert.deepEqual(
    Buffer.from(both!.payload),
    gz,
    'the chunk framing is gone, the gzip content coding left to extraction',
  );
  assert.deepEqual(Buffer.from(chunkedOnly!.payload), html(7));
  assert.equal(articleText(both!), articleText(plain!));
  assert.doesNotMatch(articleText(chunkedOnly!), /\b[0-9a-f]{2,8}\b\s*$/m, 'no chunk-size line in the text');
  // warcio.js removes chunking and gzip the same way, but passes the trailer through into the
  // text (RFC 9112 §7.1.2 puts trailers outside the content): its text starts with the page.
  const reference = await theirs(path);
  assert.ok(reference[0]!.text.startsWith(page(7)));
  assert.ok(reference[1]!.text.startsWith(page(7)));
  assert.equal(Buffer.from(chunkedOnly!.payload).toString('utf8'), page(7));
});

test('brotli and deflate bodies (warcprox, gowarc record them as sent) give the same article as the plain page, chunked or not', async () => {
  const body = html(11);
  const coded = (encoding: string, bytes: Buffer, chunking = false): Buffer =>
    http(
      'HTTP/1.1 200 OK',
      [
        'Content-Type: text/html; charset=utf-8',
        `Content-Encoding: ${encoding}`,
        ...(chunking ? ['Transfer-Encoding: chunked'] : []),
      ],
      chunking ? chunked(bytes, 50) : bytes,
    );
  const path = put(
    'codings.warc.gz',
    Buffer.concat(
      [
        plainResponse(11),
        coded('br', brotliCompressSync(body)),
        coded('br', brotliCompressSync(body), true),
        coded('deflate', deflateSync(body)),
        coded('deflate', deflateRawSync(body)), // raw deflate under the name, as some servers send it
        coded('gzip, br', brotliCompressSync(gzipSync(body))), // applied in the order listed
        coded('br', body), // a tool that decoded the body and kept the header
      ].map((block, i) => gzipSync(record('WARC/1.1', 'response', `https://news.example/c/${i}`, block))),
    ),
  );
  const { captures, damages } = await ours(path);
  assert.deepEqual(damages, []);
  assert.equal(captures.length, 7);
  assert.equal(captures[1]!.contentEncoding, 'br');
  const plain = articleText(captures[0]!);
  for (const c of captures.slice(1)) assert.equal(articleText(c), plain, c.url);
});

test('an HTTP header block with bare LF line ends is read to its blank line, as Python warcio reads it', async () => {
  const lf = Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Encoding: gzip\n\n', 'latin1'),
    gzipSync(html(12)),
  ]);
  const mixed = Buffer.concat([Buffer.from('HTTP/1.0 404 Not Found\r\nContent-Type: text/html\n\r\n'), html(13)]);
  const path = put(
    'bare-lf.warc',
    Buffer.concat([
      record('WARC/1.1', 'response', 'https://news.example/d/1', lf),
      record('WARC/1.1', 'response', 'https://news.example/d/2', mixed),
      record('WARC/1.1', 'response', 'https://news.example/d/3', plainResponse(12)),
    ]),
  );
  const { captures, damages } = await ours(path);
  assert.deepEqual(damages, []);
  assert.deepEqual(
    captures.map((c) => [c.httpStatus, c.contentType]),
    [
      [200, 'text/html; charset=utf-8'],
      [404, 'text/html'],
      [200, 'text/html; charset=utf-8'],
    ],
  );
  assert.deepEqual(Buffer.from(captures[1]!.payload), html(13));
  assert.equal(articleText(captures[0]!), articleText(captures[2]!));
});

test('chunked framing that a tool already removed (the header kept) is the payload as it is; a cut chunk keeps what arrived', () => {
  assert.equal(dechunk(Buffer.from('<html>not chunked</html>')), undefined);
  assert.deepEqual(dechunk(Buffer.from(`5${CRLF}hello${CRLF}0${CRLF}${CRLF}`)), Buffer.from('hello'));
  assert.deepEqual(dechunk(Buffer.from(`5${CRLF}hello${CRLF}6${CRLF} wor`)), Buffer.from('hello wor'));
  assert.deepEqual(dechunk(Buffer.from(`5\nhello\n6\n world\n0\n\n`)), Buffer.from('hello world'), 'bare LF line ends');
});

test("wget's <uri> in angle brackets, spaces in target URIs, WARC/1.0 and a status line without its reason phrase", async () => {
  const redirect = http('HTTP/1.0 302 ', ['Location: https://news.example/b', 'Content-Length: 0'], Buffer.alloc(0));
  const path = put(
    'wget.warc',
    Buffer.concat([
      record('WARC/1.0', 'response', '<https://news.example/a/1>', plainResponse(1)),
      record('WARC/1.0', 'response', 'https://news.example/a b/2', plainResponse(2)),
      record('WARC/1.1', 'response', 'https://news.example/a/3', redirect),
    ]),
  );
  const { captures, damages } = await ours(path);
  assert.deepEqual(damages, []);
  assert.deepEqual(
    captures.map((c) => [c.url, c.httpStatus]),
    [
      ['https://news.example/a/1', 200],
      ['https://news.example/a%20b/2', 200],
      ['https://news.example/a/3', 302],
    ],
  );
  const reference = await theirs(path);
  assert.equal(reference[0]!.url, 'https://news.example/a/1', 'warcio.js strips the brackets too');
});

test('a truncated record in the middle of a file is reported, and every record after it is still read', async () => {
  const records = [1, 2, 3, 4].map((i) =>
    gzipSync(record('WARC/1.1', 'response', `https://news.example/a/${i}`, plainResponse(i))),
  );
  const cut = gzipSync(record('WARC/1.1', 'response', 'https://news.example/a/2', plainResponse(2)).subarray(0, 900));
  const path = put('cut.warc.gz', Buffer.concat([records[0]!, cut, records[2]!, records[3]!]));
  const { captures, damages } = await ours(path);
  assert.deepEqual(
    captures.map((c) => c.url),
    ['https://news.example/a/1', 'https://news.example/a/3', 'https://news.example/a/4'],
  );
  assert.deepEqual(
    damages.map((d) => d.reason),
    ['short'],
  );
});

// ------------------------------------------------------------------------ ARC

/** An ARC v1 file: the version block, then records `URL IP date mime length` + content + LF (ARC 1.0). */
function arcV1(records: { url: string; date: string; mime: string; content: Buffer }[]): Buffer[] {
  const desc = Buffer.from(`1 0 Alexa Internet${'\n'}URL IP-address Archive-date Content-type Archive-length${'\n'}`);
  const out = [
    Buffer.concat([
      Buffer.from(`filedesc://IA-001102.arc 0.0.0.0 20001102150018 text/plain ${desc.length}\n`),
      desc,
      Buffer.from('\n'),
    ]),
  ];
  for (const r of records)
    out.push(
      Buffer.concat([
        Buffer.from(`${r.url} 209.85.1.1 ${r.date} ${r.mime} ${r.content.length}\n`),
        r.content,
        Buffer.from('\n'),
      ]),
    );
  return out;
}

test('ARC v1 files, plain and one gzip member per record: every capture read with its URL, time, status and payload', async () => {
  const oldPage = Buffer.from(
    `<html><head><title>An article of 2001 on the old site</title></head><body><h1>An article of 2001 on the old site</h1><p>${'Words of an old article, as the crawler kept them in the year 2001. '.repeat(8)}</p></body></html>`,
    'latin1',
  );
  const records = arcV1([
    {
      url: 'dns:news.example',
      date: '20011102150020',
      mime: 'text/dns',
      content: Buffer.from('20011102150020\nnews.example. 3600 IN A 209.85.1.1\n'),
    },
    {
      url: 'http://news.example/2001/11/02/story.html',
      date: '20011102150021',
      mime: 'text/html',
      content: http('HTTP/1.0 200 OK', ['Server: Apache/1.3', 'Content-Type: text/html'], oldPage),
    },
    {
      url: 'http://news.example/moved',
      date: '20011102150022',
      mime: 'text/html',
      content: http('HTTP/1.0 301 Moved Permanently', ['Location: http://news.example/'], Buffer.alloc(0)),
    },
  ]);
  for (const [name, bytes] of [
    ['IA-001102.arc', Buffer.concat(records)],
    ['IA-001102.arc.gz', Buffer.concat(records.map((r) => gzipSync(r)))],
  ] as const) {
    const { captures, damages } = await ours(put(name, bytes));
    assert.deepEqual(damages, [], name);
    assert.deepEqual(
      captures.map((c) => [c.url, c.timestamp, c.httpStatus, c.contentType]),
      [
        ['http://news.example/2001/11/02/story.html', '20011102150021', 200, 'text/html'],
        ['http://news.example/moved', '20011102150022', 301, undefined],
      ],
      name,
    );
    assert.deepEqual(Buffer.from(captures[0]!.payload), oldPage, name);
    assert.match(articleText(captures[0]!), /An article of 2001 on the old site/);
  }
});

test('ARC header lines: version 1 and 2 fields, read from the right so a URL with spaces keeps them', () => {
  assert.deepEqual(parseArcHeader('http://a.example/x 1.2.3.4 20011102150021 text/html 1234'), {
    url: 'http://a.example/x',
    timestamp: '20011102150021',
    mime: 'text/html',
    length: 1234,
  });
  assert.deepEqual(parseArcHeader('http://a.example/x y 1.2.3.4 20011102150021 text/html 12'), {
    url: 'http://a.example/x y',
    timestamp: '20011102150021',
    mime: 'text/html',
    length: 12,
  });
  assert.deepEqual(
    parseArcHeader('http://a.example/x 1.2.3.4 20011102150021 text/html 200 A1B2C3 - 4567 IA-1.arc 99'),
    { url: 'http://a.example/x', timestamp: '20011102150021', mime: 'text/html', length: 99 },
  );
  assert.equal(parseArcHeader('<html><body>'), undefined);
  assert.equal(parseArcHeader('http://a.example/x 1.2.3.4 2001 text/html 12'), undefined);
});
