/**
 * `salvage verify` of a BagIt bag, read from RFC 8493 (BagIt 1.0) alone: the bag declaration
 * (`bagit.txt`, §2.1.1), every payload manifest (`manifest-<alg>.txt`, §2.1.3) and tag manifest
 * (`tagmanifest-<alg>.txt`, §2.2.1) with every checksum recomputed, completeness (§3: every
 * payload file in every payload manifest, every listed file present), `Payload-Oxum` of
 * `bag-info.txt` (§2.2.2), and `fetch.txt` (§2.2.3: its files are not fetched; said so).
 *
 * Manifests of a bag of millions of files do not fit comfortably in memory and are in no order,
 * so their lines go into a temporary SQLite database (outside the bag) and are matched there
 * against the files found, which are hashed one at a time as the payload folder is walked.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DIGEST_ALGORITHMS, hashFile, type IntegrityFinding } from '../store/index.js';

const PAYLOAD_MANIFEST = /^manifest-([a-z0-9]+)\.txt$/;
const TAG_MANIFEST = /^tagmanifest-([a-z0-9]+)\.txt$/;
/** §2.1.3: `checksum` (hex, either case), one or more spaces or tabs, `filepath`. */
const MANIFEST_LINE = /^([0-9A-Fa-f]+)[ \t]+(.+)$/;
/** §2.1.3: only LF, CR and `%` are percent-encoded in a filepath, so only those are decoded. */
const ENCODED = /%(0A|0D|25)/gi;
/** §2.2.2: `Payload-Oxum: <octet count>.<stream count>`. */
const OXUM = /^(\d+)\.(\d+)$/;
/** Manifest lines written to the database per transaction. */
const INSERT_BATCH = 10_000;
/** Files hashed between two progress calls. */
const PROGRESS_FILES = 1000;

export interface BagCheckSummary {
  version: string | undefined;
  payloadAlgorithms: string[];
  tagAlgorithms: string[];
  /** Payload files found, and their bytes (what Payload-Oxum counts). */
  payloadFiles: number;
  payloadBytes: number;
  /** Checksums recomputed and compared (payload and tag manifests). */
  checksums: number;
  /** Entries of fetch.txt (not fetched). */
  fetchEntries: number;
}

/** Whether `dir` holds a bag declaration (what makes a folder a bag). */
export const isBag = (dir: string): boolean => existsSync(join(dir, 'bagit.txt'));

/** A tag file's lines (the declared encoding is UTF-8 for bags salvage reads; a BOM is dropped). */
function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/);
}

/** Why a manifest's filepath may not be used (§2.1.3, §6.2: no file outside the bag), or undefined. */
function unsafePath(path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'an absolute path';
  if (path.split('/').some((s) => s === '..')) return 'a path with ".."';
  if (path.includes('\0')) return 'a path with a NUL character';
  return undefined;
}

/** `./data/x` and `data//x` are `data/x`. */
const normalize = (path: string): string =>
  path
    .replace(/^(?:\.\/)+/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');

/** Every file under `dir`, as `/`-separated paths relative to `base`, one folder listed at a time; links and other odd entries as `odd`. */
function* walk(base: string, rel: string): Generator<{ file: string; bytes: number } | { odd: string }> {
  for (const name of readdirSync(join(base, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const stat = lstatSync(join(base, path));
    if (stat.isDirectory()) yield* walk(base, path);
    else if (stat.isFile()) yield { file: path, bytes: stat.size };
    else yield { odd: path };
  }
}

/**
 * Check the bag in `dir` (see the module doc). Findings (`bag`): `declaration` (bagit.txt
 * missing or not two lines of version and encoding), `no-manifest`, `manifest-line` (a line
 * that is not `checksum filepath`, a path outside the payload or the bag, a path listed twice),
 * `file-missing`, `checksum` (a file whose bytes are not its checksum), `extra-file` (a payload
 * file in no manifest), `manifest-incomplete` (in some payload manifests, not all),
 * `payload-oxum`; notices `fetch-unsupported`, `not-fetched`, `algorithm-unsupported`,
 * `tag-unlisted`, `no-payload-oxum`, `odd-entry`.
 */
export async function checkBag(
  dir: string,
  onFinding: (finding: IntegrityFinding) => void,
  onProgress?: (filesHashed: number) => void,
): Promise<BagCheckSummary> {
  const find = (problem: IntegrityFinding['problem'], code: string, path: string, message: string): void =>
    onFinding({ problem, check: 'bag', code, path, message: `${path}: ${message}` });
  const summary: BagCheckSummary = {
    version: undefined,
    payloadAlgorithms: [],
    tagAlgorithms: [],
    payloadFiles: 0,
    payloadBytes: 0,
    checksums: 0,
    fetchEntries: 0,
  };

  // §2.1.1: exactly two lines, `BagIt-Version: M.N` and `Tag-File-Character-Encoding: ENCODING`.
  if (!existsSync(join(dir, 'bagit.txt')))
    find('missing', 'declaration', 'bagit.txt', 'the bag declaration is missing');
  else {
    const declared = lines(join(dir, 'bagit.txt')).filter((l, i, all) => l !== '' || i < all.length - 1);
    const version = /^BagIt-Version: (\d+\.\d+)$/.exec(declared[0] ?? '')?.[1];
    const encoding = /^Tag-File-Character-Encoding: (\S+)$/.exec(declared[1] ?? '')?.[1];
    summary.version = version;
    if (declared.length !== 2 || version === undefined || encoding === undefined)
      find(
        'altered',
        'declaration',
        'bagit.txt',
        'is not the two lines "BagIt-Version: M.N" and "Tag-File-Character-Encoding: ENCODING" (RFC 8493 §2.1.1)',
      );
    else if (encoding.toUpperCase() !== 'UTF-8')
      find('notice', 'declaration', 'bagit.txt', `declares tag files in ${encoding}; they are read as UTF-8`);
  }

  const top = readdirSync(dir);
  const manifests = (re: RegExp): { name: string; label: string; algorithm: string | undefined }[] =>
    top
      .filter((n) => re.test(n))
      .sort()
      .map((name) => {
        const label = re.exec(name)![1]!; // filtered by the same pattern
        return {
          name,
          label,
          algorithm: DIGEST_ALGORITHMS[label] /* §2.4: the lower-case name, non-alphanumerics removed */,
        };
      });
  const payloadManifests = manifests(PAYLOAD_MANIFEST);
  const tagManifests = manifests(TAG_MANIFEST);
  for (const m of [...payloadManifests, ...tagManifests].filter((m) => m.algorithm === undefined))
    find(
      'notice',
      'algorithm-unsupported',
      m.name,
      `algorithm ${m.label} is not one this salvage computes (md5, sha1, sha224, sha256, sha384, sha512): not checked`,
    );
  const payloadAlgs = payloadManifests.filter((m) => m.algorithm !== undefined);
  const tagAlgs = tagManifests.filter((m) => m.algorithm !== undefined);
  summary.payloadAlgorithms = payloadAlgs.map((m) => m.label);
  summary.tagAlgorithms = tagAlgs.map((m) => m.label);
  if (payloadManifests.length === 0)
    find(
      'missing',
      'no-manifest',
      'manifest-<alg>.txt',
      'the bag has no payload manifest (RFC 8493 §2.1.3: at least one)',
    );

  const scratch = mkdtempSync(join(tmpdir(), 'salvage-verify-bag-'));
  const db = new Database(join(scratch, 'bag.sqlite'));
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(`
      CREATE TABLE entries (manifest TEXT NOT NULL, alg TEXT NOT NULL, path TEXT NOT NULL, checksum TEXT NOT NULL, tag INTEGER NOT NULL, PRIMARY KEY (manifest, path)) WITHOUT ROWID;
      CREATE INDEX entries_by_path ON entries (path);
      CREATE TABLE files (path TEXT PRIMARY KEY, tag INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE fetch (path TEXT PRIMARY KEY) WITHOUT ROWID;`);
    const insert = db.prepare(
      'INSERT OR IGNORE INTO entries (manifest, alg, path, checksum, tag) VALUES (?, ?, ?, ?, ?)',
    );
    const listedAs = db
      .prepare<[string, string], string>('SELECT checksum FROM entries WHERE manifest = ? AND path = ?')
      .pluck();
    // Manifests of an algorithm not computed here are read too (alg ''): their files are listed, not extra.
    for (const m of [...payloadManifests, ...tagManifests]) {
      const tag = m.name.startsWith('tag');
      const batch: [string, string, string, string, number][] = [];
      const flush = db.transaction(() => {
        for (const row of batch) {
          if (insert.run(...row).changes > 0) continue;
          const same = listedAs.get(m.name, row[2]) === row[3];
          find(
            same ? 'notice' : 'altered',
            'manifest-line',
            m.name,
            `lists ${row[2]} more than once${same ? ' (with the same checksum)' : ', with different checksums'}`,
          );
        }
        batch.length = 0;
      });
      lines(join(dir, m.name)).forEach((line, i) => {
        if (line.trim() === '') return;
        const parsed = MANIFEST_LINE.exec(line);
        const path = parsed ? normalize(parsed[2]!.replace(ENCODED, (e) => decodeURIComponent(e))) : undefined;
        const why =
          parsed === null || path === undefined
            ? 'is not "checksum filepath"'
            : (unsafePath(path) ??
              (tag === path.startsWith('data/')
                ? tag
                  ? 'lists a payload file in a tag manifest'
                  : 'lists a file outside data/ in a payload manifest'
                : undefined));
        if (why !== undefined)
          return find(
            'altered',
            'manifest-line',
            m.name,
            `line ${i + 1} ${why.startsWith('is') || why.startsWith('lists') ? why : `has ${why}`}`,
          );
        batch.push([m.name, m.algorithm ?? '', path!, parsed![1]!.toLowerCase(), tag ? 1 : 0]); // parsed and path are set when why is undefined
        if (batch.length >= INSERT_BATCH) flush();
      });
      flush();
    }

    // §2.2.3: files a fetch.txt lists are part of the bag once fetched; this check fetches nothing.
    if (existsSync(join(dir, 'fetch.txt'))) {
      const entries = lines(join(dir, 'fetch.txt')).filter((l) => l.trim() !== '');
      summary.fetchEntries = entries.length;
      const add = db.prepare('INSERT OR IGNORE INTO fetch (path) VALUES (?)');
      db.transaction(() => {
        for (const e of entries) {
          const path = /^\S+[ \t]+(?:\d+|-)[ \t]+(.+)$/.exec(e)?.[1];
          if (path !== undefined) add.run(normalize(path.replace(ENCODED, (x) => decodeURIComponent(x))));
        }
      })();
      if (entries.length > 0)
        find(
          'notice',
          'fetch-unsupported',
          'fetch.txt',
          `lists ${entries.length} files to fetch; salvage verify fetches nothing: those present are checked, those absent are said as not fetched`,
        );
    }

    const entriesOf = db.prepare<[string], { manifest: string; alg: string; checksum: string }>(
      'SELECT manifest, alg, checksum FROM entries WHERE path = ?',
    );
    const addFile = db.prepare('INSERT OR IGNORE INTO files (path, tag) VALUES (?, ?)');
    let hashed = 0;
    const checkFile = async (path: string, tag: boolean): Promise<void> => {
      addFile.run(path, tag ? 1 : 0);
      const listed = entriesOf.all(path);
      if (!tag) {
        if (listed.length === 0 && payloadManifests.length > 0)
          find('extra', 'extra-file', path, 'is in the payload and in no payload manifest');
        else
          for (const m of payloadManifests.filter((m) => !listed.some((l) => l.manifest === m.name)))
            find(
              'altered',
              'manifest-incomplete',
              m.name,
              `does not list ${path}, which other payload manifests list (RFC 8493 §3: every payload file in every payload manifest)`,
            );
      }
      const computed = listed.filter((l) => l.alg !== '');
      if (computed.length === 0) return;
      let got;
      try {
        got = await hashFile(join(dir, path), [...new Set(computed.map((l) => l.alg))]);
      } catch (error) {
        return find('altered', 'unreadable', path, `cannot be read: ${(error as Error).message}`);
      }
      for (const l of computed) {
        summary.checksums++;
        if (got.digests[l.alg] !== l.checksum)
          find(
            'altered',
            'checksum',
            path,
            `its ${l.manifest.replace(/\.txt$/, '').replace(/^(?:tag)?manifest-/, '')} is ${got.digests[l.alg]}; ${l.manifest} says ${l.checksum}`,
          );
      }
      if (++hashed % PROGRESS_FILES === 0) onProgress?.(hashed);
    };

    if (existsSync(join(dir, 'data')))
      for (const entry of walk(dir, 'data')) {
        if ('odd' in entry) {
          find('notice', 'odd-entry', entry.odd, 'is not a regular file (a link, a socket…): not checked');
          continue;
        }
        summary.payloadFiles++;
        summary.payloadBytes += entry.bytes;
        await checkFile(entry.file, false);
      }
    else find('missing', 'file-missing', 'data', 'the payload folder is missing');
    const manifestNames = new Set(tagManifests.map((m) => m.name));
    for (const name of top.sort()) {
      if (name === 'data') continue;
      for (const entry of lstatSync(join(dir, name)).isDirectory() ? walk(dir, name) : [{ file: name, bytes: 0 }]) {
        if ('odd' in entry) continue;
        const listed = entriesOf.all(entry.file).length > 0;
        // Tag manifests SHOULD list every tag file but themselves (§2.2.1).
        if (!listed && tagAlgs.length > 0 && !manifestNames.has(entry.file))
          find('notice', 'tag-unlisted', entry.file, 'is a tag file no tag manifest lists: not checked');
        await checkFile(entry.file, true);
      }
    }
    onProgress?.(hashed);

    // Listed and absent: missing, unless fetch.txt says where to get it.
    for (const row of db
      .prepare<[], { path: string; manifests: string; fetched: number }>(
        `SELECT e.path, group_concat(e.manifest, ', ') AS manifests, max(f.path IS NOT NULL) AS fetched
         FROM entries e LEFT JOIN fetch f ON f.path = e.path WHERE NOT EXISTS (SELECT 1 FROM files x WHERE x.path = e.path)
         GROUP BY e.path ORDER BY e.path`,
      )
      .iterate())
      if (row.fetched)
        find(
          'notice',
          'not-fetched',
          row.path,
          `is listed in fetch.txt and not present (not fetched): ${row.manifests} not checked for it`,
        );
      else find('missing', 'file-missing', row.path, `is listed in ${row.manifests} and missing`);
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }

  // §2.2.2: Payload-Oxum is the payload's octet count and file count.
  if (!existsSync(join(dir, 'bag-info.txt')))
    find('notice', 'no-payload-oxum', 'bag-info.txt', 'there is no bag-info.txt, so no Payload-Oxum to check');
  else {
    const oxum = bagInfo(join(dir, 'bag-info.txt')).get('payload-oxum');
    const parsed = oxum === undefined ? null : OXUM.exec(oxum);
    if (oxum === undefined) find('notice', 'no-payload-oxum', 'bag-info.txt', 'states no Payload-Oxum');
    else if (parsed === null)
      find('altered', 'payload-oxum', 'bag-info.txt', `Payload-Oxum ${JSON.stringify(oxum)} is not "<octets>.<files>"`);
    else if (Number(parsed[1]) !== summary.payloadBytes || Number(parsed[2]) !== summary.payloadFiles)
      find(
        'altered',
        'payload-oxum',
        'bag-info.txt',
        `Payload-Oxum is ${oxum}; the payload is ${summary.payloadBytes}.${summary.payloadFiles} (${summary.payloadBytes} bytes in ${summary.payloadFiles} files)`,
      );
  }
  return summary;
}

/** `bag-info.txt` (§2.2.2): `Label: value` lines, a line starting with white space continuing the one before; labels in lower case (the first of a repeated label). */
export function bagInfo(path: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines(path)) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      out.set(last, `${out.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const label = line.slice(0, colon).trim().toLowerCase();
    last = out.has(label) ? undefined : label;
    if (last !== undefined) out.set(label, line.slice(colon + 1).trim());
  }
  return out;
}
