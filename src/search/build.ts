/**
 * `salvage index DIR`: every archive file of a folder into its search index. Incremental: a file
 * whose path, mtime and size the index already has is not read again; files gone from the folder
 * leave the index.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArchiveFile } from '../markdown/index.js';
import { SearchIndex, type SearchDocument } from './index-db.js';

const ARTICLE_FILE = /^article_([1-9]\d{0,14})\.md$/;

export interface BuildOptions {
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildProgress {
  seen: number;
  indexed: number;
  unchanged: number;
  removed: number;
  failed: { path: string; message: string }[];
}

/** Relative paths of every `articles/<bucket>/article_<id>.md`, with their id, in bucket order. */
function* archiveFiles(dir: string): Generator<{ path: string; id: number }> {
  let buckets: string[];
  try {
    buckets = readdirSync(join(dir, 'articles')).sort();
  } catch {
    return;
  }
  for (const bucket of buckets) {
    let names: string[];
    try {
      names = readdirSync(join(dir, 'articles', bucket)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const m = ARTICLE_FILE.exec(name);
      if (m) yield { path: join('articles', bucket, name), id: Number(m[1]) };
    }
  }
}

/** Build or update `DIR/search.sqlite`. A file that cannot be parsed is reported, not fatal. */
export function buildIndex(dir: string, options: BuildOptions = {}): BuildProgress {
  const index = SearchIndex.openDir(dir);
  const progress: BuildProgress = { seen: 0, indexed: 0, unchanged: 0, removed: 0, failed: [] };
  try {
    const present = new Set<string>();
    const changed = function* (): Generator<SearchDocument> {
      for (const { path, id } of archiveFiles(dir)) {
        progress.seen++;
        present.add(path);
        const full = join(dir, path);
        const st = statSync(full);
        if (index.has(path, st.mtimeMs, st.size)) { progress.unchanged++; continue; }
        try {
          const f = parseArchiveFile(readFileSync(full, 'utf8'), path);
          progress.indexed++;
          if (progress.seen % 1000 === 0) options.onProgress?.(progress);
          yield {
            id, path, mtime: st.mtimeMs, size: st.size, title: f.title, tags: f.tags, text: f.text,
            ...(f.date !== undefined ? { date: f.date } : {}),
            ...(f.lastUpdated !== undefined ? { lastUpdated: f.lastUpdated } : {}),
            ...(f.author !== undefined ? { author: f.author } : {}),
            ...(f.category !== undefined ? { category: f.category } : {}),
            ...(f.url !== undefined ? { url: f.url } : {}),
            ...(f.originalUrl !== undefined ? { originalUrl: f.originalUrl } : {}),
          };
        } catch (error) {
          progress.failed.push({ path, message: (error as Error).message });
        }
      }
    };
    index.upsertMany(changed());
    for (const entry of index.entries()) {
      if (present.has(entry.path)) continue;
      index.remove(entry.id);
      progress.removed++;
    }
    options.onProgress?.(progress);
    return progress;
  } finally {
    index.close();
  }
}
