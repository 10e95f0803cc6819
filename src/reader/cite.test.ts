import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributeUrl,
  citations,
  readableUrl,
  robustLinkAttributes,
  newsArticleJsonLd,
  dublinCoreMeta,
  bibtexEscape,
  captureDate,
  type CiteMeta,
} from './cite.js';

const ORIGINAL = 'https://www.hkcnews.com/article/18733/%E8%B6%8A%E5%8D%97-18730/%E7%89%B9%E6%9C%97%E6%99%AE';
const MEMENTO = `https://web.archive.org/web/20210628174710/${ORIGINAL}`;
/** The same URLs as IRIs, as attributes, JSON-LD and Dublin Core carry them (a browser maps them back). */
const ORIGINAL_IRI = 'https://www.hkcnews.com/article/18733/越南-18730/特朗普';
const MEMENTO_IRI = `https://web.archive.org/web/20210628174710/${ORIGINAL_IRI}`;
const META: CiteMeta = {
  id: 18733,
  title: '特朗普金正恩河內峰會　同稱可望達致成果',
  date: '2019-02-27',
  lastUpdated: '2019-02-28 09:10:11',
  author: '眾新聞記者',
  category: '眾聞',
  tags: ['越南', '美朝峰會'],
  url: MEMENTO,
  originalUrl: ORIGINAL,
  capturedAt: '2021-06-28T17:47:10Z',
};
const ACCESSED = new Date('2026-11-26T10:00:00Z');
const HOSTILE = 'He said "hi" {x} 50% & $5 #1 a_b ^ ~ \\ </script><script>alert(1)</script>\u2028';

test('APA 7 cites the memento with author, date, title and site', () => {
  const { apa, apaHtml } = citations(META, { accessed: ACCESSED });
  assert.equal(
    apa,
    `眾新聞記者. (2019, February 27). 特朗普金正恩河內峰會　同稱可望達致成果. 眾新聞. Retrieved November 26, 2026, from ${MEMENTO}`,
  );
  assert.equal(
    apaHtml,
    `眾新聞記者. (2019, February 27). 特朗普金正恩河內峰會　同稱可望達致成果. <i>眾新聞</i>. Retrieved November 26, 2026, from ${MEMENTO}`,
  );
  assert.equal(
    citations(META).apa,
    `眾新聞記者. (2019, February 27). 特朗普金正恩河內峰會　同稱可望達致成果. 眾新聞. ${MEMENTO}`,
  );
});

test('APA without author or date puts the title first and says n.d.', () => {
  const { apa } = citations({ id: 5, title: '社論：為甚麼？', url: MEMENTO });
  assert.equal(apa, `社論：為甚麼？ (n.d.). 眾新聞. ${MEMENTO}`);
});

test('MLA 9 gives the original and the Wayback container with dates and Accessed', () => {
  const { mla, mlaHtml } = citations(META, { accessed: ACCESSED });
  assert.equal(
    mla,
    `眾新聞記者. "特朗普金正恩河內峰會　同稱可望達致成果." 眾新聞, 27 Feb. 2019, ${ORIGINAL}. Wayback Machine, 28 June 2021, ${MEMENTO}. Accessed 26 Nov. 2026.`,
  );
  assert.match(mlaHtml, /<i>眾新聞<\/i>, 27 Feb\. 2019/);
  assert.match(mlaHtml, /<i>Wayback Machine<\/i>, 28 June 2021/);
  assert.equal(citations({ ...META, date: '2020-09-03' }).mla.includes('3 Sept. 2020'), true);
});

test('BibTeX is an @online entry with url, urldate, note and a key from site and id', () => {
  const { bibtex } = citations(META, { accessed: ACCESSED });
  assert.match(bibtex, /^@online\{hkcnews-18733,\n/);
  assert.match(bibtex, /\n  author = \{\{眾新聞記者\}\},\n/);
  assert.match(bibtex, /\n  title = \{\{特朗普金正恩河內峰會　同稱可望達致成果\}\},\n/);
  assert.match(bibtex, /\n  date = \{2019-02-27\},\n  year = \{2019\},\n/);
  assert.ok(bibtex.includes(`\n  url = {${MEMENTO}},\n`), bibtex);
  assert.match(bibtex, /\n  urldate = \{2026-11-26\},\n/);
  assert.ok(
    bibtex.includes(
      'note = {Archived by the Wayback Machine on 2021-06-28. Original URL: https://www.hkcnews.com/article/18733/越南-18730/特朗普}',
    ),
    bibtex,
  );
  assert.match(bibtex, /\n\}$/);
  // Without an access date, urldate is the capture day.
  assert.match(citations(META).bibtex, /urldate = \{2021-06-28\}/);
});

/** Braces balance, counting neither escaped braces nor the ones in `\textbackslash{}`-style commands' arguments. */
function bracesBalanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

test('BibTeX escapes special characters of hostile titles and keeps braces balanced', () => {
  const { bibtex } = citations({ ...META, title: HOSTILE, author: 'A } and { B', tags: ['{', '%'] });
  assert.ok(bracesBalanced(bibtex), bibtex);
  assert.ok(
    bibtex.includes('50\\% \\& \\$5 \\#1 a\\_b \\textasciicircum{} \\textasciitilde{} \\textbackslash{}'),
    bibtex,
  );
  assert.ok(bibtex.includes('author = {{A \\} and \\{ B}}'), bibtex);
  assert.equal(bibtexEscape('{}'), '\\{\\}');
  const weird = citations({
    ...META,
    url: 'https://web.archive.org/web/20210628174710/https://x.example/{a}\\b c',
  }).bibtex;
  assert.ok(
    weird.includes('url = {https://web.archive.org/web/20210628174710/https://x.example/%7Ba%7D%5Cb%20c}'),
    weird,
  );
  assert.ok(bracesBalanced(weird));
});

test('readableUrl decodes UTF-8 escapes but keeps undecodable and control escapes', () => {
  assert.equal(readableUrl(ORIGINAL), 'https://www.hkcnews.com/article/18733/越南-18730/特朗普');
  assert.equal(readableUrl('https://x.example/%E5%'), 'https://x.example/%E5%');
  assert.equal(readableUrl('https://x.example/a%0Ab%25c%20d'), 'https://x.example/a%0Ab%25c%20d');
  assert.equal(readableUrl('https://x.example/%EF%BF%BD'), 'https://x.example/\uFFFD');
  // Reserved characters stay encoded (decodeURI), so the URL still means the same.
  assert.equal(readableUrl('https://x.example/a%2Fb%3Fc'), 'https://x.example/a%2Fb%3Fc');
  const { bibtex } = citations({ ...META, originalUrl: 'https://www.hkcnews.com/article/18733/%25_#x' });
  assert.ok(bibtex.includes('Original URL: https://www.hkcnews.com/article/18733/\\%25\\_\\#x}'), bibtex);
});

test('metadata URLs in attributes are IRIs that a URL parser maps back to the published URL, escapes of ASCII kept', () => {
  assert.equal(new URL(ORIGINAL_IRI).href, ORIGINAL);
  assert.equal(new URL(MEMENTO_IRI).href, MEMENTO);
  const tricky = 'https://example.com/a%2Fb%20c%25/%E4%B8%AD%FF?q=%E6%96%87%26x#%E7%AF%80';
  const iri = attributeUrl(tricky)!;
  assert.equal(iri, 'https://example.com/a%2Fb%20c%25/%E4%B8%AD%FF?q=文%26x#節');
  assert.equal(new URL(iri).href, tricky);
  assert.equal(attributeUrl('javascript:alert(1)'), undefined);
  // Lowercase escapes would come back uppercase (another URL to a strict server): kept as published.
  assert.equal(attributeUrl('https://a.com/%e4%b8%ad'), 'https://a.com/%e4%b8%ad');
  for (const url of [
    'https://a.com/x y/%E4%B8%AD',
    'https://a.com/%C3%A9%CC%81?q=%E2%80%AE#%F0%9F%98%80',
    'https://a.com/%ED%A0%80',
  ])
    assert.equal(new URL(attributeUrl(url)!).href, new URL(url).href, url);
});

test('Robust Links attributes point at the memento with original URL and version date', () => {
  assert.deepEqual(robustLinkAttributes(META), {
    href: MEMENTO_IRI,
    'data-originalurl': ORIGINAL_IRI,
    'data-versiondate': '2021-06-28',
  });
  // Without capturedAt the memento timestamp gives the date.
  const { capturedAt: _, ...noCapture } = META;
  assert.equal(robustLinkAttributes(noCapture)['data-versiondate'], '2021-06-28');
  assert.equal(
    captureDate({ url: 'https://web.archive.org/web/20191231235959id_/http://hkcnews.com/article/1' }),
    '2019-12-31',
  );
});

test('NewsArticle JSON-LD carries the schema.org fields', () => {
  const data = JSON.parse(newsArticleJsonLd(META)) as Record<string, unknown>;
  assert.equal(data['@context'], 'https://schema.org');
  assert.equal(data['@type'], 'NewsArticle');
  assert.equal(data.headline, META.title);
  assert.equal(data.datePublished, '2019-02-27');
  assert.equal(data.dateModified, '2019-02-28T09:10:11+08:00');
  assert.deepEqual(data.author, { '@type': 'Organization', name: '眾新聞記者' });
  assert.equal(data.articleSection, '眾聞');
  assert.deepEqual(data.keywords, ['越南', '美朝峰會']);
  assert.equal(data.inLanguage, 'zh-Hant-HK');
  assert.equal(data.url, ORIGINAL_IRI);
  assert.equal(data.isBasedOn, MEMENTO_IRI);
  assert.equal(data.archivedAt, MEMENTO_IRI);
  assert.deepEqual(data.publisher, {
    '@type': 'NewsMediaOrganization',
    name: '眾新聞',
    alternateName: 'Citizen News',
    url: 'https://www.hkcnews.com/',
  });
  const person = JSON.parse(newsArticleJsonLd({ ...META, author: '記者林勵' })) as { author: unknown };
  assert.deepEqual(person.author, { '@type': 'Person', name: '記者林勵' });
  const two = JSON.parse(newsArticleJsonLd({ ...META, author: '林勵、鄭智仁' })) as { author: unknown };
  assert.deepEqual(two.author, [
    { '@type': 'Person', name: '林勵' },
    { '@type': 'Person', name: '鄭智仁' },
  ]);
});

test('JSON-LD of a hostile title cannot close the script element and parses back', () => {
  const json = newsArticleJsonLd({ ...META, title: HOSTILE, author: '</script><!--', tags: ['<b>&amp;</b>'] });
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.ok(json.includes('\\u003c/script\\u003e'));
  const data = JSON.parse(json) as { headline: string; author: { name: string }; keywords: string[] };
  assert.equal(data.headline, HOSTILE.trim());
  assert.equal(data.author.name, '</script><!--');
  assert.deepEqual(data.keywords, ['<b>&amp;</b>']);
});

test('Dublin Core meta lists title, creator, date, subjects, language, identifier, source, publisher, type', () => {
  assert.deepEqual(dublinCoreMeta(META), [
    { name: 'DC.title', content: META.title },
    { name: 'DC.creator', content: '眾新聞記者' },
    { name: 'DC.date', content: '2019-02-27' },
    { name: 'DC.subject', content: '越南' },
    { name: 'DC.subject', content: '美朝峰會' },
    { name: 'DC.language', content: 'zh-Hant-HK' },
    { name: 'DC.identifier', content: MEMENTO_IRI },
    { name: 'DC.source', content: ORIGINAL_IRI },
    { name: 'DC.publisher', content: '眾新聞' },
    { name: 'DC.type', content: 'Text' },
  ]);
  // Missing values are left out, never written empty.
  const names = dublinCoreMeta({ id: 1, title: 'T', tags: [] }).map((m) => m.name);
  assert.deepEqual(names, ['DC.title', 'DC.language', 'DC.publisher', 'DC.type']);
});

test('hostile text in APA and MLA HTML is escaped', () => {
  const { apaHtml, mlaHtml, apa } = citations({ ...META, title: HOSTILE });
  for (const html of [apaHtml, mlaHtml]) {
    assert.doesNotMatch(html, /<script|<\/script/);
    assert.match(html, /&lt;\/script&gt;/);
  }
  assert.ok(apa.includes('</script>'), 'plain text stays plain');
});

test('non-calendar dates from a file are cited as far as they are real, never as a bogus day or time', () => {
  const meta = { id: 1, title: 'T', date: '2020-02-30', lastUpdated: '2020-13-45 10:00:00' };
  const c = citations(meta);
  assert.match(c.apa, /\(2020, February\)/);
  assert.match(c.bibtex, /date = \{2020-02\}/);
  const ld = JSON.parse(newsArticleJsonLd(meta)) as Record<string, unknown>;
  assert.equal(ld['datePublished'], '2020-02');
  assert.equal(ld['dateModified'], '2020');
  assert.match(citations({ id: 1, title: 'T', date: '2020-13-45' }).apa, /\(2020\)/);
});
