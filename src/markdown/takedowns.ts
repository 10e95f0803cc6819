/**
 * Takedowns: articles an archive's keepers removed on request (a person named in it, a court
 * order), listed in `DIR/takedowns.yaml`:
 *
 * ```yaml
 * - id: 18733
 *   date: 2026-12-01          # when it was taken down (YYYY-MM-DD)
 *   reason: 應當事人要求移除   # shown on the tombstone at the article's address
 *   by: 存檔編輯部            # who decided
 *   show_title: false         # optional: the tombstone then names the id only (the title may be what is taken down)
 * ```
 *
 * The article's file stays in the folder (the rescue's evidence is not destroyed); `salvage index`
 * leaves it out of the index and keeps a tombstone instead, so search, browse pages, feeds and the
 * static export no longer show it while its address still answers (410 Gone, with the removal
 * date and reason) and every citation resolves. Dumps (`salvage export`) skip it and list the
 * takedowns in their manifest. Adding one needs only `salvage index`, which removes the article
 * and touches nothing else.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { SalvageError } from '../errors.js';

export const TAKEDOWNS_FILE = 'takedowns.yaml';
/** A takedown list is a few lines per article: past this size the file is not a takedown list. */
const MAX_TAKEDOWNS_BYTES = 4 * 1024 * 1024;
const MAX_TEXT_CHARS = 2000;
const DAY = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;

export interface Takedown {
  id: number;
  /** When it was taken down, YYYY-MM-DD. */
  date: string;
  reason: string;
  by: string;
  /** Whether the tombstone names the article's title and original URL. Default true. */
  showTitle: boolean;
}

/**
 * The takedowns of archive folder `dir`, in file order; none when it has no `takedowns.yaml`.
 * Throws SalvageError CONFIG_INVALID, naming the file, the entry and the field, for a file that is
 * not such a list: a takedown that silently does nothing would leave the article public.
 */
export function readTakedowns(dir: string): Takedown[] {
  const file = join(dir, TAKEDOWNS_FILE);
  if (!existsSync(file)) return [];
  const fail = (message: string): never => {
    throw new SalvageError('CONFIG_INVALID', `${file}: ${message}`, { subject: file });
  };
  if (statSync(file).size > MAX_TAKEDOWNS_BYTES) fail(`larger than ${MAX_TAKEDOWNS_BYTES / 1024 / 1024} MiB`);
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) fail(`not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail('must be a list of takedowns (- id: …, date: …, reason: …, by: …)');
  const seen = new Set<number>();
  return (value as unknown[]).map((entry, i): Takedown => {
    const where = `entry ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return fail(`${where} must be a mapping with id, date, reason and by`);
    const e = entry as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => !['id', 'date', 'reason', 'by', 'show_title'].includes(k));
    if (extra.length > 0) fail(`${where} has an unknown field ${JSON.stringify(extra[0])}`);
    const rawId = e['id'];
    const id = typeof rawId === 'string' && /^\d{1,15}$/.test(rawId.trim()) ? Number(rawId) : rawId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
      fail(`${where}: id must be an article id (a positive whole number)`);
    if (seen.has(id as number)) fail(`${where}: article ${String(id)} is listed twice`);
    seen.add(id as number);
    const text = (field: 'date' | 'reason' | 'by'): string => {
      const v = e[field];
      const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
      if (s === '') fail(`${where} (article ${String(id)}): ${field} is missing`);
      if (s.length > MAX_TEXT_CHARS)
        fail(`${where} (article ${String(id)}): ${field} is over ${MAX_TEXT_CHARS} characters`);
      return s;
    };
    const date = text('date');
    if (!DAY.test(date)) fail(`${where} (article ${String(id)}): date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
    const showTitle = e['show_title'] ?? true;
    if (typeof showTitle !== 'boolean') fail(`${where} (article ${String(id)}): show_title must be true or false`);
    return { id: id as number, date, reason: text('reason'), by: text('by'), showTitle: showTitle as boolean };
  });
}

/**
 * A digest of a takedown list (every field of every entry, in order); '' for no takedowns. The
 * index keeps the digest of the list it applied, so any edit (a new entry, a reason, `show_title`)
 * shows as not applied yet.
 */
export function takedownListHash(list: readonly Takedown[]): string {
  return list.length === 0 ? '' : createHash('sha256').update(JSON.stringify(list)).digest('hex');
}
