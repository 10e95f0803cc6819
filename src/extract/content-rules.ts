/** The heuristics of DOM content scoring (`content.ts`) as data: Readability's tables plus Chinese-site conventions. */

/**
 * Class/id words of page regions that are never the article (Readability's `unlikelyCandidates`),
 * plus Chinese-site conventions: pinglun/liuyan (comments), tuijian/xiangguan (recommended,
 * related), daohang (navigation), banquan (copyright), guanggao (ads).
 */
export const UNLIKELY =
  /-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|pinglun|liuyan|tuijian|xiangguan|daohang|banquan|guanggao/i;
/** Words that rescue an UNLIKELY match ("main-header-content" may still hold the article). */
export const MAYBE_CANDIDATE = /and|article|body|column|content|main|mathjax|shadow|zhengwen|neirong|wenzhang/i;
/** Class/id words of article containers (Readability's `positive`, plus pinyin: zhengwen = body text, neirong = content, wenzhang = article). */
export const POSITIVE =
  /article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|zhengwen|neirong|wenzhang|detail|txt/i;
/** Class/id words of chrome (Readability's `negative`, plus the pinyin of UNLIKELY and copyright/recommend). */
export const NEGATIVE =
  /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|copyright|recommend|pinglun|liuyan|tuijian|xiangguan|banquan|guanggao|daohang/i;
/** ARIA roles of regions that are never the article (Readability's `unlikelyRoles`). */
export const UNLIKELY_ROLES = new Set([
  'menu',
  'menubar',
  'complementary',
  'navigation',
  'alert',
  'alertdialog',
  'dialog',
]);
/** Share bars (Readability's `shareElements`): removed from the body when short. */
export const SHARE = /(\b|_)(share|sharedaddy|fenxiang)(\b|_)/i;
/** A share bar longer than this (characters) is probably content that mentions sharing (Readability's threshold). */
export const SHARE_MAX_CHARS = 500;
/** Block text that is only an ad label or a loading placeholder (Readability's `adWords`/`loadingWords`). */
export const AD_OR_LOADING =
  /^(?:ad(?:vertising|vertisement)?|pub(?:licité)?|werb(?:ung)?|广告|廣告|Реклама|Anuncio|(?:loading|正在加载|載入中|Загрузка|chargement|cargando)(?:…|\.\.\.)?)$/iu;

/**
 * A newsletter or subscription box inside the article container (a sign-up line with its form):
 * the words that invite to subscribe, in Chinese and English. Only short containers (a `<div>`,
 * `<section>`, `<form>`) go; a paragraph of the article that mentions a newsletter stays.
 */
export const SUBSCRIPTION_BOX =
  /訂閱.{0,16}(?:電子報|通訊|newsletter)|订阅.{0,16}(?:电子报|通讯|newsletter)|(?:subscribe|sign up)\b.{0,40}\bnewsletter|\bnewsletter\b.{0,40}\b(?:subscribe|sign up)|電子報.{0,8}訂閱|电子报.{0,8}订阅/i;
export const SUBSCRIPTION_BOX_MAX_CHARS = 200;

/** Never read: code, styling, controls. Their text would count as article text. */
export const NEVER_CONTENT = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'select',
  'textarea',
  'button',
  'input',
  'option',
  'head',
  'title',
  'meta',
  'link',
  'iframe',
  'object',
  'embed',
  'canvas',
  'map',
  'amp-iframe',
  'amp-youtube',
  'amp-ad',
  'amp-embed',
  'amp-analytics',
]);
/** Elements that start a block: text on both sides of one is two paragraphs. */
export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);
/** Always a paragraph, whatever it holds (Readability scores these tags). */
export const PARAGRAPH_TAGS = new Set(['p', 'pre', 'h2', 'h3', 'h4', 'h5', 'h6']);
/**
 * A paragraph when it holds no block: Readability turns such `<div>`s into `<p>`s and scores
 * `<td>`s; 2000s Chinese pages put whole articles as text and `<br>`s in one cell.
 */
export const LEAF_PARAGRAPH_TAGS = new Set([
  'div',
  'td',
  'th',
  'section',
  'article',
  'main',
  'center',
  'body',
  'form',
  'blockquote',
  'dd',
]);
/** Text directly inside these (between blocks) is not a paragraph: list and table scaffolding, links. */
export const NO_LOOSE_TEXT = new Set([
  'ul',
  'ol',
  'dl',
  'li',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'a',
  'html',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'pre',
]);
/** <br><br> inside these is not a paragraph break that makes them a container (lists, tables, links, headings). */
export const NO_BR_PARAGRAPHS = new Set([
  'ul',
  'ol',
  'dl',
  'li',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'a',
  'html',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
]);
/** Elements scored as one paragraph of all their text besides their own paragraphs (see Page.close). */
export const WHOLE_TEXT_PARAGRAPHS = new Set(['section']);
/** Whole-text scoring (see Page.close) only when at most this share of the text is links: a list of teasers is no prose (our measurement, zh set 2026-11-26). */
export const WHOLE_TEXT_MAX_LINK_DENSITY = 0.25;
/** A <div> around a single <p> stands for the <p> unless it is mostly links (Readability). */
export const SINGLE_P_MAX_LINK_DENSITY = 0.25;
/** Starting scores by tag (Readability's `_initializeNode`): layout boxes up, lists and forms down. */
export const TAG_SCORE: Readonly<Record<string, number>> = {
  div: 5,
  pre: 3,
  td: 3,
  blockquote: 3,
  address: -3,
  ol: -3,
  ul: -3,
  dl: -3,
  dd: -3,
  dt: -3,
  li: -3,
  form: -3,
  h1: -5,
  h2: -5,
  h3: -5,
  h4: -5,
  h5: -5,
  h6: -5,
  th: -5,
};
/** Score for one positive or negative class or id (Readability). */
export const CLASS_WEIGHT = 25;
/** Shorter paragraphs are not scored: captions, bylines, buttons (Readability: 25 characters). */
export const MIN_PARAGRAPH_CHARS = 25;
/** Each full 100 characters of a paragraph add a point, up to 3 (Readability). */
export const CHARS_PER_POINT = 100;
export const MAX_LENGTH_POINTS = 3;
/** A paragraph's score reaches this many ancestors, divided by 1, 2, then 3 × the level (Readability). */
export const SCORED_ANCESTORS = 5;
/** Runners-up within this share of the best score vote for a common ancestor (Readability). */
export const ALTERNATIVE_SHARE = 0.75;
export const ALTERNATIVES_NEEDED = 3;
export const TOP_CANDIDATES = 5;
/** A sibling joins the body with a fifth of the best score, at least 10 (Readability). */
export const SIBLING_SHARE = 0.2;
export const MIN_SIBLING_SCORE = 10;
/** A sibling paragraph joins when long and few links, or short, link-free and a sentence (Readability). */
export const SIBLING_PARAGRAPH_CHARS = 80;
export const SIBLING_MAX_LINK_DENSITY = 0.25;
export const SENTENCE_END = /[.。！？!?](?:\s|$|[”"」』）)])/;
/** Links to `#fragment` are in-page navigation (footnotes, tables of contents): they count a third (Readability's hash-link weight 0.3). */
export const HASH_LINK_WEIGHT = 0.3;
/**
 * A body with less text than this (in visible characters, a CJK character counting 3) sends
 * the search round again with one rule relaxed (Readability's `charThreshold`, 500; a Chinese
 * character carries about as much as an English word).
 */
export const MIN_BODY_CHARS = 500;
/**
 * A listing of whole posts (a blog's front or archive page): this many same-template siblings,
 * each with this much text and few links, above the best-scored element. The page holds no one
 * article; the first post is the one it shows first, the best-scored only the longest.
 */
export const MIN_POSTS = 3;
export const POST_MIN_CHARS = 200;
export const POST_MAX_LINK_DENSITY = 0.25;
/** How far up from the best-scored element a post can start. */
export const POST_DEPTH = 16;
export const CJK_WEIGHT = 3;
/** A page with no scorable paragraph is read whole only when at most half its text is links. */
export const WHOLE_PAGE_MAX_LINK_DENSITY = 0.5;
/**
 * Containers judged by their content once the body is chosen (Readability's table, ul, div, form,
 * fieldset), plus <section>: modern pages wrap "related" and "recommended" lists in sections beside
 * the article's own (measured on the gne portal pages, 2026-11-26).
 */
export const CLEANED_CONDITIONALLY = new Set(['table', 'ul', 'div', 'form', 'fieldset', 'section']);
/** Conditional cleaning leaves alone blocks with this many commas: they read as prose (Readability). */
export const PROSE_COMMAS = 10;
/** Blocks whose text is this share list items are lists, judged as lists (Readability). */
export const LIST_SHARE = 0.9;
/** Link density above which a block is dropped, for ordinary and for positively named blocks (Readability). */
export const MAX_LINK_DENSITY = 0.2;
export const MAX_LINK_DENSITY_POSITIVE = 0.5;
/** A block with a single embed and less text than this is a player, not prose (Readability). */
export const EMBED_MAX_CHARS = 75;
/** Headings are titles, not text: a block that is 90% heading is kept even when short (Readability). */
export const HEADING_SHARE = 0.9;
/** A table with this many rows, or more columns, or cells is data (Readability's `_markDataTables`). */
export const DATA_TABLE_ROWS = 10;
export const DATA_TABLE_COLUMNS = 4;
export const DATA_TABLE_CELLS = 10;
/** Heading text this similar to the page title is the title repeated (Readability's `_headerDuplicatesTitle`). */
export const TITLE_SIMILARITY = 0.75;

/** Embedded players count as embeds, not as ads (Readability's `videos`). */
export const VIDEO_HOSTS =
  /\/\/(www\.)?((dailymotion|youtube|youtube-nocookie|player\.vimeo|v\.qq|bilibili|live\.bilibili)\.com|(archive|upload\.wikimedia)\.org|player\.twitch\.tv)/i;
/**
 * Players of other media hosts, told by their URL (`roundme.com/embed/…`, Facebook's video plugin,
 * `player.` hosts): content, as the known video hosts are. Ad and tracking frames carry none of these.
 */
export const PLAYER_URL = /\/embed\/|\/plugins\/(?:video|post)\.php|\/\/player\.|\/player\/|\/video\//i;
/** Class/id words of bylines (Readability's `byline`): a short one at the top of the body is metadata, shown apart. */
export const BYLINE = /byline|author|dateline|writtenby|p-author/i;
/** A byline is short (Readability: under 100 characters). */
export const MAX_BYLINE_CHARS = 100;

/**
 * A labelled byline alone on its line (`撰文：關你乜事？`, `文｜張三`). Beside the body it is the page's
 * metadata and does not join it as a sibling; inside the body it is the article's own line.
 */
export const BYLINE_LINE = /^(?:作\s*者|撰\s*文|撰\s*稿|文|記者|记者)\s*[:：｜|/／]\s*\S.{0,38}$/;
