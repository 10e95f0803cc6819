/**
 * Leftovers of interrupted runs: `export-site` builds in `.SITE.partial-<pid>` (about 1.5 GB for
 * hkcnews) and swaps through `.SITE.old-<pid>`, as `export --format bagit` does with
 * `.BAG.partial-<pid>` and `.BAG.old-<pid>`; `export` writes `.FILE.partial-<pid>`. A run killed
 * midway leaves them, and nothing else would ever remove them (issue 12). The next run removes
 * those of processes that are gone, and only those: a name of exactly our pattern, in the output's
 * own folder, whose pid is not a live process. A live process's work is never touched.
 */
import { lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../markdown/index.js';

/** What was done with one leftover. */
export interface Leftover {
  path: string;
  /** The process that left it (no longer running). */
  pid: number;
  /** `removed`, or `restored`: a previous complete site put back under its name (see {@link cleanSiteLeftovers}). */
  action: 'removed' | 'restored';
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Entries of `dir` named `<prefix><pid>` whose process is gone, with their pid. */
function deadEntries(dir: string, prefix: string): { path: string; pid: number }[] {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}([1-9]\\d{0,9})$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { path: string; pid: number }[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (!processAlive(pid)) out.push({ path: join(dir, name), pid });
  }
  return out;
}

/**
 * Remove leftovers of dead processes beside an output folder `out` (a site of `export-site`, a
 * bag): `.<name>.partial-<pid>`, `.<name>.old-<pid>`. A `.old-<pid>` folder is the previous
 * complete output, moved aside just before the new one was renamed in: when `out` itself is
 * missing (killed between the two renames) it is put back under its name instead of removed.
 */
export function cleanSiteLeftovers(parent: string, name: string, out: string): Leftover[] {
  const done: Leftover[] = [];
  for (const old of deadEntries(parent, `.${name}.old-`)) {
    if (!lstatSync(old.path).isDirectory()) continue;
    if (!exists(out)) {
      renameSync(old.path, out);
      done.push({ ...old, action: 'restored' });
    } else {
      rmSync(old.path, { recursive: true, force: true });
      done.push({ ...old, action: 'removed' });
    }
  }
  for (const partial of deadEntries(parent, `.${name}.partial-`)) {
    if (!lstatSync(partial.path).isDirectory()) continue;
    rmSync(partial.path, { recursive: true, force: true });
    done.push({ ...partial, action: 'removed' });
  }
  return done;
}

/** Remove `.partial-<pid>` files of dead processes for the given file names in `parent` (`export`'s dump, manifest, checksum). */
export function cleanFileLeftovers(parent: string, prefixes: readonly string[]): Leftover[] {
  const done: Leftover[] = [];
  for (const prefix of prefixes) {
    for (const entry of deadEntries(parent, prefix)) {
      if (!lstatSync(entry.path).isFile()) continue;
      rmSync(entry.path, { force: true });
      done.push({ ...entry, action: 'removed' });
    }
  }
  return done;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
