/**
 * Memento links and TimeMaps end to end (issue 18): an archive rescued by `salvage archive` from
 * the local Wayback simulator on the committed demo site (articles with several captures: a
 * truncated copy, a Cloudflare challenge, short-URL redirects), and the same files imported as an
 * existing archive, through `salvage index`, the reader and the static mirror. Each TimeMap and
 * `Link` header is read with the test's RFC 6690 parser, and the mementos expected are the
 * records the WARCs hold, read with warcio (not salvage's WARC reader, nor its crawl state).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { WARCParser } from 'warcio';
import { parseLinkFormat, type ParsedLink } from './helpers/link-format.js';
import { crawlSite } from './helpers/site-crawl.js';
import { rescueDemo } from './helpers/demo-rescue.js';
import { buildIndex } from '../src/search/index.js';
import { importArchive, parseArchiveFile } from '../src/markdown/index.js';
import { createReader, type Reader } from '../src/reader/index.js';
import { exportSite } from '../src/export/index.js';

const work = mkdtempSync(join(tmpdir(), 'salvage-memento-'));
const rescued = join(work, 'rescued');
const imported = join(work, 'imported');
after(() => rmSync(work, { recursive: true, force: true }));

/** Every archive file of a folder: id, and what its frontmatter says of its capture. */
function files(dir: string): { id: number; url: string; original: string; capturedAt: string }[] {
  const out = [];
  for (const bucket of readdirSync(join(dir, 'articles')))
    for (const name of readdirSync(join(dir, 'articles', bucket))) {
      const f = parseArchiveFile(readFileSync(join(dir, 'articles', bucket, name), 'utf8'));
      out.push({ id: Number(f.id), url: f.url!, original: f.originalUrl!, capturedAt: f.capturedAt! });
    }
  return out;
}

/** `2021-07-12T01:18:43Z` → `Mon, 12 Jul 2021 01:18:43 GMT`, written out by hand (no salvage helper). */
function rfc1123(iso: string): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const [, y, mo, d, time] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso)!;
  const weekday = days[new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay()]!;
  return `${weekday}, ${d} ${months[Number(mo) - 1]} ${y} ${time} GMT`;
}

/** The memento URL of each page record the WARCs hold, by article id (warcio reads them). */
async function heldByArticle(dir: string): Promise<Map<number, Set<string>>> {
  const held = new Map<number, Set<string>>();
  for (const name of readdirSync(join(dir, 'captures'))) {
    for await (const record of WARCParser.iterRecords(createReadStream(join(dir, 'captures', name)))) {
      if (record.warcType !== 'response') continue;
      const target = record.warcTargetURI ?? '';
      const id = /^https?:\/\/(?:www\.)?hkcnews\.com\/article\/(\d+)/.exec(target)?.[1];
      const ts = (record.warcDate ?? '').replace(/\D/g, '').slice(0, 14);
      if (id === undefined) continue;
      const set = held.get(Number(id)) ?? new Set<string>();
      set.add(`https://web.archive.org/web/${ts}/${target}`);
      held.set(Number(id), set);
    }
  }
  return held;
}

const get = (reader: Reader, path: string): Promise<Response> => reader.fetch(new Request(`http://localhost${path}`));
const withRel = (links: ParsedLink[], rel: string): ParsedLink[] => links.filter((l) => l.rel.includes(rel));

async function timeMap(reader: Reader, id: number): Promise<ParsedLink[]> {
  const r = await get(reader, `/article/${id}/timemap.txt`);
  assert.equal(r.status, 200, `TimeMap of ${id}`);
  assert.equal(r.headers.get('content-type'), 'application/link-format');
  return parseLinkFormat(await r.text());
}

let rescuedReader: Reader;
let importedReader: Reader;

before(async () => {
  assert.equal((await rescueDemo(rescued)).pages.stop, 'complete');
  assert.deepEqual(buildIndex(rescued).failed, []);
  await importArchive(join(rescued, 'articles'), imported);
  assert.deepEqual(buildIndex(imported).failed, []);
  rescuedReader = createReader({ dir: rescued });
  importedReader = createReader({ dir: imported });
});
after(() => {
  rescuedReader.close();
  importedReader.close();
});

test("a rescued archive's TimeMaps list every capture of the article its WARCs hold, rejected ones too", async () => {
  const held = await heldByArticle(rescued);
  let several = 0;
  for (const f of files(rescued)) {
    const links = await timeMap(rescuedReader, f.id);
    const mementos = withRel(links, 'memento');
    assert.deepEqual(
      new Set(mementos.map((l) => l.target)),
      new Set([...(held.get(f.id) ?? []), f.url]),
      `article ${f.id}`,
    );
    // Oldest first, the first and the last marked; the TimeMap spans them.
    const times = mementos.map((l) => Date.parse(l.params.datetime ?? ''));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      `article ${f.id} in time order`,
    );
    assert.ok(mementos[0]?.rel.includes('first') && mementos.at(-1)?.rel.includes('last'));
    const self = withRel(links, 'self')[0];
    assert.equal(self?.target, `/article/${f.id}/timemap.txt`);
    assert.equal(self.params.from, mementos[0]?.params.datetime);
    assert.equal(self.params.until, mementos.at(-1)?.params.datetime);
    assert.deepEqual(
      withRel(links, 'original').map((l) => l.target),
      [f.original],
    );
    if (mementos.length > 1) several++;
  }
  assert.ok(several >= 2, `${several} articles with several held captures`);
  // Article 7569: written from its 2021-07-12 capture; a later one (2021-09-16) was truncated and rejected.
  const links = withRel(await timeMap(rescuedReader, 7569), 'memento');
  assert.deepEqual(
    links.map((l) => [l.target.slice(0, 43), l.rel.join(' '), l.params.datetime]),
    [
      ['https://web.archive.org/web/20210712011843/', 'first memento', 'Mon, 12 Jul 2021 01:18:43 GMT'],
      ['https://web.archive.org/web/20210916215128/', 'last memento', 'Thu, 16 Sep 2021 21:51:28 GMT'],
    ],
  );
});

test('an imported archive (no crawl state) lists the one capture each file names', async () => {
  for (const f of files(imported)) {
    const mementos = withRel(await timeMap(importedReader, f.id), 'memento');
    assert.deepEqual(
      mementos.map((l) => [l.target, l.rel.join(' '), l.params.datetime]),
      [[f.url, 'first last memento', rfc1123(f.capturedAt)]],
      `article ${f.id}`,
    );
  }
});

test("every article page's Link header and <link> elements name its original, its memento with its time, and its TimeMap", async () => {
  for (const f of files(rescued)) {
    const r = await get(rescuedReader, `/article/${f.id}/`);
    assert.equal(r.status, 200);
    const header = parseLinkFormat(r.headers.get('link') ?? '');
    const expected = [
      ['original', f.original, undefined],
      ['memento', f.url, rfc1123(f.capturedAt)],
      ['timemap', `/article/${f.id}/timemap.txt`, undefined],
    ];
    assert.deepEqual(
      header.map((l) => [l.rel.join(' '), l.target, l.params.datetime]),
      expected,
      `Link header of ${f.id}`,
    );
    assert.equal(withRel(header, 'timemap')[0]?.params.type, 'application/link-format');
    const { document } = parseHTML(await r.text());
    const elements = [...document.querySelectorAll('link[rel="original"], link[rel="memento"], link[rel="timemap"]')];
    assert.deepEqual(
      elements.map((e) => {
        const href = e.getAttribute('href') ?? '';
        // The head writes IRIs (cite.ts attributeUrl): the same URL once a browser encodes it.
        return [
          e.getAttribute('rel'),
          href.startsWith('/') ? href : new URL(href).href,
          e.getAttribute('datetime') ?? undefined,
        ];
      }),
      expected,
      `<link> elements of ${f.id}`,
    );
  }
});

test("the rescued archive's static mirror writes the server's TimeMaps, and every link of it reaches a file", async () => {
  const site = join(work, 'site');
  await exportSite(rescued, { out: site });
  for (const f of files(rescued)) {
    const served = await (await get(rescuedReader, `/article/${f.id}/timemap.txt`)).text();
    assert.equal(readFileSync(join(site, 'article', String(f.id), 'timemap.txt'), 'utf8'), served, `article ${f.id}`);
  }
  assert.deepEqual(crawlSite(site, '/').problems, []);
});
