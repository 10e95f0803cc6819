/** Time as the politeness rules see it: real in production, a fake one in tests (no real sleeping). */
export interface Clock {
  /** Milliseconds since an arbitrary epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason);
      }; // only registered when a signal exists
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock for tests: `sleep` resolves when `advance` moves time past its deadline, so a test of
 * an hour of back-off runs in microseconds and can read the waits it scheduled.
 */
export class FakeClock implements Clock {
  private time = 0;
  private sleepers: { until: number; resolve: () => void }[] = [];
  /** Every sleep requested, in order (ms). */
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const sleeper = { until: this.time + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Move time forward, waking sleepers in deadline order (letting each one's continuation run). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const next = this.sleepers.reduce<{ until: number; resolve: () => void } | undefined>(
        (a, s) => (!a || s.until < a.until ? s : a),
        undefined,
      );
      if (!next || next.until > end) break;
      this.time = Math.max(this.time, next.until);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.time = end;
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Run until nothing sleeps any more (or `limitMs` passes); returns the time advanced. */
  async runAll(limitMs = 365 * 24 * 3600_000): Promise<number> {
    const start = this.time;
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
      if (this.sleepers.length === 0 || this.time - start >= limitMs) return this.time - start;
      const next = Math.min(...this.sleepers.map((s) => s.until));
      await this.advance(Math.max(0, next - this.time));
    }
  }
}
