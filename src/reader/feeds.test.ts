import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { createFixtureArchive, FIXTURE_ARTICLES, PAGED_TAG } from '../../test/helpers/reader-fixture.js';
import { createReader, type PlainResponse } from './index.js';

const text = (r: PlainResponse): string => Buffer.from(r.body ?? new Uint8Array()).toString('utf8');
const header = (r: PlainResponse, name: string): string | undefined =>
  r.headers.find(([k]) => k.toLowerCase() === name)?.[1];

/** The feed as an XML tree (htmlparser2 in XML mode: element names and text as written). */
function parseFeed(xml: string): {
  feed: Element;
  entries: Element[];
  child: (el: Element, name: string) => Element[];
} {
  const doc = parseDocument(xml, { xmlMode: true });
  const feed = DomUtils.findOne((e) => e.name === 'feed', doc.children)!;
  const child = (el: Element, name: string): Element[] =>
    el.children.filter((c): c is Element => c.type === 'tag' && c.name === name);
  return { feed, entries: child(feed, 'entry'), child };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('the archive feed is Atom: newest dated articles first, absolute ids, RFC 3339 times, links that resolve from its address', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir, pageStore: false });
    const r = await reader.respond('GET', '/feed.xml');
    assert.equal(r.status, 200);
    assert.equal(header(r, 'content-type'), 'application/atom+xml; charset=utf-8');
    const { feed, entries, child } = parseFeed(text(r));
    assert.equal(feed.attribs['xmlns'], 'http://www.w3.org/2005/Atom');
    for (const name of ['id', 'title', 'updated', 'author'])
      assert.equal(child(feed, name).length, 1, `feed has one ${name}`);
    assert.match(DomUtils.textContent(child(feed, 'id')[0]!), UUID_URN);
    assert.ok(entries.length > 0 && entries.length <= 50);
    const base = 'http://mirror.example/some/prefix/feed.xml';
    const self = child(feed, 'link').find((l) => l.attribs['rel'] === 'self')!;
    assert.equal(new URL(self.attribs['href']!, base).href, base);
    const ids = new Set<string>();
    let previous = Infinity;
    for (const e of entries) {
      const id = DomUtils.textContent(child(e, 'id')[0]!);
      assert.match(id, UUID_URN);
      ids.add(id);
      const updated = DomUtils.textContent(child(e, 'updated')[0]!);
      assert.match(updated, RFC3339);
      const published = DomUtils.textContent(child(e, 'published')[0]!);
      assert.ok(Date.parse(published) <= previous, 'newest first');
      previous = Date.parse(published);
      const href = child(e, 'link')[0]!.attribs['href']!;
      assert.match(new URL(href, base).pathname, /^\/some\/prefix\/article\/\d+\/$/);
    }
    assert.equal(ids.size, entries.length, 'one id per entry');
    // The newest dated article of the fixture leads, with its Hong Kong time.
    const newest = [...FIXTURE_ARTICLES]
      .filter((a) => a.date !== undefined)
      .sort((a, b) => (b.date! < a.date! ? -1 : 1))[0]!;
    assert.equal(DomUtils.textContent(child(entries[0]!, 'title')[0]!), newest.title);
    assert.equal(DomUtils.textContent(child(entries[0]!, 'published')[0]!), `${newest.date}T00:00:00+08:00`);
    // A title with markup and quotes is text in the feed, not markup.
    assert.doesNotMatch(text(r), /<b>bold<\/b>/);
    reader.close();
  } finally {
    fixture.cleanup();
  }
});

test('a tag has its feed, announced by its page; a name the archive lacks has none', async () => {
  const fixture = createFixtureArchive();
  try {
    const reader = createReader({ dir: fixture.dir, pageStore: false });
    const seg = encodeURIComponent(PAGED_TAG);
    const tagPage = text(await reader.respond('GET', `/tag/${seg}/`));
    assert.match(
      tagPage,
      new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]*" href="/tag/${seg}/feed.xml">`),
    );
    const r = await reader.respond('GET', `/tag/${seg}/feed.xml`);
    assert.equal(r.status, 200);
    const { feed, entries, child } = parseFeed(text(r));
    assert.equal(entries.length, 50, 'the newest 50 of the 55');
    const alternate = child(feed, 'link').find((l) => l.attribs['rel'] === 'alternate')!;
    assert.equal(new URL(alternate.attribs['href']!, `http://x.example/tag/${seg}/feed.xml`).pathname, `/tag/${seg}/`);
    assert.equal((await reader.respond('GET', '/tag/%E6%B2%92%E6%9C%89/feed.xml')).status, 404);
    // Authors' lists have pages, not feeds.
    assert.notEqual((await reader.respond('GET', `/author/${encodeURIComponent('連載作者')}/feed.xml`)).status, 200);
    const paths = [...reader.pagePaths()];
    assert.ok(paths.includes('/feed.xml'));
    assert.ok(paths.includes(`/tag/${seg}/feed.xml`));
    reader.close();
  } finally {
    fixture.cleanup();
  }
});

test('characters XML cannot carry are left out of a feed', async () => {
  const fixture = createFixtureArchive([
    { id: 1, title: 'A\u0001B\u0008C\uFFFE', date: '2020-01-01', body: 'x\u0007y \ud800 z' },
  ]);
  try {
    const reader = createReader({ dir: fixture.dir, pageStore: false });
    const xml = text(await reader.respond('GET', '/feed.xml'));
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/);
    assert.match(xml, /<title>ABC<\/title>/);
    reader.close();
  } finally {
    fixture.cleanup();
  }
});
