import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { baseSegment, isSafeSegment, SegmentMap } from './segments.js';

test('a safe name is its own segment', () => {
  const map = new SegmentMap(['立法會', 'Carrie Lam', '4.1 miles', 'r.e.m']);
  assert.equal(map.segmentOf('立法會'), '立法會');
  assert.equal(map.segmentOf('Carrie Lam'), 'Carrie Lam');
  assert.equal(map.segmentOf('4.1 miles'), '4.1 miles');
  assert.equal(map.nameOf('立法會'), '立法會');
});

test('unsafe names get a cleaned base and a hash suffix, and map back to the name', () => {
  const names = [
    'AC/DC',
    '..',
    '.',
    'a\\b',
    'CON',
    'nul.txt',
    'x\u0000y',
    'r.e.m.',
    ' spaced ',
    '100%',
    'a~b',
    'line\u2028sep',
    '',
    '?',
  ];
  const map = new SegmentMap(names);
  for (const name of names) {
    const segment = map.segmentOf(name);
    assert.ok(segment !== undefined, name);
    assert.ok(isSafeSegment(segment), `${JSON.stringify(name)} → ${JSON.stringify(segment)}`);
    assert.match(segment, /~[0-9a-f]{8}$/, name);
    assert.equal(map.nameOf(segment), name);
  }
  assert.ok(map.segmentOf('AC/DC')!.startsWith('AC-DC~'));
});

test('names that differ only in letter case get distinct suffixed segments (case-insensitive file systems)', () => {
  const map = new SegmentMap(['Carrie Lam', 'carrie lam', 'HK']);
  const a = map.segmentOf('Carrie Lam')!;
  const b = map.segmentOf('carrie lam')!;
  assert.notEqual(a.toLowerCase(), b.toLowerCase());
  assert.equal(map.segmentOf('HK'), 'HK');
});

test('long names are cut to at most 200 UTF-8 bytes without splitting a character', () => {
  const long = '香'.repeat(300);
  const { base, changed } = baseSegment(long);
  assert.ok(changed);
  assert.ok(Buffer.byteLength(base) <= 180);
  assert.equal(base, '香'.repeat(60));
  const segment = new SegmentMap([long]).segmentOf(long)!;
  assert.ok(Buffer.byteLength(segment) <= 200);
});

test('property: every name gets a safe, unique segment that maps back to it', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ unit: 'grapheme-composite', maxLength: 80 }), { maxLength: 20 }),
      (names) => {
        const map = new SegmentMap(names);
        const seen = new Set<string>();
        for (const name of names) {
          const segment = map.segmentOf(name)!;
          assert.ok(isSafeSegment(segment), JSON.stringify(segment));
          assert.equal(map.nameOf(segment), name);
          assert.ok(!seen.has(segment.toLowerCase()));
          seen.add(segment.toLowerCase());
        }
      },
    ),
  );
});
