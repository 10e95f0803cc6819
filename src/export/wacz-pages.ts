/**
 * What a WACZ publishes of the articles (wacz.ts): pages.jsonl, one entry per article whose
 * capture the index holds, and what takedowns leave out.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import { parseArchiveFile, readTakedowns, takedownListHash } from '../markdown/index.js';
import { isoToTimestamp, parseMemento, timestampToIso } from '../memento.js';
import { SEARCH_INDEX_FILE, SearchIndex } from '../search/index.js';
import { captureKey, MediaStore } from '../store/index.js';
import { CdxjTable } from './wacz-index.js';

/** What pageLines counts and reports: entries written, article files left out (the first `maxListed`) and their number. */
export interface PagesTally {
  count: number;
  leftOut: { path: string; reason: string }[];
  leftOutCount: number;
  maxListed: number;
}

/** What {@link pageLines} needs besides the files. */
export interface PageLinesOptions {
  /** The list's title (its header line). */
  title: string;
  /** The index table's file (wacz-index.ts `CdxjTable`), opened read-only to look captures up. */
  tableFile: string;
  /** Whether entries carry the article's text. */
  text: boolean;
  /** Counts what was written and left out. */
  tally: PagesTally;
  signal?: AbortSignal | undefined;
  onProgress: (done: number, of: number) => void;
}

/**
 * pages.jsonl (WACZ 1.1.1, "pages.jsonl"): a header, then one page per article file whose
 * capture is in the index, in id order: `id`, `url` (the original URL, as its record spells it),
 * `ts` (RFC 3339), `title`, and with `text` the body as plain text (as `salvage export` and the
 * search index have it). A page the index cannot answer would be a dead entry in a replay's page
 * list: it is left out and reported.
 */
export async function* pageLines(
  dir: string,
  files: readonly { id: number; path: string }[],
  { title, tableFile, text, tally: pages, signal, onProgress }: PageLinesOptions,
): AsyncGenerator<string> {
  // A header of the json-pages-1.0 format; `hasText` tells ReplayWeb.page the entries carry text to search.
  yield `${JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title, ...(text ? { hasText: true } : {}) })}\n`;
  // Its own connection: the index's lines are read through the table's while these are looked up.
  const lookup = new CdxjTable(tableFile, true);
  const leftOut = (path: string, reason: string): void => {
    if (pages.leftOutCount++ < pages.maxListed) pages.leftOut.push({ path, reason });
  };
  try {
    let done = 0;
    for (const { id, path } of files) {
      onProgress(++done, files.length);
      signal?.throwIfAborted();
      let f;
      try {
        f = parseArchiveFile(await readFile(join(dir, path), 'utf8'), path);
      } catch (error) {
        leftOut(path, (error as Error).message);
        continue;
      }
      // The capture time: `captured_at`, or the memento `url`'s 14 digits in files without it
      // (FORMAT.md's minimal frontmatter, the existing public archive's files).
      const memento = f.url === undefined ? undefined : parseMemento(f.url)?.timestamp;
      const ts =
        (f.capturedAt === undefined ? undefined : isoToTimestamp(f.capturedAt)) ??
        (memento !== undefined && timestampToIso(memento) !== undefined ? memento : undefined);
      if (f.originalUrl === undefined || ts === undefined) {
        leftOut(path, 'its frontmatter names no original_url and capture time (captured_at or url)');
        continue;
      }
      // The page names the record's own URL: a replay looks it up as the index spells it. The
      // file's original_url is the CDX index's spelling, which may differ from the record's in
      // what the Wayback treats as one URL (percent-escape case, `www.`): the same capture key.
      const held = lookup
        .linesAt(captureKey(f.originalUrl), ts)
        .map((line) => (JSON.parse(line.slice(line.indexOf(' {') + 1)) as { url: string }).url);
      const url = held.find((u) => u === f.originalUrl) ?? held[0];
      if (url === undefined) {
        leftOut(path, `its capture (${ts} ${f.originalUrl}) is not in the archive's WARCs`);
        continue;
      }
      pages.count++;
      const page = { id: String(id), url, ts: timestampToIso(ts), title: f.title };
      yield `${JSON.stringify(text ? { ...page, text: f.text } : page)}\n`;
    }
  } finally {
    lookup.close();
  }
}

/**
 * The articles taken down (takedowns.yaml) and the capture keys to leave out for them: each
 * one's page (its original URL) and the images it shows. A WACZ is a publication, so it follows
 * the reader's rule (README, "Takedowns"): the list must be applied by `salvage index`, whose
 * index knows each article's URL and images even when its file is gone.
 */
export function withheldCaptures(dir: string): { takenDown: number[]; withheldKeys: Set<string> } {
  const list = readTakedowns(dir);
  if (list.length === 0) return { takenDown: [], withheldKeys: new Set() };
  if (!existsSync(join(dir, SEARCH_INDEX_FILE)))
    throw new SalvageError(
      'CONFIG_INVALID',
      `${dir} lists takedowns but has no search index: run salvage index ${dir} first, so the WACZ leaves them out`,
      { subject: dir },
    );
  const index = SearchIndex.openDir(dir, { readonly: true });
  const keys = new Set<string>();
  try {
    if (takedownListHash(list) !== index.takedownListHash())
      throw new SalvageError(
        'CONFIG_INVALID',
        `the takedowns of ${dir} are not applied yet: run salvage index ${dir} first, so the WACZ leaves them out`,
        { subject: dir },
      );
    for (const t of index.takedowns()) {
      if (t.originalUrl === undefined)
        throw new SalvageError(
          'CONFIG_INVALID',
          `article ${t.id} is taken down but its original URL is unknown (its file was gone when it was indexed): the WACZ cannot tell its captures apart`,
          { subject: dir },
        );
      keys.add(captureKey(t.originalUrl));
    }
    const media = MediaStore.openExisting(dir);
    try {
      for (const key of index.takenDownImages()) {
        for (const row of media?.rowsOfKey(key) ?? []) {
          keys.add(captureKey(row.url));
          if (row.captureUrl !== undefined) keys.add(captureKey(row.captureUrl));
        }
      }
    } finally {
      media?.close();
    }
  } finally {
    index.close();
  }
  return { takenDown: list.map((t) => t.id).sort((a, b) => a - b), withheldKeys: keys };
}
