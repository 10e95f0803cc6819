import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import {
  Politeness,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  WaitLimitError,
  type Family,
  type PolitenessEvent,
  type PolitenessOptions,
} from './politeness.js';

// Every test runs on a FakeClock: waits are read off the clock, nothing sleeps for real.

const MINUTE = 60_000;

function setup(options: PolitenessOptions = {}) {
  const clock = new FakeClock();
  const events: PolitenessEvent[] = [];
  const p = new Politeness({ clock, random: () => 0.5, onEvent: (e) => events.push(e), ...options });
  return { clock, p, events };
}

interface Tracked {
  /** Clock time at which the slot was granted. */
  at: number | undefined;
  error: unknown;
  readonly settled: boolean;
}

/** Follow a slot request: when (on the fake clock) it was granted, or why it failed. */
function track(clock: FakeClock, promise: Promise<void>): Tracked {
  const t = {
    at: undefined as number | undefined,
    error: undefined as unknown,
    get settled(): boolean {
      return this.at !== undefined || this.error !== undefined;
    },
  };
  promise.then(
    () => {
      t.at = clock.now();
    },
    (e: unknown) => {
      t.error = e ?? new Error('rejected without a reason');
    },
  );
  return t;
}

function slots(clock: FakeClock, p: Politeness, family: Family, n: number, signal?: AbortSignal): Tracked[] {
  return Array.from({ length: n }, () => track(clock, p.slot(family, signal)));
}

const times = (ts: readonly Tracked[]): (number | undefined)[] => ts.map((t) => t.at);

/** Ask for a slot and run the clock until it is granted; returns the time it was granted. */
async function granted(clock: FakeClock, p: Politeness, family: Family): Promise<number> {
  const t = track(clock, p.slot(family));
  await clock.runAll();
  if (t.error !== undefined) throw t.error instanceof Error ? t.error : new Error(JSON.stringify(t.error));
  assert.ok(t.at !== undefined, 'the slot was granted');
  return t.at;
}

// ---------------------------------------------------------------- rates

test('CDX slots are spaced 2.5 s apart by default (24 a minute)', async () => {
  const { clock, p } = setup();
  const s = slots(clock, p, 'cdx', 4);
  await clock.runAll();
  assert.deepEqual(times(s), [0, 2500, 5000, 7500]);
  assert.equal(p.stats.requests.cdx, 4);
});

test('capture slots are spaced 125 ms apart by default (8 a second)', async () => {
  const { clock, p } = setup();
  const s = slots(clock, p, 'capture', 4);
  await clock.runAll();
  assert.deepEqual(times(s), [0, 125, 250, 375]);
  assert.equal(p.stats.requests.capture, 4);
});

test('the rates follow the options', async () => {
  const { clock, p } = setup({ cdxPerMinute: 6, capturesPerSecond: 2 });
  const c = slots(clock, p, 'cdx', 3);
  const w = slots(clock, p, 'capture', 3);
  await clock.runAll();
  assert.deepEqual(times(c), [0, 10_000, 20_000]);
  assert.deepEqual(times(w), [0, 500, 1000]);
});

test('families are limited independently: captures do not queue behind CDX', async () => {
  const { clock, p } = setup();
  const c = slots(clock, p, 'cdx', 2);
  const w = slots(clock, p, 'capture', 3);
  await clock.runAll();
  assert.deepEqual(times(c), [0, 2500]);
  assert.deepEqual(times(w), [0, 125, 250]);
  assert.deepEqual(p.stats.requests, { cdx: 2, capture: 3 });
});

test('a request that comes after its interval is not delayed; one that comes early waits for the rest', async () => {
  const { clock, p } = setup();
  await granted(clock, p, 'cdx');
  await clock.advance(3000);
  const late = track(clock, p.slot('cdx'));
  await clock.advance(0);
  assert.equal(late.at, 3000);
  await clock.advance(1000);
  const early = track(clock, p.slot('cdx'));
  await clock.runAll();
  assert.equal(early.at, 5500, '2.5 s after the previous slot at 3 s');
});

test('idle time is not saved up: after a long idle, requests are still spaced', async () => {
  const { clock, p } = setup();
  await granted(clock, p, 'cdx');
  await clock.advance(10 * MINUTE);
  const s = slots(clock, p, 'cdx', 3);
  await clock.runAll();
  assert.deepEqual(times(s), [10 * MINUTE, 10 * MINUTE + 2500, 10 * MINUTE + 5000]);
});

test('options that are not positive numbers are refused', () => {
  for (const bad of [
    { cdxPerMinute: 0 },
    { capturesPerSecond: -1 },
    { maxWaitMs: Number.NaN },
    { timeScale: 0 },
  ] satisfies PolitenessOptions[]) {
    assert.throws(() => new Politeness(bad), RangeError, JSON.stringify(bad));
  }
});

// ---------------------------------------------------------------- 429

test('a 429 pauses every family for 60 s', async () => {
  const { clock, p, events } = setup();
  await granted(clock, p, 'cdx');
  p.rateLimited('cdx');
  assert.deepEqual(events, [{ type: 'rate-limited', family: 'cdx', pauseMs: 60_000 }]);
  const c = track(clock, p.slot('cdx'));
  const w = slots(clock, p, 'capture', 2);
  await clock.advance(59_999);
  assert.equal(c.settled || w.some((t) => t.settled), false, 'nothing goes out during the pause');
  await clock.runAll();
  assert.equal(c.at, 60_000);
  assert.deepEqual(times(w), [60_000, 60_125], 'after the pause the rate still applies');
  assert.equal(p.stats.rateLimited, 1);
  assert.equal(p.stats.pausedMs, 60_000);
});

test('a second 429 in a row pauses 120 s, and the pause keeps doubling up to maxPauseMs', async () => {
  const { clock, p, events } = setup();
  p.rateLimited('cdx');
  await granted(clock, p, 'capture');
  assert.equal(clock.now(), 60_000);
  p.rateLimited('capture');
  const s = track(clock, p.slot('cdx'));
  await clock.runAll();
  assert.equal(s.at, 60_000 + 120_000);
  for (let i = 0; i < 5; i++) p.rateLimited('cdx');
  const pauses = events.map((e) => (e.type === 'rate-limited' ? e.pauseMs : -1));
  assert.deepEqual(pauses, [60_000, 120_000, 240_000, 480_000, 960_000, 30 * MINUTE, 30 * MINUTE]);
});

test('a success ends the 429 streak: the next 429 pauses 60 s again', async () => {
  const { clock, p, events } = setup();
  p.rateLimited('cdx');
  await granted(clock, p, 'cdx');
  p.rateLimited('cdx');
  await granted(clock, p, 'cdx');
  p.succeeded();
  p.rateLimited('cdx');
  const start = clock.now();
  await granted(clock, p, 'cdx');
  assert.equal(clock.now() - start, 60_000);
  assert.deepEqual(
    events.map((e) => e.type === 'rate-limited' && e.pauseMs),
    [60_000, 120_000, 60_000],
  );
});

test('a request waiting for its slot when a 429 arrives waits for the whole pause', async () => {
  const { clock, p } = setup();
  await granted(clock, p, 'cdx');
  const waiting = track(clock, p.slot('cdx')); // its slot is at 2.5 s
  await clock.advance(1000);
  p.rateLimited('cdx');
  await clock.advance(2000);
  assert.equal(waiting.settled, false, 'not sent at 2.5 s');
  await clock.runAll();
  assert.equal(waiting.at, 61_000);
  assert.equal(p.stats.requests.cdx, 1 + 1);
});

test('overlapping pauses are counted once in the paused time', async () => {
  const { clock, p } = setup();
  p.rateLimited('cdx'); // until 60 s
  await clock.advance(30_000);
  p.rateLimited('capture'); // until 30 s + 120 s
  assert.equal(p.stats.pausedMs, 150_000);
  const s = track(clock, p.slot('cdx'));
  await clock.runAll();
  assert.equal(s.at, 150_000);
});

test('events go to onEvent and to every listener until it is removed', () => {
  const { p, events } = setup();
  const heard: PolitenessEvent[] = [];
  const listener = (e: PolitenessEvent): void => {
    heard.push(e);
  };
  p.listeners.add(listener);
  p.rateLimited('cdx');
  p.listeners.delete(listener);
  p.rateLimited('capture');
  assert.equal(events.length, 2);
  assert.deepEqual(heard, [events[0]]);
});

// ---------------------------------------------------------------- blocks

test('a refused connection is a block: blocked event, every worker pauses 10 min', async () => {
  const { clock, p, events } = setup();
  await granted(clock, p, 'capture');
  assert.equal(p.connectionFailed('capture', 0, 'refused'), 0, 'the pause replaces the retry delay');
  assert.deepEqual(events, [{ type: 'blocked', family: 'capture', pauseMs: 10 * MINUTE, cause: 'refused' }]);
  assert.equal(p.blocked, true);
  assert.equal(p.stats.blocks, 1);
  const c = track(clock, p.slot('cdx'));
  await clock.advance(10 * MINUTE - 1);
  assert.equal(c.settled, false);
  await clock.advance(1);
  assert.equal(c.at, 10 * MINUTE);
});

test('while blocked, one probe at a time: the others wait until it reports', async () => {
  const { clock, p } = setup();
  p.connectionFailed('capture', 0, 'refused');
  const s = [...slots(clock, p, 'capture', 2), track(clock, p.slot('cdx'))];
  await clock.advance(10 * MINUTE);
  assert.equal(s.filter((t) => t.settled).length, 1, 'exactly one probe');
  assert.equal(s[0]!.at, 10 * MINUTE);
  await clock.advance(60 * MINUTE);
  assert.equal(s.filter((t) => t.settled).length, 1, 'the others wait for the probe, however long it takes');
  p.succeeded();
  await clock.runAll();
  assert.deepEqual(
    times(s),
    [10 * MINUTE, 70 * MINUTE, 70 * MINUTE],
    'after the probe succeeded the rest go at the normal rate',
  );
});

test('a probe that fails again lets the others out only after the new pause, and the next probe is again alone', async () => {
  const { clock, p } = setup();
  p.connectionFailed('capture', 0, 'refused');
  const s = slots(clock, p, 'capture', 3);
  await clock.advance(10 * MINUTE);
  assert.deepEqual(times(s), [10 * MINUTE, undefined, undefined]);
  p.connectionFailed('capture', 0, 'refused'); // the probe: pause 20 min
  await clock.advance(20 * MINUTE - 1);
  assert.deepEqual(times(s), [10 * MINUTE, undefined, undefined], 'the waiters do not slip out when the probe fails');
  await clock.advance(1);
  assert.deepEqual(times(s), [10 * MINUTE, 30 * MINUTE, undefined], 'one new probe');
  p.succeeded();
  await clock.runAll();
  assert.deepEqual(times(s), [10 * MINUTE, 30 * MINUTE, 30 * MINUTE + 125]);
});

test('block pauses double per failed probe: 10, 20, 40, 60, 60 min', async () => {
  const { clock, p, events } = setup();
  p.connectionFailed('capture', 0, 'refused');
  for (let i = 0; i < 4; i++) {
    const probe = track(clock, p.slot('capture'));
    await clock.runAll();
    assert.equal(probe.settled, true);
    p.connectionFailed('capture', 0, i % 2 === 0 ? 'refused' : 'timeout');
  }
  assert.deepEqual(
    events.map((e) => e.type === 'blocked' && e.pauseMs),
    [10, 20, 40, 60, 60].map((m) => m * MINUTE),
  );
  assert.equal(p.stats.blocks, 1, 'one block, probed four times');
});

test('a success after a block ends it: unblocked event with the time blocked; the next refusal starts again at 10 min', async () => {
  const { clock, p, events } = setup();
  await clock.advance(5000);
  p.connectionFailed('cdx', 0, 'refused');
  await granted(clock, p, 'cdx');
  p.connectionFailed('cdx', 1, 'refused');
  await granted(clock, p, 'cdx');
  await clock.advance(1234);
  p.succeeded();
  assert.equal(p.blocked, false);
  const blockedMs = 10 * MINUTE + 20 * MINUTE + 1234;
  assert.deepEqual(events.at(-1), { type: 'unblocked', blockedMs });
  assert.equal(p.stats.blockedMs, blockedMs);
  p.succeeded();
  assert.equal(events.filter((e) => e.type === 'unblocked').length, 1, 'a success when not blocked emits nothing');
  p.connectionFailed('cdx', 0, 'refused');
  assert.deepEqual(events.at(-1), { type: 'blocked', family: 'cdx', pauseMs: 10 * MINUTE, cause: 'refused' });
  assert.equal(p.stats.blocks, 2);
});

test('three timeouts or resets in a row are a block; fewer are retried with back-off', () => {
  const { p, events } = setup();
  assert.equal(p.connectionFailed('capture', 0, 'timeout'), RETRY_BASE_MS);
  assert.equal(p.connectionFailed('capture', 1, 'reset'), RETRY_BASE_MS * 2);
  assert.equal(p.blocked, false);
  assert.deepEqual(
    events.map((e) => e.type),
    ['retry', 'retry'],
  );
  assert.equal(p.connectionFailed('cdx', 0, 'timeout'), 0);
  assert.equal(p.blocked, true);
  assert.deepEqual(events.at(-1), { type: 'blocked', family: 'cdx', pauseMs: 10 * MINUTE, cause: 'timeout' });
  assert.equal(p.stats.connectionFailures, 3);
});

test('a success between timeouts restarts the count', () => {
  const { p } = setup({ failuresForBlock: 3 });
  p.connectionFailed('capture', 0, 'timeout');
  p.connectionFailed('capture', 1, 'timeout');
  p.succeeded();
  p.connectionFailed('capture', 0, 'timeout');
  p.connectionFailed('capture', 1, 'reset');
  assert.equal(p.blocked, false);
  p.connectionFailed('capture', 2, 'timeout');
  assert.equal(p.blocked, true);
});

test('failuresForBlock sets how many timeouts in a row make a block', () => {
  const { p } = setup({ failuresForBlock: 5 });
  for (let i = 0; i < 4; i++) p.connectionFailed('capture', i, 'timeout');
  assert.equal(p.blocked, false);
  p.connectionFailed('capture', 4, 'timeout');
  assert.equal(p.blocked, true);
});

// ---------------------------------------------------------------- server errors

test('retry delays grow from 2 s, doubling, capped at 120 s, with ±50% jitter', () => {
  let r = 0.5;
  const { p, events } = setup({ random: () => r, serverErrorsForOutage: 100 });
  assert.deepEqual(
    [0, 1, 2, 3, 6, 10].map((a) => p.serverError('capture', a, 503)),
    [2000, 4000, 8000, 16_000, 120_000, RETRY_CAP_MS],
  );
  r = 0;
  assert.equal(p.serverError('capture', 0, 503), RETRY_BASE_MS * 0.5);
  r = 0.999;
  assert.ok(p.serverError('capture', 0, 503) < RETRY_BASE_MS * 1.5);
  assert.deepEqual(events[0], { type: 'retry', family: 'capture', delayMs: 2000, cause: 'HTTP 503' });
  assert.equal(p.stats.retries, 8);
});

test('five server errors in a row are an outage: every worker pauses, growing', async () => {
  const { clock, p, events } = setup();
  for (let i = 0; i < 4; i++) p.serverError('cdx', i, 502);
  assert.equal(events.filter((e) => e.type === 'outage').length, 0);
  const before = track(clock, p.slot('capture'));
  await clock.advance(0);
  assert.equal(before.at, 0, 'four errors pause nobody');
  p.serverError('capture', 0, 503);
  assert.deepEqual(
    events.filter((e) => e.type === 'outage'),
    [{ type: 'outage', family: 'capture', pauseMs: 30_000, serverErrors: 5 }],
  );
  const after = track(clock, p.slot('cdx'));
  await clock.runAll();
  assert.equal(after.at, 30_000);
  for (let i = 0; i < 5; i++) p.serverError('cdx', i, 500);
  assert.deepEqual(
    events.filter((e) => e.type === 'outage').map((e) => e.type === 'outage' && e.pauseMs),
    [30_000, 60_000],
  );
  assert.equal(p.stats.serverErrors, 10);
});

test('a success between server errors restarts the count and the outage growth', () => {
  const { p, events } = setup();
  for (let i = 0; i < 5; i++) p.serverError('cdx', i, 502);
  p.succeeded();
  for (let i = 0; i < 4; i++) p.serverError('cdx', i, 502);
  p.succeeded();
  for (let i = 0; i < 5; i++) p.serverError('cdx', i, 502);
  assert.deepEqual(
    events.filter((e) => e.type === 'outage').map((e) => e.type === 'outage' && e.pauseMs),
    [30_000, 30_000],
  );
});

// ---------------------------------------------------------------- one URL is not the service (issue 12)

const BAD = 'https://web.archive.org/web/20200101000000id_/https://www.hkcnews.com/article/1/huge';
const url = (i: number): string =>
  `https://web.archive.org/web/20200101000000id_/https://www.hkcnews.com/article/${i}/x`;

test('one URL that times out or resets again and again is retried with back-off, never taken as a block', async () => {
  const { clock, p, events } = setup();
  const delays = Array.from({ length: 12 }, (_, i) =>
    p.connectionFailed('capture', Math.min(i, 7), i % 2 ? 'reset' : 'timeout', BAD),
  );
  assert.equal(p.blocked, false);
  assert.deepEqual(
    events.filter((e) => e.type !== 'retry'),
    [],
    'no blocked event, no pause',
  );
  assert.ok(
    delays.every((d) => d > 0),
    'each failure waits its own back-off',
  );
  assert.equal(p.troubleCount, 0);
  const other = track(clock, p.slot('capture'));
  await clock.advance(0);
  assert.equal(other.at, 0, 'the other workers are not paused');
  assert.equal(
    p.connectionFailed('capture', 0, 'refused', BAD),
    0,
    'a refused connection is still a block at once, whatever the URL',
  );
  assert.equal(p.blocked, true);
});

test('timeouts of three different URLs with no success between are a block; a repeat of one of them does not count twice', () => {
  const { p } = setup();
  p.connectionFailed('capture', 0, 'timeout', url(1));
  p.connectionFailed('capture', 1, 'timeout', url(1));
  p.connectionFailed('capture', 0, 'reset', url(2));
  p.connectionFailed('capture', 1, 'reset', url(2));
  assert.equal(p.blocked, false, 'two different URLs');
  p.connectionFailed('capture', 0, 'timeout', url(3));
  assert.equal(p.blocked, true);
  assert.equal(p.troubleCount, 1);
});

test('one URL timing out between successes of others never adds up to a block', () => {
  const { p, events } = setup();
  for (let i = 0; i < 50; i++) {
    p.connectionFailed('capture', Math.min(i, 7), 'timeout', BAD);
    p.succeeded();
    p.succeeded();
  }
  assert.equal(p.blocked, false);
  assert.equal(events.filter((e) => e.type === 'blocked').length, 0);
  assert.equal(p.successCount, 100);
});

test('while blocked, a failed probe of a URL that already failed waits out another pause without growing it; a new URL or a refusal grows it', () => {
  const { p, events } = setup();
  for (let i = 1; i <= 3; i++) p.connectionFailed('capture', 0, 'timeout', url(i));
  p.connectionFailed('capture', 1, 'timeout', url(1));
  p.connectionFailed('capture', 1, 'timeout', url(2));
  p.connectionFailed('capture', 0, 'timeout', url(4));
  p.connectionFailed('capture', 2, 'refused', url(1));
  assert.deepEqual(
    events.filter((e) => e.type === 'blocked').map((e) => e.type === 'blocked' && e.pauseMs / MINUTE),
    [10, 10, 10, 20, 40],
  );
});

test('one URL answering 5xx again and again is retried with back-off and never pauses the others as an outage', async () => {
  const { clock, p, events } = setup();
  for (let i = 0; i < 20; i++) assert.ok(p.serverError('capture', Math.min(i, 7), 503, BAD) > 0);
  assert.deepEqual(
    events.filter((e) => e.type === 'outage'),
    [],
  );
  const other = track(clock, p.slot('capture'));
  await clock.advance(0);
  assert.equal(other.at, 0);
  for (let i = 1; i <= 4; i++) p.serverError('capture', 0, 502, url(i));
  assert.equal(
    events.filter((e) => e.type === 'outage').length,
    1,
    'with four other URLs: five different ones in a row',
  );
});

test('successCount counts successes and troubleCount every service-wide pause (429, outage, block)', () => {
  const { p } = setup();
  p.succeeded();
  p.succeeded();
  assert.equal(p.successCount, 2);
  p.rateLimited('cdx');
  for (let i = 1; i <= 5; i++) p.serverError('capture', 0, 503, url(i));
  p.connectionFailed('capture', 0, 'refused', url(9));
  assert.equal(p.troubleCount, 3);
});

// ---------------------------------------------------------------- limits, scale, abort

test('past maxWaitMs of pauses the next slot fails with WaitLimitError', async () => {
  const { clock, p } = setup({ maxWaitMs: 90_000 });
  p.rateLimited('cdx');
  await granted(clock, p, 'cdx'); // 60 s of pause: within the limit
  assert.equal(clock.now(), 60_000);
  p.rateLimited('cdx'); // +120 s
  await assert.rejects(
    p.slot('capture'),
    (e: unknown) =>
      e instanceof WaitLimitError && e.waitedMs === 180_000 && e.maxWaitMs === 90_000 && /429/.test(e.lastCause),
  );
});

test('a request already waiting out a pause fails with WaitLimitError once the limit is passed', async () => {
  const { clock, p } = setup({ maxWaitMs: 100_000 });
  p.rateLimited('cdx');
  const waiting = track(clock, p.slot('capture'));
  await clock.advance(10_000);
  p.rateLimited('cdx'); // pauses until 130 s: 130 s paused in all
  await clock.runAll();
  assert.ok(waiting.error instanceof WaitLimitError, String(waiting.error));
  assert.equal(p.stats.requests.capture, 0);
});

test('block pauses count towards maxWaitMs', async () => {
  const { clock, p } = setup({ maxWaitMs: 25 * MINUTE });
  p.connectionFailed('capture', 0, 'refused');
  await granted(clock, p, 'capture');
  p.connectionFailed('capture', 0, 'refused'); // 10 + 20 min
  await assert.rejects(p.slot('capture'), WaitLimitError);
});

test('timeScale 10 divides every wait by 10', async () => {
  const { clock, p, events } = setup({ timeScale: 10 });
  const c = slots(clock, p, 'cdx', 3);
  const w = slots(clock, p, 'capture', 3);
  await clock.runAll();
  assert.deepEqual(times(c), [0, 250, 500]);
  assert.deepEqual(times(w), [0, 12.5, 25]);

  let start = clock.now();
  p.rateLimited('cdx');
  await granted(clock, p, 'cdx');
  assert.equal(clock.now() - start, 6000, '429 pause');

  start = clock.now();
  p.connectionFailed('cdx', 0, 'refused');
  await granted(clock, p, 'cdx');
  assert.equal(clock.now() - start, 60_000, 'block pause');
  p.succeeded();

  start = clock.now();
  for (let i = 0; i < 5; i++) p.serverError('cdx', 0, 503);
  await granted(clock, p, 'cdx');
  assert.equal(clock.now() - start, 3000, 'outage pause');

  assert.equal(p.serverError('cdx', 0, 503), RETRY_BASE_MS / 10, 'retry delay');
  assert.deepEqual(
    events.filter((e) => e.type === 'blocked').map((e) => e.type === 'blocked' && e.pauseMs),
    [60_000],
  );
});

test('wait sleeps on the clock for the given delay', async () => {
  const { clock, p } = setup();
  const w = track(clock, p.wait(4000));
  await clock.advance(3999);
  assert.equal(w.settled, false);
  await clock.advance(1);
  assert.equal(w.at, 4000);
});

test("an abort rejects a request waiting for its slot, with the signal's reason", async () => {
  const { clock, p } = setup();
  await granted(clock, p, 'cdx');
  const ac = new AbortController();
  const waiting = track(clock, p.slot('cdx', ac.signal));
  await clock.advance(1000);
  const reason = new Error('stop');
  ac.abort(reason);
  await clock.advance(0);
  assert.equal(waiting.error, reason);
  assert.equal(p.stats.requests.cdx, 1);
});

test('an abort rejects a request waiting out a pause', async () => {
  const { clock, p } = setup();
  p.rateLimited('capture');
  const ac = new AbortController();
  const waiting = track(clock, p.slot('capture', ac.signal));
  const other = track(clock, p.slot('capture'));
  await clock.advance(1000);
  ac.abort(new Error('user pressed ctrl-c'));
  await clock.runAll();
  assert.match(String(waiting.error), /ctrl-c/);
  assert.equal(other.at, 60_000, 'others are not affected');
});

test('an already aborted signal rejects at once and takes no slot', async () => {
  const { clock, p } = setup();
  const ac = new AbortController();
  ac.abort(new Error('gone'));
  await assert.rejects(p.slot('cdx', ac.signal), /gone/);
  assert.equal(p.stats.requests.cdx, 0);
  const next = track(clock, p.slot('cdx'));
  await clock.advance(0);
  assert.equal(next.at, 0);
});

test('an abort rejects a request waiting behind the probe of a block', async () => {
  const { clock, p } = setup();
  p.connectionFailed('capture', 0, 'refused');
  const probe = track(clock, p.slot('capture'));
  const ac = new AbortController();
  const waiting = track(clock, p.slot('capture', ac.signal));
  await clock.advance(10 * MINUTE);
  assert.equal(probe.at, 10 * MINUTE);
  ac.abort(new Error('stop'));
  await clock.advance(1000);
  assert.match(String(waiting.error), /stop/);
});

test('a probe aborted while waiting for its slot lets the next request probe', async () => {
  // A block pause shorter than the CDX interval makes the probe wait for its CDX slot.
  const { clock, p } = setup({ blockPauseMs: 1000, cdxPerMinute: 1 });
  await granted(clock, p, 'cdx'); // next CDX slot at 60 s
  p.connectionFailed('cdx', 0, 'refused'); // paused until 1 s
  const ac = new AbortController();
  const probe = track(clock, p.slot('cdx', ac.signal));
  await clock.advance(2000);
  ac.abort(new Error('stop'));
  await clock.advance(0);
  assert.ok(probe.error instanceof Error);
  const next = track(clock, p.slot('capture'));
  await clock.advance(60 * MINUTE);
  assert.equal(next.at, 2000);
});

/** A clock whose process stalls: time jumps ahead first, then every sleeper that became due wakes, in deadline order. */
class StallingClock extends FakeClock {
  private t = 0;
  private due: { until: number; resolve: () => void }[] = [];
  override now(): number {
    return this.t;
  }
  override sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.due.push({ until: this.t + Math.max(0, ms), resolve }));
  }
  /** Jump `ms` ahead, then wake the due sleepers; repeat `rounds` times without moving time (their follow-up sleeps). */
  async stall(ms: number): Promise<void> {
    this.t += ms;
    await this.wakeDue();
  }
  async wakeDue(): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const ready = this.due.filter((d) => d.until <= this.t).sort((a, b) => a.until - b.until);
      if (ready.length === 0) return;
      this.due = this.due.filter((d) => !ready.includes(d));
      for (const d of ready) d.resolve();
    }
  }
  /** Advance in small steps until nobody sleeps. */
  async drain(step: number): Promise<void> {
    while (this.due.length > 0) await this.stall(step);
  }
}

test('slots whose timers fire late (a busy process) still leave at least half an interval apart', async () => {
  const clock = new StallingClock();
  const p = new Politeness({ clock, random: () => 0.5, capturesPerSecond: 8 });
  const granted = slots(clock, p, 'capture', 3); // reserved for 0, 125 and 250 ms
  await clock.wakeDue(); // the first is granted at 0
  assert.equal(granted[0]!.at, 0);
  await clock.stall(400); // the other two timers both fire at 400 ms
  await clock.drain(1);
  const at = times(granted)
    .map((t) => t ?? NaN)
    .sort((a, b) => a - b);
  assert.equal(at.length, 3);
  for (let i = 1; i < at.length; i++)
    assert.ok(at[i]! - at[i - 1]! >= 62.5, `grants ${at[i - 1]} and ${at[i]} are closer than half of 125 ms`);
});
