import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodePayload } from './decode.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('sniffs gzip by magic bytes even when nothing declares it', () => {
  const html = '<html><head><meta charset="utf-8"></head><body>眾新聞</body></html>';
  const decoded = decodePayload(gzipSync(enc(html)));
  assert.equal(decoded.gunzipped, true);
  assert.equal(decoded.text, html);
});

test('prefers valid UTF-8 over a lying legacy charset', () => {
  const decoded = decodePayload(enc('<p>特朗普</p>'), { contentType: 'text/html; charset=iso-8859-1' });
  assert.equal(decoded.text, '<p>特朗普</p>');
  assert.equal(decoded.source, 'utf8-over-declared');
});

test('decodes Big5 declared in a meta tag', () => {
  const big5 = Uint8Array.from([0x3c, 0x6d, 0x65, 0x74, 0x61, 0x20, 0x63, 0x68, 0x61, 0x72, 0x73, 0x65, 0x74, 0x3d, 0x62, 0x69, 0x67, 0x35, 0x3e, 0xa4, 0xa4, 0xa4, 0xe5]);
  const decoded = decodePayload(big5);
  assert.equal(decoded.encoding, 'big5');
  assert.equal(decoded.text.endsWith('中文'), true);
});

test('falls back to windows-1252 for undeclared invalid UTF-8', () => {
  const decoded = decodePayload(Uint8Array.from([0x3c, 0x70, 0x3e, 0xe9, 0x3c]));
  assert.equal(decoded.source, 'fallback');
  assert.equal(decoded.text, '<p>é<');
});
