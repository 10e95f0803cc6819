import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  revisionDiffHtml,
  MAX_CHAR_DIFF_WORK,
  MAX_DIFF_PARAGRAPHS,
  MAX_DIFF_TEXT_CHARS,
  SAME_TEXT_HTML,
  TOO_LONG_HTML,
} from './diff.js';

/** The old and new text a diff shows, read back from its HTML (collapsed parts excluded). */
function sides(html: string): { old: string; new: string } {
  const unescape = (s: string): string =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const strip = (s: string): string => unescape(s.replace(/<[^>]+>/g, ''));
  return {
    old: strip(html.replace(/<ins>[^<]*<\/ins>/g, '')),
    new: strip(html.replace(/<del>[^<]*<\/del>/g, '')),
  };
}

test('identical texts say so', () => {
  assert.equal(revisionDiffHtml('甲\n乙', '甲\n\n乙\n'), SAME_TEXT_HTML);
});

test('marks changed characters inside a Chinese paragraph', () => {
  const html = revisionDiffHtml('警方今日拘捕三名男子。', '警方今日拘捕五名男子。');
  assert.equal(html, '<p>警方今日拘捕<del>三</del><ins>五</ins>名男子。</p>');
});

test('added and removed paragraphs are whole, unchanged ones kept as context', () => {
  const html = revisionDiffHtml('第一段\n第二段\n第三段', '第一段\n第三段\n新增的第四段');
  assert.equal(
    html,
    '<p>第一段</p><p class="diff-del"><del>第二段</del></p><p>第三段</p><p class="diff-ins"><ins>新增的第四段</ins></p>',
  );
});

test('long unchanged runs collapse to an ellipsis', () => {
  const same = Array.from({ length: 30 }, (_, i) => `不變的第${i}段`);
  const html = revisionDiffHtml(['開頭', ...same, '結尾舊'].join('\n'), ['開頭改', ...same, '結尾新'].join('\n'));
  assert.match(html, /<p class="diff-skip">…<\/p>/);
  assert.doesNotMatch(html, /不變的第15段/);
  assert.match(html, /不變的第0段/);
  assert.match(html, /不變的第29段/);
  const long = '長'.repeat(500);
  const inline = revisionDiffHtml(`${long}舊${long}`, `${long}新${long}`);
  assert.ok(inline.length < 300, inline);
  assert.match(inline, /^<p>…長+<del>舊<\/del><ins>新<\/ins>長+…<\/p>$/);
});

test('escapes HTML in both versions', () => {
  const html = revisionDiffHtml('<script>alert(1)</script> & "a"', '<img src=x onerror=alert(1)> & "b"');
  assert.doesNotMatch(html, /<script|<img/);
  assert.match(html, /&lt;/);
  assert.match(html, /&amp;/);
});

test('unrelated paragraphs are shown whole rather than interleaved', () => {
  const html = revisionDiffHtml('今日天氣晴朗，氣溫攝氏三十度。', 'Legislative Council passes the bill.');
  assert.equal(
    html,
    '<p class="diff-del"><del>今日天氣晴朗，氣溫攝氏三十度。</del></p><p class="diff-ins"><ins>Legislative Council passes the bill.</ins></p>',
  );
});

test('keeps astral characters whole', () => {
  const html = revisionDiffHtml('𠮷野家', '𠮷野屋');
  assert.equal(html, '<p>𠮷野<del>家</del><ins>屋</ins></p>');
});

test('finishes on two unrelated 20k-character texts and shows both', () => {
  // Deterministic pseudo-random CJK text: no common structure, worst case for O(ND).
  let seed = 1;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const text = (n: number, lines: number): string =>
    Array.from({ length: lines }, () =>
      Array.from({ length: n / lines }, () => String.fromCodePoint(0x4e00 + Math.floor(rand() * 2000))).join(''),
    ).join('\n');
  const a = text(20_000, 40);
  const b = text(20_000, 40);
  const html = revisionDiffHtml(a, b);
  const s = sides(html);
  assert.equal(s.old.replace(/\n/g, ''), a.replace(/\n/g, ''));
  assert.equal(s.new.replace(/\n/g, ''), b.replace(/\n/g, ''));
  const oneLine = revisionDiffHtml(a.replace(/\n/g, ''), b.replace(/\n/g, ''));
  assert.match(oneLine, /^<p class="diff-del">/);
});

test('without collapsing, the diff reads back as both versions', () => {
  const chars = fc.constantFrom('甲', '乙', '丙', '丁', 'a', '<', '&', '\n');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 60 }), fc.array(chars, { maxLength: 60 }), (x, y) => {
      const a = x.join('');
      const b = y.join('');
      const html = revisionDiffHtml(a, b, { contextParagraphs: 1000, contextChars: 1000 });
      const norm = (t: string): string =>
        t
          .split('\n')
          .filter((l) => l.trim() !== '')
          .join('');
      if (html === SAME_TEXT_HTML) return assert.equal(norm(a), norm(b));
      const s = sides(html);
      assert.equal(s.old, norm(a));
      assert.equal(s.new, norm(b));
    }),
    { numRuns: 500 },
  );
});

test('versions past MAX_DIFF_TEXT_CHARS or MAX_DIFF_PARAGRAPHS are not compared, and the page says so', () => {
  const long = '字'.repeat(MAX_DIFF_TEXT_CHARS + 1);
  assert.equal(revisionDiffHtml(long, `${long}。`), TOO_LONG_HTML);
  assert.equal(revisionDiffHtml('短', long), TOO_LONG_HTML);
  const many = (tag: string): string =>
    Array.from({ length: MAX_DIFF_PARAGRAPHS + 1 }, (_, i) => `${tag}${i}`).join('\n');
  assert.equal(revisionDiffHtml(many('a'), many('b')), TOO_LONG_HTML);
  assert.notEqual(revisionDiffHtml('一\n二', '一\n三'), TOO_LONG_HTML);
});

test('character comparisons share one work budget (MAX_CHAR_DIFF_WORK): past it, edited paragraphs are shown whole', () => {
  const length = 2_000;
  const pairs = 12;
  // Each pair differs in one character; each comparison is bounded at (2 × length) × 1000 units.
  const oldText = Array.from({ length: pairs }, (_, i) => `${String(i).padStart(2, '0')}${'甲'.repeat(length)}`).join(
    '\n',
  );
  const newText = Array.from(
    { length: pairs },
    (_, i) => `${String(i).padStart(2, '0')}${'甲'.repeat(length / 2)}乙${'甲'.repeat(length / 2 - 1)}`,
  ).join('\n');
  const html = revisionDiffHtml(oldText, newText);
  const inline = (html.match(/<ins>乙<\/ins>/g) ?? []).length;
  const whole = (html.match(/<p class="diff-del">/g) ?? []).length;
  const perPair = 2 * (length + 2) * 1000;
  assert.equal(inline, Math.floor(MAX_CHAR_DIFF_WORK / perPair));
  assert.equal(inline + whole, pairs);
});
