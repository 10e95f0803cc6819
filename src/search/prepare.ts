/**
 * One archive file made ready for the index: read and parsed (I/O), then folded and tokenized
 * (pure CPU). Both halves run in build workers, so the main thread only writes SQLite.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArchiveFile } from '../markdown/index.js';
import { SalvageError } from '../errors.js';
import { fold } from './fold.js';
import type { SearchDocument } from './index-db.js';
import { codePointLength, textLevelTokens, titleLevelTokens, tokenCounts } from './relevance.js';
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
  /**
   * Space-separated position-free tokens of `folded`: each distinct unigram token (tokens.ts
   * unigramTokens; the table keeps no positions or counts, so repeats only cost build time) and
   * the count levels of its CJK characters and bigrams (relevance.ts textLevelTokens).
   */
  tokens: string;
  /** Code points of `folded` (BM25's body length). */
  textLength: number;
  /** Space-separated bigram tokens of `folded` (tokens.ts bigramTokens). */
  bigrams: string;
  /** The same two token strings of `titleFolded`. */
  titleTokens: string;
  titleBigrams: string;
  /** The count levels (in `folded`) of the title's own CJK characters and bigrams (relevance.ts titleLevelTokens). */
  titleLevels: string;
}

/**
 * Longest title indexed, in UTF-16 units; the rest is not searchable or shown in results. Real
 * titles are under 200 characters (hkcnews: at most ~80); a 3-million-character title (a file
 * written by an older version or another tool, issue 12) made every result row and page carry it.
 */
export const MAX_INDEXED_TITLE_CHARS = 2_000;
/**
 * Longest body text indexed, in UTF-16 units; text past it is not searchable. The longest
 * hkcnews article is ~60,000 characters; 2,000,000 keeps any real article whole while bounding
 * the tokens (about 3 per character), the stored copy and every substring check of one row.
 */
export const MAX_INDEXED_TEXT_CHARS = 2_000_000;
/**
 * Largest archive file read, in bytes: a larger one is reported and skipped, not read whole.
 * Archive files hold one article (hkcnews: at most ~200 KB); the archive's own page limit is
 * 20 MiB of HTML, whose Markdown is smaller.
 */
export const MAX_INDEXED_FILE_BYTES = 64 * 1024 * 1024;
/** Other metadata fields (author, category, each tag, URLs), in UTF-16 units. */
export const MAX_INDEXED_FIELD_CHARS = 2_000;
/** Tags per article indexed. */
export const MAX_INDEXED_TAGS = 200;

/** `text` cut to `max` UTF-16 units, never between the halves of a surrogate pair. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const unit = text.charCodeAt(max - 1);
  return text.slice(0, unit >= 0xd800 && unit <= 0xdbff ? max - 1 : max);
}

function capOptional(text: string | undefined, max: number): string | undefined {
  return text === undefined ? undefined : cap(text, max);
}

/** A document with every field cut to the index's limits ({@link MAX_INDEXED_TITLE_CHARS} …). */
export function capDocument(doc: SearchDocument): SearchDocument {
  const capped: SearchDocument = {
    ...doc,
    title: cap(doc.title, MAX_INDEXED_TITLE_CHARS),
    text: cap(doc.text, MAX_INDEXED_TEXT_CHARS),
    tags: doc.tags.slice(0, MAX_INDEXED_TAGS).map((t) => cap(t, MAX_INDEXED_FIELD_CHARS)),
  };
  for (const key of ['author', 'category', 'url', 'originalUrl', 'date', 'lastUpdated'] as const) {
    const value = capOptional(doc[key], MAX_INDEXED_FIELD_CHARS);
    if (value !== undefined) capped[key] = value;
  }
  return capped;
}

/** Fold and tokenize a document (its fields cut to the index's limits first, {@link capDocument}). */
export function prepareDocument(input: SearchDocument): PreparedDocument {
  const doc = capDocument(input);
  const titleFolded = fold(doc.title);
  const folded = `${titleFolded}\n${fold(doc.text)}`;
  const counts = tokenCounts(folded);
  return {
    ...doc,
    titleFolded,
    folded,
    tokens: [...new Set(unigramTokens(folded)), ...textLevelTokens(folded, counts)].join(' '),
    textLength: codePointLength(folded),
    bigrams: bigramTokens(folded).join(' '),
    titleTokens: unigramTokens(titleFolded).join(' '),
    titleBigrams: bigramTokens(titleFolded).join(' '),
    titleLevels: titleLevelTokens(titleFolded, folded, counts).join(' '),
  };
}

/** Read and parse one archive file. Throws SalvageError INPUT_INVALID for a file without frontmatter. */
export function readArchiveDocument(dir: string, ref: ArchiveFileRef): SearchDocument {
  const file = join(dir, ref.path);
  const bytes = statSync(file).size;
  if (bytes > MAX_INDEXED_FILE_BYTES) {
    throw new SalvageError(
      'INPUT_INVALID',
      `${ref.path} is ${(bytes / 1048576).toFixed(0)} MiB, more than the ${MAX_INDEXED_FILE_BYTES / 1048576} MiB an archive file may have; not indexed`,
      { subject: ref.path },
    );
  }
  const f = parseArchiveFile(readFileSync(file, 'utf8'), ref.path);
  return {
    id: ref.id,
    path: ref.path,
    mtime: ref.mtime,
    size: ref.size,
    title: f.title,
    tags: f.tags,
    text: f.text,
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
