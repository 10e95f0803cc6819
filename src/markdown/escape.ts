/**
 * Escaping so that a CommonMark (+GFM) renderer shows exactly the published characters. Inline
 * punctuation that can start syntax is always escaped; characters that only matter at the start
 * of a line (`#`, `>`, `-`, `+`, `=`, `1.`) are escaped there.
 */

/** Always significant inline: emphasis, links, code, raw HTML, tables, strikethrough, escapes. */
const INLINE_SPECIAL = /[\\*_[\]`<|~]/g;
/** `&name;` / `&#123;` would render as the character they name. */
const ENTITY_LIKE = /&(?=#?[a-z0-9]+;)/gi;
/** C0 controls (except tab and newline) and DEL never reach a file. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Escape text for inline use (paragraphs, headings, cells, link text). */
/** Any character one of the replacements below would touch: most CJK text has none. */
const ANY_SPECIAL = /[\\*_[\]`<|~&\u0000-\u0008\u000b-\u001f\u007f]/;

export function escapeInline(text: string): string {
  if (!ANY_SPECIAL.test(text)) return text;
  return text.replace(CONTROL, '').replace(INLINE_SPECIAL, '\\$&').replace(ENTITY_LIKE, '\\&');
}

/**
 * Block syntax a line may start with (after inline escaping): ATX headings, quotes, bullets,
 * thematic breaks and setext underlines, ordered-list numbers.
 */
const BLOCK_START = /^(?:#{1,6}(?:\s|$)|>|[-+](?:\s|$)|-[-\s]*$|=+\s*$)/;
const ORDERED_START = /^\d{1,9}(?=[.)](?:\s|$))/;

/** Escape what would start block syntax at the beginning of a line. */
export function escapeLineStart(line: string): string {
  // Indentation is invisible in a rendered paragraph, but four spaces or a tab would start a
  // code block and fewer still allow block syntax: it is dropped.
  const rest = line.replace(/^[ \t]+/, '');
  if (BLOCK_START.test(rest)) return '\\' + rest;
  const number = ORDERED_START.exec(rest);
  return number ? number[0] + '\\' + rest.slice(number[0].length) : rest;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const HTML_SPECIAL = /[&<>"']/g;
const HAS_HTML_SPECIAL = /[&<>"']/;

/**
 * The one HTML escaper of what salvage shows (the reader, the static export, search snippets):
 * safe in text and in double- or single-quoted attribute values. The archive format's own
 * escaping (below) is FORMAT.md's and stays byte-exact.
 */
export function escapeHtml(text: string): string {
  return HAS_HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] ?? c) : text;
}

/** Attribute values inside the HTML blocks we write (`<figure>`, `<iframe>`). */
export function escapeHtmlAttribute(value: string): string {
  return value
    .replace(CONTROL, '')
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text inside the HTML blocks we write (captions). */
export function escapeHtmlText(value: string): string {
  return value.replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A link destination: `<…>` form when it has spaces or unbalanced parentheses. URLs from the
 * model are already WHATWG-serialised, so spaces are rare; `<`, `>` and newlines are encoded.
 */
export function linkDestination(url: string): string {
  const safe = url
    .replace(/[\n\r]/g, '')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E');
  let depth = 0;
  let balanced = true;
  for (const ch of safe) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) balanced = false;
  }
  if (depth !== 0) balanced = false;
  return /[\s]/.test(safe) || !balanced ? '<' + safe.replace(/\\/g, '\\\\') + '>' : safe.replace(/\\/g, '%5C');
}
