/**
 * The layout report: pages grouped by a structural fingerprint of their template, and per group
 * which signal gave each field, how often a field is missing or overruled a disagreeing signal, the
 * date range and one sample page. Someone rescuing an outlet nobody has profiled reads "layout
 * L3f2a1c0 (2,310 pages, 2019-06 → 2020-02): no author on 100%" before trusting the archive, and
 * fixes the profile with `--explain` on the sample.
 */
import { isTag, type Element } from './dom.js';
import type { FieldEvidence } from './metadata-scope.js';
import type { PageSignals } from './signals.js';

/** The fields the report follows, in report order. */
export const REPORTED_FIELDS = ['title', 'date', 'last_updated', 'author', 'category', 'tags'] as const;

/** Ancestors of the body described in the fingerprint: enough to tell templates apart. */
const FINGERPRINT_DEPTH = 4;

/** `div.article__body`, digits out (`post-1234` and `post-99` are one template's class). */
function describe(el: Element): string {
  const cls = el.attribs['class'];
  return cls === undefined ? el.name : `${el.name}.${cls.replace(DIGITS, '')}`;
}
const DIGITS = /\d+/g;

/**
 * A short, stable name for a page's template: the body container and a few of its ancestors (tag
 * and class names, numbers left out) and which kinds of metadata the page declares. Pages of one
 * template share it; a redesign changes it.
 */
export function layoutFingerprint(body: Element | undefined, signals: PageSignals): string {
  const path: string[] = [];
  for (let el: Element | null | undefined = body, depth = 0; el && depth < FINGERPRINT_DEPTH; depth++) {
    path.push(describe(el));
    el = el.parent && isTag(el.parent) ? el.parent : null;
  }
  const declared = [
    signals.jsonLdArticles.length > 0 ? 'ld' : '',
    signals.meta.has('og:title') ? 'og' : '',
    signals.meta.has('article:published_time') ? 'art' : '',
    signals.h1.length > 0 ? 'h1' : '',
  ].join(',');
  return (
    'L' +
    fnv1a(path.join('<') + '|' + declared)
      .toString(16)
      .padStart(8, '0')
      .slice(0, 7)
  );
}

/** 32-bit FNV-1a of a short string: a name, not a security hash (a crypto hash cost 1% of extraction). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export interface LayoutPage {
  layout: string;
  /** `YYYY-MM-DD`, when the page has a date. */
  date?: string | undefined;
  /** A page to look at with `--explain`: its URL (or archive path). */
  sample: string;
  evidence: FieldEvidence;
}

export interface LayoutSummary {
  layout: string;
  pages: number;
  /** `YYYY-MM` of the earliest and the latest dated page. */
  from?: string;
  to?: string;
  sample: string;
  /** Per field: pages by the signal that gave it (`none`: missing), and pages where a signal was overruled. */
  fields: Record<string, { sources: Record<string, number>; missing: number; disagreed: number }>;
}

/** Distinct layouts followed one by one; more are counted together (a hostile or chaotic site). */
export const MAX_LAYOUTS = 500;
const OTHER_LAYOUTS = 'other';

/** Counts pages per layout in bounded memory (layouts × fields × sources). */
export class LayoutReport {
  private readonly layouts = new Map<string, LayoutSummary>();

  add(page: LayoutPage, count = 1): void {
    const key = this.layouts.has(page.layout) || this.layouts.size < MAX_LAYOUTS ? page.layout : OTHER_LAYOUTS;
    let s = this.layouts.get(key);
    if (!s) {
      s = { layout: key, pages: 0, sample: page.sample, fields: {} };
      this.layouts.set(key, s);
    }
    s.pages += count;
    const month = page.date?.slice(0, 7);
    if (month !== undefined && /^\d{4}-\d{2}$/.test(month)) {
      if (s.from === undefined || month < s.from) s.from = month;
      if (s.to === undefined || month > s.to) s.to = month;
    }
    for (const field of REPORTED_FIELDS) {
      const e = page.evidence[field] ?? { source: 'none', disagreements: 0 };
      const f = (s.fields[field] ??= { sources: {}, missing: 0, disagreed: 0 });
      f.sources[e.source] = (f.sources[e.source] ?? 0) + count;
      if (e.source === 'none') f.missing += count;
      if (e.disagreements > 0) f.disagreed += count;
    }
  }

  /** Layouts, most pages first. */
  summary(): LayoutSummary[] {
    return [...this.layouts.values()].sort((a, b) => b.pages - a.pages || a.layout.localeCompare(b.layout));
  }
}

const pct = (n: number, d: number): string => `${d === 0 ? 0 : Math.round((100 * n) / d)}%`;

/**
 * The report as text: a line per layout with its pages, dates and sample, a line of where each
 * field came from, and a warning line for every field missing or overruled on many pages.
 */
export function layoutReportLines(layouts: readonly LayoutSummary[], max = 20): string[] {
  const lines: string[] = [];
  for (const l of layouts.slice(0, max)) {
    lines.push(
      `layout ${l.layout} (${l.pages.toLocaleString('en')} pages${l.from ? `, ${l.from} → ${l.to}` : ''}): sample ${l.sample}`,
    );
    const parts: string[] = [];
    const warnings: string[] = [];
    for (const field of REPORTED_FIELDS) {
      const f = l.fields[field];
      if (!f) continue;
      const top = Object.entries(f.sources)
        .filter(([s]) => s !== 'none')
        .sort((a, b) => b[1] - a[1])[0];
      parts.push(`${field} ${top ? `${top[0]} ${pct(top[1], l.pages)}` : '-'}`);
      if (f.missing > 0 && f.missing / l.pages >= 0.2) warnings.push(`no ${field} on ${pct(f.missing, l.pages)}`);
      if (f.disagreed > 0 && f.disagreed / l.pages >= 0.2)
        warnings.push(`${field} signals disagree on ${pct(f.disagreed, l.pages)}`);
    }
    lines.push(`  ${parts.join(' · ')}`);
    if (warnings.length > 0) lines.push(`  ! ${warnings.join(' · ')}`);
  }
  if (layouts.length > max) lines.push(`… ${layouts.length - max} more layouts (--json lists them all)`);
  return lines;
}
