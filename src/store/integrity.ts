/**
 * What `salvage verify` finds, in one shape for every stage that checks something (WARC records
 * and media files here, article files in crawl, dumps and bags in export), and the one streaming
 * file hash they share.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';

/**
 * What is wrong: `missing` (expected and not there), `altered` (there, but not the bytes that
 * were recorded: a digest, a size or a record that does not match), `extra` (there, and nothing
 * records it), or `notice` (not damage: something that could not be checked, or that a later run
 * will settle). Stable strings: they appear in `--json` output.
 */
export type IntegrityProblem = 'missing' | 'altered' | 'extra' | 'notice';

/** Which check found it (stable strings, as in `--json` output). */
export type IntegrityCheck =
  /** WARC files and their records: bytes, gzip framing, `WARC-Block-Digest`, `WARC-Payload-Digest`. */
  | 'warc'
  /** A (file, offset, length) the crawl state or the media index names. */
  | 'warc-place'
  /** The crawl state or the media index itself (SQLite integrity, readable). */
  | 'database'
  | 'article'
  | 'media'
  | 'coverage'
  | 'dump'
  | 'bag'
  | 'wacz';

export interface IntegrityFinding {
  problem: IntegrityProblem;
  check: IntegrityCheck;
  /** A short stable name of the finding (`block-digest`, `file-missing`, `rebuild-differs` …). */
  code: string;
  /** The file, relative to the folder (or file) verified, `/`-separated. */
  path: string;
  /** Byte offset in `path`, for a WARC record or damaged stretch. */
  offset?: number;
  /** The article the finding is about, if any. */
  articleId?: number;
  /** One line for a person: what is wrong and, where it helps, what to do. */
  message: string;
}

/** Whether a finding is damage (the exit code of `salvage verify` says so), not a notice. */
export const isDamage = (f: IntegrityFinding): boolean => f.problem !== 'notice';

/**
 * Size and digests of a file, read once as a stream (bounded memory for any size). `algorithms`
 * are Node crypto names (`sha256`, `sha512`, `sha1`, `md5`); digests come back in hex.
 * Rejects with the file system's error (ENOENT …) for the caller to report.
 */
export async function hashFile(
  path: string,
  algorithms: readonly string[] = ['sha256'],
): Promise<{ bytes: number; digests: Record<string, string> }> {
  const hashes = algorithms.map((a) => [a, createHash(a)] as const);
  const done = (bytes: number): { bytes: number; digests: Record<string, string> } => ({
    bytes,
    digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])),
  });
  // A small file (an image, an article) in one synchronous read: a stream allocates its whole
  // read buffer per file, and fs/promises pays its thread pool per file (hashing the 102,211
  // files of a bag of hkcnews under SHA-256 and SHA-512 took 5.6 s of CPU read synchronously,
  // 17.6 s through fs/promises; 2026-12-07).
  if (statSync(path).size <= HASH_READ_BYTES) {
    const whole = readFileSync(path);
    for (const [, h] of hashes) h.update(whole);
    return done(whole.length);
  }
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_READ_BYTES }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (const [, h] of hashes) h.update(chunk);
  }
  return done(bytes);
}

/**
 * Read size of hashFile: large reads halve the syscalls of the 64 KiB default on multi-GB files,
 * and files up to this size are read at once (53,088 images of 16 KB took 110 s streamed with
 * 1 MiB buffers, 2026-12-07).
 */
const HASH_READ_BYTES = 1024 * 1024;
