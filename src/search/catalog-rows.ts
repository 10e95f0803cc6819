/** Rows of the catalog's queries and their conversion to catalog types (catalog.ts). */
import type { CatalogArticle } from './catalog.js';

export interface SmallRow {
  id: number;
  path: string;
  title: string;
  date: string | null;
  last_updated: string | null;
  author: string | null;
  category: string | null;
  tags: string;
  url: string | null;
  original_url: string | null;
}
export interface KeyRow {
  id: number;
  group_key: string;
}

export const SMALL_COLUMNS = 'id, path, title, date, last_updated, author, category, tags, url, original_url';
export const ORDER = 'ORDER BY date DESC, id DESC';

export function toArticle(row: SmallRow): CatalogArticle {
  const out: CatalogArticle = { id: row.id, path: row.path, title: row.title, tags: parseTags(row.tags) };
  if (row.date !== null) out.date = row.date;
  if (row.last_updated !== null) out.lastUpdated = row.last_updated;
  if (row.author !== null) out.author = row.author;
  if (row.category !== null) out.category = row.category;
  if (row.url !== null) out.url = row.url;
  if (row.original_url !== null) out.originalUrl = row.original_url;
  return out;
}

function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** Collapse rows (already in list order) to the first member of each revision group. */
export function collapse(rows: readonly KeyRow[]): { id: number; groupSize: number }[] {
  const firstOf = new Map<string, { id: number; groupSize: number }>();
  const out: { id: number; groupSize: number }[] = [];
  for (const row of rows) {
    const seen = firstOf.get(row.group_key);
    if (seen !== undefined) {
      seen.groupSize++;
      continue;
    }
    const item = { id: row.id, groupSize: 1 };
    firstOf.set(row.group_key, item);
    out.push(item);
  }
  return out;
}
