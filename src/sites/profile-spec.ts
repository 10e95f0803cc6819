/**
 * Site profiles as data: what a user writes (YAML or JSON, `docs/site-profiles.md`) to teach
 * salvage a new outlet without touching code, and how it becomes a `SiteProfile`. Built-in sites
 * are written in the same shape, so a profile file and a shipped site differ only in where they live.
 */
import { parseDocument } from 'yaml';
import type { SiteProfile } from '../extract/index.js';
import { inlineText, REJECT_REASONS, type NotArticleRule, type RejectReason } from '../extract/index.js';
import { articleIdFromText, genericArticleId } from './generic.js';
import { rememberProfileSource } from './profile-source.js';

/** Element rules by the element's own tag, class or id (fast: no selector engine). */
export interface ElementRulesSpec {
  tags?: string[];
  classes?: string[];
  ids?: string[];
}

/** The declarative profile: every key optional except `id`, `name`, `hosts` and `article_url`. */
export interface SiteProfileSpec {
  /** Short id: lower-case letters, digits and `-`; written as `site:` in every file. */
  id: string;
  /** The outlet's name as its titles spell it (`<title>Headline - NAME</title>`). */
  name: string;
  /** Host names the outlet served from. */
  hosts: string[];
  /**
   * Regular expressions (JavaScript syntax) an article URL matches, tried in order. A named group
   * `id` gives the article id: digits are used as they are; anything else (a slug, an opaque key)
   * becomes a stable number drawn from it. Without the group, the id is drawn from the whole URL.
   */
  article_url: string | string[];
  /** URLs that match `article_url` but are not articles (listing pages, feeds). */
  not_article_url?: string[];
  /** The outlet's UTC offset, `+08:00`: dates are written in the outlet's local time. */
  timezone?: string;
  /** Encoding assumed for pages that declare none and are not valid UTF-8 (`big5`, `gbk`, …). */
  encoding?: string;
  /** Numeric dates `06/02/2019` are day first (Hong Kong, UK) or month first (US); default: undecided. */
  date_order?: 'dmy' | 'mdy';
  /** When the outlet stopped publishing: `YYYY-MM-DD` (end of that day, UTC) or 14 digits. */
  closed?: string;
  /** CDX queries that list the article captures; default: a prefix query per host. */
  cdx?: { url: string; match?: 'exact' | 'prefix' | 'host' | 'domain'; filter?: string[] }[];
  /** CSS selectors, most specific first. */
  selectors?: { body?: string[]; author?: string[]; chrome?: string[]; other_articles?: string[] };
  /** Regions never read (navigation, sidebars, comment widgets). */
  ignore?: ElementRulesSpec;
  /** Where the article part of the page is over: parsing stops at the first such element. */
  ends_at?: ElementRulesSpec;
  /** Section landing paths → category names. */
  categories?: Record<string, string>;
  /** Path of tag pages, a regular expression whose group 1 is the tag. */
  tag_path?: string;
  /** Visible modification time, a regular expression: groups 1 and 2 are `YYYY-MM-DD` and `HH:MM[:SS]`. */
  last_updated_text?: string;
  /** Short paragraphs (< 200 characters) matching one of these are site chrome (promos, boilerplate). */
  chrome_text?: string[];
  /** Pages served at article URLs that are not articles, told by their `<title>`. */
  not_article?: { title: string; reason: RejectReason; only_without_body?: boolean }[];
}

/** Code a built-in site adds to its data (what cannot be said declaratively). */
export type SiteProfileCode = Partial<Pick<SiteProfile, 'articleId' | 'dropChrome'>>;

/** A profile that does not hold together; `path` names the key (`selectors.body[2]`). */
export class ProfileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ProfileError';
  }
}

const SITE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const HOST = /^[a-z0-9.-]+$/i;
const TIMEZONE = /^([+-])(\d{2}):?(\d{2})$/;
const CLOSED_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{14}$/;
/** A promo or boilerplate line is short; a longer paragraph quoting the words is content. */
const MAX_CHROME_TEXT_CHARS = 200;
/** What never closes: captures up to it are all "before the close". */
const NEVER_CLOSED = '99991231235959';
const SPEC_KEYS = new Set([
  'id',
  'name',
  'hosts',
  'article_url',
  'not_article_url',
  'timezone',
  'encoding',
  'date_order',
  'closed',
  'cdx',
  'selectors',
  'ignore',
  'ends_at',
  'categories',
  'tag_path',
  'last_updated_text',
  'chrome_text',
  'not_article',
]);

/** A YAML scalar as text (`+08:00`, `2022-01-04`, a number); a map or list as its JSON, for the error message that follows. */
function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string'))
    throw new ProfileError(path, 'must be a string or a list of strings');
  return list;
}

function regex(source: unknown, path: string): RegExp {
  if (typeof source !== 'string' || source === '')
    throw new ProfileError(path, 'must be a regular expression (a non-empty string)');
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    throw new ProfileError(path, `not a valid regular expression: ${(error as Error).message}`);
  }
}

function elementRules(
  value: unknown,
  path: string,
): { tags?: string[]; classes?: string[]; ids?: string[] } | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new ProfileError(path, 'must be a map with tags, classes and/or ids');
  const out: { tags?: string[]; classes?: string[]; ids?: string[] } = {};
  for (const key of ['tags', 'classes', 'ids'] as const)
    if (value[key] !== undefined) out[key] = stringList(value[key], `${path}.${key}`);
  return out;
}

/** `+08:00` → 480. */
function offsetMinutes(value: string, path: string): number {
  const m = TIMEZONE.exec(value);
  if (!m) throw new ProfileError(path, `must be a UTC offset like +08:00, got ${JSON.stringify(value)}`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60 || Number(m[3]) > 59) throw new ProfileError(path, `${value} is not a real UTC offset`);
  return m[1] === '-' ? -minutes : minutes;
}

function closedTimestamp(value: string, path: string): string {
  if (TIMESTAMP.test(value)) return value;
  const m = CLOSED_DATE.exec(value);
  if (!m) throw new ProfileError(path, `must be YYYY-MM-DD or 14 digits, got ${JSON.stringify(value)}`);
  return `${m[1]}${m[2]}${m[3]}235959`;
}

/** The article id of `url` by the spec's patterns (see `SiteProfileSpec.article_url`). */
function idFromPatterns(include: readonly RegExp[], exclude: readonly RegExp[]): (url: string) => string | undefined {
  return (url) => {
    const trimmed = url.trim();
    for (const pattern of include) {
      const m = pattern.exec(trimmed);
      if (!m) continue;
      if (exclude.some((p) => p.test(trimmed))) return undefined;
      const own = m.groups?.['id'];
      return own === undefined ? genericArticleId(trimmed) : articleIdFromText(own);
    }
    return undefined;
  };
}

function chromeTextDropper(patterns: readonly RegExp[]): NonNullable<SiteProfile['dropChrome']> {
  return (blocks, notes) =>
    blocks.filter((block, i) => {
      if (block.type !== 'paragraph' && block.type !== 'heading') return true;
      const text = inlineText(block.children).trim();
      if (text.length >= MAX_CHROME_TEXT_CHARS || !patterns.some((p) => p.test(text))) return true;
      notes.push(`chrome: dropped block ${i} (chrome_text)`);
      return false;
    });
}

/**
 * A `SiteProfile` from a declarative spec (checked: a wrong key or value is a `ProfileError` naming
 * it). `code` adds what a built-in site must say in code (an author-box remover, say).
 */
export function profileFromSpec(spec: unknown, code: SiteProfileCode = {}): SiteProfile {
  if (!isRecord(spec)) throw new ProfileError('profile', 'must be a map of keys (id, name, hosts, article_url, …)');
  for (const key of Object.keys(spec))
    if (!SPEC_KEYS.has(key)) throw new ProfileError(key, `unknown key; known keys: ${[...SPEC_KEYS].join(', ')}`);
  const { id, name } = spec;
  if (typeof id !== 'string' || !SITE_ID.test(id))
    throw new ProfileError(
      'id',
      'must be lower-case letters, digits and -, at most 40 (it names the site in every file)',
    );
  if (id === 'generic')
    throw new ProfileError('id', '"generic" is the built-in fallback; choose the outlet\'s own name');
  if (typeof name !== 'string')
    throw new ProfileError('name', "must be a string (the outlet's name as its titles spell it)");
  const hosts = stringList(spec['hosts'], 'hosts').map((h, i) => {
    if (!HOST.test(h)) throw new ProfileError(`hosts[${i}]`, `${JSON.stringify(h)} is not a host name`);
    return h.toLowerCase();
  });
  if (hosts.length === 0) throw new ProfileError('hosts', 'must name at least one host');
  if (spec['article_url'] === undefined && !code.articleId)
    throw new ProfileError('article_url', 'is required: a regular expression that article URLs match');
  const include =
    spec['article_url'] === undefined
      ? []
      : stringList(spec['article_url'], 'article_url').map((s, i) => regex(s, `article_url[${i}]`));
  const exclude =
    spec['not_article_url'] === undefined
      ? []
      : stringList(spec['not_article_url'], 'not_article_url').map((s, i) => regex(s, `not_article_url[${i}]`));

  const profile: SiteProfile = { id, name, hosts, articleId: code.articleId ?? idFromPatterns(include, exclude) };
  if (spec['timezone'] !== undefined) profile.utcOffsetMinutes = offsetMinutes(scalar(spec['timezone']), 'timezone');
  if (spec['date_order'] !== undefined) {
    if (spec['date_order'] !== 'dmy' && spec['date_order'] !== 'mdy')
      throw new ProfileError('date_order', 'must be dmy (day first: 06/02/2019 is 6 February) or mdy (month first)');
    profile.dayFirst = spec['date_order'] === 'dmy';
  }
  if (spec['encoding'] !== undefined) {
    const encoding = scalar(spec['encoding']);
    try {
      new TextDecoder(encoding);
    } catch {
      throw new ProfileError(
        'encoding',
        `${JSON.stringify(encoding)} is not an encoding this Node knows (utf-8, big5, gbk, gb18030, shift_jis, …)`,
      );
    }
    profile.defaultEncoding = encoding;
  }

  const selectors = spec['selectors'];
  if (selectors !== undefined) {
    if (!isRecord(selectors))
      throw new ProfileError('selectors', 'must be a map with body, author, chrome and/or other_articles');
    const out: NonNullable<SiteProfile['selectors']> = {};
    const keys = { body: 'body', author: 'author', chrome: 'chrome', other_articles: 'otherArticles' } as const;
    for (const key of Object.keys(selectors)) {
      const target = keys[key as keyof typeof keys];
      if (target === undefined)
        throw new ProfileError(`selectors.${key}`, 'unknown key; known: body, author, chrome, other_articles');
      out[target] = stringList(selectors[key], `selectors.${key}`);
    }
    profile.selectors = out;
  }
  const ignore = elementRules(spec['ignore'], 'ignore');
  if (ignore) profile.ignore = ignore;
  const endsAt = elementRules(spec['ends_at'], 'ends_at');
  if (endsAt) profile.endsAt = endsAt;
  if (spec['categories'] !== undefined) {
    const categories = spec['categories'];
    if (!isRecord(categories) || !Object.values(categories).every((v) => typeof v === 'string'))
      throw new ProfileError('categories', 'must map section paths to category names');
    profile.categoryByPath = categories as Record<string, string>;
  }
  if (spec['tag_path'] !== undefined) profile.tagPath = regex(spec['tag_path'], 'tag_path');
  if (spec['last_updated_text'] !== undefined)
    profile.lastUpdatedText = regex(spec['last_updated_text'], 'last_updated_text');
  if (code.dropChrome) profile.dropChrome = code.dropChrome;
  else if (spec['chrome_text'] !== undefined)
    profile.dropChrome = chromeTextDropper(
      stringList(spec['chrome_text'], 'chrome_text').map((s, i) => regex(s, `chrome_text[${i}]`)),
    );
  if (spec['not_article'] !== undefined) {
    const rules = spec['not_article'];
    if (!Array.isArray(rules)) throw new ProfileError('not_article', 'must be a list of {title, reason}');
    profile.notArticle = rules.map((rule: unknown, i): NotArticleRule => {
      const path = `not_article[${i}]`;
      if (!isRecord(rule)) throw new ProfileError(path, 'must be a map {title, reason, only_without_body}');
      const reason = rule['reason'];
      if (typeof reason !== 'string' || !(REJECT_REASONS as readonly string[]).includes(reason))
        throw new ProfileError(`${path}.reason`, `must be one of ${REJECT_REASONS.join(', ')}`);
      return {
        reason: reason as RejectReason,
        title: regex(rule['title'], `${path}.title`),
        ...(rule['only_without_body'] === true ? { onlyWithoutBody: true } : {}),
      };
    });
  }

  const closedAt = spec['closed'] === undefined ? NEVER_CLOSED : closedTimestamp(scalar(spec['closed']), 'closed');
  const cdx = spec['cdx'];
  let cdxQueries: NonNullable<SiteProfile['rescue']>['cdxQueries'];
  if (cdx === undefined) {
    // The CDX index folds `www.` into the bare host (WAYBACK.md, urlkey): one prefix query per host without it.
    cdxQueries = [...new Set(hosts.map((h) => h.replace(/^www\./, '')))].map((h) => ({
      url: `${h}/`,
      matchType: 'prefix' as const,
    }));
  } else {
    if (!Array.isArray(cdx) || cdx.length === 0)
      throw new ProfileError('cdx', 'must be a list of {url, match, filter}');
    cdxQueries = cdx.map((q: unknown, i) => {
      const path = `cdx[${i}]`;
      if (!isRecord(q) || typeof q['url'] !== 'string' || q['url'] === '')
        throw new ProfileError(path, 'must be a map with a url');
      const match = q['match'];
      if (match !== undefined && match !== 'exact' && match !== 'prefix' && match !== 'host' && match !== 'domain')
        throw new ProfileError(`${path}.match`, 'must be exact, prefix, host or domain');
      return {
        url: q['url'],
        ...(match !== undefined ? { matchType: match } : {}),
        ...(q['filter'] !== undefined ? { filter: stringList(q['filter'], `${path}.filter`) } : {}),
      };
    });
  }
  profile.rescue = { cdxQueries, closedAt };
  rememberProfileSource(profile, spec as unknown as SiteProfileSpec, code); // checked key by key above
  return profile;
}

/** Parse a profile file's text (YAML, which includes JSON); `ProfileError` when it is not a valid profile. */
export function parseProfileFile(text: string): SiteProfile {
  let spec: unknown;
  // parseDocument, not parse: `parse` prints the library's warnings (an unresolved tag, an
  // unsupported %YAML version) to stderr with process.emitWarning. A profile that draws one is
  // a profile that does not say what its author meant: it is refused like any other bad file.
  let warning: string | undefined;
  try {
    const doc = parseDocument(text, { logLevel: 'silent' });
    const error = doc.errors[0];
    if (error) throw error;
    warning = doc.warnings[0]?.message;
    if (warning === undefined) spec = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ProfileError('file', `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (warning !== undefined) throw new ProfileError('file', `questionable YAML: ${warning.split('\n')[0]}`);
  return profileFromSpec(spec);
}
