/**
 * hkcnews.com (眾新聞, Citizen News), Hong Kong, 2016-12-30 … 2022-01-04. What the site is known
 * to do is in ../shared/spec/HKCNEWS.md; this file holds it as data. The real article template
 * is lost, so nothing here depends on one template's class names alone: the engine reads
 * JSON-LD, meta tags and microdata first, and these selectors are fallbacks and chrome lists.
 */
import { inlineText, type Block } from '../extract/index.js';
import type { SiteProfile } from '../extract/index.js';
import { profileFromSpec } from './profile-spec.js';
import { parseMemento } from '../memento.js';

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
// and "月費訂戶 網址：hkcnews.com/aboutus/#subscribe"; a variant is a paragraph that is only the link
// "請支持《眾新聞》，成為訂戶". When that link opens a paragraph of real text (articles 18893, 19432),
// the paragraph is content and stays. Source: HKCNEWS.md "Site chrome". Test: "drops the subscription promo".
const PROMO_PATTERNS: readonly RegExp[] = [
  /長期支持我們的工作/,
  /^月費訂戶\s*(?:網址|hkcnews\.com\/aboutus)/,
  /^請支持《眾新聞》[^。]{0,20}(?:訂戶|訂閱)[^。]{0,10}$/,
  /我們的眾籌活動已結束/,
];
/** Promos are short; a long paragraph quoting the wording is content. */
const MAX_PROMO_CHARS = 200;

function textOfBlock(block: Block | undefined): string | undefined {
  return block && (block.type === 'paragraph' || block.type === 'heading')
    ? inlineText(block.children).trim()
    : undefined;
}

function isPromo(block: Block): boolean {
  const text = textOfBlock(block);
  return text !== undefined && text.length < MAX_PROMO_CHARS && PROMO_PATTERNS.some((p) => p.test(text));
}

// SITE-QUIRK: author boxes (avatar from /uploads/avatars/, "<role> | <name>", bio) follow 20,067
// articles; some pages carry them inside the body as plain paragraphs (article 2733).
// Source: HKCNEWS.md. Test: "drops an author box written into the body".
const AVATAR_PATH = /\/uploads\/avatars\//;
const ROLE_LINE = /^[^|\n]{1,24} \| [^|\n]{1,40}$/;
/** Without the avatar only the roles the site used count (HKCNEWS.md). */
const KNOWN_ROLE_LINE = /^(?:博客|主筆|Blogger|Editorial Writer) \| [^|\n]{1,40}$/;
/** A bio is one short paragraph; a longer one would be the article's own text. */
const MAX_BIO_CHARS = 600;

const isAvatar = (block: Block | undefined): boolean => block?.type === 'figure' && AVATAR_PATH.test(block.src);
const isRoleLine = (block: Block | undefined): boolean => {
  const text = textOfBlock(block);
  return (
    block?.type === 'paragraph' &&
    text !== undefined &&
    ROLE_LINE.test(text) &&
    block.children.every((c) => c.type === 'strong')
  );
};
/** A rule, or a paragraph of nothing but a rule's characters, that introduced chrome. */
const isRuleLike = (block: Block | undefined): boolean =>
  block?.type === 'rule' || /^[-–—_=*]{3,}$/.test(textOfBlock(block) ?? '');

function dropChrome(blocks: readonly Block[], notes: string[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!; // i < length
    let span = 0;
    if (isPromo(block)) span = 1;
    else if (isAvatar(block)) {
      span = 1;
      if (isRoleLine(blocks[i + 1])) {
        span = 2;
        const bio = textOfBlock(blocks[i + 2]);
        if (bio !== undefined && bio.length <= MAX_BIO_CHARS && i + 3 === blocks.length) span = 3;
      }
    } else if (isRoleLine(block) && KNOWN_ROLE_LINE.test(textOfBlock(block) ?? '') && i >= blocks.length - 2)
      span = blocks.length - i;
    if (span === 0) {
      out.push(block);
      continue;
    }
    notes.push(`chrome: dropped ${span} block(s) at ${i} (${isPromo(block) ? 'promo' : 'author box'})`);
    while (isRuleLike(out[out.length - 1])) out.pop();
    i += span - 1;
  }
  return out;
}

export const hkcnews: SiteProfile = profileFromSpec(
  {
    id: 'hkcnews',
    name: '眾新聞',
    hosts: ['www.hkcnews.com', 'hkcnews.com'],
    timezone: '+08:00',
    // Hong Kong writes numeric dates day first (06/02/2019 is 6 February), as British usage does.
    date_order: 'dmy',
    encoding: 'utf-8',
    selectors: {
      body: ['section.article__body', '#news-content', '.article-content', '.news-detail-content', 'article .content'],
      author: ['.article__author', '.news-detail-author', '.author-name', '.article-author'],
      // Share bars, ad slots and related lists are in `ignore` (never built); the comments widget ends the page.
      chrome: ['.subscribe-promo', '.author-box', '.news-author-box', '.article__author-card'],
      other_articles: [
        '.related-articles',
        '.news-related',
        '.related-posts',
        '.hot-list',
        '.sidebar-hot',
        '.sidebar__popular',
        '.sidebar',
        '.news-sidebar',
        '.comments-section',
      ],
    },
    ignore: {
      // Site navigation, footer, sidebars, comments and ad slots of the real 2018 shell (HKCNEWS.md).
      classes: [
        'navigation',
        'footer',
        'sidebar',
        'news-sidebar',
        'ad-container',
        'hot-list',
        'sidebar-hot',
        'sidebar__popular',
        'related-articles',
        'news-related',
        'related-posts',
        'share-group',
        'news-share',
        'article__share',
      ],
    },
    // SITE-QUIRK: in every known layout the Facebook comments widget follows the article, its tags
    // and author box; after it come only sidebars, the footer and scripts (a quarter of the page).
    // Source: the real 2018 shell (HKCNEWS.md), hkcnews-site layouts A-C. Test: "stops parsing at the comments widget".
    ends_at: { classes: ['comments-section'] },
    categories: {
      '/news': '眾聞',
      '/bloggers': '眾說',
      '/editorial': '眾觀',
      '/datanews': '眾數',
      '/triangles': 'tri-angles',
      '/community': '眾坊',
    },
    tag_path: '^/tag/([^/]+)/?$',
    // SITE-QUIRK: modification times are shown as "最後更新：YYYY-MM-DD HH:MM:SS".
    last_updated_text: '最後更新[:：]\\s*(\\d{4}-\\d{2}-\\d{2})\\s+(\\d{2}:\\d{2}(?::\\d{2})?)',
    not_article: [
      // SITE-QUIRK: after 2022-01-04 every path served the farewell page "眾新聞告別 感謝讀者";
      // two real articles carry the same words, so only a page without an article body counts.
      // Source: HKCNEWS.md, compare-archive README (49873, 49908). Test: "rejects the farewell page".
      { reason: 'farewell', title: '^眾新聞告別', only_without_body: true },
    ],
    // SITE-QUIRK: every article URL starts with /article/<id>; one prefix query lists them all.
    // The index folds www. and the bare host into one key (WAYBACK.md, urlkey), so this one query
    // covers both hosts and every slug. Rows without an article id (listing pages) are ignored.
    cdx: [{ url: 'hkcnews.com/article/', match: 'prefix' }],
    // SITE-QUIRK: the site closed on 2022-01-04; captures after it hold the farewell page. The
    // cut is the end of that day in UTC (08:00 on the 5th in Hong Kong), as the existing archive
    // chose its captures: a farewell page in those hours is rejected by the extractor and the
    // next capture tried, so erring late costs one fetch, never an article.
    closed: '2022-01-04',
  },
  { articleId: hkcnewsArticleId, dropChrome },
);

// SITE-QUIRK: pasted article URLs come in every form the site and the Wayback Machine produced:
// http or https, www or bare host, no scheme, raw UTF-8 or percent-encoded slugs, slugs destroyed
// into U+FFFD runs (`%EF%BF%BD`), queries and fragments; only `/article/<id>` is read, the slug
// never. Source: HKCNEWS.md "URLs and ids". Test: "articleIdFromUrl reads every hkcnews URL variant".
const LOOSE_ARTICLE_URL =
  /^(?:https?:\/{1,3})?(?:www\.|m\.)?hkcnews\.com\.?(?::\d{1,5})?\/article\/(\d{1,9})(?:[/?#]|$)/i;
/** What people put around a pasted URL: quotes, angle brackets, whitespace. */
const PASTE_WRAPPING = /^[\s<"'「『(（]+|[\s>"'」』)）]+$/gu;
/** Percent-encoded slashes and colons, when a whole URL was pasted encoded (a `?url=` value). */
const ENCODED_URL = /^(?:https?%3A%2F%2F|[^/]*%2F)/i;

/**
 * The hkcnews article id of any URL form of an article page, or undefined for another host or
 * path. Accepts Wayback mementos of it (`https://web.archive.org/web/20210628174710/https://www.hkcnews.com/article/18733/…`,
 * `…/web/2021id_/…`). Only `/article/<id>` is read, e.g. `articleIdFromUrl('hkcnews.com/article/171/�')` is 171.
 */
export function articleIdFromUrl(url: string): number | undefined {
  let candidate = url.replace(PASTE_WRAPPING, '');
  if (ENCODED_URL.test(candidate)) {
    try {
      candidate = decodeURIComponent(candidate);
    } catch {
      return undefined;
    }
  }
  // A Wayback Machine wrapper around the original (`web.archive.org/web/<1-14 digits><modifier>/`,
  // scheme and host optional, so the old archive's relative `/web/…` counts too; memento.ts) can
  // nest when a memento was captured from inside the Wayback Machine.
  // Bounded: each round removes a wrapper prefix, so the string shrinks.
  for (let unwrapped = parseMemento(candidate); unwrapped !== undefined; unwrapped = parseMemento(candidate)) {
    candidate = unwrapped.original;
  }
  const digits = LOOSE_ARTICLE_URL.exec(candidate)?.[1];
  if (digits === undefined) return undefined;
  const id = Number(digits);
  return id > 0 ? id : undefined;
}
