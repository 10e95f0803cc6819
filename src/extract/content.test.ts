import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generic } from '../sites/generic.js';
import { articleText } from './article.js';
import { BlockBuilder } from './blocks.js';
import { findContent, type ContentChoice } from './content.js';
import { parseHtml, selectFirst, type Document, type Element } from './dom.js';
import { extractCapture } from './extract.js';

/** The body text a choice yields, as extraction renders it. */
function bodyText(choice: ContentChoice): string {
  const builder = new BlockBuilder({ baseUrl: 'https://example.com/a.html', isChrome: (el) => choice.dropped.has(el) });
  return articleText({ blocks: builder.blocksOf(choice.parts) });
}

function parse(html: string): Document {
  return parseHtml(html).doc;
}

function choose(html: string, title?: string): ContentChoice {
  const found = findContent(parse(html), title === undefined ? {} : { title });
  assert.ok(found, 'expected a body');
  return found;
}

const PROSE_EN = [
  'The council voted on Tuesday to close the old library, a decision that surprised many residents, who had campaigned for years to keep it open.',
  'Officials said the building, which dates from 1904, would need repairs costing more than the city could afford, and that services would move online.',
  'Residents, however, argued that the library was more than a building: it was a meeting place, a shelter in winter, and a quiet room for students.',
  'The vote was seven to four. A petition signed by three thousand people was presented at the meeting, but it did not change the outcome.',
];
const PROSE_ZH = [
  '昨日上午，市政府召开新闻发布会，介绍今年城市建设的总体安排，包括道路改造、公园建设和老旧小区更新等多项内容。',
  '据介绍，今年全市将新建和改造道路四十余条，新增公园绿地二百公顷，并对一百多个老旧小区进行综合整治，惠及居民五万余户。',
  '市民王先生表示，小区改造后环境明显改善，停车难、晾晒难等问题得到解决，大家对下一步的工作充满期待。',
];
const paragraphs = (lines: readonly string[]): string => lines.map((l) => `<p>${l}</p>`).join('\n');
const NAV =
  '<ul class="nav">' +
  ['Home', 'World', 'Business', 'Sport', 'Culture', 'Opinion']
    .map((x) => `<li><a href="/${x}">${x}</a></li>`)
    .join('') +
  '</ul>';
const LINK_LIST = (n: number): string =>
  '<ul>' +
  Array.from(
    { length: n },
    (_, i) => `<li><a href="/story/${i}">Another story about something else entirely, number ${i}</a></li>`,
  ).join('') +
  '</ul>';

test('chooses the article container over navigation, sidebar and footer, and says why', () => {
  const html = `<html><head><title>Library closes</title></head><body>
    <div id="header">${NAV}</div>
    <div class="layout">
      <div class="story-content"><h1>Library closes</h1>${paragraphs(PROSE_EN)}</div>
      <div class="sidebar"><h3>Most read</h3>${LINK_LIST(8)}</div>
    </div>
    <div id="footer"><p>Copyright 2020 The Paper. All rights reserved, everywhere, always.</p></div>
  </body></html>`;
  const choice = choose(html);
  const text = bodyText(choice);
  for (const line of PROSE_EN) assert.ok(text.includes(line), `missing: ${line}`);
  assert.ok(!text.includes('Most read') && !text.includes('Copyright'), text);
  // The sidebar left out, the story is the only child of its layout box, which is taken (it may hold captions).
  assert.match(choice.note, /^body: scored <div class="layout"> \(score [\d.]+, text \d+, link density 0\.00/);
});

test('reads a 2000s table layout whose article is text and <br>s in one cell', () => {
  const cell = PROSE_ZH.map((l) => `　　${l}<br><br>`).join('\n');
  const html = `<html><body bgcolor="#ffffff">
    <table width="778"><tr><td><a href="/">首页</a>|<a href="/news/">新闻</a>|<a href="/sports/">体育</a>|<a href="/ent/">娱乐</a></td></tr></table>
    <table width="778"><tr>
      <td width="180" valign="top"><a href="/a">热点新闻一</a><br><a href="/b">热点新闻二</a><br><a href="/c">热点新闻三</a></td>
      <td width="598" valign="top"><font size="4"><b>城市建设今年这样干</b></font><br><br>${cell}</td>
    </tr></table>
    <table><tr><td>版权所有 某某网 2005</td></tr></table>
  </body></html>`;
  const choice = choose(html);
  assert.equal(choice.root.name, 'td');
  const text = bodyText(choice);
  for (const line of PROSE_ZH) assert.ok(text.includes(line), `missing: ${line}`);
  assert.ok(!text.includes('热点新闻') && !text.includes('版权所有'), text);
});

test('reads a page without <html> or <body> (a fragment after a crawler line)', () => {
  const html = `<text id="http://example.cn/a.htm">\n<div id="nav">${NAV}</div><div class="zhengwen">${paragraphs(PROSE_ZH)}</div>\n</text>`;
  const choice = choose(html);
  assert.equal(choice.root.attribs['class'], 'zhengwen');
  assert.ok(bodyText(choice).includes(PROSE_ZH[2]!));
});

test('leaves out share bars, link-dense related lists and comments inside the body', () => {
  const html = `<html><body><article class="post">
    <div class="share-tools"><a href="https://facebook.com/s">Facebook</a> <a href="https://x.com/s">X</a></div>
    ${paragraphs(PROSE_EN)}
    <div class="more-stories"><h3>Read next</h3>${[1, 2, 3].map((i) => `<p><a href="/s/${i}">Another story about something else entirely, number ${i}</a></p>`).join('')}</div>
    <div id="comments"><p>Great article, thanks, I agree with every word of it, really, truly.</p></div>
  </article></body></html>`;
  const text = bodyText(choose(html));
  assert.ok(text.includes(PROSE_EN[3]!));
  for (const chrome of ['Facebook', 'Another story', 'Great article'])
    assert.ok(!text.includes(chrome), `kept ${chrome}: ${text}`);
});

test('leaves out comments inside a table-laid-out body, which scoring had to keep', () => {
  const html = `<html><body><table><tr><td>
    <h2>城市建设今年这样干</h2>${paragraphs(PROSE_ZH)}
    <h3 id="comments">已有2件评论</h3>
    <ol class="commentlist"><li><p>说得很好，支持政府的工作，希望早日完工，让大家都住得更舒服。</p></li></ol>
  </td><td width="200">${LINK_LIST(6)}</td></tr></table></body></html>`;
  const text = bodyText(choose(html));
  assert.ok(text.includes(PROSE_ZH[0]!));
  assert.ok(!text.includes('评论') && !text.includes('说得很好'), text);
});

test('adds sibling paragraphs that continue the article, not sibling link lists', () => {
  const html = `<html><body><div id="main">
    <div class="entry">${paragraphs(PROSE_EN)}</div>
    <p>In a statement after the vote, the mayor thanked the library staff for their service over many decades of work.</p>
    ${LINK_LIST(6)}
  </div></body></html>`;
  const choice = choose(html);
  const text = bodyText(choice);
  assert.ok(text.includes('the mayor thanked the library staff'), text);
  assert.ok(!text.includes('Another story'), text);
  assert.match(choice.note, /1 sibling/);
});

test('keeps a data table inside the body and drops a table of headline links', () => {
  const rows = Array.from(
    { length: 4 },
    (_, i) => `<tr><td>District ${i}</td><td>${100 + i}</td><td>${20 + i}</td></tr>`,
  ).join('');
  const headlines = Array.from(
    { length: 12 },
    (_, i) => `<tr><td><a href="/s/${i}">其他新闻标题，第${i}条，点击阅读全文</a></td></tr>`,
  ).join('');
  const html = `<html><body><div class="article-text">${paragraphs(PROSE_EN)}
    <table><thead><tr><th>District</th><th>Visits</th><th>Staff</th></tr></thead><tbody>${rows}</tbody></table>
    <table>${headlines}</table>
  </div></body></html>`;
  const text = bodyText(choose(html));
  assert.ok(text.includes('District 3\t103\t23'), text);
  assert.ok(!text.includes('其他新闻标题'), text);
});

test('drops a heading that repeats the page title', () => {
  const html = `<html><body><div class="content"><h2>Library closes after 116 years</h2>${paragraphs(PROSE_EN)}</div></body></html>`;
  const text = bodyText(choose(html, 'Library closes after 116 years | The Paper'));
  assert.ok(!text.includes('Library closes'), text);
  assert.ok(text.includes(PROSE_EN[0]!));
});

test('on a listing of dated posts the first post is the article, not the longest', () => {
  const post = (title: string, date: string, lines: readonly string[]): string =>
    `<div class="post"><h3 class="post-title">${title}</h3><span class="date">${date}</span><div class="post-body">${paragraphs(lines)}</div></div>`;
  const listing = `<html><body><div class="posts">
    ${post('Library closes', '2005-06-14 03:25', PROSE_EN.slice(0, 2))}
    ${post('A longer story', '2005-06-13 15:00', [...PROSE_EN, ...PROSE_EN.map((l) => l.replace('The', 'A'))])}
    ${post('Third post', '2005-06-11 14:05', PROSE_EN.slice(1, 3))}
  </div></body></html>`;
  const choice = choose(listing);
  assert.match(choice.note, /first post of a listing/);
  const text = bodyText(choice);
  assert.ok(text.includes(PROSE_EN[0]!) && !text.includes(PROSE_EN[3]!), text);

  // Sections of one article are alike and have prose too, but no date each: scoring decides.
  const sections = listing.replace(/<span class="date">[^<]*<\/span>/g, '');
  assert.doesNotMatch(choose(sections).note, /first post/);
  assert.ok(bodyText(choose(sections)).includes(PROSE_EN[3]!));
});

test('relaxes its rules when the strict pass finds too little, keeping the longest result', () => {
  // The whole article sits in an element named like a sidebar: only the relaxed pass can find it.
  const html = `<html><body><div class="sidebar-wrap">${paragraphs([...PROSE_EN, ...PROSE_EN.map((p) => p.replace('The', 'A'))])}</div><div><p>Short note, nothing more.</p></div></body></html>`;
  const choice = choose(html);
  assert.match(choice.note, /unlikely regions kept/);
  assert.ok(bodyText(choice).includes(PROSE_EN[2]!));
});

test('a page of links alone has no body', () => {
  assert.equal(findContent(parse(`<html><body>${NAV}${LINK_LIST(10)}</body></html>`)), undefined);
  assert.equal(findContent(parse('')), undefined);
});

test('a short page with no paragraph long enough to score is read whole', () => {
  const choice = choose('<html><body><article><h2>Test</h2><img src="/a.jpg" alt="a"></article></body></html>');
  assert.equal(choice.root.name, 'body');
  assert.match(choice.note, /^body: whole <body>/);
});

test('a marked container holding the best-scored element is the body; one elsewhere is not', () => {
  const article = `<div itemprop="articleBody"><div class="inner">${paragraphs(PROSE_EN)}</div><p class="kicker">More on this story.</p></div>`;
  const page = parse(`<html><body>${article}</body></html>`);
  const marked = selectFirst('[itemprop="articleBody"]', page) as Element;
  const inside = findContent(page, { marked: { element: marked, how: '[itemprop="articleBody"]' } });
  assert.equal(inside?.root, marked);
  assert.match(inside?.note ?? '', /^body: \[itemprop="articleBody"\] <div>/);

  const teaser = parse(
    `<html><body><div itemprop="articleBody"><p>Teaser.</p></div><div class="story">${paragraphs(PROSE_EN)}</div></body></html>`,
  );
  const elsewhere = findContent(teaser, {
    marked: { element: selectFirst('[itemprop="articleBody"]', teaser) as Element, how: 'x' },
  });
  assert.equal(elsewhere?.root.attribs['class'], 'story');
});

test('extractCapture with the generic profile finds the body by scoring and notes how', () => {
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>城市建设今年这样干 - 某某网</title></head><body>
    <div class="daohang">${NAV}</div><div class="neirong">${paragraphs(PROSE_ZH)}</div><div class="tuijian">${LINK_LIST(6)}</div></body></html>`;
  const result = extractCapture(
    { payload: new TextEncoder().encode(html), url: 'http://news.example.cn/2005/a.htm', timestamp: '20050101000000' },
    generic,
  );
  if (!result.ok) assert.fail(`rejected: ${result.message}`);
  assert.ok(
    result.notes.some((n) => n.startsWith('body: scored <div class="neirong">')),
    result.notes.join('\n'),
  );
  assert.equal(articleText(result.article), PROSE_ZH.join('\n'));
});

test('icons (both sides declared 24 px or less) are no figures; photos and undeclared sizes are', () => {
  const html = `<html><body><div class="content">${paragraphs(PROSE_EN)}
    <p><img src="/photo.jpg" width="450" height="300" alt="photo"><img src="/arrow.gif" width="18" height="18"><img src="/wide.gif" width="200" height="20"><img src="/any.png"></p>
  </div></body></html>`;
  const choice = choose(html);
  const builder = new BlockBuilder({ baseUrl: 'https://example.com/a.html', isChrome: (el) => choice.dropped.has(el) });
  const figures = builder.blocksOf(choice.parts).flatMap((b) => (b.type === 'figure' ? [b.src] : []));
  assert.deepEqual(figures, [
    'https://example.com/photo.jpg',
    'https://example.com/wide.gif',
    'https://example.com/any.png',
  ]);
});

test('never throws on arbitrary markup', () => {
  const tag = fc.constantFrom(
    'div',
    'p',
    'td',
    'tr',
    'table',
    'a',
    'ul',
    'li',
    'span',
    'br',
    'h2',
    'section',
    'form',
    'body',
    'html',
    'text',
  );
  const attr = fc.constantFrom(
    '',
    ' class="content"',
    ' id="comment"',
    ' class="share"',
    ' style="display:none"',
    ' href="#x"',
    ' itemprop="author"',
  );
  const piece = fc.oneof(
    fc.tuple(tag, attr).map(([t, a]) => `<${t}${a}>`),
    tag.map((t) => `</${t}>`),
    fc.constantFrom('文字，内容。', 'Some text, with commas, here.', ' ', '&nbsp;', 'x'.repeat(120)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 80 }), (pieces) => {
      const found = findContent(parse(pieces.join('')));
      if (found) bodyText(found);
    }),
    { numRuns: 300 },
  );
});

test('a short line between two parts of the text joins them; the same line beside the text does not', () => {
  const part = (n: number): string =>
    `<div class="story">${[0, 1, 2].map((k) => `<p>${PROSE_EN[(n + k) % PROSE_EN.length]}</p>`).join('')}</div>`;
  const quote = '<p><em>“We are all concerned with events …”</em></p>';
  const nav = '<nav><a href="/">Home</a> <a href="/news">News</a></nav>';
  const sandwiched = choose(`<body>${nav}<main>${part(0)}${quote}${part(3)}</main></body>`);
  assert.ok(bodyText(sandwiched).includes('We are all concerned'));
  assert.ok(bodyText(sandwiched).includes(PROSE_EN[3 % PROSE_EN.length]!.slice(0, 30)));
  const beside = choose(`<body>${nav}<main>${quote}${part(0)}${part(3)}</main></body>`);
  assert.ok(!bodyText(beside).includes('We are all concerned'));
  // Two lines in a row fill the hole together; a sponsor's label with its linked banner does not.
  const two = choose(
    `<body>${nav}<main>${part(0)}<p>【撰文：龍景昌】</p><p>【編輯：眾新聞】</p>${part(3)}</main></body>`,
  );
  assert.ok(bodyText(two).includes('撰文') && bodyText(two).includes('編輯'));
  const ad = choose(
    `<body>${nav}<main>${part(0)}赞助商：<a href="https://ads.example/x"><img src="https://ads.example/a.gif"></a>${part(3)}</main></body>`,
  );
  assert.ok(!bodyText(ad).includes('赞助商'));
});
