/** `salvage import`, `salvage index`, `salvage search`: thin wiring of markdown and search. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importArchive } from '../markdown/index.js';
import {
  buildIndexInParallel,
  MAX_QUERY_CHARS,
  MAX_QUERY_EXCLUSIONS,
  MAX_QUERY_TERMS,
  search,
  SearchIndex,
  SEARCH_INDEX_FILE,
  type BuildProgress,
  type SearchOptions,
  type SearchResponse,
} from '../search/index.js';
import { SalvageError } from '../errors.js';

export async function runImport(
  source: string,
  out: string,
  quiet: boolean,
): Promise<{ files: number; skipped: { path: string; reason: string }[] }> {
  const tty = process.stderr.isTTY === true && !quiet;
  const result = await importArchive(source, out, {
    onProgress: (n) => {
      if (tty && n % 500 === 0) process.stderr.write(`\r\x1b[K${n} files`);
    },
    onLeftover: (l) =>
      process.stderr.write(`removed ${l.path}: left by an interrupted import (process ${l.pid}, no longer running)\n`),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  return result;
}

export async function runIndex(dir: string, quiet: boolean): Promise<BuildProgress> {
  if (!existsSync(join(dir, 'articles')))
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `${dir} has no articles/ folder; is it an archive folder (salvage archive, salvage import)?`,
      { subject: dir },
    );
  const started = Date.now();
  const progress = await buildIndexInParallel(dir, {
    onProgress: (p) => {
      if (!quiet)
        process.stderr.write(
          `${p.seen} files seen · ${p.indexed} indexed · ${p.unchanged} unchanged · ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
    },
  });
  if (progress.corruptMovedTo !== undefined) {
    process.stderr.write(
      `salvage index: the search index was damaged; moved it to ${progress.corruptMovedTo} and built a new one from every archive file\n`,
    );
  }
  return progress;
}

/** The stderr lines a search's answer calls for: an incomplete index, a query past the limits. */
export function searchWarnings(dir: string, response: SearchResponse): string[] {
  const lines: string[] = [];
  if (response.incomplete === true)
    lines.push(
      `warning: the search index of ${dir} is incomplete (a salvage index run was interrupted or is running); results may miss articles. Run salvage index ${dir} to finish it.`,
    );
  const limited = response.limited;
  if (limited !== undefined) {
    const parts: string[] = [];
    if (limited.ignoredChars > 0)
      parts.push(`the ${limited.ignoredChars} characters past the first ${MAX_QUERY_CHARS} were not read`);
    if (limited.droppedTerms.length > 0)
      parts.push(`${limited.droppedTerms.length} terms past the first ${MAX_QUERY_TERMS} were not applied`);
    if (limited.droppedExclusions.length > 0)
      parts.push(
        `${limited.droppedExclusions.length} exclusions past the first ${MAX_QUERY_EXCLUSIONS} were not applied`,
      );
    if ((limited.uncheckedExclusions?.length ?? 0) > 0)
      parts.push(
        `exclusions held by too many articles to check were not applied: ${limited.uncheckedExclusions!.map((t) => `-${t}`).join(' ')}`,
      ); // `!`: length checked
    if (limited.partial !== undefined)
      parts.push(
        `only the newest ${limited.partial.checked} of ${limited.partial.candidates} candidate articles were checked for the terms, so results may be incomplete`,
      );
    lines.push(`note: the query is past the search limits: ${parts.join('; ')}.`);
  }
  return lines;
}

export function runSearch(dir: string, options: SearchOptions): SearchResponse {
  if (!existsSync(join(dir, SEARCH_INDEX_FILE)))
    throw new SalvageError('INPUT_UNREADABLE', `${dir} has no search index; run salvage index ${dir} first`, {
      subject: dir,
    });
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    const response = search(index, options);
    for (const line of searchWarnings(dir, response)) process.stderr.write(`${line}\n`);
    return response;
  } finally {
    index.close();
  }
}
