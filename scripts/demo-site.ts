/**
 * Rewrites demo/site: the capture generator's 40-article holding (`--sample 40 --seed 5`) with its
 * image captures (`--images on`), whose photographs are made real. The generator's image bodies
 * are JPEG-shaped bytes a browser cannot decode; the demo should show pictures, so each status-200
 * image capture gets a real JPEG (a small drawn landscape, encoded by jpeg-js), and its CDX row and
 * the manifest get the new digest and length. Everything else is the generator's output as it is.
 *
 *   node --import tsx scripts/demo-site.ts            (needs ../shared beside the project)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { waybackDigest } from '../src/devtools/wayback-sim/index.js';
import { sharedOrSkip } from '../bench/shared.js';

const shared = sharedOrSkip('demo-site');
const root = resolve(import.meta.dirname, '..');
const target = join(root, 'demo/site');
const work = mkdtempSync(join(tmpdir(), 'salvage-demo-site-'));
const generated = join(work, 'site');
const g = spawnSync(
  process.execPath,
  [
    join(shared, 'tools/hkcnews-site/generate.mjs'),
    '--articles',
    join(shared, 'data/hkcnews/articles.jsonl.gz'),
    '--out',
    generated,
    '--sample',
    '40',
    '--seed',
    '5',
    '--images',
    'on',
    '--quiet',
  ],
  { stdio: 'inherit' },
);
if (g.status !== 0) throw new Error(`the generator exited with ${g.status}`);

/** A 320×200 landscape: sky, sun and hills in colours drawn from `seed`. */
function picture(seed: string): Buffer {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hue = (h % 360) / 360;
  const sunX = 40 + ((h >>> 9) % 240);
  const width = 320;
  const height = 200;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const hill = 130 + 25 * Math.sin(x / 40 + hue * 6) + 10 * Math.sin(x / 13);
      const sun = (x - sunX) ** 2 + (y - 55) ** 2 < 400;
      const [r, gr, b] =
        y > hill
          ? [40 + 60 * hue, 110 - y / 4, 50]
          : sun
            ? [250, 220, 120]
            : [90 + 100 * hue, 150 + y / 3, 230 - 40 * hue];
      data.set(
        [r, gr, b, 255].map((v) => Math.max(0, Math.min(255, Math.round(v)))),
        (y * width + x) * 4,
      );
    }
  return jpeg.encode({ data, width, height }, 75).data;
}

interface Row {
  kind: string;
  statuscode: string;
  digest: string;
  length: string;
  body?: string;
  [field: string]: unknown;
}
const rows = readFileSync(join(generated, 'cdx.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);
const newDigest = new Map<string, string>();
for (const row of rows) {
  if (row.kind !== 'image' || row.statuscode !== '200') continue;
  const bytes = picture(row.digest);
  const digest = waybackDigest(bytes);
  rmSync(join(generated, row.body!));
  row.body = `bodies/${digest}.jpg.gz`;
  writeFileSync(join(generated, row.body), gzipSync(bytes, { level: 9 }));
  newDigest.set(row.digest, digest);
  row.digest = digest;
  row.length = String(bytes.length);
}
writeFileSync(join(generated, 'cdx.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const manifest = JSON.parse(readFileSync(join(generated, 'manifest.json'), 'utf8')) as {
  articles: { images?: { digest: string | null }[] }[];
};
for (const a of manifest.articles)
  for (const image of a.images ?? [])
    if (image.digest !== null) image.digest = newDigest.get(image.digest) ?? image.digest;
writeFileSync(join(generated, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');

const readme = readFileSync(join(target, 'README.md'), 'utf8');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const name of ['cdx.jsonl', 'bodies', 'manifest.json'])
  cpSync(join(generated, name), join(target, name), { recursive: true });
writeFileSync(join(target, 'README.md'), readme);
rmSync(work, { recursive: true, force: true });
console.log(`demo/site: ${rows.length} CDX rows, ${newDigest.size} image captures with real JPEGs`);
