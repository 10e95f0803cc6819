/**
 * The benchmark queries (issues 4 and 15) and their brute-force answers, shared by `bench:search`
 * (server index) and the static-export benchmark (client-side search must find the same).
 * Queries are drawn deterministically from the corpus: 1, 2 and 3+ characters, phrases, English,
 * two terms, exclusions, filters, ambiguous single characters, Simplified twins of Traditional
 * words, fragments of long tokens, known items (title fragments).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseArchiveFile } from '../src/markdown/index.js';
import * as OpenCC from 'opencc-js';
import {
  conversionTables,
  fold,
  isSimplifiedOnly,
  parseQuery,
  settleForms,
  termForms,
  type SearchOptions,
} from '../src/search/index.js';

/** One article of the corpus as the index sees it, folded, for the brute-force scan. */
export interface CorpusDoc {
  id: number;
  title: string;
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
  /** Simplified kinds: the Traditional word the query was made from (its literal hits are the truth). */
  twin?: string;
  /** Known-item kind: the article whose title the query was cut from. */
  known?: number;
}

/** Read `articles.jsonl.gz` (id, path, raw) into folded documents: all of them, or the first `limit`. */
export async function loadCorpus(articlesJsonlGz: string, limit = Infinity): Promise<CorpusDoc[]> {
  const docs: CorpusDoc[] = [];
  const lines = createInterface({ input: createReadStream(articlesJsonlGz).pipe(createGunzip()) });
  for await (const line of lines) {
    if (docs.length >= limit) {
      lines.close();
      break;
    }
    const { id, raw } = JSON.parse(line) as { id: number; raw: string };
    const f = parseArchiveFile(raw);
    docs.push({
      id,
      title: f.title,
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

/**
 * Traditional characters that folding to Simplified merged (issue 15): each must find only the
 * articles that hold it (or a variant form of it), never those of its Simplified twin's other readings.
 */
export const AMBIGUOUS_CHARS = Array.from('髮發颱台乾幹干後后裏里麵面鬆松隻只係系穀谷醜丑衝沖雲云');

/** Traditional → Simplified, phrase by phrase (OpenCC hk → cn): the Simplified twin of a query. */
const toSimplified: (text: string) => string = OpenCC.Converter({ from: 'hk', to: 'cn' });

/** The 320 queries, the same for the same corpus. */
export function benchQueries(docs: readonly CorpusDoc[]): BenchQuery[] {
  let seed = 20261126;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const tables = conversionTables();
  // A Traditional query holds no character that exists in Simplified alone (that would make it a
  // Simplified query, read by its Traditional readings).
  const traditional = (s: string): boolean => ![...s].some((c) => isSimplifiedOnly(c, tables));
  const cjkSlice = (len: number): string => {
    for (;;) {
      const d = pick(docs);
      if (d.text.length < len + 10) continue;
      const at = Math.floor(random() * (d.text.length - len));
      const s = d.text.slice(at, at + len);
      if ([...s].every((c) => CJK.test(c)) && traditional(s)) return s;
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
  const add = (kind: string, n: number, make: () => Omit<BenchQuery, 'kind'>): void => {
    for (let i = 0; i < n; i++) queries.push({ kind, ...make() });
  };
  add('1 char', 30, () => ({ options: { q: cjkSlice(1) } }));
  add('2 chars', 40, () => ({ options: { q: cjkSlice(2) } }));
  add('3-6 chars', 40, () => ({ options: { q: cjkSlice(3 + Math.floor(random() * 4)) } }));
  add('phrase', 15, () => ({ options: { q: `"${cjkSlice(4 + Math.floor(random() * 4))}"` } }));
  add('english', 15, () => ({ options: { q: latinWord() } }));
  add('two terms', 15, () => ({ options: { q: `${cjkSlice(2)} ${cjkSlice(2)}` } }));
  add('exclusion', 10, () => ({ options: { q: `${cjkSlice(2)} -${cjkSlice(1)}` } }));
  add('filters', 10, () => ({
    options: { q: cjkSlice(2), category: pick(categories), from: '2019-01-01', to: '2020-12-31' },
  }));
  for (const c of AMBIGUOUS_CHARS) queries.push({ kind: 'ambiguous', options: { q: c } });
  // Simplified twins of Traditional words: any reading, and those with exactly one reading.
  const simplifiedTwin = (oneReading: boolean): Omit<BenchQuery, 'kind'> => {
    for (;;) {
      const twin = cjkSlice(2 + Math.floor(random() * 3));
      const q = toSimplified(twin);
      if (q === twin) continue;
      const readings = termForms(q, fold, tables).length - 1;
      if (oneReading !== (readings === 1)) continue;
      return { options: { q }, twin };
    }
  };
  add('simplified', 25, () => simplifiedTwin(false));
  add('simplified 1 reading', 15, () => simplifiedTwin(true));
  // Fragments of long tokens (ids, URLs, codes shown as text): exact substrings at any length.
  add('long token', 20, () => {
    for (;;) {
      const m = pick(docs).text.match(/[A-Za-z0-9]{20,}/g);
      if (!m) continue;
      const token = pick(m);
      const len = 3 + Math.floor(random() * 6);
      const at = Math.floor(random() * (token.length - len));
      return { options: { q: token.slice(at, at + len) } };
    }
  });
  // Known items: 4–8 consecutive characters of a Chinese title (inside one run of CJK characters,
  // as a reader remembers a headline) must bring the article (or its revision group) into the top 3.
  add('known item', 40, () => {
    for (;;) {
      const d = pick(docs);
      const runs = (d.title.match(/[\u3400-\u9fff\uf900-\ufaff]{4,}/g) ?? []).filter(traditional);
      if (runs.length === 0) continue;
      const run = pick(runs);
      const len = Math.min(run.length, 4 + Math.floor(random() * 5));
      const at = Math.floor(random() * (run.length - len + 1));
      return { options: { q: run.slice(at, at + len) }, known: d.id };
    }
  });
  return queries;
}

/** Ids of every doc passing the filters whose folded text holds, per term, one of its forms, and no excluded form. */
function scan(docs: readonly CorpusDoc[], o: SearchOptions, forms: string[][], excludedForms: string[][]): number[] {
  const holds = (text: string, fs: readonly string[]): boolean => fs.some((f) => f !== '' && text.includes(f));
  const ids: number[] = [];
  for (const d of docs) {
    if (o.category && d.category !== o.category) continue;
    if (o.from && d.date < o.from) continue;
    if (o.to && (d.date === '' || d.date > o.to)) continue;
    if (forms.every((fs) => holds(d.folded, fs)) && !excludedForms.some((fs) => holds(d.folded, fs))) ids.push(d.id);
  }
  return ids;
}

/**
 * The literal scan of the published text (with the variant table only, fold.ts): ids of every doc
 * whose folded text contains each term as typed and none of the excluded. What a Traditional
 * query must return exactly.
 */
export function literalScan(docs: readonly CorpusDoc[], o: SearchOptions): number[] {
  const tokens = (o.q ?? '').match(/"[^"]*"|\S+/g) ?? [];
  const terms = tokens.filter((t) => !t.startsWith('-')).map((t) => fold(t.replace(/"/g, '')));
  const excluded = tokens
    .filter((t) => t.startsWith('-') && t.length > 1)
    .map((t) => fold(t.slice(1).replace(/"/g, '')));
  return scan(
    docs,
    o,
    terms.map((t) => [t]),
    excluded.map((t) => [t]),
  );
}

/**
 * The search's own semantics by brute force: every term matched by any of its forms (as typed,
 * or a Traditional reading of a Simplified run; query.ts `parseQuery`, `settleForms`). What the server and the
 * static client must both return.
 */
export function bruteForce(docs: readonly CorpusDoc[], o: SearchOptions): number[] {
  const articlesWith = (form: string): number => docs.reduce((n, d) => n + (d.folded.includes(form) ? 1 : 0), 0);
  const { forms, excludedForms } = settleForms(parseQuery(o.q ?? ''), articlesWith);
  return scan(docs, o, forms, excludedForms);
}
