/**
 * An escaping HTML template: every interpolated value is escaped unless it is already {@link Html}
 * (built by this template, or trusted markup passed through {@link trusted}). Synchronous and
 * allocation-light: a page is one string concatenation.
 */
import { escapeHtml } from '../markdown/index.js';

/** Markup that is safe to emit as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: text (escaped), numbers, markup, nothing, or lists of these. */
export type HtmlPart = Html | string | number | null | undefined | false | readonly HtmlPart[];

/**
 * C0 controls other than tab, line feed and carriage return, and DEL: the existing hkcnews archive
 * has them in 229 articles (FORMAT.md, defects); browsers draw them as boxes.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Drop control characters that have no place in displayed text (see CONTROL). */
export function dropControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, '') : text;
}

/** Escape text for HTML content and double- or single-quoted attribute values; drops control characters. */
export function escapeText(text: string): string {
  return escapeHtml(dropControls(text));
}

function append(part: HtmlPart): string {
  if (part instanceof Html) return part.value;
  if (typeof part === 'string') return escapeText(part);
  if (typeof part === 'number') return String(part);
  if (Array.isArray(part)) {
    let out = '';
    for (const p of part as readonly HtmlPart[]) out += append(p);
    return out;
  }
  return ''; // null, undefined, false
}

/** Tagged template: `html\`<a href="${url}">${title}</a>\`` escapes `url` and `title`. */
export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += append(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup from a trusted producer (the sanitizer, the search snippet builder). Never user text. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
