/** Dates as pages write them → `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` in the site's local time. */
import { timestampToMs } from '../memento.js';

export interface LocalDateTime {
  date: string;
  /** `HH:MM:SS`, when the source had a time of day. */
  time?: string;
}

const ISO =
  /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?/i;
const CJK_DATE =
  /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(上午|下午|早上|中午|晚上|凌晨)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?/;
const SLASH_DATE = /(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;

const pad = (n: number): string => String(n).padStart(2, '0');

function valid(y: number, m: number, d: number): boolean {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function make(y: number, m: number, d: number, hh?: number, mm?: number, ss?: number): LocalDateTime | undefined {
  if (!valid(y, m, d)) return undefined;
  const date = `${y}-${pad(m)}-${pad(d)}`;
  if (hh === undefined || mm === undefined || hh > 23 || mm > 59 || (ss ?? 0) > 59) return { date };
  return { date, time: `${pad(hh)}:${pad(mm)}:${pad(ss ?? 0)}` };
}

/**
 * Parse an ISO 8601 date-time. With an explicit offset and a known site offset, the time is
 * moved into the site's zone; otherwise it is taken as written (the publisher's local time:
 * never converted to UTC).
 */
export function parseIsoDate(value: string, siteOffsetMinutes?: number): LocalDateTime | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (m[4] === undefined) return make(y, mo, d);
  const [hh, mi, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const zone = m[7];
  if (zone === undefined || siteOffsetMinutes === undefined) return make(y, mo, d, hh, mi, ss);
  const sign = zone.toUpperCase() === 'Z' ? 0 : zone.startsWith('-') ? -1 : 1;
  const digits = zone.replace(/[^\d]/g, '');
  const offset = sign === 0 ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  if (offset === siteOffsetMinutes) return make(y, mo, d, hh, mi, ss);
  const utcMs = Date.UTC(y, mo - 1, d, hh, mi, ss) - offset * 60000;
  const local = new Date(utcMs + siteOffsetMinutes * 60000);
  return make(
    local.getUTCFullYear(),
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
  );
}

/** Dates in visible text: ISO, `2019年2月27日 下午8:04`, `2019/02/27 20:04`. */
export function parseTextDate(text: string, siteOffsetMinutes?: number): LocalDateTime | undefined {
  const cjk = CJK_DATE.exec(text);
  if (cjk) {
    let hh = cjk[5] === undefined ? undefined : Number(cjk[5]);
    const half = cjk[4];
    if (hh !== undefined && (half === '下午' || half === '晚上') && hh < 12) hh += 12;
    if (hh !== undefined && (half === '上午' || half === '凌晨' || half === '早上') && hh === 12) hh = 0;
    return make(
      Number(cjk[1]),
      Number(cjk[2]),
      Number(cjk[3]),
      hh,
      cjk[6] === undefined ? undefined : Number(cjk[6]),
      cjk[7] === undefined ? undefined : Number(cjk[7]),
    );
  }
  const iso = /\d{4}-\d{1,2}-\d{1,2}(?:[T\s]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?/i.exec(text);
  if (iso) return parseIsoDate(iso[0], siteOffsetMinutes);
  const slash = SLASH_DATE.exec(text);
  if (slash) {
    const t = slash.slice(4, 7).map((x) => (x === undefined ? undefined : Number(x)));
    return make(Number(slash[1]), Number(slash[2]), Number(slash[3]), t[0], t[1], t[2]);
  }
  return undefined;
}

/** `YYYY-MM-DD HH:MM:SS`, or the date alone when no time is known. */
export function formatDateTime(value: LocalDateTime): string {
  return value.time ? `${value.date} ${value.time}` : value.date;
}

/** A date written in visible text, with where it stands. */
export interface TextDate {
  value: LocalDateTime;
  index: number;
  end: number;
}

/** English month names (and their usual abbreviations) → month number. */
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH_NAME =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const TIME =
  '(?:\\s*(?:T|\\s|at)?\\s*(上午|下午|早上|中午|晚上|凌晨)?\\s*(\\d{1,2})[:：](\\d{2})(?:[:：](\\d{2}))?(?:\\s*([ap])\\.?m\\.?)?)?';
/**
 * Every full date a page writes: `2019年2月27日 下午8:04`, `2019-2-27 20:04`, `2019/02/27`,
 * `2019.02.27`, `March 25, 2015`, `25 March 2015`. Year-month or a lone year is no date.
 * Digits next to the match (`12019-02-270`) are not a date either.
 */
const TEXT_DATE = new RegExp(
  [
    `(?<!\\d)(\\d{4})\\s*年\\s*(\\d{1,2})\\s*月\\s*(\\d{1,2})\\s*[日号]${TIME}`,
    // `\\10`: the separator group of this alternative (groups 1–8 belong to the first), so `2019-02/27` is no date.
    `(?<!\\d)(\\d{4})([-/.])(\\d{1,2})\\10(\\d{1,2})(?!\\d)${TIME}`,
    `\\b${MONTH_NAME}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)${TIME}`,
    `(?<!\\d)(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH_NAME}\\.?,?\\s+(\\d{4})(?!\\d)${TIME}`,
    // `9/17/2004 5:54:13 AM`, `17/09/2004`: day and month told apart by a part > 12, else by a 12-hour
    // clock (the US writes month first); an undecidable `06/02/2022 13:48` is no date.
    `(?<![\\d/])(\\d{1,2})/(\\d{1,2})/(\\d{4})(?![\\d/])${TIME}`,
  ]
    .map((p) => `(?:${p})`)
    .join('|'),
  'gi',
);

function withTime(y: number, m: number, d: number, g: (string | undefined)[]): LocalDateTime | undefined {
  const [half, h, mi, s, ampm] = g;
  if (h === undefined) return make(y, m, d);
  let hh = Number(h);
  if ((half === '下午' || half === '晚上' || ampm?.toLowerCase() === 'p') && hh < 12) hh += 12;
  if ((half === '上午' || half === '凌晨' || half === '早上' || ampm?.toLowerCase() === 'a') && hh === 12) hh = 0;
  return make(y, m, d, hh, Number(mi), s === undefined ? undefined : Number(s));
}

/** Every date in `text`, in order (see TEXT_DATE). */
export function findTextDates(text: string): TextDate[] {
  const out: TextDate[] = [];
  for (const m of text.matchAll(TEXT_DATE)) {
    const g = m.slice(1);
    let value: LocalDateTime | undefined;
    if (g[0] !== undefined) value = withTime(Number(g[0]), Number(g[1]), Number(g[2]), g.slice(3, 8));
    else if (g[8] !== undefined) value = withTime(Number(g[8]), Number(g[10]), Number(g[11]), g.slice(12, 17));
    else if (g[17] !== undefined)
      value = withTime(
        Number(g[19]),
        MONTHS[g[17].slice(0, g[17].toLowerCase().startsWith('sept') ? 4 : 3).toLowerCase()] ?? 0,
        Number(g[18]),
        g.slice(20, 25),
      );
    else if (g[25] !== undefined)
      value = withTime(
        Number(g[27]),
        MONTHS[(g[26] ?? '').slice(0, (g[26] ?? '').toLowerCase().startsWith('sept') ? 4 : 3).toLowerCase()] ?? 0,
        Number(g[25]),
        g.slice(28, 33),
      );
    else if (g[33] !== undefined) {
      const [a, b, y] = [Number(g[33]), Number(g[34]), Number(g[35])];
      const usClock = g[40] !== undefined;
      const [month, day] = a > 12 ? [b, a] : b > 12 ? [a, b] : usClock ? [a, b] : [0, 0];
      value = withTime(y, month, day, g.slice(36, 41));
    }
    if (value) out.push({ value, index: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Whether `text` writes a full date anywhere (see TEXT_DATE). */
export function hasTextDate(text: string): boolean {
  return findTextDates(text).length > 0;
}

/**
 * How long before the capture a page says it was published: `3小時前`, `45 分鐘前`, `2 days ago`,
 * `昨天 14:30`. Sites that print the age of an article instead of its date are dated by the
 * capture's time, in the site's zone. Only units that still fix the day are read: seconds to days
 * (a "3 weeks ago" or "2個月前" is no date). A clock word alone (`今天`, `昨日`) is everyday prose, so it
 * counts only with a time of day after it.
 */
const RELATIVE_DATE =
  /(?<![\d.])(\d{1,3}|an?|one)\s*(秒|分鐘|分钟|分|小時|小时|個小時|个小时|天|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\s*(?:前|ago\b)|(今天|今日|昨天|昨日|前天|today|yesterday)[\s,，]*(?:at\s*)?(\d{1,2})[:：](\d{2})(?![\d:：])/gi;
const UNIT_MS: Readonly<Record<string, number>> = {
  秒: 1e3,
  s: 1e3,
  分: 6e4,
  m: 6e4,
  小: 36e5,
  個: 36e5,
  个: 36e5,
  h: 36e5,
  天: 864e5,
  d: 864e5,
};
const DAYS_BACK: Readonly<Record<string, number>> = {
  今天: 0,
  今日: 0,
  today: 0,
  昨天: 1,
  昨日: 1,
  yesterday: 1,
  前天: 2,
};
/** Longest age read, in days: a page that says "400 days ago" is a count, not a date. */
const MAX_RELATIVE_DAYS = 31;

/**
 * Every relative date in `text` (see RELATIVE_DATE), resolved against the capture instant
 * (`timestamp`, 14 digits, UTC) in the site's zone (UTC when unknown). The day is exact when the
 * age is; a page that rounds "3小時前" down may have been published up to an hour earlier.
 */
export function findRelativeDates(text: string, timestamp: string, siteOffsetMinutes: number | undefined): TextDate[] {
  const captured = timestampToMs(timestamp);
  if (Number.isNaN(captured)) return [];
  const local = captured + (siteOffsetMinutes ?? 0) * 60000;
  const out: TextDate[] = [];
  for (const m of text.matchAll(RELATIVE_DATE)) {
    let at: Date;
    let time = false;
    if (m[1] !== undefined && m[2] !== undefined) {
      const count = /^\d/.test(m[1]) ? Number(m[1]) : 1;
      const unit = UNIT_MS[m[2][0]!.toLowerCase()] ?? 0;
      if (unit === 0 || count * unit > MAX_RELATIVE_DAYS * 864e5) continue;
      at = new Date(local - count * unit);
      time = unit < 864e5;
    } else {
      const day = new Date(local - (DAYS_BACK[(m[3] ?? '').toLowerCase()] ?? 0) * 864e5);
      at = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(m[4]), Number(m[5])));
      if (Number(m[4]) > 23 || Number(m[5]) > 59) continue;
      time = true;
    }
    const value = make(
      at.getUTCFullYear(),
      at.getUTCMonth() + 1,
      at.getUTCDate(),
      time ? at.getUTCHours() : undefined,
      time ? at.getUTCMinutes() : undefined,
    );
    if (value) out.push({ value, index: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * A date in an article URL: `/2019/02/27/`, `/2020-02/19/`, `/20200102/`, `/2019-02-27-`. Publishers
 * put the publication date there; a path's lone year or year-month is no date.
 */
const URL_DATE = /\/((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)/;
export function urlDate(url: string): LocalDateTime | undefined {
  let path = url;
  const m0 = /^[a-z]+:\/\/[^/]+/i.exec(url);
  if (m0) path = url.slice(m0[0].length);
  // A Wayback URL holds the capture timestamp and then the original URL: read the original's path.
  const inner = /\/(?:https?:)?\/\/[^/]+(\/.*)$/i.exec(path);
  if (inner?.[1]) path = inner[1];
  const m = URL_DATE.exec(path);
  return m ? make(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}
