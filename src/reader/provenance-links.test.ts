/**
 * Issue 12 item 7: `url` / `original_url` come from archive files, which anyone can write. Every
 * URL attribute the reader and the static export write from them must be an absolute http(s)
 * URL; anything else is shown as text. The same hostile list runs through the server reader and
 * export-site.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { buildIndex } from '../search/index.js';
import { exportSite } from '../export/index.js';
import { createReader, type Reader } from './index.js';
import { citations, dublinCoreMeta, newsArticleJsonLd, robustLinkAttributes } from './cite.js';
import { safeExternalUrl } from './markdown-html.js';
import { decodePercent, parseLinkFormat } from '../../test/helpers/link-format.js';

/** Values an archive file may carry in `url` / `original_url` that must never become a link. */
export const HOSTILE_URLS: readonly string[] = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.domain)',
  ' \t javascript:alert(1)',
  '\u0001\u0002javascript:alert(1)',
  '\u0000javascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  'jav&#x09;ascript:alert(1)',
  '&#x6A;avascript:alert(1)',
  '&#X6a;AvAsCrIpT&colon;alert(1)',
  'javascript&#58;alert(1)',
  '\u00a0javascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'DATA:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://evil.example/x',
  '//evil.example/x',
  ' //evil.example/x',
  '/\\evil.example/x',
  '\\\\evil.example\\x',
  '\\/evil.example',
  'https:///evil.example',
  'https:/\\evil.example',
  'http:evil.example',
  'evil.example/x',
  '/article/1/',
  '#top',
  '?q=x',
  '',
  '"><script>alert(1)</script>',
];

/**
 * Absolute http(s) URLs (so links) holding what would end a link-format link, a parameter, an
 * HTTP header or a line if written as they are.
 */
const LINK_FORMAT_HOSTILE: readonly string[] = [
  'https://www.hkcnews.com/article/950/a>b',
  'https://www.hkcnews.com/article/951/"q"',
  'https://www.hkcnews.com/article/952/a b,c;d',
  'https://www.hkcnews.com/article/953/x>;rel="memento";datetime="Mon, 01 Jan 2001 00:00:00 GMT",<https://evil.example/',
  'https://www.hkcnews.com/article/954/a\r\nX-Injected: 1',
  'https://www.hkcnews.com/article/955/中文\u2028<\\|^`{}%',
];
const LINK_FORMAT_ID = 950;

const SAFE_ORIGINAL = 'https://www.hkcnews.com/article/900/safe';
const SAFE_MEMENTO = `https://web.archive.org/web/20210628174710/${SAFE_ORIGINAL}`;

const q = (s: string): string => JSON.stringify(s);

function file(id: number, url: string, original: string): string {
  return `---\ntitle: ${q(`t${id}`)}\ndate: "2020-03-01"\nurl: ${q(url)}\noriginal_url: ${q(original)}\nid: ${q(String(id))}\nsite: "hkcnews"\n---\n\n# t${id}\n\nbody ${id}\n`;
}

/**
 * A link target the pages may carry: an absolute http(s) URL, a same-origin path, a path relative
 * to the page (`../../article/1/`: the static export), or a fragment.
 */
const ALLOWED_TARGET = /^(?:https?:\/\/[^/\\\s]|\/(?![/\\])|(?:\.\.?\/)+|#)/i;
const URL_ATTRIBUTES = [
  'href',
  'src',
  'action',
  'formaction',
  'data-originalurl',
  'cite',
  'poster',
  'srcset',
  'xlink:href',
];

/** Every URL-bearing attribute value of the page, and its JSON-LD / Dublin Core URLs. */
function urlValues(page: string): string[] {
  const { document } = parseHTML(page);
  const out: string[] = [];
  for (const el of document.querySelectorAll('*')) {
    for (const name of URL_ATTRIBUTES) {
      const v = el.getAttribute(name);
      if (v !== null) out.push(v);
    }
  }
  for (const meta of document.querySelectorAll('meta[name^="DC."]')) {
    const name = meta.getAttribute('name') ?? '';
    if (name === 'DC.identifier' || name === 'DC.source') out.push(meta.getAttribute('content') ?? '');
  }
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    const data = JSON.parse(script.textContent ?? '{}') as Record<string, unknown>;
    for (const key of ['url', 'isBasedOn', 'archivedAt']) if (typeof data[key] === 'string') out.push(data[key]);
  }
  return out;
}

function assertNoUnsafeUrl(page: string, what: string): void {
  for (const v of urlValues(page)) assert.match(v, ALLOWED_TARGET, `${what}: ${JSON.stringify(v)}`);
}

let dir: string;
let work: string;
let reader: Reader;
const FIRST_ID = 1;
const SAFE_ID = 900;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'salvage-provenance-'));
  dir = join(work, 'archive');
  const bucket = join(dir, 'articles', '1-1000');
  mkdirSync(bucket, { recursive: true });
  HOSTILE_URLS.forEach((v, i) => writeFileSync(join(bucket, `article_${FIRST_ID + i}.md`), file(FIRST_ID + i, v, v)));
  // Memento hostile, original safe, and the other way round: each link is judged on its own.
  writeFileSync(
    join(bucket, `article_${FIRST_ID + HOSTILE_URLS.length}.md`),
    file(FIRST_ID + HOSTILE_URLS.length, 'javascript:alert(1)', SAFE_ORIGINAL),
  );
  writeFileSync(
    join(bucket, `article_${FIRST_ID + HOSTILE_URLS.length + 1}.md`),
    file(FIRST_ID + HOSTILE_URLS.length + 1, SAFE_MEMENTO, '//evil.example/'),
  );
  writeFileSync(join(bucket, `article_${SAFE_ID}.md`), file(SAFE_ID, SAFE_MEMENTO, SAFE_ORIGINAL));
  LINK_FORMAT_HOSTILE.forEach((v, i) =>
    writeFileSync(
      join(bucket, `article_${LINK_FORMAT_ID + i}.md`),
      file(LINK_FORMAT_ID + i, `https://web.archive.org/web/20210628174710/${v}`, v),
    ),
  );
  const built = buildIndex(dir);
  assert.deepEqual(built.failed, []);
  reader = createReader({ dir });
});
after(() => {
  reader.close();
  rmSync(work, { recursive: true, force: true });
});

const ids = (): number[] =>
  [...HOSTILE_URLS.keys()]
    .map((i) => FIRST_ID + i)
    .concat(FIRST_ID + HOSTILE_URLS.length, FIRST_ID + HOSTILE_URLS.length + 1);

async function readerPage(id: number): Promise<string> {
  const r = await reader.fetch(new Request(`http://localhost/article/${id}/`));
  assert.equal(r.status, 200, `article ${id}`);
  return r.text();
}

describe('provenance links from archive metadata', () => {
  test('safeExternalUrl accepts absolute http(s) URLs only', () => {
    for (const v of HOSTILE_URLS) assert.equal(safeExternalUrl(v), undefined, JSON.stringify(v));
    assert.equal(safeExternalUrl(SAFE_ORIGINAL), SAFE_ORIGINAL);
    assert.equal(safeExternalUrl(` ${SAFE_MEMENTO}\n`), SAFE_MEMENTO);
    assert.equal(safeExternalUrl('HTTP://Example.com/a?b=1#c'), 'HTTP://Example.com/a?b=1#c');
  });

  test('a well-formed memento and original URL are links, with Robust Links attributes', async () => {
    const page = await readerPage(SAFE_ID);
    const { document } = parseHTML(page);
    const links = [...document.querySelectorAll('.provenance a')].map((a) => a.getAttribute('href'));
    assert.deepEqual(links, [SAFE_ORIGINAL, SAFE_MEMENTO]);
    assert.equal(
      document.querySelector('.provenance a[data-originalurl]')?.getAttribute('data-originalurl'),
      SAFE_ORIGINAL,
    );
    assertNoUnsafeUrl(page, 'safe article');
  });

  test('the reader writes no hostile url or original_url into any URL attribute, JSON-LD or Dublin Core, and shows it as text', async () => {
    for (const id of ids()) {
      const page = await readerPage(id);
      assertNoUnsafeUrl(page, `article ${id}`);
      const { document } = parseHTML(page);
      const provenance = document.querySelector('.provenance');
      assert.ok(provenance !== null, `article ${id} has a provenance box`);
      for (const a of provenance.querySelectorAll('a'))
        assert.match(a.getAttribute('href') ?? '', /^https:\/\//, `article ${id}`);
    }
    // Shown as text: the value is there for the reader to see.
    const page = await readerPage(FIRST_ID);
    assert.match(parseHTML(page).document.querySelector('.provenance')?.textContent ?? '', /javascript:alert\(1\)/);
    assert.doesNotMatch(page, /href="\s*javascript:/i);
  });

  test('the mixed article links only its safe half', async () => {
    const mementoBad = parseHTML(await readerPage(FIRST_ID + HOSTILE_URLS.length)).document;
    assert.deepEqual(
      [...mementoBad.querySelectorAll('.provenance a')].map((a) => a.getAttribute('href')),
      [SAFE_ORIGINAL],
    );
    const originalBad = parseHTML(await readerPage(FIRST_ID + HOSTILE_URLS.length + 1)).document;
    assert.deepEqual(
      [...originalBad.querySelectorAll('.provenance a')].map((a) => a.getAttribute('href')),
      [SAFE_MEMENTO],
    );
    assert.equal(originalBad.querySelector('[data-originalurl]'), null);
  });

  test('export-site writes no hostile URL attribute on any article page', async () => {
    const site = join(work, 'site');
    await exportSite(dir, { out: site });
    for (const id of [...ids(), SAFE_ID]) {
      const page = readFileSync(join(site, 'article', String(id), 'index.html'), 'utf8');
      assertNoUnsafeUrl(page, `exported article ${id}`);
    }
    assert.match(
      readFileSync(join(site, 'article', String(SAFE_ID), 'index.html'), 'utf8'),
      new RegExp(`href="${SAFE_ORIGINAL}"`),
    );
  });
});

describe('Memento links from hostile metadata', () => {
  const linkTargets = (text: string): string[] => parseLinkFormat(text).map((l) => l.target);

  test('the Link header and the TimeMap of a hostile url or original_url parse, and link no hostile URL', async () => {
    for (const id of [...ids(), SAFE_ID]) {
      const page = await reader.fetch(new Request(`http://localhost/article/${id}/`));
      const timemap = await reader.fetch(new Request(`http://localhost/article/${id}/timemap.txt`));
      assert.equal(timemap.status, 200, `article ${id}`);
      for (const target of [...linkTargets(page.headers.get('link') ?? ''), ...linkTargets(await timemap.text())])
        assert.match(target, ALLOWED_TARGET, `article ${id}: ${JSON.stringify(target)}`);
    }
    const safe = parseLinkFormat(
      (await reader.fetch(new Request(`http://localhost/article/${SAFE_ID}/`))).headers.get('link') ?? '',
    );
    assert.deepEqual(
      safe.map((l) => l.target),
      [SAFE_ORIGINAL, SAFE_MEMENTO, `/article/${SAFE_ID}/timemap.txt`],
    );
  });

  test('a URL holding ">", quotes, spaces, commas or line breaks stays one link in the header, the TimeMap and the head', async () => {
    for (const [i, url] of LINK_FORMAT_HOSTILE.entries()) {
      const id = LINK_FORMAT_ID + i;
      const r = await reader.fetch(new Request(`http://localhost/article/${id}/`));
      assert.equal(r.status, 200, url);
      const header = parseLinkFormat(r.headers.get('link') ?? '');
      assert.deepEqual(
        header.map((l) => l.rel.join(' ')),
        ['original', 'memento', 'timemap'],
        url,
      );
      // The URL a browser would follow: what safeExternalUrl keeps, as WHATWG URL reads it.
      const href = new URL(safeExternalUrl(url)!).href;
      assert.equal(decodePercent(header[0]!.target), decodePercent(href), url);
      const timemap = parseLinkFormat(
        await (await reader.fetch(new Request(`http://localhost/article/${id}/timemap.txt`))).text(),
      );
      assert.deepEqual(
        timemap.map((l) => l.rel.join(' ')),
        ['original', 'self', 'timegate', 'first last memento'],
        url,
      );
      const { document } = parseHTML(await r.text());
      const head = new URL(document.querySelector('link[rel="original"]')?.getAttribute('href') ?? '').href;
      assert.equal(decodePercent(head), decodePercent(href), url);
      assert.equal(document.querySelectorAll('link[rel="memento"]').length, 1, url);
    }
  });
});

describe('citations from hostile metadata', () => {
  const meta = (url: string) => ({ id: 7, title: 'T', date: '2020-03-01', url, originalUrl: url });

  test('Robust Links attributes, JSON-LD and Dublin Core carry no hostile URL', () => {
    for (const v of HOSTILE_URLS) {
      const m = meta(v);
      const attrs = robustLinkAttributes(m);
      assert.equal(attrs['href'], undefined, JSON.stringify(v));
      assert.equal(attrs['data-originalurl'], undefined, JSON.stringify(v));
      const ld = JSON.parse(newsArticleJsonLd(m)) as Record<string, unknown>;
      for (const key of ['url', 'isBasedOn', 'archivedAt'])
        assert.equal(ld[key], undefined, `${key} ${JSON.stringify(v)}`);
      const dc = dublinCoreMeta(m).filter((d) => d.name === 'DC.identifier' || d.name === 'DC.source');
      assert.deepEqual(dc, [], JSON.stringify(v));
    }
  });

  test('BibTeX gets no url field for a hostile URL and stays balanced; the text citations keep it as text', () => {
    for (const v of [...HOSTILE_URLS, 'javascript:}{\\x', 'https://x.example/}%{\\ ']) {
      const c = citations(meta(v));
      const url = /^ {2}url = \{(.*)\},$/m.exec(c.bibtex)?.[1];
      if (url !== undefined) assert.match(url, /^https?:\/\/[^/\\]/, JSON.stringify(v));
      let depth = 0;
      for (const ch of c.bibtex.replace(/\\[{}]/g, '')) {
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        assert.ok(depth >= 0, `unbalanced: ${c.bibtex}`);
      }
      assert.equal(depth, 0, c.bibtex);
      assert.doesNotMatch(c.apaHtml + c.mlaHtml, /<(?!\/?i>)/, JSON.stringify(v));
    }
  });
});
