/**
 * The captures an archive holds of each article, copied from its crawl state into the search
 * index (`held_captures`), so the reader lists them in the article's TimeMap without opening
 * `state.sqlite` on a request. "Held" is the store's word: a WARC record of the article's URL,
 * whether its capture was chosen for the file or rejected (a truncated copy, a challenge page),
 * since the WARC keeps both as evidence and each is a memento of the URL at its time
 * (store `CrawlState.heldCaptures`). An imported archive has no crawl state and holds none: its
 * TimeMaps list the one capture each file names.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { CrawlState, STATE_FILE, type HeldCapture } from '../store/index.js';

/** What a build did with the held captures (BuildProgress.captures). */
export interface HeldCapturesSync {
  /** Captures the index lists now. */
  held: number;
  /** Whether the list changed since the last build (the index then gets a new generation). */
  changed: boolean;
  /** Why the crawl state could not be read; the index keeps the captures it listed before. */
  unreadable?: string;
}

/** The meta key of the list's digest: a build that finds the same digest writes nothing. */
const HELD_CAPTURES_HASH = 'held-captures-sha256';
/**
 * The meta key of the crawl state's files as the last build found them (size and modification
 * time of `state.sqlite` and of its WAL): unchanged, the state is not read at all, as an archive
 * file of unchanged path, size and time is not (build.ts). Saves 0.24–0.34 s a build on the
 * rehearsal's 55k held captures (2026-12-07, load average 5; 0.9–1.1 s at 15), ~10 s at 2 million.
 */
const HELD_CAPTURES_SOURCE = 'held-captures-source';

/** Size and modification time of the state and of its WAL (empty for a missing file). */
function sourceStamp(file: string): string {
  const stamp = (path: string): string => {
    try {
      const st = statSync(path);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  };
  return `${stamp(file)} ${stamp(`${file}-wal`)}`;
}

/** A failure of the crawl state, not of the index (which is the build's to handle). */
class StateUnreadable extends Error {}

/** The state's held captures, with any failure of the state marked as such. */
function* fromState(file: string): Generator<HeldCapture> {
  let state: CrawlState;
  try {
    state = CrawlState.openReadOnly(file);
  } catch (error) {
    throw new StateUnreadable((error as Error).message);
  }
  try {
    const rows = state.heldCaptures();
    for (;;) {
      let next: IteratorResult<HeldCapture>;
      try {
        next = rows.next();
      } catch (error) {
        throw new StateUnreadable(`${file}: ${(error as Error).message}`);
      }
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    state.close();
  }
}

/** One line of the digest: tab and newline cannot occur in a timestamp or a URL the CDX lists, and the id ends first. */
const digestLine = (c: HeldCapture): string => `${c.articleId}\t${c.timestamp}\t${c.original}\n`;

function digestOf(captures: Iterable<HeldCapture>): { sha256: string; count: number } {
  const hash = createHash('sha256');
  let count = 0;
  for (const c of captures) {
    hash.update(digestLine(c));
    count++;
  }
  return { sha256: hash.digest('hex'), count };
}

/**
 * Bring the index's held captures up to date with the crawl state of `dir` (none when the folder
 * has no state: an imported archive). Does not read the state when its files are as the last
 * build found them; else reads it once to see whether the list changed and once more to copy it,
 * never holding the list in memory (constant memory at any size).
 * A state that cannot be read (damaged, another version, locked away) leaves the list as it was
 * and says why in `unreadable`. Errors of the index itself are thrown (the build handles them).
 */
export function syncHeldCaptures(db: Database.Database, dir: string): HeldCapturesSync {
  const file = join(dir, STATE_FILE);
  const read = (): Iterable<HeldCapture> => (existsSync(file) ? fromState(file) : []);
  const meta = (key: string): string | undefined =>
    db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
  const setMeta = (key: string, value: string): void => {
    db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  };
  const count = (): number => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM held_captures').get()?.n ?? 0;
  // Taken before the state is read: a state written meanwhile is read again by the next build.
  const stamp = sourceStamp(file);
  if (meta(HELD_CAPTURES_SOURCE) === stamp) return { held: count(), changed: false };
  const before = meta(HELD_CAPTURES_HASH) ?? digestOf([]).sha256;
  let now: { sha256: string; count: number };
  try {
    now = digestOf(read());
  } catch (error) {
    if (error instanceof StateUnreadable) return { held: count(), changed: false, unreadable: error.message };
    throw error;
  }
  if (now.sha256 === before) {
    setMeta(HELD_CAPTURES_SOURCE, stamp);
    return { held: now.count, changed: false };
  }
  const insert = db.prepare('INSERT OR IGNORE INTO held_captures (article_id, timestamp, original) VALUES (?, ?, ?)');
  try {
    // One transaction: readers never see half a list, and a failure leaves the old one whole.
    db.transaction(() => {
      db.exec('DELETE FROM held_captures');
      const hash = createHash('sha256');
      for (const c of read()) {
        hash.update(digestLine(c));
        insert.run(c.articleId, c.timestamp, c.original);
      }
      // The digest of what was copied: the state may have changed between the two reads.
      setMeta(HELD_CAPTURES_HASH, hash.digest('hex'));
      setMeta(HELD_CAPTURES_SOURCE, stamp);
    })();
  } catch (error) {
    if (error instanceof StateUnreadable) return { held: count(), changed: false, unreadable: error.message };
    throw error;
  }
  return { held: count(), changed: true };
}
