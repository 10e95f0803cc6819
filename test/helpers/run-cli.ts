/**
 * The real `salvage` command (src/cli/main.ts through tsx) as a child process that does not block
 * this one: a simulator or server the test runs here keeps answering, and runs can go side by side.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'src/cli/main.ts');
/** tsx by path: the CLI can then run in a folder of its own, outside this package. */
const TSX = import.meta.resolve('tsx');

/** A finished CLI run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `salvage ...args` in `cwd` (default: the package root) and resolves once it has exited. */
export async function runCli(args: string[], cwd = ROOT): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((ok) => child.once('exit', ok));
  return { status, stdout, stderr };
}
