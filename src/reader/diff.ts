/**
 * A readable diff of two versions of an article's plain text, as HTML: paragraphs (lines) are
 * compared first, then characters inside changed paragraphs (Chinese has no spaces, so words are
 * no unit). Long unchanged stretches collapse to "…".
 *
 * jsdiff (`diff` 9, Myers' O(ND) algorithm) does the comparing; its `maxEditLength` bounds the work
 * at O((N+M)·D) per comparison, so two unrelated 20k-character texts take bounded time: past the
 * bound a paragraph pair is shown as removed-then-added instead of character by character.
 */
import { diffArrays, type ChangeObject } from 'diff';
import { escapeHtml } from '../markdown/index.js';

export interface RevisionDiffOptions {
  /** Unchanged paragraphs shown around each change. Default 1. */
  contextParagraphs?: number;
  /** Characters of an unchanged stretch shown at each side of a change before it collapses to "…". Default 40. */
  contextChars?: number;
}

export const DEFAULT_REVISION_DIFF_OPTIONS: Required<RevisionDiffOptions> = { contextParagraphs: 1, contextChars: 40 };

/**
 * Edit bound of the paragraph comparison: at most this many paragraphs removed plus added before
 * the whole text counts as rewritten. Revisions of one story differ by a few paragraphs (HKCNEWS.md).
 */
export const MAX_PARAGRAPH_EDITS = 2000;
/** Edit bound (characters removed plus added) of one paragraph pair's character comparison. */
export const MAX_CHAR_EDITS = 1000;
/**
 * A changed pair is compared character by character only when at least this share of the shorter
 * paragraph survives: below it, interleaved fragments read worse than the two paragraphs whole.
 */
export const MIN_SHARED_RATIO = 0.4;
/**
 * Versions longer than this (characters of plain text, either side) or with more paragraphs than
 * {@link MAX_DIFF_PARAGRAPHS} are not compared: the page says so instead. The paragraph comparison
 * costs O((N+M)·D); the largest hkcnews article is 44,805 characters (2026-12-06), so real
 * revisions are always compared, while a hostile file cannot make one page take seconds.
 */
export const MAX_DIFF_TEXT_CHARS = 100_000;
export const MAX_DIFF_PARAGRAPHS = 5_000;
/**
 * Work allowed to all character comparisons of one diff together, in the O((N+M)·D) bound's
 * units (characters × edit bound): past it, further edited paragraph pairs are shown whole.
 * 20 million is a few hundred milliseconds at worst; a real revision uses a fraction of it.
 */
export const MAX_CHAR_DIFF_WORK = 20_000_000;
/** Shown instead of a diff when a version is past the limits above. */
export const TOO_LONG_HTML = '<p class="diff-skip">版本太長，不作逐字比較。</p>';
const ELLIPSIS = '…';
/** Shown when the texts are identical. */
export const SAME_TEXT_HTML = '<p class="diff-same">兩個版本的文字相同。</p>';

type Op = { kind: 'same' | 'del' | 'ins'; lines: string[] };

/**
 * The changes from `oldText` to `newText` as HTML (escaped): one `<p>` per paragraph, removed text
 * in `<del>`, added text in `<ins>`, collapsed unchanged stretches as `<p class="diff-skip">…</p>`
 * or "…" inside a paragraph. Removed and added whole paragraphs carry `class="diff-del"` /
 * `class="diff-ins"`.
 */
export function revisionDiffHtml(oldText: string, newText: string, options: RevisionDiffOptions = {}): string {
  const { contextParagraphs, contextChars } = { ...DEFAULT_REVISION_DIFF_OPTIONS, ...options };
  if (oldText.length > MAX_DIFF_TEXT_CHARS || newText.length > MAX_DIFF_TEXT_CHARS) return TOO_LONG_HTML;
  const oldLines = paragraphs(oldText);
  const newLines = paragraphs(newText);
  if (oldLines.join('\n') === newLines.join('\n')) return SAME_TEXT_HTML;
  if (oldLines.length > MAX_DIFF_PARAGRAPHS || newLines.length > MAX_DIFF_PARAGRAPHS) return TOO_LONG_HTML;
  const budget = { work: MAX_CHAR_DIFF_WORK };
  const changes = diffArrays(oldLines, newLines, { maxEditLength: MAX_PARAGRAPH_EDITS });
  const ops: Op[] =
    changes === undefined
      ? [
          { kind: 'del', lines: oldLines },
          { kind: 'ins', lines: newLines },
        ]
      : changes.map(toOp);

  const out: string[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!; // i < length
    if (op.kind === 'same') {
      out.push(...unchanged(op.lines, i > 0, i < ops.length - 1, contextParagraphs, contextChars));
      continue;
    }
    // A removal followed by an addition: the paragraphs were edited; pair them in order.
    const next = ops[i + 1];
    if (op.kind === 'del' && next?.kind === 'ins') {
      const pairs = Math.min(op.lines.length, next.lines.length);
      for (let k = 0; k < pairs; k++) out.push(...editedParagraph(op.lines[k]!, next.lines[k]!, contextChars, budget)); // k < both lengths
      for (const line of op.lines.slice(pairs)) out.push(wholeParagraph('del', line));
      for (const line of next.lines.slice(pairs)) out.push(wholeParagraph('ins', line));
      i++;
      continue;
    }
    for (const line of op.lines) out.push(wholeParagraph(op.kind, line));
  }
  return out.join('');
}

function toOp(change: ChangeObject<string[]>): Op {
  return { kind: change.added ? 'ins' : change.removed ? 'del' : 'same', lines: change.value };
}

/** Non-empty lines, without trailing whitespace (the unit of the first comparison). */
function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

/** An unchanged run: its first/last `context` paragraphs next to changes, "…" for the rest. */
function unchanged(
  lines: readonly string[],
  afterChange: boolean,
  beforeChange: boolean,
  context: number,
  contextChars: number,
): string[] {
  const head = afterChange ? lines.slice(0, context) : [];
  const tailStart = Math.max(head.length, beforeChange ? lines.length - context : lines.length);
  const tail = lines.slice(tailStart);
  const out = head.map((l) => `<p>${escapeHtml(clip(l, 'end', contextChars * 2))}</p>`);
  if (tailStart > head.length) out.push(`<p class="diff-skip">${ELLIPSIS}</p>`);
  out.push(...tail.map((l) => `<p>${escapeHtml(clip(l, 'start', contextChars * 2))}</p>`));
  return out;
}

/** `text` shortened to about `max` characters, keeping the side next to the change. */
function clip(text: string, cut: 'start' | 'end', max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max + 1) return text;
  return cut === 'end' ? chars.slice(0, max).join('') + ELLIPSIS : ELLIPSIS + chars.slice(-max).join('');
}

function wholeParagraph(kind: 'del' | 'ins', line: string): string {
  return `<p class="diff-${kind}"><${kind}>${escapeHtml(line)}</${kind}></p>`;
}

/** An edited paragraph: character changes inline, or the two versions whole when little is shared. */
function editedParagraph(oldLine: string, newLine: string, contextChars: number, budget: { work: number }): string[] {
  const a = Array.from(oldLine);
  const b = Array.from(newLine);
  const needShared = MIN_SHARED_RATIO * Math.min(a.length, b.length);
  // The characters two strings have in common (as multisets) bound their longest common
  // subsequence from above: when even that is too small, the O(ND) comparison is skipped.
  if (commonCharacters(a, b) < needShared) return [wholeParagraph('del', oldLine), wholeParagraph('ins', newLine)];
  // Sharing `needShared` characters means at most this many edits: a tighter bound than the cap.
  const maxEditLength = Math.min(MAX_CHAR_EDITS, Math.ceil(a.length + b.length - 2 * needShared));
  const work = (a.length + b.length) * Math.max(1, maxEditLength);
  if (work > budget.work) return [wholeParagraph('del', oldLine), wholeParagraph('ins', newLine)];
  budget.work -= work;
  const changes = diffArrays(a, b, { maxEditLength });
  const shared = changes?.reduce((n, c) => (c.added || c.removed ? n : n + c.value.length), 0) ?? 0;
  if (changes === undefined || shared < needShared) {
    return [wholeParagraph('del', oldLine), wholeParagraph('ins', newLine)];
  }
  let html = '';
  changes.forEach((c, i) => {
    const text = c.value.join('');
    if (c.added) html += `<ins>${escapeHtml(text)}</ins>`;
    else if (c.removed) html += `<del>${escapeHtml(text)}</del>`;
    else {
      const first = i === 0;
      const last = i === changes.length - 1;
      const max = contextChars * (first || last ? 1 : 2);
      html += escapeHtml(
        c.value.length <= max + 1
          ? text
          : first
            ? clip(text, 'start', max)
            : last
              ? clip(text, 'end', max)
              : middle(c.value, contextChars),
      );
    }
  });
  return [`<p>${html}</p>`];
}

/** Size of the multiset intersection of `a` and `b`. */
function commonCharacters(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const c of a) counts.set(c, (counts.get(c) ?? 0) + 1);
  let common = 0;
  for (const c of b) {
    const n = counts.get(c) ?? 0;
    if (n > 0) {
      common++;
      counts.set(c, n - 1);
    }
  }
  return common;
}

/** An unchanged stretch between two changes: its ends, "…" between. */
function middle(chars: readonly string[], keep: number): string {
  return chars.slice(0, keep).join('') + ELLIPSIS + chars.slice(-keep).join('');
}
