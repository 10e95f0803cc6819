#!/usr/bin/env node
// The README's first command, offline: serve the bundled site (demo/site: 40 hkcnews articles as
// the Wayback Machine holds them, with redirects, 404s, a challenge page, a truncated capture and
// a farewell page) from the local Wayback simulator, and rescue it with `salvage archive` into
// ./demo-archive. The simulator runs 20x faster than the real service's limits so the demo takes
// seconds; against the real Wayback Machine the same command is
//   salvage archive hkcnews --out hkcnews-archive
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'demo-archive');
const scale = 20;
const { startWaybackSimulator } = await import(pathToFileURL(resolve(root, 'dist/devtools/wayback-sim/index.js')).href);
const sim = await startWaybackSimulator({
  siteDir: resolve(root, 'demo/site'),
  timeScale: scale,
  faults: 'default',
  seed: 'demo',
});
console.log(`local Wayback simulator at ${sim.url} (demo/site, limits x${scale})`);
rmSync(out, { recursive: true, force: true });
const run = (args) =>
  new Promise((done) =>
    spawn(process.execPath, [resolve(root, 'dist/cli/main.js'), ...args], { stdio: 'inherit' }).on('exit', (code) =>
      done(code ?? 1),
    ),
  );
const code = await run(['archive', 'hkcnews', '--out', out, '--wayback', sim.url, '--time-scale', String(scale)]);
await sim.close();
if (code !== 0) process.exit(code);
console.log('');
await run(['status', out]);
console.log(
  `\nThe archive is in ${out}: articles/ (one Markdown file per article), captures/ (WARC), media/ (the images, shown by salvage serve), state.sqlite, coverage.json.`,
);
