/**
 * Fixity of a folder of WARC files (`salvage verify`): every record read as evidence is read
 * (gzip framing and CRC-32, WARC headers, Content-Length), its stated `WARC-Block-Digest` and
 * `WARC-Payload-Digest` recomputed, every (file, offset, length) the crawl state or the media
 * index names matched against the records actually there, and every file's size against the
 * size the index committed. Nothing is written; memory stays bounded (records stream, places
 * come in file order and are merged with the files as they are read).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import type { IntegrityFinding } from './integrity.js';
import { WARC_NAME } from './capture-store.js';
import type { DigestOutcome } from './warc-digest.js';
import { readWarcRecords, type WarcRecordRead } from './warc-reader.js';

/** A record an index names: file name in the folder, offset and length of its gzip member. */
export interface WarcPlace {
  warc: string;
  offset: number;
  length: number;
}

/** Files the check reads as WARC or ARC files (by name; the content decides how). */
const WARC_FILE = /\.(?:warc|arc)(?:\.gz)?$/i;

export interface WarcFolderOptions {
  /** The folder of WARC files. */
  dir: string;
  /** The folder as findings name it (`captures`, `media/captures`). */
  label: string;
  /** Each file's size the index committed (CrawlState.warcSizes, MediaStore.warcSizes); empty when there is no index. */
  committed: readonly { name: string; size: number }[];
  /** Every record the index names, in (file, offset) order (byte order of the names, as SQLite sorts them). */
  places: Iterable<WarcPlace>;
  /** Told of each finding as it is found. */
  onFinding: (finding: IntegrityFinding) => void;
  /** Told of the bytes read so far, after each file and every ~64 MiB. */
  onProgress?: (bytesRead: number) => void;
}

export interface WarcFolderSummary {
  files: number;
  /** Sum of the files' sizes. */
  bytes: number;
  records: number;
  /** Damaged stretches (gzip, truncated, short, malformed). */
  damaged: number;
  blockDigests: Record<DigestOutcome['verdict'], number>;
  payloadDigests: Record<DigestOutcome['verdict'], number>;
  /** Places the index names, and how many of them are a whole record there. */
  places: number;
  placesIntact: number;
}

const PROGRESS_BYTES = 64 * 1024 * 1024;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const noVerdicts = (): Record<DigestOutcome['verdict'], number> => ({
  ok: 0,
  mismatch: 0,
  absent: 0,
  unsupported: 0,
  elsewhere: 0,
});

/** The WARC files of a folder, sorted by name (byte order); none when it does not exist. */
export function warcFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => WARC_FILE.test(n))
      .sort(byName);
  } catch {
    return [];
  }
}

/** Sum of the sizes of the folder's WARC files (for progress). */
export function warcFolderBytes(dir: string): number {
  return warcFilesIn(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/**
 * Check every WARC file of a folder and every place its index names (see the module doc).
 * Findings: `warc` — a missing or shorter file (`file-missing`, `file-short`), damaged bytes
 * (`damaged-bytes`), a digest that does not match (`block-digest`, `payload-digest`), a file no
 * index knows (`unknown-file`, a notice for salvage's own names; `extra` for any other file in the
 * folder), digests that could not be checked (`digest-absent`, `digest-unsupported`, one notice per
 * file); `warc-place` — a place with no whole record of its length (`place-not-record`).
 */
export async function checkWarcFolder(options: WarcFolderOptions): Promise<WarcFolderSummary> {
  const { dir, label, onFinding, onProgress } = options;
  const committed = new Map(options.committed.map((c) => [c.name, c.size]));
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    entries = [];
  }
  const onDisk = entries.filter((n) => WARC_FILE.test(n)).sort(byName);
  for (const name of entries.filter((n) => !WARC_FILE.test(n)).sort(byName)) {
    onFinding({
      problem: 'extra',
      check: 'warc',
      code: 'unexpected-file',
      path: `${label}/${name}`,
      message: `${label}/${name} is not a WARC file and no index names it`,
    });
  }
  const summary: WarcFolderSummary = {
    files: 0,
    bytes: 0,
    records: 0,
    damaged: 0,
    blockDigests: noVerdicts(),
    payloadDigests: noVerdicts(),
    places: 0,
    placesIntact: 0,
  };
  const places = options.places[Symbol.iterator]();
  let place = places.next();
  /** Places before (file, offset) that no record matched; `why` says what each is. */
  const passPlaces = (
    file: string | undefined,
    offset: number,
    why: (p: WarcPlace) => IntegrityFinding | undefined,
  ): number => {
    let passed = 0;
    while (
      !place.done &&
      (file === undefined || place.value.warc < file || (place.value.warc === file && place.value.offset < offset))
    ) {
      summary.places++;
      passed++;
      const finding = why(place.value);
      if (finding) onFinding(finding);
      place = places.next();
    }
    return passed;
  };
  /** Places in a file that is not there: counted, and said once per file. */
  const passMissingFiles = (before: string | undefined): void => {
    while (!place.done && (before === undefined || place.value.warc < before)) {
      const name = place.value.warc;
      const n = passPlaces(name, Number.POSITIVE_INFINITY, () => undefined);
      if (committed.has(name) || onDisk.includes(name)) continue; // said with the file
      onFinding({
        problem: 'missing',
        check: 'warc',
        code: 'file-missing',
        path: `${label}/${name}`,
        message: `${label}/${name} is missing: the index names ${n} record${n === 1 ? '' : 's'} in it`,
      });
    }
  };

  const names = [...new Set([...onDisk, ...committed.keys()])].sort(byName);
  let bytesBefore = 0;
  for (const name of names) {
    passMissingFiles(name);
    const path = `${label}/${name}`;
    if (!onDisk.includes(name)) {
      const n = passPlaces(name, Number.POSITIVE_INFINITY, () => undefined);
      onFinding({
        problem: 'missing',
        check: 'warc',
        code: 'file-missing',
        path,
        message: `${path} is missing: the index committed ${committed.get(name)} bytes of it and names ${n} record${n === 1 ? '' : 's'} in it`,
      });
      continue;
    }
    const size = statSync(join(dir, name)).size;
    summary.files++;
    summary.bytes += size;
    const known = committed.get(name);
    if (known === undefined && WARC_NAME.test(name)) {
      // With no index at all (an archive whose state is gone) every file is unknown and none is news.
      if (committed.size > 0)
        onFinding({
          problem: 'notice',
          check: 'warc',
          code: 'unknown-file',
          path,
          message: `${path} is not in the index: records a run wrote before its first commit (the next salvage run adopts them); its records are checked`,
        });
    } else if (known === undefined)
      onFinding({
        problem: 'extra',
        check: 'warc',
        code: 'unknown-file',
        path,
        message: `${path} is not salvage's and no index names it; its records are checked`,
      });
    else if (size < known)
      onFinding({
        problem: 'altered',
        check: 'warc',
        code: 'file-short',
        path,
        message: `${path} is ${size} bytes, ${known - size} fewer than the ${known} the index committed: bytes at its end are gone`,
      });
    else if (size > known)
      onFinding({
        problem: 'notice',
        check: 'warc',
        code: 'uncommitted',
        path,
        message: `${path} has ${size - known} bytes past the ${known} the index committed (a run stopped between a write and its commit; the next salvage run adopts whole records there); they are checked`,
      });
    await checkFile(join(dir, name), path, size, summary, onFinding, {
      committed: known,
      passPlaces: (offset, why) => passPlaces(name, offset, why),
      match: (record) => {
        while (!place.done && place.value.warc === name && place.value.offset === record.offset) {
          summary.places++;
          if (place.value.length === record.length) summary.placesIntact++;
          else
            onFinding({
              problem: 'altered',
              check: 'warc-place',
              code: 'place-not-record',
              path,
              offset: record.offset,
              message: `${path}@${record.offset}: the index says the record there is ${place.value.length} bytes; it is ${record.length}`,
            });
          place = places.next();
        }
      },
      progress: (at) => onProgress?.(bytesBefore + at),
    });
    bytesBefore += size;
    onProgress?.(bytesBefore);
  }
  passMissingFiles(undefined);
  return summary;
}

/**
 * Check one WARC or ARC file on its own (`salvage verify FILE.warc.gz`): every record read, its
 * digests recomputed, every damaged stretch found, as {@link checkWarcFolder} does for each file.
 * `path` names the file in findings.
 */
export async function checkWarcFile(
  file: string,
  path: string,
  onFinding: (finding: IntegrityFinding) => void,
  onProgress?: (bytesRead: number) => void,
): Promise<WarcFolderSummary> {
  const size = statSync(file).size;
  const summary: WarcFolderSummary = {
    files: 1,
    bytes: size,
    records: 0,
    damaged: 0,
    blockDigests: noVerdicts(),
    payloadDigests: noVerdicts(),
    places: 0,
    placesIntact: 0,
  };
  await checkFile(file, path, size, summary, onFinding, {
    passPlaces: () => 0,
    match: () => {},
    progress: (at) => onProgress?.(at),
  });
  if (summary.records === 0 && summary.damaged === 0)
    onFinding({
      problem: 'altered',
      check: 'warc',
      code: 'no-records',
      path,
      message: `${path} holds no WARC or ARC record`,
    });
  return summary;
}

/** One file's records, digests and damage; places of the file are merged in through `merge`. */
async function checkFile(
  file: string,
  path: string,
  size: number,
  summary: WarcFolderSummary,
  onFinding: (f: IntegrityFinding) => void,
  merge: {
    /** The size the index committed: damage wholly past it is a write a stop cut, left in place (recover.ts), not lost evidence. */
    committed?: number | undefined;
    passPlaces: (offset: number, why: (p: WarcPlace) => IntegrityFinding | undefined) => number;
    match: (record: WarcRecordRead) => void;
    progress: (at: number) => void;
  },
): Promise<void> {
  const notThere = (p: WarcPlace): IntegrityFinding => ({
    problem: 'altered',
    check: 'warc-place',
    code: 'place-not-record',
    path,
    offset: p.offset,
    message:
      p.offset + p.length > size
        ? `${path}@${p.offset}: the index names a record of ${p.length} bytes there, past the end of the file (${size} bytes)`
        : `${path}@${p.offset}: the index names a record of ${p.length} bytes there; those bytes are not a whole record`,
  });
  const unchecked = { absent: 0, unsupported: 0, records: 0 };
  let nextProgress = PROGRESS_BYTES;
  try {
    for await (const item of readWarcRecords(file)) {
      if ('damage' in item) {
        const d = item.damage;
        summary.damaged++;
        const uncommitted = merge.committed !== undefined && d.offset >= merge.committed;
        onFinding({
          problem: uncommitted ? 'notice' : 'altered',
          check: 'warc',
          code: uncommitted ? 'uncommitted-damage' : 'damaged-bytes',
          path,
          offset: d.offset,
          message: `${path}@${d.offset}: ${d.length} damaged byte${d.length === 1 ? '' : 's'} (${d.reason}: ${d.message})${uncommitted ? `, past the ${merge.committed} bytes the index committed: a write a stop cut short, left in place as evidence; no record the index names is there` : ''}`,
        });
        merge.passPlaces(d.offset + 1, notThere);
        continue;
      }
      const r = item.record;
      summary.records++;
      unchecked.records++;
      merge.passPlaces(r.offset, notThere);
      merge.match(r);
      const { block, payload } = r.facts.digests;
      summary.blockDigests[block.verdict]++;
      summary.payloadDigests[payload.verdict]++;
      for (const [outcome, header] of [
        [block, 'WARC-Block-Digest'],
        [payload, 'WARC-Payload-Digest'],
      ] as const) {
        if (outcome.verdict === 'mismatch')
          onFinding({
            problem: 'altered',
            check: 'warc',
            code: header === 'WARC-Block-Digest' ? 'block-digest' : 'payload-digest',
            path,
            offset: r.offset,
            message: `${path}@${r.offset}: the ${r.facts.type} record${r.facts.targetUri ? ` of ${r.facts.targetUri}` : ''} states ${header} ${outcome.stated}; its bytes give ${outcome.computed}`,
          });
      }
      if (block.verdict === 'absent' && payload.verdict === 'absent') unchecked.absent++;
      if (block.verdict === 'unsupported' || payload.verdict === 'unsupported') unchecked.unsupported++;
      if (r.offset >= nextProgress) {
        merge.progress(r.offset);
        nextProgress = r.offset + PROGRESS_BYTES;
      }
    }
  } catch (error) {
    if (!(error instanceof SalvageError)) throw error;
    onFinding({ problem: 'altered', check: 'warc', code: 'unreadable', path, message: error.message });
  }
  merge.passPlaces(Number.POSITIVE_INFINITY, notThere);
  if (unchecked.absent > 0)
    onFinding({
      problem: 'notice',
      check: 'warc',
      code: 'digest-absent',
      path,
      message: `${path}: ${unchecked.absent} of ${unchecked.records} records state no digest (ARC files and some tools write none): those were read whole, not checked against a digest`,
    });
  if (unchecked.unsupported > 0)
    onFinding({
      problem: 'notice',
      check: 'warc',
      code: 'digest-unsupported',
      path,
      message: `${path}: ${unchecked.unsupported} of ${unchecked.records} records state a digest of an algorithm or spelling this salvage does not read: not checked`,
    });
}
