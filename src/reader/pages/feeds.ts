/**
 * Atom feeds (RFC 4287) of the archive: the newest articles of the whole archive (`/feed.xml`)
 * and of each category, tag and author (`/category/<seg>/feed.xml`, …), so readers and tools can
 * follow an archive as a rescue adds to it. Taken-down articles are not in the index, so not here.
 *
 * Links are relative (resolved against the feed's own address): the reader does not know the
 * host or path prefix it is served under, and a static mirror may be anywhere. Ids are absolute,
 * as RFC 4287 §4.2.6 requires, and stable across builds: an entry's is a name-based UUID of the
 * article's original URL (one story, one id, in any archive of it), else of the site title and
 * its address; a feed's, of the site title, the outlet's host and the feed's address.
 */
import { createHash } from 'node:crypto';
import type { CatalogFacet, CatalogItem } from '../../search/index.js';
import { escapeHtml } from '../../markdown/index.js';
import { siteDateTime } from '../cite.js';
import { articleHref, facetHref, FACET_LABELS, SITE_FEED_PATH, type ReaderContext } from '../context.js';

export { SITE_FEED_PATH };

/** Entries per feed: a feed reader wants what is new, not the archive. */
export const FEED_ENTRIES = 50;
/** Lists with a feed: categories and tags (what readers follow); authors' lists are pages only. */
export const FEED_FACETS: readonly CatalogFacet[] = ['category', 'tag'];
export const FEED_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';
/** Characters of an article's text in its entry's summary. */
const SUMMARY_CHARS = 200;

/** Characters XML 1.0 does not allow (§2.2): C0 controls but tab and newlines, lone surrogates, U+FFFE/F. */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text or an attribute value as XML: escaped, and without the characters XML cannot carry. */
function xml(value: string): string {
  return escapeHtml(value.replace(NOT_XML, ''));
}

/** `urn:uuid:` of a name (RFC 4122 §4.3 layout, SHA-1 based, version 5 bits). */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The feed address of a category, tag or author; undefined for an unknown name. */
export function facetFeedHref(ctx: ReaderContext, facet: CatalogFacet, name: string): string | undefined {
  if (!FEED_FACETS.includes(facet)) return undefined;
  const base = facetHref(ctx, facet, name);
  return base === undefined ? undefined : `${base}feed.xml`;
}

/** The whole archive's feed: its newest articles. */
export function siteFeed(ctx: ReaderContext): string {
  return atom(ctx, SITE_FEED_PATH, ctx.siteTitle, '/', ctx.catalog.latest(FEED_ENTRIES));
}

/** One category's, tag's or author's feed; undefined when the archive has no such name. */
export function facetFeed(ctx: ReaderContext, facet: CatalogFacet, name: string): string | undefined {
  const self = facetFeedHref(ctx, facet, name);
  const alternate = facetHref(ctx, facet, name);
  if (self === undefined || alternate === undefined) return undefined;
  const items = ctx.catalog.byName(facet, name, 1, FEED_ENTRIES).page;
  if (items.length === 0) return undefined;
  return atom(ctx, self, `${FACET_LABELS[facet].one}：${name} · ${ctx.siteTitle}`, alternate, items);
}

/** The host of an outlet's URL without `www.`; '' without one. */
function outletHost(url: string | undefined): string {
  if (url === undefined) return '';
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** Relative reference from the feed at `from` to the site path `to` (both absolute paths). */
function relative(from: string, to: string): string {
  const up = from.split('/').length - 2; // segments of the feed's folder
  return `${'../'.repeat(up)}${to.slice(1)}` || './';
}

function atom(
  ctx: ReaderContext,
  self: string,
  title: string,
  alternate: string,
  items: readonly CatalogItem[],
): string {
  const entries = items.map((item) => {
    const a = ctx.catalog.article(item.id);
    const original = a?.originalUrl !== undefined && /^https?:\/\//i.test(a.originalUrl) ? a.originalUrl : undefined;
    const published = siteDateTime(item.date);
    const updated = siteDateTime(a?.lastUpdated) ?? published;
    const summary = (ctx.catalog.text(item.id) ?? '').replace(/\s+/g, ' ').trim();
    const cut = Array.from(summary);
    return {
      item,
      original,
      published,
      updated,
      summary: cut.length > SUMMARY_CHARS ? `${cut.slice(0, SUMMARY_CHARS).join('')}…` : summary,
    };
  });
  // The newest time any entry states; an archive of undated pages says 1970 rather than now, so
  // the feed is the same bytes on every build of the same archive.
  const newest =
    entries
      .map((e) => e.updated)
      .filter((t): t is string => t !== undefined)
      .sort((x, y) => Date.parse(y) - Date.parse(x))[0] ?? '1970-01-01T00:00:00Z';
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${nameUuid(`${ctx.siteTitle}\u0000${outletHost(entries[0]?.original)}\u0000${self}`)}</id>`,
    `<title>${xml(title)}</title>`,
    `<updated>${newest}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xml(relative(self, self))}"/>`,
    `<link rel="alternate" type="text/html" href="${xml(relative(self, alternate))}"/>`,
    `<author><name>${xml(ctx.siteTitle)}</name></author>`,
    '<generator>salvage</generator>',
  ];
  const usedIds = new Set<string>();
  for (const { item, original, published, updated, summary } of entries) {
    // Two ids of one original URL (captures of one page kept apart) keep an entry id each.
    let id = nameUuid(original ?? `${ctx.siteTitle}\u0000${articleHref(item.id)}`);
    if (usedIds.has(id)) id = nameUuid(`${ctx.siteTitle}\u0000${articleHref(item.id)}`);
    usedIds.add(id);
    lines.push(
      '<entry>',
      `<id>${id}</id>`,
      `<title>${xml(item.title)}</title>`,
      `<link rel="alternate" type="text/html" href="${xml(relative(self, articleHref(item.id)))}"/>`,
      `<updated>${updated ?? newest}</updated>`,
      ...(published !== undefined ? [`<published>${published}</published>`] : []),
      ...(item.author !== undefined ? [`<author><name>${xml(item.author)}</name></author>`] : []),
      ...(item.category !== undefined ? [`<category term="${xml(item.category)}"/>`] : []),
      ...(summary !== '' ? [`<summary>${xml(summary)}</summary>`] : []),
      '</entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
