/** A search thread (search-pool.ts): answers each search message from its own read-only index connection. */
import { parentPort, workerData } from 'node:worker_threads';
import { isSalvageError } from '../errors.js';
import { SearchIndex } from './index-db.js';
import { search } from './query.js';
import type { SearchAnswerMessage, SearchRequestMessage } from './search-pool.js';
import { conversionTables } from './zh-data.js';

const file = (workerData as { file: string }).file;
let index: SearchIndex | undefined;
// Built now, not on the first search: ~60 ms (50,000 phrases) that a reader's first query would wait.
conversionTables();

parentPort?.on('message', ({ id, options }: SearchRequestMessage) => {
  let answer: SearchAnswerMessage;
  try {
    index ??= new SearchIndex(file, { readonly: true });
    answer = { id, response: search(index, options) };
  } catch (error) {
    answer = {
      id,
      error: { ...(isSalvageError(error) ? { code: error.code } : {}), message: (error as Error).message },
    };
  }
  parentPort?.postMessage(answer);
});
