import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rebaseLinkFormat, rebaseLinks, rootFrom } from './links.js';

test('a page finds the site root by climbing its own folders', () => {
  assert.equal(rootFrom('/'), './');
  assert.equal(rootFrom('/search/'), '../');
  assert.equal(rootFrom('/article/18733/'), '../../');
  assert.equal(rootFrom('/date/2019/02/27/'), '../../../../');
});

test('root links become relative; other hosts, fragments, and text that only looks like a link stay', () => {
  const html =
    '<a href="/">首頁</a><link rel="stylesheet" href="/assets/r.css"><script type="module" src="/assets/r.js"></script>' +
    '<form action="/search/" method="get"></form><a href="//web.archive.org/x">w</a><a href="https://a.b/c">c</a>' +
    '<a href="#main">skip</a><p>href=&quot;/x&quot;</p><a class="x" href="/tag/%E8%B6%8A/?page=2">t</a>';
  assert.equal(
    rebaseLinks(html, '../../'),
    '<a href="../../">首頁</a><link rel="stylesheet" href="../../assets/r.css"><script type="module" src="../../assets/r.js"></script>' +
      '<form action="../../search/" method="get"></form><a href="//web.archive.org/x">w</a><a href="https://a.b/c">c</a>' +
      '<a href="#main">skip</a><p>href=&quot;/x&quot;</p><a class="x" href="../../tag/%E8%B6%8A/?page=2">t</a>',
  );
});

test('a rebased root link resolves, from its page under any prefix, to the same path under that prefix (property)', () => {
  // Segments as the reader writes them: never a dot segment (`.`, `%2e`, `..`), which sitePathOf refuses.
  const segment = fc.stringMatching(/^[a-z0-9%]{1,6}$/).filter((s) => !/^(?:\.|%2e){1,2}$/i.test(s));
  fc.assert(
    fc.property(
      fc.array(segment, { maxLength: 4 }),
      fc.array(segment, { maxLength: 3 }),
      fc.array(segment, { maxLength: 4 }),
      (page, prefix, target) => {
        const pagePath = `/${page.map((s) => `${s}/`).join('')}`;
        const base = `/${prefix.map((s) => `${s}/`).join('')}`;
        const link = `/${target.join('/')}`;
        const html = rebaseLinks(`<a href="${link}">x</a>`, rootFrom(pagePath));
        const href = /href="([^"]*)"/.exec(html)![1]!;
        const resolved = new URL(href, `https://host${base}${pagePath.slice(1)}`).pathname;
        assert.equal(resolved, `${base}${link.slice(1)}`);
      },
    ),
    { numRuns: 500 },
  );
});

test('a TimeMap self link starts at the base path; absolute targets and encoded "<" in them stay', () => {
  const timemap =
    '<https://a.example/x%3C/y>;rel="original",</article/1/timemap.txt>;rel="self";type="application/link-format",<//h/z>;rel="x"';
  assert.equal(
    rebaseLinkFormat(timemap, '/repo/'),
    '<https://a.example/x%3C/y>;rel="original",</repo/article/1/timemap.txt>;rel="self";type="application/link-format",<//h/z>;rel="x"',
  );
  assert.equal(rebaseLinkFormat(timemap, '/'), timemap);
});
