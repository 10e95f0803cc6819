/** Putting an existing file into an export: a hard link where the file system allows, else a copy. */
import { constants, copyFileSync, linkSync } from 'node:fs';
import { LINK_UNSUPPORTED } from './site-files.js';

/**
 * Make `target` (which must not exist) hold the bytes of `source`: a hard link when both are on
 * one file system that allows it, else a copy. Only for files nobody writes into after they are
 * complete (salvage replaces an article file by rename and names an image by its SHA-256): a link
 * shares the inode, so a write into either name would change both, while a rename over one name
 * leaves the other on the old bytes. Never for WARCs or live SQLite files, which grow in place.
 * `link` is the system call (a test gives one that fails as another file system would).
 */
export function linkOrCopy(
  source: string,
  target: string,
  link: (source: string, target: string) => void = linkSync,
): 'linked' | 'copied' {
  try {
    link(source, target);
    return 'linked';
  } catch (error) {
    if (!LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  // COPYFILE_EXCL: a target that appeared meanwhile is an error, never overwritten.
  copyFileSync(source, target, constants.COPYFILE_EXCL);
  return 'copied';
}
