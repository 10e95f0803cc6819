/**
 * One capture → an Article, or the reason it is not one. Pure: bytes and context in, result
 * out; no I/O, no clock. Order: byte checks → decode → parse → signals → body → page checks →
 * metadata → blocks → site chrome.
 */
import { createHash } from 'node:crypto';
import type { Article, Block } from './article.js';
import { BlockBuilder } from './blocks.js';
import { decodePayload, undoContentCoding } from './decode.js';
import { dropLeadingChrome, dropTrailingChrome, findContent, isTitleLike } from './content.js';
import {
  compileSelector,
  elementTest,
  ignorePredicate,
  isTag,
  parseHtml,
  type AnyNode,
  type ElementTest,
  selectFirst,
  hasAncestor,
  visibleText,
  type Document,
  type Element,
} from './dom.js';
import { capMetadata, MAX_URL_CHARS } from './limits.js';
import { articleRoot, resolveMetadata } from './metadata.js';
import { SignalCollector } from './signals.js';
import { layoutFingerprint } from './layout.js';
import type { FieldEvidence } from './metadata-scope.js';
import type { SiteProfile } from './site-profile.js';
import { rejectBytes, rejectPage, type RejectReason } from './validate.js';

export interface CaptureInput {
  /** The capture's raw payload bytes (an `id_` response body). */
  payload: Uint8Array;
  /** Original URL as the CDX index spells it. */
  url: string;
  /** 14-digit Wayback timestamp. */
  timestamp: string;
  /** Archived HTTP status, when known (WARC response records carry it). */
  httpStatus?: number;
  /** Archived `Content-Type`, when known. */
  contentType?: string;
  /** Archived `Content-Encoding`, when known: codings the payload still carries (decode.ts `undoContentCoding`). */
  contentEncoding?: string;
  /**
   * The payload's whole size when the caller did not read it (a WARC record over the page limit
   * is skipped while reading, never held: issue 12); such a capture is rejected as `too-large`.
   */
  payloadBytes?: number;
}

/** The page's template and which signal gave each field (the layout report, `layout.ts`). */
export interface PageLayout {
  id: string;
  evidence: FieldEvidence;
}

export interface ExtractOptions {
  /** Largest payload accepted, in bytes. Default 20 MiB: news pages are < 1 MiB; larger is not an article. */
  maxPageBytes?: number;
  /** Note every candidate of every field with its value, not only the chosen one (`--explain`; slower). */
  explain?: boolean;
}

export const DEFAULT_EXTRACT_OPTIONS = { maxPageBytes: 20 * 1024 * 1024 } as const;

export type ExtractResult =
  /** `warnings`: what a reader of the article should be told (bytes replaced in decoding, a declared charset overruled); also in `notes`. */
  | { ok: true; article: Article; notes: string[]; warnings?: string[]; layout: PageLayout }
  | { ok: false; reason: RejectReason | 'not-article-url'; message: string; notes: string[] };

/** Generic body containers, after the site's own selectors (schema.org, HTML5, common CMS classes). */
const GENERIC_BODY_SELECTORS = [
  '[itemprop="articleBody"]',
  'article .entry-content',
  'article .post-content',
  '.article-body',
  '.story-body',
];

const parseRulesCache = new WeakMap<SiteProfile, { ignore: ElementTest; stopAt?: ElementTest }>();
function parseRulesFor(site: SiteProfile): { ignore: ElementTest; stopAt?: ElementTest } {
  let rules = parseRulesCache.get(site);
  if (!rules) {
    rules = { ignore: ignorePredicate(site.ignore), ...(site.endsAt ? { stopAt: elementTest(site.endsAt) } : {}) };
    parseRulesCache.set(site, rules);
  }
  return rules;
}

const SCRIPT_OPEN = /<script\b/gi;
const SCRIPT_CLOSE = /<\/script\s*>/gi;
const LD_JSON_TYPE = /\btype\s*=\s*["']?application\/ld\+json/i;

/**
 * JSON-LD scripts in raw HTML, for the part of a page not parsed. A scan, not one lazy regex
 * (`<script…>([\s\S]*?)</script>`), which re-read the rest of the page from every `<script`
 * when no `</script>` followed: quadratic on hostile pages.
 */
export function jsonLdScripts(html: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    SCRIPT_OPEN.lastIndex = from;
    const open = SCRIPT_OPEN.exec(html);
    if (open === null) break;
    const tagEnd = html.indexOf('>', open.index);
    if (tagEnd < 0) break;
    SCRIPT_CLOSE.lastIndex = tagEnd + 1;
    const close = SCRIPT_CLOSE.exec(html);
    if (close === null) break;
    if (LD_JSON_TYPE.test(html.slice(open.index, tagEnd))) out.push(html.slice(tagEnd + 1, close.index));
    from = close.index + close[0].length;
  }
  return out;
}

const chromeCache = new WeakMap<SiteProfile, (el: Element) => boolean>();
function chromePredicate(site: SiteProfile): (el: Element) => boolean {
  let predicate = chromeCache.get(site);
  if (!predicate) {
    const selectors = site.selectors?.chrome ?? [];
    predicate = selectors.length > 0 ? compileSelector(selectors) : () => false;
    chromeCache.set(site, predicate);
  }
  return predicate;
}

const markedBodyTests = GENERIC_BODY_SELECTORS.map((selector) => ({ selector, test: compileSelector([selector]) }));
/** Class names and the attribute the generic selectors need: elements without them are not tested. */
const MARKED_BODY_HINT = /\b(?:entry-content|post-content|article-body|story-body)\b/;

/**
 * The first element the generic body selectors name, in the selectors' order, found in one walk
 * (five `selectFirst` calls walked the whole tree five times).
 */
function firstMarkedBody(doc: Document): { element: Element; how: string } | undefined {
  const found: (Element | undefined)[] = [];
  const stack: AnyNode[] = [...doc.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || !isTag(node)) continue;
    if (node.attribs['itemprop'] !== undefined || MARKED_BODY_HINT.test(node.attribs['class'] ?? '')) {
      markedBodyTests.forEach(({ test }, i) => {
        if (found[i] === undefined && test(node)) found[i] = node;
      });
      if (found[0] !== undefined) break;
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  const i = found.findIndex((el) => el !== undefined);
  const element = found[i];
  return element === undefined ? undefined : { element, how: GENERIC_BODY_SELECTORS[i] ?? '' };
}

/** Where the body is: the element, what of it to read, and what inside to leave out. */
interface BodyChoice {
  body: Element | undefined;
  /** A selector (site or schema.org) named it, rather than scoring. */
  marked: boolean;
  /** Nodes to read in order; absent: the body's children. */
  parts?: readonly AnyNode[];
  /** Elements the scoring judged chrome. */
  dropped?: ReadonlySet<Element>;
}

/**
 * The body container: the site's own selectors win outright; then DOM scoring, which takes a
 * schema.org or CMS container when that holds the best-scored element (see `ContentOptions.marked`).
 */
function findBody(doc: Document, site: SiteProfile, title: string | undefined, notes: string[]): BodyChoice {
  for (const selector of site.selectors?.body ?? []) {
    const el = selectFirst(selector, doc);
    if (el) {
      notes.push(`body: ${selector}`);
      return { body: el, marked: true };
    }
  }
  const marked = firstMarkedBody(doc);
  const found = findContent(doc, { ...(title === undefined ? {} : { title }), ...(marked ? { marked } : {}) });
  if (!found) {
    if (marked) {
      notes.push(`body: ${marked.how} (nothing scored)`);
      return { body: marked.element, marked: true };
    }
    notes.push('body: none (no text reads as prose)');
    return { body: undefined, marked: false };
  }
  notes.push(found.note);
  return { body: found.root, marked: marked !== undefined, parts: found.parts, dropped: found.dropped };
}

/** Site chrome out (the site's rules), then rules left at the edges of the body. */
function dropChromeBlocks(blocks: Block[], site: SiteProfile, notes: string[]): Block[] {
  const out = site.dropChrome ? site.dropChrome(blocks, notes) : blocks;
  while (out[0]?.type === 'rule') out.shift();
  while (out[out.length - 1]?.type === 'rule') out.pop();
  return out;
}

/** The host of an absolute or protocol-relative URL, read without a URL parser (the common case). */
const ABSOLUTE_HOST = /^\s*(?:https?:)?\/\/([^/?#:\s]+)/i;

function hostOf(url: string | undefined, base: string): string | undefined {
  if (!url) return undefined;
  const quick = ABSOLUTE_HOST.exec(url)?.[1];
  if (quick !== undefined) return quick.toLowerCase();
  try {
    return new URL(url, base).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The page shows its headline in an `<h1>` (a text-only edition: an `<h2>`) outside the body
 * (see dropLeadingChrome).
 */
function headlineOutside(headings: readonly Element[], body: Element | undefined, title: string): boolean {
  return headings.some((h) => !hasAncestor(h, (a) => a === body) && isTitleLike(visibleText(h), title));
}

/** Extract the article of one capture with a site's profile. */
export function extractCapture(input: CaptureInput, site: SiteProfile, options: ExtractOptions = {}): ExtractResult {
  const { maxPageBytes } = { ...DEFAULT_EXTRACT_OPTIONS, ...options };
  const notes: string[] = [];
  const reject = (reason: RejectReason | 'not-article-url', message: string): ExtractResult => ({
    ok: false,
    reason,
    message,
    notes,
  });

  if (input.url.length > MAX_URL_CHARS)
    return reject(
      'not-article-url',
      `the URL is ${input.url.length} characters long, more than the ${MAX_URL_CHARS} of any article page`,
    );
  const id = site.articleId(input.url);
  if (id === undefined) return reject('not-article-url', `not an article URL of ${site.id}`);
  if (input.httpStatus !== undefined && input.httpStatus !== 200) {
    return reject(
      input.httpStatus === 404 ? 'not-found' : 'http-status',
      `the archived response has HTTP status ${input.httpStatus}`,
    );
  }
  const { bytes } = undoContentCoding(input.payload, input.contentEncoding);
  const byteProblem = rejectBytes(bytes, maxPageBytes, input.contentType, input.payloadBytes);
  if (byteProblem) return reject(byteProblem.reason, byteProblem.message);

  const decodeOptions = {
    ...(input.contentType ? { contentType: input.contentType } : {}),
    ...(site.defaultEncoding ? { fallbackEncoding: site.defaultEncoding } : {}),
  };
  const decoded = decodePayload(bytes, decodeOptions);
  notes.push(
    `encoding: ${decoded.encoding} (${decoded.source})${decoded.warning === undefined ? '' : `: ${decoded.warning}`}`,
  );
  const collector = new SignalCollector();
  const { doc, stoppedAt } = parseHtml(decoded.chunks, { ...parseRulesFor(site), onElement: collector.visit });
  if (stoppedAt !== undefined) {
    for (const json of jsonLdScripts(decoded.text.slice(stoppedAt))) collector.addJsonLd(json);
  }
  const signals = collector.finish();
  const { body, marked, parts, dropped } = findBody(
    doc,
    site,
    signals.meta.get('og:title')?.[0] ?? signals.titleElement,
    notes,
  );

  // Error and farewell pages have paragraphs too: only a marked-up article body counts against them.
  const pageProblem = rejectPage(
    { text: decoded.chunks, title: signals.titleElement, hasBody: marked },
    site.notArticle,
  );
  if (pageProblem) return reject(pageProblem.reason, pageProblem.message);

  const foreign = hostOf(signals.canonical, input.url) ?? hostOf(signals.meta.get('og:url')?.[0], input.url);
  if (foreign !== undefined && site.hosts.length > 0 && !site.hosts.includes(foreign)) {
    return reject('other-site', `the page says it belongs to ${foreign}, not ${site.id}`);
  }

  const root = articleRoot(body, signals.h1);
  const evidence: FieldEvidence = {};
  const meta = capMetadata(
    resolveMetadata(doc, signals, site, root, body, notes, {
      url: input.url,
      timestamp: input.timestamp,
      evidence,
      allCandidates: options.explain === true,
    }),
    notes,
  );
  if (meta.title === '') return reject('no-title', 'the page has no article title (an empty or broken article page)');
  if (!body) return reject('no-body', 'no article body found on the page');

  const siteChrome = chromePredicate(site);
  const isChrome =
    dropped && dropped.size > 0 ? (el: Element): boolean => dropped.has(el) || siteChrome(el) : siteChrome;
  const builder = new BlockBuilder({ baseUrl: input.url, isChrome });
  // A scored body ends where its words say the article ends; a site's own selectors need no such guess.
  const built = parts
    ? dropLeadingChrome(
        dropTrailingChrome(builder.blocksOf(parts), notes),
        meta.title,
        notes,
        headlineOutside([...signals.h1, ...signals.h2], body, meta.title),
      )
    : builder.blocks(body);
  const blocks = dropChromeBlocks(built, site, notes);

  const article: Article = {
    site: site.id,
    id,
    title: meta.title,
    tags: meta.tags,
    blocks,
    // The hash of the page's bytes: a gzip layer nobody declared is how the archive delivered
    // them (WAYBACK.md, gzip), so the same capture hashes the same however it arrived.
    provenance: {
      originalUrl: input.url,
      timestamp: input.timestamp,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
  };
  if (meta.date !== undefined) article.date = meta.date;
  if (meta.lastUpdated !== undefined) article.lastUpdated = meta.lastUpdated;
  if (meta.author !== undefined) article.author = meta.author;
  if (meta.category !== undefined) article.category = meta.category;
  const layout: PageLayout = { id: layoutFingerprint(body, signals), evidence };
  return decoded.warning === undefined
    ? { ok: true, article, notes, layout }
    : { ok: true, article, notes, warnings: [decoded.warning], layout };
}
