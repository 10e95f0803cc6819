/**
 * `salvage verify PATH`: what PATH is (an archive folder, a BagIt bag, a data dump, a WARC
 * file), the checks that kind takes, and one report of what they found. Nothing it reads is
 * written: databases are opened read-only, and a bag's scratch index lives in the system's
 * temporary folder.
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { CAPTURES_DIR, STATE_FILE } from '../crawl/index.js';
import { checkBag, checkDump, checkWacz, dumpFiles, isBag, isWacz } from '../export/index.js';
import { checkWarcFile, isDamage, MEDIA_DIR, type IntegrityFinding } from '../store/index.js';
import { SalvageError } from '../errors.js';
import { verifyArchive } from './archive.js';
import { DEFAULT_VERIFY_OPTIONS, type VerifyOptions, type VerifyReport, type VerifyTarget } from './report.js';

/** A WARC or ARC file, by name. */
const WARC_FILE = /\.(?:warc|arc)(?:\.gz)?$/i;

/**
 * What PATH is, by what it holds: a folder with `bagit.txt` is a bag; one with `articles/`,
 * `captures/`, `state.sqlite` or `media/` an archive folder; a file with a dump manifest or
 * checksum file beside it (or one of those) a dump; a `.wacz` a WACZ; a `.warc`/`.warc.gz`/`.arc`/`.arc.gz` a WARC.
 * Throws INPUT_UNREADABLE when PATH does not exist, INPUT_INVALID when it is none of them.
 */
export function verifyTargetOf(path: string): VerifyTarget {
  if (!existsSync(path)) throw new SalvageError('INPUT_UNREADABLE', `${path} does not exist`, { subject: path });
  if (statSync(path).isDirectory()) {
    if (isBag(path)) return 'bag';
    if (['articles', CAPTURES_DIR, STATE_FILE, MEDIA_DIR].some((n) => existsSync(`${path}/${n}`))) return 'archive';
  } else {
    if (isWacz(path)) return 'wacz';
    if (dumpFiles(path) !== undefined) return 'dump';
    if (WARC_FILE.test(path)) return 'warc';
  }
  throw new SalvageError(
    'INPUT_INVALID',
    `${path} is not something salvage verify knows: an archive folder (articles/, captures/, state.sqlite), a BagIt bag (bagit.txt), a dump (with FILE.manifest.json or FILE.sha256), a WACZ or a WARC file`,
    { subject: path },
  );
}

/**
 * Verify PATH (see {@link verifyTargetOf}): recompute every digest it stores and report what is
 * missing, altered or extra. Findings stream to `onFinding`; the report counts them. Throws
 * SalvageError for a PATH that cannot be verified at all (INPUT_UNREADABLE, INPUT_INVALID);
 * damage is never thrown, it is found.
 */
export async function verifyPath(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const target = verifyTargetOf(path);
  const report: VerifyReport = {
    path,
    target,
    clean: true,
    findings: { missing: 0, altered: 0, extra: 0, notice: 0 },
    checked: {},
    seconds: 0,
  };
  const find = (finding: IntegrityFinding): void => {
    report.findings[finding.problem]++;
    if (isDamage(finding)) report.clean = false;
    options.onFinding?.(finding);
  };
  const { onProgress } = options;
  if (target === 'archive')
    await verifyArchive(
      path,
      { ...options, rebuild: options.rebuild ?? DEFAULT_VERIFY_OPTIONS.rebuild },
      find,
      report.checked,
      (report.phaseSeconds = {}),
    );
  else if (target === 'bag')
    report.checked.bag = await checkBag(path, find, (done) => onProgress?.({ phase: 'bag', done, unit: 'files' }));
  else if (target === 'dump') report.checked.dump = await checkDump(path, find);
  else if (target === 'wacz')
    report.checked.wacz = await checkWacz(path, find, (done) =>
      onProgress?.({ phase: 'wacz', done, unit: 'resources' }),
    );
  else
    report.checked.warc = await checkWarcFile(path, basename(path), find, (done) =>
      onProgress?.({ phase: 'warc', done, of: statSync(path).size, unit: 'bytes' }),
    );
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
