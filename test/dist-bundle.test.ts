/**
 * An installed salvage runs the compiled JavaScript in dist/, and `export-site` bundles the browser
 * client from those files. esbuild checks imports of JavaScript strictly (a missing export is an
 * error) but not of TypeScript (it may be a type), so a bundle that builds from src/ under tsx can
 * fail from dist/: it did (zh-map.ts lacked CONVERSION_SOURCE). `npm ci` builds dist/ before
 * `npm test`; without it this test skips and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(import.meta.dirname, '../dist/export/bundle.js');
const skip = existsSync(dist) ? undefined : `${dist} is missing (npm run build)`;
if (skip !== undefined) console.log(`dist bundle test SKIPPED: ${skip}`);

test(
  'the compiled salvage bundles both browser clients, with nothing server-only in them',
  { skip: skip ?? false },
  async () => {
    const { bundleClient } = (await import(pathToFileURL(dist).href)) as typeof import('../src/export/bundle.js');
    for (const name of ['static-search', 'static-pages'] as const) {
      const code = await bundleClient(name);
      assert.ok(code.length > 1000, name);
      assert.doesNotMatch(code, /opencc|better-sqlite3|node:/, name);
    }
    assert.ok(existsSync(join(import.meta.dirname, '../dist/export/client/static-pages.js')));
  },
);
