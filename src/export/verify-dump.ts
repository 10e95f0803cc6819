/**
 * `salvage verify` of a data dump (`salvage export --format jsonl|sqlite`): the dump's bytes
 * against the size and SHA-256 its manifest (`FILE.manifest.json`) records, and against the
 * `sha256sum` line of `FILE.sha256`. A dump cut short, edited or replaced is found; so is a
 * manifest or checksum file that is gone or disagrees.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { hashFile, type IntegrityFinding } from '../store/index.js';
import { DUMP_FORMAT } from './dump.js';

const MANIFEST_SUFFIX = '.manifest.json';
const SUMS_SUFFIX = '.sha256';
/** A `sha256sum` line: 64 hex digits, a space, a space or `*` (binary mode), the file name. */
const SUM_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

/** The files of a dump named by any of them (the dump, its manifest or its checksum file), or undefined when PATH is none. */
export function dumpFiles(path: string): { dump: string; manifest: string; sums: string } | undefined {
  const bare = (suffix: string): string | undefined =>
    path.endsWith(suffix) ? path.slice(0, -suffix.length) : undefined;
  const ofSums = bare(SUMS_SUFFIX);
  const dump =
    bare(MANIFEST_SUFFIX) ??
    (ofSums !== undefined && (existsSync(ofSums) || existsSync(ofSums + MANIFEST_SUFFIX)) ? ofSums : path);
  const files = { dump, manifest: dump + MANIFEST_SUFFIX, sums: dump + SUMS_SUFFIX };
  return existsSync(files.manifest) || existsSync(files.sums) ? files : undefined;
}

export interface DumpCheckSummary {
  /** The dump's file name. */
  dump: string;
  /** Its size and SHA-256 as read now (undefined when it is missing). */
  bytes?: number;
  sha256?: string;
  /** What the manifest records, when it could be read. */
  recorded?: { bytes: number; sha256: string; articles: number | undefined };
}

interface DumpManifest {
  format?: unknown;
  dump?: { file?: unknown; bytes?: unknown; sha256?: unknown };
  articles?: unknown;
}

/**
 * Check a dump named by `path` (the dump, `FILE.manifest.json` or `FILE.sha256`; see
 * {@link dumpFiles}). Findings (`dump`): `file-missing`, `manifest-missing`, `checksum-missing`,
 * `manifest-invalid` (not a salvage dump manifest), `size` (a dump cut short or grown),
 * `sha256`, `checksum-file` (FILE.sha256 names another digest or file).
 */
export async function checkDump(
  path: string,
  onFinding: (finding: IntegrityFinding) => void,
): Promise<DumpCheckSummary> {
  const files = dumpFiles(path) ?? { dump: path, manifest: path + MANIFEST_SUFFIX, sums: path + SUMS_SUFFIX };
  const name = basename(files.dump);
  const find = (problem: IntegrityFinding['problem'], code: string, file: string, message: string): void =>
    onFinding({ problem, check: 'dump', code, path: basename(file), message: `${basename(file)}: ${message}` });
  const summary: DumpCheckSummary = { dump: name };

  if (!existsSync(files.manifest))
    find(
      'missing',
      'manifest-missing',
      files.manifest,
      'the dump manifest is missing (salvage export writes it beside the dump)',
    );
  else {
    let manifest: DumpManifest | undefined;
    try {
      manifest = JSON.parse(readFileSync(files.manifest, 'utf8')) as DumpManifest;
    } catch (error) {
      find('altered', 'manifest-invalid', files.manifest, `is not JSON (${(error as Error).message})`);
    }
    if (manifest !== undefined) {
      const d = manifest.dump;
      if (
        manifest.format !== DUMP_FORMAT ||
        typeof d?.bytes !== 'number' ||
        typeof d.sha256 !== 'string' ||
        !/^[0-9a-f]{64}$/.test(d.sha256)
      )
        find(
          'altered',
          'manifest-invalid',
          files.manifest,
          `is not a salvage dump manifest (format "${DUMP_FORMAT}" with dump.bytes and dump.sha256)`,
        );
      else {
        summary.recorded = {
          bytes: d.bytes,
          sha256: d.sha256,
          articles: typeof manifest.articles === 'number' ? manifest.articles : undefined,
        };
        if (typeof d.file === 'string' && d.file !== name)
          find('notice', 'renamed', files.manifest, `records the dump as ${d.file}; it is checked as ${name}`);
      }
    }
  }

  if (!existsSync(files.dump) || !statSync(files.dump).isFile()) {
    find('missing', 'file-missing', files.dump, 'the dump is missing');
  } else {
    const { bytes, digests } = await hashFile(files.dump);
    const sha256 = digests['sha256']!; // the default algorithm
    summary.bytes = bytes;
    summary.sha256 = sha256;
    const recorded = summary.recorded;
    if (recorded !== undefined && bytes !== recorded.bytes)
      find(
        'altered',
        'size',
        files.dump,
        bytes < recorded.bytes
          ? `is ${bytes} bytes, ${recorded.bytes - bytes} fewer than the ${recorded.bytes} its manifest records: cut short`
          : `is ${bytes} bytes, ${bytes - recorded.bytes} more than the ${recorded.bytes} its manifest records`,
      );
    if (recorded !== undefined && sha256 !== recorded.sha256)
      find('altered', 'sha256', files.dump, `has SHA-256 ${sha256}; its manifest records ${recorded.sha256}`);
  }

  if (!existsSync(files.sums))
    find(
      'missing',
      'checksum-missing',
      files.sums,
      'the checksum file is missing (salvage export writes it beside the dump)',
    );
  else {
    const lines = readFileSync(files.sums, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    const line = lines.map((l) => SUM_LINE.exec(l)).find((m) => m?.[2] === name);
    const stated = line?.[1]?.toLowerCase();
    const expected = summary.recorded?.sha256 ?? summary.sha256;
    if (stated === undefined) find('altered', 'checksum-file', files.sums, `has no sha256sum line for ${name}`);
    else if (expected !== undefined && stated !== expected)
      find(
        'altered',
        'checksum-file',
        files.sums,
        `says ${stated}; ${summary.recorded ? 'the manifest records' : 'the dump has'} ${expected}`,
      );
  }
  return summary;
}
