/**
 * Pack a simulated Wayback holding (the folder `../shared/tools/hkcnews-site` writes) into a
 * WARC file: one `response` record per CDX row with a payload (revisits and duplicate rows
 * skipped), as the rescuer would store them. Used by the benchmark and to build the demo.
 *
 *   node --import tsx scripts/site-to-warc.ts SITE_DIR OUT.warc.gz [--only-expected MANIFEST]
 */
import { createReadStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { WarcWriter } from '../src/store/index.js';

interface CdxRow {
  timestamp: string;
  original: string;
  mimetype: string;
  statuscode: string;
  digest: string;
  body?: string;
  location?: string;
  kind?: string;
}

export async function siteToWarc(siteDir: string, out: string, onlyExpected?: Set<string>): Promise<number> {
  await rm(out, { force: true });
  const writer = await WarcWriter.open(out);
  const seen = new Set<string>();
  let count = 0;
  const lines = createInterface({ input: createReadStream(join(siteDir, 'cdx.jsonl')) });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as CdxRow;
    const key = row.timestamp + ' ' + row.original;
    if (!row.body || row.statuscode === '-' || seen.has(key)) continue;
    if (onlyExpected && !onlyExpected.has(key)) continue;
    seen.add(key);
    const headers: Record<string, string> = { 'Content-Type': row.mimetype };
    if (row.location) headers['Location'] = row.location;
    await writer.append({
      url: row.original,
      timestamp: row.timestamp,
      httpStatus: Number(row.statuscode),
      httpHeaders: headers,
      payload: gunzipSync(readFileSync(join(siteDir, row.body))),
    });
    count++;
  }
  await writer.close();
  return count;
}

/** `timestamp original` of every article's expected capture in a generator manifest. */
export function expectedCaptures(manifestPath: string): Set<string> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    articles: { expected?: { timestamp: string; original: string } }[];
  };
  return new Set(
    manifest.articles.flatMap((a) => (a.expected ? [a.expected.timestamp + ' ' + a.expected.original] : [])),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [siteDir, out] = process.argv.slice(2);
  const flag = process.argv.indexOf('--only-expected');
  if (!siteDir || !out) {
    console.error('usage: site-to-warc.ts SITE_DIR OUT.warc.gz [--only-expected MANIFEST]');
    process.exit(2);
  }
  const only = flag > 0 && process.argv[flag + 1] ? expectedCaptures(process.argv[flag + 1]!) : undefined;
  console.log(`${await siteToWarc(siteDir, out, only)} records → ${out}`);
}
