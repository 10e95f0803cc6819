import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHtmlAttribute, escapeHtmlText, escapeInline, escapeLineStart, linkDestination } from './escape.js';

// What a CommonMark (+GFM) renderer treats as syntax inside a line; each must reach the file escaped.
const INLINE_SYNTAX = new Set(['\\', '*', '_', '[', ']', '`', '<', '|', '~']);
/** A CommonMark entity or numeric character reference starting at `&`. */
const ENTITY_AHEAD = /^&(?:[a-z][a-z0-9]{1,31}|#\d{1,7}|#x[0-9a-f]{1,6});/i;
/** Block syntax at the start of a line: ATX heading, quote, bullets, setext underline, ordered list. */
const BLOCK_SYNTAX_START = /^(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$|\d{1,9}[.)](?:[ \t]|$))/;
const C0_EXCEPT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * Reads escaped inline text the way CommonMark does and returns the characters a reader sees.
 * Fails when syntax is left unescaped or a backslash escapes nothing.
 */
function unescapeStrict(escaped: string): string {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const ch = escaped[i]!;
    if (ch === '\\') {
      const next = escaped[i + 1];
      assert.ok(
        next !== undefined && (INLINE_SYNTAX.has(next) || next === '&'),
        `backslash at ${i} escapes ${JSON.stringify(next)} in ${JSON.stringify(escaped)}`,
      );
      out += next;
      i++;
      continue;
    }
    assert.ok(!INLINE_SYNTAX.has(ch), `unescaped ${JSON.stringify(ch)} at ${i} in ${JSON.stringify(escaped)}`);
    if (ch === '&')
      assert.ok(!ENTITY_AHEAD.test(escaped.slice(i)), `unescaped entity at ${i} in ${JSON.stringify(escaped)}`);
    out += ch;
  }
  return out;
}

/** Any code points, lone surrogates included. */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 40 })
  .map((codes) => String.fromCodePoint(...codes));

/** Strings dense in Markdown syntax, mixed with CJK, NBSP, U+3000 and controls. */
const TRICKY_PIECES = [
  '*',
  '**',
  '_',
  '__',
  '[',
  ']',
  '](',
  '(',
  ')',
  '`',
  '```',
  '<',
  '>',
  '<b>',
  '<https://x.y>',
  '#',
  '# ',
  '## ',
  '-',
  '- ',
  '+ ',
  '=',
  '===',
  '---',
  '1. ',
  '1) ',
  '12. ',
  '1.',
  '!',
  '|',
  '~',
  '~~',
  '&',
  '&amp;',
  '&#123;',
  '&#x41;',
  '&copy;',
  ';',
  '\\',
  '\\\\',
  ':',
  '[1]: ',
  'http://x.y',
  'a',
  'b',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\u3000',
  '眾新聞',
  '「',
  '」',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\r',
];
const trickyString = fc.array(fc.constantFrom(...TRICKY_PIECES), { maxLength: 16 }).map((parts) => parts.join(''));
const anyText = fc.oneof(trickyString, anyCodePoints, fc.string({ unit: 'grapheme-ascii', maxLength: 40 }));

test('escapeInline leaves no unescaped emphasis, link, code, HTML, table or strikethrough syntax', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      unescapeStrict(escapeInline(s.replace(/\n/g, ' ')));
    }),
    { numRuns: 3000, seed: 1 },
  );
});

test('escapeInline shows exactly the input characters, minus C0 controls and DEL', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const escaped = escapeInline(s);
      assert.equal(C0_EXCEPT_TAB_LF.test(escaped), false);
      assert.equal(
        unescapeStrict(escaped.replace(/\n/g, ' ')),
        s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/\n/g, ' '),
      );
    }),
    { numRuns: 3000, seed: 2 },
  );
});

test('escapeInline escapes entity references but not a bare ampersand', () => {
  assert.equal(escapeInline('&amp; &#123; &#x41; &copy;'), '\\&amp; \\&#123; \\&#x41; \\&copy;');
  assert.equal(escapeInline('AT&T & co'), 'AT&T & co');
});

test('escapeInline keeps CJK, NBSP and U+3000 as published', () => {
  assert.equal(escapeInline('特朗普金正恩河內峰會\u3000同稱\u00a0可望'), '特朗普金正恩河內峰會\u3000同稱\u00a0可望');
});

test('escapeInline escapes each syntax character with one backslash', () => {
  assert.equal(
    escapeInline('*a* _b_ [c](d) `e` <f> g|h ~~i~~ \\'),
    '\\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\<f> g\\|h \\~\\~i\\~\\~ \\\\',
  );
});

test('escapeLineStart escapes block syntax at the start of a line after inline escaping', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const line = escapeLineStart(escapeInline(s.replace(/\n/g, ' ')));
      assert.equal(BLOCK_SYNTAX_START.test(line), false, `line starts with block syntax: ${JSON.stringify(line)}`);
    }),
    { numRuns: 3000, seed: 3 },
  );
});

test('escapeLineStart adds at most one backslash and changes nothing else but dropping indentation', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const line = escapeInline(s.replace(/\n/g, ' ')).replace(/^[ \t]+/, '');
      const escaped = escapeLineStart(line);
      if (escaped === line) return;
      assert.equal(escaped.length, line.length + 1);
      const at = [...escaped].findIndex((ch, i) => ch !== line[i]);
      assert.equal(escaped[at], '\\');
      assert.equal(escaped.slice(0, at) + escaped.slice(at + 1), line);
    }),
    { numRuns: 3000, seed: 4 },
  );
});

test('escapeLineStart escapes headings, quotes, bullets, rules, setext underlines and list numbers', () => {
  const cases: [string, string][] = [
    ['# 標題', '\\# 標題'],
    ['###### x', '\\###### x'],
    ['#', '\\#'],
    ['> 引述', '\\> 引述'],
    ['- 項目', '\\- 項目'],
    ['+ 項目', '\\+ 項目'],
    ['-', '\\-'],
    ['---', '\\---'],
    ['- - -', '\\- - -'],
    ['===', '\\==='],
    ['1. 第一', '1\\. 第一'],
    ['2019. 年', '2019\\. 年'],
    ['1) 第一', '1\\) 第一'],
    ['123456789. x', '123456789\\. x'],
  ];
  for (const [line, expected] of cases) assert.equal(escapeLineStart(line), expected, JSON.stringify(line));
});

test('escapeLineStart leaves lines that cannot start block syntax alone', () => {
  for (const line of ['#hashtag', '1.5 億', '2019年', '-3°C', '+852 電話', '1234567890. x', 'a # b', '==a', '眾新聞']) {
    assert.equal(escapeLineStart(line), line, JSON.stringify(line));
  }
});

test('escapeLineStart escapes block syntax behind up to three spaces of indentation', () => {
  for (const line of ['   # x', '  > x', ' - x', '   1. x']) {
    assert.equal(BLOCK_SYNTAX_START.test(escapeLineStart(line).replace(/^[ \t]+/, '')), false, JSON.stringify(line));
  }
});

/** A WHATWG-serialised URL, as every URL in the Article model is. */
const modelUrl = fc
  .tuple(
    fc.constantFrom('https://www.hkcnews.com/', 'https://www.reuters.com/a/', 'http://example.org/x?y=1', 'mailto:'),
    fc.array(
      fc.constantFrom(
        '(',
        ')',
        ' ',
        '<',
        '>',
        '\\',
        '"',
        '`',
        '[',
        ']',
        '眾',
        '%20',
        '#',
        '?',
        '&',
        '=',
        'a',
        '/',
        '\u00a0',
      ),
      { maxLength: 10 },
    ),
  )
  .map(([base, parts]) => {
    try {
      return new URL(parts.join(''), base).href;
    } catch {
      return base;
    }
  });

/** Reads a link destination back as CommonMark would (either form); undefined when it is no destination. */
function readDestination(dest: string): string | undefined {
  if (dest.startsWith('<')) {
    if (!dest.endsWith('>')) return undefined;
    const inner = dest.slice(1, -1);
    if (/[<>\n\r]/.test(inner.replace(/\\[<>]/g, ''))) return undefined;
    return inner.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  }
  if (dest === '' || /[\u0000-\u0020\u007f]/.test(dest)) return undefined;
  let depth = 0;
  for (const ch of dest.replace(/\\[()]/g, '')) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return undefined;
  }
  if (depth !== 0) return undefined;
  return dest.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

test('linkDestination always yields a valid destination that reads back as the same URL', () => {
  fc.assert(
    fc.property(modelUrl, (url) => {
      const dest = linkDestination(url);
      const read = readDestination(dest);
      assert.notEqual(read, undefined, `not a destination: ${JSON.stringify(dest)} for ${JSON.stringify(url)}`);
      // `\` may be written as %5C in the bare form: the same resource.
      assert.equal(read!.replace(/%5C/g, '\\'), url.replace(/%5C/g, '\\')); // defined: asserted just above
    }),
    { numRuns: 2000, seed: 5 },
  );
});

test('linkDestination keeps ordinary URLs and balanced parentheses as they are', () => {
  assert.equal(linkDestination('https://www.reuters.com/a?b=1&c=2#x'), 'https://www.reuters.com/a?b=1&c=2#x');
  assert.equal(linkDestination('https://en.wikipedia.org/wiki/Foo_(bar)'), 'https://en.wikipedia.org/wiki/Foo_(bar)');
});

test('linkDestination uses the pointy-bracket form for spaces and unbalanced parentheses', () => {
  assert.equal(linkDestination('https://a.example/x y'), '<https://a.example/x y>');
  assert.equal(linkDestination('https://a.example/x)y('), '<https://a.example/x)y(>');
  assert.equal(linkDestination('https://a.example/x(y'), '<https://a.example/x(y>');
});

test('linkDestination encodes angle brackets, drops newlines and never leaves a bare backslash', () => {
  assert.equal(linkDestination('https://a.example/<x>'), 'https://a.example/%3Cx%3E');
  assert.equal(linkDestination('https://a.example/\nx\r'), 'https://a.example/x');
  assert.equal(linkDestination('https://a.example/a\\b'), 'https://a.example/a%5Cb');
  assert.equal(linkDestination('https://a.example/a b\\c'), '<https://a.example/a b\\\\c>');
});

test('escapeHtmlAttribute makes any value safe inside double quotes', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const v = escapeHtmlAttribute(s);
      assert.equal(/["<>]/.test(v), false);
      assert.equal(/&(?!amp;|quot;|lt;|gt;)/.test(v), false);
      assert.equal(C0_EXCEPT_TAB_LF.test(v), false);
    }),
    { numRuns: 2000, seed: 6 },
  );
  assert.equal(escapeHtmlAttribute('https://x/?a=1&b="2"<>'), 'https://x/?a=1&amp;b=&quot;2&quot;&lt;&gt;');
});

test('escapeHtmlText escapes markup in captions and keeps quotes', () => {
  assert.equal(escapeHtmlText('<b>「A&B」"x"</b>'), '&lt;b&gt;「A&amp;B」"x"&lt;/b&gt;');
});
