/**
 * An independent structural check of a WACZ, written from the WACZ 1.1.1 specification
 * (https://specs.webrecorder.net/wacz/1.1.1/, "Directory Layout", "Zip Format") and pywb's CDXJ,
 * sharing no code with salvage's writer: the ZIP is read with yauzl (the writer uses yazl), each
 * indexed record is parsed with warcio's WARCParser (salvage reads WARCs with its own reader), and
 * SURT keys are recomputed with warcio's getSurt, the function ReplayWeb.page looks URLs up with.
 *
 * Checks: the layout (datapackage.json, pages/pages.jsonl, WARCs directly in archive/, an index in
 * indexes/); every file listed in datapackage.json with its SHA-256 and size, and no file unlisted
 * but datapackage.json and datapackage-digest.json; the digest file's hash; WARCs stored
 * uncompressed; CDXJ lines well formed, keyed by the URL's SURT and in byte order; each line's
 * offset and length holding exactly one record of the named WARC whose target URI, date, type,
 * status and digest match; pages.jsonl and any other JSONL page list in pages/ (extraPages.jsonl)
 * well formed, no page id in two lists, each page's url and ts found in the index.
 *
 * Run by hand on any WACZ: `node --import tsx test/helpers/wacz-check.ts FILE.wacz`.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { getSurt, WARCParser } from 'warcio';

export interface WaczCheck {
  /** One line per thing wrong; empty for a WACZ that passes. */
  problems: string[];
  files: string[];
  /** CDXJ lines checked against their records. */
  records: number;
  /** Page entries in all the page lists. */
  pages: number;
}

const SHA256 = /^sha256:[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const CDXJ_LINE = /^(\S+) (\d{14}) (\{.*\})$/;
const NUMBER = /^\d+$/;
const ROOT_FILES = new Set(['datapackage.json', 'datapackage-digest.json']);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function hashOf(stream: Readable): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hash: `sha256:${hash.digest('hex')}`, bytes };
}

/** A CDXJ number: pywb writes strings of digits, some writers numbers. */
function cdxNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value);
  return undefined;
}

export async function checkWacz(path: string): Promise<WaczCheck> {
  const problems: string[] = [];
  const zip: ZipFile = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const entries = new Map<string, Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entries.has(entry.fileName)) problems.push(`${entry.fileName} is in the ZIP twice`);
      entries.set(entry.fileName, entry);
    }
    const files = [...entries.keys()].filter((f) => !f.endsWith('/'));
    const open = (name: string, range?: { start: number; end: number }): Promise<Readable> =>
      zip.openReadStreamPromise(entries.get(name)!, range ?? {});
    const text = async (name: string): Promise<string> => (await readAll(await open(name))).toString('utf8');

    // Layout ("Directory Layout", "Other files and directories").
    for (const required of ['datapackage.json', 'pages/pages.jsonl'])
      if (!entries.has(required)) problems.push(`no ${required}`);
    const warcs = files.filter((f) => f.startsWith('archive/'));
    if (warcs.length === 0) problems.push('no WARC in archive/');
    for (const w of warcs) {
      if (w.slice('archive/'.length).includes('/')) problems.push(`${w}: WARCs go directly in archive/`);
      if (!/\.warc(?:\.gz)?$/.test(w)) problems.push(`${w}: not named .warc or .warc.gz`);
      // "Zip Compression": archive files STORED, so a record is read at its offset.
      if (entries.get(w)!.compressionMethod !== 0) problems.push(`${w}: compressed in the ZIP (must be STORED)`);
    }
    const indexes = files.filter((f) => f.startsWith('indexes/'));
    const cdxjFiles = indexes.filter((f) => /\.cdxj?$/.test(f));
    const idxFiles = indexes.filter((f) => f.endsWith('.idx'));
    if (cdxjFiles.length === 0 && idxFiles.length === 0) problems.push('no CDXJ or ZipNum index in indexes/');
    for (const f of indexes)
      if (!/\.(?:cdxj?|idx|cdx\.gz)$/.test(f))
        problems.push(`${f}: not an index this check knows (.cdx, .cdxj, .idx, .cdx.gz)`);

    // datapackage.json: every file listed, with its hash and size.
    let packageBytes: Buffer = Buffer.alloc(0);
    if (entries.has('datapackage.json')) {
      packageBytes = await readAll(await open('datapackage.json'));
      let pkg: Record<string, unknown> = {};
      try {
        pkg = JSON.parse(packageBytes.toString('utf8')) as Record<string, unknown>;
      } catch (error) {
        problems.push(`datapackage.json is not JSON: ${(error as Error).message}`);
      }
      if (pkg['profile'] !== 'data-package') problems.push('datapackage.json: profile is not "data-package"');
      if (pkg['wacz_version'] !== '1.1.1') problems.push('datapackage.json: wacz_version is not "1.1.1"');
      for (const field of ['title', 'software'])
        if (typeof pkg[field] !== 'string' || pkg[field] === '') problems.push(`datapackage.json: no ${field}`);
      if (typeof pkg['created'] !== 'string' || !RFC3339.test(pkg['created']))
        problems.push('datapackage.json: created is not an RFC 3339 time');
      const resources = Array.isArray(pkg['resources']) ? (pkg['resources'] as Record<string, unknown>[]) : [];
      if (!Array.isArray(pkg['resources'])) problems.push('datapackage.json: no resources list');
      const listed = new Set<string>();
      for (const r of resources) {
        const p = r['path'];
        if (typeof p !== 'string' || typeof r['name'] !== 'string') {
          problems.push(`datapackage.json: a resource without name or path: ${JSON.stringify(r)}`);
          continue;
        }
        if (listed.has(p)) problems.push(`datapackage.json lists ${p} twice`);
        listed.add(p);
        if (typeof r['hash'] !== 'string' || !SHA256.test(r['hash'])) problems.push(`${p}: hash is not sha256:<hex>`);
        if (!Number.isSafeInteger(r['bytes'])) problems.push(`${p}: bytes is not a whole number`);
        if (!entries.has(p)) {
          problems.push(`${p} is listed in datapackage.json but not in the ZIP`);
          continue;
        }
        const got = await hashOf(await open(p));
        if (got.hash !== r['hash'])
          problems.push(`${p}: sha256 ${got.hash}, datapackage.json says ${String(r['hash'])}`);
        if (got.bytes !== r['bytes'])
          problems.push(`${p}: ${got.bytes} bytes, datapackage.json says ${String(r['bytes'])}`);
      }
      for (const f of files)
        if (!listed.has(f) && !ROOT_FILES.has(f)) problems.push(`${f} is in the ZIP but not in datapackage.json`);
    }
    if (entries.has('datapackage-digest.json')) {
      const digest = JSON.parse(await text('datapackage-digest.json')) as { path?: unknown; hash?: unknown };
      const want = `sha256:${createHash('sha256').update(packageBytes).digest('hex')}`;
      if (digest.path !== 'datapackage.json') problems.push('datapackage-digest.json: path is not "datapackage.json"');
      if (digest.hash !== want)
        problems.push(`datapackage-digest.json: hash ${String(digest.hash)}, the file's is ${want}`);
    }

    // The index: well formed, SURT-keyed, in byte order, each line resolving to its record.
    const indexed = new Set<string>();
    let records = 0;
    const sources: { name: string; lines: string[] }[] = [];
    for (const name of cdxjFiles) {
      const lines = (await text(name)).split('\n');
      if (lines.at(-1) === '') lines.pop();
      sources.push({ name, lines });
    }
    for (const name of idxFiles) {
      const zipNum = await zipNumLines(name, await text(name), entries, open, problems);
      if (zipNum !== undefined) sources.push(zipNum);
    }
    for (const { name, lines } of sources) {
      let previous: Buffer | undefined;
      for (const [i, line] of lines.entries()) {
        const where = `${name} line ${i + 1}`;
        const bytes = Buffer.from(line, 'utf8');
        if (previous !== undefined && Buffer.compare(previous, bytes) > 0) problems.push(`${where}: out of order`);
        if (previous !== undefined && previous.equals(bytes)) problems.push(`${where}: the line before, again`);
        previous = bytes;
        const m = CDXJ_LINE.exec(line);
        if (m === null) {
          problems.push(`${where}: not "<SURT> <14 digits> {json}"`);
          continue;
        }
        let fields: Record<string, unknown>;
        try {
          fields = JSON.parse(m[3]!) as Record<string, unknown>;
        } catch {
          problems.push(`${where}: its JSON does not parse`);
          continue;
        }
        const url = fields['url'];
        const offset = cdxNumber(fields['offset']);
        const length = cdxNumber(fields['length']);
        const filename = fields['filename'];
        if (typeof url !== 'string' || offset === undefined || length === undefined || typeof filename !== 'string') {
          problems.push(`${where}: url, offset, length and filename are required`);
          continue;
        }
        if (getSurt(url) !== m[1]) problems.push(`${where}: key ${m[1]} is not the SURT of ${url} (${getSurt(url)})`);
        indexed.add(`${url} ${m[2]}`);
        const warc = `archive/${filename}`;
        if (!entries.has(warc)) {
          problems.push(`${where}: ${warc} is not in the ZIP`);
          continue;
        }
        // A deflated WARC (reported above) has no byte ranges to read records from.
        if (entries.get(warc)!.compressionMethod !== 0) continue;
        const size = entries.get(warc)!.uncompressedSize;
        if (length === 0 || offset + length > size) {
          problems.push(`${where}: ${offset}+${length} is outside ${warc} (${size} bytes)`);
          continue;
        }
        records++;
        const problem = await checkRecord(
          await open(warc, { start: offset, end: offset + length }),
          offset + length === size
            ? undefined
            : await readAll(await open(warc, { start: offset + length, end: Math.min(size, offset + length + 5) })),
          { url, timestamp: m[2]!, fields },
        );
        if (problem !== undefined) problems.push(`${where}: ${warc}@${offset}: ${problem}`);
      }
    }

    // pages.jsonl ("pages.jsonl"): a header, then url and RFC 3339 ts on every line; other JSONL
    // files in pages/ ("e.g. extraPages.jsonl") in the same format. A page id listed twice across them is a problem.
    let pages = 0;
    const ids = new Set<string>();
    for (const list of files.filter((f) => /^pages\/[^/]+\.jsonl$/.test(f))) {
      const lines = (await text(list)).split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (const [i, line] of lines.entries()) {
        const where = `${list} line ${i + 1}`;
        let page: Record<string, unknown>;
        try {
          page = JSON.parse(line) as Record<string, unknown>;
        } catch {
          problems.push(`${where}: not JSON`);
          continue;
        }
        if (i === 0) {
          if (page['format'] !== 'json-pages-1.0' || typeof page['id'] !== 'string')
            problems.push(`${where}: not a json-pages-1.0 header`);
          continue;
        }
        pages++;
        const { url, ts } = page;
        if (typeof url !== 'string' || typeof ts !== 'string' || !RFC3339.test(ts)) {
          problems.push(`${where}: url and an RFC 3339 ts are required`);
          continue;
        }
        for (const field of ['title', 'text', 'id'])
          if (field in page && typeof page[field] !== 'string') problems.push(`${where}: ${field} is not a string`);
        if (typeof page['id'] === 'string') {
          if (ids.has(page['id'])) problems.push(`${where}: page id ${page['id']} is listed twice`);
          ids.add(page['id']);
        }
        const ts14 = new Date(ts).toISOString().replace(/[-:T]/g, '').slice(0, 14);
        if (!indexed.has(`${url} ${ts14}`)) problems.push(`${where}: ${ts14} ${url} is not in the index`);
      }
    }
    return { problems, files, records, pages };
  } finally {
    zip.close();
  }
}

/**
 * The CDXJ lines of a ZipNum index (pywb's "ZipNum Sharded Index", as py-wacz writes it for
 * WACZ): the `.idx` block list (an optional `!meta 0 {…}` line naming the default `filename`, then
 * `<key> {offset, length[, filename]}` per block, in order) over gzip blocks in `indexes/`, which
 * must be STORED (read by range) and follow each other with no gap. Each block inflates to CDXJ
 * lines, the first starting with the block's key. Undefined (problems noted) when unreadable.
 */
async function zipNumLines(
  name: string,
  idx: string,
  entries: Map<string, Entry>,
  open: (name: string, range?: { start: number; end: number }) => Promise<Readable>,
  problems: string[],
): Promise<{ name: string; lines: string[] } | undefined> {
  const rows = idx.split('\n').filter((l) => l !== '');
  let defaultFile: string | undefined;
  if (rows[0]?.startsWith('!meta')) {
    const metaRow = rows.shift()!;
    const meta = JSON.parse(metaRow.slice(metaRow.indexOf(' {') + 1)) as { filename?: string; format?: string };
    if (meta.format !== 'cdxj-gzip-1.0') problems.push(`${name}: !meta format is not cdxj-gzip-1.0`);
    defaultFile = meta.filename;
  }
  const lines: string[] = [];
  const nextOffset = new Map<string, number>();
  let previousKey = '';
  for (const [i, row] of rows.entries()) {
    const where = `${name} block ${i + 1}`;
    const at = row.indexOf(' {');
    if (at < 0) {
      problems.push(`${where}: not "<key> {json}"`);
      return undefined;
    }
    const key = row.slice(0, at);
    if (Buffer.compare(Buffer.from(previousKey), Buffer.from(key)) > 0) problems.push(`${where}: out of order`);
    previousKey = key;
    const fields = JSON.parse(row.slice(at + 1)) as { offset?: unknown; length?: unknown; filename?: unknown };
    const file = `indexes/${typeof fields.filename === 'string' ? fields.filename : (defaultFile ?? '')}`;
    const offset = cdxNumber(fields.offset);
    const length = cdxNumber(fields.length);
    const entry = entries.get(file);
    if (entry === undefined || offset === undefined || length === undefined || length === 0) {
      problems.push(`${where}: no block ${file}@${String(offset)}+${String(length)}`);
      return undefined;
    }
    if (entry.compressionMethod !== 0) {
      problems.push(`${file}: compressed in the ZIP (must be STORED)`);
      return undefined;
    }
    if ((nextOffset.get(file) ?? 0) !== offset)
      problems.push(`${where}: starts at ${offset}, the previous block ends at ${nextOffset.get(file) ?? 0}`);
    nextOffset.set(file, offset + length);
    let block: string;
    try {
      block = gunzipSync(await readAll(await open(file, { start: offset, end: offset + length }))).toString('utf8');
    } catch (error) {
      problems.push(`${where}: ${file}@${offset}+${length} is not a gzip block (${(error as Error).message})`);
      return undefined;
    }
    const blockLines = block.split('\n');
    if (blockLines.at(-1) === '') blockLines.pop();
    if (!blockLines[0]?.startsWith(`${key} `) && !blockLines[0]?.startsWith(`${key} {`))
      problems.push(`${where}: key ${key} is not its first line's`);
    lines.push(...blockLines);
  }
  for (const [file, end] of nextOffset)
    if (end !== entries.get(file)!.uncompressedSize)
      problems.push(`${file}: ${entries.get(file)!.uncompressedSize - end} bytes after the last block`);
  return { name: `${name} (ZipNum)`, lines };
}

/**
 * The bytes of one index line hold exactly one WARC record (`after`: the next bytes of the file,
 * which must start the next record) matching the line. Undefined when they do.
 */
async function checkRecord(
  bytes: Readable,
  after: Buffer | undefined,
  line: { url: string; timestamp: string; fields: Record<string, unknown> },
): Promise<string | undefined> {
  const raw = await readAll(bytes);
  const gzipped = raw[0] === 0x1f && raw[1] === 0x8b;
  if (after !== undefined && after.length > 0) {
    const next = gzipped ? after[0] === 0x1f && after[1] === 0x8b : after.toString('latin1').startsWith('WARC/');
    if (!next) return 'the bytes after it do not start a record (length or offset wrong)';
  }
  const parsed: { type: string; uri: string; date: string; status: number | undefined; digest: string | null }[] = [];
  try {
    for await (const record of new WARCParser(Readable.from([raw]))) {
      await record.readFully();
      parsed.push({
        type: record.warcType ?? '',
        uri: record.warcTargetURI ?? '',
        date: record.warcDate ?? '',
        status: record.httpHeaders?.statusCode === undefined ? undefined : Number(record.httpHeaders.statusCode),
        digest: record.warcPayloadDigest ?? null,
      });
    }
  } catch (error) {
    return `not a WARC record (${(error as Error).message})`;
  }
  if (parsed.length !== 1) return `${parsed.length} records where one was expected`;
  const r = parsed[0]!;
  if (r.type !== 'response' && r.type !== 'revisit') return `a ${r.type} record`;
  if (r.uri !== line.url) return `WARC-Target-URI ${r.uri}, the index says ${line.url}`;
  const ts = r.date.replace(/[-:T]/g, '').slice(0, 14);
  if (ts !== line.timestamp) return `WARC-Date ${r.date}, the index says ${line.timestamp}`;
  const { mime, status, digest } = line.fields;
  const shown = (v: unknown): string => JSON.stringify(v) ?? 'nothing';
  if ((mime === 'warc/revisit') !== (r.type === 'revisit')) return `a ${r.type} record indexed as ${shown(mime)}`;
  if (status !== undefined && cdxNumber(status) !== r.status)
    return `HTTP ${r.status}, the index says ${shown(status)}`;
  // A bare CDX digest is SHA-1 in base 32 by convention (pywb); any other algorithm must be named.
  if (
    digest !== undefined &&
    r.digest !== null &&
    digest !== r.digest &&
    `sha1:${shown(digest).slice(1, -1)}` !== r.digest
  )
    return `payload digest ${r.digest}, the index says ${shown(digest)}`;
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node --import tsx test/helpers/wacz-check.ts FILE.wacz\n');
    process.exit(2);
  }
  const result = await checkWacz(file);
  for (const p of result.problems) process.stdout.write(`${p}\n`);
  process.stdout.write(
    `${result.files.length} files, ${result.records} index lines checked against their records, ${result.pages} pages: ${result.problems.length} problems\n`,
  );
  process.exit(result.problems.length === 0 ? 0 : 1);
}
