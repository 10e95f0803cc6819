/**
 * The WACZ a mirror publishes for its replay, read once before the export writes anything:
 * checked to be a WACZ, checked to hold nothing the archive has taken down (README "Takedowns":
 * the mirror must not publish it, and a replay would), its captured URLs noted so only articles
 * it can replay get the link (not those whose page a replay would show as gzip bytes), and hashed (the replay page's address of it carries the hash).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { SalvageError } from '../errors.js';
import { imageKey } from '../markdown/index.js';
import { SearchIndex } from '../search/index.js';
import { articleIdFromUrl } from '../sites/index.js';
import { hashFile } from './file-hash.js';
import { readWaczIndex } from './wacz-captures.js';

/** A WACZ ready to go into a site. */
export interface ReplayWacz {
  file: string;
  sha256: string;
  bytes: number;
  /** Captures its index lists. */
  captures: number;
  /** Whether it holds a capture of the original URL `url` (at any time: a replay shows the closest). */
  holds(url: string): boolean;
  /**
   * Whether its capture of `url` at `timestamp` (14 digits) is a page a replay shows as bytes: its
   * payload is gzip its headers do not declare (store/undeclared-gzip.ts).
   */
  showsAsBytes(url: string, timestamp: string): boolean;
  /** Page records whose start was read, and how many of them a replay shows as bytes. */
  pagesChecked: number;
  shownAsBytes: number;
}

/** Taken-down captures named in the error (the count says how many more). */
const WITHHELD_EXAMPLES = 3;

/**
 * A 48-bit key of a URL (the first 6 bytes of its SHA-1): a number, so the keys of 2 million
 * captures take tens of MB, not their URLs' hundreds. A collision (~1% at 2 million) only gives
 * an article a link whose capture the replay then reports as not found.
 */
function urlKey(url: string): number {
  return createHash('sha1').update(url).digest().readUIntBE(0, 6);
}

/**
 * Read the WACZ `file` for the site of the archive folder `dir` (its search index: takedowns).
 * Throws SalvageError INPUT_UNREADABLE, INPUT_INVALID (not a WACZ; or it holds a capture of a
 * taken-down article or of an image only such an article shows).
 */
export async function readReplayWacz(file: string, dir: string): Promise<ReplayWacz> {
  const keys = new Set<number>();
  const asBytes = new Set<number>();
  const withheld: string[] = [];
  const index = SearchIndex.openDir(dir, { readonly: true });
  let summary: Awaited<ReturnType<typeof readWaczIndex>>;
  try {
    const takenDown = new Set(index.takedowns().map((t) => t.id));
    const images = index.takenDownImages();
    summary = await readWaczIndex(
      file,
      (url) => {
        keys.add(urlKey(url));
        if (takenDown.size === 0) return;
        const id = articleIdFromUrl(url) ?? index.takedownByOriginalUrl(url)?.id;
        if (id !== undefined && takenDown.has(id)) withheld.push(`#${id} ${url}`);
        else if (images.has(imageKey(url))) withheld.push(`an image of a taken-down article, ${url}`);
      },
      { onShownAsBytes: (url, timestamp) => asBytes.add(urlKey(`${timestamp} ${url}`)) },
    );
  } finally {
    index.close();
  }
  if (withheld.length > 0) {
    const more = withheld.length - WITHHELD_EXAMPLES;
    throw new SalvageError(
      'INPUT_INVALID',
      `the WACZ ${file} holds ${withheld.length} captures the archive has taken down (${withheld.slice(0, WITHHELD_EXAMPLES).join('; ')}${more > 0 ? `; and ${more} more` : ''}): a mirror must not replay them; make the WACZ again from the archive after salvage index applied the takedowns, or export without --wacz`,
      { subject: file },
    );
  }
  const {
    digests: { sha256 },
    bytes,
  } = await hashFile(file, ['sha256']);
  return {
    file,
    sha256,
    bytes,
    captures: summary.captures,
    holds: (url) => keys.has(urlKey(url)),
    showsAsBytes: (url, timestamp) => asBytes.has(urlKey(`${timestamp} ${url}`)),
    pagesChecked: summary.pagesChecked,
    shownAsBytes: summary.shownAsBytes,
  };
}

/** Whether the file `old` (the previous export's WACZ) is `wacz`'s file, or has its size and SHA-256. */
export async function sameWacz(old: string, wacz: ReplayWacz): Promise<boolean> {
  const [a, b] = await Promise.all([stat(old), stat(wacz.file)]);
  if (a.dev === b.dev && a.ino === b.ino) return true;
  return a.size === wacz.bytes && (await hashFile(old, ['sha256'])).digests.sha256 === wacz.sha256;
}
