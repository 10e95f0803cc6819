/**
 * Browsing an indexed archive: latest articles, counts per year, month and day, the articles of a
 * day, "on this day", categories, tags and authors with counts and their articles, one article's
 * row and its revision group. Statements are prepared once per Catalog; lists that need a sort of
 * many rows (a category holds 28,163 articles) are computed once and memoized, so paging through
 * them costs one primary-key read per row shown. A reader keeps one Catalog per open index and
 * calls {@link Catalog.refresh} to drop the memos when another process has updated the index.
 */
import type Database from 'better-sqlite3';
import type { SearchIndex } from './index-db.js';
import { collapse, ORDER, SMALL_COLUMNS, toArticle, type KeyRow, type SmallRow } from './catalog-rows.js';

/** What a list, a search result or a static record shows of an article: id, file and headline fields. */
export interface ArticleSummary {
  id: number;
  /** The file's path in the archive folder (`articles/18001-19000/article_18733.md`). */
  path: string;
  title: string;
  date?: string;
  author?: string;
  category?: string;
}

/** The small columns of one article (no body text). */
export interface CatalogArticle extends ArticleSummary {
  lastUpdated?: string;
  tags: string[];
  url?: string;
  originalUrl?: string;
}

/** One article in a browse list; revision groups are collapsed to their newest member. */
export interface CatalogItem extends Pick<CatalogArticle, 'id' | 'title' | 'date' | 'author' | 'category'> {
  /** How many articles of the list this item stands for (its revision group within the list). */
  groupSize: number;
}

/** A page of a browse list. */
export interface CatalogPage {
  /** Articles in the whole list (not groups). */
  total: number;
  /** Items (revision groups) in the whole list. */
  items: number;
  page: CatalogItem[];
}

/** A memento of an article whose bytes the archive holds (held-captures.ts): its time and URL. */
export interface HeldMemento {
  /** 14 digits, UTC. */
  timestamp: string;
  /** The URL captured, as the memento URL spells it. */
  original: string;
}

/** A name (category, tag, author) or a period with its number of articles. */
export interface CatalogCount {
  name: string;
  count: number;
}

/** Which list to page through. */
export type CatalogFacet = 'category' | 'tag' | 'author';

/**
 * A revision group with fewer dated members than this is listed in full; the index groups
 * undated non-article pages too (537 farewell pages share one key), which are not revisions.
 */
export const MAX_GROUP_MEMBERS = 100;
/** Memoized sorted browse lists kept at once (each is at most one int and one key per article). */
const MAX_MEMO_LISTS = 256;

const pad2 = (n: number): string => String(n).padStart(2, '0');

export class Catalog {
  readonly #db: Database.Database;
  readonly #row: Database.Statement<[number], SmallRow>;
  readonly #text: Database.Statement<[number], { text: string }>;
  readonly #latest: Database.Statement<[number], KeyRow>;
  readonly #between: Database.Statement<[string, string], { day: string; n: number }>;
  readonly #onDay: Database.Statement<[string], KeyRow>;
  readonly #prevDay: Database.Statement<[string], { day: string | null }>;
  readonly #nextDay: Database.Statement<[string], { day: string | null }>;
  readonly #groupOf: Database.Statement<[number], SmallRow>;
  readonly #byOriginalUrl: Database.Statement<[string], { id: number }>;
  readonly #dataVersion: Database.Statement<[], { data_version: number }>;
  readonly #byTag: Database.Statement<[string], KeyRow>;
  readonly #allByDate: Record<'category' | 'author', Database.Statement<[], KeyRow & { name: string }>>;
  readonly #buckets = new Map<'category' | 'author', Map<string, { id: number; groupSize: number }[]>>();
  readonly #lists = new Map<string, { id: number; groupSize: number }[]>();
  readonly #counts = new Map<string, CatalogCount[]>();
  /** Prepared on first use: an index built before held captures has no such table until its next build. */
  #held: Database.Statement<[number], HeldMemento> | undefined;
  #version: number;

  constructor(index: SearchIndex) {
    this.#db = index.db;
    const db = this.#db;
    this.#row = db.prepare(`SELECT ${SMALL_COLUMNS} FROM articles WHERE id = ?`);
    this.#text = db.prepare('SELECT text FROM articles WHERE id = ?');
    this.#latest = db.prepare(`SELECT id, group_key FROM articles WHERE date IS NOT NULL ${ORDER} LIMIT ?`);
    this.#between = db.prepare(
      'SELECT date AS day, count(*) AS n FROM articles WHERE date >= ? AND date < ? GROUP BY date ORDER BY date',
    );
    this.#onDay = db.prepare('SELECT id, group_key FROM articles WHERE date = ? ORDER BY id DESC');
    this.#prevDay = db.prepare('SELECT max(date) AS day FROM articles WHERE date < ?');
    this.#nextDay = db.prepare('SELECT min(date) AS day FROM articles WHERE date > ?');
    this.#groupOf = db.prepare(
      `SELECT ${SMALL_COLUMNS} FROM articles WHERE group_key = (SELECT group_key FROM articles WHERE id = ?) ORDER BY id LIMIT ${MAX_GROUP_MEMBERS + 1}`,
    );
    this.#byOriginalUrl = db.prepare('SELECT id FROM articles WHERE original_url = ? ORDER BY id LIMIT 1');
    this.#dataVersion = db.prepare('PRAGMA data_version');
    this.#byTag = db.prepare(
      'SELECT a.id, a.group_key FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE t.tag = ? ORDER BY a.date DESC, a.id DESC',
    );
    this.#allByDate = {
      category: db.prepare(`SELECT id, group_key, category AS name FROM articles WHERE category IS NOT NULL ${ORDER}`),
      author: db.prepare(`SELECT id, group_key, author AS name FROM articles WHERE author IS NOT NULL ${ORDER}`),
    };
    this.#version = this.#dataVersion.get()?.data_version ?? 0;
  }

  /**
   * Drop memoized lists and counts when the index file changed since the last call (another
   * connection committed: SQLite's `data_version`). Returns whether it had changed. Cheap: call it
   * once per request.
   */
  refresh(): boolean {
    const version = this.#dataVersion.get()?.data_version ?? 0;
    if (version === this.#version) return false;
    this.#version = version;
    this.#lists.clear();
    this.#buckets.clear();
    this.#counts.clear();
    return true;
  }

  /** Number of indexed articles. */
  count(): number {
    return (
      this.#memoCounts('count', () => [
        { name: '', count: this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM articles').get()?.n ?? 0 },
      ])[0]?.count ?? 0
    );
  }

  /**
   * Compute the memoized counts and the category and author lists now (about a second on the
   * hkcnews archive) instead of on the first request that needs them.
   */
  warm(): void {
    for (const { name } of this.years()) this.months(Number(name));
    for (const facet of ['category', 'tag', 'author'] as const) this.names(facet);
    this.#bucketed('category');
    this.#bucketed('author');
  }

  /** Every article id, ascending (read at once: a caller may query the index between ids). */
  ids(): number[] {
    return this.#db
      .prepare<[], { id: number }>('SELECT id FROM articles ORDER BY id')
      .pluck()
      .all() as unknown as number[];
  }

  /** One article's small columns, or undefined. */
  article(id: number): CatalogArticle | undefined {
    const row = this.#row.get(id);
    return row === undefined ? undefined : toArticle(row);
  }

  /** One article's plain body text as indexed, or undefined. */
  text(id: number): string | undefined {
    return this.#text.get(id)?.text;
  }

  /**
   * The mementos of an article whose bytes the archive's WARCs hold, oldest first (what its
   * TimeMap lists besides the file's own capture); empty for an imported archive, and for an
   * index no build has given the list yet.
   */
  heldMementos(id: number): HeldMemento[] {
    if (this.#held === undefined) {
      try {
        this.#held = this.#db.prepare(
          'SELECT timestamp, original FROM held_captures WHERE article_id = ? ORDER BY timestamp, original',
        );
      } catch {
        return []; // no table yet (an index of an older salvage): asked again after the next build
      }
    }
    return this.#held.all(id);
  }

  /** The id of the article whose `original_url` is exactly `url`, or undefined. */
  idByOriginalUrl(url: string): number | undefined {
    return this.#byOriginalUrl.get(url)?.id;
  }

  /**
   * Every member of the article's revision group (itself included), ascending id; empty for an
   * unknown id; only the article itself when it has no date (undated pages are not revisions).
   * At most {@link MAX_GROUP_MEMBERS}.
   */
  revisionGroup(id: number): CatalogArticle[] {
    const rows = this.#groupOf.all(id);
    const self = rows.find((r) => r.id === id);
    if (self === undefined) {
      const row = this.#row.get(id);
      return row === undefined ? [] : [toArticle(row)];
    }
    if (self.date === null) return [toArticle(self)];
    return rows.slice(0, MAX_GROUP_MEMBERS).map(toArticle);
  }

  /** The newest `limit` dated articles, revision groups collapsed. */
  latest(limit: number): CatalogItem[] {
    // Read a few extra rows so that collapsed revisions still leave `limit` items.
    return this.#items(collapse(this.#latest.all(limit * 3)).slice(0, limit));
  }

  /** Articles per year, ascending (`name` = 'YYYY'). */
  years(): CatalogCount[] {
    return this.#memoCounts('years', () => {
      const byYear = new Map<string, number>();
      for (const { day, n } of this.#between.all('0000', '9999')) {
        const year = day.slice(0, 4);
        byYear.set(year, (byYear.get(year) ?? 0) + n);
      }
      return [...byYear].map(([name, count]) => ({ name, count }));
    });
  }

  /** Articles per month of a year, ascending (`name` = 'YYYY-MM'). */
  months(year: number): CatalogCount[] {
    const y = String(year).padStart(4, '0');
    return this.#memoCounts(`months:${y}`, () => {
      const byMonth = new Map<string, number>();
      for (const { day, n } of this.#between.all(`${y}-`, `${y}.`)) {
        const month = day.slice(0, 7);
        byMonth.set(month, (byMonth.get(month) ?? 0) + n);
      }
      return [...byMonth].map(([name, count]) => ({ name, count }));
    });
  }

  /** Articles per day of a month, ascending (`name` = 'YYYY-MM-DD'). */
  days(year: number, month: number): CatalogCount[] {
    const prefix = `${String(year).padStart(4, '0')}-${pad2(month)}`;
    return this.#between.all(`${prefix}-`, `${prefix}.`).map(({ day, n }) => ({ name: day, count: n }));
  }

  /** The articles of one day ('YYYY-MM-DD'), newest id first, revision groups collapsed. */
  onDay(date: string): CatalogItem[] {
    return this.#items(collapse(this.#onDay.all(date)));
  }

  /** The nearest earlier and later days that have articles. */
  adjacentDays(date: string): { previous?: string; next?: string } {
    const out: { previous?: string; next?: string } = {};
    const previous = this.#prevDay.get(date)?.day;
    const next = this.#nextDay.get(date)?.day;
    if (previous !== null && previous !== undefined) out.previous = previous;
    if (next !== null && next !== undefined) out.next = next;
    return out;
  }

  /** The articles of the same month and day ('MM-DD') in every year, newest first, groups collapsed. */
  onThisDay(monthDay: string): { year: string; items: CatalogItem[] }[] {
    const out: { year: string; items: CatalogItem[] }[] = [];
    for (const { name: year } of [...this.years()].reverse()) {
      const items = this.onDay(`${year}-${monthDay}`);
      if (items.length > 0) out.push({ year, items });
    }
    return out;
  }

  /** Every category, tag or author with its number of articles, by name. */
  names(facet: CatalogFacet): CatalogCount[] {
    return this.#memoCounts(`names:${facet}`, () => {
      const sql =
        facet === 'tag'
          ? 'SELECT tag AS name, count(*) AS count FROM article_tags GROUP BY tag'
          : `SELECT ${facet} AS name, count(*) AS count FROM articles WHERE ${facet} IS NOT NULL GROUP BY ${facet}`;
      const rows = this.#db.prepare<[], CatalogCount>(sql).all();
      return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  /**
   * For every category, tag or author: how many items its list has (revision groups collapsed,
   * as {@link byName} pages them). One query for all names.
   */
  itemCounts(facet: CatalogFacet): Map<string, number> {
    const sql =
      facet === 'tag'
        ? 'SELECT t.tag AS name, count(DISTINCT a.group_key) AS count FROM article_tags t JOIN articles a ON a.id = t.article_id GROUP BY t.tag'
        : `SELECT ${facet} AS name, count(DISTINCT group_key) AS count FROM articles WHERE ${facet} IS NOT NULL GROUP BY ${facet}`;
    return new Map(
      this.#db
        .prepare<[], CatalogCount>(sql)
        .all()
        .map((r) => [r.name, r.count]),
    );
  }

  /** The number of articles with this category, tag or author (0 when unknown). */
  countOf(facet: CatalogFacet, name: string): number {
    return this.#list(facet, name).reduce((n, item) => n + item.groupSize, 0);
  }

  /**
   * One page of the articles with this category, tag or author, newest first, revision groups
   * collapsed. `page` counts from 1; a page past the end is empty.
   */
  byName(facet: CatalogFacet, name: string, page: number, pageSize: number): CatalogPage {
    const list = this.#list(facet, name);
    const total = list.reduce((n, item) => n + item.groupSize, 0);
    const start = Math.max(0, (page - 1) * pageSize);
    return { total, items: list.length, page: this.#items(list.slice(start, start + pageSize)) };
  }

  #list(facet: CatalogFacet, name: string): { id: number; groupSize: number }[] {
    if (facet !== 'tag') return this.#bucketed(facet).get(name) ?? [];
    const key = `${facet}\u0000${name}`;
    const memo = this.#lists.get(key);
    if (memo !== undefined) {
      // Most recently used last: re-insert.
      this.#lists.delete(key);
      this.#lists.set(key, memo);
      return memo;
    }
    const list = collapse(this.#byTag.all(name));
    this.#lists.set(key, list);
    if (this.#lists.size > MAX_MEMO_LISTS) {
      const oldest = this.#lists.keys().next().value;
      if (oldest !== undefined) this.#lists.delete(oldest);
    }
    return list;
  }

  /**
   * Every category's (or author's) list at once, from one walk of the date index newest first.
   * Per name, SQLite would read the name's rows and sort them: 0.4-1.8 s for the 28,163 articles
   * of 眾聞 (measured 2026-11-26 on the hkcnews archive); the walk takes about 0.2 s for all names.
   */
  #bucketed(facet: 'category' | 'author'): Map<string, { id: number; groupSize: number }[]> {
    let lists = this.#buckets.get(facet);
    if (lists === undefined) {
      const rows = new Map<string, KeyRow[]>();
      for (const row of this.#allByDate[facet].all()) {
        let list = rows.get(row.name);
        if (list === undefined) rows.set(row.name, (list = []));
        list.push(row);
      }
      lists = new Map([...rows].map(([name, list]) => [name, collapse(list)]));
      this.#buckets.set(facet, lists);
    }
    return lists;
  }

  #items(list: readonly { id: number; groupSize: number }[]): CatalogItem[] {
    const out: CatalogItem[] = [];
    for (const { id, groupSize } of list) {
      const row = this.#row.get(id);
      if (row === undefined) continue;
      const item: CatalogItem = { id: row.id, title: row.title, groupSize };
      if (row.date !== null) item.date = row.date;
      if (row.author !== null) item.author = row.author;
      if (row.category !== null) item.category = row.category;
      out.push(item);
    }
    return out;
  }

  #memoCounts(key: string, compute: () => CatalogCount[]): CatalogCount[] {
    let counts = this.#counts.get(key);
    if (counts === undefined) {
      counts = compute();
      this.#counts.set(key, counts);
    }
    return counts;
  }
}
