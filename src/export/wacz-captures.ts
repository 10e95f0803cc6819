/**
 * What a WACZ holds, read for the mirror's replay before it is published: that it is a WACZ
 * (a ZIP with `datapackage.json`, an index under `indexes/` and WARCs under `archive/`: WACZ
 * 1.1.1 "Directory Layout"), and the original URL of every capture its index lists. The index is
 * streamed line by line from the ZIP (a plain `.cdx`/`.cdxj`, or the gzip members of a ZipNum
 * `.cdx.gz`), so a WACZ of any size is read in constant memory. yauzl reads the ZIP: a
 * maintained reader of the central directory (ZIP64 included) that opens one entry as a stream.
 */
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { SalvageError } from '../errors.js';

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

/** A WACZ's index at a glance. */
export interface WaczSummary {
  /** Index lines read (captures listed). */
  captures: number;
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
export async function readWaczIndex(file: string, onCapture: (url: string) => void): Promise<WaczSummary> {
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
  const summary: WaczSummary = { captures: 0, indexes: 0, warcs: 0 };
  let datapackage = false;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === DATAPACKAGE) datapackage = true;
      else if (ARCHIVE_ENTRY.test(entry.fileName)) summary.warcs++;
      else if (INDEX_ENTRY.test(entry.fileName)) {
        summary.indexes++;
        const stream: Readable = await zip.openReadStreamPromise(entry, {});
        const text = entry.fileName.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
        for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
          if (line === '') continue;
          summary.captures++;
          const url = cdxLineUrl(line);
          if (url !== undefined) onCapture(url);
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
