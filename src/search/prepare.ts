/**
 * One archive file made ready for the index: read and parsed (I/O), then folded and tokenized
 * (pure CPU). Both halves run in build workers, so the main thread only writes SQLite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArchiveFile } from '../markdown/index.js';
import { fold } from './fold.js';
import type { SearchDocument } from './index-db.js';
import { bigramTokens, unigramTokens } from './tokens.js';

/** An archive file the builder has decided to (re)index. */
export interface ArchiveFileRef {
  /** Path relative to the archive folder. */
  path: string;
  id: number;
  mtime: number;
  size: number;
}

/** A document with its folded text and FTS token strings computed. */
export interface PreparedDocument extends SearchDocument {
  titleFolded: string;
  /** fold(title) + "\n" + fold(text): what queries match. */
  folded: string;
  /** Space-separated position-free tokens of `folded` (tokens.ts unigramTokens). */
  tokens: string;
  /** Space-separated bigram tokens of `folded` (tokens.ts bigramTokens). */
  bigrams: string;
  /** The same two token strings of `titleFolded`. */
  titleTokens: string;
  titleBigrams: string;
}

/** Fold and tokenize a document. */
export function prepareDocument(doc: SearchDocument): PreparedDocument {
  const titleFolded = fold(doc.title);
  const folded = `${titleFolded}\n${fold(doc.text)}`;
  return {
    ...doc, titleFolded, folded,
    tokens: unigramTokens(folded).join(' '), bigrams: bigramTokens(folded).join(' '),
    titleTokens: unigramTokens(titleFolded).join(' '), titleBigrams: bigramTokens(titleFolded).join(' '),
  };
}

/** Read and parse one archive file. Throws SalvageError INPUT_INVALID for a file without frontmatter. */
export function readArchiveDocument(dir: string, ref: ArchiveFileRef): SearchDocument {
  const f = parseArchiveFile(readFileSync(join(dir, ref.path), 'utf8'), ref.path);
  return {
    id: ref.id, path: ref.path, mtime: ref.mtime, size: ref.size, title: f.title, tags: f.tags, text: f.text,
    ...(f.date !== undefined ? { date: f.date } : {}),
    ...(f.lastUpdated !== undefined ? { lastUpdated: f.lastUpdated } : {}),
    ...(f.author !== undefined ? { author: f.author } : {}),
    ...(f.category !== undefined ? { category: f.category } : {}),
    ...(f.url !== undefined ? { url: f.url } : {}),
    ...(f.originalUrl !== undefined ? { originalUrl: f.originalUrl } : {}),
  };
}

/** What a worker returns for one file. */
export type PreparedResult = { doc: PreparedDocument } | { path: string; message: string };

/** Read, parse and prepare one file; a file that cannot be parsed is a result, not a throw. */
export function prepareFile(dir: string, ref: ArchiveFileRef): PreparedResult {
  try {
    return { doc: prepareDocument(readArchiveDocument(dir, ref)) };
  } catch (error) {
    return { path: ref.path, message: (error as Error).message };
  }
}
