import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectPage } from './validate.js';

const page =
  '<html><head><title>T</title></head><body><div id="challenge-form">x</div>' + 'p'.repeat(70000) + '</body></html>';

test('page checks read a page in pieces as they read it whole, across every seam', () => {
  const whole = rejectPage({ text: page, title: 'T', hasBody: false });
  assert.equal(whole?.reason, 'challenge');
  for (const size of [7, 100, 4096, 65536]) {
    for (const offset of [0, 3, 50]) {
      const pieces: string[] = [page.slice(0, offset)];
      for (let i = offset; i < page.length; i += size) pieces.push(page.slice(i, i + size));
      assert.equal(
        rejectPage({ text: pieces, title: 'T', hasBody: false })?.reason,
        'challenge',
        `pieces of ${size} from ${offset}`,
      );
    }
  }
  // The same marker at the end of a page, found from the tail however it is cut.
  const atEnd =
    '<html><head><title>T</title></head><body>' + 'p'.repeat(70000) + '<div id="challenge-form">x</div></body></html>';
  for (const size of [7, 100, 4096, 65536]) {
    const pieces: string[] = [];
    for (let i = 0; i < atEnd.length; i += size) pieces.push(atEnd.slice(i, i + size));
    assert.equal(
      rejectPage({ text: pieces, title: 'T', hasBody: false })?.reason,
      'challenge',
      `end, pieces of ${size}`,
    );
  }
  const truncated = page.replace('<div id="challenge-form">x</div>', '').replace('</body></html>', '');
  assert.equal(
    rejectPage({ text: [truncated.slice(0, 65536), truncated.slice(65536)], title: 'T', hasBody: true })?.reason,
    'truncated',
  );
  assert.equal(
    rejectPage({ text: [truncated.slice(0, 65536), truncated.slice(65536), '</bo', 'dy>'], title: 'T', hasBody: true }),
    undefined,
  );
  assert.equal(rejectPage({ text: ['  ', '\n', ''], title: undefined, hasBody: false })?.reason, 'empty');
  assert.equal(
    rejectPage({ text: [truncated.slice(0, 65536), truncated.slice(65536, -3)], title: 'T', hasBody: true })?.reason,
    'truncated',
    'cut inside a sentence',
  );
  const trailer = '<script>' + 'var ad = 1;\n'.repeat(3000) + '</script>\n</text>';
  assert.equal(
    rejectPage({ text: [page.slice(0, 70000), page.slice(70000) + trailer], title: 'T', hasBody: true }),
    undefined,
    'ad scripts and a crawler wrapper after </html>',
  );
});
