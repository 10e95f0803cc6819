import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFixtureArchive } from '../../test/helpers/reader-fixture.js';

const ROOT = resolve(import.meta.dirname, '../..');
const salvage = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });

test('export and export-site explain themselves in --help', () => {
  const dump = salvage('export', '--help');
  assert.equal(dump.status, 0);
  assert.match(dump.stdout, /--format <format>/);
  assert.match(dump.stdout, /manifest\.json/);
  assert.match(dump.stdout, /sha256sum -c/);
  const site = salvage('export-site', '--help');
  assert.equal(site.status, 0);
  assert.match(site.stdout, /search-index\//);
});

test('export writes a dump and its manifest; a folder without articles is a one-line error', () => {
  const fixture = createFixtureArchive();
  const work = mkdtempSync(join(tmpdir(), 'salvage-export-cli-'));
  try {
    const out = join(work, 'a.jsonl');
    const ok = salvage('export', fixture.dir, '--format', 'jsonl', '--out', out, '--json', '--quiet');
    assert.equal(ok.status, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { articles: number; sha256: string };
    assert.ok(report.articles > 50);
    assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, report.articles);
    assert.ok(existsSync(`${out}.manifest.json`));
    const bad = salvage('export', work, '--format', 'sqlite');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /has no articles\/ folder.*\[INPUT_UNREADABLE\]/);
    const usage = salvage('export', fixture.dir, '--format', 'csv');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /Allowed choices are jsonl, sqlite/);
    const noIndex = salvage('export-site', work, '--out', join(work, 'site'));
    assert.equal(noIndex.status, 1);
    assert.match(noIndex.stderr, /run salvage index .*\[INPUT_UNREADABLE\]/);
  } finally {
    fixture.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
