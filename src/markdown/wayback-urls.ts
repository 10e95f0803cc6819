/** Wayback Machine URL forms used in archive files. */

import { Parser } from 'htmlparser2';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { mementoUrl, parseMemento, type MementoParts } from '../memento.js';

/** An image as archived at the capture's time (`im_` serves the raw image). */
export function imageMementoUrl(timestamp: string, imageUrl: string): string {
  return mementoUrl(timestamp, imageUrl, 'im_');
}

/** Host without a leading `www.`, lower-cased. */
export function siteHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\d*\./, '');
  } catch {
    return undefined;
  }
}

const linkNormalizer = new MarkdownIt();

/**
 * The key an image URL is looked up by: the URL as markdown-it writes it into `<img src>`
 * (`normalizeLink`: UTF-8 percent escapes for non-ASCII and unsafe characters, existing escapes
 * kept, IDN hosts in punycode). The same image is written raw in one file (`news_新聞/a b.jpg`)
 * and escaped in another or by the renderer (`news_%E6%96%B0%E8%81%9E/a%20b.jpg`); both give one
 * key, and applying it twice changes nothing.
 */
export function imageKey(url: string): string {
  return linkNormalizer.normalizeLink(url);
}

/** An image an article file shows: the image's own URL, and the capture time to ask for it at. */
export interface ArticleImage {
  /** The image URL: the original inside an `im_` URL, or the `src` itself when it is no memento. */
  url: string;
  /** {@link imageKey} of `url`: what the media store and the reader look it up by. */
  key: string;
  /** 14 digits: the `im_` URL's time, else the article capture's. */
  timestamp: string;
}

const HTTP_URL = /^https?:\/\//i;
/**
 * The author card that closes a file of the old archive (and salvage's hkcnews files): a
 * thematic break, the author's avatar as a Markdown image, the name in bold, the bio. The
 * avatar is the author's, not the article's: not one of its images (the hkcnews capture
 * generator, the reference for image captures, leaves it out as well). Only the last such block
 * counts, and only when the bio after it holds no image and no other break.
 */
const AUTHOR_CARD_START = '\n\n---\n\n![';
const AUTHOR_CARD_HEAD = /^\n\n---\n\n!\[[^\]\n]*\]\([^)\n]*\)\n\n\*\*[^\n]*\*\*\n\n/;

/** The body without its closing author card, if it has one. */
function withoutAuthorCard(body: string): string {
  const at = body.lastIndexOf(AUTHOR_CARD_START);
  if (at === -1) return body;
  const card = body.slice(at);
  const head = AUTHOR_CARD_HEAD.exec(card);
  if (head === null) return body;
  const bio = card.slice(head[0].length);
  return bio.includes('![') || /<img\b/i.test(bio) || bio.includes('\n---\n') ? body : body.slice(0, at);
}
const TIMESTAMP = /^\d{14}$/;
/** Wrappings unwrapped at most: a Wayback URL inside a Wayback URL inside … (files written by older converters). */
const MAX_WRAPPINGS = 8;

/**
 * The memento a `src` names, unwrapped to the innermost one: a Wayback URL of a Wayback URL
 * (`…/web/T1im_/https://web.archive.org/web/T2im_/https://site/a.jpg`, written by converters
 * that wrapped an already-archived `src`) names the image `https://site/a.jpg` at T2.
 */
function innermostMemento(src: string): (MementoParts & { exactTimestamp: string | undefined }) | undefined {
  let memento = parseMemento(src);
  if (memento === undefined) return undefined;
  // The innermost 14-digit time among the wrappings: an inner `/web/2019/…` (the Wayback
  // redirects such a time to the closest capture) is asked at the nearest exact one around it.
  let exactTimestamp = TIMESTAMP.test(memento.timestamp) ? memento.timestamp : undefined;
  for (let i = 0; i < MAX_WRAPPINGS; i++) {
    const inner = parseMemento(memento.original);
    if (inner === undefined) break;
    memento = inner;
    if (TIMESTAMP.test(inner.timestamp)) exactTimestamp = inner.timestamp;
  }
  return { ...memento, exactTimestamp };
}

/** The image a `src` shows: the original inside its innermost Wayback URL, else the `src` itself. */
export function imageOriginal(src: string): string {
  return innermostMemento(src)?.original ?? src;
}

const markdownWithHtml = new MarkdownIt({ html: true, linkify: false, typographer: false });

/** The `src` of every `<img>` in a piece of raw HTML (entities decoded, as a browser reads the attribute). */
function htmlImageSources(html: string, into: string[]): void {
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const src = attributes['src'];
        if (name === 'img' && src !== undefined) into.push(src.trim());
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
}

/**
 * The image sources of a Markdown body in document order, read as the reader reads it: parsed by
 * markdown-it (raw HTML allowed), so each piece of raw HTML is parsed on its own and a stray `<`
 * in a paragraph (`[text](<iframe src=)` in the old archive) cannot swallow the figures after it,
 * as parsing the whole file as HTML would.
 */
function imageSources(body: string): string[] {
  const srcs: string[] = [];
  const visit = (tokens: readonly Token[]): void => {
    for (const t of tokens) {
      if (t.type === 'html_block' || t.type === 'html_inline') htmlImageSources(t.content, srcs);
      else if (t.type === 'image') {
        const src = t.attrGet('src');
        if (src !== null) srcs.push(src);
      }
      if (t.children !== null) visit(t.children);
    }
  };
  visit(markdownWithHtml.parse(body, {}));
  return srcs;
}

/**
 * Every image an archive file shows, once each, in order: `<img src>` of figures and inline HTML
 * (entities decoded by htmlparser2, as a browser reads the attribute) and Markdown images, the
 * closing author card's avatar left out. An `im_` URL (FORMAT.md, Images) names the image and
 * its time (an inexact time gives way to a wrapping memento's, else the article capture's); any
 * other absolute URL is asked for at the article capture's time (its `url`); anything else
 * (relative, data:) is no image the Wayback holds.
 */
export function articleImages(file: { body: string; url?: string }): ArticleImage[] {
  const articleTs = file.url === undefined ? undefined : parseMemento(file.url)?.timestamp;
  const srcs = imageSources(withoutAuthorCard(file.body));
  const out: ArticleImage[] = [];
  const seen = new Set<string>();
  for (const src of srcs) {
    const memento = innermostMemento(src);
    const at =
      memento?.exactTimestamp ?? (articleTs !== undefined && TIMESTAMP.test(articleTs) ? articleTs : undefined);
    const image =
      memento !== undefined
        ? at !== undefined && HTTP_URL.test(memento.original)
          ? { url: memento.original, timestamp: at }
          : undefined
        : HTTP_URL.test(src) && articleTs !== undefined && TIMESTAMP.test(articleTs)
          ? { url: src, timestamp: articleTs }
          : undefined;
    if (image === undefined) continue;
    const key = imageKey(image.url);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...image, key });
  }
  return out;
}
