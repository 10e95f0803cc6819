/**
 * Metadata signals a page offers, read in one pass: JSON-LD, `<meta>` (OpenGraph, `article:*`,
 * Dublin Core, name=…), microdata (`itemprop`), and `<title>`. Fields are chosen from these by
 * `metadata.ts`; keeping the reading apart lets `--explain` show every candidate.
 */
import { isTag, isText, textOf, type AnyNode, type Document, type Element } from './dom.js';

export interface PageSignals {
  /** JSON-LD objects of article types (`NewsArticle`, `Article`, `BlogPosting`, …), in page order. */
  jsonLdArticles: Record<string, unknown>[];
  /** `<meta property|name|itemprop>` values by lower-cased key, in page order. */
  meta: Map<string, string[]>;
  /** Microdata `itemprop` values (content attribute, else datetime, else text) by name. */
  itemprops: Map<string, string[]>;
  /** `<title>` text, as written (entities decoded). */
  titleElement: string | undefined;
  /** `<link rel="canonical">` href. */
  canonical: string | undefined;
  /** Elements metadata looks at, in document order, gathered in the same pass. */
  h1: Element[];
  times: Element[];
  links: Element[];
}

const ARTICLE_TYPES = /^(?:News|Reportage|Analysis|Opinion|Review|Report|Scholarly|Tech|Satirical|Background)?Article$|^(?:BlogPosting|LiveBlogPosting|SocialMediaPosting|WebPage|Report)$/;

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function typesOf(obj: Record<string, unknown>): string[] {
  const t = obj['@type'];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : [];
}

/** Flatten JSON-LD (`@graph`, arrays, nested `mainEntity`) into objects. */
function collectJsonLd(value: unknown, out: Record<string, unknown>[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) { for (const v of value) collectJsonLd(v, out, depth + 1); return; }
  const obj = value as Record<string, unknown>;
  if (typesOf(obj).length > 0) out.push(obj);
  if (obj['@graph']) collectJsonLd(obj['@graph'], out, depth + 1);
  if (obj['mainEntity']) collectJsonLd(obj['mainEntity'], out, depth + 1);
}

/** Parse a JSON-LD script body; pages often ship trailing commas or HTML comments around it. */
function parseJsonLd(text: string): unknown {
  const cleaned = text.trim().replace(/^<!--|-->$/g, '').replace(/^\s*\/\/.*$/gm, '');
  try {
    return JSON.parse(cleaned);
  } catch {
    try {
      return JSON.parse(cleaned.replace(/,\s*([}\]])/g, '$1'));
    } catch {
      return undefined;
    }
  }
}

export function readSignals(doc: Document): PageSignals {
  const signals: PageSignals = { jsonLdArticles: [], meta: new Map(), itemprops: new Map(), titleElement: undefined, canonical: undefined, h1: [], times: [], links: [] };
  const allLd: Record<string, unknown>[] = [];
  const stack: AnyNode[] = [...doc.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!; // non-empty: checked by the loop condition
    if (!isTag(node)) continue;
    const el: Element = node;
    const a = el.attribs;
    switch (el.name) {
      case 'meta': {
        const key = a['property'] ?? a['name'] ?? a['itemprop'];
        const content = a['content'];
        if (key && content !== undefined) pushTo(signals.meta, key.toLowerCase(), content);
        break;
      }
      case 'title':
        if (signals.titleElement === undefined && !hasSvgAncestor(el)) signals.titleElement = textOf(el);
        break;
      case 'link':
        if (signals.canonical === undefined && (a['rel'] ?? '').toLowerCase().split(/\s+/).includes('canonical') && a['href']) signals.canonical = a['href'];
        break;
      case 'script':
        if ((a['type'] ?? '').toLowerCase().includes('ld+json')) collectJsonLd(parseJsonLd(el.children.map((c) => (isText(c) ? c.data : '')).join('')), allLd);
        continue; // never descend into scripts
      case 'style':
      case 'template':
        continue;
      case 'h1': signals.h1.push(el); break;
      case 'time': signals.times.push(el); break;
      case 'a': if (a['href'] !== undefined) signals.links.push(el); break;
    }
    const prop = a['itemprop'];
    if (prop && el.name !== 'meta') {
      const value = a['content'] ?? a['datetime'] ?? (el.name === 'a' || el.name === 'link' ? undefined : textOf(el));
      if (value !== undefined) for (const p of prop.toLowerCase().split(/\s+/)) pushTo(signals.itemprops, p, value);
    }
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  signals.jsonLdArticles = allLd.filter((o) => typesOf(o).some((t) => ARTICLE_TYPES.test(t)));
  // Prefer real article types over WebPage.
  signals.jsonLdArticles.sort((x, y) => Number(typesOf(x).includes('WebPage')) - Number(typesOf(y).includes('WebPage')));
  return signals;
}

function hasSvgAncestor(el: Element): boolean {
  for (let p = el.parent; p; p = p.parent) if (isTag(p) && p.name === 'svg') return true;
  return false;
}

/** First string value of a JSON-LD property (following `name` of objects, first of arrays). */
export function ldString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) { for (const v of value) { const s = ldString(v); if (s !== undefined) return s; } return undefined; }
  if (value && typeof value === 'object') return ldString((value as Record<string, unknown>)['name']);
  return undefined;
}

/** All string values of a JSON-LD property (arrays flattened, comma lists kept whole). */
export function ldStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(ldStrings);
  if (value && typeof value === 'object') { const s = ldString(value); return s === undefined ? [] : [s]; }
  return [];
}
