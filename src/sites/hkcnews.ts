/**
 * hkcnews.com (眾新聞, Citizen News), Hong Kong, 2016-12-30 … 2022-01-04. What the site is known
 * to do is in ../shared/spec/HKCNEWS.md; this file holds it as data. The real article template
 * is lost, so nothing here depends on one template's class names alone: the engine reads
 * JSON-LD, meta tags and microdata first, and these selectors are fallbacks and chrome lists.
 */
import { inlineText, type Block } from '../extract/index.js';
import type { SiteProfile } from '../extract/index.js';

// SITE-QUIRK: article URLs are /article/<id>/<tag-slug>-<id2>/<title-slug>, /article/<id>/<slug>,
// /article/<id>/0 or /article/<id>, on www.hkcnews.com and hkcnews.com; 9,159 captured slugs are
// U+FFFD runs, so only the id segment is read. Source: HKCNEWS.md "URLs and ids". Test: "reads the id of every hkcnews URL form".
const ARTICLE_URL = /^(?:https?:\/\/)?(?:www\.)?hkcnews\.com(?::\d+)?\/article\/(\d{1,9})(?:[/?#]|$)/i;

/** The article id of an hkcnews URL (either host, any slug), or undefined. */
export function hkcnewsArticleId(url: string): string | undefined {
  const m = ARTICLE_URL.exec(url.trim());
  if (!m?.[1]) return undefined;
  const id = String(Number(m[1]));
  return id === '0' ? undefined : id;
}

// SITE-QUIRK: a subscription promo closes 83.7% of articles: a rule, "請加入成為眾新聞的月費訂戶…"
// and "月費訂戶 網址：hkcnews.com/aboutus/#subscribe"; a variant links "請支持《眾新聞》，成為訂戶".
// Source: HKCNEWS.md "Site chrome". Test: "drops the subscription promo".
const PROMO_PATTERNS: readonly RegExp[] = [
  /長期支持我們的工作/,
  /^月費訂戶\s*(?:網址|hkcnews\.com\/aboutus)/,
  /^請支持《眾新聞》.{0,40}(?:訂戶|訂閱)/,
  /我們的眾籌活動已結束/,
];
/** Promos are short; a long paragraph quoting the wording is content. */
const MAX_PROMO_CHARS = 200;

function isPromo(block: Block): boolean {
  if (block.type !== 'paragraph' && block.type !== 'heading') return false;
  const text = inlineText(block.children).trim();
  return text.length < MAX_PROMO_CHARS && PROMO_PATTERNS.some((p) => p.test(text));
}

// SITE-QUIRK: author boxes (avatar from /uploads/avatars/, "<role> | <name>", bio) follow 20,067
// articles. Source: HKCNEWS.md. Test: "drops the author box".
const AVATAR_PATH = /\/uploads\/avatars\//;

function isAuthorAvatar(block: Block): boolean {
  return block.type === 'figure' && AVATAR_PATH.test(block.src);
}

export const hkcnews: SiteProfile = {
  id: 'hkcnews',
  name: '眾新聞',
  hosts: ['www.hkcnews.com', 'hkcnews.com'],
  articleId: hkcnewsArticleId,
  utcOffsetMinutes: 8 * 60,
  defaultEncoding: 'utf-8',
  selectors: {
    body: ['section.article__body', '#news-content', '.article-content', '.news-detail-content', 'article .content'],
    author: ['.article__author', '.news-detail-author', '.author-name', '.article-author'],
    chrome: [
      '.subscribe-promo', '.author-box', '.news-author-box', '.article__author-card',
      '.share-group', '.news-share', '.article__share', '.ad-container', '.adsbygoogle',
      '.related-articles', '.news-related', '.related-posts', '.comments-section', '.fb-comments',
    ],
    otherArticles: ['.related-articles', '.news-related', '.related-posts', '.hot-list', '.sidebar-hot', '.sidebar__popular', '.sidebar', '.news-sidebar', '.comments-section'],
  },
  categoryByPath: { '/news': '眾聞', '/bloggers': '眾說', '/editorial': '眾觀', '/datanews': '眾數', '/triangles': 'tri-angles', '/community': '眾坊' },
  tagPath: /^\/tag\/([^/]+)\/?$/,
  // SITE-QUIRK: modification times are shown as "最後更新：YYYY-MM-DD HH:MM:SS".
  lastUpdatedText: /最後更新[:：]\s*(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}(?::\d{2})?)/,
  isChromeBlock: (block) => isPromo(block) || isAuthorAvatar(block),
  notArticle: [
    // SITE-QUIRK: after 2022-01-04 every path served the farewell page "眾新聞告別 感謝讀者";
    // two real articles carry the same words, so only a page without an article body counts.
    // Source: HKCNEWS.md, compare-archive README (49873, 49908). Test: "rejects the farewell page".
    { reason: 'farewell', title: /^眾新聞告別/, onlyWithoutBody: true },
  ],
};
