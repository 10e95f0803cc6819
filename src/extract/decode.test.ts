import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { decodePayload, undoContentCoding } from './decode.js';

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
  const big5 = Uint8Array.from([
    0x3c, 0x6d, 0x65, 0x74, 0x61, 0x20, 0x63, 0x68, 0x61, 0x72, 0x73, 0x65, 0x74, 0x3d, 0x62, 0x69, 0x67, 0x35, 0x3e,
    0xa4, 0xa4, 0xa4, 0xe5,
  ]);
  const decoded = decodePayload(big5);
  assert.equal(decoded.encoding, 'big5');
  assert.equal(decoded.text.endsWith('中文'), true);
});

test('falls back to windows-1252 for undeclared invalid UTF-8', () => {
  const decoded = decodePayload(Uint8Array.from([0x3c, 0x70, 0x3e, 0xe9, 0x3c]));
  assert.equal(decoded.source, 'fallback');
  assert.equal(decoded.text, '<p>é<');
});

/** An encoder for a legacy two-byte encoding, built from TextDecoder (Node has no legacy encoders). */
function legacyEncoder(encoding: string): (text: string) => Uint8Array {
  const table = new Map<string, [number, number]>();
  const decoder = new TextDecoder(encoding);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      const ch = decoder.decode(Uint8Array.from([lead, trail]));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  return (text) =>
    Uint8Array.from(
      [...text].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) ?? [0x3f]))),
    );
}

const SIMPLIFIED =
  '<html><head><title>新闻</title></head><body><p>这是一个关于我们的城市的故事，他们在这里生活了很多年，也要在这里继续工作和学习。</p></body></html>';
const TRADITIONAL =
  '<html><head><title>新聞</title></head><body><p>這是一個關於我們的城市的故事，他們在這裡生活了很多年，也要在這裡繼續工作和學習。</p></body></html>';

test('an undeclared page in GBK or Big5 bytes decodes as Chinese, not as windows-1252', () => {
  const gbk = decodePayload(legacyEncoder('gbk')(SIMPLIFIED));
  assert.equal(gbk.encoding, 'gbk');
  assert.equal(gbk.source, 'chinese-legacy');
  assert.equal(gbk.text, SIMPLIFIED);
  const big5 = decodePayload(legacyEncoder('big5')(TRADITIONAL));
  assert.equal(big5.encoding, 'big5');
  assert.equal(big5.text, TRADITIONAL);
});

test("a site's stated default encoding wins over recognising Chinese; a short or non-Chinese page keeps the fallback", () => {
  const bytes = legacyEncoder('gbk')(SIMPLIFIED);
  assert.equal(decodePayload(bytes, { fallbackEncoding: 'windows-1252' }).source, 'fallback');
  assert.equal(decodePayload(legacyEncoder('gbk')('<p>的一</p>')).source, 'fallback');
  const latin = decodePayload(
    Uint8Array.from([
      ...new TextEncoder().encode('<p>caf'),
      0xe9,
      ...new TextEncoder().encode(' au lait, cr'),
      0xe8,
      ...new TextEncoder().encode('me br'),
      0xfb,
      0x6c,
      0xe9,
      0x65,
      0x3c,
      0x2f,
      0x70,
      0x3e,
    ]),
  );
  assert.equal(latin.source, 'fallback');
  assert.equal(latin.text, '<p>café au lait, crème brûlée</p>');
});

test('an all-ASCII page declared in a legacy charset decodes the same as by TextDecoder', () => {
  const html =
    '<html><head><meta charset="iso-8859-1"><title>Plain</title></head><body><p>Only ASCII here.</p></body></html>';
  for (const charset of ['iso-8859-1', 'windows-1251', 'gbk', 'big5', 'shift_jis']) {
    const page = new TextEncoder().encode(html.replace('iso-8859-1', charset));
    assert.equal(decodePayload(page).text, new TextDecoder(charset).decode(page), charset);
  }
});

test('a large page decodes in pieces that join to the whole-page decoding, whatever falls on a piece boundary', () => {
  const body = '<p>眾新聞 café 😀 ' + 'x'.repeat(65530) + '特朗普😀</p>'.repeat(3);
  const utf8 = enc(`<html><head><meta charset="utf-8"></head><body>${body.repeat(3)}</body></html>`);
  const d = decodePayload(utf8);
  assert.ok(d.chunks.length > 1);
  assert.equal(d.text, new TextDecoder().decode(utf8));
  const gbkEncode = legacyEncoder('gbk');
  const gbk = gbkEncode(
    `<html><head><meta charset="gbk"></head><body>${('中文' + 'y'.repeat(65535)).repeat(3)}</body></html>`,
  );
  assert.equal(decodePayload(gbk).text, new TextDecoder('gbk').decode(gbk));
  const utf16 = Uint8Array.from([
    0xff,
    0xfe,
    ...[...('<p>' + '中'.repeat(70000) + '</p>')].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8]),
  ]);
  const u = decodePayload(utf16);
  assert.equal(u.source, 'bom');
  assert.equal(u.text, '<p>' + '中'.repeat(70000) + '</p>');
  const ascii = enc(`<meta charset="windows-1252"><p>${'plain '.repeat(30000)}</p>`);
  assert.equal(decodePayload(ascii).text, new TextDecoder('windows-1252').decode(ascii));
});

test('valid UTF-8 of any code points decodes exactly as TextDecoder does, pieces cut wherever characters fall', () => {
  // Every code point but the surrogates (which UTF-8 cannot carry), so NUL, U+FEFF, noncharacters
  // and astral characters land on the 64 KB piece boundaries the padding moves them to.
  const codePoint = fc.oneof(
    fc.integer({ min: 0, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0x10ffff }),
    fc.constantFrom(0, 0xfeff, 0xfffe, 0xffff, 0x10ffff, 0x1f600),
  );
  fc.assert(
    fc.property(
      fc.array(codePoint, { minLength: 1, maxLength: 60 }),
      // Padding that puts the piece across the first 64 KB boundary (the prefix is 22 bytes), or a small page.
      fc.oneof(fc.integer({ min: 65_536 - 22 - 250, max: 65_536 - 22 }), fc.integer({ min: 0, max: 300 })),
      fc.integer({ min: 1, max: 3 }),
      (cps, pad, copies) => {
        const piece = String.fromCodePoint(...cps);
        const page = `<meta charset="utf-8">${'a'.repeat(pad)}${piece}${'中'.repeat(pad % 97)}`.repeat(copies);
        const bytes = enc(page);
        const d = decodePayload(bytes);
        assert.equal(d.encoding, 'utf-8');
        assert.equal(d.text, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
        assert.equal(d.chunks.join(''), d.text);
      },
    ),
    { numRuns: 150 },
  );
});

// ---------------------------------------------------------------- damaged and mislabelled pages (issue 12)

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

test('a UTF-8 page with one invalid byte decodes as UTF-8 with U+FFFD and a warning, not as windows-1252', () => {
  const before = '<html><body><p>Déjà vu: 這是一個關於城市的故事，café crème.</p>';
  const bytes = concat(enc(before), Uint8Array.from([0xff]), enc('<p>naïve 結尾</p></body></html>'));
  for (const options of [
    {},
    { contentType: 'text/html; charset=iso-8859-1' },
    { contentType: 'text/html; charset=utf-8' },
  ]) {
    const decoded = decodePayload(bytes, options);
    assert.equal(decoded.encoding, 'utf-8', JSON.stringify(options));
    assert.equal(decoded.text, `${before}\ufffd<p>naïve 結尾</p></body></html>`);
    assert.match(decoded.warning ?? '', /1 invalid UTF-8 byte sequence replaced/);
  }
  assert.equal(decodePayload(bytes).source, 'utf8-nearly');
});

test('an English UTF-8 page with two curly quotes and one stray byte is UTF-8, not windows-1252', () => {
  const bytes = Uint8Array.from([...enc('<p>\u201cQuoted\u201d text'), 0x92, ...enc(' and more.</p>')]);
  const decoded = decodePayload(bytes);
  assert.equal(decoded.text, '<p>\u201cQuoted\u201d text\ufffd and more.</p>');
});

test('legacy text is not taken for damaged UTF-8: windows-1252 and GBK keep their decoding', () => {
  const latin = Uint8Array.from([
    ...enc('<p>caf'),
    0xe9,
    ...enc(' cr'),
    0xe8,
    ...enc('me, na'),
    0xef,
    ...enc('ve</p>'),
  ]);
  assert.equal(decodePayload(latin).text, '<p>café crème, naïve</p>');
  assert.equal(decodePayload(legacyEncoder('gbk')(SIMPLIFIED)).encoding, 'gbk');
});

test('Big5 bytes declared as UTF-8 are read as Big5 with a warning; undecodable ones keep UTF-8 with a warning', () => {
  const decoded = decodePayload(legacyEncoder('big5')(TRADITIONAL), { contentType: 'text/html; charset=utf-8' });
  assert.equal(decoded.encoding, 'big5');
  assert.equal(decoded.source, 'chinese-over-declared');
  assert.equal(decoded.text, TRADITIONAL);
  assert.match(decoded.warning ?? '', /declared UTF-8/);
  const noise = decodePayload(Uint8Array.from([...enc('<meta charset="utf-8"><p>'), 0xe9, 0x20, 0xff, 0x20, 0xfe]));
  assert.equal(noise.encoding, 'utf-8');
  assert.match(noise.warning ?? '', /declared UTF-8, but 3 invalid UTF-8 byte sequences replaced/);
});

test('a UTF-16 page with a byte order mark, LE or BE, decodes by it', () => {
  const html = '<html><head><title>新聞</title></head><body><p>這是一個故事。</p></body></html>';
  const le = Uint8Array.from([0xff, 0xfe, ...Buffer.from(html, 'utf16le')]);
  const beBody = Buffer.from(html, 'utf16le');
  beBody.swap16();
  const be = Uint8Array.from([0xfe, 0xff, ...beBody]);
  for (const [bytes, encoding] of [
    [le, 'utf-16le'],
    [be, 'utf-16be'],
  ] as const) {
    const decoded = decodePayload(bytes);
    assert.equal(decoded.encoding, encoding);
    assert.equal(decoded.text, html);
  }
});

test('content codings are undone within the inflate bound: a brotli bomb stays as its bytes', () => {
  const bomb = brotliCompressSync(Buffer.alloc(1024 * 1024, 0x20));
  const kept = undoContentCoding(bomb, 'br', 64 * 1024);
  assert.equal(kept.gunzipped, false);
  assert.equal(kept.bytes, bomb);
  const html = enc('<html><body>眾新聞</body></html>');
  assert.deepEqual(Buffer.from(undoContentCoding(brotliCompressSync(html), 'BR').bytes), Buffer.from(html));
  assert.equal(undoContentCoding(html, 'deflate').bytes, html, 'markup under a coding it no longer carries');
  assert.equal(undoContentCoding(html, 'zstd').bytes, html, 'a coding nothing here reads');
});
