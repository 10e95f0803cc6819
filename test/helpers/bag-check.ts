/**
 * A structural check of a BagIt bag written from RFC 8493 (BagIt 1.0) alone, independent of
 * salvage's writer (it imports nothing from src/): is the bag complete (§3: declaration, payload
 * directory, at least one payload manifest, every payload file in every payload manifest, nothing
 * listed that is not there) and valid (every digest of every manifest and tag manifest right), is
 * its Payload-Oxum the payload's octet and stream count (§2.2.2), does every tag manifest cover
 * every tag file, and are paths encoded as §2.1.3 says. Returns the problems found, one line
 * each; an empty list is a valid bag.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** §2.4: the algorithms a bag may name, with their digest length in hex digits. */
const DIGEST_HEX: Record<string, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };
const PAYLOAD_MANIFEST = /^manifest-([a-z0-9]+)\.txt$/;
const TAG_MANIFEST = /^tagmanifest-([a-z0-9]+)\.txt$/;
/** §2.1.3: `checksum` then one or more linear white space characters then `filepath`. */
const MANIFEST_LINE = /^([0-9A-Fa-f]+)[ \t]+(.+)$/;
/** §2.1.1: the declaration's two lines. */
const DECLARATION = /^BagIt-Version: (\d+)\.(\d+)(?:\r\n|\r|\n)Tag-File-Character-Encoding: (\S+)(?:\r\n|\r|\n)?$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Tag files are text in the declared encoding (we only accept UTF-8), lines ended by LF, CR or CRLF. */
function readLines(path: string, problems: string[], name: string): string[] {
  const bytes = readFileSync(path);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    problems.push(`${name}: starts with a byte-order mark`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    problems.push(`${name}: not valid UTF-8`);
    return [];
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** §2.1.3: only `%0D`, `%0A` and `%25` are escapes in a manifest path. */
function decodePath(encoded: string): string {
  return encoded.replace(/%(0D|0A|25)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Every file under `dir` as a `/`-separated path relative to the bag (`data/…`); anything else is a problem. */
function listFiles(bag: string, rel: string, problems: string[], out: Set<string>): void {
  for (const name of readdirSync(join(bag, rel))) {
    const child = `${rel}/${name}`;
    const stat = lstatSync(join(bag, child));
    if (stat.isDirectory()) listFiles(bag, child, problems, out);
    else if (stat.isFile()) out.add(child);
    else problems.push(`${child}: neither a file nor a directory`);
  }
}

function digestOf(path: string, algorithm: string): string {
  return createHash(algorithm).update(readFileSync(path)).digest('hex');
}

/**
 * The entries of one manifest, checked line by line: format, digest length, path encoding, a path
 * inside (payload) or outside (tag) `data/`, no path twice. Returns path → digest.
 */
function readManifest(
  bag: string,
  name: string,
  algorithm: string,
  payload: boolean,
  problems: string[],
): Map<string, string> {
  const entries = new Map<string, string>();
  readLines(join(bag, name), problems, name).forEach((line, i) => {
    const where = `${name}:${i + 1}`;
    const m = MANIFEST_LINE.exec(line);
    if (m === null) return problems.push(`${where}: not "checksum filepath"`);
    const [, digest, encoded] = m as unknown as [string, string, string];
    if (digest.length !== DIGEST_HEX[algorithm])
      problems.push(`${where}: a ${algorithm} digest has ${DIGEST_HEX[algorithm]} hex digits, not ${digest.length}`);
    if (/%(?![0-9A-Fa-f]{2})/.test(encoded) || /%(?!0D|0A|25)[0-9A-Fa-f]{2}/i.test(encoded))
      problems.push(`${where}: "%" not written as %25 (§2.1.3)`);
    const path = decodePath(encoded);
    if (path.startsWith('/') || path.split('/').some((s) => s === '.' || s === '..' || s === ''))
      problems.push(`${where}: ${path} is not a plain relative path`);
    if (payload !== path.startsWith('data/'))
      problems.push(`${where}: ${path} is ${payload ? 'outside' : 'inside'} the payload directory`);
    if (entries.has(path)) problems.push(`${where}: ${path} listed twice`);
    entries.set(path, digest.toLowerCase());
  });
  return entries;
}

/** Labels and values of bag-info.txt (§2.2.2), continuation lines joined with a space. */
export function readBagInfo(bag: string, problems: string[] = []): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const line of readLines(join(bag, 'bag-info.txt'), problems, 'bag-info.txt')) {
    if (/^[ \t]/.test(line) && out.length > 0) out.at(-1)!.value += ` ${line.trim()}`;
    else {
      const at = line.indexOf(':');
      if (at <= 0) problems.push(`bag-info.txt: "${line}" is not "label: value"`);
      else out.push({ label: line.slice(0, at), value: line.slice(at + 1).trim() });
    }
  }
  return out;
}

/** The problems of the bag at `bag` (see the module doc); none for a valid bag. */
export function checkBag(bag: string): string[] {
  const problems: string[] = [];
  if (!existsSync(join(bag, 'bagit.txt'))) return ['bagit.txt: missing (§2.1.1)'];
  const declaration = readLines(join(bag, 'bagit.txt'), problems, 'bagit.txt').join('\n') + '\n';
  const d = DECLARATION.exec(declaration);
  if (d === null) problems.push('bagit.txt: not the two lines BagIt-Version and Tag-File-Character-Encoding');
  else {
    if (`${d[1]}.${d[2]}` !== '1.0') problems.push(`bagit.txt: BagIt-Version ${d[1]}.${d[2]}, not 1.0`);
    if (d[3]!.toUpperCase() !== 'UTF-8') problems.push(`bagit.txt: encoding ${d[3]}, this check reads UTF-8 only`);
  }
  if (!existsSync(join(bag, 'data')) || !lstatSync(join(bag, 'data')).isDirectory())
    return [...problems, 'data/: missing (§2.1.2)'];
  if (existsSync(join(bag, 'fetch.txt'))) problems.push('fetch.txt: the bag is not complete without fetching');

  const payload = new Set<string>();
  listFiles(bag, 'data', problems, payload);
  const top = readdirSync(bag);
  const payloadManifests = top.flatMap((n) => (PAYLOAD_MANIFEST.exec(n) ? [[n, PAYLOAD_MANIFEST.exec(n)![1]!]] : []));
  if (payloadManifests.length === 0) problems.push('no payload manifest (§2.1.3)');
  for (const [name, algorithm] of payloadManifests as [string, string][]) {
    if (!(algorithm in DIGEST_HEX)) {
      problems.push(`${name}: unknown algorithm ${algorithm}`);
      continue;
    }
    const entries = readManifest(bag, name, algorithm, true, problems);
    for (const file of payload)
      if (!entries.has(file))
        problems.push(`${name}: ${file} is not listed (§3: every payload file in every manifest)`);
    for (const [path, digest] of entries) {
      if (!payload.has(path)) problems.push(`${name}: ${path} is listed but not in the payload`);
      else if (digestOf(join(bag, path), algorithm) !== digest)
        problems.push(`${name}: ${path} does not match its ${algorithm}`);
    }
  }

  // Tag files: every file outside data/ but the tag manifests (which cannot list themselves).
  const tagFiles = new Set<string>();
  for (const name of top) {
    if (name === 'data') continue;
    const stat = lstatSync(join(bag, name));
    if (stat.isDirectory()) listFiles(bag, name, problems, tagFiles);
    else if (!TAG_MANIFEST.test(name)) tagFiles.add(name);
  }
  const tagManifests = top.flatMap((n) => (TAG_MANIFEST.exec(n) ? [[n, TAG_MANIFEST.exec(n)![1]!]] : []));
  if (tagManifests.length === 0) problems.push('no tag manifest');
  for (const [name, algorithm] of tagManifests as [string, string][]) {
    if (!(algorithm in DIGEST_HEX)) {
      problems.push(`${name}: unknown algorithm ${algorithm}`);
      continue;
    }
    const entries = readManifest(bag, name, algorithm, false, problems);
    for (const file of tagFiles) if (!entries.has(file)) problems.push(`${name}: tag file ${file} is not listed`);
    for (const [path, digest] of entries) {
      if (!tagFiles.has(path)) problems.push(`${name}: ${path} is listed but is no tag file of the bag`);
      else if (digestOf(join(bag, path), algorithm) !== digest)
        problems.push(`${name}: ${path} does not match its ${algorithm}`);
    }
  }

  if (existsSync(join(bag, 'bag-info.txt'))) {
    const info = readBagInfo(bag, problems);
    const oxum = info.filter((e) => e.label.toLowerCase() === 'payload-oxum');
    let octets = 0;
    for (const file of payload) octets += lstatSync(join(bag, file)).size;
    if (oxum.length !== 1) problems.push(`bag-info.txt: ${oxum.length} Payload-Oxum elements, not 1`);
    else if (oxum[0]!.value !== `${octets}.${payload.size}`)
      problems.push(`bag-info.txt: Payload-Oxum ${oxum[0]!.value}, the payload is ${octets}.${payload.size}`);
    for (const e of info.filter((e) => e.label.toLowerCase() === 'bagging-date'))
      if (!/^\d{4}-\d{2}-\d{2}$/.test(e.value))
        problems.push(`bag-info.txt: Bagging-Date ${e.value} is not YYYY-MM-DD`);
  }
  return problems;
}
