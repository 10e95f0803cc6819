import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DomHandler } from 'domhandler';
import { Parser } from 'htmlparser2';
import {
  createParser,
  elementTest,
  ignorePredicate,
  isTag,
  MAX_DEPTH,
  MAX_ELEMENTS,
  parseHtml,
  selectFirst,
  textOf,
  type AnyNode,
  type Element,
} from './dom.js';

test('white space where a line starts is not built; between inline elements and in <pre> it is', () => {
  const { doc } = parseHtml('<div>\n  <p>a</p>\n  <span>b</span> <span>c</span>\n<br>\n d</div><pre>\n  x\n</pre>');
  const div = selectFirst('div', doc) as Element;
  assert.equal(textOf(div), 'ab c\n\n d'); // white space before a <br> ends a line: kept, and collapsed later
  assert.equal(textOf(selectFirst('pre', doc) as Element), '\n  x\n');
});

test('a page parsed in pieces gives the same tree and the same stop offset as parsed whole', () => {
  const html =
    '<html><body>' +
    `<p>${'文字，'.repeat(400)}</p>\n`.repeat(40) +
    '<div class="end">x</div><p>after</p></body></html>';
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

// ---------------------------------------------------------------- hostile nesting and size (issue 12)

function maxDepth(root: AnyNode): number {
  let max = 0;
  const stack: [AnyNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    if (isTag(n) || n.type === 'root') for (const c of (n as Element).children) stack.push([c, d + 1]);
  }
  return max;
}

test("the parser's open-element stack never grows past MAX_DEPTH: 200,000 nested <div>s are flattened at the cap", () => {
  // htmlparser2's stack costs time in its depth per tag (200,000 levels: 51 s); capped, it is linear.
  const handler = new DomHandler();
  const parser = createParser(handler);
  let deepest = 0;
  for (let i = 0; i < 200_000; i++) {
    parser.write('<div>');
    if (i % 1000 === 0) deepest = Math.max(deepest, (parser as unknown as { stack: string[] }).stack.length);
  }
  deepest = Math.max(deepest, (parser as unknown as { stack: string[] }).stack.length);
  parser.end();
  assert.ok(deepest <= MAX_DEPTH, `stack reached ${deepest}`);
  assert.ok(maxDepth(handler.root) <= MAX_DEPTH + 1);
});

test("flattened elements keep their text, and their closing tags do not close the page's own containers", () => {
  const html = `<body><div id="page"><p>first</p>${'<div>'.repeat(20_000)}deep text${'</div>'.repeat(20_000)}<p>last</p></div><p>outside</p></body>`;
  const { doc } = parseHtml(html);
  const page = selectFirst('#page', doc) as Element;
  const text = textOf(page);
  assert.ok(text.startsWith('first') && text.includes('deep text') && text.endsWith('last'), text.slice(-40));
  assert.ok(!text.includes('outside'));
  assert.ok(maxDepth(doc) <= MAX_DEPTH + 1);
});

test('past MAX_ELEMENTS elements, tags are read but not built; their text is kept, blocks a line apart', () => {
  const n = MAX_ELEMENTS + 5_000;
  const { doc } = parseHtml(`<body>${'<p>w</p>'.repeat(n)}<p>the end</p></body>`);
  let elements = 0;
  const stack: AnyNode[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isTag(node)) elements++;
    if (isTag(node) || node.type === 'root') stack.push(...(node as Element).children);
  }
  assert.ok(elements <= MAX_ELEMENTS, `${elements} elements built`);
  const text = textOf(doc);
  assert.equal(text.replace(/\s+/g, '').length, n + 'theend'.length);
  assert.ok(/w\s+w\s+the end$/.test(text), text.slice(-20));
});

test("past MAX_ELEMENTS, a script's or style's text is still left out", () => {
  const { doc } = parseHtml(
    `<body>${'<i></i>'.repeat(MAX_ELEMENTS)}<p>kept<script>var secret = 1;</script><style>p{}</style>also kept</p></body>`,
    { ignore: ignorePredicate() },
  );
  const text = textOf(doc);
  assert.ok(text.includes('kept') && text.includes('also kept'));
  assert.ok(!text.includes('secret') && !text.includes('p{}'), text.slice(-60));
});

/**
 * A tree as text, for comparing parses: white space collapsed and trimmed in each text node (the
 * handler drops white space where a line starts, and chunk edges decide what a line start is).
 */
function treeText(node: AnyNode): string {
  if (node.type === 'text') {
    const text = node.data.replace(/[ \t\n\r\f]+/g, ' ').trim();
    return text === '' ? '' : JSON.stringify(text);
  }
  if (node.type === 'comment') return '';
  const kids = 'children' in node ? node.children.map(treeText).join('') : '';
  if (!isTag(node)) return kids;
  const attrs = Object.entries(node.attribs).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`);
  return `<${node.name}${attrs.join('')}>${kids}</${node.name}>`;
}

/** The reference: htmlparser2 with its own entity decoding, parsing the whole string. */
function reference(html: string): string {
  const handler = new DomHandler();
  new Parser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }).end(html);
  return treeText(handler.root);
}

test('entities are decoded as htmlparser2 decodes them, in text, attributes, RCDATA and raw text, however the input is cut', () => {
  const entity = fc.constantFrom(
    '&amp;',
    '&amp',
    '&AMP;',
    '&lt;',
    '&gt',
    '&quot;',
    '&nbsp;',
    '&copy',
    '&notin;',
    '&notit;',
    '&am',
    '&',
    '&#65;',
    '&#x41;',
    '&#65',
    '&#0;',
    '&#128;',
    '&#x110000;',
    '&#xD800;',
    '&#;',
    '&#x;',
    '&amp=',
    '&ampx',
    '&Aacute',
  );
  const word = fc.constantFrom('a', 'b c', '字', '\n', ' ', '=', ';', 'x1', '<![CDATA[&amp;]]>', '<![CDATA[a&lt]]>');
  const text = fc.array(fc.oneof(entity, word), { maxLength: 6 }).map((xs) => xs.join(''));
  const attrValue = text.map((t) => t.replace(/"/g, ''));
  const element = fc.constantFrom(
    'math',
    'desc',
    'p',
    'div',
    'span',
    'a',
    'title',
    'textarea',
    'script',
    'style',
    'xmp',
    'iframe',
    'svg',
    'b',
  );
  const piece = fc.oneof(
    text,
    fc
      .tuple(element, attrValue, text)
      .map(([name, v, t]) => `<${name} title="${v}" data-x=${v.replace(/[\s>]/g, '') || 'v'}>${t}</${name}>`),
    fc.tuple(element, text).map(([name, t]) => `<${name}>${t}`),
    element.map((name) => `</${name}>`),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 4 }), (pieces, cuts) => {
      const html = pieces.join('');
      const at = [...new Set(cuts.map((c) => c % (html.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((start, i) => html.slice(start, at[i] ?? html.length));
      const want = reference(html);
      assert.equal(treeText(parseHtml(html).doc), want);
      assert.equal(treeText(parseHtml(chunks).doc), want);
    }),
    { numRuns: 3000 },
  );
});

test('CDATA in SVG stays as written, and raw text at the depth cap follows the tokenizer, not the capped stack', () => {
  for (const html of ['<svg><![CDATA[&lt;]]></svg>', '<svg><text>x<![CDATA[&amp;]]>&amp;</text></svg>'])
    assert.equal(treeText(parseHtml(html).doc), reference(html));
  // At MAX_DEPTH the cap closes the <svg> before the <iframe> opens; the tokenizer had already read
  // the iframe as markup of SVG (not raw text), so its entity is decoded.
  const deep = '<div>'.repeat(MAX_DEPTH - 1) + '<svg><iframe>a&amp;b</iframe>';
  assert.ok(treeText(parseHtml(deep).doc).includes('"a&b"'));
});
