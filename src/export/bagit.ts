/**
 * The BagIt format (RFC 8493, BagIt 1.0): its tag files, manifest lines and path encoding, and a
 * walk of a folder in one fixed order. What goes into a bag is `bag.ts`'s business; this file
 * only knows how a bag is written down.
 */
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SalvageError } from '../errors.js';
import type { DigestAlgorithm } from './file-hash.js';

/** RFC 8493 §2.1.1: the bag declaration `bagit.txt`, exactly these two lines. */
export const BAG_DECLARATION = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const BAG_DECLARATION_FILE = 'bagit.txt';
export const BAG_INFO_FILE = 'bag-info.txt';
/** RFC 8493 §2.1.2: the payload directory. */
export const PAYLOAD_DIR = 'data';

/**
 * The manifests written, both complete (§3: every payload file in every payload manifest).
 * SHA-512 because RFC 8493 §2.4 says creators SHOULD enable it by default; SHA-256 because it is the
 * digest every other part of salvage records (frontmatter `sha256`, media file names, the dump's
 * manifest), so a bag's listing can be checked against them, and by `sha256sum -c` anywhere.
 */
export const BAG_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

export const manifestFile = (algorithm: DigestAlgorithm): string => `manifest-${algorithm}.txt`;
export const tagManifestFile = (algorithm: DigestAlgorithm): string => `tagmanifest-${algorithm}.txt`;

/** §2.1.3: in a manifest's file paths, CR, LF and `%` (and only those) are percent-encoded. */
const MANIFEST_PATH_ESCAPES = /[\r\n%]/g;
const MANIFEST_PATH_ESCAPED = /%(?:0A|0D|25)/gi;

/** A bag-relative path (`data/articles/…`, `/`-separated) as a manifest writes it. */
export function encodeManifestPath(path: string): string {
  return path.replace(MANIFEST_PATH_ESCAPES, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The inverse of {@link encodeManifestPath}; other `%` sequences are not escapes and stay as written. */
export function decodeManifestPath(encoded: string): string {
  return encoded.replace(MANIFEST_PATH_ESCAPED, (e) => String.fromCharCode(parseInt(e.slice(1), 16)));
}

/** One manifest line: `<hex digest>  <path>` (two spaces, as `sha256sum` writes, so `sha256sum -c` reads it). */
export function manifestLine(digest: string, path: string): string {
  return `${digest}  ${encodeManifestPath(path)}\n`;
}

/** Payload-Oxum (§2.2.2): `<octet count>.<stream count>` of the payload files. */
export function payloadOxum(bytes: number, files: number): string {
  return `${bytes}.${files}`;
}

/** Bag-Size (§2.2.2): the approximate size with an abbreviation, decimal units (`840.2 MB`). */
export function bagSize(bytes: number): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  return `${bytes} B`;
}

/** One `bag-info.txt` element. */
export interface BagInfoEntry {
  label: string;
  value: string;
}

/** §2.2.2: a label is non-empty, without `:`, without leading or trailing white space. */
const BAG_INFO_LABEL = /^[^:\s\p{Cc}](?:[^:\p{Cc}]*[^:\s\p{Cc}])?$/u;
/** A value is one line: folding (continuation lines) is optional and readers unfold it differently. */
const LINE_BREAK = /[\r\n]/;

/** A value made one line: line breaks (and the white space around them) become one space. */
export function oneLine(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * `bag-info.txt`: one `Label: value` line per element, in the order given. Lines are not folded
 * (§2.2.2 only RECOMMENDs 79 characters; bagit-python keeps a folded line's break in the value,
 * others join without it, so a folded value is not read back the same everywhere). Throws
 * SalvageError CONFIG_INVALID for a label §2.2.2 does not allow or a value with a line break
 * (see {@link oneLine}).
 */
export function formatBagInfo(entries: readonly BagInfoEntry[]): string {
  return entries
    .map(({ label, value }) => {
      if (!BAG_INFO_LABEL.test(label))
        throw new SalvageError(
          'CONFIG_INVALID',
          `bag-info label ${JSON.stringify(label)} is not allowed (RFC 8493 §2.2.2: no colon, no leading or trailing space)`,
          { subject: label },
        );
      if (LINE_BREAK.test(value))
        throw new SalvageError('CONFIG_INVALID', `the bag-info value of ${label} must be one line`, { subject: label });
      return `${label}: ${value.trim()}\n`;
    })
    .join('');
}

/**
 * Parse one `--info 'Label: value'` argument (the line as bag-info.txt holds it). Throws
 * SalvageError CONFIG_INVALID when it has no `:` and value, or its label is not allowed.
 */
export function parseBagInfoLine(line: string): BagInfoEntry {
  const at = line.indexOf(':');
  const entry = { label: line.slice(0, Math.max(0, at)).trim(), value: oneLine(line.slice(at + 1)) };
  if (at < 0 || entry.value === '')
    throw new SalvageError('CONFIG_INVALID', `bag-info element ${JSON.stringify(line)} is not "Label: value"`, {
      subject: line,
    });
  formatBagInfo([entry]);
  return entry;
}

/** Sort key of a folder entry: a folder's name with `/`, so a depth-first walk lists paths in byte order. */
const walkKey = (name: string, isDir: boolean): Buffer => Buffer.from(isDir ? `${name}/` : name);

/**
 * The files under `root`, as `/`-separated paths relative to it, in the byte order of their UTF-8
 * paths (`a-b` before `a/b` before `a0`): a depth-first walk sorting each folder's entries, with a
 * folder keyed by its name and `/`. Memory holds one folder listing per level, never the whole
 * list (a bag of 2 million articles lists 2,000 bucket folders of 1,000 files). Anything that is
 * neither a file nor a folder (a symlink, a socket) is an error: a bag holds files.
 */
export function* walkFiles(root: string, rel = ''): Generator<string> {
  const entries = readdirSync(rel === '' ? root : join(root, rel), { withFileTypes: true })
    .map((e) => ({ e, key: walkKey(e.name, e.isDirectory()) }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  for (const { e } of entries) {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) yield* walkFiles(root, child);
    else if (e.isFile()) yield child;
    else
      throw new SalvageError('OUTPUT_FAILED', `${join(root, child)} is neither a file nor a folder`, {
        subject: child,
      });
  }
}

/** Lines buffered before a write: few system calls, bounded memory. */
const FLUSH_CHARS = 1 << 16;

/** A text file written line by line through a small buffer (a manifest of millions of lines). */
export class LineFile {
  readonly #fd: number;
  #buffer = '';

  constructor(path: string) {
    this.#fd = openSync(path, 'wx');
  }

  write(line: string): void {
    this.#buffer += line;
    if (this.#buffer.length >= FLUSH_CHARS) this.#flush();
  }

  close(): void {
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #flush(): void {
    const bytes = Buffer.from(this.#buffer);
    this.#buffer = '';
    for (let at = 0; at < bytes.length;) at += writeSync(this.#fd, bytes, at);
  }
}
