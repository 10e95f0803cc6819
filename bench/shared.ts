/** Locating ../shared for benchmarks (and tests that use it). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { Catalog, SearchIndex } from '../src/search/index.js';

/** `$SALVAGE_SHARED`, else `../shared` beside the repository; undefined when absent. */
export function sharedDir(): string | undefined {
  const candidates = [
    process.env['SALVAGE_SHARED'],
    resolve(process.cwd(), '../shared'),
    resolve(import.meta.dirname, '../../shared'),
  ];
  return candidates.find((c): c is string => c !== undefined && existsSync(resolve(c, 'spec/FORMAT.md')));
}

export function machine(): string {
  return `${process.platform} ${process.arch}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

/** The command line of a benchmark: `arg('--name')` is the value after the flag, if any. */
export function benchArgs(): { args: string[]; arg: (name: string) => string | undefined } {
  const args = process.argv.slice(2);
  return {
    args,
    arg: (name) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    },
  };
}

/** ../shared, or exit 0 with a visible skip message when it is absent. */
export function sharedOrSkip(bench: string): string {
  const shared = sharedDir();
  if (!shared) {
    console.log(`${bench} skipped: ../shared (or $SALVAGE_SHARED) is not present`);
    process.exit(0);
  }
  return shared;
}

/**
 * Run a command (`node …args`), sampling its peak RSS from /proc (VmHWM, every 200 ms); throws
 * when it exits non-zero. Returns wall time, peak RSS and stdout (stderr passes through).
 */
export async function runTimed(nodeArgs: string[]): Promise<{ ms: number; peakMb: number; stdout: string }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  }, 200);
  const code = await new Promise<number | null>((ok) => proc.once('exit', ok));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${nodeArgs.join(' ')} exited with ${code}`);
  return { ms: performance.now() - t0, peakMb: peak, stdout };
}

/** Deterministic PRNG (mulberry32): the same inputs, in the same order, on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** An integer in [0, n). */
export const below = (rand: () => number, n: number): number => Math.floor(rand() * n);
export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[below(rand, xs.length)]!; // index < length

/** Random bytes from the PRNG. */
export function randomBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = below(rand, 256);
  return out;
}

/**
 * Start `salvage serve DIR --port 0` from the working tree's source (through tsx) with `extra`
 * flags, and wait for the URL it prints. Its stderr goes to `stderr` (inherit or ignore).
 */
export async function startSalvageServe(
  dir: string,
  extra: readonly string[],
  stderr: 'inherit' | 'ignore' = 'inherit',
): Promise<{ proc: ChildProcess; url: string }> {
  const root = resolve(import.meta.dirname, '..');
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', dir, '--port', '0', ...extra],
    { stdio: ['ignore', 'pipe', stderr] },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/\S+?)\/?\s*$/m.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    proc.once('exit', (code) => fail(new Error(`salvage serve exited with ${code}`)));
  });
  proc.stdout.resume();
  return { proc, url };
}

/** A search term of the benchmarks: 2–4 Han characters (the common length of Chinese words and names). */
const TERM = /^\p{sc=Han}{2,4}$/u;

/**
 * The archive's article ids, and the titles (or body texts) of `count` articles drawn at random
 * (PRNG `seed`) that hold two Han characters or more: what the load benchmarks cut search terms
 * from. Read from `DIR/search.sqlite`.
 */
export function termTexts(
  dir: string,
  source: 'titles' | 'text',
  count: number,
  seed = 4,
): { ids: number[]; texts: string[] } {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    const catalog = new Catalog(index);
    const ids = catalog.ids();
    const pick = prng(seed);
    const texts: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = ids[Math.floor(pick() * ids.length)]!; // index < length
      const text = source === 'titles' ? catalog.article(id)?.title : catalog.text(id);
      if (text !== undefined && /\p{sc=Han}{2}/u.test(text)) texts.push(text);
    }
    return { ids, texts };
  } finally {
    index.close();
  }
}

/** A term of 2–4 Han characters cut at random from one of `texts` (at least one must hold such a run). */
export function randomTerm(texts: readonly string[], rand: () => number): string {
  for (;;) {
    const chars = Array.from(texts[Math.floor(rand() * texts.length)]!); // index < length
    const len = 2 + Math.floor(rand() * 3);
    const at = Math.floor(rand() * Math.max(1, chars.length - len));
    const term = chars.slice(at, at + len).join('');
    if (TERM.test(term)) return term;
  }
}
