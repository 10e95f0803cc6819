/**
 * WACZ files laid out by hand from the WACZ 1.1.1 text (archive/, indexes/, pages/,
 * datapackage.json with each resource's path, bytes and sha256, datapackage-digest.json),
 * checksummed with coreutils' sha256sum and zipped by Info-ZIP's `zip`, not by salvage; then
 * damaged one way at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWacz } from './verify-wacz.js';
import type { IntegrityFinding } from '../store/index.js';

const hasZip = spawnSync('zip', ['-v']).status === 0;
const root = mkdtempSync(join(tmpdir(), 'salvage-verify-wacz-'));
let n = 0;

const FILES: Record<string, string> = {
  'archive/data.warc':
    'WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: http://example.com/\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n',
  'indexes/index.cdxj':
    'com,example)/ 20210704235549 {"url":"http://example.com/","offset":0,"length":92,"filename":"data.warc"}\n',
  'pages/pages.jsonl':
    '{"format":"json-pages-1.0","id":"pages","title":"All Pages"}\n{"url":"http://example.com/","ts":"2021-07-04T23:55:49Z","title":"Example"}\n',
};
const sha256sum = (file: string): string => execFileSync('sha256sum', ['--', file]).toString().split(' ')[0]!;

/** Lay out a WACZ folder (with `change` applied after the data package is written) and zip it with Info-ZIP, stored. */
function makeWacz(change: (dir: string) => void = () => {}, extra: string[] = []): string {
  const dir = join(root, `w${++n}`);
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const resources = Object.keys(FILES).map((path) => ({
    name: path.split('/').at(-1),
    path,
    hash: `sha256:${sha256sum(join(dir, path))}`,
    bytes: statSync(join(dir, path)).size,
  }));
  writeFileSync(
    join(dir, 'datapackage.json'),
    JSON.stringify({ profile: 'data-package', wacz_version: '1.1.1', resources }, null, 2),
  );
  writeFileSync(
    join(dir, 'datapackage-digest.json'),
    JSON.stringify({ path: 'datapackage.json', hash: `sha256:${sha256sum(join(dir, 'datapackage.json'))}` }),
  );
  change(dir);
  const out = join(root, `w${n}.wacz`);
  execFileSync(
    'zip',
    ['-q', '-X', '-D', '-0', out, 'datapackage.json', 'datapackage-digest.json', ...Object.keys(FILES), ...extra],
    { cwd: dir },
  );
  return out;
}

async function check(
  path: string,
): Promise<{ findings: IntegrityFinding[]; summary: Awaited<ReturnType<typeof checkWacz>> }> {
  const findings: IntegrityFinding[] = [];
  const summary = await checkWacz(path, (f) => findings.push(f));
  return { findings, summary };
}
const codes = (findings: IntegrityFinding[]): string[][] => findings.map((f) => [f.problem, f.code, f.path]);

test(
  'a WACZ whose every resource matches its datapackage.json entry has no findings',
  { skip: !hasZip && 'Info-ZIP zip is not installed' },
  async () => {
    const { findings, summary } = await check(makeWacz());
    assert.deepEqual(findings, []);
    assert.deepEqual(
      [summary.version, summary.resources, summary.resourcesIntact, summary.entries],
      ['1.1.1', 3, 3, 5],
    );
  },
);

test(
  'a resource changed after the data package was written fails its hash; an unlisted entry is extra',
  { skip: !hasZip && 'Info-ZIP zip is not installed' },
  async () => {
    const path = makeWacz(
      (dir) => {
        writeFileSync(join(dir, 'pages/pages.jsonl'), FILES['pages/pages.jsonl']!.replace('Example', 'Exampl3'));
        writeFileSync(join(dir, 'notes.txt'), 'not listed');
      },
      ['notes.txt'],
    );
    const { findings } = await check(path);
    assert.deepEqual(codes(findings), [
      ['altered', 'hash', 'pages/pages.jsonl'],
      ['extra', 'extra-file', 'notes.txt'],
    ]);
  },
);

test(
  'a flipped byte inside a stored entry fails the ZIP CRC-32 and the resource hash',
  { skip: !hasZip && 'Info-ZIP zip is not installed' },
  async () => {
    const path = makeWacz();
    const bytes = readFileSync(path);
    const at = bytes.indexOf('hello\r\n');
    assert.ok(at > 0);
    bytes[at] = 0x48; // h → H
    writeFileSync(path, bytes);
    const { findings } = await check(path);
    assert.deepEqual(codes(findings), [
      ['altered', 'entry-crc', 'archive/data.warc'],
      ['altered', 'hash', 'archive/data.warc'],
    ]);
  },
);

test(
  'a listed resource missing from the ZIP, and a datapackage.json that no longer matches its digest, are found',
  { skip: !hasZip && 'Info-ZIP zip is not installed' },
  async () => {
    const dir = join(root, `w${n + 1}`);
    const path = makeWacz(() => {
      const pkg = join(dir, 'datapackage.json');
      writeFileSync(
        pkg,
        readFileSync(pkg, 'utf8').replace(
          '"resources": [',
          '"resources": [{"path": "archive/gone.warc", "hash": "sha256:00", "bytes": 1},',
        ),
      );
    });
    const { findings } = await check(path);
    assert.deepEqual(codes(findings), [
      ['altered', 'datapackage-digest', 'datapackage-digest.json'],
      ['missing', 'file-missing', 'archive/gone.warc'],
    ]);
  },
);

test('a file that is not a ZIP is unreadable, one finding', async () => {
  const path = join(root, 'not.wacz');
  writeFileSync(path, 'hello');
  const { findings } = await check(path);
  assert.deepEqual(codes(findings), [['altered', 'unreadable', '.']]);
});
