/**
 * The least `--max-files` a compact export of an archive accepts, as its refusal of a limit of one
 * file says (site.ts planCompact): the export that puts every page it can in page data.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { exportSite } from '../../src/export/index.js';
import type { SalvageError } from '../../src/errors.js';

export async function leastCompactFiles(dir: string, scratch: string): Promise<number> {
  const refusal = await exportSite(dir, { out: scratch, compact: { maxFiles: 1 } }).then(
    () => assert.fail('a limit of one file was accepted'),
    (error: unknown) => error as SalvageError,
  );
  assert.equal(refusal.code, 'INPUT_INVALID');
  const least = /need at least (\d+) files/.exec(refusal.message)?.[1];
  assert.ok(least !== undefined, refusal.message);
  assert.ok(!existsSync(scratch), 'nothing is left of a refused export');
  return Number(least);
}
