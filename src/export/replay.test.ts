import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { createFixtureArchive, FFFD_URL, FIXTURE_ARTICLES } from '../../test/helpers/reader-fixture.js';
import { writeWacz } from './wacz.js';
import { serializeResponseRecord } from '../store/index.js';
import { buildIndex } from '../search/index.js';
import { TAKEDOWNS_FILE } from '../markdown/index.js';
import { contentSecurityPolicy } from '../reader/index.js';
import { isSalvageError } from '../errors.js';
import { exportSite } from './site.js';
import { captureReplayHref, REPLAY_FILE_COUNT, REPLAY_FILES, replayContentSecurityPolicy } from './replay.js';
import { cdxLineUrl } from './wacz-captures.js';
import { fragmentUrl, lookupHref } from './client/replay-page.js';

/** Articles whose capture the test WACZ holds: a plain URL and one whose slug is U+FFFD escapes. */
const CAPTURED = [
  { id: 101, url: 'https://www.hkcnews.com/article/101/x' },
  { id: 107, url: FFFD_URL },
];
/**
 * Captured gzipped: 105 with `Content-Encoding: gzip` (a replay decodes it), 103 without (as the
 * Wayback serves some captures: a replay would show its bytes as text).
 */
const GZIPPED = [
  { id: 105, url: 'https://www.hkcnews.com/article/105/x', declared: true },
  { id: 103, url: 'https://www.hkcnews.com/article/103/x', declared: false },
];
/** The fixture's default capture time (test/helpers/reader-fixture.ts). */
const TIMESTAMP = '20210628174710';

const work = mkdtempSync(join(tmpdir(), 'salvage-replay-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** A fixture archive with a WARC of the CAPTURED pages, and its WACZ (`writeWacz`). */
async function archiveWithWacz(name: string): Promise<{ dir: string; wacz: string; cleanup: () => void }> {
  const fixture = createFixtureArchive();
  mkdirSync(join(fixture.dir, 'captures'));
  const page = (id: number): Buffer => Buffer.from(`<!doctype html><title>${id}</title><h1>article ${id}</h1>`);
  const records = await Promise.all([
    ...CAPTURED.map(({ id, url }) =>
      serializeResponseRecord({
        url,
        timestamp: TIMESTAMP,
        httpHeaders: { 'Content-Type': 'text/html; charset=utf-8' },
        payload: page(id),
      }),
    ),
    ...GZIPPED.map(({ id, url, declared }) =>
      serializeResponseRecord({
        url,
        timestamp: TIMESTAMP,
        httpHeaders: {
          'Content-Type': 'text/html; charset=utf-8',
          ...(declared ? { 'Content-Encoding': 'gzip' } : {}),
        },
        payload: gzipSync(page(id)),
      }),
    ),
  ]);
  writeFileSync(join(fixture.dir, 'captures', 'test-00001.warc.gz'), Buffer.concat(records));
  const wacz = join(work, `${name}.wacz`);
  await writeWacz(fixture.dir, wacz);
  return { ...fixture, wacz };
}

const archive = await archiveWithWacz('fixture');
process.on('exit', () => archive.cleanup());
const site = join(work, 'site');
const report = await exportSite(archive.dir, { out: site, wacz: archive.wacz });
const plainSite = join(work, 'plain');
const plainReport = await exportSite(archive.dir, { out: plainSite });

const read = (root: string, rel: string): string => readFileSync(join(root, rel), 'utf8');
const cspOf = (html: string): string | undefined =>
  /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replaceAll('&#39;', "'");
/** The href of an article page's "page as captured" link, entities decoded; undefined without one. */
const capturedHref = (html: string): string | undefined =>
  /<a href="([^"]*)" class="captured-page">/.exec(html)?.[1]?.replaceAll('&amp;', '&');

test('a replay address names the original URL and capture time as ReplayWeb.page reads them back', () => {
  for (const url of [CAPTURED[0]!.url, FFFD_URL, 'https://www.hkcnews.com/article/1/a+b&c=d#e']) {
    const href = captureReplayHref({ url, timestamp: TIMESTAMP });
    assert.ok(href.startsWith('/replay/#'));
    // ReplayWeb.page's deep link reads the fragment with URLSearchParams (embed.ts updateFromHash).
    const params = new URLSearchParams(href.slice(href.indexOf('#') + 1));
    assert.equal(params.get('url'), url);
    assert.equal(params.get('ts'), TIMESTAMP);
    assert.equal(fragmentUrl(href.slice(href.indexOf('#'))), url);
  }
});

test('the replay page links back through the lookup page, and not without a URL', () => {
  assert.equal(lookupHref(FFFD_URL), `../lookup/?url=${encodeURIComponent(FFFD_URL)}`);
  assert.equal(lookupHref(''), undefined);
  assert.equal(lookupHref(null), undefined);
});

test('index lines give their URL: CDXJ, classic CDX, and nothing for a line without one', () => {
  assert.equal(
    cdxLineUrl('com,hkcnews)/article/1/x 20210628174710 {"url":"https://www.hkcnews.com/article/1/x","status":"200"}'),
    'https://www.hkcnews.com/article/1/x',
  );
  assert.equal(
    cdxLineUrl(
      'com,hkcnews)/article/1/x 20210628174710 https://www.hkcnews.com/article/1/x text/html 200 AAAA - - 10 0 a.warc.gz',
    ),
    'https://www.hkcnews.com/article/1/x',
  );
  assert.equal(cdxLineUrl('com,hkcnews)/ 20210628174710 {"status":"200"}'), undefined);
  assert.equal(cdxLineUrl('com,hkcnews)/ 20210628174710 {broken'), undefined);
  assert.equal(cdxLineUrl('one-field'), undefined);
});

test('--wacz adds the WACZ, ReplayWeb.page and the replay page, and reports them', () => {
  for (const rel of Object.values(REPLAY_FILES)) assert.ok(statSync(join(site, rel)).isFile(), rel);
  assert.deepEqual(readFileSync(join(site, REPLAY_FILES.wacz)), readFileSync(archive.wacz));
  assert.match(read(site, REPLAY_FILES.ui), /replay-web-page/);
  assert.match(read(site, REPLAY_FILES.license), /GNU AFFERO GENERAL PUBLIC LICENSE/);
  const r = report.replay;
  assert.ok(r !== undefined);
  assert.equal(r.captures, CAPTURED.length + GZIPPED.length);
  assert.equal(r.linked, CAPTURED.length + 1);
  assert.equal(r.shownAsBytes, 1);
  assert.equal(r.notInWacz, FIXTURE_ARTICLES.length - CAPTURED.length - GZIPPED.length);
  assert.equal(r.waczBytes, statSync(archive.wacz).size);
  assert.match(r.waczSha256, /^[0-9a-f]{64}$/);
  assert.equal(report.files, plainReport.files + REPLAY_FILE_COUNT);
  assert.equal(plainReport.replay, undefined);
});

test('an article whose capture the WACZ holds links the page as captured, relative to itself', () => {
  for (const { id, url } of CAPTURED) {
    const href = capturedHref(read(site, `article/${id}/index.html`));
    assert.ok(href !== undefined, `article ${id} links its capture`);
    assert.ok(href.startsWith('../../replay/#'), href);
    const params = new URLSearchParams(href.slice(href.indexOf('#') + 1));
    assert.deepEqual([params.get('url'), params.get('ts')], [url, TIMESTAMP]);
  }
});

test('a page the Wayback served gzipped without saying so gets no link (a replay would show its bytes); declared gzip does', () => {
  assert.equal(capturedHref(read(site, 'article/103/index.html')), undefined);
  assert.ok(capturedHref(read(site, 'article/105/index.html'))?.startsWith('../../replay/#'));
});

test('no link where the WACZ lacks the capture, nor in an export without a WACZ', () => {
  assert.equal(capturedHref(read(site, 'article/104/index.html')), undefined);
  for (const { id } of CAPTURED) assert.equal(capturedHref(read(plainSite, `article/${id}/index.html`)), undefined);
  assert.throws(() => statSync(join(plainSite, 'replay')), { code: 'ENOENT' });
});

test("the replay page has its own policy, allowing only the site's scripts, worker and frames; article pages keep theirs", () => {
  const page = read(site, REPLAY_FILES.page);
  const policy = cspOf(page);
  assert.equal(policy, replayContentSecurityPolicy());
  const directives = new Map(
    policy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  for (const name of ['script-src', 'worker-src', 'frame-src', 'style-src', 'img-src', 'connect-src'])
    assert.deepEqual(directives.get(name), ["'self'"], name);
  assert.doesNotMatch(policy, /unsafe|https?:|\*|data:|blob:/);
  // No inline script: every <script> has a src, and all of them are the site's own files.
  assert.deepEqual(
    [...page.matchAll(/<script([^>]*)>/g)].map((m) => /src="([^"]*)"/.exec(m[1]!)?.[1]),
    ['sw/ui.js', 'replay.js'],
  );
  for (const [, attr, value] of page.matchAll(/\s(href|src)="([^"]*)"/g))
    assert.ok(!value!.startsWith('/') || attr === 'href', `${attr}=${value} is relative`);
  assert.match(page, /<replay-web-page source="archive\.wacz\?v=[0-9a-f]{16}" replaybase="\.\/sw\/" deeplink/);
  assert.ok(page.includes(`v=${report.replay!.waczSha256.slice(0, 16)}`));
  // The article pages' policy is the reader's, the same as without a WACZ.
  const article = cspOf(read(site, 'article/101/index.html'));
  assert.equal(article, contentSecurityPolicy(false, { forMeta: true }));
  assert.equal(article, cspOf(read(plainSite, 'article/101/index.html')));
});

test('a compact export counts the replay files within its file budget', async () => {
  // The files a compact export without the replay needs when all fit, and two more: the
  // replay's seven files must push other files out to stay within the budget.
  const fits = await exportSite(archive.dir, { out: join(work, 'compact-fits'), compact: { maxFiles: 100_000 } });
  assert.equal(fits.compact?.pagesInData, 0);
  const maxFiles = fits.files + 2;
  const compact = await exportSite(archive.dir, {
    out: join(work, 'compact'),
    wacz: archive.wacz,
    compact: { maxFiles },
  });
  assert.ok(compact.files <= maxFiles, `${compact.files} files within ${maxFiles}`);
  // What gives way first is the article TimeMaps (all or none), then pages go into page data.
  const c = compact.compact;
  assert.ok((c?.timeMapsLeftOut ?? 0) > 0 || (c?.pagesInData ?? 0) > 0, 'TimeMaps or pages made room');
  assert.ok(statSync(join(work, 'compact', REPLAY_FILES.wacz)).isFile());
});

test('a second export with the same WACZ keeps its file (same inode), so a sync sees no change', async () => {
  const again = join(work, 'again');
  await exportSite(archive.dir, { out: again, wacz: archive.wacz });
  const first = statSync(join(again, REPLAY_FILES.wacz)).ino;
  const second = await exportSite(archive.dir, { out: again, wacz: archive.wacz });
  assert.equal(statSync(join(again, REPLAY_FILES.wacz)).ino, first);
  assert.ok(second.incremental.kept > 0);
});

test('a WACZ holding a capture of a taken-down article is refused, before anything is written', async () => {
  const down = await archiveWithWacz('takedown');
  try {
    writeFileSync(
      join(down.dir, TAKEDOWNS_FILE),
      '- id: 107\n  date: 2026-12-01\n  reason: 應當事人要求移除\n  by: 存檔編輯部\n',
    );
    buildIndex(down.dir);
    const out = join(work, 'takedown-site');
    await assert.rejects(exportSite(down.dir, { out, wacz: down.wacz }), (e: unknown) => {
      assert.ok(isSalvageError(e) && e.code === 'INPUT_INVALID');
      assert.match(e.message, /#107 /);
      return true;
    });
    assert.throws(() => statSync(out), { code: 'ENOENT' });
  } finally {
    down.cleanup();
  }
});

test('a file that is not a WACZ, or no file, is a one-line error', async () => {
  const notZip = join(work, 'not.wacz');
  writeFileSync(notZip, 'hello');
  const codeOf = async (wacz: string): Promise<string | undefined> => {
    try {
      await exportSite(archive.dir, { out: join(work, 'never'), wacz });
      return undefined;
    } catch (e) {
      return isSalvageError(e) ? e.code : `not a SalvageError: ${String(e)}`;
    }
  };
  assert.equal(await codeOf(notZip), 'INPUT_INVALID');
  assert.equal(await codeOf(join(work, 'missing.wacz')), 'INPUT_UNREADABLE');
  // A ZIP that is not a WACZ (one stored file, no datapackage.json, index or WARC).
  const plainZip = join(work, 'plain.zip');
  writeFileSync(plainZip, storedZip('hello.txt', Buffer.from('hello')));
  assert.equal(await codeOf(plainZip), 'INPUT_INVALID');
});

/** A ZIP of one stored (uncompressed) file, written from the format (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16). */
function storedZip(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // local header offset 0 (bytes 42–45 stay zero)
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
