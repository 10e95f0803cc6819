/** Worker thread of export-site: the static search index (site-index.ts), built while the main thread renders pages. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildSiteIndex, workerError, type SiteIndexJob, type SiteIndexMessage } from './site-index.js';

const post = (m: SiteIndexMessage): void => parentPort?.postMessage(m);
try {
  post({ result: buildSiteIndex(workerData as SiteIndexJob, (progress) => post({ progress })) });
} catch (error) {
  post(workerError(error));
}
