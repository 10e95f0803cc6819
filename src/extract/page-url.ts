/**
 * The URL a saved page says it has (`<link rel="canonical">`, else `og:url`), for pages that come
 * without one: a browser's "Save page as" keeps both. Read from the head's bytes, before decoding:
 * URLs are ASCII (or percent-encoded) in every encoding a page may use.
 */
import { Buffer } from 'node:buffer';

/** Pages put these in `<head>`; real heads stay well under this. */
const HEAD_SCAN_BYTES = 256 * 1024;
const LINK_OR_META = /<(link|meta)\b[^>]*>/gi;
const ATTRIBUTE = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g;
const HTTP_URL = /^https?:\/\/[^\s/?#]+/i;

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, name = '', double, single, bare] of tag.matchAll(ATTRIBUTE))
    out.set(name.toLowerCase(), (double ?? single ?? bare ?? '').trim());
  return out;
}

/** The page's own absolute http(s) URL, or undefined. `&amp;` in attributes is decoded. */
export function declaredPageUrl(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, HEAD_SCAN_BYTES)).toString('latin1');
  let ogUrl: string | undefined;
  for (const [tag, kind = ''] of head.matchAll(LINK_OR_META)) {
    const attrs = attributes(tag);
    const isLink = kind.toLowerCase() === 'link';
    const raw = isLink
      ? /(?:^|\s)canonical(?:\s|$)/i.test(attrs.get('rel') ?? '')
        ? attrs.get('href')
        : undefined
      : attrs.get('property') === 'og:url'
        ? attrs.get('content')
        : undefined;
    const value = raw?.replace(/&amp;/g, '&');
    if (value === undefined || !HTTP_URL.test(value)) continue;
    if (isLink) return value;
    ogUrl ??= value;
  }
  return ogUrl;
}
