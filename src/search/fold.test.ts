import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, foldWithOrigin } from './fold.js';
import { bigramTokens, unigramTokens, termTokens, findTerm } from './tokens.js';

test('fold keeps Traditional characters distinct and folds only variant forms of one character', () => {
  assert.equal(fold('衞生署'), '衛生署');
  assert.equal(fold('電車路綫'), '電車路線');
  assert.equal(fold('裡面'), '裏面');
  assert.equal(fold('著'), fold('着'));
  assert.equal(fold('峰'), fold('峯'));
  // Distinct characters that folding to Simplified merged (issue 15): 髮/發, 颱/台, 乾/幹/干.
  for (const [a, b] of [
    ['髮', '發'],
    ['颱', '台'],
    ['乾', '幹'],
    ['幹', '干'],
    ['乾', '干'],
  ])
    assert.notEqual(fold(a!), fold(b!), `${a} and ${b}`);
  // 么 is a Taiwan form of both 幺 and 麼: it joins neither, and they stay two characters.
  assert.notEqual(fold('幺'), fold('麼'));
  assert.equal(fold('么'), '么');
  assert.equal(fold('香港'), '香港');
});

test('fold applies NFKC and lower-cases Latin', () => {
  assert.equal(fold('ＡＢＣ１２３'), 'abc123');
  assert.equal(fold('HK01 News'), 'hk01 news');
  assert.equal(fold('　'), ' ');
});

test('foldWithOrigin traces every folded unit to its original offset', () => {
  const text = 'Ａ衞😀ﬁx';
  const { folded, origin } = foldWithOrigin(text);
  assert.equal(folded, 'a衛😀fix');
  assert.deepEqual([...origin], [0, 1, 2, 2, 4, 4, 5]);
  assert.equal(folded, fold(text));
});

test('unigramTokens: CJK characters and word suffixes; bigramTokens: CJK bigrams, each run closed by a separator', () => {
  assert.deepEqual(unigramTokens(fold('香港政府 COVID-19 港')), [
    '香',
    '港',
    '政',
    '府',
    'covid',
    'ovid',
    'vid',
    'id',
    'd',
    '19',
    '9',
    '港',
  ]);
  assert.deepEqual(unigramTokens('a港b'), ['a', '港', 'b']);
  assert.deepEqual(bigramTokens(fold('香港政府 COVID-19 港。港鐵')), ['香港', '港政', '政府', '0', '0', '港鐵', '0']);
});

test('termTokens gives characters, bigram phrases and word-fragment prefixes', () => {
  assert.deepEqual(termTokens('港'), { unigrams: ['港'], prefixes: [], phrases: [] });
  assert.deepEqual(termTokens('香港政'), { unigrams: [], prefixes: [], phrases: [['香港', '港政']] });
  assert.deepEqual(termTokens('港abc'), { unigrams: ['港'], prefixes: ['abc'], phrases: [] });
});

test('findTerm: plain substring, CJK and Latin alike', () => {
  assert.equal(findTerm('香港政府', '港政'), 1);
  assert.equal(findTerm('start art', 'art'), 2);
  assert.equal(findTerm('start art', 'art', 3), 6);
  assert.equal(findTerm('start', 'art'), 2);
  assert.equal(findTerm('2021年', '021年'), 1);
  assert.equal(findTerm('start', ''), -1);
  assert.equal(findTerm('港abc港', 'abc'), 1);
});

test('fold speed is measured (per-character map)', (t) => {
  const sample = '眾新聞記者報道，香港特區政府衞生署今日公布新型冠狀病毒COVID-19確診個案。'.repeat(20000);
  fold(sample); // warm the cache
  const started = performance.now();
  const out = fold(sample);
  const ms = performance.now() - started;
  t.diagnostic(
    `fold: ${(sample.length / ms / 1000).toFixed(1)} M chars/s (${sample.length} chars, ${ms.toFixed(0)} ms)`,
  );
  assert.equal(out.length, sample.length);
});
