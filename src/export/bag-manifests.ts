/**
 * A bag's manifests (RFC 8493 §2.1.3, §2.2.1): every payload file hashed once under every
 * algorithm, its lines written as the walk meets it (bounded memory at any size), then the tag
 * manifests over the tag files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile } from './file-hash.js';
import {
  BAG_ALGORITHMS,
  LineFile,
  PAYLOAD_DIR,
  manifestFile,
  manifestLine,
  tagManifestFile,
  walkFiles,
} from './bagit.js';

/** Progress is told every this many files. */
const PROGRESS_EVERY = 1000;

/**
 * Write `manifest-<algorithm>.txt` in `bagDir` for every file under `bagDir/data`, in the walk's
 * byte order of paths. Returns the payload's files and bytes (Payload-Oxum).
 */
export async function writePayloadManifests(
  bagDir: string,
  onProgress: (files: number, bytes: number) => void,
): Promise<{ files: number; bytes: number }> {
  const manifests = BAG_ALGORITHMS.map((a) => ({ algorithm: a, file: new LineFile(join(bagDir, manifestFile(a))) }));
  let files = 0;
  let bytes = 0;
  try {
    // One file at a time: reading ahead through fs/promises was slower (file-hash.ts, measured).
    for (const rel of walkFiles(join(bagDir, PAYLOAD_DIR))) {
      const path = `${PAYLOAD_DIR}/${rel}`;
      const d = await hashFile(join(bagDir, path), BAG_ALGORITHMS);
      for (const m of manifests) m.file.write(manifestLine(d.digests[m.algorithm], path));
      files++;
      bytes += d.bytes;
      if (files % PROGRESS_EVERY === 0) onProgress(files, bytes);
    }
  } finally {
    for (const m of manifests) m.file.close();
  }
  onProgress(files, bytes);
  return { files, bytes };
}

/**
 * Write `tagmanifest-<algorithm>.txt` over every tag file of `bagDir` (every file outside `data/`
 * but the tag manifests themselves): the declaration, bag-info and the payload manifests.
 */
export async function writeTagManifests(bagDir: string): Promise<void> {
  const tagManifests = new Set(BAG_ALGORITHMS.map(tagManifestFile));
  const tagFiles = readdirSync(bagDir, { withFileTypes: true })
    .filter((e) => e.isFile() && !tagManifests.has(e.name))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const digests = await Promise.all(tagFiles.map((name) => hashFile(join(bagDir, name), BAG_ALGORITHMS)));
  for (const algorithm of BAG_ALGORITHMS) {
    const file = new LineFile(join(bagDir, tagManifestFile(algorithm)));
    try {
      tagFiles.forEach((name, i) => file.write(manifestLine(digests[i]!.digests[algorithm], name)));
    } finally {
      file.close();
    }
  }
}
