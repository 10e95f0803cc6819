/**
 * Reading an archive file back: frontmatter values, the Markdown body, and the body as plain text
 * for search. Accepts both our own files (FORMAT.md, strict) and the existing hkcnews archive's
 * files (`""` for missing values, CRLF, Hugo shortcodes, unescaped text; FORMAT.md "Reading
 * existing archives").
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import { SalvageError } from '../errors.js';
import type { ArticleMetadata } from '../extract/index.js';

/** One archive file, read. Values that are absent or `""` are left out (never `""`). */
export interface ParsedArchiveFile extends ArticleMetadata {
  /** The frontmatter as YAML reads it (`""` values kept here, as written). `title` is the frontmatter's, else the body's leading `# heading`, else `""` (91 files of the old archive have neither); `tags` never contains `""`. */
  frontmatter: Record<string, unknown>;
  url?: string;
  originalUrl?: string;
  id?: string;
  site?: string;
  capturedAt?: string;
  sha256?: string;
  /** The Markdown after the closing `---` line (LF line endings). */
  body: string;
  /**
   * The body as plain text for search: Markdown syntax, HTML tags, image/figure markup,
   * shortcodes and URLs removed, figure captions and link texts kept, one line per paragraph
   * (or hard-broken line), joined with `\n`; the leading `# title` line removed.
   */
  text: string;
}

const OPEN = '---\n';
/**
 * The largest frontmatter block read. salvage writes at most ~30 KB (extract/limits.ts caps every
 * value); the old archive's largest is 6,171 characters (49,118 files, measured 2026-12-06). A file with more is not an article's metadata, and
 * reading it whole (a 3,000,000-character title: 1.4 GB, issue 12) is what the cap prevents.
 */
export const MAX_FRONTMATTER_CHARS = 1024 * 1024;
/** The closing delimiter: `---` on its own line (trailing spaces tolerated, as YAML does). */
const CLOSE = /^---[ \t]*$/m;

/**
 * Parse an archive file. `path` is only used in error messages.
 * Throws SalvageError INPUT_INVALID when the file has no `---` frontmatter block or the block is
 * not a YAML mapping.
 */
export function parseArchiveFile(text: string, path?: string): ParsedArchiveFile {
  const where = path === undefined ? 'archive file' : path;
  let src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // The old archive has 2 CRLF files (FORMAT.md, defects); lone CR is normalised as well.
  if (src.includes('\r')) src = src.replace(/\r\n?/g, '\n');
  if (!src.startsWith(OPEN)) throw invalid(where, 'does not start with a "---" frontmatter line');
  const rest = src.slice(OPEN.length);
  const close = CLOSE.exec(rest);
  if (close === null) throw invalid(where, 'has no closing "---" line after its frontmatter');
  const yamlText = rest.slice(0, close.index);
  if (yamlText.length > MAX_FRONTMATTER_CHARS)
    throw invalid(
      where,
      `has a frontmatter block of ${yamlText.length} characters, more than the ${MAX_FRONTMATTER_CHARS} any article's metadata needs (FORMAT.md, limits)`,
    );
  const afterClose = close.index + close[0].length;
  const body = rest.slice(rest[afterClose] === '\n' ? afterClose + 1 : afterClose);

  const frontmatter = parseFrontmatter(yamlText, where);
  const str = (key: string): string | undefined => scalar(frontmatter[key]);
  const { heading, text: plain } = bodyText(body);
  const out: ParsedArchiveFile = {
    frontmatter,
    title: str('title') ?? heading ?? '',
    tags: list(frontmatter['tags']),
    body,
    text: plain,
  };
  const put = (
    field: Exclude<keyof ParsedArchiveFile, 'frontmatter' | 'title' | 'tags' | 'body' | 'text'>,
    key: string,
  ): void => {
    const v = str(key);
    if (v !== undefined) out[field] = v;
  };
  put('date', 'date');
  put('lastUpdated', 'last_updated');
  put('author', 'author');
  put('category', 'category');
  put('url', 'url');
  put('originalUrl', 'original_url');
  put('id', 'id');
  put('site', 'site');
  put('capturedAt', 'captured_at');
  put('sha256', 'sha256');
  return out;
}

function invalid(where: string, what: string, cause?: unknown): SalvageError {
  return new SalvageError(
    'INPUT_INVALID',
    `${where} ${what}; an archive file starts with a YAML frontmatter block between "---" lines (FORMAT.md)`,
    { subject: where, cause },
  );
}

/** A scalar as a string; `""`, whitespace-only, null and non-scalars count as absent. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const v = value.trim();
    return v === '' ? undefined : v;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    const v = scalar(item);
    if (v !== undefined) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frontmatter

/**
 * Flow collections (`[…]`, `{…}`) nested deeper than this are refused before the YAML library
 * sees them: it recurses per level, and 100,000 `[` took 4.6 s to end in a stack overflow.
 * Frontmatter is flat (FORMAT.md); brackets inside quoted text count too, which no real title
 * reaches 64 deep.
 */
export const MAX_FLOW_DEPTH = 64;

function flowDepth(text: string): number {
  let depth = 0,
    max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } // [ {
    else if ((c === 93 || c === 125) && depth > 0) depth--; // ] }
  }
  return max;
}

function parseFrontmatter(yamlText: string, where: string): Record<string, unknown> {
  const fast = parseSubset(yamlText);
  if (fast !== undefined) return fast;
  if (flowDepth(yamlText) > MAX_FLOW_DEPTH)
    throw invalid(where, `has frontmatter nested more than ${MAX_FLOW_DEPTH} levels deep`);
  let value: unknown;
  try {
    // parseDocument, not parse: `parse` prints the library's warnings (unresolved tags, %YAML
    // versions) to stderr, and library code prints nothing. The values YAML gives are kept.
    // uniqueKeys: false, because the library checks each key against every earlier one of its
    // mapping: 100,000 keys in 1 MB of frontmatter took over 30 s (bench:hostile). Duplicate
    // top-level keys are still refused, checked below with a Set in one pass.
    const doc = parseDocument(yamlText, { logLevel: 'silent', uniqueKeys: false });
    const error = doc.errors[0];
    if (error) throw error;
    const duplicate = duplicateTopLevelKey(doc.contents);
    if (duplicate !== undefined) throw new Error(`the key ${JSON.stringify(duplicate)} appears twice`);
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const text = firstLine((error as Error).message);
    const message = error instanceof RangeError || text.includes('call stack') ? 'nested too deeply' : text;
    throw invalid(where, `has frontmatter that is not valid YAML (${message})`, error);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(where, 'has frontmatter that is not a YAML mapping of keys to values');
  return value as Record<string, unknown>;
}

const firstLine = (s: string): string => s.split('\n', 1)[0] ?? s;

/** The first key a top-level mapping repeats (YAML 1.2 §3.2.1.1: keys are unique), if any. */
function duplicateTopLevelKey(contents: unknown): string | undefined {
  if (!isMap(contents)) return undefined;
  const seen = new Set<unknown>();
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (seen.has(key)) return String(key);
    seen.add(key);
  }
  return undefined;
}

/** `key: "double-quoted"` (FORMAT.md: every scalar double-quoted). */
const SCALAR_LINE = /^([A-Za-z_][A-Za-z0-9_-]*): "((?:[^"\\]|\\.)*)"$/;
/** `key:` opening a block list. */
const LIST_KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):$/;
/** `  - "item"`. */
const LIST_ITEM_LINE = /^ {2}- "((?:[^"\\]|\\.)*)"$/;
/** Characters YAML does not allow raw inside a double-quoted scalar (YAML 1.2 §5.1, c-printable). */
const NOT_PRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

/**
 * The subset FORMAT.md defines (double-quoted scalars, block lists of double-quoted items), read
 * by hand: `yaml.parse` costs about 10× as much per file (see the index's measurement in the
 * test). Returns undefined for anything else (comments, plain scalars, flow lists, duplicate
 * keys, unusual escapes), which then goes to the `yaml` package so every YAML file still reads
 * exactly as YAML says.
 */
export function parseSubset(yamlText: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const lines = yamlText.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let currentList: string[] | undefined;
  for (const line of lines) {
    let m = LIST_ITEM_LINE.exec(line);
    if (m !== null) {
      if (currentList === undefined) return undefined;
      const v = unquote(m[1]!);
      if (v === undefined) return undefined;
      currentList.push(v);
      continue;
    }
    if (currentList !== undefined && currentList.length === 0) return undefined; // `key:` with no items is null in YAML
    currentList = undefined;
    m = SCALAR_LINE.exec(line);
    if (m !== null) {
      const key = m[1]!;
      const v = unquote(m[2]!);
      if (v === undefined || Object.hasOwn(out, key) || key === '__proto__') return undefined;
      out[key] = v;
      continue;
    }
    m = LIST_KEY_LINE.exec(line);
    if (m === null) return undefined;
    const key = m[1]!;
    if (Object.hasOwn(out, key) || key === '__proto__') return undefined;
    currentList = [];
    out[key] = currentList;
  }
  if (currentList !== undefined && currentList.length === 0) return undefined;
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of a one-line YAML double-quoted scalar's content; undefined when unsure. */
function unquote(raw: string): string | undefined {
  if (NOT_PRINTABLE.test(raw)) return undefined;
  // Leading/trailing raw tabs and spaces would be kept by YAML too; no folding on one line.
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const len = HEX_LENGTH[e];
    if (len === undefined) return undefined;
    const hex = raw.slice(i + 1, i + 1 + len);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Body → plain text

/** Backslash escapes of ASCII punctuation (CommonMark §2.4), parked in the Private Use Area meanwhile. */
const MD_ESCAPE = /\\([!-/:-@[-`{-~])/g;
const PUA_BASE = 0xe000;
const PUA_ESCAPED = /[\ue021-\ue07e]/g;
/*
 * Every pattern here runs over text anyone can write, so each must cost time linear in the text.
 * A lazy `open[\s\S]*?close` retried from every `open` when `close` never comes is quadratic
 * (`<!--` × 133,000 in one body: 25 s, issue 12): such spans are cut by the scanners below
 * instead, and scans inside a pattern stop at the character that starts the next match.
 */
/** Hugo shortcodes: `{{< video src="…" >}}`, `{{% … %}}` (10,843 files of the old archive); removed by `removeSpans`. */
const SHORTCODE_OPEN = /\{\{[<%]/g;
const SHORTCODE_CLOSE = /[%>]\}\}/g;
const COMMENT_OPEN = /<!--/g;
const COMMENT_CLOSE = /-->/g;
/** Images, `[![alt](img)](href)` included once images are gone. */
/** Link text: brackets may nest once (`[[1]](…)`, `[[email protected]](…)`). */
const LINK_TEXT = String.raw`\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]`;
/** Destination and title, lenient: the old archive has spaces in targets (`( KwongKinMing/)`). */
const LINK_TARGET = String.raw`\((?:<[^<>\n]*>|[^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)`;
/** Images, `[![alt](img)](href)` included once images are gone. */
const MD_IMAGE = new RegExp('!' + LINK_TEXT + LINK_TARGET, 'g');
const MD_LINK = new RegExp(LINK_TEXT + LINK_TARGET, 'g');
/** CommonMark's autolink: no `<`, `>` or space inside (which also keeps the scan from each `<` short). */
const AUTOLINK = /<(?:https?|ftp|mailto):[^<>\s]*>/gi;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>()[\]{}"'，。、「」（）]*/gi;
/** Wayback-relative targets left bare (`/web/20210628174710/https://…`). */
const WAYBACK_PATH = /(?:^|\s)\/web\/\d{1,14}[a-z_]*\/\S*/g;
const EMPHASIS = /\*{1,3}|(?<![A-Za-z0-9])_{1,3}|_{1,3}(?![A-Za-z0-9])|~~|`+/g;
const HEADING = /^#{1,6}(?:\s+|$)/;
const QUOTE = /^(?:>\s?)+/;
const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])\s+/;
const THEMATIC_BREAK = /^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$/;
const TABLE_DELIMITER = /^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$/;
const FENCE = /^(?:`{3,}|~{3,})/;
const REFERENCE_DEFINITION = /^\[[^\]]+\]:\s+\S+/;
const ENTITY = /&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
};
const SPACES = /[ \t]+/g;

/** The leading `# title` (if any) and the body as plain text. */
function bodyText(body: string): { heading: string | undefined; text: string } {
  const escaped = body.replace(MD_ESCAPE, (_, ch: string) => String.fromCharCode(PUA_BASE + ch.charCodeAt(0)));
  const lines = removeSpans(removeSpans(escaped, SHORTCODE_OPEN, SHORTCODE_CLOSE), COMMENT_OPEN, COMMENT_CLOSE).split(
    '\n',
  );
  const out: string[] = [];
  let heading: string | undefined;
  let seenContent = false;
  for (const raw of lines) {
    let line = raw.trim();
    if (line === '') continue;
    if (FENCE.test(line) || THEMATIC_BREAK.test(line) || REFERENCE_DEFINITION.test(line)) continue;
    const isTitle = !seenContent && /^#\s/.test(line);
    line = line.replace(QUOTE, '');
    if (HEADING.test(line)) line = withoutClosingHashes(line.replace(HEADING, ''));
    else line = line.replace(LIST_MARKER, '');
    if (line.startsWith('|') || line.endsWith('|')) {
      if (TABLE_DELIMITER.test(line)) continue;
      line = line.replace(/^\||\|$/g, '').replace(/\|/g, ' ');
    }
    line = line.replace(MD_IMAGE, '').replace(MD_LINK, '$1');
    line = replaceHtmlTags(line)
      .replace(AUTOLINK, '')
      .replace(BARE_URL, '')
      .replace(WAYBACK_PATH, ' ')
      .replace(EMPHASIS, '')
      .replace(/\\$/, '') // CommonMark hard break
      .replace(ENTITY, decodeEntity)
      .replace(PUA_ESCAPED, (ch) => String.fromCharCode(ch.charCodeAt(0) - PUA_BASE))
      .replace(SPACES, ' ')
      .trim();
    if (isTitle) {
      seenContent = true;
      heading = line === '' ? undefined : line;
      continue;
    }
    if (line === '') continue;
    seenContent = true;
    out.push(line);
  }
  return { heading, text: out.join('\n') };
}

/**
 * `text` without every span from an `open` match to the first `close` match after it: what
 * `/open[\s\S]*?close/g` removes, in one pass. When no `close` follows an `open`, none follows
 * a later one either, so the scan stops there instead of retrying from every later `open`.
 */
export function removeSpans(text: string, open: RegExp, close: RegExp): string {
  let out = '';
  let from = 0;
  for (;;) {
    open.lastIndex = from;
    const o = open.exec(text);
    if (o === null) break;
    close.lastIndex = o.index + o[0].length;
    const c = close.exec(text);
    if (c === null) break;
    out += text.slice(from, o.index);
    from = c.index + c[0].length;
  }
  return from === 0 ? text : out + text.slice(from);
}

const isTagNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isTagNameChar = (c: number): boolean => isTagNameStart(c) || (c >= 48 && c <= 57) || c === 45;
const JS_SPACE = /\s/;

/**
 * Every HTML tag in a line replaced by a space: what `/<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^>]*)?\/?>/g`
 * replaces, in one pass. A tag with attributes ends at the first `>` after its name; that `>` is
 * found once and shared by every `<a ` before it (`<a ` × 133,000 with no `>` was quadratic).
 */
export function replaceHtmlTags(line: string): string {
  let i = line.indexOf('<');
  if (i < 0) return line;
  let out = '';
  let from = 0;
  let nextGt = -1; // the first `>` at or after the last position asked about (-1: not looked up yet)
  while (i >= 0) {
    let j = i + 1;
    if (line.charCodeAt(j) === 47) j++; // '/'
    if (isTagNameStart(line.charCodeAt(j))) {
      j++;
      while (j < line.length && isTagNameChar(line.charCodeAt(j))) j++;
      let end = -1;
      if (line[j] === '>') end = j;
      else if (line[j] === '/' && line[j + 1] === '>') end = j + 1;
      else if (j < line.length && JS_SPACE.test(line[j]!)) {
        if (nextGt < j) nextGt = line.indexOf('>', j);
        if (nextGt < 0) break; // no `>` left: no tag can end anywhere after this point
        end = nextGt;
      }
      if (end >= 0) {
        out += line.slice(from, i) + ' ';
        from = end + 1;
        i = line.indexOf('<', from);
        continue;
      }
    }
    i = line.indexOf('<', i + 1);
  }
  return from === 0 ? line : out + line.slice(from);
}

/** A heading's closing `#`s (`## Title ##`), as `/\s+#+\s*$/` removes them, without its backtracking over long runs of spaces. */
function withoutClosingHashes(line: string): string {
  let end = line.length;
  while (end > 0 && JS_SPACE.test(line[end - 1]!)) end--;
  let h = end;
  while (h > 0 && line.charCodeAt(h - 1) === 35) h--;
  if (h === end) return line;
  let start = h;
  while (start > 0 && JS_SPACE.test(line[start - 1]!)) start--;
  return start === h ? line : line.slice(0, start);
}

function decodeEntity(whole: string, name: string): string {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  }
  return NAMED_ENTITIES[name] ?? whole;
}
