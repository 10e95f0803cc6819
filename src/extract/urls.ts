/** URL handling shared by extraction: resolving, Cloudflare e-mail decoding, lazy images. */
import type { Element } from './dom.js';

/** Resolve `href` against `base`; undefined for unparsable or unsafe (`javascript:`, `data:`) URLs. */
export function resolveUrl(href: string | undefined, base: string): string | undefined {
  if (href === undefined) return undefined;
  // Browsers strip leading/trailing ASCII white space (and pages put NBSP there too).
  const trimmed = href.replace(/^[\s\u00a0\u3000]+|[\s\u00a0\u3000]+$/g, '');
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  // `<https://x>` hrefs (copied from plain-text e-mails) mean the URL inside.
  const unwrapped = /^<(.*)>$/.exec(trimmed)?.[1] ?? trimmed;
  let url: URL;
  try {
    url = new URL(unwrapped, base);
  } catch {
    return undefined;
  }
  if (UNSAFE_SCHEMES.has(url.protocol)) return undefined;
  return url.href;
}

/** Schemes that are never followed from an archive: they run code or inline payloads. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'blob:', 'file:']);

/**
 * Cloudflare e-mail obfuscation: `data-cfemail` (and `/cdn-cgi/l/email-protection#HEX`) hold the
 * address XOR-ed with the first byte. Returns undefined for malformed hex.
 */
export function decodeCloudflareEmail(hex: string): string | undefined {
  if (!/^(?:[0-9a-f]{2}){2,}$/i.test(hex)) return undefined;
  const key = parseInt(hex.slice(0, 2), 16);
  const bytes: number[] = [];
  for (let i = 2; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16) ^ key);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
  return /^[^\s@]+@[^\s@]+$/.test(text) ? text : undefined;
}

const CF_EMAIL_PATH = /\/cdn-cgi\/l\/email-protection#([0-9a-f]+)$/i;
/** A `mailto:` for a Cloudflare e-mail-protection link, if `href` is one with its hex. */
export function cloudflareMailto(href: string): string | undefined {
  const hex = CF_EMAIL_PATH.exec(href)?.[1];
  const email = hex ? decodeCloudflareEmail(hex) : undefined;
  return email ? 'mailto:' + email : undefined;
}

/** Attributes that lazy-loading scripts use for the real image, most specific first. */
const LAZY_SRC_ATTRIBUTES = ['data-src', 'data-original', 'data-lazy-src', 'data-url', 'data-hi-res-src'] as const;
const SRCSET_ATTRIBUTES = ['data-srcset', 'srcset'] as const;
/** Placeholders that lazy loaders put in `src` (inline GIFs, blank pixels). */
const PLACEHOLDER_SRC = /^data:|(?:^|\/)(?:blank|spacer|pixel|placeholder|lazy)[\w-]*\.(?:gif|png|svg)(?:[?#]|$)/i;

/** One `srcset` candidate: `url 640w`, `url 2x` or a bare `url` (1x). */
const SRCSET_CANDIDATE = /^(\S+)(?:\s+(\d+(?:\.\d+)?)([wx]))?$/i;

/**
 * The largest candidate of a `srcset` (HTML: comma-separated `url [Nw|Nx]`): a page offers its
 * thumbnails and its full-size image in one list, and the archive keeps the full size.
 * Undefined when no candidate carries a descriptor (nothing tells sizes apart).
 */
export function largestSrcsetCandidate(srcset: string): string | undefined {
  let best: string | undefined;
  let bestSize = -1;
  let described = false;
  // A bounded read: a srcset lists a handful of sizes.
  for (const part of srcset.split(/,\s+/, 32)) {
    const m = SRCSET_CANDIDATE.exec(part.trim());
    if (!m?.[1] || PLACEHOLDER_SRC.test(m[1])) continue;
    const size = m[2] === undefined ? 1 : Number(m[2]) * (m[3]?.toLowerCase() === 'x' ? 1000 : 1);
    if (m[2] !== undefined) described = true;
    if (size > bestSize) {
      best = m[1];
      bestSize = size;
    }
  }
  return described ? best : undefined;
}

/**
 * The real image URL of an `<img>` (or `<amp-img>`), resolving lazy-loading; undefined when it has
 * none. The largest `srcset` candidate first, then the lazy loaders' attributes, then `src`.
 */
export function imageSource(img: Element, base: string): string | undefined {
  for (const name of SRCSET_ATTRIBUTES) {
    const value = img.attribs[name];
    const largest = value === undefined ? undefined : largestSrcsetCandidate(value);
    if (largest !== undefined) return resolveUrl(largest, base);
  }
  for (const name of LAZY_SRC_ATTRIBUTES) {
    const value = img.attribs[name];
    if (value && !PLACEHOLDER_SRC.test(value.trim())) return resolveUrl(value, base);
  }
  const src = img.attribs['src'];
  if (src && src.trim() !== '' && !PLACEHOLDER_SRC.test(src.trim())) return resolveUrl(src, base);
  for (const name of SRCSET_ATTRIBUTES) {
    const first = img.attribs[name]?.trim().split(/\s+/)[0];
    if (first && !PLACEHOLDER_SRC.test(first)) return resolveUrl(first, base);
  }
  return undefined;
}

/** A URL whose path names an image file: a thumbnail's link to its full-size picture. */
const IMAGE_FILE = /\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)$/i;
export function isImageUrl(url: string): boolean {
  try {
    return IMAGE_FILE.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** Protocol-relative embed URLs (`//www.youtube.com/…`) are https. */
export function embedSource(src: string | undefined, base: string): string | undefined {
  if (!src) return undefined;
  const trimmed = src.trim();
  return resolveUrl(trimmed.startsWith('//') ? 'https:' + trimmed : trimmed, base);
}
