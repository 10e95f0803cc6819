/**
 * What a bag's payload holds of the archive itself: its article files and images (linked or
 * copied), a consistent copy of its media index, and the site profiles it was made with; the
 * takedowns leave their articles and images out.
 */
import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { archiveFiles, articleImages, articlePath, parseArchiveFile, type Takedown } from '../markdown/index.js';
import { SearchIndex, SEARCH_INDEX_FILE } from '../search/index.js';
import {
  formatProfileFile,
  parseProfileFile,
  ProfileError,
  profileSource,
  SITE_PROFILE_FILE,
  SITES,
} from '../sites/index.js';
import { MediaStore, MEDIA_DIR, snapshotMediaIndex } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { linkOrCopy } from './link-or-copy.js';

/** Where built-in site profiles go in the payload (the user's own keeps its archive name, SITE_PROFILE_FILE). */
export const SITE_PROFILES_DIR = 'site-profiles';
/** Progress is told every this many files. */
const PROGRESS_EVERY = 1000;

/** Links made and files copied (another file system, or one without hard links). */
export interface LinkCounts {
  linked: number;
  copied: number;
}

/** `linkOrCopy` into a fresh payload folder, counting; false when the source is gone (removed meanwhile). */
function place(source: string, target: string, counts: LinkCounts): boolean {
  mkdirSync(dirname(target), { recursive: true });
  try {
    counts[linkOrCopy(source, target) === 'linked' ? 'linked' : 'copied']++;
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SalvageError('OUTPUT_FAILED', `could not put ${source} into the bag: ${(error as Error).message}`, {
      cause: error,
      subject: target,
    });
  }
}

/**
 * Every article file of `archive` (`articles/<bucket>/article_<id>.md`, nothing else found there)
 * but the taken-down ones, into `data` under the same path. Bounded memory: one bucket listing
 * at a time. Returns how many.
 */
export function placeArticles(
  archive: string,
  data: string,
  down: ReadonlySet<number>,
  counts: LinkCounts,
  onProgress: (done: number) => void,
): number {
  let done = 0;
  for (const { path, id } of archiveFiles(archive)) {
    if (down.has(id)) continue;
    if (place(join(archive, path), join(data, path), counts) && ++done % PROGRESS_EVERY === 0) onProgress(done);
  }
  onProgress(done);
  return done;
}

/**
 * The images taken-down articles show (markdown `imageKey`), read from their files, which stay in
 * the archive (README, takedowns). For a takedown whose file is gone, what the search index
 * recorded when it applied the list, if there is one; the ids of those nobody knows are returned.
 */
export function withheldImageKeys(
  archive: string,
  takedowns: readonly Takedown[],
): { keys: Set<string>; unknown: number[] } {
  const keys = new Set<string>();
  let unknown: number[] = [];
  for (const { id } of takedowns) {
    const path = join(archive, articlePath(String(id)));
    try {
      for (const image of articleImages(parseArchiveFile(readFileSync(path, 'utf8'), path))) keys.add(image.key);
    } catch {
      unknown.push(id); // gone or unreadable
    }
  }
  if (unknown.length > 0 && existsSync(join(archive, SEARCH_INDEX_FILE))) {
    const index = SearchIndex.openDir(archive, { readonly: true });
    try {
      const indexed = new Set(index.takedowns().map((t) => t.id));
      for (const key of index.takenDownImages()) keys.add(key);
      unknown = unknown.filter((id) => !indexed.has(id));
    } finally {
      index.close();
    }
  }
  return { keys, unknown };
}

/** What the payload holds of the media store. */
export interface PlacedMedia {
  files: number;
  /** Rows and files left out of the index copy and the payload because a taken-down article shows them. */
  withheldRows: number;
  withheldFiles: number;
  /** Files the media index lists as stored that are not in the archive (reported; `salvage rebuild` restores them). */
  missing: string[];
}

/**
 * The media index, copied consistently into `data/media/media.sqlite` without the withheld images,
 * and then exactly the files that copy lists as stored: an image stored after the copy was taken
 * is in neither, so index and files always agree. Undefined when the archive has no media index.
 */
export async function placeMedia(
  archive: string,
  data: string,
  withheldKeys: ReadonlySet<string>,
  counts: LinkCounts,
  onProgress: (done: number) => void,
): Promise<PlacedMedia | undefined> {
  const snapshot = await snapshotMediaIndex(archive, data, withheldKeys);
  if (snapshot === undefined) return undefined;
  const store = MediaStore.openExisting(data);
  if (store === undefined) throw new Error(`the media index copied into ${data} is gone`); // just written: a bug
  const placed: PlacedMedia = {
    files: 0,
    withheldRows: snapshot.withheldRows,
    withheldFiles: snapshot.withheldFiles.length,
    missing: [],
  };
  try {
    for (const { file } of store.storedFiles()) {
      if (!place(join(archive, MEDIA_DIR, file), join(data, MEDIA_DIR, file), counts)) placed.missing.push(file);
      else if (++placed.files % PROGRESS_EVERY === 0) onProgress(placed.files);
    }
  } finally {
    store.close();
  }
  onProgress(placed.files);
  return placed;
}

/** A site an archive's articles name, as the bag describes it. */
export interface BagSite {
  id: string;
  /** The outlet's name and first host, when a profile knows them. */
  name?: string;
  host?: string;
  articles: number;
}

/**
 * The profiles the archive was made with, into `data`: the profile file `salvage archive` kept
 * beside it (SITE_PROFILE_FILE, byte for byte), and each built-in site its articles name, as a
 * profile file (`site-profiles/<id>.yaml`, the user format of docs/site-profiles.md, with the
 * functions its module adds in code named in a comment; not as SITE_PROFILE_FILE, which `salvage
 * rebuild` would load as a user's profile). Returns the payload paths written and the sites.
 */
export function placeProfiles(
  archive: string,
  data: string,
  siteCounts: ReadonlyMap<string, number>,
  version: string,
): { paths: string[]; sites: BagSite[] } {
  const paths: string[] = [];
  const sites: BagSite[] = [];
  const kept = join(archive, SITE_PROFILE_FILE);
  let own: { id: string; name: string; hosts: readonly string[] } | undefined;
  if (existsSync(kept)) {
    try {
      own = parseProfileFile(readFileSync(kept, 'utf8'));
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      // Kept all the same: it is what the archive was made with; the bag does not judge it.
    }
    copyFileSync(kept, join(data, SITE_PROFILE_FILE), constants.COPYFILE_EXCL);
    paths.push(SITE_PROFILE_FILE);
  }
  for (const [id, articles] of [...siteCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const profile = own?.id === id ? own : SITES.get(id);
    sites.push({
      id,
      articles,
      ...(profile !== undefined ? { name: profile.name, host: profile.hosts[0]!.replace(/^www\./, '') } : {}),
    });
    const builtIn = own?.id === id ? undefined : SITES.get(id);
    const source = builtIn === undefined ? undefined : profileSource(builtIn);
    if (source === undefined) continue; // the user's own, or a module written only in code (generic)
    const rel = `${SITE_PROFILES_DIR}/${id}.yaml`;
    mkdirSync(join(data, SITE_PROFILES_DIR), { recursive: true });
    const comment = [
      `The built-in site profile "${id}" of salvage ${version}, as data (keys: docs/site-profiles.md).`,
      ...(source.code.length > 0
        ? [
            `Its module (src/sites/${id}.ts) adds in code: ${source.code.join(', ')}; a copy of this file alone lacks those.`,
          ]
        : []),
    ];
    writeNew(join(data, rel), formatProfileFile(source.spec, comment, { portable: true }));
    paths.push(rel);
  }
  return { paths, sites };
}

/** A new file of the bag, its folder made (`wx`: the folder is our own and fresh, so a name taken twice is a bug). */
export function writeNew(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { flag: 'wx' });
}
