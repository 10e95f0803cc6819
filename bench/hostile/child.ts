/**
 * One child process of the hostile-input bench: runs inputs `from` ≤ i < `to` of one surface,
 * telling the parent (IPC) when each starts (so it can time it out) and how it went: wall time,
 * peak RSS during the run (VmHWM reset before it), verdict. Started by bench/hostile.bench.ts as
 * `node --import tsx --expose-gc bench/hostile/child.ts SURFACE FROM TO [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSalvageError } from '../../src/errors.js';
import { describe, peakRssMb, resetPeakRss, type ChildMessage, type Env, type Outcome } from './common.js';
import { SURFACES } from './surfaces.js';

const [surfaceName, fromArg, toArg] = process.argv.slice(2);
const surface = SURFACES.find((s) => s.name === surfaceName);
if (!surface || process.send === undefined)
  throw new Error(
    `usage (from the bench only): child.ts SURFACE FROM TO [--quick]; surfaces: ${SURFACES.map((s) => s.name).join(', ')}`,
  );

const send = (message: ChildMessage): Promise<void> => new Promise((ok) => process.send!(message, () => ok()));
const gc = (globalThis as { gc?: () => void }).gc;

const work = mkdtempSync(join(tmpdir(), `salvage-hostile-${surface.name}-`));
const env: Env = { quick: process.argv.includes('--quick'), work };
const inputs = surface.inputs(env);
const from = Number(fromArg);
const to = Math.min(inputs.length, Number(toArg));

try {
  for (let index = from; index < to; index++) {
    const input = inputs[index]!; // from ≤ index < length
    const runner = await input.prepare();
    gc?.();
    resetPeakRss();
    await send({ type: 'start', index, pid: process.pid });
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      outcome = (await runner.run()) ?? { verdict: 'ok' };
    } catch (error) {
      outcome = isSalvageError(error)
        ? { verdict: 'ok', detail: `refused: ${describe(error)}` }
        : { verdict: 'crash', detail: describe(error) };
    }
    const ms = performance.now() - t0;
    const rssMb = outcome.rssMb ?? peakRssMb();
    try {
      runner.cleanup?.();
    } catch {
      // a temp file already gone
    }
    await send({ type: 'done', index, ms, rssMb, outcome });
  }
} finally {
  await surface.close?.();
  rmSync(work, { recursive: true, force: true });
}
process.disconnect();
