/**
 * Searches off the event loop, for a server. better-sqlite3 is synchronous and one FTS statement
 * cannot be sliced (a one-character query's doclist alone is 15–20 ms; a substring check of a
 * term FTS cannot decide reads its candidates' text: up to ~1 s on hkcnews), so a search run in
 * the server's thread delays every other request by its whole cost (issue 12: 37 s). Here each
 * search runs in a worker thread with its own read-only connection; the server thread only waits
 * for a message. A search past {@link SEARCH_TIME_BUDGET_MS} is answered with an error and its
 * thread replaced, so one costly query cannot hold the searches queued behind it either.
 */
import { Worker } from 'node:worker_threads';
import { SalvageError, type SalvageErrorCode } from '../errors.js';
import type { SearchOptions, SearchResponse } from './query.js';

/**
 * Longest a search may take before the pool gives up on it, in ms. Searches within the query
 * limits (query.ts) take at most ~1 s on the 49,118-article hkcnews archive on a shared 2-core VM
 * (2026-12-06); 5 s leaves room for a slower machine or a larger archive and is still short of
 * what a reader waits for before giving up.
 */
export const SEARCH_TIME_BUDGET_MS = 5_000;
/** Threads per pool: one, so a server process adds one busy core at most (`salvage serve --workers` scales). */
export const DEFAULT_SEARCH_THREADS = 1;
/**
 * Searches waiting for a thread, at most; more are refused at once (a flood must not queue work
 * for minutes). 64 × a typical 1–50 ms search is still well inside the budget.
 */
export const MAX_QUEUED_SEARCHES = 64;

export interface SearchPoolOptions {
  /** The index file (`DIR/search.sqlite`), opened read-only by each thread. Required. */
  file: string;
  /** Worker threads. Default {@link DEFAULT_SEARCH_THREADS}. */
  threads?: number;
  /** Time budget per search, ms, counted from when a thread takes it. Default {@link SEARCH_TIME_BUDGET_MS}. */
  budgetMs?: number;
  /** Queue length. Default {@link MAX_QUEUED_SEARCHES}. */
  maxQueued?: number;
}

/** A message to a search thread, and its answer. */
export interface SearchRequestMessage {
  id: number;
  options: SearchOptions;
}
export type SearchAnswerMessage =
  { id: number; response: SearchResponse } | { id: number; error: { code?: string; message: string } };

interface Job {
  options: SearchOptions;
  resolve: (response: SearchResponse) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: { id: number; job: Job; timer: NodeJS.Timeout } | undefined;
}

/** A worker thread running `name` (a module beside this one): the .js file, or the .ts source under tsx. */
export function startModuleWorker(name: string, workerData?: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  // From source (tsx): a worker does not inherit the main thread's module hooks, so it registers
  // tsx itself before importing the TypeScript module.
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData });
}

/**
 * A few worker threads answering {@link search} calls for one index file. Throws (rejects) a
 * SalvageError: SEARCH_TOO_COSTLY when a search ran past the budget or the queue is full,
 * INPUT_UNREADABLE when the index cannot be opened.
 */
export class SearchPool {
  readonly #file: string;
  readonly #threads: number;
  readonly #budgetMs: number;
  readonly #maxQueued: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: SearchPoolOptions) {
    this.#file = options.file;
    this.#threads = Math.max(1, Math.floor(options.threads ?? DEFAULT_SEARCH_THREADS));
    this.#budgetMs = Math.max(0, options.budgetMs ?? SEARCH_TIME_BUDGET_MS);
    this.#maxQueued = Math.max(0, options.maxQueued ?? MAX_QUEUED_SEARCHES);
  }

  /** Search in a thread; see query.ts `search` for the answer. */
  search(options: SearchOptions): Promise<SearchResponse> {
    if (this.#closed) return Promise.reject(new Error('search pool is closed'));
    return new Promise<SearchResponse>((resolve, reject) => {
      if (this.#queue.length >= this.#maxQueued) {
        reject(
          new SalvageError(
            'SEARCH_TOO_COSTLY',
            `too many searches are waiting (${this.#maxQueued}); try again in a moment`,
          ),
        );
        return;
      }
      this.#queue.push({ options, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stop every thread; pending searches are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('search pool is closed'));
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.job !== undefined) {
        clearTimeout(slot.job.timer);
        slot.job.job.reject(new Error('search pool is closed'));
      }
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.job === undefined);
      if (slot === undefined && this.#slots.length < this.#threads) slot = this.#spawn();
      if (slot === undefined) return;
      const job = this.#queue.shift()!; // length checked above
      const id = this.#nextId++;
      const timer = setTimeout(() => this.#expire(slot, id), this.#budgetMs);
      slot.job = { id, job, timer };
      slot.worker.postMessage({ id, options: job.options } satisfies SearchRequestMessage);
    }
  }

  #spawn(): Slot {
    const worker = startModuleWorker('search-worker', { file: this.#file });
    const slot: Slot = { worker };
    worker.unref(); // an idle pool never keeps a process alive
    worker.on('message', (answer: SearchAnswerMessage) => {
      const current = slot.job;
      if (current === undefined || current.id !== answer.id) return; // an expired search's late answer
      clearTimeout(current.timer);
      slot.job = undefined;
      if ('response' in answer) current.job.resolve(answer.response);
      else {
        const { code, message } = answer.error;
        current.job.reject(
          code !== undefined ? new SalvageError(code as SalvageErrorCode, message) : new Error(message),
        );
      }
      this.#dispatch();
    });
    worker.on('error', (error: Error) => this.#retire(slot, error));
    worker.on('exit', () => this.#retire(slot, new Error('search thread stopped')));
    this.#slots.push(slot);
    return slot;
  }

  /** The search in `slot` ran past the budget: answer it, and replace the thread (still busy in SQLite). */
  #expire(slot: Slot, id: number): void {
    if (slot.job?.id !== id) return;
    const seconds = (this.#budgetMs / 1000).toLocaleString('en-US');
    this.#retire(
      slot,
      new SalvageError(
        'SEARCH_TOO_COSTLY',
        `the search took longer than ${seconds} s and was stopped; use fewer or longer terms, or a date range`,
      ),
    );
  }

  #retire(slot: Slot, error: Error): void {
    const at = this.#slots.indexOf(slot);
    if (at === -1) return;
    this.#slots.splice(at, 1);
    if (slot.job !== undefined) {
      clearTimeout(slot.job.timer);
      slot.job.job.reject(error);
      slot.job = undefined;
    }
    // terminate() stops the thread once its current SQLite statement returns to JavaScript.
    void slot.worker.terminate();
    if (!this.#closed) this.#dispatch();
  }
}
