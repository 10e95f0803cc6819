import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayoutReport, layoutFingerprint, layoutReportLines, MAX_LAYOUTS } from './layout.js';
import { parseHtml, type Element } from './dom.js';
import { SignalCollector } from './signals.js';

function bodyOf(html: string): { body: Element; signals: ReturnType<SignalCollector['finish']> } {
  const collector = new SignalCollector();
  const { doc } = parseHtml([html], { onElement: collector.visit });
  let found: Element | undefined;
  const walk = (nodes: readonly unknown[]): void => {
    for (const n of nodes as Element[]) {
      if (n.attribs?.['id'] === 'body') found = n;
      if (n.children) walk(n.children);
    }
  };
  walk(doc.children);
  return { body: found!, signals: collector.finish() };
}

test('pages of one template share a fingerprint whatever their numbers; another template has another', () => {
  const page = (id: number, cls: string): string =>
    `<html><body><div class="post-${id} ${cls}"><div id="body" class="entry"><p>文字</p></div></div></body></html>`;
  const a = bodyOf(page(1, 'story'));
  const b = bodyOf(page(2, 'story'));
  const c = bodyOf(page(1, 'c-story'));
  assert.equal(layoutFingerprint(a.body, a.signals), layoutFingerprint(b.body, b.signals));
  assert.notEqual(layoutFingerprint(a.body, a.signals), layoutFingerprint(c.body, c.signals));
  assert.match(layoutFingerprint(a.body, a.signals), /^L[0-9a-f]{7}$/);
});

test('the report counts sources, missing and overruled fields per layout, and warns on what is often missing', () => {
  const report = new LayoutReport();
  for (let i = 0; i < 10; i++) {
    report.add({
      layout: 'Laaaaaaa',
      date: `2019-0${1 + (i % 9)}-01`,
      sample: 'https://x/1',
      evidence: { title: { source: 'h1', disagreements: i < 3 ? 1 : 0 }, author: { source: 'none', disagreements: 0 } },
    });
  }
  report.add({
    layout: 'Lbbbbbbb',
    sample: 'https://x/2',
    evidence: { title: { source: 'og:title', disagreements: 0 } },
  });
  const [a, b] = report.summary();
  assert.equal(a!.pages, 10);
  assert.equal(a!.from, '2019-01');
  assert.equal(a!.to, '2019-09');
  assert.deepEqual(a!.fields['title'], { sources: { h1: 10 }, missing: 0, disagreed: 3 });
  assert.equal(a!.fields['author']!.missing, 10);
  assert.equal(b!.pages, 1);
  const text = layoutReportLines(report.summary()).join('\n');
  assert.match(text, /layout Laaaaaaa \(10 pages, 2019-01 → 2019-09\): sample https:\/\/x\/1/);
  assert.match(text, /! .*no author on 100%/);
  assert.match(text, /title signals disagree on 30%/);
});

test('past MAX_LAYOUTS distinct layouts, more are counted together: memory stays bounded', () => {
  const report = new LayoutReport();
  for (let i = 0; i < MAX_LAYOUTS + 50; i++) report.add({ layout: `L${i}`, sample: 's', evidence: {} });
  const summary = report.summary();
  assert.equal(summary.length, MAX_LAYOUTS + 1);
  assert.equal(summary.find((l) => l.layout === 'other')?.pages, 50);
});
