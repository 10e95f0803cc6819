/**
 * What extraction needs to know about a site, as data. Site modules (`src/sites/`) export one of
 * these; the engine in this folder reads every generic signal first and uses the profile for the
 * little that only the site can say (its hosts, URL → id, chrome, section paths).
 */
import type { Block } from './article.js';
import type { IgnoreRules } from './dom.js';
import type { RejectReason } from './validate.js';

export interface SiteSelectors {
  /** Containers of the article body, most specific first; the first that matches wins. */
  body?: readonly string[];
  /** Elements holding the byline (text taken), tried after structured metadata. */
  author?: readonly string[];
  /** Site chrome to remove wherever it appears (share bars, author boxes, promos, related lists). */
  chrome?: readonly string[];
  /** Lists of other articles (related, popular): their links are never this article's tags. */
  otherArticles?: readonly string[];
}

export interface NotArticleRule {
  reason: RejectReason;
  /** Matches the page `<title>`. */
  title: RegExp;
  /** Only when the page has no article body (a real article may share the title). */
  onlyWithoutBody?: boolean;
}

/** One CDX query that lists a site's article captures (see `src/wayback/cdx.ts`). */
export interface SiteCdxQuery {
  /** `host/path/*` (prefix) or an exact URL. */
  url: string;
  matchType?: 'exact' | 'prefix' | 'host' | 'domain';
  /** `[!]field:regex`, applied by the service. */
  filter?: readonly string[];
}

/** What the rescuer needs to know about a site, as data. */
export interface SiteRescue {
  /** Queries that together list every article capture; rows whose URL has no article id are ignored. */
  cdxQueries: readonly SiteCdxQuery[];
  /**
   * 14-digit UTC timestamp when the site stopped publishing: captures up to it show the article
   * as it last stood; later ones are tried only when none before it is good.
   */
  closedAt: string;
}

export interface SiteProfile {
  /** Short id used in file frontmatter (`site:`) and on the command line (`--site`). */
  id: string;
  /** The site's name as it appears in titles (`<title>X - NAME</title>`, `og:site_name`). */
  name: string;
  /** Host names the site served from. */
  hosts: readonly string[];
  /** The article id of an original URL, or undefined when the URL is not an article page. */
  articleId(url: string): string | undefined;
  /** The site's local time zone as a fixed UTC offset (minutes); dates are written in it. */
  utcOffsetMinutes?: number;
  /** Numeric dates (`06/02/2019`) are day first; false: month first; absent: an ambiguous one is no date. */
  dayFirst?: boolean;
  /** Encoding assumed for pages that declare none and are not valid UTF-8. */
  defaultEncoding?: string;
  selectors?: SiteSelectors;
  /**
   * Page regions never read (navigation, footers, sidebars, comment widgets, ad slots), told by
   * an element's own tag, class or id; they are not even built, which makes parsing faster.
   */
  ignore?: IgnoreRules;
  /**
   * Where the article part of a page is over (a comments widget, the site footer): parsing
   * stops at the first such element. JSON-LD after it is still read.
   */
  endsAt?: IgnoreRules;
  /** Section landing paths → category names (a link to one of these in the article header names its category). */
  categoryByPath?: Readonly<Record<string, string>>;
  /** Path of tag pages; group 1 is the tag, percent-encoded. */
  tagPath?: RegExp;
  /** Visible modification time; groups 1 and 2 are `YYYY-MM-DD` and `HH:MM[:SS]`. */
  lastUpdatedText?: RegExp;
  /**
   * Remove site chrome that looks like content (promos, author boxes written into the body).
   * Gets the body's blocks, returns the kept ones; notes what it dropped.
   */
  dropChrome?: (blocks: readonly Block[], notes: string[]) => Block[];
  /** Pages served at article URLs that are not articles. */
  notArticle?: readonly NotArticleRule[];
  /** How to find the site's captures in the Wayback Machine; absent: `salvage archive` cannot rescue it. */
  rescue?: SiteRescue;
}
