/** The articles of a search index as the static index takes them. */
import type { SearchIndex } from '../search/index.js';
import type { StaticIndexDocument } from './search-index.js';

interface IndexRow {
  id: number;
  path: string;
  title: string;
  date: string | null;
  author: string | null;
  category: string | null;
  tags: string;
  group_key: string;
  text: string;
  folded: string;
  title_folded: string;
}

/** Every article of a search index, in id order, streamed (one row in memory at a time). */
export function* indexDocuments(index: SearchIndex): Generator<StaticIndexDocument> {
  const rows = index.db
    .prepare<[], IndexRow>(
      'SELECT id, path, title, date, author, category, tags, group_key, text, folded, title_folded FROM articles ORDER BY id',
    )
    .iterate();
  for (const row of rows) {
    const doc: StaticIndexDocument = {
      id: row.id,
      path: row.path,
      title: row.title,
      tags: JSON.parse(row.tags) as string[],
      groupKey: row.group_key,
      text: row.text,
      folded: row.folded,
      titleFolded: row.title_folded,
    };
    if (row.date !== null) doc.date = row.date;
    if (row.author !== null) doc.author = row.author;
    if (row.category !== null) doc.category = row.category;
    yield doc;
  }
}
