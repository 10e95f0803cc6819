/**
 * Caps on the metadata an extracted article carries into its frontmatter. A page can declare
 * anything: a 3,000,000-character `<title>` was written whole (1.4 GB RSS) and then could not be
 * indexed (issue 12). Each cap is far above what a real article has, so only hostile or broken
 * pages are cut; a cut value ends in "…" and the cut is noted (`--explain`). docs/extraction-limits.md.
 */
import type { Metadata } from './metadata.js';

/**
 * Figures below: the 49,118 files of the hkcnews archive (../shared/data/hkcnews, measured
 * 2026-12-06). Longest title there: 191 characters; 1,000 leaves room for any real one.
 */
export const MAX_TITLE_CHARS = 1_000;
/** A byline: a few names, or an agency and its reporters (longest in the archive: 23). */
export const MAX_AUTHOR_CHARS = 500;
/** A section name (longest in the archive: 10). */
export const MAX_CATEGORY_CHARS = 200;
/** Tags per article (most in the archive: 36); keyword-stuffed `<meta keywords>` can carry thousands. */
export const MAX_TAGS = 100;
/** One tag: a keyword or a name (longest in the archive: 64). */
export const MAX_TAG_CHARS = 200;
/**
 * The longest capture URL extracted: browsers and servers give up near 8 KB (RFC 9110 recommends
 * supporting at least 8,000 octets); longer ones are not article pages, and the URL is written
 * twice into the frontmatter (`url`, `original_url`) and can not be cut without breaking provenance.
 */
export const MAX_URL_CHARS = 8_192;

/** `text` cut to at most `max` UTF-16 units ending in "…", never between the halves of a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--;
  return text.slice(0, end).trimEnd() + '…';
}

/** Metadata with every value within the caps above; each cut is noted. */
export function capMetadata(meta: Metadata, notes: string[]): Metadata {
  const cut = (name: string, value: string, max: number): string => {
    if (value.length <= max) return value;
    notes.push(`${name}: cut to ${max} of ${value.length} characters (limit)`);
    return cutText(value, max);
  };
  const out: Metadata = { ...meta, title: cut('title', meta.title, MAX_TITLE_CHARS) };
  if (meta.author !== undefined) out.author = cut('author', meta.author, MAX_AUTHOR_CHARS);
  if (meta.category !== undefined) out.category = cut('category', meta.category, MAX_CATEGORY_CHARS);
  let tags = meta.tags;
  if (tags.length > MAX_TAGS) {
    notes.push(`tags: first ${MAX_TAGS} of ${tags.length} kept (limit)`);
    tags = tags.slice(0, MAX_TAGS);
  }
  if (tags.some((t) => t.length > MAX_TAG_CHARS)) {
    notes.push(`tags: cut to ${MAX_TAG_CHARS} characters each (limit)`);
    tags = tags.map((t) => cutText(t, MAX_TAG_CHARS));
  }
  out.tags = tags;
  return out;
}
