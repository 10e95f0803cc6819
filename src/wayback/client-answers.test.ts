/**
 * Issue 14's property: whatever the service answers — any status, with or without
 * Memento-Datetime, any redirect, any encoding, bodies cut short or connections reset — the
 * client ends every request with a capture, a CDX block, or a SalvageError with a code of the one
 * error model. Never another error (the CLI's exit 70, "internal error"), never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { SalvageError, type SalvageErrorCode } from '../errors.js';
import { WaybackClient } from './client.js';
import { Politeness } from './politeness.js';

/** Every code a request may end with. */
const CODES = new Set<SalvageErrorCode>([
  'WAYBACK_BLOCKED_SITE',
  'WAYBACK_EXCLUDED',
  'WAYBACK_NOT_ARCHIVED',
  'WAYBACK_CLOSEST_TOO_FAR',
  'WAYBACK_REDIRECT_LOOP',
  'WAYBACK_RETRIES_EXHAUSTED',
  'WAYBACK_REQUEST_REFUSED',
  'WAYBACK_HTTP_ERROR',
  'CDX_MALFORMED',
  'WAIT_LIMIT',
]);
/** Politeness waits shrink by this factor: a 60 s pause after a 429 lasts 0.6 ms. */
const SCALE = 100_000;
const PAGE = Buffer.from(`<html><body>${'words of the page '.repeat(40)}</body></html>`);
const CDX = Buffer.from(
  JSON.stringify([
    ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'],
    ['com,example)/a', '20200101000000', 'https://example.com/a', 'text/html', '200', 'AAAA', '100'],
  ]),
);

interface Answer {
  status: number;
  memento: 'none' | 'valid' | 'garbled';
  redirectReason: boolean;
  location: 'none' | 'absolute' | 'relative' | 'scheme-less' | 'far' | 'not-memento' | 'no-calendar' | 'same';
  encoding: 'none' | 'gzip' | 'gzip-lie' | 'gzip-broken' | 'deflate-lie';
  body: 'page' | 'cdx' | 'excluded' | 'blocked' | 'empty' | 'junk' | 'cdx-cut';
  delivery: 'whole' | 'reset-mid-body' | 'short-length';
}

const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 301, 302, 400, 403, 404, 410, 418, 429, 500, 503),
  memento: fc.constantFrom('none', 'valid', 'garbled'),
  redirectReason: fc.boolean(),
  location: fc.constantFrom('none', 'absolute', 'relative', 'scheme-less', 'far', 'not-memento', 'no-calendar', 'same'),
  encoding: fc.constantFrom('none', 'none', 'gzip', 'gzip-lie', 'gzip-broken', 'deflate-lie'),
  body: fc.constantFrom('page', 'cdx', 'excluded', 'blocked', 'empty', 'junk', 'cdx-cut'),
  delivery: fc.constantFrom('whole', 'whole', 'whole', 'reset-mid-body', 'short-length'),
});

function bodyOf(a: Answer): Buffer {
  switch (a.body) {
    case 'page':
      return PAGE;
    case 'cdx':
      return CDX;
    case 'cdx-cut':
      return CDX.subarray(0, 40);
    case 'excluded':
      return Buffer.from('<p>Sorry.</p><p>This URL has been excluded from the Wayback Machine.</p>');
    case 'blocked':
      return Buffer.from('<h1>Blocked Site Error</h1> AdministrativeAccessControlException');
    case 'empty':
      return Buffer.alloc(0);
    case 'junk':
      return Buffer.from([0x1f, 0x8b, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad]);
  }
}

function respond(a: Answer, origin: string, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = { 'content-type': 'text/html' };
  if (a.memento === 'valid') headers['memento-datetime'] = 'Wed, 01 Jan 2020 00:00:00 GMT';
  if (a.memento === 'garbled') headers['memento-datetime'] = 'Mon, 99 Foo 99999 99:99:99 GMT';
  if (a.redirectReason) headers['x-archive-redirect-reason'] = 'found capture at 20200101000500';
  const here = req.url ?? '/';
  switch (a.location) {
    case 'none':
      break;
    case 'absolute':
      headers['location'] = `${origin}/web/20200101000500id_/https://example.com/a`;
      break;
    case 'relative':
      headers['location'] = '/web/20200101000500id_/https://example.com/a';
      break;
    case 'scheme-less':
      headers['location'] = `//${origin.replace(/^https?:\/\//, '')}/web/20200101000500/https://example.com/a`;
      break;
    case 'far':
      headers['location'] = '/web/20100101000000id_/https://example.com/a';
      break;
    case 'not-memento':
      headers['location'] = 'https://elsewhere.example/login';
      break;
    case 'no-calendar':
      headers['location'] = '/web/20209999999999id_/https://example.com/a';
      break;
    case 'same':
      headers['location'] = here;
      break;
  }
  let body = bodyOf(a);
  if (a.encoding === 'gzip') {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  if (a.encoding === 'gzip-lie') headers['content-encoding'] = 'gzip';
  if (a.encoding === 'gzip-broken') {
    body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), body]);
    headers['content-encoding'] = 'gzip';
  }
  if (a.encoding === 'deflate-lie') headers['content-encoding'] = 'deflate';
  headers['content-length'] = String(a.delivery === 'short-length' ? body.length + 10 : body.length);
  res.writeHead(a.status, headers);
  if (a.delivery === 'whole') {
    res.end(body);
    return;
  }
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

test('any answer the service can give ends a request with a result or a SalvageError of the one model, never another error', async () => {
  let script: Answer[] = [];
  let served = 0;
  const server = createServer((req, res) => {
    const a = script[served++ % script.length]!;
    respond(a, origin, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 6 }), async (answers) => {
        script = answers;
        served = 0;
        const client = new WaybackClient({
          baseUrl: origin,
          politeness: new Politeness({ timeScale: SCALE, random: () => 0.5, maxWaitMs: 24 * 3600_000 }),
          timeoutMs: 2_000,
          maxAttempts: 3,
        });
        try {
          // The same answers, first to a capture request, then to a CDX query.
          for (const work of [
            () => client.fetchCapture('20200101000000', 'https://example.com/a'),
            () => client.cdxPage({ url: 'example.com/a' }),
          ]) {
            served = 0;
            const outcome = await work().then(
              () => undefined,
              (error: unknown) => error,
            );
            if (outcome === undefined) continue;
            assert.ok(
              outcome instanceof SalvageError,
              `not a SalvageError: ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)} after ${JSON.stringify(answers)}`,
            );
            assert.ok(CODES.has(outcome.code), `unexpected code ${outcome.code}`);
          }
        } finally {
          await client.close();
        }
      }),
      { numRuns: 400, seed: 14 },
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
