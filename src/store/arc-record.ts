/**
 * ARC, the Internet Archive's file format before WARC (1996–2008; the Wayback Machine's older
 * captures are stored in it, `.arc` and `.arc.gz`). A file is a version block (`filedesc://…`)
 * and then records, each a header line and `length` bytes of content: the HTTP response as
 * received, status line and headers included. Version 1 header lines have five fields,
 * `URL IP-address Archive-date Content-type Archive-length`; version 2 lines ten,
 * `URL IP-address Archive-date Content-type Result-code Checksum Location Offset Filename
 * Archive-length`. Source: the Internet Archive's "ARC File Format" (version 1.0, 1996) as kept
 * by the Library of Congress (digitalpreservation.gov formats fdd000235, fdd000236).
 * This module only reads header lines; `warc-reader.ts` reads the bytes.
 */

/** Longest ARC header line read, in bytes (URLs of 60,000 characters have been seen). */
export const MAX_ARC_HEADER_BYTES = 128 * 1024;

export interface ArcHeader {
  url: string;
  /** 14-digit `Archive-date` (UTC). */
  timestamp: string;
  /** `Content-type` as the crawler recorded it (`no-type` when it did not know). */
  mime: string;
  /** Bytes of content that follow the header line. */
  length: number;
}

// The URL is the first field and may itself hold spaces (some crawlers wrote them raw), so the
// other fields are matched from the right. An IP is a dotted quad or `-`; dates are 14 digits.
const V2 =
  /^(\S.*?) (\d{1,3}(?:\.\d{1,3}){3}|-|\S*:\S*) (\d{14}) (\S+) (\d{3}|-) (\S+) (\S+) (\d+|-) (\S+) (\d{1,15})$/;
const V1 = /^(\S.*?) (\d{1,3}(?:\.\d{1,3}){3}|-|\S*:\S*) (\d{14}) (\S+) (\d{1,15})$/;

/** The header line of an ARC record (without its line end), or undefined when it is none. */
export function parseArcHeader(line: string): ArcHeader | undefined {
  const m = V2.exec(line) ?? V1.exec(line);
  if (!m) return undefined;
  const length = Number(m[m.length - 1]);
  return { url: m[1]!, timestamp: m[3]!, mime: m[4]!, length };
}

/** Whether an ARC record holds a capture: an HTTP(S) URL, not the file's version block or a DNS lookup. */
export function isArcCapture(header: ArcHeader): boolean {
  return /^https?:\/\//i.test(header.url);
}
