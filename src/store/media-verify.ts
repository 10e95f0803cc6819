/**
 * Fixity of an archive's media store (`salvage verify`): every stored image file is hashed and
 * held to its name (`files/<ab>/<sha256>.<ext>`) and to the SHA-256 and size the media index
 * recorded; files the index does not name are extra, files it names that are gone are missing.
 * The index lists files in name order and the folders are walked in the same order, one folder
 * at a time, so memory stays bounded however many images there are.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile, type IntegrityFinding } from './integrity.js';
import { MEDIA_DIR, MEDIA_FILES_DIR, type MediaStore } from './media-store.js';

export interface MediaCheckSummary {
  /** Files the index names (distinct). */
  files: number;
  /** Of those, present with the bytes the index and the name say. */
  intact: number;
  bytes: number;
}

/** Where `salvage media` writes image files before their rename (media-store.ts PARTIAL_DIR). */
const PARTIAL_DIR = '.partial';
/** A stored image's name: its SHA-256 in hex and an extension. */
const STORED_NAME = /^([0-9a-f]{64})\.[a-z0-9]+$/;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every file under `files/`, as `files/<dir>/<name>` in name order, one folder listed at a time; other entries as `odd`. */
function* filesOnDisk(root: string): Generator<{ file: string } | { odd: string }> {
  const top = join(root, MEDIA_FILES_DIR);
  if (!existsSync(top)) return;
  for (const dir of readdirSync(top).sort(byName)) {
    const sub = join(top, dir);
    if (!statSync(sub).isDirectory()) {
      yield { odd: `${MEDIA_FILES_DIR}/${dir}` };
      continue;
    }
    for (const name of readdirSync(sub).sort(byName)) yield { file: `${MEDIA_FILES_DIR}/${dir}/${name}` };
  }
}

/**
 * Check the stored image files of `store` (opened read-only) in the archive folder `archiveDir`.
 * Findings (`media`): `file-missing`, `file-altered` (its bytes are not the SHA-256 or size the
 * index recorded), `name-mismatch` (the index's SHA-256 is not the name's), `rows-disagree`
 * (rows of one file record different digests), `extra-file`, and a `leftovers` notice for
 * half-written files of an interrupted run.
 */
export async function checkMediaFiles(
  store: MediaStore,
  onFinding: (finding: IntegrityFinding) => void,
  onProgress?: (filesDone: number) => void,
): Promise<MediaCheckSummary> {
  const root = store.dir;
  const rel = (file: string): string => `${MEDIA_DIR}/${file}`;
  const summary: MediaCheckSummary = { files: 0, intact: 0, bytes: 0 };
  const disk = filesOnDisk(root);
  let here = disk.next();
  const extra = (file: string): void =>
    onFinding({
      problem: 'extra',
      check: 'media',
      code: 'extra-file',
      path: rel(file),
      message: `${rel(file)} is not named by the media index`,
    });
  /** Files on disk before `file` (undefined: all that are left): the index does not name them. */
  const passDisk = (file: string | undefined): void => {
    while (!here.done && (file === undefined || 'odd' in here.value || here.value.file < file)) {
      extra('odd' in here.value ? here.value.odd : here.value.file);
      here = disk.next();
    }
  };
  for (const row of store.storedFiles()) {
    summary.files++;
    passDisk(row.file);
    const onDiskToo = !here.done && 'file' in here.value && here.value.file === row.file;
    if (onDiskToo) here = disk.next();
    const path = rel(row.file);
    if (row.digests > 1)
      onFinding({
        problem: 'altered',
        check: 'media',
        code: 'rows-disagree',
        path,
        message: `${path}: the media index's ${row.rows} rows of this file record ${row.digests} different digests or sizes`,
      });
    const name = STORED_NAME.exec(row.file.slice(row.file.lastIndexOf('/') + 1))?.[1];
    if (row.sha256 !== null && !row.file.startsWith(`${MEDIA_FILES_DIR}/${row.sha256.slice(0, 2)}/${row.sha256}.`))
      onFinding({
        problem: 'altered',
        check: 'media',
        code: 'name-mismatch',
        path,
        message: `${path}: the media index records SHA-256 ${row.sha256}, which is not the file's name`,
      });
    if (!onDiskToo) {
      onFinding({
        problem: 'missing',
        check: 'media',
        code: 'file-missing',
        path,
        message: `${path} is missing (the media index names it; salvage rebuild restores it from the media WARCs)`,
      });
      continue;
    }
    let got;
    try {
      got = await hashFile(join(root, row.file));
    } catch (error) {
      onFinding({
        problem: 'altered',
        check: 'media',
        code: 'unreadable',
        path,
        message: `${path} cannot be read: ${(error as Error).message}`,
      });
      continue;
    }
    summary.bytes += got.bytes;
    const sha256 = got.digests['sha256']!; // asked for
    const expected = row.sha256 ?? name;
    if (sha256 !== expected || (row.bytes !== null && got.bytes !== row.bytes))
      onFinding({
        problem: 'altered',
        check: 'media',
        code: 'file-altered',
        path,
        message: `${path} is ${got.bytes} bytes with SHA-256 ${sha256}; the media index records ${row.bytes ?? '?'} bytes with ${expected ?? '?'} (salvage rebuild restores it from the media WARCs)`,
      });
    else summary.intact++;
    if (summary.files % PROGRESS_FILES === 0) onProgress?.(summary.files);
  }
  passDisk(undefined);
  const partial = join(root, PARTIAL_DIR);
  const leftovers = existsSync(partial) ? readdirSync(partial).length : 0;
  if (leftovers > 0)
    onFinding({
      problem: 'notice',
      check: 'media',
      code: 'leftovers',
      path: `${MEDIA_DIR}/${PARTIAL_DIR}`,
      message: `${MEDIA_DIR}/${PARTIAL_DIR} holds ${leftovers} half-written files of an interrupted run (the next salvage media removes them)`,
    });
  onProgress?.(summary.files);
  return summary;
}

/** Files between two progress calls. */
const PROGRESS_FILES = 1000;
