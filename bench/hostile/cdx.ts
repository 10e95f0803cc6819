/**
 * CDX answers with hostile rows, fed to the CDX parser (`parseCdxJson`, what `salvage archive`
 * reads every index block with). Issue 12 finding 4: a row with timestamp `abc`, `2020` or
 * `99999999999999`, or `\r\n` inside `original`, stopped the rescue. The promise: one bad row is one
 * skipped row — the page's good rows still come back, every returned row is usable (14-digit
 * calendar timestamp, no control characters in the URL, numbers that are safe integers), and only
 * an answer that is not a CDX document at all (cut short, no header) is refused as a whole.
 */
import { CDX_FIELDS, CdxMalformedError, parseCdxJson, type CdxRow } from '../../src/wayback/index.js';
import { below, describe, pick, prng, type HostileInput, type Outcome, type Surface } from './common.js';

/** One generated CDX answer: its rows, and how many of them are good. */
interface Answer {
  rows: unknown[][];
  good: number;
  /** Also right: rows whose only fault is their size may be kept or skipped. */
  orGood?: number;
  resumeKey?: string;
  /** The answer as a whole is not a CDX document: refusing it is right. */
  malformed?: boolean;
  /** Raw body instead of JSON.stringify of the rows. */
  raw?: string;
}

const HEADER = [...CDX_FIELDS];

function goodRow(i: number): string[] {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (i % 12)).padStart(2, '0');
  const id = 10000 + i;
  return [
    `com,hkcnews)/article/${id}`,
    `2019${month}${day}1200${String(i % 60).padStart(2, '0')}`,
    `https://www.hkcnews.com/article/${id}/x`,
    'text/html',
    '200',
    `DIGEST${String(i).padStart(26, 'A')}`,
    String(10000 + i),
  ];
}

/** A valid 14-digit timestamp is also a calendar time (month 1–12, day in month, hh < 24 …). */
function calendarTimestamp(ts: string): boolean {
  if (!/^\d{14}$/.test(ts)) return false;
  const [y, mo, d, h, mi, s] = [
    ts.slice(0, 4),
    ts.slice(4, 6),
    ts.slice(6, 8),
    ts.slice(8, 10),
    ts.slice(10, 12),
    ts.slice(12, 14),
  ].map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    y >= 1990 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 61
  );
}

function usable(row: CdxRow): string | undefined {
  if (!calendarTimestamp(row.timestamp))
    return `returned a row with timestamp ${JSON.stringify(row.timestamp.slice(0, 20))}`;
  if (/[\x00-\x1f\x7f]/.test(row.original))
    return `returned a row whose original holds control characters (${JSON.stringify(row.original.slice(0, 30))})`;
  for (const v of [row.statuscode, row.length])
    if (v !== null && !Number.isSafeInteger(v)) return `returned a row with the number ${v}`;
  return undefined;
}

function check(answer: Answer): Outcome {
  const body = answer.raw ?? JSON.stringify(answer.rows);
  let page;
  try {
    page = parseCdxJson(body);
  } catch (error) {
    if (!(error instanceof CdxMalformedError)) throw error;
    if (answer.malformed) return { verdict: 'ok', detail: `refused as a whole: ${describe(error)}` };
    return {
      verdict: 'wrong',
      detail: `one bad row refused the whole answer (retried as an outage): ${describe(error)}`,
    };
  }
  if (answer.malformed) return { verdict: 'ok', detail: `read ${page.rows.length} rows of a malformed answer` };
  for (const row of page.rows) {
    const bad = usable(row);
    if (bad) return { verdict: 'wrong', detail: bad };
  }
  if (page.rows.length !== answer.good && page.rows.length !== answer.orGood)
    return { verdict: 'wrong', detail: `${page.rows.length} rows returned, ${answer.good} good rows in the answer` };
  if (answer.resumeKey !== undefined && page.resumeKey !== answer.resumeKey)
    return { verdict: 'wrong', detail: 'resume key lost' };
  return { verdict: 'ok' };
}

/** Bad values of each field (the reproductions first). */
const BAD_TIMESTAMPS = [
  'abc',
  '2020',
  '99999999999999',
  '',
  '2020010100000',
  '202001010000000',
  '20201345000000',
  '20200230120000',
  '20200101250000',
  ' 20200101000000',
  '２０２００１０１０００００００',
  '00000000000000',
  '-2020010100000',
  '2020-01-01T00:00',
  '1e13',
  '20200101000000\n',
  '\u0000',
];
const BAD_ORIGINALS = [
  'https://www.hkcnews.com/article/1/x\r\nSet-Cookie: a=b',
  'https://www.hkcnews.com/\u0000x',
  'https://www.hkcnews.com/\tx',
  'https://www.hkcnews.com/\u007fx',
  '\r\n',
  '\n',
  'https://www.hkcnews.com/\u001bx',
];
const BAD_NUMBERS = [
  ['statuscode', 'abc'],
  ['statuscode', '-1'],
  ['statuscode', '99999999999999999999999'],
  ['statuscode', '1e3'],
  ['statuscode', '200.5'],
  ['length', '99999999999999999999999999'],
  ['length', '-5'],
  ['length', 'NaN'],
  ['length', 'Infinity'],
  ['length', '0x10'],
] as const;

export const cdxSurface: Surface = {
  name: 'cdx',
  entry: 'parseCdxJson (src/wayback/cdx.ts)',
  inputs(env) {
    const out: HostileInput[] = [];
    const add = (name: string, make: () => Answer): void => {
      out.push({
        name,
        prepare: () => {
          const a = make();
          return { run: () => check(a) };
        },
      });
    };
    /** `n` good rows with `bad` spliced in at `at` (start, middle, end). */
    const withBad = (n: number, at: 'first' | 'middle' | 'last', bad: unknown[][]): Answer => {
      const rows: unknown[][] = Array.from({ length: n }, (_, i) => goodRow(i));
      const pos = at === 'first' ? 0 : at === 'middle' ? Math.floor(n / 2) : n;
      rows.splice(pos, 0, ...bad);
      return { rows: [HEADER, ...rows], good: n };
    };
    const sizes = env.quick ? [10] : [0, 10, 1000];
    const positions = ['first', 'middle', 'last'] as const;
    const ts = CDX_FIELDS.indexOf('timestamp');
    const orig = CDX_FIELDS.indexOf('original');
    for (const value of BAD_TIMESTAMPS)
      for (const n of sizes)
        for (const at of positions) {
          if (n === 0 && at !== 'first') continue;
          add(`timestamp ${JSON.stringify(value)} ${at} of ${n + 1} rows`, () => {
            const r = goodRow(9999);
            r[ts] = value;
            return withBad(n, at, [r]);
          });
        }
    for (const value of BAD_ORIGINALS)
      for (const at of positions) {
        add(`original ${JSON.stringify(value.slice(-16))} ${at} of 11 rows`, () => {
          const r = goodRow(9999);
          r[orig] = value;
          return withBad(10, at, [r]);
        });
      }
    for (const [field, value] of BAD_NUMBERS)
      for (const at of positions) {
        add(`${field} ${JSON.stringify(value)} ${at} of 11 rows`, () => {
          const r = goodRow(9999);
          r[CDX_FIELDS.indexOf(field)] = value;
          return withBad(10, at, [r]);
        });
      }
    // Wrong field counts and wrong types.
    const shapes: [string, () => unknown[]][] = [
      ['6 fields', () => goodRow(1).slice(0, 6)],
      ['8 fields', () => [...goodRow(1), 'extra']],
      ['1 field', () => ['x']],
      ['1,000 fields', () => Array.from({ length: 1000 }, () => 'x')],
      ['numbers for strings', () => goodRow(1).map((v, i) => (i === 4 || i === 6 ? Number(v) : v))],
      [
        'null field',
        () => {
          const r: unknown[] = goodRow(1);
          r[2] = null;
          return r;
        },
      ],
      [
        'nested array field',
        () => {
          const r: unknown[] = goodRow(1);
          r[2] = ['a'];
          return r;
        },
      ],
    ];
    for (const [label, make] of shapes)
      for (const at of positions) add(`row of ${label} ${at} of 11 rows`, () => withBad(10, at, [make()]));
    for (const at of positions)
      add(`row that is an object ${at} of 11 rows`, () => withBad(10, at, [{ a: 1 } as unknown as unknown[]]));
    for (const at of positions)
      add(`row that is a string ${at} of 11 rows`, () => withBad(10, at, ['abc' as unknown as unknown[]]));
    // Huge rows: a 10 MB original, a 1 MB urlkey, 100,000 rows of which every tenth is bad.
    for (const mb of env.quick ? [1] : [1, 10]) {
      add(`original of ${mb} MB`, () => {
        const r = goodRow(9999);
        r[orig] = `https://www.hkcnews.com/${'a'.repeat(mb * 1e6)}`;
        return { ...withBad(10, 'middle', [r]), orGood: 11 };
      });
      add(`urlkey of ${mb} MB`, () => {
        const r = goodRow(9999);
        r[0] = 'k'.repeat(mb * 1e6);
        return { rows: [HEADER, ...withBad(10, 'middle', []).rows.slice(1), r], good: 11, orGood: 10 };
      });
    }
    add(`${env.quick ? '10,000' : '100,000'} rows, every tenth bad`, () => {
      const n = env.quick ? 10_000 : 100_000;
      const rows: unknown[][] = [HEADER];
      let good = 0;
      for (let i = 0; i < n; i++) {
        const r = goodRow(i);
        if (i % 10 === 9) r[ts] = BAD_TIMESTAMPS[i % BAD_TIMESTAMPS.length]!;
        else good++;
        rows.push(r);
      }
      return { rows, good };
    });
    // Random mixes: rows good or bad in any field, with a resume key at the end.
    const rand = prng(404);
    for (let k = 0; k < (env.quick ? 10 : 60); k++) {
      add(`random mix ${k + 1}`, () => {
        const n = 1 + below(rand, 300);
        const rows: unknown[][] = [HEADER];
        let good = 0;
        for (let i = 0; i < n; i++) {
          const r = goodRow(i);
          const roll = rand();
          if (roll < 0.15) r[ts] = pick(rand, BAD_TIMESTAMPS);
          else if (roll < 0.25) r[orig] = pick(rand, BAD_ORIGINALS);
          else if (roll < 0.3) {
            const [field, value] = pick(rand, BAD_NUMBERS);
            r[CDX_FIELDS.indexOf(field)] = value;
          } else if (roll < 0.33) r.pop();
          else good++;
          rows.push(r);
        }
        rows.push([], ['resume-key-' + k]);
        return { rows, good, resumeKey: 'resume-key-' + k };
      });
    }
    // Answers that are not a CDX document: refusing them as a whole (and retrying) is right.
    const whole: [string, string][] = [
      ['cut short', JSON.stringify([HEADER, goodRow(1), goodRow(2)]).slice(0, 150)],
      ['not an array', '{"a":1}'],
      ['no header row', JSON.stringify([goodRow(1)])],
      ['header lacks a field', JSON.stringify([HEADER.slice(0, 5), goodRow(1).slice(0, 5)])],
      ['header of numbers', JSON.stringify([[1, 2, 3, 4, 5, 6, 7], goodRow(1)])],
      ['HTML error page', '<html><body>Internal Server Error</body></html>'],
      ['NUL bytes', '\u0000'.repeat(1000)],
      ['deeply nested array', '['.repeat(100_000) + ']'.repeat(100_000)],
      ['empty row then two keys', JSON.stringify([HEADER, goodRow(1), [], ['a'], ['b']])],
      ['BOM then JSON', '\ufeff' + JSON.stringify([HEADER, goodRow(1)])],
    ];
    for (const [label, raw] of whole) add(`answer ${label}`, () => ({ rows: [], good: 0, raw, malformed: true }));
    add('answer [] (no captures)', () => ({ rows: [], good: 0, raw: '[]' }));
    add('answer header only', () => ({ rows: [HEADER], good: 0 }));
    return out;
  },
};
