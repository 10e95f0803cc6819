import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredPageUrl } from './page-url.js';

const bytes = (html: string): Uint8Array => new TextEncoder().encode(html);

test('a saved page names its URL by its canonical link, else og:url', () => {
  assert.equal(
    declaredPageUrl(
      bytes(
        '<head><meta property="og:url" content="https://a.test/og"><link href="https://a.test/x?a=1&amp;b=2" rel="canonical"></head>',
      ),
    ),
    'https://a.test/x?a=1&b=2',
  );
  assert.equal(
    declaredPageUrl(bytes("<head><meta content='https://a.test/og' property='og:url'></head>")),
    'https://a.test/og',
  );
  assert.equal(declaredPageUrl(bytes('<LINK REL=canonical HREF=http://a.test/bare>')), 'http://a.test/bare');
});

test('relative, non-http and missing URLs are no URL', () => {
  for (const html of [
    '<link rel="canonical" href="/relative">',
    '<link rel="canonical" href="javascript:alert(1)">',
    '<link rel="stylesheet" href="https://a.test/s.css">',
    '<p>no head</p>',
    '',
  ]) {
    assert.equal(declaredPageUrl(bytes(html)), undefined, html);
  }
});
