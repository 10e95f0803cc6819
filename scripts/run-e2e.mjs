#!/usr/bin/env node
// Runs the browser tests (test/e2e/*.e2e.ts) with node's test runner. They drive Debian's
// chromium through playwright-core (STACK.md "Browser tests"); without the browser they are
// skipped with a message, so `npm run test:e2e` still succeeds on a machine without it.
// `$CHROMIUM_PATH` names another binary.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(
    `e2e tests SKIPPED: ${chromium} not found (install it with: apt-get install -y chromium fonts-wqy-microhei)`,
  );
  process.exit(0);
}
const dir = join('test', 'e2e');
const files = readdirSync(dir)
  .filter((n) => n.endsWith('.e2e.ts'))
  .sort()
  .map((n) => join(dir, n));
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error('no e2e test files found');
  process.exit(1);
}
// One file at a time: each launches its own browser.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...selected],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
