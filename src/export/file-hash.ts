/** Digests of a file, read once however many algorithms: the dump's manifest and the bag's manifests. */
import { hashFile as hashFileOnce } from '../store/index.js';

/** The digest algorithms salvage writes (Node's names, which are also BagIt's: RFC 8493 §2.4). */
export type DigestAlgorithm = 'sha256' | 'sha512';

export interface FileDigests<A extends DigestAlgorithm = DigestAlgorithm> {
  /** Lower-case hex digest by algorithm. */
  digests: Record<A, string>;
  bytes: number;
}

/** Digests of the file at `path` under each of `algorithms`, in one read (store's `hashFile`, typed by algorithm). */
export async function hashFile<A extends DigestAlgorithm>(
  path: string,
  algorithms: readonly A[],
): Promise<FileDigests<A>> {
  const { bytes, digests } = await hashFileOnce(path, algorithms);
  return { bytes, digests }; // one digest per algorithm asked
}
