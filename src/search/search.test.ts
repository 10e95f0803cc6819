import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { groupKey, SearchIndex, type SearchDocument } from './index-db.js';
import {
  facetsOf,
  MAX_QUERY_CHARS,
  MAX_QUERY_EXCLUSIONS,
  MAX_QUERY_TERMS,
  parseQuery,
  settleForms,
  literalTierForms,
  type ParsedQuery,
  search,
  snippet,
  termIdfs,
} from './query.js';
import { bm25f, codePointLength, formLevelTokens, orderPart, relevanceParts, tfLevel } from './relevance.js';
import { fold, foldWithOrigin } from './fold.js';
import { unigramTokens, MAX_WORD_TOKEN, termTokens } from './tokens.js';

let nextId = 1;
function doc(fields: Partial<SearchDocument> & { title: string; text: string }): SearchDocument {
  const id = fields.id ?? nextId++;
  return { id, path: `a/${id}.md`, mtime: 1, size: 1, tags: [], ...fields };
}

const CORPUS: SearchDocument[] = [
  doc({
    id: 1,
    title: '衞生署公布確診',
    text: '衞生署今日公布新增確診個案，電車路綫暫停。',
    date: '2020-03-01',
    author: '記者甲',
    category: '眾聞',
    tags: ['疫情'],
  }),
  doc({
    id: 2,
    title: '香港政府記者會',
    text: '香港政府今日舉行記者會，談及 COVID-19 疫苗 <script>alert(1)</script>。',
    date: '2021-05-02',
    author: '記者乙',
    category: '評論',
    tags: ['政府', '疫情'],
  }),
  doc({
    id: 3,
    title: '港鐵延誤',
    text: '港鐵東鐵綫延誤，乘客需轉乘巴士。MTR says sorry.',
    date: '2019-10-10',
    author: '記者甲',
    category: '眾聞',
    tags: ['交通'],
  }),
  doc({
    id: 4,
    title: '港鐵延誤',
    text: '港鐵東鐵綫延誤，乘客需轉乘巴士。MTR says sorry (updated).',
    date: '2019-10-10',
    author: '記者甲',
    category: '眾聞',
    tags: ['交通'],
  }),
  doc({
    id: 5,
    title: 'Startup art',
    text: 'An article about the start of art in HK01 and 香港.',
    date: '2018-01-01',
    category: 'English',
    tags: ['art'],
  }),
];

function build(docs: readonly SearchDocument[] = CORPUS): SearchIndex {
  const index = new SearchIndex(':memory:');
  index.upsertMany(docs);
  return index;
}
const ids = (index: SearchIndex, q: string, extra: object = {}): number[] =>
  search(index, { q, limit: 100, ...extra })
    .results.map((r) => r.id)
    .sort((a, b) => a - b);

test('parseQuery: words, phrases, exclusions, unbalanced quotes', () => {
  assert.deepEqual(parseQuery('香港 "民主 派" -政府 -"a b"'), {
    terms: ['香港', '民主 派'],
    excluded: ['政府', 'a b'],
    forms: [['香港'], ['民主 派']],
    excludedForms: [['政府'], ['a b']],
  });
  assert.deepEqual(parseQuery('"open phrase'), {
    terms: ['open phrase'],
    excluded: [],
    forms: [['open phrase']],
    excludedForms: [],
  });
  assert.deepEqual(parseQuery(' - "" 衞 '), { terms: ['衛'], excluded: [], forms: [['衛']], excludedForms: [] });
});

test('facetsOf: years newest first with the undated last, categories most first then by code units', () => {
  assert.deepEqual(
    facetsOf([
      ['2019', 'b'],
      ['', 'a'],
      ['2021', 'a'],
      ['2019', undefined],
      ['2021', 'b'],
      ['2020', 'c'],
      ['2019', 'c'],
    ]),
    {
      years: [
        { value: '2021', count: 2 },
        { value: '2020', count: 1 },
        { value: '2019', count: 3 },
        { value: '', count: 1 },
      ],
      categories: [
        { value: 'a', count: 2 },
        { value: 'b', count: 2 },
        { value: 'c', count: 2 },
      ],
    },
  );
});

test('parseQuery: a Traditional term is matched as typed, a Simplified one also by its Traditional readings', () => {
  const forms = (q: string): string[][] => parseQuery(q).forms;
  assert.deepEqual(forms('髮'), [['髮']]);
  assert.deepEqual(forms('颱風'), [['颱風']]);
  assert.deepEqual(forms('干'), [['干']], '干 is written in Traditional too: taken as typed');
  assert.deepEqual(forms('头发'), [['头发', '頭髮']], 'phrase-level: 头发 is 頭髮, not 頭發');
  assert.deepEqual(forms('发展'), [['发展', '發展']]);
  assert.deepEqual(forms('台风'), [[fold('台风'), '颱風']]);
  assert.deepEqual(forms('发'), [['发', '發', '髮']], 'a character no phrase covers stands for each of its readings');
  assert.deepEqual(forms('香港头发 -干净'), [['香港头发', '香港頭髮']]);
  assert.deepEqual(parseQuery('香港头发 -干净').excludedForms, [['干净', '乾淨']]);
  assert.deepEqual(forms('covid头发'), [['covid头发', 'covid頭髮']], 'per run of characters');
  // Simplified text in characters both scripts share: read when it reads differently in Traditional.
  assert.deepEqual(forms('价值'), [['价值', '價值']]);
  assert.deepEqual(forms('年退休后'), [['年退休后', '年退休後']], 'an unphrased 后 stands for 後 and 后');
  assert.deepEqual(forms('后'), [['后']], 'a lone character both scripts write is taken as typed');
  assert.deepEqual(forms('皇后'), [['皇后']], 'a phrase that reads the same in Traditional');
  assert.deepEqual(forms('價值后'), [['價值后']], 'a Traditional-only character makes the run Traditional');
});

test('a term in characters both scripts write means what the archive writes: as typed when it is common there, else Simplified', () => {
  assert.ok(parseQuery('周三').unsettled, '周三 may be Traditional or Simplified');
  assert.equal(parseQuery('头发').unsettled, undefined, '发 is Simplified alone: no question');
  const hongKong = build([
    doc({ id: 1, title: '周三開會', text: '議員周三表決。' }),
    doc({ id: 2, title: '另一篇', text: '周三晚上見。' }),
    doc({ id: 3, title: '台灣', text: '週三放假。' }),
  ]);
  try {
    assert.deepEqual(ids(hongKong, '周三'), [1, 2], 'written 周三 here: a Traditional query, matched as typed');
    assert.deepEqual(ids(hongKong, '週三'), [3]);
    assert.deepEqual(ids(hongKong, '議員 -周三'), [], 'exclusions are settled alike');
  } finally {
    hongKong.close();
  }
  const taiwan = build([
    doc({ id: 1, title: '其後表決', text: '其後表決通過。' }),
    doc({ id: 2, title: '另一篇', text: '週三放假，其後表示。' }),
  ]);
  try {
    assert.deepEqual(ids(taiwan, '其后表'), [1, 2], 'never written so here: read as Simplified for 其後表');
  } finally {
    taiwan.close();
  }
});

test('relevance: articles holding a Simplified term as typed come before those found through its readings', () => {
  const index = build([
    doc({ id: 1, title: '舊聞', text: '內地網民說头发很重要。', date: '2019-01-01', category: 'a' }),
    doc({ id: 2, title: '頭髮', text: '頭髮新聞。', date: '2021-01-01', category: 'a' }),
    doc({ id: 3, title: '其他', text: '說到頭髮。', date: '2020-01-01', category: 'a' }),
  ]);
  try {
    const order = (extra: object): number[] =>
      search(index, { q: '头发', limit: 10, ...extra }).results.map((r) => r.id);
    assert.deepEqual(order({}), [1, 2, 3], 'literal first, then the title hit, then newest');
    assert.deepEqual(order({ category: 'a' }), [1, 2, 3], 'the filtered path orders alike');
    assert.deepEqual(order({ sort: 'date' }), [2, 3, 1], 'sort=date is newest first');
    assert.deepEqual(order({ group: true }), [1, 2, 3]);
    // A typed form FTS cannot decide alone (Latin beside CJK) gets no literal tier: no text is read for it.
    assert.deepEqual(literalTierForms(parseQuery('头发').forms), ['头发']);
    assert.equal(literalTierForms(parseQuery('头发a').forms), undefined);
    assert.equal(literalTierForms(parseQuery('頭髮').forms), undefined, 'nothing read in Simplified');
  } finally {
    index.close();
  }
});

test('a Simplified query finds Traditional and HK variant text', () => {
  const index = build();
  assert.deepEqual(ids(index, '卫生署'), [1]);
  assert.deepEqual(ids(index, '衛生署'), [1]);
  assert.deepEqual(ids(index, '电车路线'), [1]);
  assert.deepEqual(ids(index, '东铁线'), [3, 4]);
});

test('one-, two- and three-character queries find every article containing them', () => {
  const index = build();
  assert.deepEqual(ids(index, '港'), [2, 3, 4, 5]);
  assert.deepEqual(ids(index, '巴'), [3, 4]);
  assert.deepEqual(ids(index, '署'), [1]); // last character of a run
  assert.deepEqual(ids(index, '香港'), [2, 5]);
  assert.deepEqual(ids(index, '记者会'), [2]);
});

test('mixed Chinese and Latin, phrases, AND and exclusion', () => {
  const index = build();
  assert.deepEqual(ids(index, 'covid-19 疫苗'), [2]);
  assert.deepEqual(ids(index, 'hk01'), [5]);
  assert.deepEqual(ids(index, 'art'), [5]);
  assert.deepEqual(ids(index, 'tup'), [5]); // substring semantics: inside "startup"
  assert.deepEqual(ids(index, '"says sorry (updated)"'), [4]);
  assert.deepEqual(ids(index, '港铁 sorry'), [3, 4]);
  assert.deepEqual(ids(index, '港铁 -updated'), [3]);
  assert.deepEqual(ids(index, '港 -"香港"'), [3, 4]);
});

test('Latin, digit and mixed-script fragments match as substrings', () => {
  const index = build([
    ...CORPUS,
    doc({ id: 20, title: 'Year', text: '2021年的計劃' }),
    doc({ id: 22, title: '接種', text: '市民接種COVID-19疫苗。' }),
    doc({ id: 21, title: 'x', text: 'supercalifragilisticexpialidocious-and-antidisestablishmentarianism 2024' }),
  ]);
  assert.deepEqual(ids(index, 'art'), [5]); // "start", "article", "art"
  assert.deepEqual(ids(index, 'tart'), [5]);
  assert.deepEqual(ids(index, '021年'), [20]);
  assert.deepEqual(ids(index, '21年的计'), [20]);
  assert.deepEqual(ids(index, '19疫'), [22]); // not [2]: "COVID-19 疫苗" has a space
  assert.deepEqual(ids(index, 'COVID-19疫苗'), [22]);
  assert.deepEqual(ids(index, '"-19 疫"'), [2]);
  assert.deepEqual(ids(index, 'covid'), [2, 22]);
  assert.deepEqual(ids(index, 'ovid-1'), [2, 22]);
  assert.deepEqual(ids(index, 'k01'), [5]);
  assert.deepEqual(ids(index, 'ry (upd'), [4]);
  assert.deepEqual(ids(index, 'MTR sa'), [3, 4]);
  assert.deepEqual(ids(index, 'covid -vid'), []);
  // Fragments longer than the word-token cap, and fragments deep inside a long word.
  assert.deepEqual(ids(index, 'supercalifragilisticexpialidocious'), [21]);
  assert.deepEqual(ids(index, 'fragilisticexpialidocious-and-antidis'), [21]);
  assert.deepEqual(ids(index, 'docious'), [21]);
  assert.deepEqual(ids(index, 'establishmentarian'), [21]);
  assert.deepEqual(ids(index, 'establishmentarianismx'), []);
  assert.deepEqual(ids(index, 'ous-and-anti'), [21]);
  assert.deepEqual(ids(index, '02'), [20, 21]); // "2021年", "2024"; dates are not searched text
  assert.deepEqual(ids(index, 'supercalifragilisticexpialidocioux'), []);
});

test('unigramTokens: word suffixes cut to MAX_WORD_TOKEN; termTokens: prefixes', () => {
  assert.deepEqual(unigramTokens('香港 art2021年'), [
    '香',
    '港',
    'art2021',
    'rt2021',
    't2021',
    '2021',
    '021',
    '21',
    '1',
    '年',
  ]);
  const long = 'a'.repeat(30);
  const toks = unigramTokens(long);
  assert.equal(toks.length, 30);
  assert.ok(toks.every((t) => t.length <= MAX_WORD_TOKEN));
  assert.deepEqual(unigramTokens('e\u0301x'), ['e\u0301x', 'x']); // no token starts with a mark
  assert.deepEqual(termTokens('021年'), { unigrams: ['年'], prefixes: ['021'], phrases: [] });
  assert.deepEqual(termTokens('covid-19疫苗'), { unigrams: [], prefixes: ['covid', '19'], phrases: [['疫苗']] });
  assert.deepEqual(termTokens('\u0301x'), { unigrams: [], prefixes: ['x'], phrases: [] });
  assert.deepEqual(termTokens(long).prefixes, ['a'.repeat(MAX_WORD_TOKEN)]);
});

test('filters, empty query lists by date, sort by date', () => {
  const index = build();
  assert.deepEqual(ids(index, '', { category: '眾聞' }), [1, 3, 4]);
  assert.deepEqual(ids(index, '港', { author: '記者甲' }), [3, 4]);
  assert.deepEqual(ids(index, '', { tag: '疫情' }), [1, 2]);
  assert.deepEqual(ids(index, '', { from: '2019-10-10', to: '2020-12-31' }), [1, 3, 4]);
  assert.deepEqual(
    search(index, { q: '' }).results.map((r) => r.id),
    [2, 1, 4, 3, 5],
  );
  assert.deepEqual(
    search(index, { q: '港', sort: 'date' }).results.map((r) => r.id),
    [2, 4, 3, 5],
  );
  assert.equal(search(index, { q: '', limit: 2, offset: 1 }).results.length, 2);
  // A year or a month as a bound means all of it; a bound that is not a date is ignored.
  assert.deepEqual(ids(index, '', { from: '2019', to: '2020' }), [1, 3, 4]);
  assert.deepEqual(ids(index, '', { from: '2019-10', to: '2020-03' }), [1, 3, 4]);
  assert.deepEqual(ids(index, '', { to: '2020-02' }), [3, 4, 5]);
  assert.deepEqual(ids(index, '', { from: 'yesterday' }), [1, 2, 3, 4, 5]);
});

test('relevance: articles whose title holds every term first, shorter titles first among them, then the rest; newest first breaks ties', () => {
  const index = build([
    doc({ id: 1, title: '港鐵新線', text: '通車', date: '2019-01-01' }),
    doc({ id: 2, title: '天氣', text: '港鐵照常', date: '2021-01-01' }),
    doc({ id: 3, title: '港鐵加價', text: '乘客不滿', date: '2020-01-01' }),
    doc({ id: 4, title: '交通', text: '港鐵延誤', date: '2022-01-01' }),
    doc({ id: 5, title: '港鐵', text: '無日期' }),
  ]);
  const order = (q: string, extra: object = {}): number[] => search(index, { q, ...extra }).results.map((r) => r.id);
  // Titles of equal length (1 and 3): the shorter body first (BM25's length normalisation).
  assert.deepEqual(order('港铁'), [5, 1, 3, 4, 2]);
  assert.deepEqual(order('港铁', { sort: 'date' }), [4, 2, 3, 1, 5]);
  // Pages cut across the title part and the rest.
  assert.deepEqual(order('港铁', { limit: 2, offset: 2 }), [3, 4]);
  // The same order where the exact check runs (a three-character term) and with an exclusion.
  assert.deepEqual(order('港铁新'), [1]);
  assert.deepEqual(order('港铁 -乘'), [5, 1, 4, 2]);
});

test('relevance (BM25): an article naming the query in its title and ten times in its body ranks above newer passing mentions', () => {
  const story = '立法會今日辯論施政報告，議員就房屋問題提問。';
  const index = build([
    // Issue 15's example: the title and the body hold 施政報告 again and again; an older article.
    doc({
      id: 1,
      title: '施政報告逐點看全文',
      text: Array.from({ length: 10 }, (_, i) => `第${i + 1}點：施政報告提出新措施。`).join(''),
      date: '2019-10-16',
    }),
    // Newer articles with one passing mention each, with and without it in the title.
    doc({ id: 2, title: '施政報告後的一天', text: '市民如常上班。', date: '2021-01-01' }),
    doc({ id: 3, title: '立法會速報', text: story, date: '2022-01-01' }),
    doc({ id: 4, title: '房屋問題', text: `${story}另有議員談交通。`, date: '2022-01-02' }),
    doc({ id: 5, title: '天氣', text: '晴。施政報告的事明天再說。', date: '2023-01-01' }),
  ]);
  const order = search(index, { q: '施政報告' }).results.map((r) => r.id);
  // Both title holders first, the one saying it ten more times before the newer one; then the
  // body-only mentions, each once: the shorter body first (BM25's length normalisation).
  assert.deepEqual(order, [1, 2, 5, 3, 4]);
  // Newest first is still there for whoever asks for it.
  assert.deepEqual(
    search(index, { q: '施政報告', sort: 'date' }).results.map((r) => r.id),
    [5, 4, 3, 2, 1],
  );
  // Neither title holds the term: ten mentions outrank one (the body's count level, not the date).
  const bodies = build([
    doc({ id: 1, title: '逐點看', text: '施政報告。'.repeat(10), date: '2019-10-16' }),
    doc({ id: 2, title: '昨日', text: '一句施政報告。', date: '2023-01-01' }),
  ]);
  assert.deepEqual(
    search(bodies, { q: '施政報告' }).results.map((r) => r.id),
    [1, 2],
  );
});

test('relevance (BM25): a tag holding the term and a shorter body rank higher, other things equal', () => {
  const index = build([
    doc({ id: 1, title: '甲', text: '選舉。', date: '2020-01-01', tags: ['選舉'] }),
    doc({ id: 2, title: '乙', text: '選舉。', date: '2021-01-01' }),
    doc({ id: 3, title: '丙', text: `選舉。${'其他內容'.repeat(50)}`, date: '2022-01-01' }),
  ]);
  assert.deepEqual(
    search(index, { q: '選舉' }).results.map((r) => r.id),
    [1, 2, 3],
  );
});

test('group collapse returns one result per revision group; total counts articles', () => {
  const index = build();
  const grouped = search(index, { q: '港铁', group: true });
  assert.equal(grouped.total, 2);
  assert.equal(grouped.groups, 1);
  assert.equal(grouped.results.length, 1);
  assert.equal(grouped.results[0]?.groupSize, 2);
  // In result order: the shorter revision (without "(updated)") scores higher.
  assert.deepEqual(grouped.results[0]?.versions, [3, 4]);
  assert.deepEqual(search(index, { q: '港铁', group: true, sort: 'date' }).results[0]?.versions, [4, 3]);
  assert.equal(search(index, { q: '港铁' }).results.length, 2);
});

test('snippets mark matches in the original text and escape HTML', () => {
  const index = build();
  const [hit] = search(index, { q: '疫苗' }).results;
  assert.ok(hit?.snippet.includes('<mark>疫苗</mark>'), hit?.snippet);
  assert.ok(hit?.snippet.includes('&lt;script&gt;'), hit?.snippet);
  assert.ok(!hit?.snippet.includes('<script>'));
  const [trad] = search(index, { q: '卫生署' }).results;
  assert.ok(trad?.snippet.startsWith('<mark>衞生署</mark>'), trad?.snippet);
  const long = build([doc({ id: 9, title: 't', text: `${'甲'.repeat(300)}目標${'乙'.repeat(300)}` })]);
  const snip = search(long, { q: '目标' }).results[0]?.snippet ?? '';
  assert.match(snip, /^…甲+<mark>目標<\/mark>乙+…$/);
  assert.ok(snip.length < 140);
});

test('hostile query strings never throw', () => {
  const index = build();
  const hostile = [
    '"',
    '""',
    '"""',
    '*',
    '港*',
    'NEAR(a b)',
    'a OR b',
    'a AND b',
    'NOT a',
    '-',
    '--',
    '- -',
    '^港',
    'tokens:港',
    'a:b',
    '(港',
    '港)',
    '()',
    '{a b}',
    '"unbalanced 港',
    "'",
    ';DROP TABLE articles;--',
    '😀',
    '港😀',
    '\u0000',
    '\u0301',
    'e\u0301',
    '。',
    '\\',
    '+港',
    'a'.repeat(10000),
    '港'.repeat(10000),
    '港 '.repeat(5000),
    Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '),
  ];
  for (const q of hostile) {
    assert.doesNotThrow(() => search(index, { q, sort: 'relevance', group: true }), q.slice(0, 40));
    assert.doesNotThrow(() => search(index, { q, category: q, author: q, tag: q, from: q, to: q }), q.slice(0, 40));
  }
  assert.doesNotThrow(() => search(index, { q: '港', limit: Number.NaN, offset: -5 }));
  assert.deepEqual(ids(index, '港😀'), []);
  assert.equal(index.count(), 5);
});

test('a query past the limits applies only the first terms and exclusions, and says what it left out', () => {
  // Issue 12: 250 mixed-script exclusions in 1,000 characters took 37 s of one CPU.
  const q = Array.from({ length: 250 }, (_, i) => `-的${String.fromCharCode(97 + (i % 26))}${i}`).join(' ');
  const parsed = parseQuery(q);
  assert.equal(parsed.excluded.length, MAX_QUERY_EXCLUSIONS);
  assert.deepEqual(parsed.excluded[0], '的a0');
  assert.ok(parsed.limited !== undefined);
  assert.equal(parsed.limited.ignoredChars, q.length - MAX_QUERY_CHARS);
  assert.ok(parsed.limited.droppedExclusions.length > 0);
  assert.ok(parsed.excluded.every((t) => !parsed.limited!.droppedExclusions.includes(t)));
  const many = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
  const terms = parseQuery(many);
  assert.deepEqual(
    terms.terms,
    Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `w${i}`),
  );
  assert.deepEqual(terms.limited, {
    ignoredChars: 0,
    droppedTerms: Array.from({ length: 20 - MAX_QUERY_TERMS }, (_, i) => `w${i + MAX_QUERY_TERMS}`),
    droppedExclusions: [],
  });
  // A query within the limits carries no note.
  assert.equal(parseQuery('香港 -政府').limited, undefined);
  // A cut never splits a surrogate pair.
  const emoji = parseQuery('a'.repeat(MAX_QUERY_CHARS - 1) + '😀');
  assert.equal(emoji.limited?.ignoredChars, 2);

  // The search applies what was kept: an article holding only a dropped exclusion is still found,
  // and the response says what was dropped.
  const index = build([
    ...CORPUS,
    doc({
      id: 30,
      title: '排除',
      text: `港 的${String.fromCharCode(97 + (MAX_QUERY_EXCLUSIONS % 26))}${MAX_QUERY_EXCLUSIONS}`,
    }),
    doc({ id: 31, title: '排除', text: '港 的a0' }),
  ]);
  const response = search(index, { q: `港 ${q}`, limit: 100 });
  const found = response.results.map((r) => r.id);
  assert.ok(found.includes(30), 'the ninth exclusion is not applied');
  assert.ok(!found.includes(31), 'the first exclusion is applied');
  assert.ok(response.limited !== undefined && response.limited.droppedExclusions.length > 0);
  assert.equal(search(index, { q: '港' }).limited, undefined);
});

test('substring checks read at most maxCheckedRows texts: a too-common exclusion is not applied, a broad term checks the newest candidates, and both are noted', () => {
  const index = build([
    ...CORPUS,
    doc({ id: 40, title: '甲', text: '的a 港', date: '2022-01-03' }),
    doc({ id: 41, title: '乙', text: '的 a 港', date: '2022-01-02' }),
    doc({ id: 42, title: '丙', text: '的a 港', date: '2022-01-01' }),
  ]);
  // Within the budget: exact, no note.
  const exact = search(index, { q: '港 -的a', limit: 100 });
  assert.deepEqual(
    exact.results.map((r) => r.id).sort((a, b) => a - b),
    [2, 3, 4, 5, 41],
  );
  assert.equal(exact.limited, undefined);
  // `-的a` is held (by its tokens 的) by 3 articles: past a budget of 2 it is not applied, and said so.
  const unchecked = search(index, { q: '港 -的a', limit: 100, maxCheckedRows: 2 });
  assert.ok(unchecked.results.some((r) => r.id === 40));
  assert.deepEqual(unchecked.limited?.uncheckedExclusions, ['的a']);
  // A term FTS cannot decide (`的a`) with 3 candidates: only the newest 2 are checked.
  const partial = search(index, { q: '的a', limit: 100, maxCheckedRows: 2 });
  assert.deepEqual(
    partial.results.map((r) => r.id),
    [40],
  );
  assert.deepEqual(partial.limited?.partial, { checked: 2, candidates: 3 });
  assert.deepEqual(
    search(index, { q: '的a', limit: 100 })
      .results.map((r) => r.id)
      .sort(),
    [40, 42],
  );
});

test('incremental: has, upsert replaces, remove deletes', () => {
  const index = build();
  assert.equal(index.has('a/1.md', 1, 1), true);
  assert.equal(index.has('a/1.md', 2, 1), false);
  index.upsert(doc({ id: 1, title: '新標題', text: '完全不同的內容', mtime: 2 }));
  assert.equal(index.has('a/1.md', 2, 1), true);
  assert.deepEqual(ids(index, '卫生署'), []);
  assert.deepEqual(ids(index, '内容'), [1]);
  index.remove(1);
  assert.deepEqual(ids(index, '内容'), []);
  assert.equal(index.count(), 4);
  index.upsert(doc({ id: 6, path: 'a/3.md', title: '改名', text: '同一檔案新編號' }));
  assert.deepEqual(
    index.entries().map((e) => e.id),
    [2, 4, 5, 6],
  );
  assert.deepEqual(ids(index, ''), [2, 4, 5, 6]);
});

// Characters chosen to collide often: Traditional/Simplified pairs, HK variants, Latin, digits, punctuation.
const ALPHABET = [
  '港',
  '香',
  '衞',
  '卫',
  '衛',
  '周',
  '週',
  '三',
  '后',
  '後',
  '綫',
  '线',
  '发',
  '發',
  '髮',
  '头',
  '頭',
  '台',
  '颱',
  '风',
  '政',
  '府',
  'a',
  'b',
  'A',
  '1',
  ' ',
  '，',
  '-',
  '"',
  '*',
  'é',
  'e\u0301',
];
const textArb = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 30 }).map((cs) => cs.join(''));

/** Plain substring semantics over the folded title and text: every term in it, no excluded one. */
const foldedOf = (d: SearchDocument): string => `${fold(d.title)}\n${fold(d.text)}`;

/** The query as the search reads it: shared-character terms settled by counting articles. */
function bruteParse(docs: readonly SearchDocument[], q: string): ParsedQuery {
  return settleForms(parseQuery(q), (form) => docs.filter((d) => foldedOf(d).includes(form)).length);
}

function bruteForce(docs: readonly SearchDocument[], q: string): number[] {
  const { forms, excludedForms } = bruteParse(docs, q);
  const holds = (text: string, fs: readonly string[]): boolean => fs.some((f) => f !== '' && text.includes(f));
  return docs
    .filter((d) => {
      const folded = foldedOf(d);
      return forms.every((fs) => holds(folded, fs)) && !excludedForms.some((fs) => holds(folded, fs));
    })
    .map((d) => d.id)
    .sort((a, b) => a - b);
}

/** Occurrences of `token` in `text`, overlapping ones too (as the index counts bigrams: 哈哈 twice in 哈哈哈). */
function occurrences(text: string, token: string): number {
  let n = 0;
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) n++;
  return n;
}

/**
 * The documented order, from the articles' text alone: (relevance: articles holding every term
 * read in Simplified as typed first; then those whose title holds every term; inside each part of
 * at most MAX_SCORED_PER_PART, BM25F over title, tags and the body's count levels — a form's
 * level the least of its characters' or bigrams' counted in the text — else title length), then
 * newest day, then highest id.
 */
function bruteOrder(docs: readonly SearchDocument[], q: string, sort: 'relevance' | 'date'): number[] {
  const { forms } = bruteParse(docs, q);
  const matching = new Set(bruteForce(docs, q));
  const newest = docs
    .filter((d) => matching.has(d.id))
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || b.id - a.id);
  if (sort !== 'relevance' || forms.length === 0) return newest.map((d) => d.id);
  const typed = literalTierForms(forms);
  const holds = (text: string, fs: readonly string[]): boolean => fs.some((f) => f !== '' && text.includes(f));
  const parts = relevanceParts(
    newest,
    typed === undefined ? undefined : (d) => typed.every((t) => foldedOf(d).includes(t)),
    (d) => forms.every((fs) => holds(fold(d.title), fs)),
  );
  const stats = {
    docs: docs.length,
    meanTitleLength: docs.reduce((n, d) => n + codePointLength(fold(d.title)), 0) / docs.length,
    meanTextLength: docs.reduce((n, d) => n + codePointLength(foldedOf(d)), 0) / docs.length,
  };
  const df = (fs: readonly string[]): number => docs.filter((d) => holds(foldedOf(d), fs)).length;
  const idfs = termIdfs(forms, docs.length, newest.length, df);
  const level = (d: SearchDocument, fs: readonly string[]): number => {
    let best = 1;
    for (const form of fs) {
      const tokens = formLevelTokens(form);
      if (tokens === undefined) continue;
      best = Math.max(best, Math.min(...tokens.map((t) => tfLevel(occurrences(foldedOf(d), t)))));
    }
    return best;
  };
  const score = (d: SearchDocument): number =>
    bm25f(
      forms.map((fs) => ({
        title: holds(fold(d.title), fs),
        tags: d.tags.some((tag) => holds(fold(tag), fs)),
        level: level(d, fs),
      })),
      idfs,
      codePointLength(fold(d.title)),
      codePointLength(foldedOf(d)),
      stats,
    );
  return parts.flatMap((p) => orderPart(p, score, (d) => codePointLength(fold(d.title)))).map((d) => d.id);
}

const DATES = [undefined, '2019-01-01', '2019-01-01', '2020-06-30', '2021-12-31'];

test('property: search equals a brute-force scan of every article, in the documented order', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          title: textArb,
          text: textArb,
          date: fc.constantFrom(...DATES),
          category: fc.constantFrom('a', 'b'),
          tags: fc.array(
            textArb.filter((s) => s.length <= 3),
            { maxLength: 2 },
          ),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      fc.array(
        fc.tuple(
          fc.boolean(),
          fc.boolean(),
          textArb.filter((s) => s.length <= 4),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      fc.constantFrom('relevance' as const, 'date' as const),
      fc.integer({ min: 1, max: 5 }),
      (raw, parts, sort, pageSize) => {
        // Every third article is a revision of the one before: same title and date, other text.
        const docs = raw.map(({ date, ...r }, i) => {
          const base = i % 3 === 2 ? raw[i - 1]! : undefined;
          const d = base?.date ?? date;
          return doc({
            id: i + 1,
            ...r,
            ...(base ? { title: base.title } : {}),
            ...(d === undefined ? {} : { date: d }),
          });
        });
        const q = parts
          .map(
            ([neg, quoted, s]) => `${neg ? '-' : ''}${quoted ? `"${s.replaceAll('"', '')}"` : s.replaceAll(' ', '')}`,
          )
          .join(' ');
        const index = build(docs);
        try {
          const got = search(index, { q, limit: 100, sort });
          assert.deepEqual(
            got.results.map((r) => r.id).sort((a, b) => a - b),
            bruteForce(docs, q),
            q,
          );
          assert.equal(got.total, got.results.length);
          const expected = bruteOrder(docs, q, sort);
          if (parseQuery(q).terms.length > 0)
            assert.deepEqual(
              got.results.map((r) => r.id),
              expected,
              `${q} ${sort}`,
            );
          // Paging gives the same order; a category filter takes the other query path, same answer.
          const paged: number[] = [];
          for (let offset = 0; offset < got.total; offset += pageSize)
            paged.push(...search(index, { q, sort, limit: pageSize, offset }).results.map((r) => r.id));
          assert.deepEqual(
            paged,
            got.results.map((r) => r.id),
            `${q} paged`,
          );
          // Grouped: the first of each revision group in the same order, with its matching versions.
          const grouped = search(index, { q, limit: 100, sort, group: true });
          const seen = new Map<string, number[]>();
          for (const id of got.results.map((r) => r.id)) {
            const key = groupKey(docs[id - 1]!);
            seen.set(key, [...(seen.get(key) ?? []), id]);
          }
          assert.equal(grouped.total, got.total);
          assert.equal(grouped.groups, seen.size);
          assert.deepEqual(
            grouped.results.map((r) => r.versions),
            [...seen.values()],
            `${q} grouped`,
          );
          // Facets count every match by year and category, whatever the path and the page size.
          const faceted = search(index, { q, limit: pageSize, sort, facets: true, group: pageSize % 2 === 0 });
          const matched = got.results.map((r) => docs[r.id - 1]!);
          assert.deepEqual(
            faceted.facets,
            facetsOf(matched.map((d) => [d.date?.slice(0, 4) ?? '', d.category] as const)),
            `${q} facets`,
          );
          const inA = search(index, { q, limit: 100, sort, category: 'a' }).results.map((r) => r.id);
          assert.deepEqual(
            inA,
            got.results.map((r) => r.id).filter((id) => docs[id - 1]!.category === 'a'),
            `${q} category`,
          );
        } finally {
          index.close();
        }
      },
    ),
    { numRuns: 300 },
  );
});

/** Pieces of real text that make long tokens: status ids, forum URLs, Latin inside CJK, emoji. */
const TOKEN_PIECES = [
  ...'0123456789',
  ...'abcXYZ',
  '/',
  '.',
  '?',
  '=',
  '_',
  '&',
  '-',
  '😀',
  '𠮷',
  '港',
  '鐵',
  'é',
  'https://forum.example.com/view.aspx?message=',
  'twitter.com/user/status/',
];
const tokenText = fc.array(fc.constantFrom(...TOKEN_PIECES), { minLength: 1, maxLength: 40 }).map((cs) => cs.join(''));

test('property: any substring of any token, of any length and script, finds exactly the articles holding it', () => {
  fc.assert(
    fc.property(
      fc.array(tokenText, { minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 1, max: 60 }),
      (texts, which, start, length) => {
        const docs = texts.map((text, i) => doc({ id: i + 1, title: `t${i}`, text: `內文 ${text} 完` }));
        const source = Array.from(texts[which % texts.length]!);
        const from = start % source.length;
        // A query is a substring of a token: no spaces or quotes, not starting with `-` (an exclusion).
        const q = source
          .slice(from, from + length)
          .join('')
          .replace(/^-+/, '');
        if (q === '') return;
        const index = build(docs);
        try {
          const got = search(index, { q, limit: 100 });
          assert.deepEqual(
            got.results.map((r) => r.id).sort((a, b) => a - b),
            bruteForce(docs, q),
            q,
          );
          assert.equal(got.total, bruteForce(docs, q).length, q);
        } finally {
          index.close();
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('query latency on a generated corpus is measured', (t) => {
  const chars = Array.from('香港政府今日公布新增確診個案衞生署電車路綫乘客巴士記者會疫苗民主派立法會選舉法院警方');
  let seed = 7;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % (n * 65536)) >>> 16;
  const docs = Array.from({ length: 2000 }, (_, i) =>
    doc({
      id: 10000 + i,
      title: `標題${i}`,
      text: Array.from({ length: 800 }, () => chars[rand(chars.length)]).join(''),
      date: `2020-01-${String((i % 28) + 1).padStart(2, '0')}`,
    }),
  );
  const started = performance.now();
  const index = build(docs);
  const buildMs = performance.now() - started;
  for (const q of ['港', '政府', '新增確診', '卫生署 -疫苗', 'covid']) {
    const t0 = performance.now();
    const r = search(index, { q });
    t.diagnostic(`q=${q}: total ${r.total}, ${(performance.now() - t0).toFixed(1)} ms`);
    assert.equal(r.total, bruteForce(docs, q).length, q);
  }
  t.diagnostic(`build 2000 × 800 chars: ${buildMs.toFixed(0)} ms`);
  index.close();
});

/** The snippet rule applied to the whole text at once (snippet() folds chunk by chunk and must agree). */
function wholeTextSnippet(text: string, terms: string[]): string {
  const { folded, origin } = foldWithOrigin(text);
  const at = (i: number): number => (i < folded.length ? origin[i]! : text.length);
  const matches: [number, number][] = [];
  for (const term of terms)
    for (let i = folded.indexOf(term); i !== -1 && term !== ''; i = folded.indexOf(term, i + 1))
      matches.push([at(i), at(i + term.length)]);
  matches.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const cut = (i: number): number =>
    i > 0 && i < text.length && text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff ? i - 1 : i;
  const show = (t: string): string => t.replace(/\s+/gu, ' ').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const first = matches[0];
  let start = first === undefined ? 0 : Math.max(0, first[0] - 30);
  let end = Math.min(text.length, Math.max(start + 100, first?.[1] ?? 0));
  start = cut(start);
  end = cut(end);
  let out = start > 0 ? '…' : '';
  let pos = start;
  for (const [s, e] of matches) {
    if (s < pos || e > end) continue;
    out += `${show(text.slice(pos, s))}<mark>${show(text.slice(s, e))}</mark>`;
    pos = e;
  }
  out += show(text.slice(pos, end));
  if (end < text.length) out += '…';
  return out.trim();
}

test('property: chunked snippets equal the whole-text rule', () => {
  const chunkAlphabet = [...ALPHABET, 'ﬁ', '㈱', '😀', '甲', '乙'];
  const entities: Record<string, string> = {
    '&amp;': '&#38;',
    '&lt;': '&#60;',
    '&gt;': '&#62;',
    '&quot;': '&#34;',
    '&#39;': '&#39;',
  };
  fc.assert(
    fc.property(
      // A run of filler moves the first match near a chunk boundary (512 units).
      fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 505, max: 512 })),
      fc.array(fc.constantFrom(...chunkAlphabet), { minLength: 0, maxLength: 600 }).map((cs) => cs.join('')),
      fc.array(
        fc.array(fc.constantFrom(...chunkAlphabet), { minLength: 1, maxLength: 3 }).map((cs) => fold(cs.join(''))),
        { minLength: 1, maxLength: 2 },
      ),
      (filler, tail, terms) => {
        const text = '丙'.repeat(filler) + tail;
        const got = snippet(text, terms).replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => entities[e] ?? e);
        assert.equal(got, wholeTextSnippet(text, terms));
      },
    ),
    { numRuns: 400 },
  );
});

test('a match across the first chunk boundary is the first match', () => {
  const text = `${'丙'.repeat(511)}目標${'丁'.repeat(20)}目標`;
  assert.equal(snippet(text, ['目標']), `…${'丙'.repeat(30)}<mark>目標</mark>${'丁'.repeat(20)}<mark>目標</mark>`);
});
