/** `salvage import`, `salvage index`, `salvage search`: thin wiring of markdown and search. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importArchive, readTakedowns, takedownListHash, TAKEDOWNS_FILE, type Takedown } from '../markdown/index.js';
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
import { prunePageStore } from '../reader/index.js';

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
  // Pages the reader rendered from earlier versions of the index are never served again: drop them.
  const index = SearchIndex.openDir(dir, { readonly: true });
  const generation = index.generation();
  index.close();
  prunePageStore(dir, generation);
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

/** What differs between `takedowns.yaml` and the takedowns the index applied, in one line; undefined when they agree. */
export function takedownsPending(dir: string, index: SearchIndex): string | undefined {
  let list: Takedown[];
  try {
    list = readTakedowns(dir);
  } catch (error) {
    return `${(error as Error).message}; the takedowns the index applied stay in force`;
  }
  if (takedownListHash(list) === index.takedownListHash()) return undefined;
  const listed = list.map((t) => t.id);
  const applied = new Set(index.takedowns().map((t) => t.id));
  const missing = listed.filter((id) => !applied.has(id));
  const lifted = [...applied].filter((id) => !listed.includes(id));
  const parts = [
    ...(missing.length > 0
      ? [`${missing.length} takedown(s) not applied yet (article ${missing.slice(0, 5).join(', ')})`]
      : []),
    ...(lifted.length > 0
      ? [`${lifted.length} lifted takedown(s) still applied (article ${lifted.slice(0, 5).join(', ')})`]
      : []),
  ];
  // Same ids, other fields: a reason, a date or show_title edited since the index applied them.
  if (parts.length === 0) parts.push(`${TAKEDOWNS_FILE} was edited since salvage index applied it`);
  return `${parts.join('; ')}: run salvage index ${dir}`;
}

/**
 * Refuse to publish (a static export, pre-rendered pages) while `takedowns.yaml` and the index
 * disagree: the output would show articles taken down since the last `salvage index`.
 */
export function requireTakedownsApplied(dir: string): void {
  if (!existsSync(join(dir, SEARCH_INDEX_FILE))) return; // the command's own check says what is missing
  const index = SearchIndex.openDir(dir, { readonly: true });
  try {
    const pending = takedownsPending(dir, index);
    if (pending !== undefined) throw new SalvageError('CONFIG_INVALID', pending, { subject: dir });
  } finally {
    index.close();
  }
}
