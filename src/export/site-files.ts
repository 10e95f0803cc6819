/**
 * Writing an export's files incrementally: the new export is still built whole in its temporary
 * folder (so SITE is always one complete export), but a file whose bytes equal the previous
 * export's file at the same path is a hard link to that file instead of a new copy. After a few
 * new articles, what a sync to a host (rsync, git, a Pages upload) sees as changed, and what this
 * run writes to disk, is only what changed: same inode, same mtime for the rest.
 */
import { constants, linkSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, link, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** `link` errors that mean this file system (or these two folders) cannot hard-link. */
export const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

export class SiteFiles {
  readonly #temp: string;
  readonly #previous: string | undefined;
  /** Files written anew, and files kept from the previous export (linked). */
  written = 0;
  kept = 0;

  /** `temp`: the folder being built; `previous`: the export it replaces, if any (same file system: a sibling). */
  constructor(temp: string, previous: string | undefined) {
    this.#temp = temp;
    this.#previous = previous;
  }

  /** The export this one replaces, if any. */
  get previous(): string | undefined {
    return this.#previous;
  }

  /** Link the previous export's file at the same place when its bytes are `data`; true when it did. */
  #keep(full: string, data: Uint8Array): boolean {
    if (this.#previous === undefined) return false;
    const old = join(this.#previous, relative(this.#temp, full));
    try {
      const stat = statSync(old);
      if (!stat.isFile() || stat.size !== data.length || !readFileSync(old).equals(data)) return false;
    } catch {
      return false; // no such file in the previous export
    }
    try {
      linkSync(old, full);
    } catch (error) {
      // A file system without hard links: write it. A path written twice (two names a case- or
      // normalization-insensitive file system folds together) is an error, never a cue to write
      // through the link into the previous export.
      if (LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
    this.kept++;
    return true;
  }

  /** Write a new file (`wx`: one that exists already is an error, so a link to the previous export is never written through). */
  writeSync(full: string, data: Uint8Array): void {
    if (this.#keep(full, data)) return;
    writeFileSync(full, data, { flag: 'wx' });
    this.written++;
  }

  async write(full: string, data: Uint8Array): Promise<void> {
    if (this.#keep(full, data)) return;
    await writeFile(full, data, { flag: 'wx' });
    this.written++;
  }

  /**
   * Put the file `source` at `full` without reading it into memory (a WACZ of gigabytes): the
   * previous export's file at that place when `isSame(old)` says it holds the same bytes (kept),
   * else a hard link to `source` itself, or a copy where the two cannot be linked (written). A
   * link is safe: the export never writes into the file, and replacing the site later only
   * removes a name, never the bytes of `source`.
   */
  async place(full: string, source: string, isSame: (old: string) => Promise<boolean>): Promise<void> {
    if (this.#previous !== undefined) {
      const old = join(this.#previous, relative(this.#temp, full));
      let same = false;
      try {
        same = statSync(old).isFile() && (await isSame(old));
      } catch {
        same = false; // no such file in the previous export
      }
      if (same && (await linkOrFalse(old, full))) {
        this.kept++;
        return;
      }
    }
    // COPYFILE_EXCL as `wx`; FICLONE: a copy-on-write clone where the file system has them.
    if (!(await linkOrFalse(source, full)))
      await copyFile(source, full, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    this.written++;
  }
}

/** Hard-link `from` as `to`; false where the file system (or the pair of folders) cannot. */
async function linkOrFalse(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}
