// Four hkcnews article layouts the engine was not written for, for the capture generator's
// `--extra-variants` (../shared/tools/hkcnews-site/README.md, "Extra variants"). Each one combines
// behaviours of real news pages of 2016-2022 as an outlet redesigning itself would, so that
// `npm run bench:layouts` measures the general rules, not the three built-in templates:
//
//   amp       AMP mobile edition: <amp-img>, a JSON-LD @graph whose author is the outlet itself
//             and whose headline is cut at 110 characters (Google's AMP limit), times in UTC,
//             the category only in a breadcrumb, "<title> | section | site", <amp-ad> slots and
//             a 延伸閱讀 list between paragraphs, tags as hashtag text.
//   lite      text-only edition: no metadata in <head> but the <title>, the headline in an <h2>,
//             a 作者： line, the date only as "2019年2月27日 下午8:04", the update as dd/mm/yyyy,
//             thumbnails linking to their large image with the caption in a <small>, tags as text.
//   redesign  2021-style theme: lazy <picture> with data-srcset (the largest candidate is the
//             image) and a <noscript> fallback, rel=tag topic links, a byline "文｜name" with
//             the reporter card, share bar, font-size buttons, view counter, newsletter box and
//             a related list inside the article container, <time> in UTC.
//   portal    2017 table layout: headline in a layout table with a view counter, font-size
//             buttons (適中字型 較大字型), JSON-LD of a video teaser elsewhere on the page, the
//             site as <meta name=author> with the person in a 撰文： line, captions in the cell
//             under each photo, spacer and layout gifs.
//
// Each layout carries every field of the archive file somewhere a reader can see it; none uses
// the class names of the built-in templates.

const utc = (iso) => (iso ? new Date(iso).toISOString().replace('.000Z', 'Z') : null);
const hktParts = (iso) => ({ d: iso.slice(0, 10), h: +iso.slice(11, 13), m: iso.slice(14, 16), s: iso.slice(17, 19) });
const zhDateTime = (iso) => {
  const { d, h, m } = hktParts(iso);
  return `${+d.slice(0, 4)}年${+d.slice(5, 7)}月${+d.slice(8, 10)}日 ${h < 12 ? '上午' : '下午'}${h % 12 === 0 ? 12 : h % 12}:${m}`;
};
const dmyTime = (lu) => `${lu.slice(8, 10)}/${lu.slice(5, 7)}/${lu.slice(0, 4)} ${lu.slice(11)}`;
/** The thumbnail a CMS derives from an image URL. */
const thumbOf = (src) =>
  /_large\.(\w+)$/.test(src)
    ? src.replace(/_large\.(\w+)$/, '_thumb.$1')
    : src + (src.includes('?') ? '&' : '?') + 'w=320';
const FIGURE = /<figure class="[^"]*">(<img [^>]*>)(?:<figcaption>([\s\S]*?)<\/figcaption>)?<\/figure>/g;
const attr = (tag, name) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
const views = (ctx) => 1000 + Math.floor(ctx.r() * 90000);

function head(ctx, { title, extra = '', amp = false }) {
  const { escAttr, escText } = ctx.lib;
  return `<!DOCTYPE html>
<html${amp ? ' amp' : ''} lang="zh-Hant-HK">
<head>
<meta charset="utf-8">
<title>${escText(title)}</title>
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
${extra}</head>
`;
}

// ---------------------------------------------------------------- amp

function renderAmp(ctx) {
  const { fm, model, lib } = ctx;
  const { escAttr, escText, jsonForScript } = lib;
  let n = 0;
  const r = ctx.renderer({
    br: '<br>',
    img: ({ src, alt }) =>
      src === ''
        ? `<amp-img src="" alt="${escAttr(alt)}" width="1" height="1"></amp-img>`
        : `<amp-img src="${escAttr(src)}" alt="${escAttr(alt)}" width="1200" height="800" layout="responsive"></amp-img>`,
    iframe: (src) =>
      `<amp-iframe src="${escAttr(src)}" width="560" height="315" layout="responsive" sandbox="allow-scripts allow-same-origin" frameborder="0"></amp-iframe>`,
    videoBlock: (html) => `<div class="embed">${html}</div>`,
    figureClass: 'wp-block-image',
    between: (i) => {
      if (i === 0) return '';
      n++;
      if (n === 3)
        return `<amp-ad width="300" height="250" type="adsense" data-ad-client="ca-pub-2293437478817109" data-ad-slot="77${ctx.id % 97}"><div placeholder>廣告</div></amp-ad>`;
      if (n === 6 && ctx.related.length)
        return `<aside class="read-more"><p>延伸閱讀：</p><ul>${ctx.related
          .slice(0, 3)
          .map((a) => `<li><a href="${escAttr(a.href)}?amp=1">${escText(a.title)}</a></li>`)
          .join('')}</ul></aside>`;
      return '';
    },
  });
  const body = model.parts.length ? r.body(model.parts) : '';
  const site = {
    '@type': 'Organization',
    '@id': 'https://www.hkcnews.com/#org',
    name: '眾新聞',
    logo: { '@type': 'ImageObject', url: 'https://www.hkcnews.com/citzennews_256x256.png' },
  };
  const graph = [
    site,
    {
      '@type': 'WebSite',
      '@id': 'https://www.hkcnews.com/#site',
      url: 'https://www.hkcnews.com/',
      name: '眾新聞',
      publisher: { '@id': site['@id'] },
    },
  ];
  const crumbs = [{ '@type': 'ListItem', position: 1, name: '首頁', item: 'https://www.hkcnews.com/' }];
  if (fm.category)
    crumbs.push({
      '@type': 'ListItem',
      position: 2,
      name: fm.category,
      item: 'https://www.hkcnews.com/category/' + encodeURIComponent(fm.category),
    });
  graph.push({ '@type': 'BreadcrumbList', itemListElement: crumbs });
  const title = ctx.title;
  const art = {
    '@type': 'NewsArticle',
    mainEntityOfPage: ctx.canonical,
    headline: [...title].length > 110 ? [...title].slice(0, 109).join('') + '…' : title,
    author: { '@id': site['@id'] },
    publisher: { '@id': site['@id'] },
  };
  if (ctx.pubIso) art.datePublished = utc(ctx.pubIso);
  if (ctx.luIso) art.dateModified = utc(ctx.luIso);
  if (ctx.ogImage) art.image = { '@type': 'ImageObject', url: ctx.ogImage, width: 1200, height: 800 };
  graph.push(art);
  const docTitle = [title, fm.category, '眾新聞'].filter(Boolean).join(' | ');
  let h = head(ctx, {
    amp: true,
    title: docTitle,
    extra: `<link rel="canonical" href="${escAttr(ctx.canonical)}">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both}</style>
<script type="application/ld+json">${jsonForScript({ '@context': 'https://schema.org', '@graph': graph })}</script>
`,
  });
  h += `<body>
<header class="amp-header"><a href="https://www.hkcnews.com/"><amp-img src="https://www.hkcnews.com/images/navlogo.svg" width="67" height="24" alt="眾新聞"></amp-img></a>
<amp-sidebar id="menu" layout="nodisplay"><ul><li><a href="/news">眾聞</a></li><li><a href="/bloggers">眾說</a></li><li><a href="/editorial">眾觀</a></li></ul></amp-sidebar></header>
<main>
<nav class="crumbs"><a href="https://www.hkcnews.com/">首頁</a> › ${fm.category ? `<span>${escText(fm.category)}</span>` : ''}</nav>
<h1 class="amp-title">${escText(title)}</h1>
<p class="amp-meta">${fm.author ? `<span class="amp-by">撰文：${escText(fm.author)}</span> ` : ''}${ctx.pubIso ? `<span class="amp-date">${escText(zhDateTime(ctx.pubIso))}</span>` : ''}${fm.last_updated ? ` <span class="amp-upd">（更新：${escText(fm.last_updated)}）</span>` : ''}</p>
<amp-social-share type="facebook"></amp-social-share><amp-social-share type="whatsapp"></amp-social-share>
<div class="amp-body">
${body}
</div>
${fm.tags?.length ? `<p class="amp-tags">${fm.tags.map((t) => '#' + escText(t)).join(' ')}</p>\n` : ''}<amp-ad width="320" height="100" type="adsense" data-ad-slot="1"></amp-ad>
<section class="amp-more"><h3>熱門</h3><ul>${ctx.hot.map((a) => `<li><a href="${escAttr(a.href)}?amp=1">${escText(a.title)}</a></li>`).join('')}</ul></section>
</main>
<footer><p>© 眾新聞 Citizen News</p></footer>
</body>
</html>
`;
  return h;
}

// ---------------------------------------------------------------- lite

function renderLite(ctx) {
  const { fm, model, lib } = ctx;
  const { escAttr, escText } = lib;
  const r = ctx.renderer({ br: '<br>', figureClass: 'pic' });
  let body = model.parts.length ? r.body(model.parts) : '';
  // A thumbnail linking to the large image, the caption under it in a <small>.
  body = body.replace(FIGURE, (all, img, cap) => {
    const src = attr(img, 'src');
    if (src === '') return all;
    const alt = attr(img, 'alt');
    return `<p class="pic"><a href="${src}"><img src="${thumbOf(src)}" alt="${alt}" width="160" border="0"></a>${cap ? `<br>\n<small>${cap}</small>` : ''}</p>`;
  });
  let h = head(ctx, { title: `${ctx.title} - 眾新聞 (文字版)` });
  h += `<body bgcolor="#ffffff">
<div id="top"><a href="/">眾新聞</a> | <a href="/news">眾聞</a> | <a href="/bloggers">眾說</a> | <a href="/editorial">眾觀</a> | <a href="/?full=1">完整版</a></div>
<hr>
<div id="main">
<h2>${escText(ctx.title)}</h2>
<div>${fm.category ? `分類：<a href="/category/${escAttr(encodeURIComponent(fm.category))}">${escText(fm.category)}</a><br>` : ''}
${fm.author ? `作者：${escText(fm.author)}<br>` : ''}
${ctx.pubIso ? `${escText(zhDateTime(ctx.pubIso))}<br>` : ''}
${fm.last_updated ? `更新於 ${escText(dmyTime(fm.last_updated))}<br>` : ''}</div>
<div id="text">
${body}
</div>
${fm.tags?.length ? `<p>標籤：${fm.tags.map((t) => escText(t)).join('、')}</p>\n` : ''}</div>
<hr>
<div id="more">其他文章：<br>${ctx.hot
    .slice(0, 5)
    .map((a) => `<a href="${escAttr(a.href)}">${escText(a.title)}</a>`)
    .join('<br>\n')}</div>
<hr>
<div id="bottom"><a href="/privacy">私隱條例</a> | <a href="/terms">服務條款</a> | 眾新聞版權所有</div>
</body>
</html>
`;
  return h;
}

// ---------------------------------------------------------------- redesign

function renderRedesign(ctx) {
  const { fm, model, lib } = ctx;
  const { escAttr, escText, jsonForScript } = lib;
  const PLACEHOLDER = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E';
  let n = 0;
  const r = ctx.renderer({
    br: '<br/>',
    img: ({ src, alt }) => {
      if (src === '') return `<img src="" alt="${escAttr(alt)}">`;
      const s = escAttr(src),
        t = escAttr(thumbOf(src));
      return `<picture><source type="image/webp" data-srcset="${t}&amp;fm=webp 480w"><img class="lazy" src="${PLACEHOLDER}" data-src="${t}" data-srcset="${t} 480w, ${s} 1600w" alt="${escAttr(alt)}"></picture><noscript><img src="${s}" alt="${escAttr(alt)}"></noscript>`;
    },
    figureClass: 'c-figure',
    between: (i) => {
      if (i === 0) return '';
      n++;
      if (n === 2)
        return `<div class="c-inline-slot"><span class="c-inline-slot__label">廣告</span><div id="div-gpt-ad-${ctx.id}"></div></div>`;
      if (n === 5 && ctx.related.length)
        return `<div class="c-readalso"><h4>相關文章</h4>${ctx.related
          .slice(0, 2)
          .map((a) => `<a class="c-readalso__item" href="${escAttr(a.href)}">${escText(a.title)}</a>`)
          .join('')}</div>`;
      return '';
    },
  });
  let body = model.parts.length ? r.body(model.parts) : '';
  // Captions in a <div> after the picture, inside the figure.
  body = body.replace(/<figcaption>([\s\S]*?)<\/figcaption>/g, '<div class="c-figure__caption">$1</div>');
  const title = ctx.title;
  const ld = { '@context': 'https://schema.org', '@type': 'NewsArticle', headline: title, url: ctx.canonical };
  if (ctx.pubIso) ld.datePublished = utc(ctx.pubIso);
  if (ctx.luIso) ld.dateModified = utc(ctx.luIso);
  if (fm.author) ld.author = [{ '@type': 'Person', name: fm.author }];
  ld.publisher = { '@type': 'NewsMediaOrganization', name: '眾新聞' };
  let h = head(ctx, {
    title: `${title}｜眾新聞`,
    extra: `<meta property="og:site_name" content="眾新聞">
<meta property="og:title" content="${escAttr(title)}">
<meta property="og:type" content="article">
<link rel="canonical" href="${escAttr(ctx.canonical)}">
<script type="application/ld+json">${jsonForScript(ld)}</script>
`,
  });
  h += `<body class="t-2021">
<div id="__next"><header class="c-masthead"><a class="c-logo" href="/">眾新聞</a><ul class="c-menu"><li><a href="/news">眾聞</a></li><li><a href="/bloggers">眾說</a></li><li><a href="/editorial">眾觀</a></li><li><a href="/datanews">眾數</a></li></ul></header>
<div class="c-page"><div class="c-story">
${fm.category ? `<ol class="c-crumbs"><li><a href="/">主頁</a></li><li><a href="/news">新聞</a></li><li aria-current="page">${escText(fm.category)}</li></ol>\n` : ''}<h1 class="c-story__headline">${escText(title)}</h1>
<div class="c-story__meta">${fm.author ? `<span class="c-story__writer">文｜${escText(fm.author)}</span>` : ''}${ctx.pubIso ? `<time class="c-story__time" datetime="${utc(ctx.pubIso)}">${ctx.pubIso.slice(0, 10).replace(/-/g, '/')} ${ctx.pubIso.slice(11, 16)}</time>` : ''}${ctx.luIso ? `<time class="c-story__updated" datetime="${utc(ctx.luIso)}">更新 ${fm.last_updated.slice(0, 16)}</time>` : ''}<span class="c-story__views">閱讀次數 ${views(ctx).toLocaleString('en')}</span></div>
<div class="c-tools"><button class="c-font">字型 A-</button><button class="c-font">A+</button><a class="c-share" href="https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(ctx.canonical)}">分享</a><a class="c-print" href="javascript:print()">列印</a></div>
<div class="c-story__body">
${body}
<div class="c-newsletter"><p>訂閱《眾新聞》電子報，每日精選新聞直送你的郵箱</p><form><input type="email" placeholder="電郵地址"><button>訂閱</button></form></div>
</div>
${fm.tags?.length ? `<div class="c-topics">${fm.tags.map((t) => `<a rel="tag" href="/topics/${escAttr(encodeURIComponent(t))}">${escText(t)}</a>`).join(' ')}</div>\n` : ''}${fm.author ? `<div class="c-writer-card"><strong>${escText(fm.author)}</strong><p>眾新聞撰稿人。歡迎來稿。</p></div>\n` : ''}</div>
<aside class="c-rail"><h3>最多人看</h3>${ctx.hot.map((a) => `<a href="${escAttr(a.href)}">${escText(a.title)}</a>`).join('')}</aside>
</div>
<footer class="c-foot">眾新聞 Citizen News</footer></div>
<script id="__NEXT_DATA__" type="application/json">${jsonForScript({ props: { pageProps: { id: ctx.id } } })}</script>
</body>
</html>
`;
  return h;
}

// ---------------------------------------------------------------- portal

function renderPortal(ctx) {
  const { fm, model, lib } = ctx;
  const { escAttr, escText, jsonForScript } = lib;
  const r = ctx.renderer({ br: '<br>', strong: 'b', figureClass: 'photo' });
  let body = model.parts.length ? r.body(model.parts) : '';
  // A photo in a one-cell table with the caption in the row under it; the thumbnail links to the large picture.
  body = body.replace(FIGURE, (all, img, cap) => {
    const src = attr(img, 'src');
    if (src === '') return all;
    return `<table class="photo" width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td align="center"><a href="${src}" target="_blank"><img src="${thumbOf(src)}" border="0" width="300" alt="${attr(img, 'alt')}"></a></td></tr>${cap ? `<tr><td class="photo_caption">${cap}</td></tr>` : ''}</table>`;
  });
  const teaser = ctx.hot[0];
  const ld = {
    '@context': 'http://schema.org',
    '@type': 'NewsArticle',
    headline: teaser ? teaser.title : ctx.title,
    video: {
      '@type': 'VideoObject',
      name: teaser ? teaser.title : '',
      thumbnailUrl: 'https://www.hkcnews.com/images/video.jpg',
    },
  };
  let h = head(ctx, {
    title: `眾新聞 | ${fm.category ? fm.category + ' | ' : ''}${ctx.title}`,
    extra: `<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="author" content="眾新聞">
<meta name="keywords" content="${escAttr((fm.tags ?? []).join(','))}">
<script type="application/ld+json">${jsonForScript(ld)}</script>
`,
  });
  h += `<body topmargin="0" leftmargin="0">
<table width="980" border="0" cellspacing="0" cellpadding="0" align="center"><tr><td><a href="/"><img src="/images/logo.gif" width="200" height="60" border="0" alt="眾新聞"></a></td><td><a href="/news">眾聞</a> ｜ <a href="/bloggers">眾說</a> ｜ <a href="/editorial">眾觀</a></td></tr></table>
<table width="980" border="0" cellspacing="0" cellpadding="0" align="center"><tr>
<td width="680" valign="top" class="main">
<div class="video_teaser"><a href="${escAttr(teaser?.href ?? '/')}"><img src="/images/play.gif" width="16" height="16" border="0">${escText(teaser?.title ?? '')}</a></div>
${fm.category ? `<div class="section_name"><a href="/category/${escAttr(encodeURIComponent(fm.category))}">${escText(fm.category)}</a></div>\n` : ''}<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td><h1 class="headline">${escText(ctx.title)}</h1></td><td align="right" width="120"><span class="view">瀏覽次數：${views(ctx)}</span></td></tr></table>
<table border="0" cellspacing="0" cellpadding="0"><tr><td>${ctx.pubIso ? `${ctx.pubIso.slice(0, 4)}年${ctx.pubIso.slice(5, 7)}月${ctx.pubIso.slice(8, 10)}日 ${ctx.pubIso.slice(11, 16)}` : ''}</td><td><a href="javascript:fontSize(1)">適中字型</a></td><td><a href="javascript:fontSize(2)">較大字型</a></td><td><a href="javascript:window.print()">列印</a></td></tr></table>
${fm.author ? `<p class="reporter">撰文：${escText(fm.author)}</p>\n` : ''}${fm.last_updated ? `<p class="update">最後更新：${escText(fm.last_updated)}</p>\n` : ''}<div class="ArticleContent">
${body}
<p><img src="/images/spacer.gif" width="1" height="10"></p>
</div>
${fm.tags?.length ? `<div class="keyword">關鍵字：${fm.tags.map((t) => `<a href="/search?q=${escAttr(encodeURIComponent(t))}">${escText(t)}</a>`).join(' ')}</div>\n` : ''}<p align="center"><img src="/images/article_end.gif" width="600" height="12"></p>
</td>
<td width="300" valign="top" class="side"><table>${ctx.hot.map((a) => `<tr><td><a href="${escAttr(a.href)}">${escText(a.title)}</a></td></tr>`).join('')}</table></td>
</tr></table>
<table width="980" align="center"><tr><td align="center">眾新聞版權所有 © 2017</td></tr></table>
</body>
</html>
`;
  return h;
}

export const variants = {
  amp: { name: 'amp', render: renderAmp },
  lite: { name: 'lite', render: renderLite },
  redesign: { name: 'redesign', render: renderRedesign },
  portal: { name: 'portal', render: renderPortal },
};
