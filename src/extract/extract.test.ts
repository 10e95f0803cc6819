import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { hkcnews } from '../sites/index.js';
import type { Article, Block, Inline } from './article.js';
import { articleText } from './article.js';
import { extractCapture, jsonLdScripts, type CaptureInput, type ExtractResult } from './extract.js';
import {
  MAX_AUTHOR_CHARS,
  MAX_CATEGORY_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TITLE_CHARS,
  MAX_URL_CHARS,
} from './limits.js';
import type { RejectReason } from './validate.js';

// ---------------------------------------------------------------- captures

const URL_18733 =
  'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-%E8%B6%8A%E5%8D%97-18733/%E7%89%B9%E6%9C%97%E6%99%AE';
const TS = '20210628174710';
const TITLE = '特朗普金正恩河內峰會　同稱可望達致成果';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function extract(
  payload: string | Uint8Array,
  input: Partial<CaptureInput> = {},
  maxPageBytes?: number,
): ExtractResult {
  const capture: CaptureInput = {
    payload: typeof payload === 'string' ? enc(payload) : payload,
    url: URL_18733,
    timestamp: TS,
    ...input,
  };
  return extractCapture(capture, hkcnews, maxPageBytes === undefined ? {} : { maxPageBytes });
}

function articleOf(result: ExtractResult): Article {
  if (!result.ok) assert.fail(`rejected as ${result.reason}: ${result.message}`);
  return result.article;
}

function assertRejected(result: ExtractResult, reason: RejectReason | 'not-article-url'): void {
  assert.equal(result.ok, false, 'expected a rejection');
  if (!result.ok) {
    assert.equal(result.reason, reason, result.message);
    assert.notEqual(result.message, '');
  }
}

// ---------------------------------------------------------------- pages (after the real 2018 shell; layouts A/B/C of HKCNEWS.md)

function head(extra: string, title: string = `${TITLE} - 眾新聞`): string {
  return `<!DOCTYPE html>
<html lang="zh">
<head>
<title>${title}</title>
<meta name="description" content="眾新聞 － 屬於眾的平台">
<meta name="keywords" content="眾新聞, hkcnews, 眾新聞">
<meta charset="utf-8" />
<meta name="csrf-token" content="abc">
<meta property="og:site_name" content="眾新聞" />
<meta property="og:locale" content="zh_HK" />
${extra}<link rel="stylesheet" type="text/css" href="/css/all.css?v=09151144">
<script>window.Laravel = {"csrfToken":"abc"}</script>
</head>
`;
}

const NAV = `<div class="wrapper navigation"><nav class="s-navbar">
<a href="https://www.hkcnews.com" class="nav-brand"><img src="https://www.hkcnews.com/images/navlogo.svg" alt="Desktop Logo" width="67px" /></a>
<ul><li><a href="https://www.hkcnews.com/editorial">眾觀</a></li><li><a href="https://www.hkcnews.com/news">眾聞</a></li><li><a href="https://www.hkcnews.com/bloggers">眾說</a></li><li><a href="https://www.hkcnews.com/tag/nav">nav</a></li></ul>
</nav></div>
`;

const TAIL = `<footer class="wrapper footer"><ul class="footer-link-group"><li><a href="/privacy">私隱條例</a></li><li><a href="/">眾新聞版權所有 &copy; 2017</a></li></ul></footer>
<script src="/js/appv2.js?v=070412" type="text/javascript" charset="utf-8"></script>
<script async src="//pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>
<script>(adsbygoogle = window.adsbygoogle || []).push({ google_ad_client: "ca-pub-2293437478817109" });</script>
</body>
</html>
`;

const AD =
  '<div class="ad-container"><ins class="adsbygoogle" style="display:block" data-ad-slot="7158292811"></ins><script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>';
const SHARE = (cls: string): string =>
  `<div class="${cls}"><a class="share-btn" href="https://www.facebook.com/sharer/sharer.php?u=x" target="_blank"><i class="fa fa-facebook"></i> 分享</a><a href="#" data-clipboard-text="x"><i class="fa fa-link"></i></a></div>`;
const RELATED = (cls: string): string =>
  `<div class="${cls}"><h4 class="section-title">相關文章</h4><ul><li><a href="/article/100/x">另一篇文章</a> <a href="/tag/不是標籤">#不是標籤</a></li></ul></div>`;
const PROMO = `<div class="subscribe-promo">
<hr>
<p>請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊 。</p>
<p>月費訂戶 <a href="https://www.hkcnews.com/aboutus/#subscribe">網址：hkcnews.com/aboutus/#subscribe</a></p>
</div>`;

const BODY_HTML = `<figure class="image"><img src="https://www.hkcnews.com/news_新聞/hk-discuss/2019/02/越南-美朝峰會-20190227200442_1b2d_large.jpg" alt=""><figcaption>特朗普與金正恩在河內舉行峰會。美聯社</figcaption></figure>
<p>美國總統特朗普與北韓領袖金正恩，周三晚在越南河內展開兩人之間的第二次峰會。</p>
<p>見<a href="/article/18000/前文">前文</a>及<a href="https://www.reuters.com/world/a" target="_blank" rel="noopener">路透社</a>。</p>`;

const EXPECTED_BLOCKS: Block[] = [
  {
    type: 'figure',
    src: 'https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/hk-discuss/2019/02/%E8%B6%8A%E5%8D%97-%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-20190227200442_1b2d_large.jpg',
    alt: '',
    caption: [{ type: 'text', text: '特朗普與金正恩在河內舉行峰會。美聯社' }],
  },
  {
    type: 'paragraph',
    children: [{ type: 'text', text: '美國總統特朗普與北韓領袖金正恩，周三晚在越南河內展開兩人之間的第二次峰會。' }],
  },
  {
    type: 'paragraph',
    children: [
      { type: 'text', text: '見' },
      {
        type: 'link',
        href: 'https://www.hkcnews.com/article/18000/%E5%89%8D%E6%96%87',
        children: [{ type: 'text', text: '前文' }],
      },
      { type: 'text', text: '及' },
      { type: 'link', href: 'https://www.reuters.com/world/a', children: [{ type: 'text', text: '路透社' }] },
      { type: 'text', text: '。' },
    ],
  },
];

/** Layout C (2021–): JSON-LD NewsArticle, <article>/<header>/<footer>. */
function jsonLdPage(bodyHtml: string = BODY_HTML, ld: Record<string, unknown> = {}): string {
  const data = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    mainEntityOfPage: { '@type': 'WebPage', '@id': URL_18733 },
    headline: TITLE,
    datePublished: '2019-02-27T20:04:42+08:00',
    dateModified: '2019-02-28T09:10:11+08:00',
    author: { '@type': 'Person', name: '眾新聞記者' },
    articleSection: '眾聞',
    keywords: ['越南', '美朝峰會'],
    publisher: { '@type': 'Organization', name: '眾新聞' },
    ...ld,
  };
  return (
    head(`<meta property="og:url" content="${URL_18733}" />
<meta property="og:title" content="${TITLE} | 眾新聞" />
<meta property="og:type" content="article" />
<link rel="canonical" href="${URL_18733}" />
<script type="application/ld+json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
`) +
    `<body class="page-article">
${NAV}<div class="wrapper page-wrapper"><div class="container"><div class="row"><div class="col-lg-8 col-md-12">
<article class="article" data-id="18733">
<header class="article__header">
<div class="article__section"><a href="/news">眾聞</a></div><h1 class="article__title">${TITLE}</h1>
<div class="article__byline"><span class="article__author">眾新聞記者</span><time class="article__time" datetime="2019-02-27T20:04:42+08:00">2019年2月27日</time></div>
</header>
${SHARE('article__share')}
<section class="article__body">
${bodyHtml}
</section>
<footer class="article__footer"><ul class="article__tags"><li><a href="/tag/越南">越南</a></li><li><a href="/tag/美朝峰會">美朝峰會</a></li></ul>
<aside class="article__author-card"><img class="article__author-avatar" src="/uploads/avatars/0b6c.png" alt="記者"><div class="article__author-bio">記者簡介</div></aside>
</footer>
</article>
${AD}
${RELATED('related-posts')}
</div>
<aside class="col-lg-4 sidebar"><div class="sidebar__popular"><h4>熱門</h4><ul><li><a href="/article/5/x">熱門文章</a></li></ul></div></aside>
</div></div></div>
${TAIL}`
  );
}

/** Layout B (2019–2020): OpenGraph and article:* meta tags, lazy-loaded images. */
function openGraphPage(): string {
  const lazy = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  return (
    head(`<meta property="og:url" content="${URL_18733}" />
<meta property="og:title" content="${TITLE}" />
<meta property="og:type" content="article" />
<meta property="article:published_time" content="2019-02-27T20:04:42+08:00" />
<meta property="article:modified_time" content="2019-02-28T09:10:11+08:00" />
<meta property="article:section" content="眾聞" />
<meta property="article:tag" content="越南" />
<meta property="article:tag" content="美朝峰會" />
<meta property="article:publisher" content="https://www.facebook.com/hkcnews/" />
<link rel="canonical" href="${URL_18733}" />
`) +
    `<body id="NewsDetail" class="news-detail-page">
${NAV}<main class="wrapper main-wrapper"><div class="container news-detail-container"><div class="row"><div class="col-md-8 col-sm-12 news-detail-main">
<div class="breadcrumb-bar"><a href="/">首頁</a> &rsaquo; <a class="news-cat" href="/news">眾聞</a></div>
<h1 class="news-detail-title">${TITLE}</h1>
<div class="news-detail-meta"><span class="news-detail-author"><i class="fa fa-user"></i> <a class="author-link" href="/author/%E7%9C%BE%E6%96%B0%E8%81%9E%E8%A8%98%E8%80%85">眾新聞記者</a></span>
<span class="news-detail-date">2019-02-27 20:04</span></div>
${AD}
<div class="news-detail-content" id="news-content">
${BODY_HTML.replace(/<img src="([^"]*)"/, `<img class="lazyload" src="${lazy}" data-src="$1"`)}
${PROMO}
</div>
<div class="news-author-box clearfix"><img class="lazyload author-avatar" src="${lazy}" data-src="/uploads/avatars/1.png" alt="博客"><div class="author-detail"><p class="author-title"><b>博客 | 某人</b></p><p class="author-intro">簡介</p></div></div>
<div class="news-detail-tags"><span class="tags-label">標籤：</span><a class="tag-item" href="/tag/越南">越南</a><a class="tag-item" href="/tag/美朝峰會">美朝峰會</a></div>
${SHARE('news-share')}
${RELATED('news-related')}
</div>
<aside class="col-md-4 news-sidebar"><div class="sidebar-hot"><a href="/article/9/x">熱門</a></div></aside>
</div></div></main>
${TAIL}`
  );
}

/** Layout A (2016–2018): metadata only in visible markup; og:title is the site name. */
function visibleMarkupPage(): string {
  return (
    head(`<meta property="og:url" content="https://www.hkcnews.com" />
<meta property="og:title" content="眾新聞" />
<meta property="og:type" content="article" />
`) +
    `<body id="Article" class="article-page">
${NAV}<div class="wrapper body"><div class="body-container article-container"><div class="row"><div class="col-xs-12 col-md-8 article-main">
${AD}
<div class="article-header">
<a class="article-category" href="/news">眾聞</a>
<h1 class="article-title">${TITLE}</h1>
<div class="article-author-info"><div class="author-profile-pic size-32" style="background-image:url(/uploads/avatars/default.jpg);"></div><div class="text-box"><div class="line"><span class="author-name">眾新聞記者</span></div><div class="line"><time class="article-date" datetime="2019-02-27T20:04:42+08:00">27.02.19</time></div></div></div>
<div class="article-update-time">最後更新：2019-02-28 09:10:11</div>
</div>
${SHARE('share-group share-top')}
<div class="article-content">
${BODY_HTML}
${PROMO.replace(/<\/?div[^>]*>/g, '')}
</div>
<div class="author-box"><div class="author-box-pic"><img src="/uploads/avatars/2.png" alt="主筆" class="img-circle"></div><div class="author-box-info"><strong>主筆 | 某人</strong><div class="author-box-desc">簡介</div></div></div>
<div class="article-tags"><a href="/tag/%E8%B6%8A%E5%8D%97" class="tag">#越南</a> <a href="/tag/美朝峰會" class="tag">#美朝峰會</a></div>
${SHARE('share-group share-bottom')}
${RELATED('related-articles')}
<div class="comments-section"><h4 class="section-title">留言</h4><div class="fb-comments" data-href="x"></div></div>
</div>
<div class="col-xs-12 col-md-4 sidebar hidden-xs">${AD}<div class="hot-list"><a href="/tag/熱門">熱門</a></div></div>
</div></div></div>
${TAIL}`
  );
}

function expectedArticle(payload: Uint8Array): Article {
  return {
    site: 'hkcnews',
    id: '18733',
    title: TITLE,
    date: '2019-02-27',
    lastUpdated: '2019-02-28 09:10:11',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['越南', '美朝峰會'],
    blocks: EXPECTED_BLOCKS,
    provenance: { originalUrl: URL_18733, timestamp: TS, sha256: createHash('sha256').update(payload).digest('hex') },
  };
}

// ---------------------------------------------------------------- the three layouts

test('reads every field of a JSON-LD page', () => {
  const payload = enc(jsonLdPage());
  assert.deepEqual(articleOf(extract(payload)), expectedArticle(payload));
});

test('reads every field of an OpenGraph/article:* page, dropping the promo and the author box', () => {
  const payload = enc(openGraphPage());
  assert.deepEqual(articleOf(extract(payload)), expectedArticle(payload));
});

test('reads every field of a page with metadata only in visible markup', () => {
  const payload = enc(visibleMarkupPage());
  assert.deepEqual(articleOf(extract(payload)), expectedArticle(payload));
});

test('a gzipped payload that no header declares gives the same article and the same hash as the plain page', () => {
  const plain = enc(jsonLdPage());
  const gz = gzipSync(plain);
  const a = articleOf(extract(gz));
  assert.deepEqual(a.blocks, EXPECTED_BLOCKS);
  assert.equal(a.provenance.sha256, createHash('sha256').update(plain).digest('hex'));
  assert.deepEqual(a, articleOf(extract(plain)));
});

test('dates given in UTC are written in Hong Kong time', () => {
  const a = articleOf(
    extract(jsonLdPage(BODY_HTML, { datePublished: '2019-02-26T22:30:00Z', dateModified: '2019-02-27T01:10:11.000Z' })),
  );
  assert.equal(a.date, '2019-02-27');
  assert.equal(a.lastUpdated, '2019-02-27 09:10:11');
});

test('a page without modification time has no lastUpdated, and absent fields stay absent', () => {
  const a = articleOf(
    extract(
      jsonLdPage(BODY_HTML, {
        dateModified: undefined,
        author: undefined,
        articleSection: undefined,
        keywords: undefined,
      })
        .replace(/<span class="article__author">[^<]*<\/span>/, '')
        .replace(/<div class="article__section">.*?<\/div>/, '')
        .replace(/<ul class="article__tags">.*?<\/ul>/, ''),
    ),
  );
  assert.equal('lastUpdated' in a, false);
  assert.equal('author' in a, false);
  assert.equal('category' in a, false);
  assert.deepEqual(a.tags, []);
  assert.equal(a.date, '2019-02-27');
});

test('JSON-LD with HTML comments and trailing commas is still read', () => {
  const page = jsonLdPage().replace(
    /<script type="application\/ld\+json">(.*?)<\/script>/s,
    (_, json: string) => `<script type="application/ld+json"><!--\n${json.replace(/}$/, ',}')}\n--></script>`,
  );
  assert.equal(articleOf(extract(page)).author, '眾新聞記者');
});

// ---------------------------------------------------------------- captures that are not the article

test('rejects an empty payload', () => {
  assertRejected(extract(new Uint8Array(0)), 'empty');
  assertRejected(extract(' \n\t '), 'empty');
});

test('rejects random bytes without throwing', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 4096 }),
      fc.constantFrom(undefined, 'text/html', 'text/html; charset=big5', 'application/octet-stream'),
      (bytes, contentType) => {
        const result = extract(bytes, contentType === undefined ? {} : { contentType });
        assert.equal(result.ok, false);
      },
    ),
    { numRuns: 300, seed: 31 },
  );
});

test('rejects images and other binary payloads as not-html', () => {
  assertRejected(
    extract(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00])),
    'not-html',
  );
  assertRejected(extract(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'not-html');
  assertRejected(extract(enc('%PDF-1.4\n%…')), 'not-html');
  assertRejected(
    extract(enc('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), { contentType: 'image/svg+xml' }),
    'not-html',
  );
  assertRejected(
    extract(
      enc(
        '<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg"><title>HKCNEWS</title><text>眾新聞告別</text></svg>',
      ),
      { url: 'https://www.hkcnews.com/article/209/images/images/HKCNEWS-text-white.svg' },
    ),
    'not-html',
  );
  assertRejected(extract(jsonLdPage(), { contentType: 'image/jpeg' }), 'not-html');
  assertRejected(extract(new Uint8Array(2048)), 'not-html');
});

test('rejects the Wayback offline page', () => {
  const page =
    '<!DOCTYPE html><html><head><title>Temporarily Offline</title></head><body><div id="positionHome"><h1>Internet Archive</h1><p>Internet Archive services are temporarily offline.</p><p>Please check our official blogs or social media for updates.</p></div></body></html>';
  assertRejected(extract(page), 'wayback-error');
});

test('rejects Cloudflare challenge pages', () => {
  const moment =
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="refresh" content="35"></head><body><div class="main-wrapper"><h1>www.hkcnews.com</h1><h2>Checking if the site connection is secure</h2><p>www.hkcnews.com needs to review the security of your connection before proceeding.</p></div></body></html>';
  assertRejected(extract(moment), 'challenge');
  const attention =
    '<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body><div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper"><h1>Sorry, you have been blocked</h1><h2>You are unable to access hkcnews.com</h2></div></div></body></html>';
  assertRejected(extract(attention), 'challenge');
});

test('rejects a challenge page titled with a typographic ellipsis', () => {
  assertRejected(
    extract(
      '<!DOCTYPE html><html><head><title>Just a moment…</title></head><body><h1>www.hkcnews.com</h1><p>Checking your browser before accessing.</p></body></html>',
    ),
    'challenge',
  );
});

test('rejects the farewell page, with or without its statement paragraphs', () => {
  const bare =
    head('', '眾新聞告別 &nbsp; &nbsp;感謝讀者') +
    `<body>${NAV}<div class="farewell"><img src="/images/farewell.jpg" alt=""></div>${TAIL}`;
  assertRejected(extract(bare), 'farewell');
  const statement = `<!DOCTYPE html>
<html lang="zh-HK"><head><meta charset="utf-8"><title>眾新聞告別 &nbsp; &nbsp;感謝讀者</title><meta property="og:title" content="眾新聞告別 \u00a0 \u00a0感謝讀者"></head>
<body><div class="farewell"><img src="images/images/HKCNEWS-text-white.svg" alt="HKCNEWS">
<p>眾新聞已於2022年1月4日停止運作，網站亦將於稍後關閉。</p><p>五年來承蒙各位讀者、訂戶及作者支持，謹此致謝。</p><p>願香港人珍重。</p>
</div></body></html>`;
  assertRejected(
    extract(statement, {
      url: 'https://www.hkcnews.com/article/209/images/images/HKCNEWS-text-white.svg',
      timestamp: '20230326111606',
    }),
    'farewell',
  );
});

test('keeps a real article whose title starts like the farewell page', () => {
  const page = jsonLdPage(BODY_HTML, { headline: '眾新聞告別 感謝讀者' }).replace(
    `<title>${TITLE} - 眾新聞</title>`,
    '<title>眾新聞告別 感謝讀者 - 眾新聞</title>',
  );
  assert.equal(articleOf(extract(page)).title, '眾新聞告別 感謝讀者');
});

test('rejects a 404 page served with status 200', () => {
  const page =
    head('', '找不到頁面 - 眾新聞') +
    `<body id="NotFound" class="error-page">${NAV}<div class="wrapper body"><div class="body-container error-container">
<h1 class="error-code">404</h1><h2 class="error-title">Page not found 找不到頁面</h2>
<p>Sorry, the page you are looking for could not be found. 你要找的頁面不存在或已被移除。</p><p><a href="/">返回首頁</a></p>
</div></div>${TAIL}`;
  assertRejected(extract(page), 'not-found');
});

test('rejects a capture cut in the middle', () => {
  const page = jsonLdPage();
  assertRejected(extract(page.slice(0, Math.floor(page.length * 0.6))), 'truncated');
});

test('rejects an article layout with an empty title', () => {
  const page = jsonLdPage('<p></p>', { headline: '' })
    .replace(/<title>.*?<\/title>/, '<title>眾新聞</title>')
    .replace(/<meta property="og:title"[^>]*>/, '<meta property="og:title" content="眾新聞" />')
    .replace(/<h1 class="article__title">.*?<\/h1>/, '<h1 class="article__title"></h1>');
  assertRejected(extract(page), 'no-title');
});

test('rejects by archived HTTP status', () => {
  assertRejected(extract(jsonLdPage(), { httpStatus: 404 }), 'not-found');
  assertRejected(extract(jsonLdPage(), { httpStatus: 301 }), 'http-status');
  assertRejected(extract(jsonLdPage(), { httpStatus: 503 }), 'http-status');
  assert.equal(extract(jsonLdPage(), { httpStatus: 200 }).ok, true);
});

test('rejects a URL that is not an hkcnews article', () => {
  assertRejected(extract(jsonLdPage(), { url: 'https://www.hkcnews.com/news' }), 'not-article-url');
  assertRejected(extract(jsonLdPage(), { url: 'https://hkcnews.com.evil.net/article/1/' }), 'not-article-url');
});

test('rejects a page whose canonical URL is on another site', () => {
  assertRejected(
    extract(
      jsonLdPage().replace(
        `<link rel="canonical" href="${URL_18733}" />`,
        '<link rel="canonical" href="https://www.thestandnews.com/politics/x" />',
      ),
    ),
    'other-site',
  );
  assertRejected(
    extract(
      jsonLdPage().replace(
        `<link rel="canonical" href="${URL_18733}" />`,
        '<link rel="canonical" href="https://www.hkcnews.com.evil.net/article/18733/" />',
      ),
    ),
    'other-site',
  );
});

test('accepts canonical URLs on either hkcnews host, absolute or relative', () => {
  for (const href of [
    'https://hkcnews.com/article/18733/x',
    '/article/18733/x',
    'https://www.hkcnews.com/article/18733',
  ]) {
    assert.equal(
      extract(
        jsonLdPage().replace(`<link rel="canonical" href="${URL_18733}" />`, `<link rel="canonical" href="${href}" />`),
      ).ok,
      true,
      href,
    );
  }
});

test('rejects a page over the size limit', () => {
  const big = new Uint8Array(25 * 1024 * 1024).fill(0x20);
  big.set(enc('<!DOCTYPE html><html><head><title>x</title></head><body>'));
  assertRejected(extract(big), 'too-large');
  assertRejected(extract(jsonLdPage(), {}, 1000), 'too-large');
});

test('a capture the WARC reader skipped as over the limit (empty payload, payloadBytes set) is too-large, not empty', () => {
  assertRejected(extract(new Uint8Array(), { payloadBytes: 3 * 1024 ** 3 }), 'too-large');
  assertRejected(extract(new Uint8Array()), 'empty');
});

test('rejects gzip payloads that inflate past the limits', () => {
  const spaces = (mib: number): Buffer => Buffer.alloc(mib * 1024 * 1024, 0x20);
  assertRejected(
    extract(gzipSync(Buffer.concat([enc('<!DOCTYPE html><html><body>'), spaces(25)]), { level: 1 })),
    'too-large',
  );
  // Past the 64 MiB inflate cap of decode.ts the bytes stay compressed, and compressed bytes are no page.
  assert.equal(extract(gzipSync(spaces(65), { level: 1 })).ok, false);
});

// ---------------------------------------------------------------- hostile markup

test('survives 20,000 nested <div>s, keeping the text beyond the depth limit', () => {
  // No timing here (timed unit tests flake under load): htmlparser2's own open-element stack
  // makes deep nesting quadratic (100,000 levels take 8-14 s on the CI machine); the page-size
  // cap bounds it. This checks that nothing overflows and no text is lost past MAX_DEPTH.
  const deep = extract(
    jsonLdPage(`<p>第一段</p>${'<div>'.repeat(20_000)}深層文字${'</div>'.repeat(20_000)}<p>最後一段</p>`),
  );
  const text = articleText(articleOf(deep));
  assert.ok(text.startsWith('第一段') && text.includes('深層文字') && text.endsWith('最後一段'), text);
});

test("a page's absurd metadata is cut to the limits, each cut noted; an absurd URL is no article", () => {
  const huge = '標'.repeat(3_000_000);
  const tags = Array.from({ length: 500 }, (_, i) => `tag${i}` + 'x'.repeat(i === 0 ? 5_000 : 0));
  // Without the visible headline, which would overrule a JSON-LD headline it disagrees with.
  const result = extract(
    jsonLdPage(BODY_HTML, {
      headline: huge,
      author: { '@type': 'Person', name: '記'.repeat(10_000) },
      articleSection: '欄'.repeat(10_000),
      keywords: tags,
    }).replace(/<h1[^>]*>[\s\S]*?<\/h1>/, ''),
  );
  const a = articleOf(result);
  assert.equal(a.title.length, MAX_TITLE_CHARS);
  assert.ok(a.title.endsWith('…'));
  assert.ok((a.author ?? '').length <= MAX_AUTHOR_CHARS && (a.category ?? '').length <= MAX_CATEGORY_CHARS);
  assert.ok(a.tags.length <= MAX_TAGS && a.tags.every((t) => t.length <= MAX_TAG_CHARS));
  assert.ok(
    result.notes.some((n) => n.startsWith('title: cut to 1000 of 3000000')),
    result.notes.join('\n'),
  );
  assertRejected(extract(jsonLdPage(), { url: URL_18733 + '?' + 'q'.repeat(MAX_URL_CHARS) }), 'not-article-url');
});

test('a UTF-16 page with a byte order mark is extracted, not refused as binary', () => {
  const html = jsonLdPage();
  for (const bom of [
    [0xff, 0xfe],
    [0xfe, 0xff],
  ]) {
    const units = Buffer.from(html, 'utf16le');
    if (bom[0] === 0xfe) units.swap16();
    const a = articleOf(extract(Uint8Array.from([...bom, ...units])));
    assert.equal(a.title, TITLE);
  }
});

test('a UTF-8 page with one invalid byte is extracted as UTF-8, with a warning', () => {
  const html = jsonLdPage();
  const at = html.indexOf('</body>');
  const bytes = Uint8Array.from([...enc(html.slice(0, at)), 0xff, ...enc(html.slice(at))]);
  const result = extract(bytes);
  assert.equal(articleOf(result).title, TITLE);
  assert.ok(
    result.ok && (result.warnings ?? []).some((w) => w.includes('1 invalid UTF-8 byte sequence')),
    JSON.stringify(result.ok && result.warnings),
  );
});

test('survives 100,000 nested <span><p> pairs (200,000 siblings in one element once flattened), keeping the text', () => {
  // Built with spreads (`out.push(...pieces)`), 200,000 pieces overflowed the stack (RangeError).
  const a = articleOf(extract(jsonLdPage(`<p>開始</p>${'<span><p>'.repeat(100_000)}內容`)));
  assert.ok(articleText(a).includes('內容'));
});

test('survives 5,000 unclosed nested inline, list and quote elements, keeping the text', () => {
  for (const open of [
    '<b>',
    '<span>',
    '<a href="/x">',
    '<ul><li>',
    '<ol><li>',
    '<blockquote>',
    '<dl><dd>',
    '<p><span>',
  ]) {
    const a = articleOf(extract(jsonLdPage(`<p>開始</p>${open.repeat(5_000)}內容`)));
    assert.ok(articleText(a).includes('內容'), open);
  }
});

test('keeps the text of tables and figures nested deeper than the depth limit', () => {
  for (const open of ['<table><tr><td>', '<figure>']) {
    const closing = open
      .replace(/<(\w+)[^>]*>/g, '</$1>')
      .split(/(?=<\/)/)
      .reverse()
      .join('');
    const a = articleOf(extract(jsonLdPage(`<p>開始</p>${open.repeat(100)}內容${closing.repeat(100)}<p>完</p>`)));
    assert.ok(articleText(a).includes('內容'), open);
  }
});

test('replaces invalid UTF-8 bytes with U+FFFD and keeps the rest of the page', () => {
  const [before, after] = jsonLdPage('<p>前文XX後文</p>').split('XX') as [string, string];
  const payload = Uint8Array.from([...enc(before), 0xff, 0xc3, 0x28, 0xa0, ...enc(after)]);
  const a = articleOf(extract(payload));
  assert.equal(a.title, TITLE);
  assert.match(articleText(a), /^前文\ufffd+\(?\ufffd*後文$/);
});

test('a lying legacy charset header does not garble a UTF-8 page', () => {
  for (const contentType of [
    'text/html; charset=iso-8859-1',
    'text/html; charset=big5',
    'text/html; charset=x-unknown-label',
  ]) {
    const a = articleOf(extract(jsonLdPage(), { contentType }));
    assert.equal(a.title, TITLE, contentType);
    assert.deepEqual(a.blocks, EXPECTED_BLOCKS, contentType);
  }
});

test('control characters from entities never reach the text', () => {
  const a = articleOf(extract(jsonLdPage('<p>a&#1;b&#x1F;c&#127;d\u0007e</p>')));
  assert.equal(articleText(a), 'abcde');
});

test('scripts that contain </html> do not cut the page', () => {
  const page = jsonLdPage().replace('</head>', '<script>document.write("</html>")</script>\n</head>');
  assert.equal(extract(page).ok, true);
});

// ---------------------------------------------------------------- body features

/** Adjacent text nodes joined: how text is split into nodes is not part of the model's meaning. */
function mergeText(nodes: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    const last = out[out.length - 1];
    if (n.type === 'text' && last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + n.text };
    else if (n.type === 'text' || n.type === 'break') out.push(n);
    else out.push({ ...n, children: mergeText(n.children) });
  }
  return out;
}

function mergeBlocks(blocks: readonly Block[]): Block[] {
  return blocks.map((b): Block => {
    switch (b.type) {
      case 'paragraph':
      case 'heading':
        return { ...b, children: mergeText(b.children) };
      case 'quote':
        return { ...b, children: mergeBlocks(b.children) };
      case 'list':
        return { ...b, items: b.items.map(mergeBlocks) };
      case 'table':
        return { ...b, rows: b.rows.map((row) => row.map(mergeText)) };
      case 'figure':
        return b.caption ? { ...b, caption: mergeText(b.caption) } : b;
      default:
        return b;
    }
  });
}

/** The blocks of a JSON-LD page with this body, adjacent text nodes joined. */
function blocksOf(bodyHtml: string): Block[] {
  return mergeBlocks(articleOf(extract(jsonLdPage(bodyHtml))).blocks);
}
const t = (text: string): Inline => ({ type: 'text', text });
const br: Inline = { type: 'break' };
const para = (...children: Inline[]): Block => ({ type: 'paragraph', children });

/** Cloudflare's data-cfemail: the key byte, then every UTF-8 byte XOR the key, in hex. */
function cfEncode(email: string, key: number): string {
  return [key, ...enc(email).map((b) => b ^ key)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

test('decodes Cloudflare-protected e-mail addresses', () => {
  const hex = cfEncode('editor@hkcnews.com', 0x5a);
  assert.deepEqual(
    blocksOf(
      `<p>電郵：<a href="/cdn-cgi/l/email-protection" class="__cf_email__" data-cfemail="${hex}">[email&#160;protected]</a>。</p>`,
    ),
    [
      para(
        t('電郵：'),
        { type: 'link', href: 'mailto:editor@hkcnews.com', children: [t('editor@hkcnews.com')] },
        t('。'),
      ),
    ],
  );
  assert.deepEqual(
    blocksOf(
      `<p>電郵 <span class="__cf_email__" data-cfemail="${cfEncode('tips@gmail.com', 0x01)}">[email&#160;protected]</span></p>`,
    ),
    [para(t('電郵 tips@gmail.com'))],
  );
});

test('turns /cdn-cgi/l/email-protection#HEX links into mailto: links', () => {
  const hex = cfEncode('letters@hkcnews.com', 0xa7);
  assert.deepEqual(blocksOf(`<p><a href="/cdn-cgi/l/email-protection#${hex}">寫信給我們</a></p>`), [
    para({ type: 'link', href: 'mailto:letters@hkcnews.com', children: [t('寫信給我們')] }),
  ]);
  assert.deepEqual(
    blocksOf(
      `<p><a href="https://www.hkcnews.com/cdn-cgi/l/email-protection#${hex}"><span class="__cf_email__" data-cfemail="${hex}">[email&#160;protected]</span></a></p>`,
    ),
    [para({ type: 'link', href: 'mailto:letters@hkcnews.com', children: [t('letters@hkcnews.com')] })],
  );
});

test('keeps the placeholder of a malformed data-cfemail rather than inventing an address', () => {
  assert.deepEqual(blocksOf('<p><span class="__cf_email__" data-cfemail="zz">[email&#160;protected]</span></p>'), [
    para(t('[email\u00a0protected]')),
  ]);
});

test('resolves lazy images to their real source', () => {
  const gif = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  assert.deepEqual(
    blocksOf(`<p><img class="lazyload" src="${gif}" data-src="/news_新聞/a_large.jpg" alt="說明"></p>`),
    [{ type: 'figure', src: 'https://www.hkcnews.com/news_%E6%96%B0%E8%81%9E/a_large.jpg', alt: '說明' }],
  );
  assert.deepEqual(blocksOf('<p><img src="/images/blank.gif" data-original="https://cdn.example/b.jpg" alt=""></p>'), [
    { type: 'figure', src: 'https://cdn.example/b.jpg', alt: '' },
  ]);
  // The largest candidate: pages list thumbnails and the full-size picture in one srcset.
  assert.deepEqual(blocksOf('<p><img srcset="/c-480.jpg 480w, /c-960.jpg 960w" alt=""></p>'), [
    { type: 'figure', src: 'https://www.hkcnews.com/c-960.jpg', alt: '' },
  ]);
});

test('drops images without a real source, tracking pixels and author avatars', () => {
  assert.deepEqual(
    blocksOf(
      `<p>文字</p><img src="data:image/gif;base64,R0lGODlh"><img src="https://pixel.example/t.gif" width="1" height="1"><img src=""><img src="javascript:alert(1)"><img src="/uploads/avatars/9f.png" alt="博客">`,
    ),
    [para(t('文字'))],
  );
});

test('keeps figure captions, with line breaks, on the figure', () => {
  assert.deepEqual(
    blocksOf(
      '<figure class="image"><img src="/a.jpg" alt="  圖  "><figcaption>  第一行<br>美聯社  </figcaption></figure>',
    ),
    [{ type: 'figure', src: 'https://www.hkcnews.com/a.jpg', alt: '圖', caption: [t('第一行'), br, t('美聯社')] }],
  );
});

test('a caption without an image is kept as a paragraph', () => {
  assert.deepEqual(blocksOf('<figure><img src=""><figcaption>圖片已刪除</figcaption></figure>'), [
    para(t('圖片已刪除')),
  ]);
});

test('iframes become embeds with https: for protocol-relative sources', () => {
  const fb =
    '//www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fhkcnews%2Fvideos%2F123%2F&show_text=0&width=560';
  assert.deepEqual(
    blocksOf(
      `<div class="article__video"><iframe src="${fb}" width="560" height="315" style="border:none;overflow:hidden" scrolling="no" frameborder="0" allowFullScreen="true"></iframe></div>`,
    ),
    [{ type: 'embed', src: 'https:' + fb }],
  );
  assert.deepEqual(
    blocksOf(
      '<p>影片：<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" frameborder="0" allowfullscreen></iframe>完</p>',
    ),
    [para(t('影片：')), { type: 'embed', src: 'https://www.youtube.com/embed/dQw4w9WgXcQ' }, para(t('完'))],
  );
  assert.deepEqual(blocksOf('<p>x</p><iframe src="javascript:alert(1)"></iframe>'), [para(t('x'))]);
});

test('drops the subscription promo and the rule before it', () => {
  const promo = PROMO.replace(/<\/?div[^>]*>/g, '');
  assert.deepEqual(blocksOf(`<p>正文。</p>\n${promo}`), [para(t('正文。'))]);
  assert.deepEqual(blocksOf(`<p>正文。</p>\n${PROMO}`), [para(t('正文。'))]);
  assert.deepEqual(
    blocksOf('<p>正文。</p><p><a href="https://www.hkcnews.com/aboutus/#subscribe">請支持《眾新聞》，成為訂戶</a></p>'),
    [para(t('正文。'))],
  );
});

test('keeps content rules and long paragraphs that quote the promo wording', () => {
  const quoting = '社論：' + '我們一直說「長期支持我們的工作」，'.repeat(12);
  assert.deepEqual(blocksOf(`<p>上</p><hr><p>下</p><p>${quoting}</p>`), [
    para(t('上')),
    { type: 'rule' },
    para(t('下')),
    para(t(quoting)),
  ]);
});

test('ignores scripts, styles, ads, forms and hidden elements', () => {
  assert.deepEqual(
    blocksOf(`<p>前<script>var s = "<p>不是內文</p>";</script>後</p><style>p { color: red }</style><noscript>請啟用 JavaScript</noscript>
    <ins class="adsbygoogle">廣告</ins>${AD}${SHARE('share-group')}<form><input value="搜尋"><button>送出</button></form><p style="display: none">隱藏</p><p hidden>也隱藏</p><p>完</p>`),
    [para(t('前後')), para(t('完'))],
  );
});

test('a <br> is a line break and <br><br> starts a new paragraph', () => {
  assert.deepEqual(blocksOf('<p>第一行<br>第二行<br/><br />第二段<br>\n<br>\n第三段</p>'), [
    para(t('第一行'), br, t('第二行')),
    para(t('第二段')),
    para(t('第三段')),
  ]);
});

test('loose text and <br>s in a container become paragraphs', () => {
  assert.deepEqual(blocksOf('第一段<br><br>第二段<div>第三段</div>'), [
    para(t('第一段')),
    para(t('第二段')),
    para(t('第三段')),
  ]);
});

test('collapses ASCII white space and trims it at breaks, keeping NBSP and U+3000', () => {
  assert.deepEqual(blocksOf('<p>  一 \n\t 二  <br>  三&nbsp;&nbsp;四\u3000五 </p>'), [
    para(t('一 二'), br, t('三\u00a0\u00a0四\u3000五')),
  ]);
  assert.deepEqual(blocksOf('<p>a <b> b </b> c</p>'), [para(t('a '), { type: 'strong', children: [t('b ')] }, t('c'))]);
});

test('keeps bold, italic and strikethrough, and drops empty formatting (a <br> in it still breaks the line)', () => {
  assert.deepEqual(blocksOf('<p><b>粗</b><i>斜</i><s>刪</s><strong></strong><em><br></em>完</p>'), [
    para(
      { type: 'strong', children: [t('粗')] },
      { type: 'em', children: [t('斜')] },
      { type: 'del', children: [t('刪')] },
      { type: 'break' },
      t('完'),
    ),
  ]);
});

test('headings keep their level; empty ones are dropped', () => {
  assert.deepEqual(blocksOf('<h2>小標題</h2><h3>上<br>下</h3><h2><br></h2><h4> </h4><p>x</p>'), [
    { type: 'heading', level: 2, children: [t('小標題')] },
    { type: 'heading', level: 3, children: [t('上 下')] },
    para(t('x')),
  ]);
});

test('tables keep rows and cells and know their header row', () => {
  assert.deepEqual(
    blocksOf(
      '<table class="table table-bordered"><thead><tr><th>年份</th><th>人數</th></tr></thead><tbody><tr><td>2019</td><td>5<br>人</td></tr></tbody></table>',
    ),
    [
      {
        type: 'table',
        header: true,
        rows: [
          [[t('年份')], [t('人數')]],
          [[t('2019')], [t('5 人')]],
        ],
      },
    ],
  );
  assert.deepEqual(blocksOf('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>'), [
    {
      type: 'table',
      header: false,
      rows: [
        [[t('a')], [t('b')]],
        [[t('c')], [t('d')]],
      ],
    },
  ]);
});

test('one-column layout tables are read as content', () => {
  assert.deepEqual(blocksOf('<table><tr><td><p>段落一</p></td></tr><tr><td>段落二</td></tr></table>'), [
    para(t('段落一')),
    para(t('段落二')),
  ]);
});

test('lists keep order, start number and nesting', () => {
  assert.deepEqual(
    blocksOf(
      '<ol start="3"><li>三</li><li>四</li></ol><ul><li>甲<ul><li>乙</li></ul></li></ul><ol start="x"><li>一</li></ol>',
    ),
    [
      { type: 'list', ordered: true, start: 3, items: [[para(t('三'))], [para(t('四'))]] },
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [[para(t('甲')), { type: 'list', ordered: false, start: 1, items: [[para(t('乙'))]] }]],
      },
      { type: 'list', ordered: true, start: 1, items: [[para(t('一'))]] },
    ],
  );
});

test('block quotes hold their paragraphs', () => {
  assert.deepEqual(
    blocksOf('<blockquote><p>引述一</p><p>引述二</p></blockquote><blockquote>直接<br>文字</blockquote>'),
    [
      { type: 'quote', children: [para(t('引述一')), para(t('引述二'))] },
      { type: 'quote', children: [para(t('直接'), br, t('文字'))] },
    ],
  );
});

test('resolves relative links against the original URL and drops unsafe or empty ones', () => {
  assert.deepEqual(
    blocksOf(
      '<p><a href="/article/100/x">甲</a><a href="../../200">乙</a><a href="javascript:void(0)">丙</a><a href="#top">丁</a><a href=" https://a.example/x ">戊</a></p>',
    ),
    [
      para(
        { type: 'link', href: 'https://www.hkcnews.com/article/100/x', children: [t('甲')] },
        { type: 'link', href: 'https://www.hkcnews.com/article/200', children: [t('乙')] },
        t('丙丁'),
        { type: 'link', href: 'https://a.example/x', children: [t('戊')] },
      ),
    ],
  );
});

test('a figure that wraps a quote, text or a table keeps that content', () => {
  assert.ok(
    articleText({
      blocks: blocksOf('<figure><blockquote>引述內容</blockquote><figcaption>— 作者</figcaption></figure>'),
    }).includes('引述內容'),
  );
  assert.ok(
    articleText({ blocks: blocksOf('<figure><img src="/a.jpg"><p>說明文字</p></figure>') }).includes('說明文字'),
  );
  assert.ok(
    articleText({
      blocks: blocksOf('<figure><table><tr><td>甲</td><td>乙</td></tr></table><figcaption>表</figcaption></figure>'),
    }).includes('甲'),
  );
});

test('extraction is deterministic', () => {
  const payload = enc(openGraphPage());
  assert.deepEqual(extract(payload), extract(payload));
});

test('JSON-LD scripts past the parsed part are found by a scan that stops when no script closes', () => {
  const ld = '{"@type":"NewsArticle"}';
  assert.deepEqual(
    jsonLdScripts(
      `<p>x</p><SCRIPT type="application/ld+json">${ld}</script ><script>var a = 1;</script><script type='application/ld+json'>[]</script>`,
    ),
    [ld, '[]'],
  );
  assert.deepEqual(jsonLdScripts('<script type="application/ld+json">{'.repeat(10_000)), []);
  assert.deepEqual(
    jsonLdScripts(`<script type="text/javascript">x</script><script type=application/ld+json>${ld}</script>`),
    [ld],
  );
});

test('a title keeps U+3000 and NBSP next to a space as published; only HTML white space collapses', () => {
  for (const title of [
    '特朗普金正恩河內峰會　 同稱可望達致成果',
    '特朗普金正恩河內峰會 　同稱可望達致成果',
    'Title\u00a0 with NBSP',
  ]) {
    const page = jsonLdPage().split(TITLE).join(title);
    assert.equal(articleOf(extract(page)).title, title, JSON.stringify(title));
  }
  const wrapped = jsonLdPage().split(TITLE).join('特朗普金正恩\n   河內峰會');
  assert.equal(articleOf(extract(wrapped)).title, '特朗普金正恩 河內峰會', 'a title written over lines is one line');
});
