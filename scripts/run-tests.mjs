#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 neither expands
// globs in --test nor loads .ts by itself, so the files are listed here and tsx is imported).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'test'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots) walk(root);
files.sort();
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
