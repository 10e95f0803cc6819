/**
 * What choosing metadata reads from: the page's signals, its site profile and, built on first use,
 * its text (`page-text.ts`) with the title's place in it. Shared by the field rules of `metadata.ts`.
 */
import type { SiteProfile } from './site-profile.js';
import { compileSelector, textOf, type Document, type Element } from './dom.js';
import { pageText, type PageText } from './page-text.js';
import type { PageSignals } from './signals.js';

export interface Scope {
  doc: Document;
  signals: PageSignals;
  site: SiteProfile;
  /** The element holding title, byline and body (an `<article>`, a main column). */
  root: Element | undefined;
  body: Element | undefined;
  notes: string[];
  /** The page's URLs, capture URL first, then its canonical link and og:url: their paths may hold the date. */
  urls: string[];
  /** The capture's 14-digit Wayback timestamp, when known (ages on the page count back from it). */
  timestamp?: string | undefined;
  /** The page text, built on first use (visible bylines and dates only). */
  text?: PageText;
  /** Where the chosen title stands in `text` (start, end), -1 when not found. */
  titleAt?: [number, number];
  /** The visible headline the document title confirms (see `resolveTitle`), when there is one. */
  headline?: string | undefined;
  /** `--explain`: every candidate of every field is noted, not only the one chosen. */
  allCandidates?: boolean;
  /** Which signal gave each field (`none` when nothing did), and how many signals it overruled: the layout report's evidence. */
  evidence?: FieldEvidence;
  /** Detail of the last choice, appended to its note ("visible byline: reporter label 记者"). */
  how?: string | undefined;
}

export function isInside(node: Element, container: Element): boolean {
  for (let n: Element['parent'] = node; n; n = n.parent) if (n === container) return true;
  return false;
}

export function meta(signals: PageSignals, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = signals.meta.get(key)?.find((x) => x.trim() !== '');
    if (v !== undefined) return v;
  }
  return undefined;
}

export function prop(signals: PageSignals, key: string): string | undefined {
  return signals.itemprops.get(key)?.find((x) => x.trim() !== '');
}

export function ld(signals: PageSignals, key: string): unknown {
  for (const obj of signals.jsonLdArticles)
    if (obj[key] !== undefined && obj[key] !== null && obj[key] !== '') return obj[key];
  return undefined;
}

/** Every non-empty value of these meta keys, in key order then page order, without repeats. */
export function metaAll(signals: PageSignals, ...keys: string[]): string[] {
  const out: string[] = [];
  for (const key of keys)
    for (const v of signals.meta.get(key) ?? []) if (v.trim() !== '' && !out.includes(v.trim())) out.push(v.trim());
  return out;
}

/** Per field: the signal that gave it, and the signals that disagreed with the choice and were overruled. */
export type FieldEvidence = Record<string, { source: string; disagreements: number }>;

function evidenceOf(scope: { evidence?: FieldEvidence }, field: string): { source: string; disagreements: number } {
  scope.evidence ??= {};
  return (scope.evidence[field] ??= { source: 'none', disagreements: 0 });
}

/** A signal that disagreed with the page's others and was overruled, as a note and in the evidence. */
export function disagreement(scope: { notes: string[]; evidence?: FieldEvidence }, field: string, note: string): void {
  scope.notes.push(`${field}: ${note}`);
  evidenceOf(scope, field).disagreements++;
}

const present = (value: unknown): boolean =>
  value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
/** A candidate value as `--explain` shows it: one line, cut. */
const shown = (value: unknown): string => JSON.stringify(value).slice(0, 100);

/** The detail the last candidate left (`scope.how`), read through a call so no narrowing holds it. */
function detailOf(scope: { how?: string | undefined }): string | undefined {
  return scope.how;
}

export function first<T>(
  scope: { notes: string[]; how?: string | undefined; evidence?: FieldEvidence; allCandidates?: boolean },
  field: string,
  candidates: [string, () => T | undefined][],
): T | undefined {
  for (let i = 0; i < candidates.length; i++) {
    const [source, get] = candidates[i]!; // in range
    scope.how = undefined;
    const value = get();
    if (present(value)) {
      const how = detailOf(scope); // set by get(), which the compiler cannot see
      scope.notes.push(
        `${field}: ${source}${how ? ` (${how})` : ''}${scope.allCandidates ? ` = ${shown(value)}` : ''}`,
      );
      evidenceOf(scope, field).source = source;
      // `--explain`: the signals not chosen, in the order they rank, with what they say.
      if (scope.allCandidates) {
        for (const [other, otherGet] of candidates.slice(i + 1)) {
          scope.how = undefined;
          const v = otherGet();
          if (present(v)) scope.notes.push(`${field}:   not chosen: ${other} = ${shown(v)}`);
        }
        scope.how = undefined;
      }
      return value;
    }
  }
  scope.notes.push(`${field}: none`);
  evidenceOf(scope, field).source = 'none';
  return undefined;
}

/** Names the site goes by: the profile's, `og:site_name`, `application-name`. */
export function siteNames(scope: Scope): string[] {
  const names = scope.site.name ? [scope.site.name] : [];
  for (const v of metaAll(scope.signals, 'og:site_name', 'application-name')) if (!names.includes(v)) names.push(v);
  return names;
}

const rootTexts = new WeakMap<Scope, string>();
/** The text of the article's root element (or the whole document), read once per page. */
export function rootText(scope: Scope): string {
  let text = rootTexts.get(scope);
  if (text === undefined) {
    text = scope.root ? textOf(scope.root) : scope.doc.children.map((c) => textOf(c)).join('');
    rootTexts.set(scope, text);
  }
  return text;
}

export function textOfPage(scope: Scope): PageText {
  scope.text ??= pageText(scope.doc, scope.body);
  return scope.text;
}

/** How far into the body a title may stand (a headline inside the body's container) before it is no anchor. */
const TITLE_INSIDE_BODY_CHARS = 200;
/** A title found by its first characters extends to its line's end, up to this many characters. */
const MAX_TITLE_LINE_CHARS = 300;

/** A text without its white space: titles compared as written whatever their spacing. */
export const squeeze = (s: string): string => s.replace(/\s+/g, '');

/**
 * Where the title stands in the page text: the `<h1>` that says it (nearest before the body), else
 * its text's occurrence nearest before the body (a breadcrumb may repeat it earlier).
 */
export function titlePosition(scope: Scope, title: string): [number, number] {
  if (scope.titleAt) return scope.titleAt;
  const page = textOfPage(scope);
  const want = squeeze(title);
  let at: [number, number] = [-1, -1];
  if (want.length >= 2) {
    const limit = page.bodyStart >= 0 ? page.bodyStart : page.text.length;
    for (const h of page.headings) {
      const said = squeeze(page.text.slice(h.start, h.end));
      if (said !== '' && (said.includes(want) || want.includes(said)) && (at[0] < 0 || h.start <= limit))
        at = [h.start, h.end];
    }
    if (at[0] < 0) {
      const probe = title.trim().slice(0, 12);
      let i = page.text.indexOf(probe);
      while (i >= 0) {
        if (at[0] >= 0 && page.bodyStart >= 0 && i > page.bodyStart) break;
        // The title's line ends where the heading does (the probe is only its first characters).
        const lineEnd = page.text.indexOf('\n', i + probe.length);
        at = [i, lineEnd < 0 || lineEnd - i > MAX_TITLE_LINE_CHARS ? i + probe.length : lineEnd];
        i = page.text.indexOf(probe, i + 1);
      }
    }
  }
  // A "title" found well inside the body is a subheading or a quotation there, not the headline
  // above it: the body's start is the better anchor then.
  if (at[0] >= 0 && page.bodyStart >= 0 && at[0] > page.bodyStart + TITLE_INSIDE_BODY_CHARS && at[0] < page.bodyEnd)
    at = [-1, -1];
  scope.titleAt = at;
  return at;
}

const otherArticleCache = new WeakMap<SiteProfile, (el: Element) => boolean>();
/** Lists of other articles (and navigation): their links and dates are not this article's. */
export function otherArticlePredicate(site: SiteProfile): (el: Element) => boolean {
  let predicate = otherArticleCache.get(site);
  if (!predicate) {
    const selectors = site.selectors?.otherArticles ?? [];
    const compiled = selectors.length > 0 ? compileSelector(selectors) : undefined;
    predicate = (el) => el.name === 'nav' || el.name === 'aside' || (compiled?.(el) ?? false);
    otherArticleCache.set(site, predicate);
  }
  return predicate;
}
