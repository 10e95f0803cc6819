/**
 * BagIt bags written here by hand from RFC 8493 (bagit.txt §2.1.1, payload manifests §2.1.3 with
 * their percent-encoded paths, tag manifests §2.2.1, bag-info.txt and Payload-Oxum §2.2.2,
 * fetch.txt §2.2.3), then damaged one way at a time; checksums come from coreutils' sha256sum
 * and sha512sum, not from salvage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBag } from './verify-bag.js';
import type { IntegrityFinding } from '../store/index.js';

const root = mkdtempSync(join(tmpdir(), 'salvage-verify-bag-test-'));
const PAYLOAD: Record<string, string> = {
  'data/articles/1-1000/article_1.md': '---\ntitle: "One"\n---\n\n# One\n',
  'data/media/files/ab/photo.jpg': '\xff\xd8 not really a photo',
  'data/100% sure.txt': 'a percent sign in the name (§2.1.3: encoded as %25)\n',
  'data/two\nlines.txt': 'a line feed in the name (encoded as %0A)\n',
  'data/empty.txt': '',
};

/** A checksum by coreutils (`sha256sum`, `sha512sum`), an implementation independent of salvage's. */
function coreutils(alg: 'sha256' | 'sha512', file: string): string {
  return execFileSync(`${alg}sum`, ['--', file]).toString('latin1').replace(/^\\/, '').split(' ')[0]!;
}
/** §2.1.3: LF, CR and % in a filepath are percent-encoded. */
const encode = (path: string): string => path.replace(/%/g, '%25').replace(/\n/g, '%0A').replace(/\r/g, '%0D');

/** A valid bag: payload, two payload manifests, bag-info.txt with Payload-Oxum, a tag manifest. */
function makeBag(name: string): string {
  const bag = join(root, name);
  mkdirSync(bag);
  let octets = 0;
  for (const [path, text] of Object.entries(PAYLOAD)) {
    mkdirSync(join(bag, path, '..'), { recursive: true });
    writeFileSync(join(bag, path), text, 'latin1');
    octets += Buffer.byteLength(text, 'latin1');
  }
  writeFileSync(join(bag, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  writeFileSync(
    join(bag, 'bag-info.txt'),
    `Source-Organization: salvage tests\nExternal-Description: a bag written by hand from RFC 8493,\n  continued on a second line\nBagging-Date: 2026-12-07\nPayload-Oxum: ${octets}.${Object.keys(PAYLOAD).length}\n`,
  );
  for (const alg of ['sha256', 'sha512'] as const)
    writeFileSync(
      join(bag, `manifest-${alg}.txt`),
      Object.keys(PAYLOAD)
        .map((p) => `${coreutils(alg, join(bag, p))}  ${encode(p)}\n`)
        .join(''),
    );
  writeFileSync(
    join(bag, 'tagmanifest-sha256.txt'),
    ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'manifest-sha512.txt']
      .map((p) => `${coreutils('sha256', join(bag, p))} ${p}\r\n`) // one space and CRLF: both allowed
      .join(''),
  );
  return bag;
}

async function check(
  bag: string,
): Promise<{ findings: IntegrityFinding[]; summary: Awaited<ReturnType<typeof checkBag>> }> {
  const findings: IntegrityFinding[] = [];
  const summary = await checkBag(bag, (f) => findings.push(f));
  return { findings, summary };
}
const codes = (findings: IntegrityFinding[]): string[][] => findings.map((f) => [f.problem, f.code, f.path]);

const clean = makeBag('clean');
let copies = 0;
/** A copy of the clean bag to damage. */
function copy(): string {
  const to = join(root, `copy-${++copies}`);
  cpSync(clean, to, { recursive: true });
  return to;
}

test('a valid bag has no findings: every checksum of every manifest matches, Payload-Oxum is right', async () => {
  const { findings, summary } = await check(clean);
  assert.deepEqual(findings, []);
  assert.equal(summary.version, '1.0');
  assert.deepEqual(summary.payloadAlgorithms, ['sha256', 'sha512']);
  assert.equal(summary.payloadFiles, 5);
  assert.equal(summary.checksums, 5 * 2 + 4);
});

test('an extra file in data/ is extra, and Payload-Oxum then disagrees', async () => {
  const bag = copy();
  writeFileSync(join(bag, 'data', 'planted.txt'), 'not in any manifest');
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings), [
    ['extra', 'extra-file', 'data/planted.txt'],
    ['altered', 'payload-oxum', 'bag-info.txt'],
  ]);
});

test('a wrong Payload-Oxum is found', async () => {
  const bag = copy();
  const info = join(bag, 'bag-info.txt');
  writeFileSync(info, 'Payload-Oxum: 1.5\n');
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings), [
    ['altered', 'checksum', 'bag-info.txt'], // the tag manifest knows bag-info.txt too
    ['altered', 'payload-oxum', 'bag-info.txt'],
  ]);
  assert.match(findings[1]!.message, /Payload-Oxum is 1\.5; the payload is \d+\.5/);
});

test('an altered payload file fails every manifest; a missing one is named with the manifests that list it', async () => {
  const bag = copy();
  appendFileSync(join(bag, 'data', '100% sure.txt'), 'x');
  rmSync(join(bag, 'data', 'two\nlines.txt'));
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings), [
    ['altered', 'checksum', 'data/100% sure.txt'],
    ['altered', 'checksum', 'data/100% sure.txt'],
    ['missing', 'file-missing', 'data/two\nlines.txt'],
    ['altered', 'payload-oxum', 'bag-info.txt'],
  ]);
  assert.match(findings[2]!.message, /manifest-sha256\.txt, manifest-sha512\.txt/);
});

test('a payload file missing from one payload manifest makes that manifest incomplete', async () => {
  const bag = copy();
  const m = join(bag, 'manifest-sha512.txt');
  writeFileSync(m, execFileSync('grep', ['-v', 'empty.txt', m]));
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings), [
    ['altered', 'manifest-incomplete', 'manifest-sha512.txt'],
    ['altered', 'checksum', 'manifest-sha512.txt'], // and the tag manifest's checksum of it
  ]);
});

test('manifest lines that are not "checksum filepath", leave the payload, or leave the bag are refused', async () => {
  const bag = copy();
  appendFileSync(
    join(bag, 'manifest-sha256.txt'),
    `garbage\n${'0'.repeat(64)}  bag-info.txt\n${'0'.repeat(64)}  data/../../etc/passwd\n`,
  );
  const { findings } = await check(bag);
  assert.deepEqual(
    findings.filter((f) => f.code === 'manifest-line').map((f) => f.message),
    [
      'manifest-sha256.txt: line 6 is not "checksum filepath"',
      'manifest-sha256.txt: line 7 lists a file outside data/ in a payload manifest',
      'manifest-sha256.txt: line 8 has a path with ".."',
    ],
  );
});

test('a file listed in fetch.txt and absent is a notice (not fetched), not missing', async () => {
  const bag = copy();
  const path = 'data/media/files/ab/photo.jpg';
  rmSync(join(bag, path));
  writeFileSync(join(bag, 'fetch.txt'), `https://example.org/photo.jpg - ${path}\n`);
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings), [
    ['notice', 'fetch-unsupported', 'fetch.txt'],
    ['notice', 'tag-unlisted', 'fetch.txt'], // the tag manifest was written before it
    ['notice', 'not-fetched', path],
    ['altered', 'payload-oxum', 'bag-info.txt'],
  ]);
});

test('a bag declaration that is not its two lines is found', async () => {
  const bag = copy();
  writeFileSync(join(bag, 'bagit.txt'), 'BagIt-Version: 1.0\n');
  const { findings } = await check(bag);
  assert.deepEqual(codes(findings)[0], ['altered', 'declaration', 'bagit.txt']);
});
