/**
 * Pages in layouts no site module was written for, built after what real outlets do (schema.org
 * and AMP documentation, HTML's srcset rules, Taiwan and Hong Kong news page conventions): every
 * field must come from general rules through the generic profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generic, hkcnews } from '../sites/index.js';
import type { Article, Block } from './article.js';
import { extractCapture, type ExtractResult } from './extract.js';
import { authorOfLine, labelledLines, tagsOfLine } from './labelled-lines.js';
import { largestSrcsetCandidate } from './urls.js';
import { parseHtml } from './dom.js';
import type { SiteProfile } from './site-profile.js';

const URL = 'https://news.example.com.tw/news/20200301/1234567';
const PARAGRAPHS = [
  '立法院今日三讀通過修正案，朝野立委在議場內外激烈攻防，最終以多數決通過，行政院表示將盡快公布施行。',
  '反對黨團批評修法過程草率，質疑相關配套措施不足，並表示將提出釋憲聲請，要求大法官作出解釋。',
  '學者指出，修正案對地方政府的財政影響仍待觀察，建議中央與地方建立定期協商機制，避免爭議擴大。',
  '民間團體當天在立法院外集會，呼籲政府重視勞工權益，並要求在施行細則中加入更多保障條文。',
];
const body = (extra = ''): string => PARAGRAPHS.map((p, i) => `<p>${p}</p>${i === 1 ? extra : ''}`).join('\n');

function extract(html: string, site: SiteProfile = generic, url = URL): ExtractResult {
  return extractCapture({ payload: new TextEncoder().encode(html), url, timestamp: '20200302000000' }, site);
}
function articleOf(result: ExtractResult): Article {
  if (!result.ok) assert.fail(`rejected as ${result.reason}: ${result.message}`);
  return result.article;
}
const figures = (a: Article): (Block & { type: 'figure' })[] =>
  a.blocks.filter((b): b is Block & { type: 'figure' } => b.type === 'figure');
const captionText = (f: Block & { type: 'figure' }): string =>
  (f.caption ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');

test('an outlet named as JSON-LD author gives way to the reporter in the visible byline, without label or place', () => {
  const html = `<html><head><title>立委補選 藍綠角力 | 社會 | 三立新聞網</title>
<meta property="og:site_name" content="三立新聞網"><meta property="og:title" content="立委補選 藍綠角力 | 社會"><meta property="article:section" content="社會">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"立委補選 藍綠角力 | 社會","author":{"@type":"Organization","name":"三立新聞網"},"datePublished":"2020-03-01T02:30:00Z"}</script></head>
<body><article><h1>立委補選 藍綠角力</h1><div class="author">記者陳嘉寧／桃園機場報導</div><div class="story">${body()}</div></article></body></html>`;
  const result = extract(html);
  const a = articleOf(result);
  assert.equal(a.author, '陳嘉寧');
  assert.equal(a.title, '立委補選 藍綠角力', 'the section suffix is cut by the visible headline');
  assert.ok(
    result.notes.some((n) => n.includes('is an organisation')),
    result.notes.join('\n'),
  );
});

test('an organisation stays the author when the page names no person', () => {
  const html = `<html><head><title>公告事項</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"公告事項","author":{"@type":"Organization","name":"中央社"}}</script></head>
<body><article><h1>公告事項</h1><div class="story">${body()}</div></article></body></html>`;
  assert.equal(articleOf(extract(html)).author, '中央社');
});

test('a JSON-LD headline of another item on the page loses to the headline the document title confirms', () => {
  const html = `<html><head><title>蘋果日報 | 要聞港聞 | 政府宣布放寬限聚令</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"【短片】市民排隊搶購口罩","video":{"@type":"VideoObject","name":"市民排隊搶購口罩"}}</script></head>
<body><table><tr><td><h1>政府宣布放寬限聚令</h1></td><td>瀏覽次數：1234</td></tr></table><div class="content">${body()}</div></body></html>`;
  const result = extract(html);
  assert.equal(articleOf(result).title, '政府宣布放寬限聚令');
  assert.ok(
    result.notes.some((n) => n.includes('disagrees with the headline')),
    result.notes.join('\n'),
  );
});

test("a JSON-LD headline cut at AMP's 110 characters gives way to the whole headline", () => {
  const long = '長'.repeat(130);
  const cut = '長'.repeat(109) + '…';
  const html = `<html><head><title>${long} | 新聞網</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"${cut}"}</script></head>
<body><article><h1>${long}</h1><div class="story">${body()}</div></article></body></html>`;
  assert.equal(articleOf(extract(html)).title, long);
});

test('the category comes from a JSON-LD breadcrumb, else from a visible one, never its home item', () => {
  const ld = `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"新聞標題"},{"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":2,"name":"政治","item":"https://x/politics"},{"@type":"ListItem","position":1,"name":"首頁","item":"https://x/"},{"@type":"ListItem","position":3,"name":"新聞標題"}]}]}</script>`;
  const page = (headExtra: string, crumbs: string): string =>
    `<html><head><title>新聞標題</title>${headExtra}</head><body><article>${crumbs}<h1>新聞標題</h1><div class="story">${body()}</div></article></body></html>`;
  assert.equal(articleOf(extract(page(ld, ''))).category, '政治');
  assert.equal(
    articleOf(
      extract(
        page(
          '',
          '<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/world">國際</a></li><li>新聞標題</li></ol>',
        ),
      ),
    ).category,
    '國際',
  );
  assert.equal(
    articleOf(extract(page('', '<nav class="crumbs"><a href="/">首頁</a> › <span>財經</span></nav>'))).category,
    '財經',
  );
});

test('tags come from rel=tag links, a labelled tag line or a line of hashtags, in page order', () => {
  const page = (after: string): string =>
    `<html><head><title>新聞標題</title></head><body><article><h1>新聞標題</h1><div class="story">${body()}</div>${after}</article></body></html>`;
  assert.deepEqual(
    articleOf(
      extract(
        page(
          '<div class="topics"><a rel="tag" href="/topics/a">勞工</a> <a rel="tag" href="/topics/b">立法院</a></div>',
        ),
      ),
    ).tags,
    ['勞工', '立法院'],
  );
  assert.deepEqual(articleOf(extract(page('<p class="kw">標籤：勞工、立法院、Carrie Lam</p>'))).tags, [
    '勞工',
    '立法院',
    'Carrie Lam',
  ]);
  assert.deepEqual(
    articleOf(
      extract(page('<div class="keyword">關鍵字：<a href="/search?q=1">勞工</a> <a href="/search?q=2">修法</a></div>')),
    ).tags,
    ['勞工', '修法'],
  );
  assert.deepEqual(articleOf(extract(page('<p>#勞工 #Carrie Lam #立法院</p>'))).tags, ['勞工', 'Carrie Lam', '立法院']);
});

test('a headline that starts with a hashtag is no tag line', () => {
  const lines = labelledLines(
    parseHtml(['<div><h1>#Pumpuphk</h1><p>#香港 #打氣</p></div>']).doc.children[0] as never,
    () => false,
  );
  assert.deepEqual(
    lines.map((l) => tagsOfLine(l)),
    [['香港', '打氣']],
  );
});

test('labelled bylines are read to the end of their element, label and dateline dropped', () => {
  const root = parseHtml([
    '<div><span>撰文：飄楊 &amp; 小鳥</span> <span>2019年2月27日 下午8:04</span><p>文｜眾新聞記者</p><p>記者王煌忠／台中報導</p><p>作者：2019-02-27</p></div>',
  ]).doc.children[0] as never;
  assert.deepEqual(
    labelledLines(root, () => false)
      .filter((l) => l.kind === 'author')
      .map(authorOfLine),
    ['飄楊 & 小鳥', '眾新聞記者', '王煌忠', undefined],
  );
});

test('under a writer label the name is kept as published, title and all; a bare title is no name', () => {
  // hkcnews printed `作者：記者林勵` and its archive keeps `記者林勵`; only a dateline byline drops its label.
  const root = parseHtml([
    '<div><p>作者： 记者王敬照</p><p>作者：實習記者鄭錦玲</p><p>作者：記者</p><p>作者：佚名</p></div>',
  ]).doc.children[0] as never;
  assert.deepEqual(
    labelledLines(root, () => false)
      .filter((l) => l.kind === 'author')
      .map(authorOfLine),
    ['记者王敬照', '實習記者鄭錦玲', undefined, undefined],
  );
});

test("labelled lines inside the body are marked so: a byline there may name a book's author", () => {
  const root = parseHtml([
    '<div><p class="by">撰文：李小華</p><div class="story"><p>作者：王大文</p><p>標籤：書評</p></div></div>',
  ]).doc.children[0] as never;
  const story = (root as { children: { attribs?: Record<string, string> }[] }).children.find(
    (c) => c.attribs?.['class'] === 'story',
  ) as never;
  assert.deepEqual(
    labelledLines(root, () => false, story).map((l) => [l.kind, l.value, l.inBody ?? false]),
    [
      ['author', '李小華', false],
      ['author', '王大文', true],
      ['tags', '書評', true],
    ],
  );
});

test("an update line written day first is read with the site's date order, and left out when the order is unknown", () => {
  const page = `<html><head><title>新聞標題</title></head><body><div id="main"><h2>新聞標題</h2><div>作者：眾新聞記者<br>2019年2月3日 下午8:04<br>更新於 06/02/2019 10:00:12<br></div><div id="text">${body()}</div></div></body></html>`;
  const hk = articleOf(extract(page, hkcnews, 'https://www.hkcnews.com/article/18733/x'));
  assert.equal(hk.lastUpdated, '2019-02-06 10:00:12');
  assert.equal(hk.title, '新聞標題', 'an <h2> confirmed by the document title is the headline of a page without <h1>');
  assert.equal(articleOf(extract(page)).lastUpdated, undefined);
});

test('images come as pages carry them: AMP, the largest srcset candidate, a thumbnail linking to its picture', () => {
  const html = `<html><head><title>新聞標題</title></head><body><article><h1>新聞標題</h1><div class="story">${body(`
<figure><amp-img src="https://img.example.com/a.jpg" width="1200" height="800" layout="responsive"></amp-img><figcaption>圖一</figcaption></figure>
<figure><picture><source data-srcset="https://img.example.com/b-480.webp 480w"><img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://img.example.com/b-480.jpg" data-srcset="https://img.example.com/b-480.jpg 480w, https://img.example.com/b-1600.jpg 1600w"></picture><noscript><img src="https://img.example.com/b-1600.jpg"></noscript><div class="c-figure__caption">圖二（攝影：林小明）</div></figure>
<p class="pic"><a href="https://img.example.com/c_large.jpg"><img src="https://img.example.com/c_thumb.jpg" width="160"></a><br><small>圖三</small></p>
<table class="photo"><tr><td><a href="https://img.example.com/d.jpg" target="_blank"><img src="https://img.example.com/d_s.jpg" width="300"></a></td></tr><tr><td class="photo_caption">圖四</td></tr></table>
<p><img src="/images/article_end.gif" width="600" height="12"><img src="/images/spacer.gif" width="1" height="10"></p>`)}</div></article></body></html>`;
  const a = articleOf(extract(html));
  assert.deepEqual(
    figures(a).map((f) => [f.src, captionText(f)]),
    [
      ['https://img.example.com/a.jpg', '圖一'],
      ['https://img.example.com/b-1600.jpg', '圖二（攝影：林小明）'],
      ['https://img.example.com/c_large.jpg', '圖三'],
      ['https://img.example.com/d.jpg', '圖四'],
    ],
  );
});

test('the largest srcset candidate wins by width or density; a list without descriptors decides nothing', () => {
  assert.equal(largestSrcsetCandidate('a.jpg 320w, b.jpg 1200w, c.jpg 640w'), 'b.jpg');
  assert.equal(largestSrcsetCandidate('a.jpg, b.jpg 2x'), 'b.jpg');
  assert.equal(largestSrcsetCandidate('a.jpg'), undefined);
});

test('players stay in a scored body; ad labels, AMP ads, subscription boxes and trailing tag lines go', () => {
  const html = `<html><head><title>新聞標題</title></head><body><article><h1>新聞標題</h1><div class="story">${body(`
<div class="embed-responsive"><iframe src="https://www.youtube.com/embed/afnRQKJO3Fk"></iframe></div>
<div class="c-inline-slot"><span>廣告</span><div id="gpt"></div></div>
<amp-ad width="300" height="250" type="adsense"><div placeholder>廣告</div></amp-ad>
<div class="embed"><amp-youtube data-videoid="dJnNYKC0q5M" width="480" height="270"></amp-youtube></div>`)}
<div class="c-newsletter"><p>訂閱《新聞網》電子報，每日精選新聞直送你的郵箱</p><form><input type="email"><button>訂閱</button></form></div>
<p>標籤：勞工、立法院</p></div></article></body></html>`;
  const a = articleOf(extract(html));
  assert.deepEqual(
    a.blocks.filter((b) => b.type === 'embed').map((b) => (b.type === 'embed' ? b.src : '')),
    ['https://www.youtube.com/embed/afnRQKJO3Fk', 'https://www.youtube.com/embed/dJnNYKC0q5M'],
  );
  const text = JSON.stringify(a.blocks);
  for (const gone of ['廣告', '電子報', '標籤']) assert.ok(!text.includes(gone), `${gone} left in the body`);
  assert.deepEqual(a.tags, ['勞工', '立法院']);
});

test('a declared title keeps its tabs and double spaces as published; only line breaks become a space', () => {
  const page = (ld: string): string =>
    `<html><head><title>x</title><script type="application/ld+json">{"@type":"NewsArticle","headline":${JSON.stringify(ld)}}</script></head><body><div class="story">${body()}</div></body></html>`;
  assert.equal(
    articleOf(extract(page('周庭棄英籍戰港島\t若被DQ  眾志有Plan B人選'))).title,
    '周庭棄英籍戰港島\t若被DQ  眾志有Plan B人選',
  );
  assert.equal(articleOf(extract(page('上一行\n  下一行'))).title, '上一行 下一行');
});

test('a photo beside a body scored as one paragraph joins it, with its caption', () => {
  const text = PARAGRAPHS.join('<br><br>');
  const html = `<html><head><title>新聞標題</title></head><body><table><tr><td class="main"><h1>新聞標題</h1><div class="ArticleContent">
<table class="photo"><tr><td><a href="https://img.example.com/p_large.jpg"><img src="https://img.example.com/p_thumb.jpg" width="300"></a></td></tr><tr><td class="photo_caption">立法院外的集會。</td></tr></table>
<p>${[text, text, text, text].join('<br><br>')}</p>
<p><img src="/images/spacer.gif" width="1" height="10"></p>
</div></td><td class="side"><a href="/a">其他新聞一</a> <a href="/b">其他新聞二</a></td></tr></table></body></html>`;
  const result = extract(html);
  assert.ok(
    result.notes.some((n) => n.startsWith('body: scored <p>')),
    result.notes.join('\n'),
  );
  assert.deepEqual(
    figures(articleOf(result)).map((f) => [f.src, captionText(f)]),
    [['https://img.example.com/p_large.jpg', '立法院外的集會。']],
  );
});

test('an empty article page whose document title opens with a separator has no title and is rejected', () => {
  const html = `<html><head><title> - 新聞網 (文字版)</title></head><body><div id="top"><a href="/">新聞網</a> | <a href="/news">新聞</a></div><div id="main"><h2></h2><div id="text"></div></div><div id="more">其他文章：<br><a href="/a/1">另一篇文章的標題一</a><br><a href="/a/2">另一篇文章的標題二</a></div></body></html>`;
  const result = extract(html);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.reason, 'no-title');
});
