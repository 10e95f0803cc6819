/**
 * Importing an existing archive (a folder of `article_<id>.md` files, or the `{"id","path","raw"}`
 * JSON-lines dump of one) as an archive folder: each file written unchanged to
 * `articles/<lo>-<hi>/article_<id>.md`, so the old archive can be indexed and served as it is.
 */
import { createReadStream } from 'node:fs';
import { mkdir, opendir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { SalvageError, isSalvageError } from '../errors.js';
import { articlePath, processAlive, writeFileAtomic } from './write.js';

export interface ImportOptions {
  /** Called after each file written, with the number written so far. Default: none. */
  onProgress?: (n: number) => void;
  /**
   * Files written at the same time. Default DEFAULT_IMPORT_CONCURRENCY (16): enough to hide
   * rename/open latency on a local disk; memory stays bounded by this many files' text.
   */
  concurrency?: number;
  /**
   * Told about each temporary file that an interrupted earlier run left in `outDir` and that was
   * removed before this one (only those of processes no longer running). Default: none.
   */
  onLeftover?: (leftover: { path: string; pid: number }) => void;
}

export interface ImportResult {
  /** Files written. */
  files: number;
  /** Inputs not written, each with why (hostile or non-numeric id, bad JSON line, duplicate id, …). */
  skipped: { path: string; reason: string }[];
}

/** Concurrent writes by default (see ImportOptions.concurrency). */
export const DEFAULT_IMPORT_CONCURRENCY = 16;
/** `article_<id>.md`: what a folder walk picks up (any id; non-numeric ones are reported as skipped). */
const ARTICLE_FILE = /^article_(.*)\.md$/;
/**
 * writeFileAtomic's temporary files (`.<pid>.<n>.tmp`, src/markdown/write.ts), with the pid: a
 * run killed between writing one and renaming it leaves it in the bucket folder.
 */
const TEMP_FILE = /^\.([1-9]\d{0,9})\.\d+\.tmp$/;
/** The same check as articlePath: a positive integer of at most 15 digits. */
const SAFE_ID = /^[1-9]\d{0,14}$/;

interface Item {
  /** Where the item came from, for skip reports (`file.jsonl:12` or a file path). */
  where: string;
  id: string;
  /** The text, or a function reading the bytes (folder input). */
  data: string | (() => Promise<Uint8Array>);
  /** The record's own `path` field (JSON lines), checked against the id. */
  claimedPath?: string;
}

type Skip = { path: string; reason: string };

/**
 * Lay out an existing archive under `outDir` (created if needed). `source` is a folder (searched
 * recursively for `article_<id>.md`, symlinks not followed) or a `.jsonl` / `.jsonl.gz` file of
 * `{"id","path","raw"}` lines, streamed. Each file is written byte for byte, atomically; ids that
 * are not positive integers, records whose `path` disagrees with their id, bad JSON lines and
 * repeated ids are skipped with a reason. Running it again rewrites the same files.
 *
 * Throws SalvageError INPUT_UNREADABLE (source missing or unreadable, corrupt gzip), INPUT_INVALID
 * (source is neither a folder nor a .jsonl/.jsonl.gz file), OUTPUT_FAILED (a write failed).
 *
 * @example await importArchive('hkcnews.jsonl.gz', 'hkcnews-archive', { onProgress: (n) => … })
 */
export async function importArchive(
  source: string,
  outDir: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { onProgress, concurrency = DEFAULT_IMPORT_CONCURRENCY } = options;
  let info;
  try {
    info = await stat(source);
  } catch (error) {
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `cannot read ${source}: ${(error as Error).message}; give a folder of article_<id>.md files or a .jsonl/.jsonl.gz file`,
      { cause: error, subject: source },
    );
  }
  await checkOutput(source, info.isDirectory(), outDir);
  let items: AsyncIterable<Item | Skip>;
  if (info.isDirectory()) items = walkFolder(source, resolve(outDir));
  else if (/\.jsonl(?:\.gz)?$/i.test(source)) items = readJsonLines(source);
  else
    throw new SalvageError('INPUT_INVALID', `${source} is neither a folder nor a .jsonl/.jsonl.gz file`, {
      subject: source,
    });

  await mkdir(outDir, { recursive: true });
  for (const leftover of await removeDeadTempFiles(outDir)) options.onLeftover?.(leftover);
  const skipped: Skip[] = [];
  const seen = new Set<number>();
  const pending = new Set<Promise<void>>();
  let files = 0;
  let failure: unknown;

  const write = async (item: Item, target: string): Promise<void> => {
    const data = typeof item.data === 'string' ? item.data : await item.data();
    await writeFileAtomic(target, data);
    files++;
    onProgress?.(files);
  };

  try {
    for await (const item of items) {
      if (failure !== undefined) break;
      if (!('id' in item)) {
        skipped.push(item);
        continue;
      }
      const reason = checkItem(item, seen);
      if (reason !== undefined) {
        skipped.push({ path: item.where, reason });
        continue;
      }
      const task = write(item, join(outDir, articlePath(item.id))).then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = task.finally(() => pending.delete(tracked));
      pending.add(tracked);
      while (pending.size >= Math.max(1, concurrency)) await Promise.race(pending);
    }
  } catch (error) {
    await Promise.all(pending);
    if (isSalvageError(error)) throw error;
    throw new SalvageError('INPUT_UNREADABLE', `could not read ${source}: ${(error as Error).message}`, {
      cause: error,
      subject: source,
    });
  }
  await Promise.all(pending);
  if (failure !== undefined) {
    if (isSalvageError(failure)) throw failure;
    throw new SalvageError(
      'INPUT_UNREADABLE',
      `could not read an input file under ${source}: ${(failure as Error).message}`,
      { cause: failure, subject: source },
    );
  }
  return { files, skipped };
}

/** `path` with symlinks resolved; for a path that does not exist yet, its nearest existing ancestor's real path plus the rest. */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  let head = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...rest.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      rest.push(basename(head));
      head = parent;
    }
  }
}

/** Whether `child` is `parent` or inside it (both absolute, symlinks resolved). */
export const within = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/**
 * Refuse an output that would overwrite or swallow the source (issue 12: \`--out\` equal to the
 * source was accepted): a folder source equal to \`outDir\` or inside \`outDir/articles\` (where the
 * files are written), a file source equal to \`outDir\`, an \`outDir\` that is an existing file.
 * An output folder inside a source folder stays allowed: the walk does not enter it.
 */
async function checkOutput(source: string, sourceIsFolder: boolean, outDir: string): Promise<void> {
  const [src, out] = await Promise.all([realPathOf(source), realPathOf(outDir)]);
  const refuse = (why: string): never => {
    throw new SalvageError('CONFIG_INVALID', `--out ${outDir} ${why}; choose an output folder outside the source`, {
      subject: outDir,
    });
  };
  if (src === out) refuse(`is the source ${source} itself`);
  if (sourceIsFolder && within(src, join(out, 'articles')))
    refuse(`would write over the source ${source} (it is inside ${join(outDir, 'articles')})`);
  try {
    if (!(await stat(out)).isDirectory()) refuse('is an existing file, not a folder');
  } catch (error) {
    if (isSalvageError(error)) throw error;
    // does not exist yet: created below
  }
}

/**
 * Remove writeFileAtomic temporary files of dead processes from the bucket folders of
 * `outDir/articles` (a live pid may be another import writing there: its files are kept).
 */
async function removeDeadTempFiles(outDir: string): Promise<{ path: string; pid: number }[]> {
  const removed: { path: string; pid: number }[] = [];
  let buckets: string[];
  try {
    buckets = await readdir(join(outDir, 'articles'));
  } catch {
    return removed;
  }
  for (const bucket of buckets) {
    let names: string[];
    try {
      names = await readdir(join(outDir, 'articles', bucket));
    } catch {
      continue; // not a folder
    }
    for (const name of names) {
      const pid = Number(TEMP_FILE.exec(name)?.[1]);
      if (!Number.isSafeInteger(pid) || processAlive(pid)) continue;
      const path = join(outDir, 'articles', bucket, name);
      if (!(await stat(path)).isFile()) continue;
      await rm(path, { force: true });
      removed.push({ path, pid });
    }
  }
  return removed;
}

/** Why an item is not written, or undefined when it is fine (records its id as seen). */
function checkItem(item: Item, seen: Set<number>): string | undefined {
  if (!SAFE_ID.test(item.id)) return `id ${JSON.stringify(item.id.slice(0, 40))} is not a positive integer`;
  if (item.claimedPath !== undefined) {
    const expected = articlePath(item.id).split(sep).join('/');
    const claimed = item.claimedPath.replace(/\\/g, '/').replace(/^\.\//, '');
    if (claimed !== expected)
      return `path ${JSON.stringify(item.claimedPath.slice(0, 120))} does not match id ${item.id} (expected ${expected})`;
  }
  const n = Number(item.id);
  if (seen.has(n)) return `id ${item.id} appears again; the first file was kept`;
  seen.add(n);
  return undefined;
}

/** Every `article_<id>.md` below `root`, in directory order; `skipDir` (the output) is not entered. */
async function* walkFolder(root: string, skipDir: string): AsyncGenerator<Item | Skip> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!; // non-empty: checked by the loop condition
    if (resolve(dir) === skipDir) continue;
    const subdirs: string[] = [];
    const handle = await opendir(dir);
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) subdirs.push(path);
      else if (entry.isFile()) {
        const m = ARTICLE_FILE.exec(entry.name);
        if (m !== null) yield { where: relative(root, path) || basename(path), id: m[1]!, data: () => readFile(path) };
      }
    }
    stack.push(...subdirs.sort().reverse());
  }
}

/** `{"id","path","raw"}` per line, streamed (gunzipped when the name ends in `.gz`). */
async function* readJsonLines(file: string): AsyncGenerator<Item | Skip> {
  const input = createReadStream(file);
  const stream = /\.gz$/i.test(file) ? input.pipe(createGunzip()) : input;
  // pipe() does not forward errors: a read error on the file must still end the iteration.
  if (stream !== input) input.on('error', (error) => stream.destroy(error));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const name = basename(file);
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const where = `${name}:${lineNo}`;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        yield { path: where, reason: `not a JSON line (${(error as Error).message})` };
        continue;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        yield { path: where, reason: 'not a JSON object' };
        continue;
      }
      const { id, path, raw } = record as Record<string, unknown>;
      const idText = typeof id === 'number' ? String(id) : typeof id === 'string' ? id : undefined;
      if (idText === undefined) {
        yield { path: where, reason: 'no "id" string or number' };
        continue;
      }
      if (typeof raw !== 'string') {
        yield { path: where, reason: `no "raw" text for id ${JSON.stringify(idText.slice(0, 40))}` };
        continue;
      }
      const item: Item = {
        where: typeof path === 'string' ? `${where} (${path.slice(0, 120)})` : where,
        id: idText,
        data: raw,
      };
      if (path !== undefined) {
        if (typeof path !== 'string') {
          yield { path: where, reason: '"path" is not a string' };
          continue;
        }
        item.claimedPath = path;
      }
      yield item;
    }
  } finally {
    lines.close();
    stream.destroy();
    input.destroy();
  }
}
