/** Loading a static site's index files from disk (Node: tests, the benchmark), counting bytes. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexLoader } from './client/search-core.js';

/** An {@link IndexLoader} over `SITE/search-index/` on disk that counts files and bytes loaded. */
export interface CountingLoader extends IndexLoader {
  files: number;
  bytes: number;
}

/** Read index files from `indexDir`; a missing file is `undefined` (as a 404 is in the browser). */
export function fileLoader(indexDir: string): CountingLoader {
  const loader: CountingLoader = {
    files: 0,
    bytes: 0,
    async load(path: string): Promise<Uint8Array | undefined> {
      try {
        const data = await readFile(join(indexDir, ...path.split('/')));
        loader.files++;
        loader.bytes += data.length;
        return new Uint8Array(data.buffer, data.byteOffset, data.length);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
  return loader;
}
