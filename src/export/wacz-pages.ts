/**
 * What a WACZ publishes of the articles (wacz.ts): one page entry per article whose capture the
 * index holds, split into the main pages (`pages/pages.jsonl`) and the rest
 * (`pages/extraPages.jsonl`), and what takedowns leave out.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
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

/** What {@link pageEntries} needs besides the files. */
export interface PageEntriesOptions {
  /** The index table's file (wacz-index.ts `CdxjTable`), opened read-only to look captures up. */
  tableFile: string;
  /** Whether entries carry the article's text. */
  text: boolean;
  /** Counts what was written and left out. */
  tally: PagesTally;
  signal?: AbortSignal | undefined;
  onProgress: (done: number, of: number) => void;
}

/** One page entry: its JSON line and what decides whether it is a main page. */
export interface PageEntry {
  /** The article's publication date as its file states it (ISO 8601), `''` when it states none. */
  date: string;
  id: number;
  /** The entry's JSON line, newline included. */
  line: string;
}

/**
 * A json-pages-1.0 header line (WACZ 1.1.1 "pages.jsonl"). `hasText` tells ReplayWeb.page the
 * entries carry text to search.
 */
export function pagesHeader(id: 'pages' | 'extra-pages', title: string, text: boolean): string {
  return `${JSON.stringify({ format: 'json-pages-1.0', id, title, ...(text ? { hasText: true } : {}) })}\n`;
}

/**
 * The page entries (WACZ 1.1.1, "pages.jsonl"): one per article file whose capture is in the
 * index, in id order: `id`, `url` (the original URL, as its record spells it), `ts` (RFC 3339),
 * `title`, and with `text` the body as plain text (as `salvage export` and the search index have
 * it). A page the index cannot answer would be a dead entry in a replay's page list: it is left
 * out and reported.
 */
export async function* pageEntries(
  dir: string,
  files: readonly { id: number; path: string }[],
  { tableFile, text, tally: pages, signal, onProgress }: PageEntriesOptions,
): AsyncGenerator<PageEntry> {
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
      yield { date: f.date ?? '', id, line: `${JSON.stringify(text ? { ...page, text: f.text } : page)}\n` };
    }
  } finally {
    lookup.close();
  }
}

/** Newer first: the later publication date, then the higher id. */
const newerFirst = (a: PageEntry, b: PageEntry): number => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1);

/**
 * The page entries split in two lists (WACZ 1.1.1: "a common use case is to include only the
 * main pages in the pages.jsonl, while including additional pages … in another file e.g.
 * extraPages.jsonl"): the `mainPages` most recently published in `pages/pages.jsonl`, the rest in
 * `pages/extraPages.jsonl`, each in id order, no page in both. Why: ReplayWeb.page puts every
 * entry of pages.jsonl into the browser's database before it replays anything, and reads
 * extraPages.jsonl only as its text index, on a search (wabac.js `loadLeafWACZPackage`). With
 * all 49,108 hkcnews pages in pages.jsonl the first replay from a mirror came after 72 s; with
 * 1,000 of them, after 7 s (ReplayWeb.page 2.4.6, headless chromium, loopback, 2026-12-08).
 *
 * Every entry goes through `spill` (a temporary file) once; the main ones are also kept, at most
 * 2 × `mainPages` at a time, so memory is bounded by the main list, not the archive.
 */
export class PageSplit {
  private kept: (PageEntry & { seq: number })[] = [];
  private mainSeqs = new Set<number>();
  /** Entries seen, and how many of them are main pages. */
  private total = 0;
  private mainCount = 0;

  constructor(
    private readonly spill: string,
    private readonly mainPages: number,
  ) {}

  /** Pages that go to extraPages.jsonl (known once `main` has run). */
  get extra(): number {
    return this.total - this.mainCount;
  }

  /** Pages in pages.jsonl (known once `main` has run). */
  get main(): number {
    return this.mainCount;
  }

  /**
   * pages.jsonl: `header`, then the main entries. Reads every entry of `entries` first; with
   * `mainPages` Infinity every entry is a main page, streamed as it comes.
   */
  async *mainLines(header: string, entries: AsyncIterable<PageEntry>): AsyncGenerator<string> {
    if (this.mainPages === Infinity) {
      yield header;
      for await (const entry of entries) {
        this.total++;
        this.mainCount++;
        yield entry.line;
      }
      return;
    }
    const out = createWriteStream(this.spill);
    const closed = once(out, 'close');
    try {
      for await (const entry of entries) {
        if (!out.write(entry.line)) await once(out, 'drain');
        this.keep({ ...entry, seq: this.total++ });
      }
    } finally {
      out.end();
      await closed;
    }
    this.trim();
    const main = this.kept.sort((a, b) => a.seq - b.seq);
    this.kept = [];
    this.mainSeqs = new Set(main.map((e) => e.seq));
    this.mainCount = main.length;
    yield header;
    for (const entry of main) yield entry.line;
  }

  /** extraPages.jsonl: `header`, then every entry `mainLines` did not list, from the spill file. */
  async *extraLines(header: string): AsyncGenerator<string> {
    yield header;
    let seq = 0;
    for await (const line of createInterface({ input: createReadStream(this.spill), crlfDelay: Infinity }))
      if (!this.mainSeqs.has(seq++)) yield `${line}\n`;
  }

  private keep(entry: PageEntry & { seq: number }): void {
    if (this.mainPages <= 0) return;
    this.kept.push(entry);
    if (this.kept.length >= 2 * this.mainPages) this.trim();
  }

  private trim(): void {
    if (this.kept.length > this.mainPages) this.kept = this.kept.sort(newerFirst).slice(0, this.mainPages);
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
