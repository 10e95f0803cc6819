/** Which site module a command uses: built-in sites, a user's profile files, or a URL prefix. */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../markdown/index.js';
import { SalvageError } from '../errors.js';
import type { SiteProfile } from '../extract/index.js';
import {
  formatProfileFile,
  parseProfileFile,
  ProfileError,
  SITE_PROFILE_FILE,
  SITES,
  type SiteProfileSpec,
} from '../sites/index.js';

export { SITE_PROFILE_FILE };
const PROFILE_FILE = /\.(?:ya?ml|json)$/i;

/** Built-in site ids a user may name (the generic module is the fallback, not a choice to rescue). */
export function siteIds(): string[] {
  return [...SITES.keys()];
}

/** A profile file → SiteProfile; a bad file is a one-line CONFIG_INVALID naming the file and key. */
export async function loadProfileFile(path: string): Promise<{ site: SiteProfile; text: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `cannot read the profile ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      { cause: error, subject: path },
    );
  }
  try {
    return { site: parseProfileFile(text), text };
  } catch (error) {
    if (error instanceof ProfileError)
      throw new SalvageError('CONFIG_INVALID', `profile ${path}: ${error.message} (docs/site-profiles.md)`, {
        cause: error,
        subject: path,
      });
    throw error;
  }
}

export async function loadProfiles(paths: readonly string[]): Promise<SiteProfile[]> {
  const out: SiteProfile[] = [];
  for (const path of paths) out.push((await loadProfileFile(path)).site);
  return out;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const notATarget = (target: string): SalvageError =>
  new SalvageError(
    'CONFIG_INVALID',
    `"${target}" is neither a known site (${siteIds().join(', ')}), a profile file (.yaml, .json) nor a URL prefix like example.com/news/`,
  );

/**
 * A profile for an outlet salvage has no module for, from a URL prefix (`example.com/news/`):
 * every page under it is a candidate; ids are drawn from URLs; the generic extractor does the rest.
 */
export function prefixProfileSpec(prefix: string, closed?: string): SiteProfileSpec {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(prefix) ? prefix : `http://${prefix}`);
  } catch {
    throw notATarget(prefix);
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  if (!host.includes('.')) throw notATarget(prefix);
  const path = url.pathname;
  const spec: SiteProfileSpec = {
    id:
      host
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'site',
    name: '',
    hosts: [host, `www.${host}`],
    article_url: `^(?:https?://)?(?:www\\.)?${escapeRegExp(host)}(?::\\d+)?${escapeRegExp(path)}`,
    // The CDX index folds `www.` into the bare host (WAYBACK.md, urlkey): one query covers both.
    cdx: [{ url: `${host}${path}`, match: 'prefix' }],
  };
  if (closed !== undefined) spec.closed = closed;
  return spec;
}

/**
 * What `salvage archive <target>` rescues: a built-in site id, a profile file, or a URL prefix.
 * `profileText` is the profile to keep beside the archive (absent for built-in sites).
 */
export async function resolveArchiveTarget(
  target: string,
  closed?: string,
): Promise<{ site: SiteProfile; profileText?: string }> {
  const builtIn = SITES.get(target);
  if (builtIn && builtIn.rescue) {
    if (closed !== undefined)
      throw new SalvageError('CONFIG_INVALID', `--closed is for a URL prefix; ${target} knows its closing date`);
    return { site: builtIn };
  }
  if (PROFILE_FILE.test(target) || existsSync(target)) {
    const { site, text } = await loadProfileFile(target);
    return { site, profileText: text };
  }
  const spec = prefixProfileSpec(target, closed);
  const text = formatProfileFile(spec, [
    `salvage archive ${target}: a profile drawn from the URL prefix; edit it and run again (docs/site-profiles.md)`,
  ]);
  try {
    return { site: parseProfileFile(text), profileText: text };
  } catch (error) {
    if (error instanceof ProfileError)
      throw new SalvageError(
        'CONFIG_INVALID',
        `the profile drawn from "${target}" is not valid (${error.message}); write one (docs/site-profiles.md)`,
        { cause: error },
      );
    throw error;
  }
}

/** Keep the profile an archive was made with beside it (atomically), for `rebuild` and for the record. */
export async function keepProfile(dir: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, SITE_PROFILE_FILE), text);
}

/** The profile kept beside an archive, if it was made with one. */
export async function keptProfiles(dir: string): Promise<SiteProfile[]> {
  const path = join(dir, SITE_PROFILE_FILE);
  return existsSync(path) ? [(await loadProfileFile(path)).site] : [];
}
