/**
 * `npm run bench:layouts`: hkcnews articles in page layouts the engine was not written for
 * (bench/layouts/layouts.mjs: amp, lite, redesign, portal) next to the three built-in ones, each
 * measured with compare-archive. About one article in five gets one of the four extra layouts.
 *
 *   npm run bench:layouts                     2,500 articles (~500 in the extra layouts)
 *   npm run bench:layouts -- --sample 10000
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { benchArgs, machine, sharedOrSkip } from './shared.js';
import { layoutLines, rehearse } from './rehearsal.js';

const { arg } = benchArgs();
const shared = sharedOrSkip('bench:layouts');
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build');
console.log(`bench:layouts on ${machine()}`);
const result = await rehearse({
  shared,
  work: resolve(arg('--work') ?? join(root, '.bench-out/layouts')),
  salvage: [process.execPath, cli],
  sample: Number(arg('--sample') ?? 2500),
  extraVariants: join(root, 'bench/layouts/layouts.mjs'),
  log: (line) => console.log(line),
});
for (const line of layoutLines(result)) console.log(line);
console.log(
  `written ${result.written} · non-articles written ${result.unrecoveredWritten} · articles missing ${result.missing} · report ${result.comparePath}`,
);
