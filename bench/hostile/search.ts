/**
 * Hostile search queries and HTTP requests. An archive of generated articles (deterministic) is
 * written and indexed in the child's temp folder; queries run through `search()` in-process, and
 * the reader is started as `salvage serve DIR --port 0 --workers 1` (from source, on 127.0.0.1) in a
 * process of its own, so a heavy request's effect on a cheap one is measured as a user sees it.
 * Issue 12: a 1,000-character query of 250 mixed-script exclusions took 37.6 s of synchronous CPU and a
 * cheap article request sent meanwhile 37.2 s; unsupported methods got 404 instead of 405.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { buildIndex, search, SearchIndex, type SearchOptions } from '../../src/search/index.js';
import { STYLESHEET } from '../../src/reader/index.js';
import { bucketOf, file } from './archive.js';
import {
  below,
  HAN,
  peakRssMb,
  pick,
  prng,
  resetPeakRss,
  type Env,
  type HostileInput,
  type Outcome,
  type Surface,
} from './common.js';
import { startSalvageServe } from '../shared.js';

/** Articles in the generated archive: enough that common characters match hundreds. */
const ARTICLES = 1500;
/** Issue 12 acceptance: the heavy query ≤ 1 s, a cheap request sent during it ≤ 50 ms. */
const HEAVY_MS = 1000;
const CHEAP_MS = 50;
/** A raw HTTP request with no answer by then counts as a hang. */
const REQUEST_TIMEOUT_MS = 10_000;
const LATIN = 'abcdefghijklmnopqrstuvwxyz';

/** The archive, written and indexed once per child process. */
let archive: string | undefined;
function archiveDir(env: Env): string {
  if (archive !== undefined) return archive;
  const dir = join(env.work, 'archive');
  const rand = prng(31);
  for (let id = 1; id <= (env.quick ? 300 : ARTICLES); id++) {
    const bucket = bucketOf(dir, id);
    mkdirSync(bucket, { recursive: true });
    const words = Array.from({ length: 200 }, () =>
      rand() < 0.9
        ? HAN.slice(below(rand, HAN.length - 4)).slice(0, 1 + below(rand, 4))
        : LATIN.slice(below(rand, 20)).slice(0, 3 + below(rand, 5)),
    ).join('');
    writeFileSync(
      join(bucket, `article_${id}.md`),
      file(id, {
        title: `${HAN.slice(id % 300, (id % 300) + 8)} ${id}`,
        body: `${words}。`,
        fields: { date: JSON.stringify(`20${10 + (id % 12)}-0${1 + (id % 9)}-1${id % 10}`) },
      }),
    );
  }
  buildIndex(dir);
  archive = dir;
  return dir;
}

let index: SearchIndex | undefined;
let server: { proc: ChildProcess; url: string } | undefined;

/** `salvage serve DIR --port 0 --workers 1` from source; resolves with its URL. */
async function startServer(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  if (server !== undefined && server.proc.exitCode === null) return server;
  const started = await startSalvageServe(dir, ['--host', '127.0.0.1', '--workers', '1'], 'ignore');
  server = started;
  // Warm, as a server in use is: the first requests open statements and read the index's pages.
  for (const path of [
    '/',
    `/search/?q=${encodeURIComponent('的')}`,
    `/api/search?q=${encodeURIComponent('一 -是')}`,
    '/article/1/',
  ])
    await fetch(started.url + path).then((r) => r.arrayBuffer());
  return started;
}

async function stopServer(): Promise<void> {
  index?.close();
  index = undefined;
  if (server === undefined) return;
  const { proc } = server;
  server = undefined;
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await new Promise((ok) => proc.once('exit', ok));
}

/** The server died: every later request would fail; say so once. */
function serverGone(): Outcome | undefined {
  return server !== undefined && server.proc.exitCode !== null
    ? { verdict: 'crash', detail: `the server died (exit ${server.proc.exitCode})` }
    : undefined;
}

/** One raw HTTP/1.1 exchange over loopback; resolves with the status (0: closed without an answer) and the body's start. */
function rawRequest(
  url: string,
  request: string | Buffer,
): Promise<{ status: number; head: string; timedOut: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((ok) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    const done = (timedOut: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      ok({ status: m ? Number(m[1]) : 0, head: data.slice(0, 2000), timedOut });
    };
    const timer = setTimeout(() => done(true), REQUEST_TIMEOUT_MS);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length > 4000 || /\r\n\r\n/.test(data)) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('end', () => done(false));
    socket.write(request);
  });
}

/** Mixed-script exclusions like the issue's `-的a -的b …`: 4 characters each. */
function exclusions(n: number, distinct: boolean): string {
  return Array.from({ length: n }, (_, i) => `-${distinct ? HAN[i % HAN.length] : '的'}${LATIN[i % 26]}`).join(' ');
}

function queries(quick: boolean): [string, SearchOptions][] {
  const out: [string, SearchOptions][] = [];
  const q = (name: string, query: string, extra: Partial<SearchOptions> = {}): void => {
    out.push([name, { q: query, limit: 20, ...extra }]);
  };
  q('250 exclusions -的a -的b … (issue 12)', exclusions(250, false));
  q('250 distinct mixed-script exclusions', exclusions(250, true));
  for (const n of quick ? [50, 1000] : [10, 50, 100, 500, 1000, 5000]) {
    q(`${n} exclusions`, exclusions(n, true));
    q(`一 and ${n} exclusions`, `一 ${exclusions(n, true)}`);
    q(`${n} CJK terms`, Array.from({ length: n }, (_, i) => HAN.slice(i % 300, (i % 300) + 1 + (i % 3))).join(' '));
    q(
      `${n} Latin terms`,
      Array.from({ length: n }, (_, i) => `${LATIN[i % 26]}${LATIN[(i * 7) % 26]}${LATIN[(i * 11) % 26]}`).join(' '),
    );
    q(
      `${n} quoted phrases`,
      Array.from({ length: n }, (_, i) => `"${HAN.slice(i % 300, (i % 300) + 3)} ${LATIN[i % 26]}"`).join(' '),
    );
    q(
      `${n} excluded phrases`,
      Array.from({ length: n }, (_, i) => `-"${HAN.slice(i % 300, (i % 300) + 2)}"`).join(' '),
    );
  }
  for (const len of quick ? [10_000, 1_000_000] : [1000, 10_000, 100_000, 1_000_000]) {
    q(`one CJK token of ${len.toLocaleString('en')}`, HAN.repeat(Math.ceil(len / HAN.length)).slice(0, len));
    q(`one Latin token of ${len.toLocaleString('en')}`, 'a'.repeat(len));
    q(`one repeated character ×${len.toLocaleString('en')}`, '的'.repeat(len));
    q(`phrase of ${len.toLocaleString('en')}`, `"${HAN.repeat(Math.ceil(len / HAN.length)).slice(0, len)}"`);
  }
  for (const ch of [
    '"',
    '-',
    '*',
    '(',
    ')',
    ':',
    '^',
    '+',
    '\\',
    "'",
    '{',
    '}',
    'NEAR ',
    'AND ',
    'OR ',
    'NOT ',
    '- ',
    '-"',
    '""',
    '\u0000',
    '\u200b',
    '\u0301',
    '\ud800',
    '🏳️‍🌈',
    '\u202e',
  ]) {
    q(`flood of ${JSON.stringify(ch)} ×10,000`, ch.repeat(10_000));
  }
  for (const inj of [
    '"a" OR "b"',
    'NEAR(的 一, 1)',
    '的*',
    'title:的',
    '{title body}: 的',
    '^的',
    '的 AND 一',
    '的 NOT 一',
    "'; DROP TABLE articles; --",
    '"\'"',
    'rowid:1',
    '* OR *',
    '-*',
    'a" OR 1=1 --',
    '"""',
    '(((((',
    ')))))',
    '的 -的',
    '-的',
    '- -',
    '-""',
    '"" ""',
    'MATCH',
    '0x',
    '\\"',
    'NEAR/3',
    '的 OR 一 OR 是 OR 不',
  ]) {
    q(`FTS syntax ${JSON.stringify(inj)}`, inj);
  }
  // Filters and paging with absurd values (as a URL would bring them: strings, casts).
  const bad = <T>(v: unknown): T => v as T;
  q('limit -1', '的', { limit: -1 });
  q('limit 1e9', '的', { limit: 1e9 });
  q('limit NaN', '的', { limit: NaN });
  q('offset 1e15', '的', { offset: 1e15 });
  q('offset -5', '的', { offset: -5 });
  q('sort bogus', '的', { sort: bad('bogus') });
  q('from 2020-13-45', '的', { from: '2020-13-45' });
  q('to 9999-99-99', '的', { to: '9999-99-99' });
  q('from after to', '的', { from: '2030-01-01', to: '2000-01-01' });
  q('category of 1 MB', '的', { category: '類'.repeat(1e6) });
  q('tag with NUL', '的', { tag: 'a\u0000b' });
  q('group with 250 exclusions', exclusions(250, false), { group: true });
  q('date sort with 250 exclusions', exclusions(250, false), { sort: 'date' });
  // Random mixes.
  const rand = prng(51);
  const atoms = [
    '的',
    '一是',
    'abc',
    '"',
    '-',
    '-的',
    '"的 一"',
    '*',
    ' ',
    '  ',
    'OR',
    'NEAR(',
    ')',
    ':',
    '\u0000',
    '的a',
    '-的a',
  ];
  for (let k = 0; k < (quick ? 10 : 80); k++) {
    const n = 1 + below(rand, 600);
    q(
      `random mix ${k + 1} (${n} atoms)`,
      Array.from({ length: n }, () => pick(rand, atoms)).join(pick(rand, [' ', ''])),
    );
  }
  return out;
}

export const searchSurface: Surface = {
  name: 'search',
  entry:
    'search() on a generated index; the 250-exclusion query over HTTP with a cheap request during it (salvage serve --workers 1)',
  inputs(env) {
    const out: HostileInput[] = queries(env.quick).map(([name, options]) => ({
      name,
      ...(name.includes('(issue 12)') ? { bound: { ms: HEAVY_MS } } : {}),
      prepare: () => {
        index ??= SearchIndex.openDir(archiveDir(env), { readonly: true });
        const idx = index;
        return {
          run: () => {
            search(idx, options);
          },
        };
      },
    }));
    // A heavy request over HTTP, and a cheap one sent 20 ms later: both timed from the client.
    const heavy: [string, string][] = [
      ['250 exclusions, /api/search (issue 12)', `/api/search?q=${encodeURIComponent(exclusions(250, false))}`],
      ['250 exclusions, /search/ page', `/search/?q=${encodeURIComponent(exclusions(250, false))}`],
      ['250 distinct exclusions, /api/search', `/api/search?q=${encodeURIComponent(exclusions(250, true))}`],
      [
        '1,000 CJK terms, /api/search',
        `/api/search?q=${encodeURIComponent(Array.from({ length: 1000 }, (_, i) => HAN.slice(i % 300, (i % 300) + 2)).join(' '))}`,
      ],
      ['100,000-character token, /search/', `/search/?q=${encodeURIComponent('的'.repeat(100_000).slice(0, 2000))}`],
      ['的 grouped, date order', `/search/?q=${encodeURIComponent('的')}&group=1&sort=date`],
    ];
    for (const [i, [label, path]] of heavy.entries()) {
      for (const cheap of ['article page', 'stylesheet'] as const) {
        out.push({
          name: `concurrent: ${label} + ${cheap}`,
          prepare: async () => {
            const { proc, url } = await startServer(archiveDir(env));
            const cheapPath =
              cheap === 'stylesheet'
                ? STYLESHEET.path
                : `/article/${100 + i * 7 + (cheap === 'article page' ? 1 : 0)}/`;
            return {
              run: async (): Promise<Outcome> => {
                resetPeakRss(proc.pid);
                const t0 = performance.now();
                const heavyDone = fetch(url + path).then(async (r) => {
                  await r.arrayBuffer();
                  return { status: r.status, ms: performance.now() - t0 };
                });
                await new Promise((ok) => setTimeout(ok, 20));
                const t1 = performance.now();
                const c = await fetch(url + cheapPath);
                await c.arrayBuffer();
                const cheapMs = performance.now() - t1;
                const h = await heavyDone;
                const gone = serverGone();
                if (gone) return gone;
                const metrics = {
                  'heavy request': { value: h.ms, limit: HEAVY_MS, unit: 'ms' as const },
                  'cheap request during it': { value: cheapMs, limit: CHEAP_MS, unit: 'ms' as const },
                };
                if (h.status >= 500 || c.status >= 500)
                  return { verdict: 'crash', detail: `HTTP ${h.status} / ${c.status}`, metrics };
                return { verdict: 'ok', rssMb: peakRssMb(proc.pid), metrics };
              },
            };
          },
        });
      }
    }
    return out;
  },
  close: stopServer,
};

/** Raw requests: [name, request bytes, check]. `expect` returns a problem, or undefined. */
type Expect = (status: number, head: string) => string | undefined;
const anyAnswer: Expect = () => undefined;
const methodRefused: Expect = (status, head) =>
  status === 405 && /\r\nallow:/i.test(head)
    ? undefined
    : status === 501
      ? undefined
      : `answered ${status} (expected 405 with Allow, or 501)`;
/** Path traversal: nothing from outside the archive (this repository's package.json, /etc/passwd). */
const noLeak: Expect = (status, head) =>
  /root:x:0:0|"name": "salvage"|BEGIN [A-Z ]*PRIVATE KEY/.test(head) ? `leaked a file (HTTP ${status})` : undefined;

function httpRequests(quick: boolean): [string, string | Buffer, Expect][] {
  const out: [string, string | Buffer, Expect][] = [];
  /** Non-ASCII characters percent-encoded (as a client sends them); deliberate bad escapes are kept. */
  const ascii = (target: string): string => target.replace(/[^\x00-\x7f]/gu, (c) => encodeURIComponent(c));
  const get = (target: string, headers = ''): string =>
    `GET ${ascii(target)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`;
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    for (const path of ['/', '/article/1/', '/search/?q=的', '/api/search?q=的', STYLESHEET.path])
      out.push([
        `${method} ${path}`,
        `${method} ${ascii(path)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        methodRefused,
      ]);
  }
  for (const method of [
    'OPTIONS',
    'TRACE',
    'CONNECT',
    'PROPFIND',
    'FOO',
    'get',
    'G\u0000ET',
    'X'.repeat(1000),
    'MKCOL',
    'LINK',
    'SEARCH',
    'PURGE',
  ]) {
    out.push([
      `method ${JSON.stringify(method.slice(0, 12))}`,
      `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      anyAnswer,
    ]);
  }
  for (const len of quick ? [8000, 100_000] : [2000, 8000, 16_000, 64_000, 1_000_000]) {
    out.push([`URL of ${len.toLocaleString('en')} characters`, get(`/article/${'1'.repeat(len)}/`), anyAnswer]);
    out.push([
      `query of ${len.toLocaleString('en')} characters`,
      get(`/search/?q=${'%E7%9A%84'.repeat(Math.ceil(len / 9))}`),
      anyAnswer,
    ]);
    out.push([
      `${Math.floor(len / 4).toLocaleString('en')} query parameters`,
      get(`/search/?${'a=1&'.repeat(Math.floor(len / 4))}q=的`),
      anyAnswer,
    ]);
  }
  for (const target of [
    '/%',
    '/%zz',
    '/%ff%fe',
    '/%c0%af',
    '/%00',
    '/article/%E4%B8/',
    '/search/?q=%',
    '/search/?q=%E4%B8',
    '/search/?q=%ED%A0%80',
    '/tag/%ff/',
    '/category/%00/',
    '/lookup/?url=%',
    '/api/search?q=%ff',
    '/date/%32%30%32%30/',
  ]) {
    out.push([`bad percent-encoding ${target}`, get(target), anyAnswer]);
  }
  for (const target of [
    '/../../etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/assets/..%2f..%2fpackage.json',
    '/assets/../../package.json',
    '//etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/%2e%2e%5c%2e%2e%5cpackage.json',
    '/article/1/../../../../etc/passwd',
    '/tag/..%2f..%2f..%2fetc%2fpasswd/',
    '/assets/....//....//package.json',
    '/assets/%252e%252e/package.json',
    '/\\..\\..\\etc\\passwd',
    'http://evil.example/',
    '*',
    'http://127.0.0.1/../../etc/passwd',
  ]) {
    out.push([`traversal ${target}`, get(target), noLeak]);
  }
  for (const target of [
    '/api/search?q=的&limit=-1',
    '/api/search?q=的&limit=1e309',
    '/api/search?q=的&offset=99999999999999999999',
    '/search/?q=的&page=NaN',
    '/search/?q=的&page=-1',
    '/search/?q=的&page=99999999999',
    '/date/9999/99/99/',
    '/date/2020/13/45/',
    '/article/99999999999999999999/',
    '/article/0x10/',
    '/article/-1/',
    `/tag/${'%E6%A8%99'.repeat(3000)}/`,
    '/lookup/?url=javascript:alert(1)',
    '/lookup/?url=//evil.example/',
    '/search/?q=的&from=2020-13-45&to=0000-00-00',
    '/search/?q=的&sort=bogus&group=2',
    '/on-this-day/13-45/',
    '/api/search?q=的&q=一&q=是',
    `/search/?q=${encodeURIComponent(exclusions(250, false))}&page=2`,
  ]) {
    out.push([`odd values ${target.slice(0, 50)}`, get(target), anyAnswer]);
  }
  const headerSets: [string, string][] = [
    ['1,000 headers', Array.from({ length: 1000 }, (_, i) => `X-H${i}: v\r\n`).join('')],
    ['a 100 KB header', `X-Big: ${'a'.repeat(100_000)}\r\n`],
    ['a huge If-None-Match', `If-None-Match: ${'"x", '.repeat(2000)}\r\n`],
    ['If-None-Match *', 'If-None-Match: *\r\n'],
    ['a bad Range', 'Range: bytes=99999999999-1\r\n'],
    ['a bad Accept-Encoding', `Accept-Encoding: ${'gzip;q=0.5, '.repeat(500)}\r\n`],
    ['Content-Length with a GET', 'Content-Length: 5\r\n\r\nhello'],
    ['bad Transfer-Encoding', 'Transfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['Expect: 100-continue', 'Expect: 100-continue\r\n'],
    ['two Host headers', 'Host: evil.example\r\n'],
  ];
  for (const [label, headers] of headerSets) out.push([`headers: ${label}`, get('/search/?q=的', headers), anyAnswer]);
  out.push(['no Host header', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', anyAnswer]);
  out.push(['HTTP/1.0', 'GET / HTTP/1.0\r\n\r\n', anyAnswer]);
  out.push(['HTTP/2.0 request line', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', anyAnswer]);
  out.push(['HTTP/9.9 request line', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', anyAnswer]);
  out.push(['garbage request line', 'this is not http\r\n\r\n', anyAnswer]);
  out.push(['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)), anyAnswer]);
  out.push(['bare LF line ends', 'GET / HTTP/1.1\nHost: x\nConnection: close\n\n', anyAnswer]);
  out.push(['request line with NUL', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', anyAnswer]);
  out.push([
    'TLS ClientHello',
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
    anyAnswer,
  ]);
  // Random targets.
  const rand = prng(61);
  const parts = [
    '/',
    'article',
    'search',
    'tag',
    'date',
    '..',
    '%',
    '%2f',
    '%ff',
    '?q=',
    '&',
    '=',
    '的',
    '-的a',
    '"',
    '#',
    ';',
    '\\',
    '2020',
    '13',
    '00',
  ];
  for (let k = 0; k < (quick ? 10 : 40); k++) {
    const target = '/' + Array.from({ length: 1 + below(rand, 30) }, () => pick(rand, parts)).join('');
    out.push([`random target ${k + 1}`, get(encodeURI(target).replace(/%25/g, '%')), anyAnswer]);
  }
  return out;
}

export const httpSurface: Surface = {
  name: 'http',
  entry: 'raw HTTP/1.1 on loopback to salvage serve --workers 1 (its own process)',
  inputs(env) {
    return httpRequests(env.quick).map(([name, request, expect]) => ({
      name,
      prepare: async () => {
        const { proc, url } = await startServer(archiveDir(env));
        return {
          run: async (): Promise<Outcome> => {
            resetPeakRss(proc.pid);
            const answer = await rawRequest(url, request);
            const gone = serverGone();
            if (gone) return gone;
            const rssMb = peakRssMb(proc.pid);
            if (answer.timedOut)
              return { verdict: 'crash', detail: `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`, rssMb };
            if (answer.status >= 500 && answer.status !== 501 && answer.status !== 505)
              return { verdict: 'crash', detail: `HTTP ${answer.status}`, rssMb };
            const problem = expect(answer.status, answer.head);
            return problem
              ? { verdict: 'wrong', detail: problem, rssMb }
              : { verdict: 'ok', detail: `HTTP ${answer.status || 'closed'}`, rssMb };
          },
        };
      },
    }));
  },
  close: stopServer,
};
