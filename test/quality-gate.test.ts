/**
 * The quality gate (issue 13), as trafilatura's evaluation gate: with ../shared present (CI has
 * it), extraction is measured on material this team did not write and fails below pinned floors,
 * so a regression fails CI instead of reaching a note.
 *
 * - a rehearsal of 1,000 articles of the real hkcnews archive, rendered by the capture generator
 *   in its three layouts and, for about one in five, in the four layouts of bench/layouts/ (which
 *   the engine has no selectors for), extracted with the CLI and compared by compare-archive;
 * - the real pages of ../shared/bench: body F1 and field rates (bench:extract --quality-only).
 *
 * Floors sit at or just under what the final code measures (docs/benchmarks.md): deterministic
 * measures, no timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sharedDir } from '../bench/shared.js';
import { layoutLines, rehearse } from '../bench/rehearsal.js';

const root = resolve(import.meta.dirname, '..');
const shared = sharedDir();

/** Fully-equal floors: the generator's own layouts, and each layout the engine was not written for. */
const KNOWN_LAYOUTS = ['A', 'B', 'C'];
const KNOWN_FULLY_EQUAL = 0.995;
const UNSEEN_FULLY_EQUAL = 0.95;
/** Every field on the known layouts. */
const KNOWN_FIELD = 0.995;

/** Bench-page floors (bench:extract; the acceptance where it gives one). */
const BENCH_FLOORS = {
  readability: { f1: 0.975, title: 0.97, author: 0.9, date: 0.95 },
  zh: { f1cjk: 0.97, title: 0.95, author: 0.92, date: 0.95 },
} as const;
/**
 * The zh set's fields against its reference as given: six of its values are wrong on the page
 * itself (bench/reference-corrections.json, e.g. a reporter's name as the date), so the issue's
 * floors hold against the corrected reference and these lower ones against the raw one.
 */
const ZH_RAW_FLOORS = { author: 0.88, date: 0.9 } as const;

const ratio = (cell: string | undefined): number => {
  const m = /^(\d+)\/(\d+)$/.exec(cell ?? '');
  return m ? Number(m[1]) / Number(m[2]) : Number.NaN;
};

if (!shared) {
  test('quality gate', { skip: '../shared is not present (set SALVAGE_SHARED to run it)' }, () => {});
} else {
  test(
    'hkcnews rehearsal of 1,000 articles: known layouts and unseen layouts stay above their floors',
    { timeout: 600_000 },
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'salvage-gate-'));
      try {
        const result = await rehearse({
          shared,
          work,
          salvage: [process.execPath, '--import', 'tsx', join(root, 'src/cli/main.ts')],
          sample: 1000,
          extraVariants: join(root, 'bench/layouts/layouts.mjs'),
        });
        const report = layoutLines(result).join('\n');
        assert.equal(result.unrecoveredWritten, 0, `non-article pages written\n${report}`);
        assert.equal(result.missing, 0, `articles not written\n${report}`);
        let known = 0,
          knownEqual = 0;
        for (const [name, layout] of Object.entries(result.layouts)) {
          if (KNOWN_LAYOUTS.includes(name)) {
            known += layout.articles;
            knownEqual += layout.fullyEqual;
            for (const [field, n] of Object.entries(layout.equal))
              assert.ok(n / layout.articles >= KNOWN_FIELD, `${name} ${field} ${n}/${layout.articles}\n${report}`);
          } else {
            assert.ok(
              layout.fullyEqual / layout.articles >= UNSEEN_FULLY_EQUAL,
              `unseen layout ${name}: ${layout.fullyEqual}/${layout.articles} fully equal\n${report}`,
            );
          }
        }
        assert.ok(
          known > 0 && knownEqual / known >= KNOWN_FULLY_EQUAL,
          `known layouts ${knownEqual}/${known} fully equal\n${report}`,
        );
        assert.ok(Object.keys(result.layouts).length >= KNOWN_LAYOUTS.length + 4, `every layout took part\n${report}`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );

  test('real bench pages: body F1 and field rates stay above their floors', { timeout: 300_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'salvage-gate-bench-'));
    try {
      const json = join(work, 'summary.json');
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'bench/extract.bench.ts'), '--quality-only', '--json', json, '--work', work],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      assert.equal(r.status, 0, r.stderr);
      if (/skipped/.test(r.stdout)) return; // the bench sets are not part of this ../shared
      const s = JSON.parse(readFileSync(json, 'utf8')) as Record<
        string,
        { f1: number; f1cjk: number; fields: Record<string, string>; fieldsCorrected?: Record<string, string> }
      >;
      const rb = s['readability']!;
      const zh = s['zh']!;
      const fieldsOf = (x: {
        fields: Record<string, string>;
        fieldsCorrected?: Record<string, string>;
      }): Record<string, string> => x.fieldsCorrected ?? x.fields;
      assert.ok(rb.f1 >= BENCH_FLOORS.readability.f1, `readability F1 ${rb.f1}`);
      for (const f of ['title', 'author', 'date'] as const)
        assert.ok(ratio(fieldsOf(rb)[f]) >= BENCH_FLOORS.readability[f], `readability ${f} ${fieldsOf(rb)[f]}`);
      assert.ok(zh.f1cjk >= BENCH_FLOORS.zh.f1cjk, `zh F1 cjk ${zh.f1cjk}`);
      for (const f of ['title', 'author', 'date'] as const)
        assert.ok(ratio(fieldsOf(zh)[f]) >= BENCH_FLOORS.zh[f], `zh ${f} ${fieldsOf(zh)[f]}`);
      for (const f of ['author', 'date'] as const)
        assert.ok(ratio(zh.fields[f]) >= ZH_RAW_FLOORS[f], `zh ${f} against the raw reference ${zh.fields[f]}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
