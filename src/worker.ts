/** Worker threads of salvage's own modules, from the compiled dist/ or from source under tsx. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start the module `name` (its file name without extension) beside `base` (the caller's
 * `import.meta.url`) in a worker thread: `name.js` when running compiled, `name.ts` under tsx. A
 * worker does not inherit the main thread's module hooks, so from source it registers tsx itself
 * before importing the TypeScript module.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), options);
  const source = new URL(`./${name}.ts`, base).href;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
}
