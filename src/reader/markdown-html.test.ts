import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { DomHandler, isTag, type ChildNode, type Element } from 'domhandler';
import {
  renderArticleHtml,
  safeUrl,
  sanitizeHtml,
  parseBodyHtml,
  BODY_OVERFLOW_NOTE,
  EXTERNAL_REL,
  MAX_DEPTH,
  MAX_PARSE_DEPTH,
  MAX_RENDERED_BODY_CHARS,
} from './markdown-html.js';

const IMG =
  'https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2019/02/x_large.jpg';

/** Every element of `html` as htmlparser2 reads it. */
function elements(html: string): Element[] {
  const handler = new DomHandler();
  new Parser(handler, { decodeEntities: true }).end(html);
  const found: Element[] = [];
  const walk = (nodes: readonly ChildNode[]): void => {
    for (const n of nodes)
      if (isTag(n)) {
        found.push(n);
        walk(n.children);
      }
  };
  walk(handler.root.children);
  return found;
}

/** Security invariants: no script element, no event handler attribute, no script URL. */
function assertSafe(html: string): void {
  assert.doesNotMatch(html, /<script/i);
  for (const el of elements(html)) {
    assert.notEqual(el.name, 'script');
    assert.notEqual(el.name, 'iframe');
    for (const [name, value] of Object.entries(el.attribs)) {
      assert.doesNotMatch(name, /^on/i, `event handler attribute ${name} on <${el.name}>`);
      if (name === 'href' || name === 'src')
        assert.doesNotMatch(value.replace(/[\u0000-\u0020]/g, ''), /^(?:javascript|vbscript|data):/i);
    }
  }
  // Every `<` in the output opens a tag we wrote (text escapes it): look at the tags as strings too.
  // Attribute values are always double-quoted with `"` escaped, so text inside them (a URL holding
  // " onclick=") is blanked first; what remains are names, where no handler may appear.
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    const names = tag.replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(names, /\son[a-z]*\s*=/i, tag);
    assert.doesNotMatch(names, /javascript:/i, tag);
  }
}

test('neutralizes script, onerror and javascript: payloads', () => {
  const body = [
    '# 標題',
    '',
    '<script>window.__pwned=1</script>',
    '',
    '<img src=x onerror="window.__pwned=1">',
    '',
    '<img src="https://web.archive.org/web/1im_/x.jpg" onerror="window.__pwned=1" onload="x()">',
    '',
    '[點我](javascript:alert(1)) <a href="java&#x09;script:alert(1)">tab</a> <a href=" JaVaScRiPt:alert(1)">case</a>',
    '',
    '<a href="data:text/html,<script>alert(1)</script>">data</a> <svg onload=alert(1)><circle/></svg>',
    '',
    '<style>body{display:none}</style><form action="https://evil.example/"><input name=q><button>go</button></form>',
    '',
    '<p onclick="x()" style="color:red">段落</p>',
  ].join('\n');
  for (const loadImages of [false, true]) {
    const html = renderArticleHtml(body, { loadImages });
    assertSafe(html);
    assert.doesNotMatch(html, /__pwned|<style|<form|<input|<svg|evil\.example/);
    assert.match(html, /<p>段落<\/p>/);
  }
});

test('drops the leading title heading and demotes other h1', () => {
  const html = renderArticleHtml('# 標題\n\n正文\n\n# 另一個\n\n## 小題');
  assert.doesNotMatch(html, /標題/);
  assert.doesNotMatch(html, /<h1/);
  assert.match(html, /<h2>另一個<\/h2>/);
  assert.match(html, /<h2>小題<\/h2>/);
});

test('figures keep their captions; images are links by default', () => {
  const body = `<figure>\n<img src="${IMG}" alt="峰會">\n<figcaption>特朗普與金正恩在河內舉行峰會。美聯社</figcaption>\n</figure>`;
  const html = renderArticleHtml(body);
  assert.match(html, /<figure>/);
  assert.match(html, /<figcaption>特朗普與金正恩在河內舉行峰會。美聯社<\/figcaption>/);
  assert.doesNotMatch(html, /<img/);
  assert.ok(html.includes(`<a class="image-link" href="${IMG}" rel="${EXTERNAL_REL}">圖片：峰會</a>`), html);
});

test('loadImages shows Wayback images lazily without referrer, other hosts stay links', () => {
  const body = `![a](${IMG})\n\n![b](https://evil.example/track.gif)`;
  const html = renderArticleHtml(body, { loadImages: true });
  assert.ok(
    html.includes(`<img src="${IMG}" alt="a" loading="lazy" decoding="async" referrerpolicy="no-referrer">`),
    html,
  );
  assert.doesNotMatch(html, /<img[^>]*evil/);
  assert.match(html, /<a class="image-link" href="https:\/\/evil\.example\/track\.gif"/);
  // A look-alike host is not the Wayback Machine.
  assert.doesNotMatch(
    renderArticleHtml('![c](https://web.archive.org.evil.example/x.jpg)', { loadImages: true }),
    /<img/,
  );
});

test('iframe embeds and the old archive video shortcode become links naming the host', () => {
  const iframe = renderArticleHtml('<iframe src="https://www.youtube.com/embed/abc" width="560"></iframe>');
  assert.equal(
    iframe.trim(),
    `<p class="embed"><a class="embed-link" href="https://www.youtube.com/embed/abc" rel="${EXTERNAL_REL}">嵌入內容：www.youtube.com</a></p>`,
  );
  const relative = renderArticleHtml('<iframe src="//www.facebook.com/plugins/video.php?a=1&amp;b=2"></iframe>');
  assert.match(relative, /href="https:\/\/www\.facebook\.com\/plugins\/video\.php\?a=1&amp;b=2"/);
  const shortcode = renderArticleHtml(
    '前文\n\n{{< video src="https://web.archive.org/web/20200927162413if_/https://www.youtube.com/embed/Vv_nZMDeoJ0" >}}\n',
  );
  assert.match(shortcode, /嵌入內容：www\.youtube\.com/);
  assert.match(
    shortcode,
    /href="https:\/\/web\.archive\.org\/web\/20200927162413if_\/https:\/\/www\.youtube\.com\/embed\/Vv_nZMDeoJ0"/,
  );
  assert.doesNotMatch(renderArticleHtml('<iframe src="javascript:alert(1)"></iframe>'), /<a|iframe/);
});

test('renders a GFM table', () => {
  const html = renderArticleHtml('| 年份 | 篇數 |\n|---|--:|\n| 2017 | 8,691 |\n| 2018 | 8,215 |');
  assert.match(html, /<table>\s*<thead>\s*<tr>\s*<th>年份<\/th>\s*<th>篇數<\/th>/);
  assert.match(html, /<td>2018<\/td>\s*<td>8,215<\/td>/);
  assert.doesNotMatch(html, /style=/);
});

test('bolds CJK text in corner brackets', () => {
  assert.equal(renderArticleHtml('他說**「引號」**好。').trim(), '<p>他說<strong>「引號」</strong>好。</p>');
  assert.equal(renderArticleHtml('*《眾新聞》*報道').trim(), '<p><em>《眾新聞》</em>報道</p>');
});

test('hard breaks, block quotes, lists and links', () => {
  const html = renderArticleHtml(
    '第一行\\\n第二行\n\n> 引文\n\n3. 三\n4. 四\n\n[外部](https://example.org/a?b=1&c=2) [頁內](#x)',
  );
  assert.match(html, /第一行<br>\n第二行/);
  assert.match(html, /<blockquote>\s*<p>引文<\/p>\s*<\/blockquote>/);
  assert.match(html, /<ol start="3">/);
  assert.ok(html.includes(`<a href="https://example.org/a?b=1&amp;c=2" rel="${EXTERNAL_REL}">外部</a>`), html);
  assert.ok(html.includes('<a href="#x">頁內</a>'), html);
});

test('internalHref turns links to archived articles into reader links', () => {
  const body =
    '[前文](https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/18733/x) [外站](https://example.org/) [壞](/web/2021/https://www.hkcnews.com/article/1/)';
  const html = renderArticleHtml(body, {
    internalHref: (href) =>
      href.includes('/article/18733/')
        ? '/article/18733/'
        : href.includes('/article/1/')
          ? '//evil.example/'
          : undefined,
  });
  assert.ok(html.includes('<a href="/article/18733/">前文</a>'), html);
  assert.ok(html.includes(`<a href="https://example.org/" rel="${EXTERNAL_REL}">外站</a>`), html);
  // Only same-origin paths are taken from the callback.
  assert.ok(
    html.includes(
      `<a href="https://web.archive.org/web/2021/https://www.hkcnews.com/article/1/" rel="${EXTERNAL_REL}">壞</a>`,
    ),
    html,
  );
});

test('old archive /web/ links get the Wayback origin', () => {
  const html = renderArticleHtml('[網址](/web/20210712050044/https://www.hkcnews.com/aboutus/#subscribe)');
  assert.match(
    html,
    /href="https:\/\/web\.archive\.org\/web\/20210712050044\/https:\/\/www\.hkcnews\.com\/aboutus\/#subscribe" rel=/,
  );
});

test('escaped Markdown characters show as published', () => {
  const html = renderArticleHtml('1\\. 不是列表 \\*星號\\* \\<b\\> &lt;i&gt;');
  assert.equal(html.trim(), '<p>1. 不是列表 *星號* &lt;b&gt; &lt;i&gt;</p>');
});

test('safeUrl refuses script schemes however they are spelled', () => {
  for (const bad of [
    'javascript:x',
    ' javascript:x',
    'JAVASCRIPT:x',
    'java\nscript:x',
    'java\tscript:x',
    '\u0001javascript:x',
    'vbscript:x',
    'data:text/html,x',
    'file:///etc/passwd',
  ]) {
    assert.equal(safeUrl(bad, ['http', 'https']), undefined, JSON.stringify(bad));
  }
  assert.equal(safeUrl('//a.example/x', ['http', 'https']), 'https://a.example/x');
  assert.equal(safeUrl('/\\a.example/x', ['http', 'https']), 'https://a.example/x');
  assert.equal(safeUrl('https://a.example/新聞', ['http', 'https']), 'https://a.example/新聞');
  assert.equal(safeUrl('#frag', ['http', 'https']), '#frag');
});

test('deeply nested markup becomes text instead of exhausting the stack', () => {
  const html = renderArticleHtml(
    `<p>${'<span><em>'.repeat(20_000)}深處<script>window.__pwned=1</script>${'</em></span>'.repeat(20_000)}</p>`,
  );
  assert.match(html, /深處/);
  assertSafe(html);
  assert.ok((html.match(/<em>/g) ?? []).length <= MAX_DEPTH, 'nesting is bounded');
});

const FRAGMENTS = [
  '<script>',
  '</script>',
  '<SCRIPT SRC=//x>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  'javascript:',
  'JaVaScRiPt:',
  '<a href="',
  '<a href=',
  '">',
  '"',
  "'",
  '>',
  '<',
  '&',
  '&#106;',
  '&#x6A;',
  '&colon;',
  '&#58;',
  '\t',
  '\n',
  '\n\n',
  ' ',
  '**',
  '*',
  '_',
  '`',
  '```',
  '[',
  '](',
  ')',
  '![',
  '<iframe src="',
  '</iframe>',
  '<svg onload=alert(1)>',
  '<math>',
  '<style>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<x onclick=y>',
  ' onmouseover=',
  'onerror=',
  '<figure>',
  '<figcaption>',
  '</figure>',
  '<table>',
  '<td>',
  '|',
  '---',
  '# ',
  '> ',
  '<textarea>',
  '<noscript>',
  '<xmp>',
  '<a href="data:text/html;base64,PHNjcmlwdD4=">',
  '/web/2021/',
  '{{< video src="',
  '" >}}',
  '\\',
  '眾新聞',
  '「',
  '」',
  'http://x.example/',
];

test('random HTML-ish input never yields a script, an event handler or a script URL', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 40 }),
      fc.boolean(),
      (parts, loadImages) => {
        assertSafe(renderArticleHtml(parts.join(''), { loadImages }));
      },
    ),
    { numRuns: 2000 },
  );
});

test('the parse depth is capped at MAX_PARSE_DEPTH: 20,000 unclosed elements are flattened, every character of text kept in order', () => {
  const depth = (nodes: readonly ChildNode[]): number => {
    // Iterative: the uncapped tree would be 20,000 deep.
    let max = 0;
    const stack: [ChildNode, number][] = nodes.map((n) => [n, 1]);
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const [node, d] = item;
      if (!isTag(node)) continue;
      max = Math.max(max, d);
      for (const c of node.children) stack.push([c, d + 1]);
    }
    return max;
  };
  const text = Array.from({ length: 20_000 }, (_, i) => `<div><blockquote>${i % 10}`).join('');
  // The input nests 40,000 elements deep; the tree keeps at most MAX_PARSE_DEPTH of them.
  const parsed = depth(parseBodyHtml(text));
  assert.ok(parsed <= MAX_PARSE_DEPTH && parsed <= 256, `depth ${parsed}`);
  const html = sanitizeHtml(text);
  assert.ok(
    html.replace(/<[^>]*>/g, '') === Array.from({ length: 20_000 }, (_, i) => String(i % 10)).join(''),
    'every character of text, in order',
  );
});

test('a body past MAX_RENDERED_BODY_CHARS renders its head as Markdown and the rest as escaped plain text after a note', () => {
  const head = '前文段落。\n\n'.repeat(Math.ceil(MAX_RENDERED_BODY_CHARS / 7));
  const html = renderArticleHtml(`${head}**粗體** <script>alert(1)</script> [x](https://a.example/)\n\n結尾`);
  const note = html.indexOf(BODY_OVERFLOW_NOTE);
  assert.ok(note > 0);
  const rest = html.slice(note);
  assert.match(
    rest,
    /<pre class="body-overflow">[^]*\*\*粗體\*\* &lt;script&gt;alert\(1\)&lt;\/script&gt; \[x\]\(https:\/\/a\.example\/\)\n\n結尾<\/pre>$/,
  );
  assert.doesNotMatch(html, /<script/);
  assert.ok(html.slice(0, note).split('<p>前文段落。</p>').length > MAX_RENDERED_BODY_CHARS / 7 / 2);
  assert.ok(!renderArticleHtml('短文。').includes(BODY_OVERFLOW_NOTE));
});
