/** `salvage import`, `salvage index`, `salvage search`: thin wiring of markdown and search. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importArchive } from '../markdown/index.js';
import { buildIndexInParallel, search, SearchIndex, SEARCH_INDEX_FILE, type BuildProgress, type SearchOptions, type SearchResponse } from '../search/index.js';
import { SalvageError } from '../errors.js';

export async function runImport(source: string, out: string, quiet: boolean): Promise<{ files: number; skipped: { path: string; reason: string }[] }> {
  const tty = process.stderr.isTTY === true && !quiet;
  const result = await importArchive(source, out, {
    onProgress: (n) => { if (tty && n % 500 === 0) process.stderr.write(`\r\x1b[K${n} files`); },
    onLeftover: (l) => process.stderr.write(`removed ${l.path}: left by an interrupted import (process ${l.pid}, no longer running)\n`),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  return result;
}

export async function runIndex(dir: string, quiet: boolean): Promise<BuildProgress> {
  if (!existsSync(join(dir, 'articles'))) throw new SalvageError('INPUT_UNREADABLE', `${dir} has no articles/ folder; is it an archive folder (salvage archive, salvage import)?`, { subject: dir });
  const started = Date.now();
  return buildIndexInParallel(dir, {
    onProgress: (p) => { if (!quiet) process.stderr.write(`${p.seen} files seen · ${p.indexed} indexed · ${p.unchanged} unchanged · ${((Date.now() - started) / 1000).toFixed(0)} s\n`); },
  });
}

export function runSearch(dir: string, options: SearchOptions): SearchResponse {
  if (!existsSync(join(dir, SEARCH_INDEX_FILE))) throw new SalvageError('INPUT_UNREADABLE', `${dir} has no search index; run salvage index ${dir} first`, { subject: dir });
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    return search(index, options);
  } finally {
    index.close();
  }
}
