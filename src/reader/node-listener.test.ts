import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFixtureArchive } from '../../test/helpers/reader-fixture.js';
import { createReader, createRequestListener, type Reader } from './index.js';

let fixture: { dir: string; cleanup: () => void };
let reader: Reader;
let server: Server;
let origin: string;

before(async () => {
  fixture = createFixtureArchive();
  reader = createReader({ dir: fixture.dir });
  server = createServer(createRequestListener(reader));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((done) => server.close(done));
  reader.close();
  fixture.cleanup();
});

test('a cached page is answered from the cache with the same status, headers and body as the first answer', async () => {
  assert.equal(reader.cached('GET', '/article/101/'), undefined);
  const first = await fetch(`${origin}/article/101/`);
  const firstBody = await first.text();
  assert.ok(reader.cached('GET', '/article/101/') !== undefined, 'the first answer was cached');
  const second = await fetch(`${origin}/article/101/`);
  assert.equal(second.status, 200);
  assert.equal(await second.text(), firstBody);
  for (const h of [
    'content-type',
    'content-security-policy',
    'x-content-type-options',
    'referrer-policy',
    'etag',
    'cache-control',
  ]) {
    assert.equal(second.headers.get(h), first.headers.get(h), h);
    assert.ok(second.headers.get(h) !== null, h);
  }
});

test('cache hits honour HEAD and If-None-Match; misses, redirects and 404s go through fetch', async () => {
  await fetch(`${origin}/date/2020/03/01/`);
  const head = await fetch(`${origin}/date/2020/03/01/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  const etag = head.headers.get('etag');
  assert.ok(etag !== null);
  const revalidated = await fetch(`${origin}/date/2020/03/01/`, { headers: { 'If-None-Match': etag } });
  assert.equal(revalidated.status, 304);
  const redirect = await fetch(`${origin}/article/101`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  const missing = await fetch(`${origin}/article/424242/`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(reader.cached('GET', '/article/424242/'), undefined, '404s are not cached');
  const query = await fetch(`${origin}/search/?q=${encodeURIComponent('衞生署')}`);
  assert.equal(query.status, 200);
  assert.ok(reader.cached('GET', `/search/?q=${encodeURIComponent('衞生署')}`) !== undefined);
});
