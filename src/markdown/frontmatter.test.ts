import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import type { Article } from '../extract/index.js';
import { frontmatterValues, renderFrontmatter } from './frontmatter.js';
import { renderArticle } from './render.js';

const ORIGINAL_URL = 'https://www.hkcnews.com/article/18733/%E7%BE%8E%E6%9C%9D%E5%B3%B0%E6%9C%83-18733/%E7%89%B9';
const FULL_KEYS = [
  'title',
  'date',
  'last_updated',
  'author',
  'category',
  'tags',
  'url',
  'original_url',
  'id',
  'site',
  'captured_at',
  'sha256',
];
const MINIMAL_KEYS = FULL_KEYS.slice(0, 8);

function article(fields: Partial<Article> = {}): Article {
  return {
    site: 'hkcnews',
    id: '18733',
    title: '特朗普金正恩河內峰會　同稱可望達致成果',
    tags: [],
    blocks: [],
    provenance: { originalUrl: ORIGINAL_URL, timestamp: '20210628174710', sha256: 'a'.repeat(64) },
    ...fields,
  };
}

/** Parses the YAML between the `---` fences with a strict YAML 1.2 parser; fails on any error or warning. */
function readBack(frontmatter: string): Record<string, unknown> {
  assert.ok(frontmatter.startsWith('---\n') && frontmatter.endsWith('\n---\n'), 'fenced by --- lines');
  const doc = parseDocument(frontmatter.slice(4, -4), {
    version: '1.2',
    strict: true,
    uniqueKeys: true,
    prettyErrors: false,
  });
  assert.deepEqual(
    doc.errors.map((e) => e.message),
    [],
  );
  assert.deepEqual(
    doc.warnings.map((e) => e.message),
    [],
  );
  return doc.toJS() as Record<string, unknown>;
}

const HOSTILE = [
  'He said "no"',
  "It's",
  'a: b',
  'key: value: more',
  'line1\nline2',
  'x\r\ny',
  '---',
  '--- x',
  '...',
  '# not a comment',
  'a #b',
  '特朗普😀👨‍👩‍👧',
  '\u00a0inner\u00a0nbsp\u00a0',
  '前\u3000後',
  'C:\\path\\to',
  '\\"',
  'tab\there',
  'bell\u0007',
  'nul\u0000',
  'esc\u001b[0m',
  '  padded  ',
  '\n\ttrimmed\n',
  'null',
  'Null',
  '~',
  'true',
  'false',
  'yes',
  'no',
  '123',
  '0x1F',
  '1e3',
  '.inf',
  '2019-02-27',
  '- x',
  '[a]',
  '{a: b}',
  '&anchor',
  '*alias',
  '!tag',
  '? q',
  '| keep',
  '> fold',
  '%YAML 1.2',
  '@at',
  '`tick`',
  "'single'",
  '"',
  '\\',
  ',',
  '{',
  ']',
  'a\u2028b',
  'bom\ufeff',
  'x'.repeat(500),
];

test('hostile titles, authors, categories and tags read back exactly, trimmed', () => {
  for (const value of HOSTILE) {
    const a = article({ title: value, author: value, category: value, tags: [value, '普通'] });
    const back = readBack(renderFrontmatter(a));
    const expected = value.trim();
    assert.equal(back['title'], expected, JSON.stringify(value));
    assert.equal(back['author'], expected, JSON.stringify(value));
    assert.equal(back['category'], expected, JSON.stringify(value));
    assert.deepEqual(back['tags'], [expected, '普通'], JSON.stringify(value));
  }
});

/** Any code points (lone surrogates included), with whitespace and controls over-represented. */
const anyText = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 30 }).map((codes) => String.fromCodePoint(...codes)),
  fc
    .array(
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\r',
        '\u00a0',
        '\u3000',
        '"',
        '\\',
        ':',
        '#',
        '-',
        '眾',
        'a',
        '\u0000',
        '\u0085',
        '\u2028',
        '\ud800',
        '😀',
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
);

test('any title reads back as the title trimmed (inner newlines kept), or is absent when blank', () => {
  fc.assert(
    fc.property(anyText, (title) => {
      const back = readBack(renderFrontmatter(article({ title })));
      if (title.trim() === '') assert.equal('title' in back, false);
      else assert.equal(back['title'], title.trim());
    }),
    { numRuns: 800, seed: 11 },
  );
});

test('any author and tags read back exactly as frontmatterValues gives them', () => {
  fc.assert(
    fc.property(anyText, fc.array(anyText, { maxLength: 4 }), (author, tags) => {
      const a = article({ author, tags });
      assert.deepEqual(readBack(renderFrontmatter(a)), frontmatterValues(a));
    }),
    { numRuns: 600, seed: 12 },
  );
});

test('frontmatter text never holds a carriage return or a raw C0 control', () => {
  fc.assert(
    fc.property(anyText, anyText, (title, author) => {
      const fm = renderFrontmatter(article({ title, author, tags: [author] }));
      assert.equal(/[\u0000-\u0009\u000b-\u001f]/.test(fm), false, JSON.stringify(fm));
    }),
    { numRuns: 600, seed: 13 },
  );
});

test('frontmatter text holds only characters YAML 1.2 allows unescaped', () => {
  // YAML 1.2 §5.1 c-printable: x9 | xA | xD | x20-x7E | x85 | xA0-xD7FF | xE000-xFFFD | x10000-x10FFFF.
  const NOT_PRINTABLE = /[^\t\n\r\u0020-\u007e\u0085\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
  for (const value of ['del\u007f', 'c1\u0080', 'c1\u009f', 'nonchar\ufffe', 'nonchar\uffff']) {
    const fm = renderFrontmatter(article({ title: value, author: value, tags: [value] }));
    assert.equal(NOT_PRINTABLE.test(fm), false, JSON.stringify(value));
    assert.equal(readBack(fm)['title'], value);
  }
});

test('keys come in the seed order, then provenance', () => {
  const a = article({
    date: '2019-02-27',
    lastUpdated: '2019-02-28 09:10:11',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['越南', '美朝峰會'],
  });
  const fm = renderFrontmatter(a);
  const keys = fm
    .split('\n')
    .filter((line) => /^[a-z0-9_]+:/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')));
  assert.deepEqual(keys, FULL_KEYS);
  assert.deepEqual(Object.keys(readBack(fm)), FULL_KEYS);
});

test('writes the seed article frontmatter byte for byte, plus provenance', () => {
  const a = article({
    date: '2019-02-27',
    author: '眾新聞記者',
    category: '眾聞',
    tags: ['越南', '越南社會主義共和國', '美朝峰會'],
  });
  assert.equal(
    renderFrontmatter(a),
    [
      '---',
      'title: "特朗普金正恩河內峰會　同稱可望達致成果"',
      'date: "2019-02-27"',
      'author: "眾新聞記者"',
      'category: "眾聞"',
      'tags:',
      '  - "越南"',
      '  - "越南社會主義共和國"',
      '  - "美朝峰會"',
      `url: "https://web.archive.org/web/20210628174710/${ORIGINAL_URL}"`,
      `original_url: "${ORIGINAL_URL}"`,
      'id: "18733"',
      'site: "hkcnews"',
      'captured_at: "2021-06-28T17:47:10Z"',
      `sha256: "${'a'.repeat(64)}"`,
      '---',
      '',
    ].join('\n'),
  );
});

test('every scalar is double-quoted and tags are a block list', () => {
  const a = article({
    date: '2019-02-27',
    lastUpdated: '2019-02-28 09:10:11',
    author: 'null',
    category: '123',
    tags: ['true', '- x'],
  });
  const lines = renderFrontmatter(a).split('\n').slice(1, -2);
  for (const line of lines) assert.match(line, /^(?:[a-z0-9_]+: ".*"|tags:|  - ".*")$/, line);
});

test('minimal style omits the provenance keys', () => {
  const a = article({
    date: '2019-02-27',
    lastUpdated: '2019-02-28 09:10:11',
    author: 'x',
    category: 'y',
    tags: ['z'],
  });
  const back = readBack(renderFrontmatter(a, 'minimal'));
  assert.deepEqual(Object.keys(back), MINIMAL_KEYS);
  assert.deepEqual(Object.keys(frontmatterValues(a, 'minimal')), MINIMAL_KEYS);
});

test('missing and blank values are omitted, never written as ""', () => {
  const a = article({ author: '   ', category: '', tags: ['', ' ', '\u3000'] });
  const fm = renderFrontmatter(a);
  assert.equal(fm.includes('""'), false);
  assert.deepEqual(Object.keys(readBack(fm)), ['title', 'url', 'original_url', 'id', 'site', 'captured_at', 'sha256']);
});

test('tags are trimmed and blank ones dropped, order kept', () => {
  assert.deepEqual(frontmatterValues(article({ tags: [' 越南 ', '', '美朝峰會', '\u00a0'] }))['tags'], [
    '越南',
    '美朝峰會',
  ]);
});

test('captured_at is omitted for a timestamp that is not a real instant', () => {
  const a = article({ provenance: { originalUrl: ORIGINAL_URL, timestamp: '20211399000000', sha256: 'b' } });
  assert.equal('captured_at' in readBack(renderFrontmatter(a)), false);
});

test('a 500-character title stays on one line', () => {
  const title = '長'.repeat(250) + ' ' + 'word '.repeat(50).trim();
  const fm = renderFrontmatter(article({ title }));
  assert.equal(fm.split('\n')[1], `title: "${title}"`);
});

test('the whole file ends with exactly one newline and holds no CR', () => {
  fc.assert(
    fc.property(anyText, anyText, (title, text) => {
      if (title.trim() === '') return;
      const file = renderArticle(
        article({
          title,
          author: text,
          tags: [text],
          blocks: [{ type: 'paragraph', children: [{ type: 'text', text: text.replace(/\s+/g, ' ').trim() || 'x' }] }],
        }),
      );
      assert.ok(file.endsWith('\n') && !file.endsWith('\n\n'), JSON.stringify(file.slice(-20)));
      assert.equal(file.includes('\r'), false);
    }),
    { numRuns: 600, seed: 14 },
  );
});
