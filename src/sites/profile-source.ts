/**
 * The declarative source of a profile, kept so a release can carry the profile an archive was
 * made with in the user format (docs/site-profiles.md) — built-in sites included, whose spec
 * otherwise exists only inside their module.
 */
import { stringify } from 'yaml';
import type { SiteProfile } from '../extract/index.js';
import type { SiteProfileCode, SiteProfileSpec } from './profile-spec.js';

/** Where `salvage archive` keeps the profile file it ran with, beside the archive (read back by `rebuild`). */
export const SITE_PROFILE_FILE = 'site-profile.yaml';

/** A profile's spec, and the names of the functions its module adds in code (`articleId`, `dropChrome`). */
export interface ProfileSource {
  spec: SiteProfileSpec;
  code: string[];
}

// A WeakMap, not a field on SiteProfile: the profile type belongs to extract, which knows nothing of specs.
const SOURCES = new WeakMap<SiteProfile, ProfileSource>();

/** Remember the spec a profile was built from (profileFromSpec calls this once the spec is checked). */
export function rememberProfileSource(profile: SiteProfile, spec: SiteProfileSpec, code: SiteProfileCode): void {
  SOURCES.set(profile, { spec, code: Object.keys(code).sort() });
}

/** The spec a profile was built from; undefined for a module written only in code (`generic`). */
export function profileSource(profile: SiteProfile): ProfileSource | undefined {
  return SOURCES.get(profile);
}

/**
 * A spec as a profile file (YAML, the user format), after `comment` lines written as `# …`.
 * `portable`: quote every string a YAML 1.1 reader would take for something else (PyYAML reads
 * `+08:00` as the number 480 and `2022-01-04` as a date), for a file that leaves salvage (a
 * release); salvage itself reads YAML 1.2 either way. Default false: the plain style the docs show.
 * Example: `formatProfileFile(spec, ['drawn from the URL prefix example.com/news/'])`.
 */
export function formatProfileFile(
  spec: SiteProfileSpec,
  comment: readonly string[] = [],
  { portable = false }: { portable?: boolean } = {},
): string {
  return comment.map((line) => `# ${line}\n`).join('') + stringify(spec, portable ? { compat: 'yaml-1.1' } : {});
}
