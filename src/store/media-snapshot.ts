/**
 * A copy of an archive's media index for a release (a BagIt bag): consistent, self-contained, and
 * without what was taken down.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SalvageError } from '../errors.js';
import { MediaStore, MEDIA_DIR, MEDIA_INDEX_FILE } from './media-store.js';

/** What {@link snapshotMediaIndex} left out of its copy. */
export interface MediaSnapshot {
  /** Rows removed: images of withheld keys, and every row naming a file one of them names. */
  withheldRows: number;
  /** The stored files those rows named (relative to the media folder): no release may carry them. */
  withheldFiles: string[];
}

/**
 * Copy the media index of `archiveDir` to `targetDir/media/media.sqlite` with SQLite's online
 * backup API. A file copy of a live WAL database can tear (the main file and its `-wal` read at
 * different moments); the backup is the database as of one moment, even while `salvage media`
 * writes to it, and the copy is left in rollback-journal mode so opening it creates no `-wal` or
 * `-shm` beside it. Images whose key is in `withheldKeys` (a taken-down article's: markdown
 * `imageKey`) are removed from the copy, with every row naming one of their files (the reader
 * withholds such a file under any URL), with SQLite's secure_delete so their URLs leave no bytes
 * in the file. Undefined when the archive has no media index. Throws SalvageError
 * INPUT_UNREADABLE (an index of another version or unreadable), OUTPUT_FAILED (the copy failed).
 */
export async function snapshotMediaIndex(
  archiveDir: string,
  targetDir: string,
  withheldKeys: ReadonlySet<string>,
): Promise<MediaSnapshot | undefined> {
  // Opened through the store first: an index of another schema version is refused as everywhere else.
  const source = MediaStore.openExisting(archiveDir);
  if (source === undefined) return undefined;
  source.close();
  const from = join(archiveDir, MEDIA_DIR, MEDIA_INDEX_FILE);
  const to = join(targetDir, MEDIA_DIR, MEDIA_INDEX_FILE);
  if (existsSync(to)) throw new Error(`snapshotMediaIndex: ${to} exists`); // the caller's fresh folder: a bug
  mkdirSync(join(targetDir, MEDIA_DIR), { recursive: true });
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
  } catch (error) {
    throw new SalvageError('OUTPUT_FAILED', `could not copy the media index ${from}: ${(error as Error).message}`, {
      cause: error,
      subject: to,
    });
  } finally {
    db.close();
  }
  const copy = new Database(to);
  try {
    copy.pragma('journal_mode = DELETE');
    copy.pragma('secure_delete = ON');
    const withheldFiles = new Set<string>();
    const filesOfKey = copy
      .prepare<[string], string>(
        "SELECT DISTINCT file FROM images WHERE key = ? AND outcome = 'stored' AND file IS NOT NULL",
      )
      .pluck();
    for (const key of withheldKeys) for (const file of filesOfKey.all(key)) withheldFiles.add(file);
    let withheldRows = 0;
    copy.transaction(() => {
      const byKey = copy.prepare('DELETE FROM images WHERE key = ?');
      const byFile = copy.prepare('DELETE FROM images WHERE file = ?');
      for (const key of withheldKeys) withheldRows += byKey.run(key).changes;
      for (const file of withheldFiles) withheldRows += byFile.run(file).changes;
    })();
    // Free pages too: secure_delete zeroes what it frees, VACUUM leaves none behind.
    if (withheldRows > 0) copy.exec('VACUUM');
    return { withheldRows, withheldFiles: [...withheldFiles].sort() };
  } finally {
    copy.close();
  }
}
