/**
 * The 200 benchmark queries of issue 4 and their brute-force answers, shared by `bench:search`
 * (server index) and the static-export benchmark (client-side search must find the same).
 * Queries are drawn deterministically from the corpus: 1, 2 and 3+ characters, phrases,
 * Simplified-script queries, English, two terms, exclusions, filters.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseArchiveFile } from '../src/markdown/index.js';
import { fold, type SearchOptions } from '../src/search/index.js';

/** One article of the corpus as the index sees it, folded, for the brute-force scan. */
export interface CorpusDoc {
  id: number;
  date: string;
  category: string;
  author: string;
  tags: string[];
  folded: string;
  text: string;
}
export interface BenchQuery {
  kind: string;
  options: SearchOptions;
}

/** Read `articles.jsonl.gz` (id, path, raw) into folded documents. */
export async function loadCorpus(articlesJsonlGz: string): Promise<CorpusDoc[]> {
  const docs: CorpusDoc[] = [];
  for await (const line of createInterface({ input: createReadStream(articlesJsonlGz).pipe(createGunzip()) })) {
    const { id, raw } = JSON.parse(line) as { id: number; raw: string };
    const f = parseArchiveFile(raw);
    docs.push({
      id,
      date: f.date ?? '',
      category: f.category ?? '',
      author: f.author ?? '',
      tags: f.tags,
      folded: `${fold(f.title)}\n${fold(f.text)}`,
      text: f.text,
    });
  }
  return docs;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** The 200 queries, the same for the same corpus. */
export function benchQueries(docs: readonly CorpusDoc[]): BenchQuery[] {
  let seed = 20261126;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const cjkSlice = (len: number): string => {
    for (;;) {
      const d = pick(docs);
      if (d.text.length < len + 10) continue;
      const at = Math.floor(random() * (d.text.length - len));
      const s = d.text.slice(at, at + len);
      if ([...s].every((c) => CJK.test(c))) return s;
    }
  };
  const latinWord = (): string => {
    for (;;) {
      const m = pick(docs).text.match(/[A-Za-z]{4,12}/g);
      if (m) return pick(m);
    }
  };
  const categories = [...new Set(docs.map((d) => d.category).filter(Boolean))];
  const queries: BenchQuery[] = [];
  const add = (kind: string, n: number, make: () => SearchOptions): void => {
    for (let i = 0; i < n; i++) queries.push({ kind, options: make() });
  };
  add('1 char', 30, () => ({ q: cjkSlice(1) }));
  add('2 chars', 40, () => ({ q: cjkSlice(2) }));
  add('3-6 chars', 40, () => ({ q: cjkSlice(3 + Math.floor(random() * 4)) }));
  add('phrase', 15, () => ({ q: `"${cjkSlice(4 + Math.floor(random() * 4))}"` }));
  add('simplified', 25, () => ({ q: fold(cjkSlice(2 + Math.floor(random() * 3))) }));
  add('english', 15, () => ({ q: latinWord() }));
  add('two terms', 15, () => ({ q: `${cjkSlice(2)} ${cjkSlice(2)}` }));
  add('exclusion', 10, () => ({ q: `${cjkSlice(2)} -${cjkSlice(1)}` }));
  add('filters', 10, () => ({ q: cjkSlice(2), category: pick(categories), from: '2019-01-01', to: '2020-12-31' }));
  return queries;
}

/** The brute-force answer: ids of every doc whose folded text contains each term and none of the excluded. */
export function bruteForce(docs: readonly CorpusDoc[], o: SearchOptions): number[] {
  const tokens = (o.q ?? '').match(/"[^"]*"|\S+/g) ?? [];
  const terms = tokens.filter((t) => !t.startsWith('-')).map((t) => fold(t.replace(/"/g, '')));
  const excluded = tokens
    .filter((t) => t.startsWith('-') && t.length > 1)
    .map((t) => fold(t.slice(1).replace(/"/g, '')));
  const ids: number[] = [];
  for (const d of docs) {
    if (o.category && d.category !== o.category) continue;
    if (o.from && d.date < o.from) continue;
    if (o.to && (d.date === '' || d.date > o.to)) continue;
    if (terms.every((t) => d.folded.includes(t)) && !excluded.some((t) => d.folded.includes(t))) ids.push(d.id);
  }
  return ids;
}
