/**
 * A small indexed archive for reader tests: a revision group, a tag containing `/`, a hostile
 * article (script and onerror payloads, a title with quotes and markup), an undated page, an
 * article whose original URL has a U+FFFD slug, and enough articles in one tag to page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex } from '../../src/search/index.js';

export interface FixtureArticle {
  id: number;
  title: string;
  date?: string;
  author?: string;
  category?: string;
  tags?: string[];
  /** Markdown body after the `# title` line. */
  body: string;
  /** Original URL as the CDX index spells it; default `https://www.hkcnews.com/article/<id>/x`. */
  originalUrl?: string;
  lastUpdated?: string;
  /** 14-digit capture timestamp; default 20210628174710. */
  timestamp?: string;
}

const q = (s: string): string => JSON.stringify(s); // JSON string escapes are valid YAML double-quoted escapes

/** One archive file in FORMAT.md shape. */
export function articleFile(a: FixtureArticle): string {
  const original = a.originalUrl ?? `https://www.hkcnews.com/article/${a.id}/x`;
  const ts = a.timestamp ?? '20210628174710';
  const lines = ['---', `title: ${q(a.title)}`];
  if (a.date !== undefined) lines.push(`date: ${q(a.date)}`);
  if (a.lastUpdated !== undefined) lines.push(`last_updated: ${q(a.lastUpdated)}`);
  if (a.author !== undefined) lines.push(`author: ${q(a.author)}`);
  if (a.category !== undefined) lines.push(`category: ${q(a.category)}`);
  if (a.tags !== undefined && a.tags.length > 0) lines.push('tags:', ...a.tags.map((t) => `  - ${q(t)}`));
  lines.push(
    `url: ${q(`https://web.archive.org/web/${ts}/${original}`)}`,
    `original_url: ${q(original)}`,
    `id: ${q(String(a.id))}`,
    'site: "hkcnews"',
    `captured_at: ${q(`${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`)}`,
    `sha256: ${q('ab'.repeat(32))}`,
    '---',
    '',
    `# ${a.title}`,
    '',
    a.body.trim(),
  );
  return `${lines.join('\n')}\n`;
}

/** Write the articles into `dir` (archive layout) and index them; throws if any fails to index. */
export function writeFixtureArchive(dir: string, articles: readonly FixtureArticle[]): void {
  for (const a of articles) {
    const lo = Math.floor((a.id - 1) / 1000) * 1000 + 1;
    const bucket = join(dir, 'articles', `${lo}-${lo + 999}`);
    mkdirSync(bucket, { recursive: true });
    writeFileSync(join(bucket, `article_${a.id}.md`), articleFile(a));
  }
  const progress = buildIndex(dir);
  if (progress.failed.length > 0) throw new Error(`fixture not indexed: ${JSON.stringify(progress.failed)}`);
}

export const HOSTILE_TITLE = `He said "hi" & <b>bold</b> 'x' </script>`;
export const SLASH_TAG = 'AC/DC';
export const FFFD_URL = 'https://www.hkcnews.com/article/107/%EF%BF%BD%EF%BF%BD%EF%BF%BD-107/%EF%BF%BD%EF%BF%BD';
/** Articles carrying the paging tag (more than one page of 50). */
export const PAGED_TAG = '連載';
export const PAGED_COUNT = 55;

export const FIXTURE_ARTICLES: readonly FixtureArticle[] = [
  {
    id: 101,
    title: '衞生署公布確診個案',
    date: '2020-03-01',
    author: '記者林勵',
    category: '眾聞',
    tags: ['立法會', SLASH_TAG],
    lastUpdated: '2020-03-01 10:00:00',
    body: '<figure>\n<img src="https://web.archive.org/web/20210628174710im_/https://www.hkcnews.com/a.jpg" alt="">\n<figcaption>衞生署記者會。</figcaption>\n</figure>\n\n衞生署今日公布新增確診個案，港鐵綫路正常。',
  },
  {
    id: 105,
    title: '衞生署公布確診個案',
    date: '2020-03-01',
    author: '記者林勵',
    category: '眾聞',
    tags: ['立法會'],
    lastUpdated: '2020-03-01 12:00:00',
    body: '衞生署今日公布新增確診個案，港鐵綫路正常運作。',
  },
  {
    id: 103,
    title: HOSTILE_TITLE,
    date: '2021-05-02',
    author: '作者 "引號"',
    category: '眾說',
    tags: ['<script>'],
    body: 'Before <script>alert(1)</script> after.\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) 香港',
  },
  {
    id: 104,
    title: '三年前的今天',
    date: '2019-03-01',
    author: '眾新聞記者',
    category: '眾說',
    body: '議員在立法會辯論財政預算案。',
  },
  { id: 106, title: '眾新聞告別　感謝讀者', body: '告別。' },
  {
    id: 107,
    title: '標題亂碼的網址',
    date: '2021-05-03',
    author: '眾新聞記者',
    category: '眾聞',
    originalUrl: FFFD_URL,
    body: '網址的標題部分已變成亂碼。',
  },
  ...Array.from({ length: PAGED_COUNT }, (_, i): FixtureArticle => ({
    id: 1001 + i,
    title: `連載第 ${i + 1} 篇`,
    date: `2018-01-${String((i % 28) + 1).padStart(2, '0')}`,
    author: '連載作者',
    category: '眾說',
    tags: [PAGED_TAG],
    body: `第 ${i + 1} 篇的內容。`,
  })),
];

/** Write the fixture archive and its index into a new temp folder. */
export function createFixtureArchive(articles: readonly FixtureArticle[] = FIXTURE_ARTICLES): {
  dir: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-reader-test-'));
  writeFixtureArchive(dir, articles);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
