/** 14-digit Wayback timestamps (UTC) at the simulator's edge: padding, epoch, HTTP dates. */

/** 1 to 14 digits, as `from`, `to` and replay URLs accept. */
export const PARTIAL_TIMESTAMP = /^\d{1,14}$/;
const FULL_TIMESTAMP_DIGITS = 14;
/**
 * Padding of a partial replay timestamp: month and day 01, time 00:00:00, as pywb's
 * `PAD_14_DOWN` does (webrecorder/pywb `pywb/utils/timeutils.py`), so `2019` means 2019-01-01.
 */
const PAD_DOWN = '10000101000000';

/** `from` padding: `2019` → `20190000000000` (string comparison only, WAYBACK.md CDX `from`/`to`). */
export const padFrom = (ts: string): string => ts.padEnd(FULL_TIMESTAMP_DIGITS, '0');
/** `to` padding: `2019` → `20199999999999`, so every capture of 2019 is ≤ it. */
export const padTo = (ts: string): string => ts.padEnd(FULL_TIMESTAMP_DIGITS, '9');

export const isFullTimestamp = (ts: string): boolean => ts.length === FULL_TIMESTAMP_DIGITS;

/** Milliseconds since the epoch of a 1–14 digit timestamp (partial ones padded down). */
export function timestampToMs(ts: string): number {
  const t = ts + PAD_DOWN.slice(ts.length);
  return Date.UTC(
    +t.slice(0, 4),
    +t.slice(4, 6) - 1,
    +t.slice(6, 8),
    +t.slice(8, 10),
    +t.slice(10, 12),
    +t.slice(12, 14),
  );
}

/** 14-digit timestamp of an epoch time in milliseconds. */
export function msToTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, FULL_TIMESTAMP_DIGITS);
}

/** RFC 1123 date (`Tue, 03 Aug 2020 00:52:40 GMT`) of a timestamp, as in `Memento-Datetime`. */
export const httpDate = (ts: string): string => new Date(timestampToMs(ts)).toUTCString();
