import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namesAt, textBylines } from './byline.js';
import { findTextDates, urlDate } from './dates.js';
import { parseHtml, selectFirst } from './dom.js';
import { extractCapture, type ExtractResult } from './extract.js';
import { pageText } from './page-text.js';
import type { SiteProfile } from './site-profile.js';
import { headlineOfDocumentTitle } from './title.js';
import { visibleDate } from './visible-date.js';

/** A profile that knows nothing of the site, as the generic one. */
const UNKNOWN: SiteProfile = { id: 'test', name: '', hosts: [], articleId: () => '1' };
const PARAGRAPHS =
  '<p>第一段正文，说明了事情的来龙去脉，并且足够长，可以被当作文章的正文来读。</p><p>第二段正文，继续叙述事情的经过，同样足够长，让正文的判断不会出错。</p><p>The third paragraph is in English and long enough to be read as prose by the extractor.</p>';

function extract(
  html: string,
  url = 'https://news.example.com/a/1.html',
): { title: string; author?: string; date?: string; notes: string[] } {
  const r: ExtractResult = extractCapture(
    { payload: new TextEncoder().encode(html), url, timestamp: '20200101000000' },
    UNKNOWN,
  );
  if (!r.ok) assert.fail(`rejected as ${r.reason}: ${r.message}`);
  const { title, author, date } = r.article;
  return {
    title,
    ...(author !== undefined ? { author } : {}),
    ...(date !== undefined ? { date } : {}),
    notes: r.notes,
  };
}

function page(head: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

// ---------------------------------------------------------------- titles

test('a document title loses a site part after a spaced separator when enough words remain', () => {
  assert.equal(
    headlineOfDocumentTitle('Seven secrets hotel owners keep from you | The Independent', []).title,
    'Seven secrets hotel owners keep from you',
  );
  // Readability.js's guard: a cut leaving ≤ 4 words was more likely a short headline.
  assert.equal(headlineOfDocumentTitle('Mozilla - Wikipedia', []).title, 'Mozilla - Wikipedia');
});

test('a document title loses a known site name, and a Chinese site name joined without spaces', () => {
  assert.equal(headlineOfDocumentTitle('标题内容_新浪新闻', ['新浪新闻']).title, '标题内容');
  assert.equal(headlineOfDocumentTitle('新浪新闻', ['新浪新闻']).title, ''); // an empty article page's title
  assert.equal(
    headlineOfDocumentTitle('武汉的声音：有英勇的你，才有英雄的城！-新华网', []).title,
    '武汉的声音：有英勇的你，才有英雄的城！',
  );
  assert.equal(headlineOfDocumentTitle('人民的标题在这里--人民网', []).title, '人民的标题在这里');
  assert.equal(
    headlineOfDocumentTitle('女儿出嫁，郑板桥画了几笔兰花当嫁妆--文化--人民网', []).title,
    '女儿出嫁，郑板桥画了几笔兰花当嫁妆',
  );
  // With the site's name cut, a section left after a spaced separator goes too (Han characters count
  // as words for the "enough remains" test).
  assert.equal(
    headlineOfDocumentTitle('17种产品、1个园区入选国家绿色制造名单 - 要闻云南 - 云南网', ['云南网']).title,
    '17种产品、1个园区入选国家绿色制造名单',
  );
  // Underscore breadcrumbs stay whole (the benches' references keep them).
  assert.equal(
    headlineOfDocumentTitle('DeepMind新电脑已可利用记忆自学_科技_腾讯网', []).title,
    'DeepMind新电脑已可利用记忆自学_科技_腾讯网',
  );
});

test('declared titles are taken as written; <title> is preferred to an <h1> that names a section', () => {
  const declared = extract(
    page(
      '<title>T - Site</title><meta property="og:title" content="How to Build a Terrarium | eHow">',
      `<h1>Lorem</h1><article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(declared.title, 'How to Build a Terrarium | eHow');
  const fromTitle = extract(page('<title>Base URL test</title>', `<h1>Lorem</h1><article>${PARAGRAPHS}</article>`));
  assert.equal(fromTitle.title, 'Base URL test');
});

test('JSON-LD name wins over headline only when it agrees better with <title>; CDATA wrappers are read', () => {
  const ld = (o: object): string =>
    `<script type="application/ld+json">//<![CDATA[\n${JSON.stringify(o)}\n//]]></script>`;
  const raw = (o: object): string => `<script type="application/ld+json"><![CDATA[ ${JSON.stringify(o)} ]]></script>`;
  const a = extract(
    page(
      `<title>List of films featuring time loops - Wikipedia</title>${raw({ '@context': 'https://schema.org', '@type': 'Article', name: 'List of films featuring time loops', headline: 'Wikimedia list article' })}`,
      `<article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(a.title, 'List of films featuring time loops');
  const b = extract(
    page(
      `<title>West Ham okouzlil Linekera - Aktuálně.cz</title>${raw({ '@context': 'https://schema.org', '@type': 'ReportageNewsArticle', name: 'Aktuálně.cz', headline: 'West Ham okouzlil Linekera', author: [{ '@type': 'Person', name: 'Aleš Vávra' }] })}`,
      `<article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(b.title, 'West Ham okouzlil Linekera');
  assert.equal(b.author, 'Aleš Vávra');
  // Commented CDATA (`//<![CDATA[ … //]]>`), as XHTML-era CMSs write it.
  const c = extract(
    page(
      `<title>x</title>${ld({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'A headline from commented CDATA' })}`,
      `<article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(c.title, 'A headline from commented CDATA');
});

test('a page with no title anywhere takes its first bold line of headline length', () => {
  const r = extract(
    page(
      '',
      `<p><strong>2003年5月</strong></p><p align="center"><strong>北京市儿童心理素质发展现状调查研究报告</strong></p>${PARAGRAPHS}`,
    ),
  );
  assert.equal(r.title, '北京市儿童心理素质发展现状调查研究报告');
});

// ---------------------------------------------------------------- authors

test('meta property lists give every name; Dublin Core creators come before meta author', () => {
  const r = extract(
    page(
      '<title>A title long enough here</title><meta property="dc:creator twitter:site_name" content="Creator Name"><meta name="author" content="FAIL">',
      `<article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(r.author, 'Creator Name');
});

test('meta authors that are sites, companies or ids are skipped for the visible byline', () => {
  for (const value of [
    'www.yunnan.cn,云南日报报业集团,云南网',
    'Discuz! Team and Comsenz UI Team',
    '大汉网络',
    'L_104485',
  ]) {
    const r = extract(
      page(
        `<title>一篇文章的标题在这里</title><meta name="author" content="${value}">`,
        `<h1>一篇文章的标题在这里</h1><div>（记者 胡晓蓉）</div><article>${PARAGRAPHS}</article>`,
      ),
    );
    assert.equal(r.author, '胡晓蓉', value);
    assert.ok(
      r.notes.some((n) => n.includes('skipped')),
      value,
    );
  }
});

function bylines(html: string, title: string): string[] {
  const { doc } = parseHtml(html);
  const text = pageText(doc, selectFirst('#body', doc) ?? undefined);
  const at = text.text.indexOf(title);
  return textBylines(text, at, at < 0 ? -1 : at + title.length).map((c) => c.text);
}

test('Chinese bylines: labels with names, lists of names, names in closing parentheses', () => {
  assert.deepEqual(
    bylines('<h1>标题</h1><p>光明日报记者 王建宏 张文攀</p><p>土豆，听名字就土得掉渣。</p>', '标题')[0],
    '王建宏 张文攀',
  );
  assert.equal(bylines('<h1>标题</h1><p>作者：芊草凡凡 时间：2005-08-22</p>', '标题')[0], '芊草凡凡');
  assert.equal(bylines('<h1>标题</h1><p>本报记者罗科苏盈发自北京</p>', '标题')[0], '罗科苏盈');
  assert.equal(
    bylines('<h1>标题</h1><div id="body"><p>正文很长。</p><p>正文结束。（姚峰 上海报道）</p></div>', '标题')[0],
    '姚峰',
  );
  assert.equal(bylines('<h1>标题</h1><p>作者：周思博 (Joel Spolsky)</p>', '标题')[0], '周思博 (Joel Spolsky)');
});

test('Chinese bylines: prose after 记者, sources and section names are no names', () => {
  assert.deepEqual(
    bylines('<h1>标题</h1><p>记者从上海昆剧团获悉，导演去世。经销商向记者介绍，用户很多。</p>', '标题'),
    [],
  );
  assert.deepEqual(bylines('<h1>标题</h1><p>来源：新华网</p><p>（完）</p>', '标题'), []);
  assert.equal(bylines('<h1>标题</h1><p>来源: 尹娟</p>', '标题')[0], '尹娟');
});

test('Chinese bylines: a reporter ranks before an editor, an editor before a photographer', () => {
  assert.equal(bylines('<h1>标题</h1><p>（记者 胡晓蓉）</p><p>责任编辑：孙重远</p>', '标题')[0], '胡晓蓉');
  assert.equal(bylines('<h1>标题</h1><p>新华社记者 才扬 摄</p><p>责任编辑： 焦鹏</p>', '标题')[0], '焦鹏');
  assert.equal(bylines('<h1>标题</h1><p>来源：新闻晨报 编辑：山石</p>', '标题')[0], '山石');
});

test('forum and blog signatures: "发布时间 … by name", "name 发表于", "本贴由name于"; English times are left alone', () => {
  assert.equal(
    bylines('<h1>标题</h1><p>〓 明星话题 发布时间 2005/03/15 22:36:13 by duscha 〓</p>', '标题')[0],
    'duscha',
  );
  assert.equal(bylines('<h1>标题</h1><p>ggjjzhzz 发表于 2005-9-15 11:46:00</p>', '标题')[0], 'ggjjzhzz');
  assert.equal(bylines('<h1>标题</h1><p>本贴由大卫于2005年8月12日16:12:21在〖心灵体操〗发表.</p>', '标题')[0], '大卫');
  assert.deepEqual(bylines('<h1>Title</h1><p>Updated 3:46 PM by Jane Doe</p>', 'Title'), []);
});

test('a byline label inside a link is a menu item', () => {
  assert.deepEqual(
    bylines('<h1>标题</h1><ul><li><a href="/b/1">麻辣杂谈</a></li><li><a href="/b/2">记者江湖</a></li></ul>', '标题'),
    [],
  );
});

test('names alone on the line under the title are its author', () => {
  assert.equal(
    bylines('<p><strong>犬儒病(上)</strong></p><hr><p> 胡平<br><br>正文开始了，很长很长。</p>', '犬儒病(上)')[0],
    '胡平',
  );
});

test('namesAt stops at the first token that is not a name', () => {
  assert.deepEqual(namesAt('王建宏 张文攀 土豆，听名字', 0, false).names, ['王建宏', '张文攀']);
  assert.deepEqual(namesAt('经历了近4个小时', 0, false).names, []);
});

test('a marked byline is the first byline element that holds a name, not a dateline or a lone "By"', () => {
  const html = page(
    '<title>The sharing economy is a lie, and more words here</title>',
    '<article><span class="dateline">Sunday, Feb 1, 2015 11:57 AM UTC</span><h1>The sharing economy is a lie, and more words here</h1><span class="byline-copy">By</span> <a rel="author" href="/writer/x">Richard Eskow</a>' +
      PARAGRAPHS +
      '</article>',
  );
  assert.equal(extract(html).author, 'Richard Eskow');
});

test('an unmarked "By" line under the title is the byline; a sentence with "by" is not', () => {
  const html = (line: string): string =>
    page(
      '<title>A title long enough for the test</title>',
      `<article><h1>A title long enough for the test</h1><p>${line}</p>${PARAGRAPHS}</article>`,
    );
  assert.equal(extract(html('By Jane van der Berg | March 3, 2019')).author, 'By Jane van der Berg');
  assert.equal(extract(html('Written by the team in a hurry, as always.')).author, undefined);
});

test("a byline box's text is cut at its time label; placeholders and empty labels give no byline", () => {
  const html = (box: string): string =>
    page(
      '<title>一篇文章的标题在这里很长</title>',
      `<article><h1>一篇文章的标题在这里很长</h1><div class="author-info">${box}</div>${PARAGRAPHS}</article>`,
    );
  assert.equal(extract(html('加拿大必读发布时间：10-08 12:00')).author, '加拿大必读');
  assert.equal(extract(html('name, email@gmail.com')).author, undefined);
  assert.equal(extract(html('作者：未知 责任编辑：棒棒不是糖')).author, undefined);
  assert.equal(extract(html('作者： 放飞&心情(从一品) 能力值:545803')).author, '放飞&心情');
});

test("byline elements in navigation and comment lists are not the article's", () => {
  const html = page(
    '<title>A title long enough for the test</title>',
    '<nav><span class="byline">Joanna Rothkopf</span></nav><article><h1>A title long enough for the test</h1><p class="byline">By Jane Doe</p>' +
      PARAGRAPHS +
      '</article><div class="comments"><span class="author">A Reader</span></div>',
  );
  assert.equal(extract(html).author, 'By Jane Doe');
});

// ---------------------------------------------------------------- dates

test('dates are found as pages write them; year-month and copyright ranges are no dates', () => {
  const dates = (t: string): string[] =>
    findTextDates(t).map((d) => (d.value.time ? `${d.value.date} ${d.value.time}` : d.value.date));
  assert.deepEqual(dates('2019年2月27日 下午8:04'), ['2019-02-27 20:04:00']);
  assert.deepEqual(dates('发布时间：2022-02-13 04:22:18 来源'), ['2022-02-13 04:22:18']);
  assert.deepEqual(dates('2019/02/27'), ['2019-02-27']);
  assert.deepEqual(dates('March 25, 2015 and 22 Dec 2016'), ['2015-03-25', '2016-12-22']);
  assert.deepEqual(dates('9/17/2004 5:54:13 AM'), ['2004-09-17 05:54:13']);
  assert.deepEqual(dates('06/02/2022 13:48'), []); // day and month cannot be told apart
  assert.deepEqual(dates('© 2003-2019, 2019年2月, 2019-02/27'), []);
});

test('a date in the article URL is read, a lone year or year-month is not', () => {
  assert.equal(urlDate('http://www.xinhuanet.com/local/2020-02/19/c_1125597921.htm')?.date, '2020-02-19');
  assert.equal(urlDate('http://www.banyuetan.org/jmcs/detail/20200102/100020003313617.html')?.date, '2020-01-02');
  assert.equal(urlDate('https://example.com/2019/02/27/slug/')?.date, '2019-02-27');
  assert.equal(urlDate('https://example.com/2019/02/slug'), undefined);
  assert.equal(
    urlDate('https://web.archive.org/web/20120611024252/http://he.example.cn/news/2012-06/04/content_1.htm')?.date,
    '2012-06-04',
  );
});

test('the visible date is the one nearest the title, not a list date or a copyright year', () => {
  const html = page(
    '<title>农机专家谈信息化平台的搭建</title>',
    '<div class="related"><a href="/x">别的文章</a> 2005-07-13</div><h1>农机专家谈信息化平台的搭建</h1><p>2005年08月16日 来源：新华网</p><article>' +
      PARAGRAPHS +
      '</article><div>© 2003-2019 版权所有 2019-01-01</div>',
  );
  const r = extract(html);
  assert.equal(r.date, '2005-08-16');
  assert.ok(r.notes.some((n) => n.startsWith('date: visible date')));
});

test('with a date in the URL, the visible date equal to it wins; alone, the URL date is used', () => {
  // The capture URL (extract()'s `news.example.com/a/1.html`) has no date: the canonical link's path is read next.
  const html = (line: string, url?: string): string =>
    page(
      `<title>一篇新闻的标题在这里</title>${url ? `<link rel="canonical" href="${url}">` : ''}`,
      `<h1>一篇新闻的标题在这里</h1><p>${line}</p><article>${PARAGRAPHS}</article>`,
    );
  const url = 'http://www.example.cn/local/2020-02/19/c_1.htm';
  assert.equal(extract(html('更新 2020-02-21 发布 2020-02-19', url)).date, '2020-02-19');
  assert.equal(extract(html('没有日期', url)).date, '2020-02-19');
  assert.equal(extract(html('没有日期')).date, undefined);
  // The capture URL's own date comes first.
  assert.equal(extract(html('没有日期', url), 'http://www.example.cn/local/2020-02/18/c_1.htm').date, '2020-02-18');
});

test('an age by the title (3小時前, 2 hours ago, 昨天 14:30) is counted back from the capture time in the site zone', () => {
  const hongKong: SiteProfile = { ...UNKNOWN, utcOffsetMinutes: 480 };
  // 2020-12-31 18:00 UTC is 2021-01-01 02:00 in Hong Kong: three hours earlier is still 2020-12-31 there.
  const at = (line: string, site: SiteProfile = hongKong): string | undefined => {
    const html = page(
      '<title>一篇新闻的标题在这里</title>',
      `<h1>一篇新闻的标题在这里</h1><p>${line}</p><article>${PARAGRAPHS}</article>`,
    );
    const r = extractCapture(
      {
        payload: new TextEncoder().encode(html),
        url: 'https://news.example.com/a/1.html',
        timestamp: '20201231180000',
      },
      site,
    );
    return r.ok ? r.article.date : r.reason;
  };
  assert.equal(at('3小時前'), '2020-12-31');
  assert.equal(at('記者 陳大文 · 90 分鐘前'), '2021-01-01');
  assert.equal(at('Updated 2 hours ago'), '2021-01-01');
  assert.equal(at('昨天 14:30'), '2020-12-31');
  assert.equal(at('3小時前', UNKNOWN), '2020-12-31'); // no zone known: UTC
  // No day follows from a month's age, and a clock word without a time is prose.
  assert.equal(at('3個月前'), undefined);
  assert.equal(at('今天天氣很好'), undefined);
  // A date written out wins over an age.
  assert.equal(at('3小時前 · 2020年12月30日'), '2020-12-30');
});

test('without a date by the title, a labelled date of the article area is taken', () => {
  const long = '正文很长很长，'.repeat(120);
  const { doc } = parseHtml(
    `<div><h1>很高兴入住博客堂</h1><div id="b"><p>${long}</p></div><p>发表于 2004年12月27日 12:40 - (阅读:3727)</p><p>2004-12-28 其他</p></div>`,
  );
  const body = selectFirst('#b', doc) ?? undefined;
  const text = pageText(doc, body);
  const at = text.text.indexOf('很高兴');
  const found = visibleDate(text, at, at + 7, undefined);
  assert.equal(found?.value.date, '2004-12-27');
  assert.equal(found?.how, 'labelled date in the article area');
});

test('a page with no <title>, heading or bold line takes the line standing above the body, not a label line', () => {
  const post =
    '<div class="post"><p>' +
    '正文很长很长，说了很多事情。'.repeat(30) +
    '</p><p>' +
    '第二段也很长，继续说下去。'.repeat(30) +
    '</p></div>';
  const r = extract(
    `<html><body><div class="menu"><a href="/">首页</a></div><div><a href="/blog/archive/2005/07/31/1.html">13岁女孩辍学后生下女婴(附图)</a></div>${post}</body></html>`,
  );
  assert.equal(r.title, '13岁女孩辍学后生下女婴(附图)');
  assert.ok(r.notes.includes('title: line above the body'));
  const labelled = extractCapture(
    {
      payload: new TextEncoder().encode(`<html><body><div>作者:zboygirl 阅读(1660) 评论(5)</div>${post}</body></html>`),
      url: 'https://news.example.com/a/1.html',
      timestamp: '20200101000000',
    },
    UNKNOWN,
  );
  assert.equal(labelled.ok ? labelled.article.title : labelled.reason, 'no-title');
});

test('a government document is dated by its 成文日期 and written by its 发文机关, not by the day it was posted', () => {
  const table =
    '<table><tr><td>发文机关：</td><td>某省人民政府</td><td>成文日期：</td><td>2022年01月27日</td></tr><tr><td>标　题：</td><td>某省人民政府关于某事的通告</td><td>发布日期：</td><td>2022年01月28日</td></tr></table>';
  const tags = '<meta name="SiteIDCode" content="2200000019"><meta name="PubDate" content="2022-01-28 00:00:00">';
  const r = extract(
    page(
      `<title>某省人民政府关于某事的通告</title>${tags}`,
      `${table}<div class="content">${PARAGRAPHS}<p>某省人民政府</p><p>2022年1月27日</p></div>`,
    ),
  );
  assert.equal(r.date, '2022-01-27');
  assert.ok(r.notes.includes('date: visible document date (labelled "成文日期")'));
  assert.equal(r.author, '某省人民政府');
  // Without the government-site tags and a declared date, the label is read with the visible dates.
  assert.equal(
    extract(page('<title>某省人民政府关于某事的通告</title>', `${table}<div class="content">${PARAGRAPHS}</div>`)).date,
    '2022-01-27',
  );
  // A column header of a list of documents is followed by another header, not by a date.
  const list = extract(
    page(
      `<title>某省人民政府关于某事的通告</title>${tags}`,
      `<table><tr><th>成文日期</th><th>标题</th></tr></table><div class="content">${PARAGRAPHS}</div>`,
    ),
  );
  assert.equal(list.date, '2022-01-28');
});

test('a page with no publication date is dated by its last update', () => {
  const r = extract(
    page(
      '<title>一个百科词条的名字</title><meta itemprop="dateUpdate" content="2020-02-14 10:47:36">',
      `<article>${PARAGRAPHS}</article>`,
    ),
  );
  assert.equal(r.date, '2020-02-14');
  assert.ok(r.notes.includes('date: last update (no publication date)'));
});

test('an archive page listing several posts is dated by its first post, a list of links is not a series of posts', () => {
  const post = (title: string, date: string, words: string): string =>
    `<div class="entry"><b>${title}</b><div>${date}</div><p>${words.repeat(20)}</p></div>`;
  const html = `<div>${post('第一篇', '2005-06-14 03:25:55', '第一篇的正文，')}${post('第二篇', '2005-06-13 15:00:14', '第二篇的正文，')}<div class="entry"><b>第三篇</b><div>2005-06-10 05:42:56</div><div id="b"><p>${'第三篇的正文很长，'.repeat(60)}</p></div></div></div>`;
  const { doc } = parseHtml(html);
  const text = pageText(doc, selectFirst('#b', doc) ?? undefined);
  assert.deepEqual(visibleDate(text, -1, -1, undefined), {
    value: { date: '2005-06-14', time: '03:25:55' },
    how: 'date of the first post listed',
  });
  // Older dates first are no newest-first archive; items of a link list are no posts.
  const links = `<ul>${['2005-06-14 03:25:55', '2005-06-13 15:00:14'].map((d) => `<li><a href="/x">${'别的文章的标题'.repeat(40)}</a><div>${d}</div></li>`).join('')}</ul><div>2005-06-10 05:42:56</div><div id="b"><p>${'正文很长，'.repeat(60)}</p></div>`;
  const parsed = parseHtml(links);
  const linkText = pageText(parsed.doc, selectFirst('#b', parsed.doc) ?? undefined);
  assert.equal(visibleDate(linkText, -1, -1, undefined)?.value.date, '2005-06-10');
});

test('a site header\'s clock ("今天是 …") is not the article\'s date', () => {
  const r = extract(
    page(
      '<title>一篇新闻的标题在这里</title>',
      `<div>今天是 2006年12月27日 星期三</div><h1>一篇新闻的标题在这里</h1><article>${PARAGRAPHS}<p>2005年09月10日</p></article>`,
    ),
  );
  assert.equal(r.date, '2005-09-10');
});

test("a name in brackets before the source is the byline; a box of the author's other articles is not", () => {
  assert.equal(bylines('<h1>标题</h1><p>2004年7月16日08:19 [ 黄宇 ]  来源：[ 国际金融报 ]</p>', '标题')[0], '黄宇');
  const html = page(
    '<title>一篇文章的标题在这里很长</title>',
    `<article><h1>一篇文章的标题在这里很长</h1>${PARAGRAPHS}</article><table id="relativeAuthorWords"><tr><td>■<strong>该作者文章</strong></td></tr></table>`,
  );
  assert.equal(extract(html).author, undefined);
});

test("a blog post's footer names its poster (由…张贴), though page footers are skipped", () => {
  const post = (footerClass: string): string =>
    page(
      '<title>海边的日子 | blog.example.com</title>',
      `<h1>海边的日子</h1><div class="post-body">${PARAGRAPHS}</div>` +
        `<div class="${footerClass}"><em>由海姑娘张贴 @ <a href="/p/1">2005-06-14 03:25:55</a></em></div>`,
    );
  assert.equal(extract(post('post-footer')).author, '海姑娘');
  assert.equal(extract(post('entry-footer')).author, '海姑娘');
  // The page's own footer holds other people's words (a copyright, a webmaster): not read.
  assert.equal(extract(post('footer')).author, undefined);
  // A bare 发表 is prose ("the two sides issued a statement"): the reporter stays the author.
  const news = page(
    '<title>中美会谈举行</title>',
    `<h1>中美会谈举行</h1><p>新华社北京1月1日电 记者 张三</p>${PARAGRAPHS}<p>会谈结束后，由双方发表联合声明。</p>`,
  );
  assert.equal(extract(news).author, '张三');
  // 由 inside a word is no "posted by": 理由张贴 is "posting the reasons".
  const prose = page('<title>公告</title>', `<h1>公告</h1>${PARAGRAPHS}<p>请将理由张贴在公告栏。</p>`);
  assert.equal(extract(prose).author, undefined);
});

test("a Blogger post footer's 'Posted by' is the template's label, not part of the name", () => {
  const html = page(
    '<title>Silicon Exposed: A post</title>',
    `<h1>A post</h1><div class="post-body">${PARAGRAPHS}</div>` +
      `<div class="post-footer"><span class="post-author vcard">Posted by <span class="fn">Andrew Zonenberg</span></span></div>`,
  );
  assert.equal(extract(html).author, 'Andrew Zonenberg');
  const dated = html.replace('<span class="fn">Andrew Zonenberg</span>', 'Jane Doe on March 3, 2010');
  assert.equal(extract(dated).author, 'Jane Doe');
});

test('a body that opens by restating the headline shown above it keeps that line; one that holds the headline loses it', () => {
  const title = '五四運動其實才真是兇殘！';
  const opening = '講兇殘，五四運動才真正是兇殘。';
  const body = (inside: string): string => `<div id="text">${inside}<p>${opening}</p>${PARAGRAPHS}</div>`;
  const shown = (r: ExtractResult): string => (r.ok ? r.article.blocks.map((b) => JSON.stringify(b)).join('\n') : '');
  const run = (html: string): ExtractResult =>
    extractCapture(
      {
        payload: new TextEncoder().encode(html),
        url: 'https://news.example.com/a/1.html',
        timestamp: '20200101000000',
      },
      UNKNOWN,
    );
  // The text-only edition: the headline in an <h2> above the body; the body's first line is the writer's.
  const outside = run(page(`<title>${title}</title>`, `<h2>${title}</h2>${body('')}`));
  assert.ok(shown(outside).includes(opening));
  // No headline outside: the body's first line like the title is the headline, and goes.
  const inside = run(page(`<title>${title}</title>`, body('')));
  assert.ok(!shown(inside).includes(opening));
});
