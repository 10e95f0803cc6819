/**
 * `salvage serve DIR`: the reader on a local HTTP server (thin wiring of src/reader). With more
 * than one worker, node:cluster runs one server process per worker on the same port (each with
 * its own read-only index handle and page cache), so pages and searches use every core.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createReader, createRequestListener } from '../reader/index.js';
import { SEARCH_INDEX_FILE, SearchIndex } from '../search/index.js';
import { SalvageError } from '../errors.js';
import { takedownsPending } from './read-commands.js';

export interface ServeCommandOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port: number;
  /** Interface to listen on. Default 127.0.0.1 (this machine only). */
  host: string;
  loadImages: boolean;
  /** Server processes. Default {@link defaultWorkers}(); 1 serves from this process. */
  workers: number;
  /** Keep rendered pages in DIR/reader-pages.sqlite (reader `pageStore`). Default true. */
  pageStore?: boolean;
}

export const DEFAULT_SERVE_PORT = 8080;
export const DEFAULT_SERVE_HOST = '127.0.0.1';
/** Most worker processes by default: a reader on a big machine needs no more. */
export const MAX_DEFAULT_WORKERS = 4;
/** Workers replaced after dying while serving, at most (a crash loop then stops replacing). */
const MAX_WORKER_RESTARTS = 10;
/** Idle keep-alive connections are kept this long (node's default 5 s closes them under a pause in load). */
const KEEP_ALIVE_MS = 65_000;

/** One worker per core, at most {@link MAX_DEFAULT_WORKERS}. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism()));
}

export interface RunningServer {
  url: string;
  articles: number;
  close(): Promise<void>;
}

/** Messages a worker sends its primary. */
type WorkerMessage =
  | { type: 'listening'; port: number; address: string; family: string }
  | { type: 'error'; code: string | undefined; message: string };

function listenError(error: unknown, options: ServeCommandOptions): SalvageError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new SalvageError(
      'CONFIG_INVALID',
      `port ${options.port} on ${options.host} is already in use; choose another with --port`,
      { cause: error },
    );
  if (code === 'EACCES')
    return new SalvageError(
      'CONFIG_INVALID',
      `not allowed to listen on port ${options.port}; choose a port above 1023 with --port`,
      { cause: error },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new SalvageError('CONFIG_INVALID', `cannot listen on ${options.host}: no such local address`, {
      cause: error,
    });
  return undefined;
}

const urlOf = (address: string, family: string, port: number): string =>
  `http://${family === 'IPv6' ? `[${address}]` : address}:${port}/`;

/**
 * Start serving; resolves once listening (every worker, with workers). Throws SalvageError for a
 * folder without a current index or a port that cannot be used.
 */
export async function runServe(dir: string, options: ServeCommandOptions): Promise<RunningServer> {
  if (!existsSync(join(dir, SEARCH_INDEX_FILE))) {
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no search index; run salvage index ${dir} first`, {
      subject: dir,
    });
  }
  if (cluster.isWorker) return serveWorker(dir, options);
  if (options.workers > 1) return servePrimary(dir, options);
  return serveHere(dir, options);
}

/** One server in this process. */
async function serveHere(dir: string, options: ServeCommandOptions): Promise<RunningServer> {
  const reader = createReader({
    dir,
    loadImages: options.loadImages,
    pageStore: options.pageStore ?? true,
    onError: (error) =>
      process.stderr.write(`salvage serve: internal error — please report it:\n${error.stack ?? String(error)}\n`),
    onWarning: (message) => process.stderr.write(`salvage serve: warning: ${message}\n`),
  });
  reader.warm();
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, createRequestListener(reader));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    reader.close();
    throw listenError(error, options) ?? error;
  }
  const address = server.address() as AddressInfo;
  return {
    url: urlOf(address.address, address.family, address.port),
    articles: reader.articleCount(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          reader.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** A cluster worker: serve, tell the primary, stop when it disconnects. */
async function serveWorker(dir: string, options: ServeCommandOptions): Promise<RunningServer> {
  // Ctrl-C reaches every process of the terminal's group; the primary decides when workers stop.
  process.on('SIGINT', () => undefined);
  let running: RunningServer;
  try {
    running = await serveHere(dir, options);
  } catch (error) {
    // The primary reports it (once, not once per worker).
    const message: WorkerMessage = {
      type: 'error',
      code: (error as NodeJS.ErrnoException).code ?? (error as SalvageError).code,
      message: (error as Error).message,
    };
    process.send?.(message, () => process.exit(1));
    return new Promise<RunningServer>(() => undefined);
  }
  const url = new URL(running.url);
  const message: WorkerMessage = {
    type: 'listening',
    port: Number(url.port),
    address: url.hostname.replace(/^\[|\]$/g, ''),
    family: url.hostname.startsWith('[') ? 'IPv6' : 'IPv4',
  };
  process.send?.(message);
  process.once('disconnect', () => void running.close().then(() => process.exit(0)));
  return running;
}

/** The primary: fork workers, wait until each listens, report the first failure. */
async function servePrimary(dir: string, options: ServeCommandOptions): Promise<RunningServer> {
  // Open the index here once: a missing or outdated index is reported before any fork.
  const probe = SearchIndex.openDir(dir, { readonly: true });
  const articles = probe.count();
  probe.close();
  const workers: Worker[] = [];
  let stopping = false;
  const started = new Promise<{ port: number; address: string; family: string }>((resolve, reject) => {
    let listening = 0;
    for (let i = 0; i < options.workers; i++) {
      const worker = cluster.fork();
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          listening++;
          if (listening === options.workers) resolve(message);
        } else {
          const error = Object.assign(new Error(message.message), { code: message.code });
          reject(listenError(error, options) ?? new SalvageError('CONFIG_INVALID', message.message));
        }
      });
      worker.on('exit', (code) => {
        if (!stopping) reject(new Error(`a server worker exited with code ${code} while starting`));
      });
    }
  });
  const stopAll = (): Promise<void> => {
    stopping = true;
    return Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            w.once('exit', () => done());
            w.disconnect();
          }),
      ),
    ).then(() => undefined);
  };
  let first: { port: number; address: string; family: string };
  try {
    first = await started;
  } catch (error) {
    await stopAll();
    throw error;
  }
  // A worker that dies while serving (a bug, or killed) is replaced, a bounded number of times.
  let restarts = 0;
  const watch = (worker: Worker): void => {
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const at = workers.indexOf(worker);
      if (restarts >= MAX_WORKER_RESTARTS || at === -1) {
        process.stderr.write(
          `salvage serve: a server worker stopped (${signal ?? `exit code ${code}`}); the others go on serving\n`,
        );
        return;
      }
      restarts++;
      process.stderr.write(
        `salvage serve: a server worker stopped (${signal ?? `exit code ${code}`}); starting another\n`,
      );
      const replacement = cluster.fork();
      workers[at] = replacement;
      watch(replacement);
    });
  };
  for (const worker of workers) watch(worker);
  return { url: urlOf(first.address, first.family, first.port), articles, close: stopAll };
}

/**
 * The whole command: serve, print the URL (from the primary only), and stop cleanly on SIGINT or
 * SIGTERM. In a cluster worker it never resolves (the worker exits when its primary disconnects).
 */
export async function serveCommand(
  dir: string,
  options: ServeCommandOptions,
  print: (line: string) => void,
): Promise<void> {
  const server = await runServe(dir, options);
  if (cluster.isWorker) return new Promise<void>(() => undefined);
  print(`Serving ${dir} (${server.articles} articles) at ${server.url}`);
  // An index whose build was interrupted (issue 12): say so; the search page shows a banner too.
  const check = SearchIndex.openDir(dir, { readonly: true });
  try {
    if (check.isIncomplete())
      process.stderr.write(
        `warning: the search index of ${dir} is incomplete (a salvage index run was interrupted or is running); pages and searches may miss articles. Run salvage index ${dir} to finish it.\n`,
      );
    // A takedown the index has not applied yet: the article is still public until it is.
    const pending = takedownsPending(dir, check);
    if (pending !== undefined) process.stderr.write(`warning: ${pending}\n`);
  } finally {
    check.close();
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
