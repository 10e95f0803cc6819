/** `salvage serve` as a user runs it: a real process on a loopback port, fetched over HTTP. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFixtureArchive } from './helpers/reader-fixture.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'src/cli/main.ts');
let fixture: { dir: string; cleanup: () => void };
const empty = mkdtempSync(join(tmpdir(), 'salvage-serve-empty-'));

before(() => {
  fixture = createFixtureArchive();
});
after(() => {
  fixture.cleanup();
  rmSync(empty, { recursive: true, force: true });
});

function start(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collect a child's output until it exits. */
function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** The first stdout line (the "Serving …" line), or the exit if the process ends first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) done(out.slice(0, nl));
    });
    child.on('close', (code) => fail(new Error(`exited ${code}: ${err}`)));
  });
}

for (const workers of ['1', '2']) {
  test(`serve --workers ${workers} listens on loopback, prints its URL and article count, serves pages, and stops on SIGINT`, async () => {
    const child = start(fixture.dir, '--port', '0', '--workers', workers);
    try {
      const line = await firstLine(child);
      const m = /^Serving (.+) \((\d+) articles\) at (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(line);
      assert.ok(m !== null, line);
      assert.equal(m[1], fixture.dir);
      assert.equal(Number(m[2]), 61);
      for (let i = 0; i < 4; i++) {
        // Several requests: with two workers, both answer in turn.
        const r = await fetch(new URL('article/101/', m[3]));
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        assert.match(await r.text(), /衞生署公布確診個案/);
      }
      const api = await fetch(new URL('api/search?q=%E8%A1%9E%E7%94%9F%E7%BD%B2', m[3]));
      assert.equal(((await api.json()) as { total: number }).total, 2);
      // Issue 12: other methods on a known route are 405 with Allow, not 404.
      for (const [method, path] of [
        ['POST', ''],
        ['PUT', 'article/101/'],
        ['DELETE', 'api/articles/101'],
        ['PATCH', 'search/'],
      ] as const) {
        const r = await fetch(new URL(path, m[3]), { method, body: method === 'DELETE' ? null : 'x' });
        assert.equal(r.status, 405, `${method} /${path}`);
        assert.equal(r.headers.get('allow'), 'GET, HEAD', `${method} /${path}`);
        await r.arrayBuffer();
      }
    } finally {
      const exit = finished(child);
      child.kill('SIGINT');
      const { code, stdout } = await exit;
      assert.equal(code, 0);
      assert.equal(stdout.match(/Serving /g)?.length ?? 0, 0, 'workers print nothing (the first line was read above)');
    }
  });
}

test('serve explains a folder without an index and a busy port, without a stack trace', async () => {
  const noIndex = await finished(start(empty));
  assert.equal(noIndex.code, 1);
  assert.match(noIndex.stderr, /has no search index; run salvage index/);
  assert.doesNotMatch(noIndex.stderr, /\n\s+at /);

  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  try {
    const port = (blocker.address() as { port: number }).port;
    for (const workers of ['1', '2']) {
      const busy = await finished(start(fixture.dir, '--port', String(port), '--workers', workers));
      assert.equal(busy.code, 2, `--workers ${workers}`);
      assert.equal(
        busy.stderr.match(/is already in use/g)?.length,
        1,
        `one message with --workers ${workers}: ${busy.stderr}`,
      );
      assert.match(busy.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    }
  } finally {
    await new Promise((done) => blocker.close(done));
  }
});

test('serve --help explains the command', async () => {
  const help = await finished(
    spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--help'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--port/);
  assert.match(help.stdout, /--load-images/);
  assert.match(help.stdout, /\/lookup\/\?url=/);
});

test(
  'serve replaces a worker that dies while serving, and keeps answering',
  { skip: process.platform !== 'linux' ? 'reads worker pids from /proc' : false },
  async () => {
    const child = start(fixture.dir, '--port', '0', '--workers', '2');
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      const line = await firstLine(child);
      const url = /at (http:\S+)$/.exec(line)?.[1];
      assert.ok(url !== undefined, line);
      const workers = childPids(child.pid!);
      assert.equal(workers.length, 2, 'two worker processes');
      process.kill(workers[0]!, 'SIGKILL');
      for (let i = 0; i < 100 && !stderr.includes('starting another'); i++)
        await new Promise((done) => setTimeout(done, 100));
      assert.match(stderr, /a server worker stopped \(SIGKILL\); starting another/);
      for (let i = 0; i < 4; i++) assert.equal((await fetch(new URL('article/101/', url))).status, 200);
    } finally {
      const exit = finished(child);
      child.kill('SIGINT');
      assert.equal((await exit).code, 0);
    }
  },
);

/** Pids of a process's salvage worker children (Linux /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      // Only node processes running the CLI: tsx may also start an esbuild service process.
      if (ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('main.ts')) out.push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
