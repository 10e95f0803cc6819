import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { WARCRecord } from 'warcio';
import { WARCSerializer } from 'warcio/node';
import { undeclaredGzip } from './undeclared-gzip.js';

const PAGE = Buffer.from('<!doctype html><title>t</title><h1>headline</h1>');

/** A response record as warcio (another implementation) writes it, uncompressed. */
async function record(httpHeaders: Record<string, string>, payload: Buffer): Promise<Buffer> {
  const r = WARCRecord.create(
    {
      url: 'https://www.hkcnews.com/article/1/x',
      date: '2021-06-28T17:47:10Z',
      type: 'response',
      warcVersion: 'WARC/1.1',
      statusline: 'HTTP/1.1 200 OK',
      httpHeaders,
    },
    [payload],
  );
  return Buffer.from(await WARCSerializer.serialize(r));
}

test('a gzip payload with no Content-Encoding (as the Wayback serves some id_ captures) is undeclared', async () => {
  assert.equal(undeclaredGzip(await record({ 'Content-Type': 'text/html' }, gzipSync(PAGE))), true);
  assert.equal(
    undeclaredGzip(await record({ 'Content-Type': 'text/html', 'Content-Encoding': 'identity' }, gzipSync(PAGE))),
    true,
  );
});

test('a declared gzip or x-gzip coding, in Content-Encoding or Transfer-Encoding, and a plain page are not', async () => {
  for (const headers of [
    { 'Content-Encoding': 'gzip' },
    { 'content-encoding': 'x-gzip' },
    { 'Transfer-Encoding': 'gzip' },
  ])
    assert.equal(undeclaredGzip(await record({ 'Content-Type': 'text/html', ...headers }, gzipSync(PAGE))), false);
  assert.equal(undeclaredGzip(await record({ 'Content-Type': 'text/html' }, PAGE)), false);
});

test('chunked framing is looked through to the payload', async () => {
  const gz = gzipSync(PAGE);
  const chunked = Buffer.concat([Buffer.from(`${gz.length.toString(16)}\r\n`), gz, Buffer.from('\r\n0\r\n\r\n')]);
  assert.equal(undeclaredGzip(await record({ 'Transfer-Encoding': 'chunked' }, chunked)), true);
  assert.equal(
    undeclaredGzip(await record({ 'Transfer-Encoding': 'chunked', 'Content-Encoding': 'gzip' }, chunked)),
    false,
  );
});

test('bytes that end before the payload, or are no HTTP response, say nothing', async () => {
  const whole = await record({ 'Content-Type': 'text/html' }, gzipSync(PAGE));
  const payloadAt = whole.indexOf('\r\n\r\n', whole.indexOf('\r\n\r\n') + 4) + 4;
  assert.equal(undeclaredGzip(whole.subarray(0, payloadAt - 2)), false);
  assert.equal(undeclaredGzip(whole.subarray(0, payloadAt + 2)), true);
  assert.equal(undeclaredGzip(Buffer.from('not a record')), false);
  const resource = Buffer.concat([Buffer.from('WARC/1.1\r\nWARC-Type: resource\r\n\r\n'), gzipSync(PAGE)]);
  assert.equal(undeclaredGzip(resource), false);
});
