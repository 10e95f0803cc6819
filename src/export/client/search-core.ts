/**
 * The static site's search, over a loader of index files: the same answers as the server's
 * `search()` (src/search/query.ts) — same `total`, `groups` and set of matching articles for every
 * query and filter, the same order for `sort: 'date'` — computed from the files that
 * search-index.ts writes, loading only what the query needs. Pure over `IndexLoader`, so Node
 * tests and the benchmark run it against files on disk and the browser against `fetch`.
 *
 * Orders are the server's too: `date` is newest day first, then highest id (`sortKey`);
 * `relevance` is src/search/relevance.ts's order (literal tier, title part, BM25F within parts
 * small enough to score), from the same inputs: the title postings decide the title field as the
 * text postings decide a match, the text doc lists' counts give the count levels the server keeps
 * as tokens, and the length columns the field lengths.
 */
import {
  bm25f,
  countsExactly,
  DEFAULT_SEARCH_OPTIONS,
  facetsOf,
  formLevelTokens,
  orderPart,
  relevanceParts,
  termIdfs,
  tfLevel,
  fold,
  formsToCount,
  literalTierForms,
  MAX_LIMIT,
  parseQuery,
  settleForms,
  searchResult,
  sortKey,
  sortKeyRange,
  yearOfSortKey,
  type QueryLimited,
  type SearchFacets,
  type SearchOptions,
  type SearchResponse,
  type SearchResult,
} from '../../search/index.js';
import { ByteReader, type IndexFamily, type StaticDocRecord, type StaticIndexManifest } from './codec.js';
import { IndexFiles, type DocList, type IndexLoader } from './index-files.js';

export type { IndexLoader } from './index-files.js';

/**
 * At most this many candidates are checked by loading their text rather than bigram positions
 * (each is one request); and only when their text is smaller than the position lists.
 */
const MAX_TEXT_CANDIDATES = 40;

/** A term's matches: article indexes (ascending), occurrences, and its document frequency estimate. */
interface TermMatches {
  docs: Int32Array;
  tfs: Int32Array;
  df: number;
}

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(value)));
}

/** Members of sorted `a` also in sorted `b` (their indexes in `a` and in `b`). */
function intersect(a: Int32Array, b: Int32Array): { ia: number[]; ib: number[] } {
  const ia: number[] = [];
  const ib: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      ia.push(i++);
      ib.push(j++);
    }
  }
  return { ia, ib };
}

function hasSorted(list: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A doc list's count for `doc` (0 when absent). */
function tfOf(list: DocList, doc: number): number {
  let lo = 0;
  let hi = list.docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list.docs[mid]!;
    if (v === doc) return list.tfs[mid]!;
    if (v < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** The cheapest set of bigram offsets of a term that pins every character (offsets 0 and m-1 always; no two adjacent left out). */
export function minimalCover(weights: readonly number[]): number[] {
  const m = weights.length;
  if (m === 0) return [];
  const cost: number[] = [];
  const from: number[] = [];
  for (let i = 0; i < m; i++) {
    const a = i >= 1 ? cost[i - 1]! : 0;
    const b = i >= 2 ? cost[i - 2]! : Infinity;
    cost.push(weights[i]! + (i === 0 ? 0 : Math.min(a, b)));
    from.push(i === 0 ? -1 : a <= b ? i - 1 : i - 2);
  }
  const picked: number[] = [];
  for (let i = m - 1; i >= 0; i = from[i]!) picked.push(i);
  return picked.reverse();
}

/** The static index of a site, opened over a loader: the server's search, in the browser. */
export class StaticSearchIndex {
  readonly #files: IndexFiles;
  /** How terms of 3+ characters were decided so far: by candidates' text, or by bigram positions. */
  readonly checks = { text: 0, positions: 0 };

  private constructor(files: IndexFiles) {
    this.#files = files;
  }

  /** Read the manifest and the fold table. Throws when they are missing or of another format. */
  static async open(loader: IndexLoader): Promise<StaticSearchIndex> {
    return new StaticSearchIndex(await IndexFiles.open(loader));
  }

  get manifest(): StaticIndexManifest {
    return this.#files.manifest;
  }

  /** Whether an article with this id is in the index (the lookup page). */
  has(id: number): Promise<boolean> {
    return this.#files.has(id);
  }

  /** The record (title, path, text…) of the article at index `doc`. */
  record(doc: number): Promise<StaticDocRecord> {
    return this.#files.record(doc);
  }

  /** Articles (indexes, ascending) whose folded text contains `term`, optionally only among `within`. */
  async #term(term: string, within: Int32Array | undefined, family: IndexFamily): Promise<TermMatches> {
    const none: TermMatches = { docs: new Int32Array(0), tfs: new Int32Array(0), df: 0 };
    const chars = Array.from(term);
    if (chars.length <= 2) {
      const entry = await this.#files.entry(term, family);
      if (entry === undefined) return none;
      const list = await this.#files.docList(term, entry, family);
      if (within === undefined) return { ...list, df: entry.df };
      const { ib } = intersect(within, list.docs);
      return {
        docs: Int32Array.from(ib, (j) => list.docs[j]!),
        tfs: Int32Array.from(ib, (j) => list.tfs[j]!),
        df: entry.df,
      };
    }
    const bigrams = chars.slice(0, -1).map((c, i) => c + chars[i + 1]!);
    const distinct = [...new Set(bigrams)];
    const entries = await Promise.all(distinct.map((t) => this.#files.entry(t, family)));
    if (entries.some((e) => e === undefined)) return none;
    const entryOf = new Map(distinct.map((t, i) => [t, entries[i]!]));
    const df = Math.min(...entries.map((e) => e!.df));
    const lists = new Map<string, DocList>();
    await Promise.all(distinct.map(async (t) => lists.set(t, await this.#files.docList(t, entryOf.get(t)!, family))));
    let candidates = within;
    for (const t of distinct) {
      const docs = lists.get(t)!.docs;
      candidates =
        candidates === undefined ? docs : Int32Array.from(intersect(candidates, docs).ia, (i) => candidates![i]!);
      if (candidates.length === 0) return none;
    }
    const cands = candidates!; // distinct is non-empty for 3+ characters

    const shardCost = this.#files.manifest.averageShardBytes.positions;
    const weights = bigrams.map((t) => {
      const e = entryOf.get(t)!;
      return e.posBytes > this.#files.manifest.inlineMaxBytes ? e.posBytes : shardCost;
    });
    const cover = minimalCover(weights);
    const positionCost = cover.reduce((sum, i) => sum + weights[i]!, 0);
    if (cands.length <= MAX_TEXT_CANDIDATES && cands.length * this.#files.manifest.averageDocBytes < positionCost) {
      this.checks.text++;
      const records = await this.#files.records(Array.from(cands));
      const docs: number[] = [];
      const tfs: number[] = [];
      records.forEach((rec, i) => {
        const folded = family === 'title' ? fold(rec.title) : `${fold(rec.title)}\n${fold(rec.text)}`;
        let tf = 0;
        for (let at = folded.indexOf(term); at !== -1; at = folded.indexOf(term, at + 1)) tf++;
        if (tf > 0) {
          docs.push(cands[i]!);
          tfs.push(tf);
        }
      });
      return { docs: Int32Array.from(docs), tfs: Int32Array.from(tfs), df };
    }

    // Positions of each cover bigram in each candidate (code point offsets in the folded text).
    this.checks.positions++;
    const coverTokens = [...new Set(cover.map((i) => bigrams[i]!))];
    const positions = new Map<string, Int32Array[]>();
    await Promise.all(
      coverTokens.map(async (t) => {
        const list = lists.get(t)!;
        const r = new ByteReader(await this.#files.positionBytes(t, entryOf.get(t)!, family));
        const out: Int32Array[] = [];
        let c = 0;
        for (let j = 0; j < list.docs.length && c < cands.length; j++) {
          const tf = list.tfs[j]!;
          if (list.docs[j] !== cands[c]) {
            for (let k = 0; k < tf; k++) r.varint();
            continue;
          }
          const ps = new Int32Array(tf);
          let at = 0;
          for (let k = 0; k < tf; k++) ps[k] = at += r.varint();
          out.push(ps);
          c++;
        }
        positions.set(t, out);
      }),
    );
    const docs: number[] = [];
    const tfs: number[] = [];
    for (let c = 0; c < cands.length; c++) {
      const pins = cover.map((offset) => ({ offset, ps: positions.get(bigrams[offset]!)![c]! }));
      pins.sort((a, b) => a.ps.length - b.ps.length);
      const anchor = pins[0]!;
      let tf = 0;
      for (const a of anchor.ps) {
        const start = a - anchor.offset;
        if (start < 0) continue;
        if (pins.every((pin) => hasSorted(pin.ps, start + pin.offset))) tf++;
      }
      if (tf > 0) {
        docs.push(cands[c]!);
        tfs.push(tf);
      }
    }
    return { docs: Int32Array.from(docs), tfs: Int32Array.from(tfs), df };
  }

  /** Articles (indexes, ascending) whose folded text contains any of the forms of a term (ParsedQuery.forms). */
  async #anyForm(forms: readonly string[], within: Int32Array | undefined, family: IndexFamily): Promise<Int32Array> {
    const lists = await Promise.all(forms.map(async (f) => (await this.#term(f, within, family)).docs));
    if (lists.length === 1) return lists[0]!;
    const all = new Set<number>();
    for (const list of lists) for (const doc of list) all.add(doc);
    return Int32Array.from([...all].sort((a, b) => a - b));
  }

  /** Sort key of each article (`sortKey(date, id)`, as the server orders by). */
  #sortKeys(): Promise<Float64Array> {
    return this.#files.derived('sortKeys', async () => {
      const [ids, { dict, codes }] = await Promise.all([this.#files.ids(), this.#files.dict('dates')]);
      return Float64Array.from(ids, (id, doc) => sortKey(codes[doc] === 0 ? undefined : dict[codes[doc]! - 1], id));
    });
  }

  /** Articles passing the filters (undefined: all of them). */
  async #filtered(options: SearchOptions): Promise<Int32Array | undefined> {
    const tests: ((doc: number) => boolean)[] = [];
    const [lo, hi] = sortKeyRange(options.from, options.to);
    if (lo > 0 || hi < Number.MAX_SAFE_INTEGER) {
      const keys = await this.#sortKeys();
      tests.push((doc) => keys[doc]! >= lo && keys[doc]! <= hi);
    }
    for (const [name, value] of [
      ['categories', options.category],
      ['authors', options.author],
    ] as const) {
      if (value === undefined) continue;
      const { dict, codes } = await this.#files.dict(name);
      const wanted = dict.indexOf(value) + 1;
      tests.push((doc) => wanted !== 0 && codes[doc] === wanted);
    }
    if (options.tag !== undefined) {
      const { dict, lists } = await this.#files.tags();
      const wanted = dict.indexOf(options.tag) + 1;
      tests.push((doc) => wanted !== 0 && lists[doc]!.includes(wanted));
    }
    if (tests.length === 0) return undefined;
    const out: number[] = [];
    for (let doc = 0; doc < this.#files.manifest.docs; doc++) if (tests.every((t) => t(doc))) out.push(doc);
    return Int32Array.from(out);
  }

  /**
   * Every matching article (indexes into the id-ordered table) in result order, and the folded
   * query terms. What `search` pages through.
   */
  async matches(
    options: SearchOptions = {},
  ): Promise<{ order: number[]; terms: string[]; limited?: QueryLimited; facets?: SearchFacets }> {
    await this.#files.foldFor(options.q ?? DEFAULT_SEARCH_OPTIONS.q);
    // The server's parser, limits included (query.ts MAX_QUERY_*): the same terms are applied.
    let parsed = parseQuery(options.q ?? DEFAULT_SEARCH_OPTIONS.q);
    const toCount = formsToCount(parsed);
    if (toCount.length > 0) {
      // The server's rule: a term of shared characters is read as the archive writes it.
      const counts = new Map(
        await Promise.all(
          toCount.map(async (form) => [form, (await this.#term(form, undefined, 'text')).docs.length] as const),
        ),
      );
      parsed = settleForms(parsed, (form) => counts.get(form) ?? 0);
    }
    const { terms, forms, excludedForms, limited } = parsed;
    const sort = terms.length === 0 ? 'date' : (options.sort ?? DEFAULT_SEARCH_OPTIONS.sort);

    let current = await this.#filtered(options);
    for (const fs of forms) current = await this.#anyForm(fs, current, 'text');
    if (current === undefined && excludedForms.length > 0)
      current = Int32Array.from({ length: this.#files.manifest.docs }, (_, i) => i);
    for (const fs of excludedForms) {
      if (current === undefined || current.length === 0) break;
      const docs = await this.#anyForm(fs, current, 'text');
      if (docs.length > 0) current = current.filter((doc) => !hasSorted(docs, doc));
    }
    const all = current ?? Int32Array.from({ length: this.#files.manifest.docs }, (_, i) => i);

    const keys = await this.#sortKeys();
    let order = Array.from(all).sort((a, b) => keys[b]! - keys[a]!);
    if (sort === 'relevance' && terms.length > 0) order = await this.#relevanceOrder(order, forms);
    // Snippets mark every form that matched.
    const marked = forms.flat();
    const out: { order: number[]; terms: string[]; limited?: QueryLimited; facets?: SearchFacets } = {
      order,
      terms: marked,
    };
    if (limited !== undefined) out.limited = limited;
    if (options.facets === true) {
      const { dict, codes } = await this.#files.dict('categories');
      out.facets = facetsOf(
        (function* () {
          for (const doc of all) {
            const code = codes[doc]!;
            yield [yearOfSortKey(keys[doc]!), code === 0 ? undefined : dict[code - 1]] as const;
          }
        })(),
      );
    }
    return out;
  }

  /**
   * Matches (newest first) in the server's relevance order (src/search/relevance.ts): literal
   * tier, title part, BM25F inside each part small enough to score. The same inputs as the
   * server's: title and text postings decide the fields, the doc lists' counts give the levels
   * the server keeps as level tokens, and the length columns the lengths.
   */
  async #relevanceOrder(order: number[], forms: readonly (readonly string[])[]): Promise<number[]> {
    const within = Int32Array.from(order).sort();
    const titled = await Promise.all(forms.map((fs) => this.#anyForm(fs, within, 'title')));
    // Literal before equivalent: with a term read in Simplified, the matches holding every such term as typed.
    let typed: Int32Array | undefined;
    const literalForms = literalTierForms(forms);
    if (literalForms !== undefined) {
      typed = within;
      for (const form of literalForms) typed = (await this.#term(form, typed, 'text')).docs;
    }
    const literal = typed;
    const parts = relevanceParts(order, literal === undefined ? undefined : (doc) => hasSorted(literal, doc), (doc) =>
      titled.every((list) => hasSorted(list, doc)),
    );
    const titleLengths = await this.#files.ints('titleLengths');
    let scoreOf: (doc: number) => number = () => 0;
    if (parts.some((p) => p.scored)) {
      const textLengths = await this.#files.ints('textLengths');
      const stats = await this.#files.derived('collectionStats', () => {
        let titleSum = 0;
        let textSum = 0;
        for (let d = 0; d < this.#files.manifest.docs; d++) {
          titleSum += titleLengths[d]!;
          textSum += textLengths[d]!;
        }
        const docs = this.#files.manifest.docs;
        return Promise.resolve({
          docs,
          meanTitleLength: docs === 0 ? 0 : titleSum / docs,
          meanTextLength: docs === 0 ? 0 : textSum / docs,
        });
      });
      const levelOf = await Promise.all(forms.map((fs) => this.#termLevels(fs)));
      const { dict, lists } = await this.#files.tags();
      const tagCodes = forms.map((fs) => {
        const live = fs.filter((f) => f.length > 0);
        const codes = new Set<number>();
        dict.forEach((tag, i) => {
          const folded = fold(tag);
          if (live.some((f) => folded.includes(f))) codes.add(i + 1);
        });
        return codes;
      });
      const counts = new Map<readonly string[], number>();
      if (forms.length > 1)
        for (const fs of forms)
          if (countsExactly(fs)) counts.set(fs, (await this.#anyForm(fs, undefined, 'text')).length);
      const idfs = termIdfs(forms, stats.docs, order.length, (fs) => counts.get(fs) ?? 0);
      scoreOf = (doc) =>
        bm25f(
          forms.map((_, i) => ({
            title: hasSorted(titled[i]!, doc),
            tags: lists[doc]!.some((code) => tagCodes[i]!.has(code)),
            level: levelOf[i]!(doc),
          })),
          idfs,
          titleLengths[doc]!,
          textLengths[doc]!,
          stats,
        );
    }
    return parts.flatMap((p) => orderPart(p, scoreOf, (doc) => titleLengths[doc]!));
  }

  /**
   * A term's count level in each article (relevance.ts): the highest level among its forms, a
   * form's level the least among its tokens' (an absent token: 1), from the text doc lists' counts.
   */
  async #termLevels(forms: readonly string[]): Promise<(doc: number) => number> {
    const perForm = await Promise.all(
      forms.map(async (form) => {
        const tokens = formLevelTokens(form);
        if (tokens === undefined) return undefined;
        return Promise.all(
          tokens.map(async (t) => {
            const entry = await this.#files.entry(t, 'text');
            return entry === undefined ? undefined : this.#files.docList(t, entry, 'text');
          }),
        );
      }),
    );
    return (doc) => {
      let best = 1;
      for (const lists of perForm) {
        if (lists === undefined) continue;
        let least = Infinity;
        for (const list of lists) least = Math.min(least, list === undefined ? 1 : tfLevel(tfOf(list, doc)));
        if (least > best) best = least;
      }
      return best;
    };
  }

  /** Ids of every match, in result order (benchmarks and tests: no article records are loaded). */
  async matchIds(options: SearchOptions = {}): Promise<number[]> {
    const [{ order }, ids] = await Promise.all([this.matches(options), this.#files.ids()]);
    return order.map((doc) => ids[doc]!);
  }

  /** Search, as the server's `search(index, options)` does (see the module doc for relevance). */
  async search(options: SearchOptions = {}): Promise<SearchResponse> {
    const limit = clampInt(options.limit, DEFAULT_SEARCH_OPTIONS.limit, MAX_LIMIT);
    const offset = clampInt(options.offset, DEFAULT_SEARCH_OPTIONS.offset, Number.MAX_SAFE_INTEGER);
    const group = options.group ?? DEFAULT_SEARCH_OPTIONS.group;
    const { order, terms, limited, facets } = await this.matches(options);
    let page: { doc: number; versions?: number[] }[];
    let groups: number | undefined;
    if (group) {
      const [groupOf, ids] = await Promise.all([this.#files.ints('groups'), this.#files.ids()]);
      const members = new Map<number, number[]>();
      const firsts: number[] = [];
      for (const doc of order) {
        const g = groupOf[doc]!;
        const list = members.get(g);
        if (list === undefined) {
          firsts.push(doc);
          members.set(g, [ids[doc]!]);
        } else list.push(ids[doc]!);
      }
      groups = firsts.length;
      page = firsts
        .slice(offset, offset + limit)
        .map((doc) => ({ doc, versions: members.get(groupOf[doc]!) ?? [ids[doc]!] }));
    } else {
      page = order.slice(offset, offset + limit).map((doc) => ({ doc }));
    }
    const records = await this.#files.records(page.map((p) => p.doc));
    const results: SearchResult[] = page.map(({ versions }, i) => searchResult(records[i]!, terms, versions));
    const response: SearchResponse =
      groups === undefined ? { total: order.length, results } : { total: order.length, groups, results };
    if (facets !== undefined) response.facets = facets;
    if (limited !== undefined) response.limited = limited;
    return response;
  }
}
