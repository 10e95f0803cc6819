/**
 * Hostile HTML pages, fed to what `salvage extract` and `salvage archive` run on every capture:
 * `extractCapture` (decode, parse, metadata, body, validation) and, when it yields an article,
 * `renderArticle` (the archive file's text). Issue 12: 200,000 nested `<div>`s took 44.6 s, and the
 * 20 MiB page limit allowed hours; a 3-million-character title took 1.4 GB; one invalid byte turned
 * a UTF-8 page into mojibake, a UTF-16 page with BOM was rejected.
 */
import { extractCapture } from '../../src/extract/index.js';
import { renderArticle } from '../../src/markdown/index.js';
import { siteFor } from '../../src/sites/index.js';
import { below, HAN, pick, prng, randomBytes, type HostileInput, type Surface } from './common.js';

const MIB = 1024 * 1024;
/** The default `--max-page-mb` (DEFAULT_EXTRACT_OPTIONS.maxPageBytes). */
const MAX_PAGE_BYTES = 20 * MIB;
const URLS = ['https://news.example.com/2020/01/02/story-123.html', 'https://www.hkcnews.com/article/12345/x'] as const;
const TIMESTAMP = '20210628174710';

/** Where the hostile part goes: the article body (what extraction reads most), the head, or before the article. */
type Place = 'body' | 'head' | 'before';

function page(hostile: string, place: Place, charset = 'utf-8'): string {
  const text = '<p>香港眾新聞報道，立法會今日三讀通過條例草案，多名議員發言。</p>'.repeat(3);
  return (
    `<!DOCTYPE html><html><head><meta charset="${charset}"><title>立法會通過條例草案 | 新聞</title>` +
    `<meta property="og:title" content="立法會通過條例草案"><meta property="article:published_time" content="2020-01-02T10:00:00+08:00">` +
    `${place === 'head' ? hostile : ''}</head><body>${place === 'before' ? hostile : ''}<article><h1>立法會通過條例草案</h1>` +
    `<div class="article-body" itemprop="articleBody">${text}${place === 'body' ? hostile : ''}${text}</div></article></body></html>`
  );
}

/** The CLI's path for one capture: extract, then render the archive file when it is an article. */
function extract(payload: Uint8Array, url: string, contentType?: string): void {
  const result = extractCapture(
    { payload, url, timestamp: TIMESTAMP, httpStatus: 200, ...(contentType !== undefined ? { contentType } : {}) },
    siteFor(url),
    { maxPageBytes: MAX_PAGE_BYTES },
  );
  if (result.ok) renderArticle(result.article, { frontmatter: 'full' });
}

const NEST_TAGS = [
  'div',
  'span',
  'b',
  'i',
  'a',
  'em',
  'font',
  'section',
  'blockquote',
  'ul><li',
  'table><tr><td',
  'p',
  'svg',
  'math',
  'template',
  'select',
  'object',
  'li',
  'figure',
  'q',
];

export const htmlSurface: Surface = {
  name: 'html',
  entry: 'extractCapture + renderArticle (src/extract, src/markdown)',
  inputs(env) {
    const out: HostileInput[] = [];
    const bytes = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
    /** `make` builds the page lazily (untimed); URL alternates between the generic and hkcnews site. */
    const add = (
      name: string,
      make: () => string | Uint8Array,
      options: { alone?: boolean; ms?: number; contentType?: string; url?: string } = {},
    ): void => {
      const url = options.url ?? URLS[out.length % URLS.length]!;
      out.push({
        name,
        ...(options.alone ? { alone: true } : {}),
        ...(options.ms !== undefined ? { bound: { ms: options.ms } } : {}),
        prepare: () => {
          const payload = bytes(make());
          return { run: () => extract(payload, url, options.contentType) };
        },
      });
    };
    const big = (n: number, quickN: number): number => (env.quick ? quickN : n);

    // Deep nesting: the reproduction (200,000 <div>s), other depths and tags, closed or not, in each place.
    add('200,000 nested <div> (issue 12)', () => page('<div>'.repeat(200_000) + 'x', 'body'), {
      alone: true,
      ms: 5000,
    });
    add('200,000 nested <div> closed', () => page('<div>'.repeat(200_000) + 'x' + '</div>'.repeat(200_000), 'body'), {
      alone: true,
      ms: 5000,
    });
    for (const depth of env.quick ? [1000, 50_000] : [1000, 50_000, 100_000]) {
      for (const place of ['body', 'before', 'head'] as const)
        add(`${depth} nested <div> in ${place}`, () => page('<div>'.repeat(depth), place));
    }
    if (!env.quick) add('500,000 nested <div> in body', () => page('<div>'.repeat(500_000), 'body'), { alone: true });
    add(
      '4,000,000 nested <div> (20 MiB)',
      () => page('<div>'.repeat(Math.floor((MAX_PAGE_BYTES - 2000) / 5)), 'body'),
      { alone: true },
    );
    for (const tag of NEST_TAGS) {
      const [open, close] = [
        tag
          .split('><')
          .map((t) => `<${t}>`)
          .join(''),
        tag
          .split('><')
          .reverse()
          .map((t) => `</${t}>`)
          .join(''),
      ];
      const depth = big(50_000, 20_000);
      add(`${depth} nested <${tag}>`, () => page(open.repeat(depth) + 'x', 'body'));
      add(`${depth} nested <${tag}> closed`, () => page(open.repeat(depth) + 'x' + close.repeat(depth), 'body'));
    }
    add('100,000 nested mixed tags', () => {
      const r = prng(1);
      let s = '';
      for (let i = 0; i < 100_000; i++) s += `<${pick(r, ['div', 'span', 'b', 'section', 'a href="/x"'])}>`;
      return page(s, 'body');
    });

    // Many siblings.
    const siblings: [string, string, number][] = [
      ['<p>x</p>', '1M <p> siblings', 1_000_000],
      ['<br>', '2M <br>', 2_000_000],
      ['<img src="/a.jpg" alt="a">', '200,000 <img>', 200_000],
      ['<a href="https://example.com/x">x</a> ', '200,000 links', 200_000],
      ['<h2>x</h2>', '200,000 <h2>', 200_000],
      ['<li>x', '300,000 unclosed <li>', 300_000],
      ['<script>1</script>', '200,000 <script>', 200_000],
      ['<figure><img src="/a.jpg"><figcaption>c</figcaption></figure>', '100,000 figures', 100_000],
      ['<tr><td>1</td><td>2</td></tr>', '100,000 table rows', 100_000],
      ['<iframe src="https://www.youtube.com/embed/x"></iframe>', '100,000 iframes', 100_000],
    ];
    for (const [unit, label, n] of siblings)
      add(
        label,
        () =>
          page(
            `<table>`.repeat(unit.startsWith('<tr') ? 1 : 0) + unit.repeat(env.quick ? Math.floor(n / 10) : n),
            'body',
          ),
        { alone: !env.quick },
      );

    // Huge attributes, text nodes, titles, metadata.
    for (const mb of env.quick ? [1] : [1, 5, 15]) {
      add(`attribute of ${mb} MiB`, () => page(`<div class="${'a'.repeat(mb * MIB)}">x</div>`, 'body'), {
        alone: mb > 1,
      });
      add(`href of ${mb} MiB`, () => page(`<a href="https://example.com/${'a'.repeat(mb * MIB)}">x</a>`, 'body'), {
        alone: mb > 1,
      });
      add(
        `text node of ${mb} MiB (CJK)`,
        () => page(`<p>${HAN.repeat(Math.ceil((mb * MIB) / 3 / HAN.length)).slice(0, (mb * MIB) / 3)}</p>`, 'body'),
        { alone: mb > 1 },
      );
      add(`one word of ${mb} MiB`, () => page(`<p>${'x'.repeat(mb * MIB)}</p>`, 'body'), { alone: mb > 1 });
      add(`<title> of ${mb} MiB`, () => page(`<title>${'標'.repeat((mb * MIB) / 3)}</title>`, 'head'), {
        alone: mb > 1,
      });
    }
    add('100,000 attributes on one element', () =>
      page(`<div ${Array.from({ length: 100_000 }, (_, i) => `a${i}="v"`).join(' ')}>x</div>`, 'body'),
    );
    add(
      '3,000,000-character og:title (issue 12)',
      () => page(`<meta property="og:title" content="${'標'.repeat(3_000_000)}">`, 'head'),
      { alone: true },
    );
    add('3,000,000-character <h1>', () => page(`<h1>${'標'.repeat(3_000_000)}</h1>`, 'body'), { alone: true });
    add('1,000,000-character author', () => page(`<meta name="author" content="${'作'.repeat(1_000_000)}">`, 'head'));
    add('100,000 keyword tags', () =>
      page(`<meta name="keywords" content="${Array.from({ length: 100_000 }, (_, i) => `t${i}`).join(',')}">`, 'head'),
    );
    add('100,000 meta tags', () => page('<meta property="article:tag" content="x">'.repeat(100_000), 'head'));

    // Issue 13's signals: labelled lines, hashtags, captions, srcset, breadcrumbs, JSON-LD references.
    const n13 = big(100_000, 20_000);
    add(`${n13} labelled tag lines (issue 13)`, () => page('標籤：a<br>'.repeat(n13), 'body'));
    add(`${n13} hashtags in one element (issue 13)`, () => page(`<p>${'#a <span></span>'.repeat(n13)}</p>`, 'body'));
    add('3,000 bylines then 200,000 empty spans (issue 13)', () =>
      page(`<p>${'作者：'.repeat(3000)}${'<span></span>'.repeat(env.quick ? 20_000 : 200_000)}</p>`, 'body'),
    );
    add(`figure with ${n13} <small> captions (issue 13)`, () =>
      page(`<figure><img src="/a.jpg">${'<small>c</small>'.repeat(n13)}</figure>`, 'body'),
    );
    add('srcset of 1,000,000 candidates (issue 13)', () =>
      page(`<img srcset="${'a.jpg 1w, '.repeat(env.quick ? 100_000 : 1_000_000)}">`, 'body'),
    );
    add(`breadcrumb of ${n13} items (issue 13)`, () =>
      page(`<ol class="breadcrumb">${'<li>x</li>'.repeat(n13)}</ol>`, 'body'),
    );
    add(
      `${n13} photo tables with captions (issue 13)`,
      () =>
        page(
          '<table><tr><td><a href="/b.jpg"><img src="/a.jpg"></a></td></tr><tr><td>c</td></tr></table>'.repeat(n13),
          'body',
        ),
      { alone: !env.quick },
    );

    // JSON-LD: many blocks, one huge, deeply nested, hostile values.
    const ld = (o: unknown): string => `<script type="application/ld+json">${JSON.stringify(o)}</script>`;
    const article = {
      '@type': 'NewsArticle',
      headline: '立法會通過條例草案',
      datePublished: '2020-01-02T10:00:00+08:00',
      author: { '@type': 'Person', name: '記者' },
    };
    for (const n of env.quick ? [100, 1000] : [100, 1000, 10_000])
      add(`${n} JSON-LD blocks`, () => page(ld(article).repeat(n), 'head'));
    add('JSON-LD of 10 MiB', () => page(ld({ ...article, articleBody: 'x'.repeat(10 * MIB) }), 'head'), {
      alone: true,
    });
    for (const depth of [1000, 100_000, 1_000_000]) {
      add(`JSON-LD nested ${depth} arrays`, () =>
        page(`<script type="application/ld+json">${'['.repeat(depth)}${']'.repeat(depth)}</script>`, 'head'),
      );
      add(`JSON-LD nested ${depth} objects`, () =>
        page(`<script type="application/ld+json">${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}</script>`, 'head'),
      );
    }
    add('JSON-LD @graph of 100,000 items', () =>
      page(ld({ '@graph': Array.from({ length: 100_000 }, () => article) }), 'head'),
    );
    add(
      'JSON-LD headline of 3,000,000 characters',
      () => page(ld({ ...article, headline: '標'.repeat(3_000_000) }), 'head'),
      { alone: true },
    );
    add('JSON-LD with bad dates', () =>
      page(ld({ ...article, datePublished: '2020-13-45T99:99:99Z', dateModified: '99999-01-01' }), 'head'),
    );
    add('JSON-LD unterminated', () =>
      page(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"${'x'.repeat(100_000)}`, 'head'),
    );
    add('JSON-LD author list of 100,000', () =>
      page(ld({ ...article, author: Array.from({ length: 100_000 }, (_, i) => ({ name: `a${i}` })) }), 'head'),
    );

    // Encodings.
    const utf8 = Buffer.from(page(`<p>${HAN.repeat(20)}</p>`, 'body'));
    const withByte = (b: Buffer, at: number, byte: number): Buffer => {
      const c = Buffer.from(b);
      c[at] = byte;
      return c;
    };
    add('UTF-8 page with one invalid byte', () => withByte(utf8, utf8.length - 200, 0xff));
    add('UTF-8 page with an invalid byte in the title', () => withByte(utf8, utf8.indexOf('<title>') + 8, 0xc0));
    add('UTF-8 page with 1% invalid bytes', () => {
      const c = Buffer.from(utf8);
      const r = prng(2);
      for (let i = 0; i < c.length / 100; i++) c[below(r, c.length)] = 0x80 + below(r, 64);
      return c;
    });
    add('UTF-8 page cut mid-character', () => utf8.subarray(0, utf8.indexOf(Buffer.from(HAN.slice(5, 6))) + 1));
    const bom16le = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(page(`<p>${HAN}</p>`, 'body', 'utf-16'), 'utf16le'),
    ]);
    const bom16be = Buffer.from(bom16le).swap16();
    add('UTF-16LE with BOM', () => bom16le);
    add('UTF-16BE with BOM', () => bom16be);
    add('UTF-16LE without BOM', () => bom16le.subarray(2));
    add('UTF-16LE with BOM, odd length', () => bom16le.subarray(0, bom16le.length - 1));
    add('UTF-16LE BOM, header says UTF-8', () => bom16le, { contentType: 'text/html; charset=utf-8' });
    add('UTF-8 BOM, meta says big5', () =>
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page(`<p>${HAN}</p>`, 'body', 'big5'))]),
    );
    // 中文新聞 in Big5 (A4A4 A4E5 B773 BB44), 2,000 times, inside a page that declares UTF-8.
    const big5 = Buffer.from(
      Array.from({ length: 2000 }, () => [0xa4, 0xa4, 0xa4, 0xe5, 0xb7, 0x73, 0xbb, 0x44]).flat(),
    );
    add('Big5 bytes under a UTF-8 declaration', () => {
      const [head, tail] = page('@@', 'body').split('@@') as [string, string];
      return Buffer.concat([Buffer.from(head), big5, Buffer.from(tail)]);
    });
    add('UTF-32 BOM', () => Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from(page('', 'body'), 'utf16le')]));
    for (const charset of [
      'bogus',
      'x'.repeat(100_000),
      'utf-7',
      'utf-16',
      'iso-2022-jp',
      'replacement',
      'gb18030',
      'shift_jis',
      'windows-1252',
      '',
      '"><script>',
    ]) {
      add(`meta charset ${JSON.stringify(charset.slice(0, 20))}`, () => page(`<p>${HAN}</p>`, 'body', charset));
      add(`header charset ${JSON.stringify(charset.slice(0, 20))}`, () => page(`<p>${HAN}</p>`, 'body'), {
        contentType: `text/html; charset=${charset}`,
      });
    }
    add('NUL bytes throughout', () => page('\u0000'.repeat(100_000), 'body'));
    add('lone surrogates and huge entities', () =>
      page('&#xD800;&#xDFFF;&#99999999999;&#0;&#x110000;'.repeat(20_000), 'body'),
    );
    add('1M entities', () => page('&amp;&lt;&nbsp;&#20013;'.repeat(250_000), 'body'));
    // Entities are decoded per run of text (dom.ts): runs that join one node across unbuilt elements
    // must not copy the node's text each time (quadratic before 2026-12-07's fix).
    add('200,000 entity runs joined past MAX_ELEMENTS', () =>
      page('<i>x</i>'.repeat(100_001) + '<p>a&amp;b'.repeat(200_000), 'body'),
    );
    add('500,000 entity runs joined across ignored scripts', () =>
      page(`<p>${'a&amp;<script>x</script>'.repeat(500_000)}</p>`, 'body'),
    );
    add('CR-only line endings', () => page('<p>a\rb</p>\r'.repeat(100_000), 'body'));
    add('random bytes 1 MiB', () => randomBytes(prng(3), MIB));
    add('random bytes 1 MiB as text/html; charset=utf-16', () => randomBytes(prng(4), MIB), {
      contentType: 'text/html; charset=utf-16',
    });
    add('gzip bytes served as HTML', () =>
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), randomBytes(prng(5), 100_000)]),
    );
    add('empty page', () => '');

    // Comments, raw text, odd constructs.
    add('1M unclosed <!--', () => page('<!--'.repeat(1_000_000), 'body'), { alone: !env.quick });
    add('500,000 comments', () => page('<!-- x -->'.repeat(500_000), 'body'));
    add('unclosed <script> of 15 MiB', () => page(`<script>${'var a=1;'.repeat((15 * MIB) / 8)}`, 'body'), {
      alone: true,
    });
    add('unclosed <style> of 5 MiB', () => page(`<style>${'a{b:c}'.repeat((5 * MIB) / 6)}`, 'head'), { alone: true });
    add('1M <![CDATA[', () => page('<![CDATA['.repeat(1_000_000), 'body'), { alone: !env.quick });
    add('500,000 <? processing instructions', () => page('<?x ?>'.repeat(500_000), 'body'));
    add('unclosed attribute quote', () => page(`<div class="${'x '.repeat(1_000_000)}`, 'body'));
    add('1M < characters', () => page('<'.repeat(1_000_000), 'body'));
    add('1M &', () => page('&'.repeat(1_000_000), 'body'));

    // The page-size limit: just under, at and over 20 MiB; far over.
    const fill = (n: number): string => {
      const base = page('', 'body');
      return base.replace(
        '</article>',
        `<p>${'香港新聞 '.repeat(Math.max(0, Math.floor((n - base.length - 10) / 13)))}</p></article>`,
      );
    };
    add(
      '20 MiB of paragraphs',
      () => {
        const s = '<p>香港眾新聞報道立法會今日三讀通過條例草案</p>';
        return page(s.repeat(Math.floor((MAX_PAGE_BYTES - 3000) / Buffer.byteLength(s))), 'body');
      },
      { alone: true },
    );
    add('page just under 20 MiB of text', () => fill(MAX_PAGE_BYTES - 100), { alone: true });
    add('page just over 20 MiB', () => fill(MAX_PAGE_BYTES + 100), { alone: true });
    add('page of 100 MiB', () => Buffer.alloc(100 * MIB, 0x61), { alone: true });

    // Random mixes of the above, 1 KB to 2 MB, in every place.
    const rand = prng(7);
    const pieces = [
      '<div>',
      '</div>',
      '<span>',
      '<p>',
      '</p>',
      '<a href="javascript:alert(1)">',
      '<a href="//evil.example/">',
      '<img src="data:image/png;base64,AAAA">',
      '<!--',
      '-->',
      '<script>',
      '</script>',
      '<table>',
      '<td>',
      '&#xD800;',
      '&amp;',
      '\u0000',
      '{{<',
      '<h1>',
      '<meta charset="big5">',
      '<base href="javascript:x">',
      '<svg><foreignObject>',
      '<math><mi>',
      '<noscript>',
      '<iframe src="https://www.youtube.com/embed/x">',
      '"',
      "'",
      '<br>',
      '<figure>',
      '<figcaption>',
    ];
    for (let k = 0; k < (env.quick ? 20 : 120); k++) {
      const size = 1000 * 2 ** below(rand, 12);
      const place = pick(rand, ['body', 'head', 'before'] as const);
      const seed = below(rand, 2 ** 31);
      add(
        `random mix ${k + 1} (${size >= 1e6 ? `${(size / 1e6).toFixed(1)} MB` : `${size / 1000} KB`}, ${place})`,
        () => {
          const r = prng(seed);
          const parts: string[] = [];
          let n = 0;
          while (n < size) {
            const p = r() < 0.3 ? HAN.slice(below(r, HAN.length - 10), below(r, HAN.length)) : pick(r, pieces);
            parts.push(p);
            n += p.length;
          }
          return page(parts.join(''), place);
        },
      );
    }
    return out;
  },
};
