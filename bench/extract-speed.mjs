#!/usr/bin/env node
// One speed measurement in a fresh process (so neither engine's heap or JIT state affects the
// other): decode + extract + Markdown with salvage (compiled dist/), or linkedom + Readability.js,
// on an even spread of N captures of a WARC. Warm-up passes first; prints one JSON line.
//   node bench/extract-speed.mjs --engine salvage|readability --warc FILE [--pages 1000] [--passes 3]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const engine = arg('--engine');
const warc = arg('--warc');
const want = Number(arg('--pages', '1000'));
const passes = Number(arg('--passes', '3'));
const root = resolve(import.meta.dirname, '..');
const load = (path) => import(pathToFileURL(resolve(root, path)).href);

const { readWarcCaptures } = await load('dist/store/index.js');
let total = 0;
for await (const _ of readWarcCaptures(warc)) total++;
const step = Math.max(1, Math.floor(total / want));
const pages = [];
let index = 0;
for await (const c of readWarcCaptures(warc)) if (index++ % step === 0 && pages.length < want) pages.push(c);

let run;
if (engine === 'salvage') {
  const { extractCapture } = await load('dist/extract/index.js');
  const { renderArticle } = await load('dist/markdown/index.js');
  const { hkcnews } = await load('dist/sites/index.js');
  run = (c) => {
    const r = extractCapture({ payload: c.payload, url: c.url, timestamp: c.timestamp }, hkcnews);
    if (r.ok) renderArticle(r.article);
  };
} else if (engine === 'readability') {
  const { Readability } = await import('@mozilla/readability');
  const { parseHTML } = await import('linkedom');
  run = (c) => {
    const { document } = parseHTML(new TextDecoder().decode(c.payload));
    new Readability(document).parse();
  };
} else {
  console.error('usage: extract-speed.mjs --engine salvage|readability --warc FILE [--pages N] [--passes N]');
  process.exit(2);
}
// Wall time of the main thread, GC pauses included. This machine is a shared VM: results swing
// by ±20% from run to run (seen 2026-11-26), so engines alternate and medians are reported.
const pass = () => {
  const t0 = performance.now();
  for (const c of pages) run(c);
  return (performance.now() - t0) / 1000;
};
for (let i = 0; i < 2; i++) pass(); // warm-up: the JIT has optimised both engines' hot code after two passes
const seconds = [];
for (let i = 0; i < passes; i++) seconds.push(pass());
seconds.sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)];
console.log(
  JSON.stringify({
    engine,
    pages: pages.length,
    pagesPerSecond: pages.length / median,
    secondsPerPass: seconds,
    rssMb: process.memoryUsage().rss / 1048576,
  }),
);
