import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fold as serverFold, foldWithOrigin as serverFoldWithOrigin } from '../../search/index.js';
import { foldTable } from '../fold-table.js';
import { fold, foldWithOrigin, installFoldMap } from './fold-map.js';

installFoldMap(foldTable());

test('the table fold equals the server fold on HK variants, compatibility forms and case', () => {
  for (const text of [
    '衞生署綫麪',
    'ＡＢＣ１２３',
    'Hello WORLD',
    '㈱ ﬁ ①',
    '𠮷野家 𝐀',
    '\uD800 lone',
    '香港人民主派',
  ]) {
    assert.equal(fold(text), serverFold(text), text);
    assert.deepEqual(foldWithOrigin(text), serverFoldWithOrigin(text), text);
  }
});

test('the table fold equals the server fold on any text (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      assert.equal(fold(text), serverFold(text));
      assert.deepEqual(foldWithOrigin(text), serverFoldWithOrigin(text));
    }),
    { numRuns: 2000 },
  );
});
