/**
 * Where an article file lives and how it gets there: `articles/<lo>-<hi>/article_<id>.md`, built
 * from the integer id only, written to a temporary file, flushed and renamed into place, so a
 * crash leaves either the old file or the new one, never half of one.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';

/** Ids per bucket folder (FORMAT.md: `1-1000`, `1001-2000`, …). */
export const BUCKET_SIZE = 1000;
/** Ids are positive integers; anything else never becomes a path. */
const SAFE_ID = /^[1-9]\d{0,14}$/;

/** `articles/18001-19000/article_18733.md` for id 18733. Throws OUTPUT_UNSAFE for a non-numeric id. */
export function articlePath(id: string): string {
  if (!SAFE_ID.test(id))
    throw new SalvageError(
      'OUTPUT_UNSAFE',
      `article id ${JSON.stringify(id.slice(0, 40))} is not a positive integer; refusing to build a file name from it`,
      { subject: id },
    );
  const n = Number(id);
  const lo = Math.floor((n - 1) / BUCKET_SIZE) * BUCKET_SIZE + 1;
  return join('articles', `${lo}-${lo + BUCKET_SIZE - 1}`, `article_${n}.md`);
}

let tempCounter = 0;
/** Temporary files of writeFileAtomic: `.<pid>.<n>.tmp`. */
export const TEMP_FILE = /^\.\d+\.\d+\.tmp$/;

/**
 * Remove temporary files that a killed process left in the bucket folders of `root/articles`
 * (a kill between writing a temp file and renaming it). Returns how many were removed.
 */
export async function removeStaleTempFiles(root: string): Promise<number> {
  let removed = 0;
  let buckets: string[];
  try {
    buckets = await readdir(join(root, 'articles'));
  } catch {
    return 0;
  }
  for (const bucket of buckets) {
    let names: string[];
    try {
      names = await readdir(join(root, 'articles', bucket));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!TEMP_FILE.test(name)) continue;
      await rm(join(root, 'articles', bucket, name), { force: true });
      removed++;
    }
  }
  return removed;
}

export interface AtomicWriteOptions {
  /**
   * fsync the file before the rename. Default false: rename alone already guarantees that a
   * killed process leaves the old file or the new one; fsync adds safety against power loss
   * at ~1-5 ms per file (our measurement, 2026-11, this disk).
   */
  durable?: boolean;
}

/** Write `data` to `path` atomically (temp file in the same folder, rename). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${process.pid}.${++tempCounter}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new SalvageError('OUTPUT_FAILED', `could not write ${path}: ${(error as Error).message}`, {
      cause: error,
      subject: path,
    });
  }
}

/** Write an article's file text under `root`; returns the path written. */
export async function writeArticleFile(
  root: string,
  id: string,
  text: string,
  options: AtomicWriteOptions = {},
): Promise<string> {
  const path = join(root, articlePath(id));
  await writeFileAtomic(path, text, options);
  return path;
}

/**
 * Whether a process with this id exists. Signal 0 checks without sending anything: ESRCH means
 * none; EPERM means one exists that we may not signal (alive). A reused pid reads as alive, so a
 * leftover is then kept: the safe side.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An article file's name: `article_<id>.md`, the id a positive integer. */
export const ARTICLE_FILE = /^article_([1-9]\d{0,14})\.md$/;

/**
 * Relative paths of every `articles/<bucket>/article_<id>.md` of an archive folder, with their
 * id, in bucket order (one folder listing at a time: bounded memory at 2 million files).
 */
export function* archiveFiles(dir: string): Generator<{ path: string; id: number }> {
  let buckets: string[];
  try {
    buckets = readdirSync(join(dir, 'articles')).sort();
  } catch {
    return;
  }
  for (const bucket of buckets) {
    let names: string[];
    try {
      names = readdirSync(join(dir, 'articles', bucket)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const m = ARTICLE_FILE.exec(name);
      if (m) yield { path: join('articles', bucket, name), id: Number(m[1]) };
    }
  }
}
