/**
 * Image checks on files built byte by byte from the format specifications (not from any tool of
 * ours): JPEG (ITU T.81: SOI, APP0/APP1, SOF0, EOI; EXIF orientation, CIPA DC-008), PNG (signature,
 * IHDR, IDAT, IEND with their CRCs), GIF89a, WebP (RIFF VP8X), BMP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { checkImage } from './image-check.js';

const bytes = (...parts: (number[] | Uint8Array | string)[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const le16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
const le24 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const le32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

/** A baseline JPEG of `width`×`height`: SOI, APP0 JFIF, optional APP1 Exif orientation, SOF0, SOS, data, EOI. */
function jpeg(width: number, height: number, orientation?: number): Uint8Array {
  const app0 = [0xff, 0xe0, ...be16(16), ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  // Exif: "Exif\0\0", TIFF header (big-endian "MM"), one IFD entry: 0x0112 Orientation, SHORT, 1.
  const tiff = [0x4d, 0x4d, 0, 42, ...be32(8), ...be16(1), ...be16(0x0112), ...be16(3), ...be32(1)];
  tiff.push(...be16(orientation ?? 1), 0, 0, ...be32(0));
  const exif = [...Buffer.from('Exif\0\0'), ...tiff];
  const app1 = orientation === undefined ? [] : [0xff, 0xe1, ...be16(exif.length + 2), ...exif];
  const sof0 = [0xff, 0xc0, ...be16(11), 8, ...be16(height), ...be16(width), 1, 1, 0x11, 0];
  const sos = [0xff, 0xda, ...be16(8), 1, 1, 0, 0, 63, 0];
  const data = [0x12, 0x34, 0xff, 0x00, 0x56]; // entropy-coded bytes: an FF is stuffed with 00
  return bytes([0xff, 0xd8], app0, app1, sof0, sos, data, [0xff, 0xd9]);
}

function pngChunk(type: string, data: number[]): number[] {
  const body = bytes(type, data);
  return [...be32(data.length), ...body, ...be32(crc32(body))];
}

function png(width: number, height: number): Uint8Array {
  return bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pngChunk('IHDR', [...be32(width), ...be32(height), 8, 2, 0, 0, 0]),
    pngChunk('IDAT', [0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]),
    pngChunk('IEND', []),
  );
}

function gif(width: number, height: number): Uint8Array {
  return bytes(
    'GIF89a',
    [...le16(width), ...le16(height), 0x80, 0, 0],
    [0, 0, 0, 0xff, 0xff, 0xff], // global colour table, 2 entries
    [0x2c, 0, 0, 0, 0, ...le16(width), ...le16(height), 0], // image descriptor
    [0x02, 0x02, 0x44, 0x01, 0x00], // LZW minimum code size, one sub-block, terminator
    [0x3b],
  );
}

function webp(width: number, height: number): Uint8Array {
  const vp8x = bytes('VP8X', le32(10), [0, 0, 0, 0], le24(width - 1), le24(height - 1));
  return bytes('RIFF', le32(4 + vp8x.length), 'WEBP', vp8x);
}

function bmp(width: number, height: number): Uint8Array {
  const pixels = new Array<number>(4 * width * height).fill(0);
  const size = 14 + 40 + pixels.length;
  return bytes(
    'BM',
    le32(size),
    le32(0),
    le32(54),
    le32(40),
    le32(width),
    le32(height),
    le16(1),
    le16(32),
    le32(0),
    le32(pixels.length),
    le32(2835),
    le32(2835),
    le32(0),
    le32(0),
    pixels,
  );
}

test('JPEG, PNG, GIF, WebP and BMP built from their specifications: type and size from the headers', () => {
  assert.deepEqual(checkImage(jpeg(640, 480), 'image/jpeg'), {
    ok: true,
    type: 'jpg',
    mime: 'image/jpeg',
    width: 640,
    height: 480,
  });
  assert.deepEqual(checkImage(png(3, 2), 'image/png'), {
    ok: true,
    type: 'png',
    mime: 'image/png',
    width: 3,
    height: 2,
  });
  assert.deepEqual(checkImage(gif(5, 7), 'image/gif'), {
    ok: true,
    type: 'gif',
    mime: 'image/gif',
    width: 5,
    height: 7,
  });
  assert.deepEqual(checkImage(webp(300, 200), 'image/webp'), {
    ok: true,
    type: 'webp',
    mime: 'image/webp',
    width: 300,
    height: 200,
  });
  assert.deepEqual(checkImage(bmp(2, 3), 'image/bmp'), {
    ok: true,
    type: 'bmp',
    mime: 'image/bmp',
    width: 2,
    height: 3,
  });
});

test('an EXIF orientation that turns the picture swaps width and height, as a browser shows it', () => {
  const turned = checkImage(jpeg(640, 480, 6), 'image/jpeg');
  assert.ok(turned.ok);
  assert.deepEqual([turned.width, turned.height], [480, 640]);
  const upright = checkImage(jpeg(640, 480, 1), 'image/jpeg');
  assert.ok(upright.ok);
  assert.deepEqual([upright.width, upright.height], [640, 480]);
});

test('a file cut before its end marker is truncated, in every format that has one', () => {
  for (const [name, file] of [
    ['jpeg', jpeg(640, 480)],
    ['png', png(3, 2)],
    ['gif', gif(5, 7)],
    ['webp', webp(300, 200)],
    ['bmp', bmp(2, 3)],
  ] as const) {
    const cut = checkImage(file.subarray(0, file.length - 2));
    assert.equal(cut.ok, false, name);
    assert.equal(!cut.ok && cut.reason, 'truncated', name);
  }
});

test('a JPEG cut inside its scan is truncated even when an EXIF thumbnail ends with its own EOI', () => {
  // APP1 carrying a thumbnail (its own SOI … SOS … EOI) before the main image's SOF and scan.
  const thumbnail = [0xff, 0xd8, 0xff, 0xda, ...be16(8), 1, 1, 0, 0, 63, 0, 7, 7, 0xff, 0xd9];
  const app1 = [0xff, 0xe1, ...be16(2 + 6 + thumbnail.length), ...Buffer.from('Exif\0\0'), ...thumbnail];
  const whole = bytes(
    [0xff, 0xd8],
    app1,
    [0xff, 0xc0, ...be16(11), 8, ...be16(480), ...be16(640), 1, 1, 0x11, 0],
    [0xff, 0xda, ...be16(8), 1, 1, 0, 0, 63, 0],
    new Array<number>(64).fill(0x33),
    [0xff, 0xd9],
  );
  assert.equal(checkImage(whole, 'image/jpeg').ok, true);
  const cut = checkImage(whole.subarray(0, whole.length - 30), 'image/jpeg');
  assert.equal(!cut.ok && cut.reason, 'truncated');
  const beforeScan = checkImage(whole.subarray(0, 2 + app1.length + 5), 'image/jpeg');
  assert.equal(!beforeScan.ok && beforeScan.reason, 'truncated');
});

test('an ICO whose directory points past the end of the file is truncated', () => {
  const png1 = png(1, 1);
  const entry = [1, 1, 0, 0, 1, 0, 32, 0, ...le32(png1.length), ...le32(22)];
  const ico = bytes([0, 0, 1, 0, 1, 0], entry, png1);
  assert.equal(checkImage(ico, 'image/x-icon').ok, true);
  const cut = checkImage(ico.subarray(0, ico.length - 5), 'image/x-icon');
  assert.equal(!cut.ok && cut.reason, 'truncated');
});

test('an HTML error page, JSON or unknown bytes archived as an image are not images, whatever the type says', () => {
  for (const [body, type] of [
    ['<!DOCTYPE html><html><body>404 Not Found</body></html>', 'image/jpeg'],
    ['\n  <html>Access denied</html>', 'image/png'],
    ['{"error":"not found"}', 'image/webp'],
    ['\uFEFF<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'],
    ['plain words, no image', 'application/octet-stream'],
  ] as const) {
    const r = checkImage(Buffer.from(body, 'utf8'), type);
    assert.equal(r.ok, false, body);
    assert.equal(!r.ok && r.reason, 'not-image', body);
  }
  assert.equal(checkImage(new Uint8Array(0), 'image/jpeg').ok, false, 'empty');
});

test('an image archived under another image type is kept by its bytes, the disagreement noted', () => {
  const r = checkImage(jpeg(10, 20), 'image/png');
  assert.deepEqual(r, {
    ok: true,
    type: 'jpg',
    mime: 'image/jpeg',
    width: 10,
    height: 20,
    note: 'archived as image/png; the bytes are image/jpeg',
  });
  // Informal names of the same type, and types that say nothing, are no disagreement.
  for (const type of ['image/jpg', 'image/pjpeg', 'IMAGE/JPEG; charset=binary', 'application/octet-stream', undefined])
    assert.equal((checkImage(jpeg(10, 20), type) as { note?: string }).note, undefined, String(type));
});

test('a whole JPEG whose headers give no size is kept without one (a file without SOF)', () => {
  const noSof = bytes(
    [0xff, 0xd8, 0xff, 0xe0, 0, 16],
    'JFIF\0',
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    [1, 2, 3, 4],
    [0xff, 0xd9],
  );
  assert.deepEqual(checkImage(noSof, 'image/jpeg'), { ok: true, type: 'jpg', mime: 'image/jpeg' });
});
