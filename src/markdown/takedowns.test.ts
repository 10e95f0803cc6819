import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSalvageError } from '../errors.js';
import { readTakedowns, TAKEDOWNS_FILE } from './takedowns.js';

function withList(text: string | undefined, check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-takedowns-'));
  try {
    if (text !== undefined) writeFileSync(join(dir, TAKEDOWNS_FILE), text);
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a takedown list is read in file order; no file or an empty one is no takedowns', () => {
  withList(undefined, (dir) => assert.deepEqual(readTakedowns(dir), []));
  withList('', (dir) => assert.deepEqual(readTakedowns(dir), []));
  withList(
    '- id: 104\n  date: 2026-12-01\n  reason: 應當事人要求移除\n  by: 存檔編輯部\n- id: "7"\n  date: "2026-12-02"\n  reason: court order\n  by: editors\n  show_title: false\n',
    (dir) =>
      assert.deepEqual(readTakedowns(dir), [
        { id: 104, date: '2026-12-01', reason: '應當事人要求移除', by: '存檔編輯部', showTitle: true },
        { id: 7, date: '2026-12-02', reason: 'court order', by: 'editors', showTitle: false },
      ]),
  );
});

test('a list that would not take an article down is a one-line error naming the entry and field', () => {
  const cases: [string, RegExp][] = [
    ['id: 104\n', /must be a list/],
    ['- id: 104\n  date: 2026-12-01\n  by: x\n', /entry 1 \(article 104\): reason is missing/],
    ['- id: 104\n  date: 1/12/2026\n  reason: r\n  by: x\n', /date must be YYYY-MM-DD/],
    ['- id: 104\n  date: 2026-13-01\n  reason: r\n  by: x\n', /date must be YYYY-MM-DD/],
    ['- id: -3\n  date: 2026-12-01\n  reason: r\n  by: x\n', /entry 1: id must be an article id/],
    ['- id: 1.5\n  date: 2026-12-01\n  reason: r\n  by: x\n', /id must be an article id/],
    [
      '- id: 9\n  date: 2026-12-01\n  reason: r\n  by: x\n- id: 9\n  date: 2026-12-02\n  reason: r\n  by: x\n',
      /entry 2: article 9 is listed twice/,
    ],
    ['- id: 9\n  date: 2026-12-01\n  reason: r\n  by: x\n  note: y\n', /unknown field "note"/],
    ['- id: 9\n  id: 10\n', /not valid YAML/],
    ['- [unclosed\n', /not valid YAML/],
    ['- 104\n', /entry 1 must be a mapping/],
    ['- id: 9\n  date: 2026-12-01\n  reason: r\n  by: x\n  show_title: no\n', /show_title must be true or false/],
  ];
  for (const [text, message] of cases)
    withList(text, (dir) => {
      assert.throws(
        () => readTakedowns(dir),
        (e: unknown) =>
          isSalvageError(e) && e.code === 'CONFIG_INVALID' && message.test(e.message) && !e.message.includes('\n'),
        text,
      );
    });
});
