/**
 * `salvage export DIR --format wacz` on an archive rescued from the demo site through the local
 * Wayback simulator, images included, judged by an independent structural check written from the
 * WACZ 1.1.1 specification (test/helpers/wacz-check.ts: yauzl and warcio, no salvage code). The
 * check itself is tested on WACZs broken on purpose.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { getSurt, WARCParser } from 'warcio';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { writeWacz } from '../src/export/index.js';
import { buildIndex } from '../src/search/index.js';
import { parseArchiveFile } from '../src/markdown/index.js';
import { checkWacz } from './helpers/wacz-check.js';
import { archiveDemo } from './helpers/demo-rescue.js';
import { runCli } from './helpers/run-cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src/cli/main.ts');
/** tsx by path: the CLI runs in a folder of its own (the default --out lands there), outside this package. */
const TSX = import.meta.resolve('tsx');
const work = mkdtempSync(join(tmpdir(), 'salvage-wacz-test-'));
const archive = join(work, 'archive');
after(() => rmSync(work, { recursive: true, force: true }));

before(async () => {
  const r = await archiveDemo(archive);
  assert.equal(r.status, 0, r.stderr);
});

/** Every record of the archive's WARCs, read with warcio (not salvage's reader). */
async function warcRecords(dir: string): Promise<{ type: string; uri: string; date: string }[]> {
  const out: { type: string; uri: string; date: string }[] = [];
  for (const folder of ['captures', 'media/captures'])
    for (const name of readdirSync(join(dir, folder))
      .filter((n) => n.endsWith('.warc.gz'))
      .sort())
      for await (const r of new WARCParser(Readable.from([readFileSync(join(dir, folder, name))]))) {
        await r.readFully();
        out.push({ type: r.warcType ?? '', uri: r.warcTargetURI ?? '', date: r.warcDate ?? '' });
      }
  return out;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every entry of a ZIP, read with yauzl. */
async function unzip(path: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) chunks.push(c);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  return out;
}

/**
 * A copy of a WACZ with `edit` applied to its entries, re-zipped (WARCs and gzip files stored,
 * WARCs deflated with `deflateWarcs`); datapackage.json's hashes are recomputed unless
 * `keepHashes`, so the one problem planted is the only one.
 */
async function tampered(
  src: string,
  dst: string,
  edit: (files: Map<string, Buffer>) => void,
  options: { keepHashes?: boolean; deflateWarcs?: boolean } = {},
): Promise<string> {
  const files = await unzip(src);
  edit(files);
  if (options.keepHashes !== true) {
    const pkg = JSON.parse(files.get('datapackage.json')!.toString('utf8')) as {
      resources: { path: string; hash: string; bytes: number }[];
    };
    for (const r of pkg.resources) {
      r.hash = `sha256:${sha256(files.get(r.path)!)}`;
      r.bytes = files.get(r.path)!.length;
    }
    files.set('datapackage.json', Buffer.from(JSON.stringify(pkg)));
    files.set(
      'datapackage-digest.json',
      Buffer.from(
        JSON.stringify({ path: 'datapackage.json', hash: `sha256:${sha256(files.get('datapackage.json')!)}` }),
      ),
    );
  }
  const zip = new ZipFile();
  for (const [name, bytes] of files)
    zip.addBuffer(bytes, name, {
      compress: name.startsWith('archive/') ? options.deflateWarcs === true : !name.endsWith('.gz'),
    });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  writeFileSync(dst, Buffer.concat(chunks));
  return dst;
}

let plain: string;

test('a WACZ of an archive with images passes the structural check: every response indexed, every article page listed', async () => {
  plain = join(work, 'plain.wacz');
  const report = await writeWacz(archive, plain);
  const check = await checkWacz(plain);
  assert.deepEqual(check.problems, []);
  const records = (await warcRecords(archive)).filter((r) => r.type === 'response' || r.type === 'revisit');
  assert.equal(check.records, records.length);
  assert.equal(report.records, records.length);
  assert.ok(
    records.some((r) => /\.(jpg|png)$/i.test(r.uri)),
    'image captures are in the index',
  );
  const articleFiles = readdirSync(join(archive, 'articles'), { recursive: true }).filter((f) =>
    String(f).endsWith('.md'),
  );
  assert.equal(check.pages, articleFiles.length);
  assert.equal(report.pages, articleFiles.length);
  assert.deepEqual(report.pagesLeftOut, []);
  // Both folders' salvage-00001.warc.gz are there, apart, byte for byte.
  const files = await unzip(plain);
  assert.equal(
    sha256(files.get('archive/pages-salvage-00001.warc.gz')!),
    sha256(readFileSync(join(archive, 'captures/salvage-00001.warc.gz'))),
  );
  assert.equal(
    sha256(files.get('archive/media-salvage-00001.warc.gz')!),
    sha256(readFileSync(join(archive, 'media/captures/salvage-00001.warc.gz'))),
  );
  assert.equal(report.sha256, sha256(readFileSync(plain)));
  const pkg = JSON.parse(files.get('datapackage.json')!.toString('utf8')) as {
    salvage: { warcs: { path: string; source: string }[] };
  };
  assert.deepEqual(
    pkg.salvage.warcs.map((w) => [w.path, w.source]),
    [
      ['archive/pages-salvage-00001.warc.gz', 'captures/salvage-00001.warc.gz'],
      ['archive/media-salvage-00001.warc.gz', 'media/captures/salvage-00001.warc.gz'],
    ],
  );
  // Each page carries its article's title and text, so the package is searchable.
  const first = JSON.parse(files.get('pages/pages.jsonl')!.toString('utf8').split('\n')[1]!) as Record<string, string>;
  assert.ok(first['title']!.length > 0 && first['text']!.length > 100, JSON.stringify(first).slice(0, 200));
});

test('a WACZ written in ZIP64 form (as one over 4 GiB is) passes the check too', async () => {
  const out = join(work, 'zip64.wacz');
  await writeWacz(archive, out, { forceZip64: true });
  assert.deepEqual((await checkWacz(out)).problems, []);
  const bytes = readFileSync(out);
  assert.ok(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'has a ZIP64 end of central directory record');
});

test('without page text, pages.jsonl lists the same pages with their titles only', async () => {
  const out = join(work, 'no-text.wacz');
  const r = await runCli(['export', archive, '--format', 'wacz', '--no-page-text', '--out', out, '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((await checkWacz(out)).problems, []);
  const lines = (await unzip(out)).get('pages/pages.jsonl')!.toString('utf8').trim().split('\n');
  const withText = (await unzip(plain)).get('pages/pages.jsonl')!.toString('utf8').trim().split('\n');
  assert.equal(lines.length, withText.length);
  assert.equal('hasText' in (JSON.parse(lines[0]!) as object), false);
  for (const [i, line] of lines.slice(1).entries()) {
    const { text, ...rest } = JSON.parse(withText[i + 1]!) as Record<string, string>;
    assert.ok(text !== undefined);
    assert.deepEqual(JSON.parse(line), rest);
  }
});

/** The page entries of the JSONL page list `name` of the WACZ `files` (header left out), or [] when there is none. */
function pageList(files: Map<string, Buffer>, name: string): Record<string, string>[] {
  const lines = files.get(name)?.toString('utf8').trim().split('\n') ?? [];
  return lines.slice(1).map((l) => JSON.parse(l) as Record<string, string>);
}

test('with more pages than --main-pages, pages.jsonl lists the most recently published and extraPages.jsonl the others, each page once', async () => {
  const out = join(work, 'main-pages.wacz');
  const r = await runCli(['export', archive, '--format', 'wacz', '--main-pages', '5', '--out', out, '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^(\d+) pages \(5 in pages\.jsonl\)/);
  assert.deepEqual((await checkWacz(out)).problems, []);
  const files = await unzip(out);
  const main = pageList(files, 'pages/pages.jsonl');
  const extra = pageList(files, 'pages/extraPages.jsonl');
  const all = pageList(await unzip(plain), 'pages/pages.jsonl');
  // Together the same entries as one list, in id order each.
  const byId = (a: Record<string, string>, b: Record<string, string>): number => Number(a['id']) - Number(b['id']);
  assert.deepEqual([...main, ...extra].sort(byId), all);
  for (const list of [main, extra]) assert.deepEqual([...list].sort(byId), list);
  // The main ones: the five latest publication dates (the higher id first among equal dates).
  const dates = new Map<string, string>();
  for (const f of readdirSync(join(archive, 'articles'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'))) {
    const parsed = parseArchiveFile(readFileSync(join(archive, 'articles', f), 'utf8'), f);
    dates.set(String(parsed.id), parsed.date ?? '');
  }
  const newest = all
    .map((p) => p['id']!)
    .sort((a, b) => (dates.get(b)! === dates.get(a)! ? Number(b) - Number(a) : dates.get(b)! < dates.get(a)! ? -1 : 1))
    .slice(0, 5);
  assert.deepEqual(main.map((p) => p['id']).sort(), newest.sort());
  const header = JSON.parse(files.get('pages/extraPages.jsonl')!.toString('utf8').split('\n')[0]!) as Record<
    string,
    unknown
  >;
  assert.equal(header['format'], 'json-pages-1.0');
  assert.equal(header['hasText'], true);
  const pkg = JSON.parse(files.get('datapackage.json')!.toString('utf8')) as { resources: { path: string }[] };
  assert.ok(pkg.resources.some((res) => res.path === 'pages/extraPages.jsonl'));
});

test('--main-pages all and a limit above the page count both list every page in pages.jsonl alone; 0 lists none there', async () => {
  for (const [flag, inMain] of [
    ['all', true],
    ['1000', true],
    ['0', false],
  ] as const) {
    const out = join(work, `main-pages-${flag}.wacz`);
    const r = await runCli(['export', archive, '--format', 'wacz', '--main-pages', flag, '--out', out, '-q']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((await checkWacz(out)).problems, [], flag);
    const files = await unzip(out);
    const all = pageList(await unzip(plain), 'pages/pages.jsonl');
    assert.deepEqual(pageList(files, 'pages/pages.jsonl'), inMain ? all : [], flag);
    assert.deepEqual(pageList(files, 'pages/extraPages.jsonl'), inMain ? [] : all, flag);
    assert.equal(files.has('pages/extraPages.jsonl'), !inMain, flag);
  }
  const bad = await runCli(['export', archive, '--format', 'wacz', '--main-pages', 'some', '-q']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--main-pages.*whole number/);
  const other = await runCli(['export', archive, '--format', 'jsonl', '--main-pages', '5', '-q']);
  assert.equal(other.status, 2, other.stderr);
  assert.match(other.stderr, /--main-pages is for --format wacz/);
});

test('a large index is a ZipNum index (gzip blocks and their list) holding the same lines; the check reads it', async () => {
  const out = join(work, 'zipnum.wacz');
  const report = await writeWacz(archive, out, { zipNumFrom: 0, zipNumBlockLines: 10 });
  assert.equal(report.index, 'zipnum');
  const check = await checkWacz(out);
  assert.deepEqual(check.problems, []);
  assert.equal(check.records, report.records);
  const files = await unzip(out);
  assert.equal(files.has('indexes/index.cdxj'), false);
  const blocks = files.get('indexes/index.idx')!.toString('utf8').trim().split('\n');
  assert.equal(blocks.length, 1 + Math.ceil(report.records / 10));
  const zipped = files.get('indexes/index.cdx.gz')!;
  // Every gzip member inflated in turn gives the plain index, line for line.
  assert.equal(gunzipSync(zipped).toString('utf8'), (await unzip(plain)).get('indexes/index.cdxj')!.toString('utf8'));

  const moved = await tampered(out, join(work, 'zipnum-bad.wacz'), (f) => {
    const idx = f.get('indexes/index.idx')!.toString('utf8').split('\n');
    idx[2] = idx[2]!.replace(/"offset":(\d+)/, (_, n: string) => `"offset":${Number(n) + 1}`);
    f.set('indexes/index.idx', Buffer.from(idx.join('\n')));
  });
  const { problems } = await checkWacz(moved);
  assert.ok(
    problems.some((p) => p.startsWith('indexes/index.idx block 2: ')),
    problems.join('\n'),
  );
});

test('the check finds a wrong hash in datapackage.json', async () => {
  const out = await tampered(
    plain,
    join(work, 'bad-hash.wacz'),
    (files) => {
      const pkg = JSON.parse(files.get('datapackage.json')!.toString('utf8')) as {
        resources: { path: string; hash: string }[];
      };
      pkg.resources[0]!.hash = `sha256:${'0'.repeat(64)}`;
      files.set('datapackage.json', Buffer.from(JSON.stringify(pkg)));
    },
    { keepHashes: true },
  );
  const { problems } = await checkWacz(out);
  assert.ok(
    problems.some((p) =>
      /^archive\/pages-salvage-00001\.warc\.gz: sha256 .* datapackage\.json says sha256:0{64}$/.test(p),
    ),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('datapackage-digest.json: hash')),
    'the digest no longer matches the edited manifest',
  );
});

test('the check finds an index out of order, and a line twice', async () => {
  const out = await tampered(plain, join(work, 'unsorted.wacz'), (files) => {
    const lines = files.get('indexes/index.cdxj')!.toString('utf8').split('\n');
    [lines[0], lines[1]] = [lines[1]!, lines[0]!];
    lines.splice(5, 0, lines[5]!);
    files.set('indexes/index.cdxj', Buffer.from(lines.join('\n')));
  });
  assert.deepEqual((await checkWacz(out)).problems, [
    'indexes/index.cdxj line 2: out of order',
    'indexes/index.cdxj line 7: the line before, again',
  ]);
});

test('the check finds an offset one byte off', async () => {
  const out = await tampered(plain, join(work, 'offset.wacz'), (files) => {
    const lines = files.get('indexes/index.cdxj')!.toString('utf8').split('\n');
    lines[3] = lines[3]!.replace(/"offset":"(\d+)"/, (_, n: string) => `"offset":"${Number(n) + 1}"`);
    files.set('indexes/index.cdxj', Buffer.from(lines.join('\n')));
  });
  const { problems } = await checkWacz(out);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /^indexes\/index\.cdxj line 4: archive\/\S+@\d+: /);
});

test('the check finds a WARC deflated in the ZIP, a file not in datapackage.json, a page not in the index, and a page in two lists', async () => {
  const out = await tampered(
    plain,
    join(work, 'deflated.wacz'),
    (files) => {
      files.set('extra.txt', Buffer.from('x'));
      const lines = files.get('pages/pages.jsonl')!.toString('utf8').split('\n');
      lines[1] = lines[1]!.replace(/"url":"https:\/\/www\.hkcnews\.com\//, '"url":"https://www.hkcnews.com/x');
      files.set('pages/pages.jsonl', Buffer.from(lines.join('\n')));
      // A second page list naming a page of the first again.
      files.set('pages/extraPages.jsonl', Buffer.from(`${lines[0]!}\n${lines[2]!}\n`));
    },
    { deflateWarcs: true },
  );
  const { problems } = await checkWacz(out);
  assert.ok(
    problems.includes('archive/pages-salvage-00001.warc.gz: compressed in the ZIP (must be STORED)'),
    problems.join('\n'),
  );
  assert.ok(problems.includes('extra.txt is in the ZIP but not in datapackage.json'), problems.join('\n'));
  assert.ok(
    problems.some((p) =>
      /^pages\/pages\.jsonl line 2: \d{14} https:\/\/www\.hkcnews\.com\/x.* is not in the index$/.test(p),
    ),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => /^pages\/extraPages\.jsonl line 2: page id \d+ is listed twice$/.test(p)),
    problems.join('\n'),
  );
});

test('a taken-down article is left out with its captures and its images; the rest still resolves', async () => {
  const dir = join(work, 'takedown');
  cpSync(archive, dir, { recursive: true });
  const id = 282; // demo/site: an article with two images
  const file = readdirSync(join(dir, 'articles'), { recursive: true })
    .map(String)
    .find((f) => f.endsWith(`article_${id}.md`))!;
  const original = /\noriginal_url: "([^"]+)"/.exec(readFileSync(join(dir, 'articles', file), 'utf8'))![1]!;
  writeFileSync(join(dir, 'takedowns.yaml'), `- id: ${id}\n  date: 2026-12-01\n  reason: test\n  by: test\n`);
  const out = join(work, 'takedown.wacz');
  await assert.rejects(writeWacz(dir, out), { code: 'CONFIG_INVALID' }); // not applied by salvage index yet
  assert.equal(existsSync(out), false);
  buildIndex(dir);
  const report = await writeWacz(dir, out);
  assert.deepEqual(report.takenDown, [id]);
  assert.deepEqual((await checkWacz(out)).problems, []);
  const files = await unzip(out);
  const gone = new Set<string>();
  const images = (readFileSync(join(dir, 'articles', file), 'utf8').match(/im_\/(https?:\/\/[^)"\s]+)/g) ?? []).map(
    (m) => m.slice(4),
  );
  assert.ok(images.length >= 1, 'the article shows images');
  for (const u of [original, ...images]) gone.add(getSurt(u.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))));
  let left = 0;
  for (const [name, bytes] of files) {
    if (!name.startsWith('archive/')) continue;
    for await (const r of new WARCParser(Readable.from([bytes]))) {
      await r.readFully();
      left++;
      assert.ok(!gone.has(getSurt(r.warcTargetURI ?? '')), `${r.warcTargetURI} is still in ${name}`);
    }
  }
  assert.equal(left, (await warcRecords(dir)).length - report.withheldRecords);
  assert.ok(report.withheldRecords >= 1 + images.length, `${report.withheldRecords} records withheld`);
  assert.ok(!files.get('pages/pages.jsonl')!.toString('utf8').includes(`"id":"${id}"`));
});

test('an article file without captured_at and with another spelling of its URL is listed as its capture is indexed', async () => {
  const dir = join(work, 'minimal');
  cpSync(archive, dir, { recursive: true });
  const file = readdirSync(join(dir, 'articles'), { recursive: true })
    .map(String)
    .find((f) => f.endsWith('article_282.md'))!;
  const text = readFileSync(join(dir, 'articles', file), 'utf8');
  const capturedAt = /\ncaptured_at: "([^"]+)"\n/.exec(text)![1]!;
  const original = /\noriginal_url: "([^"]+)"\n/.exec(text)![1]!;
  // Also spelled without `www.` and with lower-case escapes: the same URL to the Wayback (its SURT).
  const respelled = original.replace('://www.', '://').replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  assert.notEqual(respelled, original);
  writeFileSync(
    join(dir, 'articles', file),
    text
      .replace(/\ncaptured_at: "[^"]+"\n/, '\n')
      .replace(`original_url: "${original}"`, `original_url: "${respelled}"`),
  );
  const out = join(work, 'minimal.wacz');
  const report = await writeWacz(dir, out);
  assert.deepEqual(report.pagesLeftOut, []);
  const pages = (await unzip(out)).get('pages/pages.jsonl')!.toString('utf8');
  // Listed under the record's own spelling of the URL, which the index holds.
  assert.ok(pages.includes(`"id":"282","url":${JSON.stringify(original)},"ts":"${capturedAt}"`), capturedAt);
  assert.deepEqual((await checkWacz(out)).problems, []);
});

test('a WARC ending in a record cut by a kill is packed whole; the cut bytes are reported, not indexed', async () => {
  const dir = join(work, 'cut');
  cpSync(archive, dir, { recursive: true });
  const warc = join(dir, 'captures/salvage-00001.warc.gz');
  const bytes = readFileSync(warc);
  appendFileSync(warc, bytes.subarray(0, 200)); // the start of a gzip member, cut
  const out = join(work, 'cut.wacz');
  const report = await writeWacz(dir, out);
  assert.equal(report.damagedCount, 1);
  assert.equal(report.damaged[0]!.offset, bytes.length);
  assert.deepEqual((await checkWacz(out)).problems, []);
  assert.equal(sha256((await unzip(out)).get('archive/pages-salvage-00001.warc.gz')!), sha256(readFileSync(warc)));
});

test('an export stopped midway leaves no WACZ and no temporary file, and an earlier WACZ as it was', async () => {
  const dir = join(work, 'stopped');
  mkdirSync(dir);
  const out = join(dir, 'x.wacz');
  writeFileSync(out, 'earlier');
  const stop = new AbortController();
  await assert.rejects(
    writeWacz(archive, out, {
      signal: stop.signal,
      // While pages.jsonl streams into the ZIP: the WARCs are in, the manifest is not.
      onProgress: (p) => {
        if (p.phase === 'pages') stop.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.deepEqual(readdirSync(dir), ['x.wacz']);
  assert.equal(readFileSync(out, 'utf8'), 'earlier');
});

test('salvage export --format wacz writes DIR-name.wacz by default; bad input and a bad --out are one line each and leave no file', async () => {
  const cwd = join(work, 'cli');
  mkdirSync(cwd);
  const ok = await runCli(['export', archive, '--format', 'wacz', '-q'], cwd);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^\d+ pages \(\d+ in pages\.jsonl\), \d+ records in 2 WARC files → .*archive\.wacz/);
  assert.deepEqual((await checkWacz(join(cwd, 'archive.wacz'))).problems, []);

  const imported = join(work, 'imported');
  cpSync(join(archive, 'articles'), join(imported, 'articles'), { recursive: true });
  const cases: [string[], RegExp][] = [
    [['export', imported, '--format', 'wacz', '--out', join(cwd, 'i.wacz')], /\[INPUT_UNREADABLE\]$/],
    [['export', archive, '--format', 'wacz', '--out', join(work, 'no-such-folder', 'x.wacz')], /\[OUTPUT_FAILED\]$/],
    [['export', archive, '--format', 'wacz', '--out', join(cwd, 'x.zip')], /must end in \.wacz.*\[INPUT_INVALID\]$/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, ['--import', TSX, CLI, ...args], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
  }
  assert.deepEqual(readdirSync(cwd).sort(), ['archive.wacz']);
});
