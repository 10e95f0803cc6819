import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex, buildIndexInParallel } from './build.js';
import { SearchIndex } from './index-db.js';
import { search } from './query.js';

function archive(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-build-'));
  mkdirSync(join(dir, 'articles', '1-1000'), { recursive: true });
  const words = ['香港', '政府', '衞生署', '港鐵', '記者會', 'COVID-19', '立法會'];
  for (let id = 1; id <= n; id++) {
    const body = Array.from({ length: 5 }, (_, k) => words[(id * 7 + k * 3) % words.length]).join('，');
    const title = `第${id}篇：${words[id % words.length]}`;
    writeFileSync(join(dir, 'articles', '1-1000', `article_${id}.md`), `---\ntitle: "${title}"\ndate: "2020-01-${String((id % 28) + 1).padStart(2, '0')}"\ntags:\n  - "t${id % 3}"\n---\n\n# ${title}\n\n${body}\n`);
  }
  writeFileSync(join(dir, 'articles', '1-1000', 'article_999.md'), 'no frontmatter here\n');
  return dir;
}

function snapshot(dir: string): string {
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    const rows = index.db.prepare('SELECT id, sk, path, title, date, tags, group_key, title_folded, text, folded FROM articles ORDER BY id').all();
    const queries = ['港', '卫生署', 'covid', '政府 -港铁', ''].map((q) => search(index, { q, limit: 500 }));
    return JSON.stringify({ rows, queries });
  } finally {
    index.close();
  }
}

test('the parallel build writes the same index as the single-thread build, and reports unparsable files', async () => {
  const a = archive(450); // more than two worker chunks
  const b = archive(450);
  try {
    const one = buildIndex(a);
    const many = await buildIndexInParallel(b, { workers: 2 });
    assert.deepEqual({ ...many, failed: many.failed.length }, { ...one, failed: one.failed.length });
    assert.equal(many.indexed, 450);
    assert.deepEqual(many.failed.map((f) => f.path), [join('articles', '1-1000', 'article_999.md')]);
    assert.equal(snapshot(b), snapshot(a));
    const again = await buildIndexInParallel(b, { workers: 2 });
    assert.equal(again.unchanged, 450);
    assert.equal(again.indexed, 0);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
