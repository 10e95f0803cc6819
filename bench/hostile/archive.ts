/**
 * Hostile archive files (Markdown with YAML frontmatter, as another tool or a careless hand might
 * write them), fed to each step that reads them: `parseArchiveFile`, `buildIndex` (salvage index)
 * on a temporary archive, the reader's article page, and `exportSite` for a few small archives.
 * Issue 12: `<a ` ×133,000 in a body (400 KB) took 25 s to index and blocked the server for 24 s on
 * its page (`<!--` and `{{<` likewise); a 3-million-character title could not be indexed; a date
 * 2020-13-45 made export-site fail; `javascript:`, `data:` and `//evil` URLs became links.
 *
 * Promises checked: a file that is valid YAML is indexed (a refused file is reported, not thrown),
 * and no page has a `javascript:`, `data:`, `vbscript:` or protocol-relative URL in an attribute.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSite } from '../../src/export/index.js';
import { parseArchiveFile } from '../../src/markdown/index.js';
import { createReader } from '../../src/reader/index.js';
import { buildIndex, SEARCH_INDEX_FILE } from '../../src/search/index.js';
import {
  below,
  HAN,
  pick,
  prng,
  type Env,
  type HostileInput,
  type Outcome,
  type Runner,
  type Surface,
} from './common.js';

/** A URL attribute whose value would run script or leave the site's origin unannounced. */
const UNSAFE_ATTRIBUTE =
  /\b(?:href|src|action|formaction|poster|srcset)\s*=\s*["']?\s*(?:javascript:|data:|vbscript:|\/\/)/i;
/** Engine errors: a file that breaks the code, not one the code refused. */
const ENGINE_ERROR = /Maximum call stack|RangeError|TypeError|ReferenceError|Invalid string length|out of memory/i;

interface ArchiveCase {
  name: string;
  /** The file's text. */
  text: () => string;
  /**
   * Valid YAML and FORMAT.md shape, within FORMAT.md's size limits: it must be indexed. Otherwise it
   * may be indexed or refused with a message (a reported, skipped file), never crash.
   */
  valid: boolean;
}

const q = (s: string): string => JSON.stringify(s); // JSON strings are YAML double-quoted strings

/** A FORMAT.md file; `fields` replaces frontmatter lines by key (raw YAML), `body` the Markdown after the heading. */
export function file(
  id: number,
  o: { fields?: Record<string, string>; body?: string; title?: string; raw?: string } = {},
): string {
  const title = o.title ?? `立法會通過條例草案 ${id}`;
  const original = `https://www.hkcnews.com/article/${id}/x`;
  const fields: Record<string, string> = {
    title: q(title),
    date: q('2020-01-02'),
    author: q('記者'),
    category: q('眾聞'),
    tags: `\n  - ${q('立法會')}`,
    url: q(`https://web.archive.org/web/20210628174710/${original}`),
    original_url: q(original),
    id: q(String(id)),
    site: q('hkcnews'),
    captured_at: q('2021-06-28T17:47:10Z'),
    sha256: q('ab'.repeat(32)),
    ...o.fields,
  };
  const yaml = Object.entries(fields)
    .map(([k, v]) => `${k}:${v.startsWith('\n') ? '' : ' '}${v}`)
    .join('\n');
  return `---\n${yaml}\n${o.raw ?? ''}---\n\n# ${title}\n\n${o.body ?? `${HAN.slice(0, 80)}。`}\n`;
}

export function bucketOf(dir: string, id: number): string {
  const lo = Math.floor((id - 1) / 1000) * 1000 + 1;
  return join(dir, 'articles', `${lo}-${lo + 999}`);
}

function unsafeIn(html: string): string | undefined {
  const m = UNSAFE_ATTRIBUTE.exec(html);
  return m ? `unsafe link written: ${html.slice(m.index, m.index + 60)}` : undefined;
}

function cases(quick: boolean): ArchiveCase[] {
  const list: [string, boolean, (id: number) => string][] = [];
  const body = (name: string, make: () => string): void => {
    list.push([name, true, (id) => file(id, { body: make() })]);
  };
  const n = (full: number, small: number): number => (quick ? small : full);

  body('plain article (baseline)', () => `${HAN.slice(0, 200)}。`);
  // Pathological bodies (the reproductions: `<a ` ×133,000 = 400 KB; `<!--`, `{{<`).
  for (const unit of [
    '<a ',
    '<!--',
    '{{<',
    '<a href="',
    '<figure>',
    '<img ',
    '<',
    '[',
    '](',
    '![',
    '*',
    '_',
    '`',
    '> ',
    '\\',
    '&',
    '<br>',
    '|',
  ]) {
    for (const count of quick ? [133_000] : [1000, 10_000, 133_000, 400_000]) {
      body(
        `body of ${count.toLocaleString('en')} × ${JSON.stringify(unit)}${unit === '<a ' && count === 133_000 ? ' (issue 12)' : ''}`,
        () => unit.repeat(count),
      );
    }
  }
  body('body of 100,000 nested blockquotes', () => '> '.repeat(100_000) + 'x');
  body('body of 50,000 nested list items', () =>
    Array.from({ length: 50_000 }, (_, i) => `${'  '.repeat(i % 200)}- x`).join('\n'),
  );
  body('body of 100,000 table rows', () => `| a | b |\n|---|---|\n${'| 1 | 2 |\n'.repeat(100_000)}`);
  body('body of one 100,000-column table row', () => `${'| a '.repeat(100_000)}|\n${'|---'.repeat(100_000)}|`);
  body('body of 100,000 links', () => '[x](https://example.com/a) '.repeat(100_000));
  body('body of 50,000 figures', () =>
    '<figure>\n<img src="https://web.archive.org/web/2021im_/https://a.com/a.jpg" alt="">\n<figcaption>c</figcaption>\n</figure>\n\n'.repeat(
      50_000,
    ),
  );
  body('body of 5 MB of text', () => HAN.repeat(Math.ceil(5e6 / 3 / HAN.length)));
  body('body of one 5 MB word', () => 'x'.repeat(5e6));
  body('body of 1,000,000 lines', () => 'x\n'.repeat(1_000_000));
  body(
    'body with javascript: and data: links',
    () =>
      '[a](javascript:alert(1)) [b](data:text/html,<script>x</script>) [c](//evil.example/) <a href="javascript:alert(1)">d</a> ![e](javascript:x)',
  );
  body(
    'body with raw <script> and event handlers',
    () => '<script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)>',
  );
  // Titles and other values.
  for (const chars of quick ? [100_000, 3_000_000] : [10_000, 100_000, 1_000_000, 3_000_000]) {
    // Past 1 MiB of frontmatter (FORMAT.md's limit) a file may be refused with a message.
    list.push([
      `title of ${chars.toLocaleString('en')} characters${chars === 3_000_000 ? ' (issue 12)' : ''}`,
      chars * 3 < 2 ** 20,
      (id) => file(id, { title: '標'.repeat(chars) }),
    ]);
  }
  list.push([
    'author of 1,000,000 characters',
    false,
    (id) => file(id, { fields: { author: q('作'.repeat(1_000_000)) } }),
  ]);
  list.push([
    'category of 1,000,000 characters',
    false,
    (id) => file(id, { fields: { category: q('類'.repeat(1_000_000)) } }),
  ]);
  list.push([
    `${n(100_000, 10_000).toLocaleString('en')} tags`,
    quick,
    (id) =>
      file(id, {
        fields: { tags: Array.from({ length: n(100_000, 10_000) }, (_, i) => `\n  - ${q(`t${i}`)}`).join('') },
      }),
  ]);
  list.push([
    'a tag of 1,000,000 characters',
    false,
    (id) => file(id, { fields: { tags: `\n  - ${q('標'.repeat(1_000_000))}` } }),
  ]);
  // YAML: deep, huge, hostile constructs.
  for (const depth of quick ? [10_000] : [1000, 10_000, 100_000]) {
    list.push([
      `tags nested ${depth} flow lists`,
      false,
      (id) => file(id, { fields: { tags: `${'['.repeat(depth)}${']'.repeat(depth)}` } }),
    ]);
    list.push([
      `extra key nested ${depth} flow maps`,
      false,
      (id) => file(id, { raw: `extra: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n` }),
    ]);
    list.push([
      `extra key nested ${depth} block maps`,
      false,
      (id) =>
        file(id, {
          raw: `extra:\n${Array.from({ length: Math.min(depth, 10_000) }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`,
        }),
    ]);
  }
  list.push([
    'billion laughs aliases',
    false,
    (id) =>
      file(id, {
        raw: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n`,
      }),
  ]);
  list.push(['a 5 MB block scalar', false, (id) => file(id, { raw: `note: |\n${'  line\n'.repeat(800_000)}` })]);
  list.push([
    `${n(100_000, 10_000).toLocaleString('en')} extra keys`,
    quick,
    (id) => file(id, { raw: Array.from({ length: n(100_000, 10_000) }, (_, i) => `k${i}: v\n`).join('') }),
  ]);
  list.push(['duplicate title keys', false, (id) => file(id, { raw: 'title: "again"\n' })]);
  list.push([
    'YAML tags !!binary and !!js/function',
    false,
    (id) => file(id, { raw: 'x: !!binary AAAA\ny: !!js/function "function(){}"\n' }),
  ]);
  list.push(['unterminated quote', false, (id) => file(id, { fields: { title: '"never closed' } })]);
  list.push(['tab indentation', false, (id) => file(id, { fields: { tags: '\n\t- "a"' } })]);
  list.push(['no closing ---', false, (id) => file(id).replace(/\n---\n\n#/, '\n\n#')]);
  list.push(['no frontmatter', false, () => `# 標題\n\n${HAN}\n`]);
  list.push(['BOM and CRLF', true, (id) => `\ufeff${file(id).replace(/\n/g, '\r\n')}`]);
  list.push(['NUL bytes in values', true, (id) => file(id, { fields: { author: q('a\u0000b') } })]);
  list.push(['title is a list', false, (id) => file(id, { fields: { title: '\n  - "a"\n  - "b"' } })]);
  list.push(['title is a number', false, (id) => file(id, { fields: { title: '12345' } })]);
  list.push(['tags is a map', false, (id) => file(id, { fields: { tags: '\n  a: 1' } })]);
  // Dates (the issue: 2020-13-45 broke export-site).
  for (const date of [
    '2020-13-45',
    '2020-02-30',
    '0000-00-00',
    '9999-99-99',
    '2020-1-1',
    '2020-13-45T99:99:99',
    'yesterday',
    '',
    '-0001-01-01',
    '20201345',
    '2020-01-01\u0000',
  ]) {
    list.push([`date ${q(date)}`, true, (id) => file(id, { fields: { date: q(date) } })]);
    list.push([`last_updated ${q(date)}`, true, (id) => file(id, { fields: { last_updated: q(date) } })]);
  }
  list.push(['date is a YAML timestamp', true, (id) => file(id, { fields: { date: '2020-01-02' } })]);
  list.push([
    'captured_at 2020-13-45T99:99:99Z',
    true,
    (id) => file(id, { fields: { captured_at: q('2020-13-45T99:99:99Z') } }),
  ]);
  // Provenance URLs (the issue: they became javascript:, data: and //evil links).
  for (const url of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example/x',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'https://x.example/"><script>alert(1)</script>',
    `https://x.example/${'a'.repeat(60_000)}`,
    'https://x.example/a\nb',
    '\\\\evil.example\\x',
    'https:evil.example',
  ]) {
    list.push([`original_url ${q(url.slice(0, 40))}`, true, (id) => file(id, { fields: { original_url: q(url) } })]);
    list.push([`url ${q(url.slice(0, 40))}`, true, (id) => file(id, { fields: { url: q(url) } })]);
  }
  list.push(['id that does not match the file', true, (id) => file(id, { fields: { id: q('99999999999999999999') } })]);
  list.push(['id "../../etc"', true, (id) => file(id, { fields: { id: q('../../etc') } })]);
  list.push(['site of 100,000 characters', true, (id) => file(id, { fields: { site: q('s'.repeat(100_000)) } })]);
  // Random mixes: hostile pieces in the body and values.
  const rand = prng(21);
  const pieces = [
    '<a ',
    '<!--',
    '{{<',
    '[',
    '](',
    '*',
    '_',
    '`',
    '<figure>',
    '> ',
    '\n',
    '\n\n',
    '|',
    '#',
    '<',
    '&',
    '\\',
    'javascript:',
    '](javascript:x)',
    '<script>',
    '\u0000',
    '\ufeff',
    '---\n',
  ];
  for (let k = 0; k < (quick ? 5 : 40); k++) {
    const seed = below(rand, 2 ** 31);
    const size = 1000 * 2 ** below(rand, 10);
    list.push([
      `random body mix ${k + 1} (${size >= 1e6 ? `${(size / 1e6).toFixed(1)} MB` : `${size / 1000} KB`})`,
      true,
      (id) => {
        const r = prng(seed);
        const parts: string[] = [];
        for (let len = 0; len < size;) {
          const p = r() < 0.3 ? HAN.slice(below(r, 100), 100 + below(r, 100)) : pick(r, pieces);
          parts.push(p);
          len += p.length;
        }
        return file(id, { body: parts.join('') });
      },
    ]);
  }
  return list.map(([name, valid, make], i) => ({ name, valid, text: () => make(1001 + i) }));
}

export const archiveSurface: Surface = {
  name: 'archive',
  entry: 'parseArchiveFile, buildIndex (salvage index), the reader article page, exportSite',
  inputs(env: Env) {
    const out: HostileInput[] = [];
    // Each file in an archive of its own: its index and page times are its own, not the earlier files'.
    const dirOf = (id: number): string => join(env.work, `archive-${id}`);
    const write = (id: number, text: string): void => {
      const bucket = bucketOf(dirOf(id), id);
      mkdirSync(bucket, { recursive: true });
      writeFileSync(join(bucket, `article_${id}.md`), text);
    };
    cases(env.quick).forEach((c, i) => {
      const id = 1001 + i;
      const dir = dirOf(id);
      out.push({
        name: `${c.name} [parse]`,
        prepare: (): Runner => {
          const text = c.text();
          return {
            run: () => {
              parseArchiveFile(text, `article_${id}.md`);
            },
          };
        },
      });
      out.push({
        name: `${c.name} [index]`,
        ...(c.name.includes('(issue 12)') && c.name.startsWith('body') ? { bound: { ms: 1000 } } : {}),
        prepare: (): Runner => {
          rmSync(dir, { recursive: true, force: true });
          write(id, c.text());
          return {
            run: (): Outcome => {
              const progress = buildIndex(dir);
              const failed = progress.failed.find((f) => f.path.endsWith(`article_${id}.md`));
              if (failed === undefined) return { verdict: 'ok' };
              if (ENGINE_ERROR.test(failed.message))
                return { verdict: 'crash', detail: `index: ${failed.message.slice(0, 200)}` };
              return c.valid
                ? { verdict: 'wrong', detail: `a valid file was not indexed: ${failed.message.slice(0, 200)}` }
                : { verdict: 'ok', detail: `not indexed: ${failed.message.slice(0, 200)}` };
            },
          };
        },
      });
      out.push({
        name: `${c.name} [page]`,
        prepare: (): Runner => {
          // After a restart (the index step crashed or timed out) there is no index: nothing to render.
          if (!existsSync(join(dir, SEARCH_INDEX_FILE)))
            return { run: (): Outcome => ({ verdict: 'ok', detail: 'skipped: the index step did not finish' }) };
          const reader = createReader({ dir });
          return {
            run: async (): Promise<Outcome> => {
              const response = await reader.respond('GET', `/article/${id}/`);
              if (response.status >= 500) return { verdict: 'crash', detail: `HTTP ${response.status}` };
              const html = Buffer.from(response.body ?? new Uint8Array()).toString('utf8');
              const unsafe = unsafeIn(html);
              return unsafe
                ? { verdict: 'wrong', detail: unsafe }
                : { verdict: 'ok', ...(response.status !== 200 ? { detail: `HTTP ${response.status}` } : {}) };
            },
            cleanup: () => {
              reader.close();
              rmSync(dir, { recursive: true, force: true });
            },
          };
        },
      });
    });
    // export-site of small archives holding one hostile article among good ones.
    const exportCases: [string, Record<string, string>][] = [
      ['date 2020-13-45 (issue 12)', { date: q('2020-13-45') }],
      ['date 2020-02-30', { date: q('2020-02-30') }],
      ['date 0000-00-00', { date: q('0000-00-00') }],
      ['last_updated 2020-13-45', { last_updated: q('2020-13-45') }],
      ['original_url javascript:', { original_url: q('javascript:alert(1)') }],
      ['url data:', { url: q('data:text/html,<script>alert(1)</script>') }],
      ['original_url //evil.example', { original_url: q('//evil.example/x') }],
      ['category "../.."', { category: q('../..') }],
    ];
    for (const [label, fields] of exportCases) {
      out.push({
        name: `export-site with ${label}`,
        prepare: (): Runner => {
          const small = join(env.work, `export-${label.replace(/\W+/g, '-')}`);
          rmSync(small, { recursive: true, force: true });
          for (const id of [1, 2, 3]) {
            const bucket = bucketOf(small, id);
            mkdirSync(bucket, { recursive: true });
            writeFileSync(join(bucket, `article_${id}.md`), file(id, id === 2 ? { fields } : {}));
          }
          buildIndex(small);
          const site = join(small, 'site');
          return {
            run: async (): Promise<Outcome> => {
              await exportSite(small, { out: site, concurrency: 2 });
              for (const page of walk(site)) {
                if (!page.endsWith('.html')) continue;
                const unsafe = unsafeIn(readFileSync(page, 'utf8'));
                if (unsafe) return { verdict: 'wrong', detail: `${page.slice(site.length)}: ${unsafe}` };
              }
              return { verdict: 'ok' };
            },
            cleanup: () => rmSync(small, { recursive: true, force: true }),
          };
        },
      });
    }
    return out;
  },
};

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
