/**
 * A WACZ of an archive folder's captures (`captures/*.warc.gz`), for the replay tests.
 *
 * TEMPORARY (issue 18): until `writeWacz(archiveDir, outFile)` (src/export/wacz.ts) is merged,
 * the WACZ is made by Harvard LIL's js-wacz, an independent implementation of WACZ 1.1.1, run as
 * a development tool through npx (pinned; not a dependency of salvage). After the merge this
 * function's body becomes `await writeWacz(archiveDir, outFile)`; its callers stay as they are.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** js-wacz, pinned: the version the replay tests were written against. */
const JS_WACZ = '@harvard-lil/js-wacz@0.1.6';
/** npx installs js-wacz on first use (from the npm registry), then runs it from its cache. */
const TIMEOUT_MS = 180_000;

export async function makeWacz(archiveDir: string, outFile: string): Promise<void> {
  const args = ['-y', JS_WACZ, 'create', '-f', join(archiveDir, 'captures', '*.warc.gz'), '-o', outFile];
  const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`npx ${args.join(' ')} exited ${String(code)}:\n${output}`);
}
