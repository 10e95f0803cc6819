/**
 * What a WACZ holds, read for the mirror's replay before it is published: that it is a WACZ
 * (a ZIP with `datapackage.json`, an index under `indexes/` and WARCs under `archive/`: WACZ
 * 1.1.1 "Directory Layout"), and the original URL of every capture its index lists. The index is
 * streamed line by line from the ZIP (a plain `.cdx`/`.cdxj`, or the gzip members of a ZipNum
 * `.cdx.gz`), so a WACZ of any size is read in constant memory. yauzl reads the ZIP: a
 * maintained reader of the central directory (ZIP64 included) that opens one entry as a stream.
 */
import { createInterface } from 'node:readline';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { SalvageError } from '../errors.js';
import { undeclaredGzip } from '../store/index.js';

/** Index entries a WACZ may have (WACZ 1.1.1 "indexes/"): CDXJ, plain or as gzip members (ZipNum). */
const INDEX_ENTRY = /^indexes\/[^/]+\.(?:cdxj?|cdxj?\.gz)$/;
const DATAPACKAGE = 'datapackage.json';
const ARCHIVE_ENTRY = /^archive\/[^/]+\.warc(?:\.gz)?$/;

/** The URL of one index line: CDXJ `<surt> <timestamp> {"url": …}`, or a classic CDX line (its third field). */
export function cdxLineUrl(line: string): string | undefined {
  const first = line.indexOf(' ');
  const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
  if (second < 0) return undefined;
  const rest = line.slice(second + 1);
  if (rest.startsWith('{')) {
    try {
      const url = (JSON.parse(rest) as { url?: unknown }).url;
      return typeof url === 'string' ? url : undefined;
    } catch {
      return undefined;
    }
  }
  const url = rest.split(' ', 1)[0];
  return url === undefined || url === '' ? undefined : url;
}

/** Compressed bytes read from the start of a page record: its WARC and HTTP headers and the payload's first bytes. */
const RECORD_START_BYTES = 4096;
/** Media types of pages (the records a replay shows as a document). */
const PAGE_MIME = /^(?:text\/html|application\/xhtml\+xml)$/i;

/** A CDXJ line's fields that locate and describe its record. */
interface CdxjFields {
  url?: unknown;
  mime?: unknown;
  offset?: unknown;
  length?: unknown;
  filename?: unknown;
}

export interface WaczIndexOptions {
  /**
   * Also read the start of every page record (CDXJ `mime` text/html) and name those a replay
   * would show as bytes (gzip their headers do not declare: store/undeclared-gzip.ts), with the
   * 14-digit time of their index line. Costs one ranged read of 4 KB per page record.
   */
  onShownAsBytes?: (url: string, timestamp: string) => void;
}

/** A WACZ's index at a glance. */
export interface WaczSummary {
  /** Index lines read (captures listed). */
  captures: number;
  /** Page records whose start was read (with `onShownAsBytes`), and those a replay shows as bytes. */
  pagesChecked: number;
  shownAsBytes: number;
  /** Index entries (`indexes/…`) and WARC entries (`archive/…`). */
  indexes: number;
  warcs: number;
}

/**
 * Read the WACZ `file`: check its layout, and pass the URL of every capture in its index to
 * `onCapture` (in index order; a line without a URL is counted and skipped). Throws SalvageError
 * INPUT_UNREADABLE (no such file, or not readable) or INPUT_INVALID (not a ZIP, or not a WACZ:
 * no `datapackage.json`, no index, no WARC).
 */
export async function readWaczIndex(
  file: string,
  onCapture: (url: string) => void,
  options: WaczIndexOptions = {},
): Promise<WaczSummary> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code !== undefined && code !== ''
      ? new SalvageError('INPUT_UNREADABLE', `cannot read the WACZ ${file}: ${(error as Error).message}`, {
          subject: file,
          cause: error,
        })
      : new SalvageError('INPUT_INVALID', `${file} is not a WACZ (not a ZIP file: ${(error as Error).message})`, {
          subject: file,
          cause: error,
        });
  }
  const summary: WaczSummary = { captures: 0, pagesChecked: 0, shownAsBytes: 0, indexes: 0, warcs: 0 };
  let datapackage = false;
  try {
    // The directory first (entry metadata only): a page record's WARC may come after the index.
    const warcs = new Map<string, yauzl.Entry>();
    const indexes: yauzl.Entry[] = [];
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === DATAPACKAGE) datapackage = true;
      else if (ARCHIVE_ENTRY.test(entry.fileName)) warcs.set(entry.fileName.slice('archive/'.length), entry);
      else if (INDEX_ENTRY.test(entry.fileName)) indexes.push(entry);
    }
    summary.warcs = warcs.size;
    summary.indexes = indexes.length;
    const check = options.onShownAsBytes;
    for (const entry of indexes) {
      const stream: Readable = await zip.openReadStreamPromise(entry, {});
      const text = entry.fileName.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
      for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
        if (line === '') continue;
        summary.captures++;
        const url = cdxLineUrl(line);
        if (url === undefined) continue;
        onCapture(url);
        if (check === undefined) continue;
        // A line with a URL has its timestamp and fields after the first two spaces (cdxLineUrl).
        const [timestamp, json] = cdxjHead(line);
        const fields = parseFields(json);
        const warc = typeof fields?.filename === 'string' ? warcs.get(fields.filename) : undefined;
        if (
          fields === undefined ||
          warc === undefined ||
          typeof fields.mime !== 'string' ||
          !PAGE_MIME.test(fields.mime)
        )
          continue;
        const start = await recordStart(zip, warc, Number(fields.offset), Number(fields.length));
        if (start === undefined) continue;
        summary.pagesChecked++;
        if (undeclaredGzip(start)) {
          summary.shownAsBytes++;
          check(url, timestamp);
        }
      }
    }
  } catch (error) {
    if (error instanceof SalvageError) throw error;
    throw new SalvageError('INPUT_INVALID', `${file} is not a readable WACZ: ${(error as Error).message}`, {
      subject: file,
      cause: error,
    });
  } finally {
    zip.close();
  }
  const missing = [
    ...(datapackage ? [] : [DATAPACKAGE]),
    ...(summary.indexes > 0 ? [] : ['an index (indexes/*.cdx, *.cdxj or *.cdx.gz)']),
    ...(summary.warcs > 0 ? [] : ['WARC files (archive/*.warc.gz)']),
  ];
  if (missing.length > 0)
    throw new SalvageError('INPUT_INVALID', `${file} is not a WACZ: it has no ${missing.join(', no ')}`, {
      subject: file,
    });
  return summary;
}

/** The timestamp and the JSON of a CDXJ line `<surt> <timestamp> {…}`. */
function cdxjHead(line: string): [string, string] {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  return [line.slice(first + 1, second), line.slice(second + 1)];
}

function parseFields(json: string): CdxjFields | undefined {
  if (!json.startsWith('{')) return undefined;
  try {
    return JSON.parse(json) as CdxjFields;
  } catch {
    return undefined;
  }
}

/**
 * The decompressed start of the record at `offset` (`length` bytes) of the STORED WARC entry
 * `warc` (WACZ 1.1.1: archive files are stored, so a range of the entry is a range of the WARC),
 * or undefined when it cannot be read: the record is one gzip member, of which the first
 * {@link RECORD_START_BYTES} are inflated as far as they go.
 */
async function recordStart(
  zip: yauzl.ZipFile,
  warc: yauzl.Entry,
  offset: number,
  length: number,
): Promise<Uint8Array | undefined> {
  if (warc.compressionMethod !== 0 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return undefined;
  const end = Math.min(offset + Math.min(length, RECORD_START_BYTES), warc.uncompressedSize);
  if (offset < 0 || end <= offset) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of (await zip.openReadStreamPromise(warc, { start: offset, end })) as AsyncIterable<Buffer>)
    chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  // A plain WARC's record is its bytes; a .warc.gz's is a gzip member, inflated as far as the bytes read go.
  if (!(bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}
