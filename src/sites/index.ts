/** Site modules: what salvage knows about each site, and choosing one for a URL. */
import type { SiteProfile } from '../extract/index.js';
import { hkcnews } from './hkcnews.js';

export { hkcnews, hkcnewsArticleId, articleIdFromUrl } from './hkcnews.js';

/** Every registered site, by id. */
export const SITES: ReadonlyMap<string, SiteProfile> = new Map([[hkcnews.id, hkcnews]]);

/** The site whose article URLs include `url`, if any. */
export function siteForUrl(url: string): SiteProfile | undefined {
  for (const site of SITES.values()) if (site.articleId(url) !== undefined) return site;
  return undefined;
}

/** The site that served from `url`'s host, whether or not the URL is an article page. */
export function siteForHost(url: string): SiteProfile | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  for (const site of SITES.values()) if (site.hosts.includes(host)) return site;
  return undefined;
}
