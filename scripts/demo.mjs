#!/usr/bin/env node
// The README's first command: extract the bundled captures (demo/captures.warc.gz: 54 reconstructed
// Wayback captures of 30 hkcnews articles, with the non-article captures a crawler meets) into
// ./demo-archive, offline.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'demo-archive');
rmSync(out, { recursive: true, force: true });
const r = spawnSync(process.execPath, [resolve(root, 'dist/cli/main.js'), 'extract', resolve(root, 'demo/captures.warc.gz'), '--out', out, '--summary'], { stdio: 'inherit' });
// 3 = finished with some captures rejected as not articles: expected here (redirects, a 404, a truncated capture…).
if (r.status !== 0 && r.status !== 3) process.exit(r.status ?? 1);
console.log(`\nThe archive is in ${out}/articles (one Markdown file per article; see README "Archive format").`);
