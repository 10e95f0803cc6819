/**
 * `salvage verify` end to end: an archive rescued from the local Wayback simulator (the demo
 * site, images included), copied and damaged one way at a time; a dump made by the real
 * `salvage export`; a bag written by hand from RFC 8493. Each damage must be found, named
 * precisely, with exit code 65; each clean target must report clean with exit code 0, and
 * nothing verified may change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { verifyPath } from '../src/verify/index.js';
import { archiveDemo } from './helpers/demo-rescue.js';
import { runCli } from './helpers/run-cli.js';

const EXIT_DAMAGE = 65;

const work = mkdtempSync(join(tmpdir(), 'salvage-verify-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const reference = join(work, 'reference');

interface Finding {
  problem: string;
  check: string;
  code: string;
  path: string;
  offset?: number;
  articleId?: number;
  message: string;
}
interface Report {
  clean: boolean;
  target: string;
  findings: Record<string, number>;
  checked: {
    articles?: { written: number; rebuiltEqual: number; notCheckable: number };
    media?: { files: number; intact: number };
  };
}

/** `salvage verify PATH` in this process (the CLI costs seconds to start): its findings and report. */
async function verifyHere(
  path: string,
  options: { rebuild?: boolean } = {},
): Promise<{ findings: Finding[]; report: Report }> {
  const findings: Finding[] = [];
  const report = await verifyPath(path, { ...options, onFinding: (f) => findings.push(f) });
  return { findings, report: report as unknown as Report };
}

/** `salvage verify PATH --json`: its exit code, findings and report. */
async function verify(
  path: string,
  ...flags: string[]
): Promise<{ status: number | null; findings: Finding[]; report: Report; stderr: string }> {
  const r = await runCli(['verify', path, '--json', '--quiet', ...flags]);
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { type: string });
  const report = lines.find((l) => l.type === 'report') as unknown as Report | undefined;
  assert.ok(report, `no report line; stderr: ${r.stderr}`);
  return {
    status: r.status,
    findings: lines.filter((l) => l.type === 'finding') as unknown as Finding[],
    report,
    stderr: r.stderr,
  };
}

const damage = (findings: Finding[]): [string, string, string, string, number | undefined, number | undefined][] =>
  findings
    .filter((f) => f.problem !== 'notice')
    .map((f) => [f.problem, f.check, f.code, f.path, f.offset, f.articleId]);

let copies = 0;
function copyOf(dir: string): string {
  const to = join(work, `copy-${++copies}`);
  cpSync(dir, to, { recursive: true });
  return to;
}

/** Every file under `dir` with its SHA-256, but SQLite's -wal/-shm sidecars (which any reader may create). */
function fileHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/-(?:wal|shm)$/.test(name))
        out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

interface Place {
  id: number;
  path: string;
  warc: string;
  offset: number;
  length: number;
}
/** The written articles and their captures' records, from the crawl state. */
function places(dir: string): Place[] {
  const db = new Database(join(dir, 'state.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        "SELECT a.id, a.path, c.warc, c.warc_offset AS offset, c.warc_length AS length FROM articles a JOIN captures c ON c.id = a.capture_id WHERE a.state = 'written' ORDER BY c.warc_offset",
      )
      .all() as Place[];
  } finally {
    db.close();
  }
}

before(async () => {
  const r = await archiveDemo(reference);
  assert.equal(r.status, 0, r.stderr);
});

test('a freshly rescued archive verifies clean (exit 0): every record, article, image and database, and nothing it read changed', async () => {
  const dir = copyOf(reference);
  const before = fileHashes(dir);
  const { status, findings, report } = await verify(dir);
  assert.equal(status, 0);
  assert.deepEqual(findings, []);
  assert.equal(report.clean, true);
  assert.equal(report.target, 'archive');
  const articles = places(dir).length;
  assert.ok(articles > 30);
  assert.equal(report.checked.articles?.rebuiltEqual, articles);
  assert.ok((report.checked.media?.files ?? 0) > 50);
  assert.equal(report.checked.media?.intact, report.checked.media?.files);
  assert.deepEqual(fileHashes(dir), before);
  const text = await runCli(['verify', dir]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^clean — .* \(archive\): \d+ WARC records/m);
});

/**
 * Flip one byte of the HTTP payload inside a record's gzip member and compress it again to the
 * member's own length, so only the bytes of the record change: no offset or size moves.
 */
function flipPayloadByte(file: string, place: Place): void {
  const bytes = readFileSync(file);
  const member = bytes.subarray(place.offset, place.offset + place.length);
  const record = gunzipSync(member);
  const payloadStart = record.indexOf('\r\n\r\n', record.indexOf('\r\n\r\n') + 4) + 4;
  for (let i = payloadStart + 200; i < record.length; i++) {
    if (record[i]! < 0x61 || record[i]! > 0x7a) continue; // a lower-case ASCII letter
    for (const level of [6, 9, 5, 7, 8, 4, 3, 2, 1]) {
      const changed = Buffer.from(record);
      changed[i] = record[i] === 0x7a ? 0x61 : record[i]! + 1;
      const again = gzipSync(changed, { level });
      if (again.length === member.length) {
        again.copy(bytes, place.offset);
        writeFileSync(file, bytes);
        return;
      }
    }
  }
  throw new Error('no flip kept the member length');
}

test('a flipped byte inside a WARC record payload: both digests of that record, and its article, are named (exit 65)', async () => {
  const dir = copyOf(reference);
  const target = places(dir)[3]!;
  flipPayloadByte(join(dir, 'captures', target.warc), target);
  const { status, findings, report } = await verify(dir);
  assert.equal(status, EXIT_DAMAGE);
  assert.equal(report.clean, false);
  const warc = `captures/${target.warc}`;
  assert.deepEqual(damage(findings), [
    ['altered', 'warc', 'block-digest', warc, target.offset, undefined],
    ['altered', 'warc', 'payload-digest', warc, target.offset, undefined],
    ['altered', 'article', 'sha256-mismatch', target.path, undefined, target.id],
  ]);
  assert.match(findings[2]!.message, /the file is as written, so the capture bytes changed/);
});

test("a flipped byte in a record's gzip framing: damaged bytes at that offset, the state's record there broken, its article not checkable (exit 65)", async () => {
  const dir = copyOf(reference);
  const target = places(dir)[5]!;
  const file = join(dir, 'captures', target.warc);
  const bytes = readFileSync(file);
  bytes[target.offset + target.length - 6] = bytes[target.offset + target.length - 6]! ^ 0xff; // the member's CRC-32
  writeFileSync(file, bytes);
  const { status, findings } = await verify(dir);
  assert.equal(status, EXIT_DAMAGE);
  const warc = `captures/${target.warc}`;
  assert.deepEqual(damage(findings), [
    ['altered', 'warc', 'damaged-bytes', warc, target.offset, undefined],
    ['altered', 'warc-place', 'place-not-record', warc, target.offset, undefined],
  ]);
  assert.match(findings[0]!.message, /CRC-32/);
  const notice = findings.find((f) => f.problem === 'notice');
  assert.deepEqual([notice?.code, notice?.articleId], ['not-checkable', target.id]);
});

test('a missing WARC file is named with the records the index places in it (exit 65)', async () => {
  const dir = copyOf(reference);
  rmSync(join(dir, 'media', 'captures', 'salvage-00001.warc.gz'));
  const { status, findings } = await verify(dir);
  assert.equal(status, EXIT_DAMAGE);
  assert.deepEqual(damage(findings), [
    ['missing', 'warc', 'file-missing', 'media/captures/salvage-00001.warc.gz', undefined, undefined],
  ]);
  assert.match(findings[0]!.message, /names \d+ records in it/);
});

test('an edited article file is found, by a rebuild from its capture and without one (--no-rebuild)', async () => {
  const dir = copyOf(reference);
  const target = places(dir)[7]!;
  const file = join(dir, target.path);
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(/\n\n([^\n]{4})/, '\n\n$1（更正）'); // a word added to the first paragraph after the frontmatter
  assert.notEqual(edited, text);
  writeFileSync(file, edited);
  for (const flags of [[], ['--no-rebuild']]) {
    const { status, findings } = await verify(dir, ...flags);
    assert.equal(status, EXIT_DAMAGE, flags.join(' '));
    assert.deepEqual(
      damage(findings),
      [['altered', 'article', 'file-altered', target.path, undefined, target.id]],
      flags.join(' '),
    );
  }
  // The frontmatter's sha256 edited too: it no longer names the capture.
  writeFileSync(file, edited.replace(/^sha256: "[0-9a-f]{64}"$/m, `sha256: "${'0'.repeat(64)}"`));
  const { findings } = await verifyHere(dir);
  assert.deepEqual(damage(findings), [['altered', 'article', 'sha256-mismatch', target.path, undefined, target.id]]);
  assert.match(findings[0]!.message, /the file was changed/);
});

test('a deleted image file and a planted article file are named: missing and extra (exit 65)', async () => {
  const dir = copyOf(reference);
  const bucket = readdirSync(join(dir, 'media', 'files')).sort()[0]!;
  const image = readdirSync(join(dir, 'media', 'files', bucket)).sort()[0]!;
  rmSync(join(dir, 'media', 'files', bucket, image));
  const some = places(dir)[0]!;
  mkdirSync(join(dir, 'articles', '999001-1000000'));
  cpSync(join(dir, some.path), join(dir, 'articles', '999001-1000000', 'article_999999.md'));
  const { status, findings } = await verify(dir);
  assert.equal(status, EXIT_DAMAGE);
  assert.deepEqual(damage(findings), [
    ['extra', 'article', 'extra-file', 'articles/999001-1000000/article_999999.md', undefined, undefined],
    ['missing', 'media', 'file-missing', `media/files/${bucket}/${image}`, undefined, undefined],
  ]);
});

test('an archive laid out by salvage import has nothing to check its files against: not checkable, clean (exit 0)', async () => {
  const dir = join(work, 'imported');
  const r = await runCli(['import', join(reference, 'articles'), '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  const { findings, report } = await verifyHere(dir);
  assert.equal(report.clean, true);
  assert.deepEqual(
    findings.map((f) => [f.problem, f.code]),
    [['notice', 'not-checkable']],
  );
  assert.equal(report.checked.articles?.notCheckable, places(reference).length);
});

test('a dump made by salvage export verifies clean; cut short, it is found by its manifest and checksum file (exit 65)', async () => {
  const dump = join(work, 'dump.jsonl.gz');
  const r = await runCli(['export', reference, '--format', 'jsonl', '--out', dump, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const clean = await verify(dump);
  assert.equal(clean.status, 0);
  assert.equal(clean.report.target, 'dump');
  assert.deepEqual(clean.findings, []);
  truncateSync(dump, Math.floor(statSync(dump).size / 2));
  for (const path of [dump, `${dump}.manifest.json`, `${dump}.sha256`]) {
    const { status, findings } =
      path === dump ? await verify(path) : { status: EXIT_DAMAGE, ...(await verifyHere(path)) };
    assert.equal(status, EXIT_DAMAGE, path);
    assert.deepEqual(
      damage(findings).map((f) => f.slice(0, 4)),
      [
        ['altered', 'dump', 'size', 'dump.jsonl.gz'],
        ['altered', 'dump', 'sha256', 'dump.jsonl.gz'],
      ],
      path,
    );
    assert.match(findings[0]!.message, /cut short/);
  }
});

test('a bag: clean exits 0, an extra payload file exits 65 naming it', async () => {
  const bag = join(work, 'bag');
  mkdirSync(join(bag, 'data'), { recursive: true });
  writeFileSync(join(bag, 'data', 'a.txt'), 'hello\n');
  writeFileSync(join(bag, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  writeFileSync(
    join(bag, 'manifest-sha256.txt'),
    `${createHash('sha256').update('hello\n').digest('hex')}  data/a.txt\n`,
  );
  writeFileSync(join(bag, 'bag-info.txt'), 'Payload-Oxum: 6.1\n');
  const clean = await verifyHere(bag);
  assert.equal(clean.report.clean, true);
  assert.equal(clean.report.target, 'bag');
  writeFileSync(join(bag, 'data', 'b.txt'), 'planted\n');
  const { status, findings } = await verify(bag);
  assert.equal(status, EXIT_DAMAGE);
  assert.deepEqual(damage(findings)[0]?.slice(0, 4), ['extra', 'bag', 'extra-file', 'data/b.txt']);
});

test('a PATH that is missing or no verifiable thing is one line and exit 1', async () => {
  const missing = await runCli(['verify', join(work, 'nothing-here')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^salvage: .*does not exist \[INPUT_UNREADABLE\]\n$/);
  const other = join(work, 'notes.txt');
  writeFileSync(other, 'hello');
  const odd = await runCli(['verify', other]);
  assert.equal(odd.status, 1);
  assert.match(odd.stderr, /\[INPUT_INVALID\]\n$/);
  assert.equal(existsSync(`${other}.manifest.json`), false);
});
