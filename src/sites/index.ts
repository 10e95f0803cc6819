/** Site modules: what salvage knows about each site, and choosing one for a URL. */
import type { SiteProfile } from '../extract/index.js';
import { appledaily } from './appledaily.js';
import { generic } from './generic.js';
import { hkcnews } from './hkcnews.js';
import { standnews } from './standnews.js';

export { hkcnews, hkcnewsArticleId, articleIdFromUrl } from './hkcnews.js';
export { generic, genericArticleId, normalizeArticleUrl } from './generic.js';
export { standnews } from './standnews.js';
export { appledaily } from './appledaily.js';
export {
  profileFromSpec,
  parseProfileFile,
  ProfileError,
  type SiteProfileSpec,
  type SiteProfileCode,
} from './profile-spec.js';
export { profileSource, formatProfileFile, SITE_PROFILE_FILE, type ProfileSource } from './profile-source.js';

/** Every registered site, by id; `generic` is chosen only when no other knows a URL. */
export const SITES: ReadonlyMap<string, SiteProfile> = new Map(
  [hkcnews, standnews, appledaily, generic].map((site) => [site.id, site]),
);

/** The site whose article URLs include `url`, if any (the generic module takes every URL, so it is not asked). */
export function siteForUrl(url: string): SiteProfile | undefined {
  for (const site of SITES.values()) if (site !== generic && site.articleId(url) !== undefined) return site;
  return undefined;
}

/**
 * The site module to extract `url` with: the first of `profiles` (a user's profile files) and then
 * of the built-in sites whose article URLs include it; else the one that served from its host (which
 * rejects a non-article page of a known site); else the generic module.
 */
export function siteFor(url: string, profiles: readonly SiteProfile[] = []): SiteProfile {
  return (
    profiles.find((p) => p.articleId(url) !== undefined) ?? siteForUrl(url) ?? siteForHost(url, profiles) ?? generic
  );
}

/** The site that served from `url`'s host (a user profile first), whether or not the URL is an article page. */
export function siteForHost(url: string, profiles: readonly SiteProfile[] = []): SiteProfile | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  for (const site of [...profiles, ...SITES.values()]) if (site.hosts.includes(host)) return site;
  return undefined;
}
