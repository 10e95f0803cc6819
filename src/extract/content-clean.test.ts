import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block, Inline } from './article.js';
import { dropLeadingChrome, dropTrailingChrome, shortTextOf, SHORT_TEXT_MAX_NODES } from './content-clean.js';
import { parseHtml, type Element } from './dom.js';

const p = (text: string): Block => ({ type: 'paragraph', children: [{ type: 'text', text }] });
const row = (...cells: string[]): Inline[][] => cells.map((text) => [{ type: 'text', text }]);
const texts = (blocks: readonly Block[]): string[] =>
  blocks.map((b) =>
    b.type === 'paragraph' ? b.children.map((c) => (c.type === 'text' ? c.text : '')).join('') : b.type,
  );
const LEAD = '南方网讯　薛凯琪新专辑再拿好莱坞巨星开涮，凭着一张专辑，她在去年的众多新人中突围而出。';
const TITLE = '薛凯琪新专辑表情千奇百怪 再拿巨星开涮(图)';

test('the headline and the page meta line at the top of a body go; the text stays', () => {
  const notes: string[] = [];
  const blocks = [p(TITLE), p('2005-04-28 11:13更新 来源：转载文章 发表评论'), p(LEAD), p('第二段。')];
  assert.deepEqual(texts(dropLeadingChrome(blocks, TITLE, notes)), [LEAD, '第二段。']);
  assert.deepEqual(notes, ['body: 2 leading blocks of headline or page meta dropped']);
});

test('with the headline shown outside the body, a paragraph like it is the text; a heading like it still goes', () => {
  const letter = '致香港特別行政區首長林鄭月娥女士、行政會議成員、各位司長、局長及立法會議員';
  const blocks = [p(letter), p(LEAD)];
  assert.deepEqual(texts(dropLeadingChrome(blocks, letter, [], true)), [letter, LEAD]);
  assert.deepEqual(texts(dropLeadingChrome(blocks, letter, [], false)), [LEAD]);
  const heading: Block = { type: 'heading', level: 2, children: [{ type: 'text', text: letter }] };
  assert.deepEqual(texts(dropLeadingChrome([heading, p(LEAD)], letter, [], true)), [LEAD]);
});

test('a layout table of headline and meta rows counts as one leading line each row', () => {
  const table: Block = {
    type: 'table',
    header: false,
    rows: [row('2005-04-05 06:40更新 来源：转载文章', '第1页/共1页 << 上一页 | 下一页 >>')],
  };
  assert.deepEqual(texts(dropLeadingChrome([p(TITLE), table, p(LEAD)], TITLE, [])), [LEAD]);
  // A data table at the top is text, whatever it holds.
  const data: Block = { type: 'table', header: true, rows: [row('日期', '来源'), row('2005-04-05', '新华社')] };
  assert.equal(dropLeadingChrome([data, p(LEAD)], TITLE, []).length, 2);
});

test('leading lines that only look like chrome stay', () => {
  const keep = (blocks: Block[], title = TITLE): void => assert.deepEqual(dropLeadingChrome(blocks, title, []), blocks);
  // A lead sentence with a date and "发布" is news, not a meta line.
  keep([
    p('央广网北京2月13日消息 据中国之声报道，中央军委主席日前签署命令，发布新规定，自2022年2月10日起施行。'),
    p(LEAD),
  ]);
  // A line that starts like the title is not the title (similar one way only).
  keep(
    [p('吉林省人民政府关于禁止在'), p(LEAD)],
    '吉林省人民政府关于禁止在吉林省嫩江干流补充治理工程建设征占地范围内新增建设项目的通告',
  );
  // Meta words without a date, and a date without meta words.
  keep([p('来源：新华网'), p(LEAD)]);
  keep([p('2005年4月28日'), p(LEAD)]);
  // Past the first blocks, a title-like line is a section heading the article repeats.
  keep([p(LEAD), p('第二段。'), p('第三段。'), p(TITLE)]);
  // The title is dropped once: a second copy is text.
  assert.deepEqual(texts(dropLeadingChrome([p(TITLE), p(TITLE), p(LEAD)], TITLE, [])), [TITLE, LEAD]);
});

test('an English meta line goes too', () => {
  const blocks = [
    p('Posted by Jane Doe on March 3, 2020 | 4 comments'),
    p('The council voted on Tuesday to close the old library.'),
  ];
  assert.equal(dropLeadingChrome(blocks, 'Library closes', []).length, 1);
});

test('trailing navigation, print/close lines and a legal notice go, sources stay', () => {
  const notes: string[] = [];
  const blocks = [
    p(LEAD),
    p('来源：南方都市报'),
    p('返回页首 | 关闭窗口'),
    { type: 'rule' } as Block,
    p('上一篇：某某新闻'),
  ];
  assert.deepEqual(texts(dropTrailingChrome(blocks, notes)), [LEAD, '来源：南方都市报']);
  assert.deepEqual(notes, ['body: 3 trailing blocks of navigation or notices dropped']);
  const legal = [
    p(LEAD),
    p('第二段。'),
    p('第三段。'),
    p('版权声明：本网站所刊载信息，不代表本站观点。'),
    p('转载请注明出处。'),
  ];
  assert.deepEqual(texts(dropTrailingChrome(legal, [])), [LEAD, '第二段。', '第三段。']);
  // A long paragraph that starts like navigation quotes it.
  const quoting = [p(LEAD), p(`返回${'这是一段很长的正文，'.repeat(8)}`)];
  assert.equal(dropTrailingChrome(quoting, []).length, 2);
});

test('short-text checks read at most SHORT_TEXT_MAX_NODES nodes of an element', () => {
  const small = parseHtml('<div><span>Advertisement</span></div>').doc.children[0] as Element;
  assert.equal(shortTextOf(small), 'Advertisement');
  // A flattened hostile nest wraps 200,000 elements in every ancestor: reading each whole is quadratic.
  const big = parseHtml(`<div>${'<i></i>'.repeat(SHORT_TEXT_MAX_NODES)}Ad</div>`).doc.children[0] as Element;
  assert.equal(shortTextOf(big), undefined);
});
