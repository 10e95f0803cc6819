import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elementTest, parseHtml, selectFirst, textOf, type Element } from './dom.js';

test('white space where a line starts is not built; between inline elements and in <pre> it is', () => {
  const { doc } = parseHtml('<div>\n  <p>a</p>\n  <span>b</span> <span>c</span>\n<br>\n d</div><pre>\n  x\n</pre>');
  const div = selectFirst('div', doc) as Element;
  assert.equal(textOf(div), 'ab c\n\n d'); // white space before a <br> ends a line: kept, and collapsed later
  assert.equal(textOf(selectFirst('pre', doc) as Element), '\n  x\n');
});

test('a page parsed in pieces gives the same tree and the same stop offset as parsed whole', () => {
  const html = '<html><body>' + `<p>${'文字，'.repeat(400)}</p>\n`.repeat(40) + '<div class="end">x</div><p>after</p></body></html>';
  const pieces: string[] = [];
  for (let i = 0; i < html.length; i += 4096) pieces.push(html.slice(i, i + 4096));
  const stopAt = elementTest({ classes: ['end'] });
  const whole = parseHtml(html, { stopAt });
  const split = parseHtml(pieces, { stopAt });
  assert.equal(textOf(split.doc), textOf(whole.doc));
  assert.equal(split.stoppedAt, whole.stoppedAt);
  assert.ok(!textOf(split.doc).includes('after'));
  assert.equal(textOf(parseHtml(pieces).doc), textOf(parseHtml(html).doc));
});
