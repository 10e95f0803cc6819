/**
 * WARC digests (WARC 1.1 §5.8–5.9) as writers state them, checked against values fixed outside
 * this code: RFC 4648's base32 test vectors, FIPS 180's SHA-1 and SHA-256 examples, and the
 * SHA-1 of the empty payload every CDX index writes (`3I42H3S6…`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { base32, digestMatches, parseLabelledDigest, RecordDigester } from './warc-digest.js';

/** Base32 spelled bit by bit (RFC 4648 §6), unlike the module's shifting accumulator. */
function base32ByBits(bytes: Uint8Array): string {
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5)
    out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}
const sha1 = (s: string | Uint8Array): Buffer => createHash('sha1').update(s).digest();
const sha256 = (s: string | Uint8Array): Buffer => createHash('sha256').update(s).digest();

test('base32 gives the RFC 4648 test vectors (unpadded)', () => {
  for (const [text, want] of [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])
    assert.equal(base32(Buffer.from(text!)), want, text);
});

test('base32 agrees with a bit-by-bit encoding for any bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => base32(b) === base32ByBits(b)));
});

test('a digest matches in hex of either case, base32 with or without padding, and base64', () => {
  const empty = sha1('');
  assert.ok(digestMatches('3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ', empty)); // the CDX empty-payload digest
  assert.ok(digestMatches('3i42h3s6nnfq2msvx7xzkyayscx5qbyj', empty));
  assert.ok(digestMatches('da39a3ee5e6b4b0d3255bfef95601890afd80709', empty)); // FIPS 180: SHA-1 of ""
  assert.ok(digestMatches('DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', empty));
  assert.ok(digestMatches('2jmj7l5rSw0yVb/vlWAYkK/YBwk=', empty));
  const abc = sha256('abc');
  assert.ok(digestMatches('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', abc)); // FIPS 180-2 example
  assert.ok(digestMatches(base32ByBits(abc) + '====', abc));
  assert.ok(!digestMatches('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae', abc));
  assert.ok(!digestMatches(base32ByBits(sha256('abd')), abc));
  assert.ok(!digestMatches('not a digest', abc));
});

test('labelled digests name Node algorithms whatever the writer spells them', () => {
  assert.equal(parseLabelledDigest('sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ')?.algorithm, 'sha1');
  assert.equal(parseLabelledDigest('SHA-256:abc')?.algorithm, 'sha256');
  assert.equal(parseLabelledDigest('sha-512: abc')?.value, 'abc');
  assert.equal(parseLabelledDigest('blake3:abc')?.algorithm, undefined);
  assert.equal(parseLabelledDigest('3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'), undefined);
});

const CRLF = '\r\n';
const body = Buffer.from('<html><body><p>Hello, archive.</p></body></html>');
const httpHead = Buffer.from(['HTTP/1.1 200 OK', 'Content-Type: text/html', '', ''].join(CRLF));
const block = Buffer.concat([httpHead, body]);

/** Digest `bytes` with `headers` fed in the given pieces. */
function digest(
  headers: Record<string, string>,
  bytes: Buffer,
  cuts: number[] = [],
): ReturnType<RecordDigester['finish']> {
  const d = new RecordDigester(new Map(Object.entries(headers)));
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    d.update(bytes.subarray(at, cut));
    at = cut;
  }
  return d.finish();
}

test("a response's block digest covers the HTTP headers and body, its payload digest the body alone", () => {
  const headers = {
    'warc-type': 'response',
    'content-type': 'application/http; msgtype=response',
    'warc-block-digest': `sha1:${base32ByBits(sha1(block))}`,
    'warc-payload-digest': `sha1:${base32ByBits(sha1(body))}`,
  };
  const ok = digest(headers, block);
  assert.equal(ok.block.verdict, 'ok');
  assert.equal(ok.payload.verdict, 'ok');
  const flipped = Buffer.from(block);
  flipped[flipped.length - 5] = flipped[flipped.length - 5]! ^ 0x20;
  const bad = digest(headers, flipped);
  assert.equal(bad.block.verdict, 'mismatch');
  assert.equal(bad.payload.verdict, 'mismatch');
  assert.equal(bad.payload.computed, `sha1:${base32ByBits(sha1(flipped.subarray(httpHead.length)))}`);
  const headerOnly = Buffer.from(block);
  headerOnly[3] = headerOnly[3]! ^ 0x01; // inside the HTTP status line: the block changes, the payload does not
  assert.deepEqual(
    [digest(headers, headerOnly).block.verdict, digest(headers, headerOnly).payload.verdict],
    ['mismatch', 'ok'],
  );
});

test('digests do not depend on how the block is cut into pieces', () => {
  const headers = {
    'warc-type': 'response',
    'content-type': 'application/http;msgtype=response',
    'warc-block-digest': `sha256:${sha256(block).toString('hex')}`,
    'warc-payload-digest': `sha256:${sha256(body).toString('hex')}`,
  };
  fc.assert(
    fc.property(fc.array(fc.nat({ max: block.length }), { maxLength: 8 }), (cuts) => {
      const r = digest(headers, block, cuts);
      return r.block.verdict === 'ok' && r.payload.verdict === 'ok';
    }),
  );
});

test('a chunked payload matches its digest over the bytes as stored or over the entity without framing', () => {
  const chunkedBody = Buffer.from(
    `7${CRLF}<html><${CRLF}${(body.length - 7).toString(16)}${CRLF}${body.subarray(7).toString()}${CRLF}0${CRLF}${CRLF}`,
  );
  const head = Buffer.from(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', ''].join(CRLF));
  const whole = Buffer.concat([head, chunkedBody]);
  const base = { 'warc-type': 'response', 'content-type': 'application/http; msgtype=response' };
  assert.equal(
    digest({ ...base, 'warc-payload-digest': `sha1:${base32ByBits(sha1(chunkedBody))}` }, whole).payload.verdict,
    'ok',
  );
  assert.equal(
    digest({ ...base, 'warc-payload-digest': `sha1:${base32ByBits(sha1(body))}` }, whole).payload.verdict,
    'ok',
  );
  assert.equal(
    digest({ ...base, 'warc-payload-digest': `sha1:${base32ByBits(sha1('other'))}` }, whole).payload.verdict,
    'mismatch',
  );
});

test("a revisit's payload digest is not held to its own (empty) payload; a resource's payload is its whole block", () => {
  const revisit = digest(
    {
      'warc-type': 'revisit',
      'content-type': 'application/http; msgtype=response',
      'warc-payload-digest': `sha1:${base32ByBits(sha1('elsewhere'))}`,
      'warc-block-digest': `sha1:${base32ByBits(sha1(httpHead))}`,
    },
    httpHead,
  );
  assert.deepEqual([revisit.block.verdict, revisit.payload.verdict], ['ok', 'elsewhere']);
  const resource = digest(
    { 'warc-type': 'resource', 'content-type': 'text/html', 'warc-payload-digest': `sha1:${base32ByBits(sha1(body))}` },
    body,
  );
  assert.deepEqual([resource.block.verdict, resource.payload.verdict], ['absent', 'ok']);
});

test('an unknown algorithm or an unreadable value is unsupported, never a mismatch', () => {
  const r = digest({ 'warc-block-digest': 'blake3:abcdef', 'warc-payload-digest': 'sha1:nope' }, body);
  assert.deepEqual([r.block.verdict, r.payload.verdict], ['unsupported', 'unsupported']);
});

test('any header values and bytes give verdicts, never a crash', () => {
  fc.assert(
    fc.property(
      fc.string(),
      fc.string(),
      fc.string(),
      fc.uint8Array({ maxLength: 200 }),
      (type, block, payload, bytes) => {
        const r = digest(
          {
            'warc-type': type,
            'content-type': 'application/http',
            'warc-block-digest': block,
            'warc-payload-digest': payload,
          },
          Buffer.from(bytes),
        );
        return typeof r.block.verdict === 'string' && typeof r.payload.verdict === 'string';
      },
    ),
  );
});
