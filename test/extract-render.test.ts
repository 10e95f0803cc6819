// Cross-stage: captured bytes → extract (hkcnews profile) → Markdown file text → disk. Hand-written
// pages in the shape of the reconstructed hkcnews layouts (../shared/tools/hkcnews-site); no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { extractCapture, type Article, type CaptureInput } from '../src/extract/index.js';
import { renderArticle, renderBody, writeArticleFile } from '../src/markdown/index.js';
import { hkcnews } from '../src/sites/index.js';

const URL_18733 =
  'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-%E8%B6%8A%E5%8D%97-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const TS = '20210628174710';
const TITLE = '特朗普金正恩河內峰會　同稱可望達致成果';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A layout-C article page (JSON-LD) with the given body HTML. */
function page(bodyHtml: string, title: string = TITLE): string {
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: title,
    datePublished: '2019-02-27T20:04:42+08:00',
    author: { '@type': 'Person', name: '眾新聞記者' },
    articleSection: '眾聞',
    keywords: ['越南', '美朝峰會'],
  };
  return `<!DOCTYPE html>
<html lang="zh"><head><title>${title} - 眾新聞</title><meta charset="utf-8" />
<meta property="og:site_name" content="眾新聞" />
<link rel="canonical" href="${URL_18733}" />
<script type="application/ld+json">${JSON.stringify(ld)}</script>
</head><body class="page-article">
<nav><a href="https://www.hkcnews.com/news">眾聞</a></nav>
<article class="article"><header class="article__header"><h1 class="article__title">${title}</h1></header>
<div class="article__share"><a href="https://www.facebook.com/sharer/sharer.php?u=x">分享</a></div>
<section class="article__body">
${bodyHtml}
</section>
<footer class="article__footer"><ul class="article__tags"><li><a href="/tag/越南">越南</a></li></ul></footer>
</article>
</body></html>
`;
}

function extracted(html: string, input: Partial<CaptureInput> = {}): Article {
  const result = extractCapture({ payload: enc(html), url: URL_18733, timestamp: TS, ...input }, hkcnews);
  if (!result.ok) assert.fail(`rejected as ${result.reason}: ${result.message}`);
  return result.article;
}

/** The Markdown of the body blocks (after `# title` and its blank line). */
function bodyMarkdown(bodyHtml: string): string {
  const out = renderBody(extracted(page(bodyHtml)));
  return out.slice(out.indexOf('\n\n') + 2);
}

test('writes the seed article shape from a JSON-LD capture', () => {
  const html =
    page(`<figure class="article__figure"><img src="https://www.hkcnews.com/news_新聞/hk-discuss/2019/02/越南-donald trump-20190227200038_2d51_large.jpg" alt=""><figcaption>特朗普與越南總理阮春福各持對方國旗。美聯社</figcaption></figure>
<p>美國總統特朗普與北韓領袖金正恩，周三晚在越南河內展開兩人之間的第二次峰會。</p>
<hr>
<p>請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊 。</p>
<p>月費訂戶 <a href="https://www.hkcnews.com/aboutus/#subscribe">網址：hkcnews.com/aboutus/#subscribe</a></p>`);
  const file = renderArticle(extracted(html));
  const sha = /sha256: "([0-9a-f]{64})"/.exec(file)?.[1];
  assert.ok(sha, 'a sha256 line');
  assert.equal(
    file,
    `---
title: "${TITLE}"
date: "2019-02-27"
author: "眾新聞記者"
category: "眾聞"
tags:
  - "越南"
  - "美朝峰會"
url: "https://web.archive.org/web/${TS}/${URL_18733}"
original_url: "${URL_18733}"
id: "18733"
site: "hkcnews"
captured_at: "2021-06-28T17:47:10Z"
sha256: "${sha}"
---

# ${TITLE}

<figure>
<img src="https://web.archive.org/web/${TS}im_/https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2019/02/%E8%B6%8A%E5%8D%97-donald%20trump-20190227200038_2d51_large.jpg" alt="">
<figcaption>特朗普與越南總理阮春福各持對方國旗。美聯社</figcaption>
</figure>

美國總統特朗普與北韓領袖金正恩，周三晚在越南河內展開兩人之間的第二次峰會。
`,
  );
});

test('the minimal frontmatter style leaves out the provenance keys', () => {
  const file = renderArticle(extracted(page('<p>內文</p>')), { frontmatter: 'minimal' });
  const yaml = parse(file.slice(4, file.indexOf('\n---\n') + 1)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(yaml), ['title', 'date', 'author', 'category', 'tags', 'url', 'original_url']);
});

test('links to the site become Wayback links at the capture time, on either host and when relative', () => {
  const md = bodyMarkdown(
    '<p><a href="https://www.hkcnews.com/article/1/x">甲</a>、<a href="http://hkcnews.com/tag/越南">乙</a>、<a href="/article/2/y">丙</a>、<a href="../../3">丁</a></p>',
  );
  assert.equal(
    md,
    `[甲](https://web.archive.org/web/${TS}/https://www.hkcnews.com/article/1/x)、` +
      `[乙](https://web.archive.org/web/${TS}/http://hkcnews.com/tag/%E8%B6%8A%E5%8D%97)、` +
      `[丙](https://web.archive.org/web/${TS}/https://www.hkcnews.com/article/2/y)、` +
      `[丁](https://web.archive.org/web/${TS}/https://www.hkcnews.com/article/3)\n`,
  );
});

test('external links keep their URL, with no spaces added around them', () => {
  assert.equal(
    bodyMarkdown(
      '<p>據<a href="https://www.reuters.com/world/asia-pacific/x?utm=1&amp;b=2" target="_blank">路透社</a>報道</p>',
    ),
    '據[路透社](https://www.reuters.com/world/asia-pacific/x?utm=1&b=2)報道\n',
  );
  assert.equal(
    bodyMarkdown('<p><a href="https://hkcnews.com.evil.net/article/1/">x</a></p>'),
    '[x](https://hkcnews.com.evil.net/article/1/)\n',
  );
});

test('e-mail links hidden by Cloudflare come out as mailto: links', () => {
  const key = 0x42;
  const hex = [key, ...enc('editor@hkcnews.com').map((b) => b ^ key)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  assert.equal(
    bodyMarkdown(
      `<p>來信：<a href="/cdn-cgi/l/email-protection" class="__cf_email__" data-cfemail="${hex}">[email&#160;protected]</a></p>`,
    ),
    '來信：[editor@hkcnews.com](mailto:editor@hkcnews.com)\n',
  );
});

test('images become Wayback im_ URLs, percent-encoded, lazy sources resolved', () => {
  const md = bodyMarkdown(
    '<p><img class="lazyload" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" data-src="/news_新聞/hk-discuss/2019/02/a b_large.jpg" alt="示威 &quot;現場&quot;"></p>',
  );
  assert.equal(
    md,
    `<figure>\n<img src="https://web.archive.org/web/${TS}im_/https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2019/02/a%20b_large.jpg" alt="示威 &quot;現場&quot;">\n</figure>\n`,
  );
  for (const line of md.split('\n')) assert.equal(/src="[^"]*[^\x21-\x7e][^"]*"/.test(line), false, line);
});

test('embeds are iframe blocks with https: sources', () => {
  const fb =
    '//www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fhkcnews%2Fvideos%2F123%2F&show_text=0&width=560';
  assert.equal(
    bodyMarkdown(
      `<div class="article__video"><iframe src="${fb.replace(/&/g, '&amp;')}" width="560" height="315" frameborder="0"></iframe></div><p>後文</p>`,
    ),
    `<iframe src="https:${fb.replace(/&/g, '&amp;')}"></iframe>\n\n後文\n`,
  );
});

test('<br> is a hard break in paragraphs and a space in headings and table cells', () => {
  assert.equal(
    bodyMarkdown(
      '<p>第一行<br>第二行</p><h2>上<br>下</h2><table><tr><th>甲<br>乙</th><th>丙</th></tr><tr><td>1</td><td>2</td></tr></table>',
    ),
    '第一行\\\n第二行\n\n## 上 下\n\n| 甲 乙 | 丙 |\n| --- | --- |\n| 1 | 2 |\n',
  );
});

test('lists, quotes and escaped text come out as CommonMark', () => {
  assert.equal(
    bodyMarkdown(
      '<ol start="2"><li>第二</li><li>第三</li></ol><blockquote><p>引述 *重點*</p></blockquote><p>1. 不是列表 [注1]</p><p># 不是標題</p>',
    ),
    '2. 第二\n3. 第三\n\n> 引述 \\*重點\\*\n\n1\\. 不是列表 \\[注1\\]\n\n\\# 不是標題\n',
  );
});

test('extracting and rendering the same bytes twice gives the same file', () => {
  const html = page(
    '<p>a<br>b <a href="/x">c</a></p><figure><img src="/a.jpg"><figcaption>d</figcaption></figure><table><tr><td>1</td><td>2</td></tr></table>',
  );
  assert.equal(renderArticle(extracted(html)), renderArticle(extracted(html)));
});

test('writes the rendered file atomically at its id path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'salvage-e2e-'));
  try {
    const a = extracted(page('<p>內文</p>'));
    const text = renderArticle(a);
    const path = await writeArticleFile(dir, a.id, text);
    assert.equal(path, join(dir, 'articles', '18001-19000', 'article_18733.md'));
    assert.equal(await readFile(path, 'utf8'), text);
    assert.deepEqual(await readdir(join(dir, 'articles', '18001-19000')), ['article_18733.md']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- emphasis as CMS editors write it

const PUNCT = /[\p{P}\p{S}]/u;
const SPACE = /\s/u;
/**
 * Unescaped `*` runs of a paragraph that cannot act as emphasis delimiters where they stand
 * (CommonMark 0.31 §6.2; line ends count as white space). The renderer writes markers in pairs,
 * so runs alternate opener, closer; a run of four or more is never a pair of markers.
 */
function strandedAsterisks(paragraph: string): string[] {
  const chars = [...paragraph.replace(/\n$/, '')];
  const runs: { at: number; length: number; left: boolean; right: boolean }[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\') {
      i++;
      continue;
    }
    if (chars[i] !== '*') continue;
    let j = i;
    while (chars[j + 1] === '*') j++;
    const before = chars[i - 1] ?? ' ';
    const after = chars[j + 1] ?? ' ';
    const left = !SPACE.test(after) && (!PUNCT.test(after) || SPACE.test(before) || PUNCT.test(before));
    const right = !SPACE.test(before) && (!PUNCT.test(before) || SPACE.test(after) || PUNCT.test(after));
    runs.push({ at: i, length: j - i + 1, left, right });
    i = j;
  }
  return runs
    .filter((r, k) => r.length > 3 || (k % 2 === 0 ? !r.left : !r.right))
    .map((r) => `${JSON.stringify(paragraph)} @${r.at}`);
}

test('bold and italic between letters render as emphasis', () => {
  assert.deepEqual(
    strandedAsterisks(bodyMarkdown('<p>他說<strong>重點</strong>然後<em>斜體</em>。<b>「引號」</b></p>')),
    [],
  );
});

test('bold as CMS editors write it never shows literal asterisks', () => {
  const stranded = [
    '<p>他說<strong>「不」</strong>。</p>',
    '<p><b>小標題<br></b>內文</p>',
    '<p><b>粗</b><b>體</b></p>',
    '<p><b>重點&nbsp;</b>內文</p>',
  ].flatMap((html) => strandedAsterisks(bodyMarkdown(html)));
  assert.deepEqual(stranded, []);
});

test('links stay links: no image syntax, no nesting', () => {
  const bang = bodyMarkdown('<p>快看!<a href="https://a.example/x">這裡</a></p>');
  assert.equal(/(?:^|[^\\])!\[/.test(bang), false, bang);
  const nested = bodyMarkdown('<p><a href="/a">甲<a href="/b">乙</a></a></p>');
  assert.equal(/\[[^\]]*\[/.test(nested), false, nested);
});

// ---------------------------------------------------------------- any markup

const FRAGMENTS = [
  '<p>',
  '</p>',
  '<br>',
  '<b>',
  '</b>',
  '<i>',
  '</i>',
  '<a href="/article/1/x">',
  '<a href="https://a.example/(x">',
  '</a>',
  '<ul>',
  '<ol start="5">',
  '<li>',
  '</li>',
  '</ul>',
  '</ol>',
  '<blockquote>',
  '</blockquote>',
  '<table>',
  '<tr>',
  '<td>',
  '<th>',
  '</td>',
  '</tr>',
  '</table>',
  '<h2>',
  '</h2>',
  '<hr>',
  '<figure>',
  '<figcaption>',
  '</figure>',
  '<img src="/a.jpg" alt="x">',
  '<iframe src="//www.youtube.com/embed/x"></iframe>',
  '<div>',
  '</div>',
  '<script>',
  '</script>',
  '<!--',
  '-->',
  '<![CDATA[',
  '&amp;',
  '&nbsp;',
  '&#0;',
  '文字',
  '*',
  '_',
  '#',
  '# ',
  '1. ',
  '- ',
  '> ',
  '|',
  '`',
  '[',
  ']',
  '\\',
  ' ',
  '\n',
  '\u3000',
  '請加入成為眾新聞的月費訂戶，長期支持我們的工作。',
];

test('any body markup extracts and renders without throwing into a well-formed file', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }), (parts) => {
      const result = extractCapture({ payload: enc(page(parts.join(''))), url: URL_18733, timestamp: TS }, hkcnews);
      if (!result.ok) return;
      const file = renderArticle(result.article);
      assert.ok(file.endsWith('\n') && !file.endsWith('\n\n'));
      assert.equal(file.includes('\r'), false);
      assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(file), false);
      const end = file.indexOf('\n---\n');
      assert.equal((parse(file.slice(4, end + 1)) as Record<string, unknown>)['title'], TITLE);
      assert.ok(file.slice(end + 5).startsWith(`\n# ${TITLE}\n`));
      assert.equal(renderArticle(result.article), file);
    }),
    { numRuns: 200, seed: 41 },
  );
});
