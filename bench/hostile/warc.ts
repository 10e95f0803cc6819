/**
 * Hostile WARC files, fed to `salvage extract`'s code path in-process (`runExtract` from
 * src/cli/extract-command.ts, which reads with the store's `readWarcCaptures` and extracts every
 * capture) and to `readWarcCaptures` alone. Issue 12: a damaged gzip member dropped every intact
 * record after it (exit 0); a truncated WARC lost records silently; a record shorter than its
 * Content-Length was accepted as whole; a 14 MB `.warc.gz` holding a 3 GiB record took 6.45 GB RSS
 * and 93 s before `--max-page-mb` rejected it.
 *
 * The promise checked: every intact record is still read (for `.warc.gz`, the reader resynchronises
 * on the next gzip member), and any damage is reported (a warning, a failed input, or a SalvageError).
 */
import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { runExtract } from '../../src/cli/extract-command.js';
import type { Reporter } from '../../src/cli/output.js';
import { isSalvageError } from '../../src/errors.js';
import { readWarcCaptures } from '../../src/store/index.js';
import {
  below,
  describe,
  HAN,
  pick,
  prng,
  randomBytes,
  type Env,
  type HostileInput,
  type Outcome,
  type Runner,
  type Surface,
} from './common.js';

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const CRLF = '\r\n';

/** A WARC file: its bytes (or a writer for huge ones), how many capture records in it are intact, and whether it is damaged. */
interface WarcFile {
  gz: boolean;
  /** Parts: plain records are joined; with `gz`, each part is its own gzip member (already compressed if a Buffer marked raw). */
  bytes: Buffer;
  intact: number;
  damaged: boolean;
}

interface RecordOptions {
  url?: string;
  date?: string;
  type?: string;
  /** Override Content-Length (a lie). */
  contentLength?: string;
  extraWarcHeaders?: string;
  /** The HTTP block; default a small article page. */
  http?: Buffer;
}

function articleHtml(i: number): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>報道 ${i}</title><link rel="canonical" href="https://news.example.com/2020/01/02/story-${i}.html"></head>` +
    `<body><article><h1>報道 ${i}</h1><p>${HAN.slice(i % 200, (i % 200) + 60)}。</p></article></body></html>`
  );
}

function httpBlock(body: Buffer | string, extraHeaders = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${extraHeaders}Content-Length: ${b.length}${CRLF}${CRLF}`,
    ),
    b,
  ]);
}

/** One uncompressed WARC/1.1 record. */
function record(i: number, o: RecordOptions = {}): Buffer {
  const block = o.http ?? httpBlock(articleHtml(i));
  const head = [
    'WARC/1.1',
    `WARC-Type: ${o.type ?? 'response'}`,
    `WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}>`,
    `WARC-Date: ${o.date ?? '2021-06-28T17:47:10Z'}`,
    `WARC-Target-URI: ${o.url ?? `https://news.example.com/2020/01/02/story-${i}.html`}`,
    'Content-Type: application/http; msgtype=response',
    `Content-Length: ${o.contentLength ?? block.length}`,
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head + CRLF + (o.extraWarcHeaders ?? '') + CRLF), block, Buffer.from(CRLF + CRLF)]);
}

/** Records → file bytes: one gzip member per record, or plain. */
function pack(records: Buffer[], gz: boolean): Buffer {
  return Buffer.concat(gz ? records.map((r) => gzipSync(r)) : records);
}

const records = (n: number, start = 0): Buffer[] => Array.from({ length: n }, (_, i) => record(start + i));

/** Write `size` bytes of zeros as one record's payload, in one gzip member, streaming (never in memory). */
async function writeBomb(
  path: string,
  size: number,
  o: { before?: number; after?: number; declared?: number } = {},
): Promise<void> {
  const httpHead = Buffer.from(
    `HTTP/1.1 200 OK${CRLF}Content-Type: text/html${CRLF}Content-Length: ${size}${CRLF}${CRLF}`,
  );
  const warcHead = Buffer.from(
    [
      'WARC/1.1',
      'WARC-Type: response',
      'WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-b0b0b0b0b0b0>',
      'WARC-Date: 2021-06-28T17:47:10Z',
      'WARC-Target-URI: https://news.example.com/2020/01/02/bomb.html',
      'Content-Type: application/http; msgtype=response',
      `Content-Length: ${o.declared ?? httpHead.length + size}`,
    ].join(CRLF) +
      CRLF +
      CRLF,
  );
  const out = createWriteStream(path);
  for (const r of records(o.before ?? 0)) out.write(gzipSync(r));
  const zeros = Buffer.alloc(4 * MIB);
  function* source(): Generator<Buffer> {
    yield warcHead;
    yield httpHead;
    for (let left = size; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
    yield Buffer.from(CRLF + CRLF);
  }
  // Level 1: ~4.6 MB of gzip per GiB of zeros (the issue's 14 MB file for 3 GiB), written in ~1.5 s per GiB.
  await pipeline(source(), createGzip({ level: 1 }), out, { end: false });
  await new Promise<void>((ok, fail) =>
    out.end(pack(records(o.after ?? 0, 100), true), () => ok()).once('error', fail),
  );
}

/** `salvage extract`'s path on one file: every intact record read, damage reported. */
async function check(path: string, file: Pick<WarcFile, 'intact' | 'damaged'>): Promise<Outcome> {
  let pages = 0;
  let warnings = 0;
  const report: Reporter = {
    stdout: () => {
      pages++;
    },
    warn: () => {
      warnings++;
    },
    explain: () => {},
    progress: () => {},
    done: () => {},
  };
  let refused: string | undefined;
  let failed = 0;
  try {
    const totals = await runExtract(
      [path],
      { format: 'jsonl', summary: false, frontmatter: 'full', maxPageMb: 20 },
      report,
    );
    failed = totals.failed;
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    refused = describe(error);
  }
  const problems: string[] = [];
  if (pages < file.intact) problems.push(`extract read ${pages} of ${file.intact} intact records`);
  if (file.damaged && warnings === 0 && failed === 0 && refused === undefined)
    problems.push('damage not reported (no warning, no failure, exit 0)');
  return problems.length > 0
    ? { verdict: 'wrong', detail: problems.join('; ') }
    : { verdict: 'ok', ...(refused ? { detail: `refused: ${refused}` } : {}) };
}

/** The store's reader alone: every intact record yielded (damage may end it with a SalvageError). */
async function checkStore(path: string, file: Pick<WarcFile, 'intact'>): Promise<Outcome> {
  let read = 0;
  try {
    for await (const capture of readWarcCaptures(path)) {
      void capture;
      read++;
    }
  } catch (error) {
    if (!isSalvageError(error)) throw error;
    if (read < file.intact)
      return {
        verdict: 'wrong',
        detail: `readWarcCaptures yielded ${read} of ${file.intact} intact records, then: ${describe(error)}`,
      };
    return { verdict: 'ok', detail: `refused: ${describe(error)}` };
  }
  if (read < file.intact)
    return { verdict: 'wrong', detail: `readWarcCaptures yielded ${read} of ${file.intact} intact records` };
  return { verdict: 'ok' };
}

/** Flip `n` bytes in the middle of `buf[from, to)` (deterministic). */
function damage(buf: Buffer, from: number, to: number, n = 16): Buffer {
  const out = Buffer.from(buf);
  const at = from + Math.floor((to - from) / 2) - Math.floor(n / 2);
  for (let i = 0; i < n && at + i < to; i++) out[at + i] = out[at + i]! ^ 0xa5;
  return out;
}

export const warcSurface: Surface = {
  name: 'warc',
  entry: 'runExtract (salvage extract, src/cli/extract-command.ts) and readWarcCaptures (src/store)',
  inputs(env: Env) {
    const out: HostileInput[] = [];
    let seq = 0;
    /** Each file through both entry points: `salvage extract` and the store's reader alone. */
    const add = (name: string, make: () => WarcFile, options: { alone?: boolean } = {}): void => {
      for (const entry of ['extract', 'store'] as const) {
        out.push({
          name: `${name} [${entry}]`,
          ...(options.alone ? { alone: true } : {}),
          prepare: (): Runner => {
            const file = make();
            const path = join(env.work, `input-${seq++}.warc${file.gz ? '.gz' : ''}`);
            writeFileSync(path, file.bytes);
            return {
              run: () => (entry === 'extract' ? check(path, file) : checkStore(path, file)),
              cleanup: () => rmSync(path, { force: true }),
            };
          },
        });
      }
    };
    const both = [true, false] as const;
    const kind = (gz: boolean): string => (gz ? '.warc.gz' : '.warc');

    // Intact files (the baseline: everything read, nothing reported).
    for (const gz of both)
      for (const n of [1, 10, 100])
        add(`${n} good records ${kind(gz)}`, () => ({ gz, bytes: pack(records(n), gz), intact: n, damaged: false }));

    // A damaged gzip member, at each position, of each kind (the issue: every record after it was lost).
    const members = (n: number): Buffer[] => records(n).map((r) => gzipSync(r));
    const damageKinds: [string, (m: Buffer) => Buffer][] = [
      ['deflate data', (m) => damage(m, 10, m.length - 8)],
      [
        'gzip header',
        (m) => {
          const c = Buffer.from(m);
          c[0] = 0;
          c[1] = 0;
          return c;
        },
      ],
      ['CRC trailer', (m) => damage(m, m.length - 8, m.length, 4)],
      [
        'missing middle',
        (m) => Buffer.concat([m.subarray(0, Math.floor(m.length / 3)), m.subarray(Math.floor((2 * m.length) / 3))]),
      ],
      ['cut short', (m) => m.subarray(0, Math.floor(m.length / 2))],
    ];
    for (const n of env.quick ? [10] : [10, 42]) {
      for (const [label, hurt] of damageKinds) {
        for (const k of [...new Set([0, 1, Math.floor(n / 2), n - 2, n - 1])]) {
          add(`${n} records, member ${k + 1} damaged (${label})`, () => {
            const ms = members(n);
            ms[k] = hurt(ms[k]!);
            return { gz: true, bytes: Buffer.concat(ms), intact: n - 1, damaged: true };
          });
        }
      }
      add(`${n} records, every third member damaged`, () => {
        const ms = members(n).map((m, i) => (i % 3 === 1 ? damage(m, 10, m.length - 8) : m));
        return { gz: true, bytes: Buffer.concat(ms), intact: n - Math.floor((n + 1) / 3), damaged: true };
      });
      add(`${n} records, junk between members`, () => {
        const ms = members(n);
        ms.splice(Math.floor(n / 2), 0, randomBytes(prng(n), 5000));
        return { gz: true, bytes: Buffer.concat(ms), intact: n, damaged: true };
      });
    }

    // Truncated files (the issue: rebuild gave 21 of 39, exit 0).
    for (const gz of both) {
      for (const f of env.quick ? [0.5] : [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
        add(`39 records ${kind(gz)} truncated at ${f * 100}%`, () => {
          const parts = gz ? members(39) : records(39);
          const full = Buffer.concat(parts);
          let cut = Math.floor(full.length * f);
          let end = 0;
          let whole = 0;
          for (const p of parts) {
            if (end + p.length <= cut) {
              end += p.length;
              whole++;
            } else break;
          }
          if (cut === end) cut += 7; // inside a record, never on a boundary
          return { gz, bytes: full.subarray(0, cut), intact: whole, damaged: true };
        });
      }
    }

    // A record shorter than its Content-Length (first, middle, last), and one longer.
    for (const gz of both) {
      for (const at of ['first', 'middle', 'last'] as const) {
        // Short by more than the 4-byte record trailer: by 1–4 the record only takes its own trailer, which no reader can tell.
        for (const extra of env.quick ? [100] : [10, 100, 1_000_000]) {
          add(`record ${at} of 10 shorter than Content-Length by ${extra} ${kind(gz)}`, () => {
            const k = at === 'first' ? 0 : at === 'middle' ? 5 : 9;
            const rs = records(10);
            const block = httpBlock(articleHtml(k));
            rs[k] = record(k, { contentLength: String(block.length + extra) });
            return { gz, bytes: pack(rs, gz), intact: k, damaged: true };
          });
        }
        add(`record ${at} of 10 longer than Content-Length ${kind(gz)}`, () => {
          const k = at === 'first' ? 0 : at === 'middle' ? 5 : 9;
          const rs = records(10);
          const block = httpBlock(articleHtml(k));
          rs[k] = record(k, { contentLength: String(block.length - 50) });
          return { gz, bytes: pack(rs, gz), intact: k, damaged: true };
        });
      }
    }

    // Gzip bombs: zeros as one record's payload, written by streaming deflate (never in memory).
    const bombSize = env.quick ? 256 * MIB : 3 * GIB;
    const bomb = (
      name: string,
      size: number,
      o: { before?: number; after?: number; declared?: number },
      intact: number,
      bound?: { ms: number; rssMb: number },
    ): void => {
      out.push({
        name,
        alone: true,
        ...(bound ? { bound } : {}),
        prepare: async (): Promise<Runner> => {
          const path = join(env.work, `bomb-${seq++}.warc.gz`);
          await writeBomb(path, size, o);
          return { run: () => check(path, { intact, damaged: false }), cleanup: () => rmSync(path, { force: true }) };
        },
      });
    };
    const label = (n: number): string => (n >= GIB ? `${n / GIB} GiB` : `${n / MIB} MiB`);
    bomb(`${label(bombSize)} zero-payload record in one gzip member (issue 12)`, bombSize, {}, 0, {
      ms: 5000,
      rssMb: 500,
    });
    bomb(`${label(bombSize)} bomb between 5 and 5 good records`, bombSize, { before: 5, after: 5 }, 10, {
      ms: 5000,
      rssMb: 500,
    });
    if (!env.quick) {
      bomb('1 GiB bomb after 1 good record', GIB, { before: 1 }, 1);
      bomb('1 GiB bomb whose Content-Length says 100 bytes', GIB, { declared: 100, after: 2 }, 0);
      bomb('100 MiB zero payload', 100 * MIB, { after: 1 }, 1);
      bomb('21 MiB zero payload (just over --max-page-mb)', 21 * MIB, { after: 1 }, 1);
    }

    // Huge header lines and absurd header values.
    const big = (n: number): string => 'a'.repeat(n);
    // `valid`: a well-formed record (it and the 3 after it are read); `broken`: damage to report;
    // `either`: a bounded reader may read it or refuse it (only the 3 records after it, in a .gz, must be read).
    const hugeHeaders: [string, () => Buffer, 'valid' | 'either' | 'broken'][] = [
      ['WARC-Target-URI of 1 MiB', () => record(0, { url: `https://news.example.com/${big(MIB)}` }), 'either'],
      ['WARC-Target-URI of 16 MiB', () => record(0, { url: `https://news.example.com/${big(16 * MIB)}` }), 'either'],
      [
        'WARC header line of 64 MiB without end',
        () => Buffer.from(`WARC/1.1${CRLF}WARC-Type: response${CRLF}X-Junk: ${big(64 * MIB)}`),
        'broken',
      ],
      ['100,000 WARC headers', () => record(0, { extraWarcHeaders: `X-A: b${CRLF}`.repeat(100_000) }), 'either'],
      [
        'HTTP status line of 16 MiB',
        () => record(0, { http: Buffer.from(`HTTP/1.1 200 ${big(16 * MIB)}${CRLF}${CRLF}<p>x</p>`) }),
        'either',
      ],
      [
        'HTTP header of 16 MiB',
        () => record(0, { http: httpBlock(articleHtml(0), `X-Big: ${big(16 * MIB)}${CRLF}`) }),
        'either',
      ],
      [
        '100,000 HTTP headers',
        () => record(0, { http: httpBlock(articleHtml(0), `Set-Cookie: a=b${CRLF}`.repeat(100_000)) }),
        'either',
      ],
      ['Content-Length 99999999999999999999', () => record(0, { contentLength: '99999999999999999999' }), 'broken'],
      ['Content-Length -1', () => record(0, { contentLength: '-1' }), 'broken'],
      ['Content-Length abc', () => record(0, { contentLength: 'abc' }), 'broken'],
      ['Content-Length 1e9', () => record(0, { contentLength: '1e9' }), 'broken'],
      ['WARC-Date 2020-13-45', () => record(0, { date: '2020-13-45T99:99:99Z' }), 'either'],
      ['WARC-Date empty', () => record(0, { date: '' }), 'either'],
      ['WARC-Target-URI javascript:', () => record(0, { url: 'javascript:alert(1)' }), 'valid'],
      [
        'WARC-Target-URI of 60,000 characters',
        () => record(0, { url: `https://news.example.com/${big(60_000)}` }),
        'valid',
      ],
      ['WARC-Target-URI with CRLF', () => record(0, { url: `https://news.example.com/a\r\nX-Injected: 1` }), 'either'],
      [
        'WARC version 99',
        () => Buffer.from(record(0).toString('latin1').replace('WARC/1.1', 'WARC/99.0'), 'latin1'),
        'either',
      ],
      ['unknown record type of 10,000 characters', () => record(0, { type: 'x'.repeat(10_000) }), 'either'],
      ['HTTP block that is not HTTP', () => record(0, { http: Buffer.from('not http at all') }), 'either'],
      [
        'HTTP chunked body, broken',
        () =>
          record(0, {
            http: Buffer.from(`HTTP/1.1 200 OK${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}zz${CRLF}abc`),
          }),
        'valid',
      ],
      [
        'HTTP gzip body, broken',
        () =>
          record(0, {
            http: Buffer.concat([
              Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Encoding: gzip${CRLF}${CRLF}`),
              Buffer.from([0x1f, 0x8b, 8, 0]),
              randomBytes(prng(9), 1000),
            ]),
          }),
        'valid',
      ],
    ];
    for (const [label, make, how] of hugeHeaders) {
      for (const gz of both) {
        if (env.quick && !gz) continue;
        add(`${label} ${kind(gz)}`, () => ({
          gz,
          bytes: pack([make(), ...records(3, 1)], gz),
          intact: how === 'valid' ? 4 : gz ? 3 : 0,
          damaged: how === 'broken',
        }));
      }
    }

    // Garbage: not WARC files at all.
    const garbage: [string, () => Buffer][] = [
      ['empty file', () => Buffer.alloc(0)],
      ['one byte', () => Buffer.from([0x1f])],
      ['gzip magic only', () => Buffer.from([0x1f, 0x8b])],
      ['random 1 KB', () => randomBytes(prng(11), 1000)],
      ['random 1 MB', () => randomBytes(prng(12), 1_000_000)],
      ['random 10 MB', () => randomBytes(prng(13), 10_000_000)],
      ['gzip of random 1 MB', () => gzipSync(randomBytes(prng(14), 1_000_000))],
      ['gzip of "hello"', () => gzipSync('hello')],
      ['WARC version line only', () => Buffer.from(`WARC/1.1${CRLF}`)],
      ['an HTML page', () => Buffer.from(articleHtml(1))],
      ['a zip file header', () => Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(prng(15), 1000)])],
      ['10 MB of CRLF', () => Buffer.from(CRLF.repeat(5_000_000))],
      ['10 MB of NUL', () => Buffer.alloc(10_000_000)],
      [
        'gzip member of a good record then 10 MB random',
        () => Buffer.concat([gzipSync(record(0)), randomBytes(prng(16), 10_000_000)]),
      ],
      ['gzip member of gzip members', () => gzipSync(pack(records(3), true))],
    ];
    for (const [label, make] of garbage) {
      for (const gz of both) {
        const intact = label.startsWith('gzip member of a good') && gz ? 1 : 0;
        add(`${label} as ${kind(gz)}`, () => ({ gz, bytes: make(), intact, damaged: !label.startsWith('empty') }));
      }
    }

    // Uncompressed .warc with junk before, between and after records.
    // `reported`: junk that is damage (blank lines between records are tolerated by WARC readers).
    const junks: [string, Buffer, boolean][] = [
      ['random bytes', randomBytes(prng(17), 1000), true],
      ['1,000 blank lines', Buffer.from(CRLF.repeat(1000)), false],
      ['an HTTP response', Buffer.from(httpBlock('<p>x</p>')), true],
      ['a partial WARC line', Buffer.from('WARC/1.1\r\nWARC-Type: resp'), false],
      ['a 1 MB line', Buffer.from(big(MIB) + CRLF), true],
    ];
    for (const [label, junk, reported] of junks) {
      for (const at of ['start', 'middle', 'end'] as const) {
        add(`.warc with ${label} at the ${at}`, () => {
          const rs = records(10);
          const pos = at === 'start' ? 0 : at === 'middle' ? 5 : 10;
          rs.splice(pos, 0, junk);
          return {
            gz: false,
            bytes: Buffer.concat(rs),
            intact: reported ? pos : pos === 0 ? 0 : pos - 1,
            damaged: reported,
          };
        });
      }
    }

    // Many tiny records, and many records of types that carry no capture.
    // Sizes whose reading fits the 5 s bound on this machine (~1–2 ms a record under load); the hkcnews bench covers 49,118.
    for (const n of env.quick ? [1000] : [1000, 2000]) {
      for (const gz of both) {
        add(
          `${n} tiny records ${kind(gz)}`,
          () => ({
            gz,
            bytes: pack(
              Array.from({ length: n }, (_, i) => record(i, { http: httpBlock('') })),
              gz,
            ),
            intact: n,
            damaged: false,
          }),
          { alone: true },
        );
      }
    }
    add('4,000 request records', () => ({
      gz: true,
      bytes: pack(
        Array.from({ length: 4000 }, (_, i) =>
          record(i, { type: 'request', http: Buffer.from(`GET / HTTP/1.1${CRLF}${CRLF}`) }),
        ),
        true,
      ),
      intact: 0,
      damaged: false,
    }));
    add('4,000 metadata records then 1 response', () => ({
      gz: true,
      bytes: pack([...Array.from({ length: 4000 }, (_, i) => record(i, { type: 'metadata' })), record(1)], true),
      intact: 1,
      damaged: false,
    }));

    // Random mixes: good records, damaged members, truncation, junk.
    const rand = prng(12);
    for (let k = 0; k < (env.quick ? 5 : 30); k++) {
      const seed = below(rand, 2 ** 31);
      add(`random mix ${k + 1}`, () => {
        const r = prng(seed);
        const n = 2 + below(r, 40);
        const ms = members(n);
        let intact = n;
        let damaged = false;
        for (let i = 0; i < n; i++) {
          const roll = r();
          if (roll < 0.1) {
            ms[i] = pick(r, damageKinds)[1](ms[i]!);
            intact--;
            damaged = true;
          } else if (roll < 0.15) {
            ms[i] = Buffer.concat([ms[i]!, randomBytes(r, 1 + below(r, 2000))]);
            damaged = true;
          }
        }
        return { gz: true, bytes: Buffer.concat(ms), intact, damaged };
      });
    }
    return out;
  },
};
