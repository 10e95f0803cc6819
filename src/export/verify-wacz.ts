/**
 * `salvage verify` of a WACZ file (WACZ 1.1.1: a ZIP whose `datapackage.json` lists every other
 * file with its `path`, `bytes` and `hash`, and whose optional `datapackage-digest.json` holds
 * the hash of `datapackage.json`): every entry is streamed out of the ZIP (yauzl: central
 * directory, ZIP64) and its CRC-32 recomputed, every listed resource held to its size and hash,
 * and an entry the data package does not list is extra (the spec: additional files MUST be
 * listed). Memory stays bounded: entries are read one at a time as streams.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { labelledAlgorithm, matchesLabelledDigest, type IntegrityFinding } from '../store/index.js';

const DATAPACKAGE = 'datapackage.json';
const DATAPACKAGE_DIGEST = 'datapackage-digest.json';
/** A datapackage.json is read into memory whole; a real one is a few KB per resource. */
const MAX_DATAPACKAGE_BYTES = 64 * 1024 * 1024;
/** Entries streamed between two progress calls. */
const PROGRESS_ENTRIES = 10;

export interface WaczCheckSummary {
  /** `wacz_version` of datapackage.json, if it says. */
  version: string | undefined;
  entries: number;
  /** Resources datapackage.json lists, and how many of them matched their size and hash. */
  resources: number;
  resourcesIntact: number;
  /** Uncompressed bytes read. */
  bytes: number;
}

interface Resource {
  path: string;
  hash: string | undefined;
  bytes: number | undefined;
}

/** Whether `path` is a WACZ by its name (the spec: a WACZ MUST use the extension `.wacz`). */
export const isWacz = (path: string): boolean => /\.wacz$/i.test(path);

/**
 * Check the WACZ at `path`. Findings (`wacz`): `unreadable` (not a ZIP, a damaged central
 * directory or entry), `entry-crc` (an entry's bytes are not its CRC-32), `datapackage` (missing
 * or not a data package), `datapackage-digest` (its hash of datapackage.json does not match),
 * `file-missing` (a listed resource is not in the ZIP), `size`, `hash`, `extra-file`; notice
 * `hash-unsupported`.
 */
export async function checkWacz(
  path: string,
  onFinding: (finding: IntegrityFinding) => void,
  onProgress?: (entries: number) => void,
): Promise<WaczCheckSummary> {
  const find = (problem: IntegrityFinding['problem'], code: string, entry: string, message: string): void =>
    onFinding({ problem, check: 'wacz', code, path: entry, message: `${entry}: ${message}` });
  const summary: WaczCheckSummary = { version: undefined, entries: 0, resources: 0, resourcesIntact: 0, bytes: 0 };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: true });
  } catch (error) {
    find('altered', 'unreadable', '.', `not a readable ZIP file (${(error as Error).message})`);
    return summary;
  }
  try {
    const entries = await listEntries(zip);
    const byName = new Map(entries.map((e) => [e.fileName, e]));
    summary.entries = entries.length;

    /** An entry's bytes streamed once: its CRC-32 checked, digests of `algorithms` (Node names) returned, or undefined when it could not be read. */
    const read = async (entry: yauzl.Entry, algorithms: readonly string[], keep = false) => {
      try {
        const stream = await zip.openReadStreamPromise(entry);
        const hashes = algorithms.map((a) => [a, createHash(a)] as const);
        const kept: Buffer[] = [];
        let crc = 0;
        let bytes = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          crc = crc32(chunk, crc);
          bytes += chunk.length;
          for (const [, h] of hashes) h.update(chunk);
          if (keep && bytes <= MAX_DATAPACKAGE_BYTES) kept.push(chunk);
        }
        summary.bytes += bytes;
        if (crc >>> 0 !== entry.crc32 >>> 0)
          find('altered', 'entry-crc', entry.fileName, `its bytes do not match the CRC-32 the ZIP records for it`);
        return {
          bytes,
          digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest()])),
          content: Buffer.concat(kept),
        };
      } catch (error) {
        find('altered', 'unreadable', entry.fileName, `cannot be read from the ZIP (${(error as Error).message})`);
        return undefined;
      }
    };

    const packageEntry = byName.get(DATAPACKAGE);
    if (packageEntry === undefined) {
      find(
        'missing',
        'datapackage',
        DATAPACKAGE,
        'the WACZ has no datapackage.json (WACZ 1.1.1: it MUST be present at the root)',
      );
      return summary;
    }
    const pkg = await read(packageEntry, ['sha256'], true);
    let resources: Resource[] = [];
    if (pkg !== undefined) {
      try {
        const json = JSON.parse(pkg.content.toString('utf8')) as { wacz_version?: unknown; resources?: unknown };
        summary.version = typeof json.wacz_version === 'string' ? json.wacz_version : undefined;
        if (!Array.isArray(json.resources)) throw new Error('no "resources" list');
        resources = (json.resources as { path?: unknown; hash?: unknown; bytes?: unknown }[]).map((r) => ({
          path: typeof r.path === 'string' ? r.path : '',
          hash: typeof r.hash === 'string' ? r.hash : undefined,
          bytes: typeof r.bytes === 'number' ? r.bytes : undefined,
        }));
      } catch (error) {
        find('altered', 'datapackage', DATAPACKAGE, `is not a data package (${(error as Error).message})`);
      }
      const digestEntry = byName.get(DATAPACKAGE_DIGEST);
      const digest = digestEntry && (await read(digestEntry, [], true));
      if (digest !== undefined && digest !== null) {
        let stated: unknown;
        try {
          stated = (JSON.parse(digest.content.toString('utf8')) as { hash?: unknown }).hash;
        } catch {
          stated = undefined;
        }
        if (typeof stated !== 'string' || !matchesLabelledDigest(stated, { sha256: pkg.digests['sha256']! }))
          find(
            'altered',
            'datapackage-digest',
            DATAPACKAGE_DIGEST,
            `its hash of datapackage.json (${String(stated)}) does not match datapackage.json`,
          );
      }
    }

    summary.resources = resources.length;
    const listed = new Set(resources.map((r) => r.path));
    for (const r of resources) {
      const entry = byName.get(r.path);
      if (entry === undefined) {
        find('missing', 'file-missing', r.path || '(no path)', 'listed in datapackage.json and not in the ZIP');
        continue;
      }
      const algorithm = r.hash === undefined ? undefined : labelledAlgorithm(r.hash);
      if (r.hash !== undefined && algorithm === undefined)
        find(
          'notice',
          'hash-unsupported',
          r.path,
          `its hash ${r.hash} is of an algorithm this salvage does not compute: not checked`,
        );
      const got = await read(entry, algorithm === undefined ? [] : [algorithm]);
      if (got === undefined) continue;
      let intact = true;
      if (r.bytes !== undefined && got.bytes !== r.bytes) {
        intact = false;
        find('altered', 'size', r.path, `is ${got.bytes} bytes; datapackage.json says ${r.bytes}`);
      }
      if (algorithm !== undefined && !matchesLabelledDigest(r.hash!, got.digests)) {
        intact = false;
        find('altered', 'hash', r.path, `does not match its hash in datapackage.json (${r.hash})`);
      }
      if (intact) summary.resourcesIntact++;
      if (summary.resourcesIntact % PROGRESS_ENTRIES === 0) onProgress?.(summary.resourcesIntact);
    }
    for (const entry of entries) {
      if (entry.fileName === DATAPACKAGE || entry.fileName === DATAPACKAGE_DIGEST || listed.has(entry.fileName))
        continue;
      if (entry.fileName.endsWith('/') && entry.uncompressedSize === 0) continue; // a folder entry
      find('extra', 'extra-file', entry.fileName, 'is in the ZIP and not listed in datapackage.json');
      await read(entry, []);
    }
    onProgress?.(summary.resourcesIntact);
  } finally {
    zip.close();
  }
  return summary;
}

/** Every entry of the central directory, in order (the entries of a WACZ are few: its WARCs, indexes and pages). */
function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      out.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}
