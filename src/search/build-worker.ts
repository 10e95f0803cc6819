/** A build worker: prepares the archive files it is sent (prepare.ts) and posts them back. */
import { parentPort } from 'node:worker_threads';
import { prepareFile, type ArchiveFileRef } from './prepare.js';

parentPort?.on('message', ({ dir, refs }: { dir: string; refs: ArchiveFileRef[] }) => {
  parentPort?.postMessage(refs.map((ref) => prepareFile(dir, ref)));
});
