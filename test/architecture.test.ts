/**
 * The layout is the architecture (STYLE.md): stages depend one way, other folders import a stage
 * only through its index.ts, and pure stages do no I/O.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const stageOf = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');

/** Which stages each stage may import (errors.ts, memento.ts and worker.ts are shared by all). */
const SHARED = new Set(['errors', 'memento', 'worker']);
const ALLOWED: Record<string, readonly string[]> = {
  extract: [],
  sites: ['extract'],
  markdown: ['extract'],
  store: ['extract'],
  wayback: ['extract'],
  crawl: ['wayback', 'store', 'extract', 'sites', 'markdown'],
  // store: the index build copies the captures the crawl state says the WARCs hold (TimeMaps).
  search: ['extract', 'markdown', 'store'],
  reader: ['search', 'extract', 'markdown', 'sites', 'store'],
  export: ['search', 'extract', 'markdown', 'sites', 'reader', 'store'],
  // verify checks what crawl (articles), store (WARC, media) and export (dumps, bags) wrote, each in its own stage.
  verify: ['crawl', 'store', 'export', 'extract'],
  cli: ['extract', 'sites', 'markdown', 'store', 'wayback', 'crawl', 'search', 'reader', 'export', 'verify'],
};
/** Pure stages: no files, sockets, processes or clocks. */
const PURE = new Set(['extract', 'sites']);
const NODE_IO = /^node:(?:fs|fs\/promises|net|http|https|child_process|worker_threads|dgram|tls)$/;

for (const file of sourceFiles(SRC)) {
  const from = stageOf(file);
  if (SHARED.has(from)) continue;
  test(`${relative(SRC, file)} imports only what its stage may`, () => {
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(IMPORT)) {
      if (!spec!.startsWith('.')) {
        if (PURE.has(from)) assert.doesNotMatch(spec!, NODE_IO, `${from} is pure but imports ${spec}`);
        continue;
      }
      const target = resolve(dirname(file), spec!.replace(/\.js$/, '.ts'));
      const to = stageOf(target);
      if (to === from || SHARED.has(to)) continue;
      assert.ok((ALLOWED[from] ?? []).includes(to), `${from} must not import ${to} (${spec})`);
      assert.equal(target, join(SRC, to, 'index.ts'), `${from} imports ${to} through its index.ts, not ${spec}`);
    }
  });
}
