import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { isSalvageError } from '../errors.js';
import {
  bagSize,
  decodeManifestPath,
  encodeManifestPath,
  formatBagInfo,
  manifestLine,
  oneLine,
  parseBagInfoLine,
  payloadOxum,
  walkFiles,
} from './bagit.js';
import { hashFile } from './file-hash.js';
import { linkOrCopy } from './link-or-copy.js';

const work = mkdtempSync(join(tmpdir(), 'salvage-bagit-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

test('manifest paths: CR, LF and % are percent-encoded and nothing else; decoding gives the path back', () => {
  assert.equal(encodeManifestPath('data/100% sure\r\nx.md'), 'data/100%25 sure%0D%0Ax.md');
  assert.equal(encodeManifestPath('data/新聞 a+b#c.md'), 'data/新聞 a+b#c.md');
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('a', '%', '\r', '\n', '2', '5', '0', 'A', 'D', ' ', '中') }),
      (path) => {
        const encoded = encodeManifestPath(path);
        assert.doesNotMatch(encoded, /[\r\n]/);
        assert.doesNotMatch(encoded, /%(?!25|0A|0D)/);
        assert.equal(decodeManifestPath(encoded), path);
      },
    ),
  );
});

test('decoding leaves % sequences that are not the three escapes as written', () => {
  assert.equal(decodeManifestPath('data/%41%0a%0d%25%2F'), 'data/%41\n\r%%2F');
});

test('a manifest line is the hex digest, two spaces and the encoded path (what sha256sum -c reads)', () => {
  assert.equal(manifestLine('ab'.repeat(32), 'data/a%b.md'), `${'ab'.repeat(32)}  data/a%25b.md\n`);
});

test('bag-info: one "Label: value" line each, in order; labels RFC 8493 §2.2.2 forbids are CONFIG_INVALID', () => {
  assert.equal(
    formatBagInfo([
      { label: 'Source-Organization', value: '眾新聞存檔' },
      { label: 'Payload-Oxum', value: '12.3' },
    ]),
    'Source-Organization: 眾新聞存檔\nPayload-Oxum: 12.3\n',
  );
  for (const label of ['', 'A:B', ' Lead', 'Trail ', 'Tab\tinside\n'])
    assert.throws(
      () => formatBagInfo([{ label, value: 'x' }]),
      (e: unknown) => isSalvageError(e) && e.code === 'CONFIG_INVALID',
      JSON.stringify(label),
    );
  assert.throws(
    () => formatBagInfo([{ label: 'X', value: 'two\nlines' }]),
    (e: unknown) => isSalvageError(e),
  );
  assert.equal(oneLine('  two\r\n  lines \n'), 'two lines');
});

test('--info elements are read as bag-info.txt writes them', () => {
  assert.deepEqual(parseBagInfoLine('Contact-Email: a@b.org'), { label: 'Contact-Email', value: 'a@b.org' });
  assert.deepEqual(parseBagInfoLine('External-Identifier:doi:10.1/x'), {
    label: 'External-Identifier',
    value: 'doi:10.1/x',
  });
  for (const bad of ['no colon', 'Empty:', ': no label'])
    assert.throws(
      () => parseBagInfoLine(bad),
      (e: unknown) => isSalvageError(e) && e.code === 'CONFIG_INVALID',
      bad,
    );
});

test('Payload-Oxum is octets.streams; Bag-Size is decimal with a unit', () => {
  assert.equal(payloadOxum(1033708, 131), '1033708.131');
  assert.equal(bagSize(999), '999 B');
  assert.equal(bagSize(1_033_708), '1.0 MB');
  assert.equal(bagSize(42_600_000_000), '42.6 GB');
});

test('the walk lists every file once, in the byte order of the UTF-8 paths, however the names mix', () => {
  const name = fc.string({
    unit: fc.constantFrom('a', 'b', '-', '0', '.', 'é', '中', '😀'),
    minLength: 1,
    maxLength: 3,
  });
  fc.assert(
    fc.property(fc.uniqueArray(fc.array(name, { minLength: 1, maxLength: 3 }), { maxLength: 12 }), (paths) => {
      const root = mkdtempSync(join(work, 'walk-'));
      const written = new Set<string>();
      for (const parts of paths) {
        const rel = parts.filter((p) => p !== '.' && p !== '..').join('/');
        if (rel === '') continue;
        try {
          mkdirSync(dirname(join(root, rel)), { recursive: true });
          writeFileSync(join(root, rel), rel);
          written.add(rel);
        } catch {
          // a name already taken as a folder, or a folder as a file: not this property's concern
        }
      }
      const listed = [...walkFiles(root)];
      const expected = [...written]
        .filter((p) => statSync(join(root, p)).isFile())
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.deepEqual(listed, expected);
      rmSync(root, { recursive: true });
    }),
    { numRuns: 40 },
  );
});

test('file digests equal node:crypto over the whole file, read whole or streamed past 1 MiB', async () => {
  for (const size of [0, 1000, (1 << 20) + 12345]) {
    const path = join(work, `digest-${size}`);
    const bytes = randomBytes(size);
    writeFileSync(path, bytes);
    const { digests, bytes: n } = await hashFile(path, ['sha256', 'sha512']);
    assert.equal(n, size);
    assert.equal(digests.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(digests.sha512, createHash('sha512').update(bytes).digest('hex'));
  }
});

test('linkOrCopy links, copies where the file system cannot link, and never writes over a file', () => {
  const source = join(work, 'source.md');
  writeFileSync(source, 'bytes');
  assert.equal(linkOrCopy(source, join(work, 'linked.md')), 'linked');
  assert.equal(statSync(join(work, 'linked.md')).ino, statSync(source).ino);
  const exdev = (): never => {
    throw Object.assign(new Error('cross-device link'), { code: 'EXDEV' });
  };
  assert.equal(linkOrCopy(source, join(work, 'copied.md'), exdev), 'copied');
  assert.notEqual(statSync(join(work, 'copied.md')).ino, statSync(source).ino);
  assert.equal(readFileSync(join(work, 'copied.md'), 'utf8'), 'bytes');
  writeFileSync(join(work, 'taken.md'), 'other');
  assert.throws(() => linkOrCopy(source, join(work, 'taken.md')), { code: 'EEXIST' });
  assert.throws(() => linkOrCopy(source, join(work, 'taken.md'), exdev), { code: 'EEXIST' });
  assert.equal(readFileSync(join(work, 'taken.md'), 'utf8'), 'other');
  const eio = (): never => {
    throw Object.assign(new Error('i/o'), { code: 'EIO' });
  };
  assert.throws(() => linkOrCopy(source, join(work, 'eio.md'), eio), { code: 'EIO' });
});
