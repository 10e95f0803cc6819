/**
 * Whether stored bytes are an image a browser can show, and its intrinsic size (issue 16: "bad
 * bytes are data, not pages"). What a "photo" capture really holds varies: the site's or a CDN's
 * HTML error page served with status 200, a body cut off by the crawler, a type header that
 * names another format. The format comes from the file's signature (WHATWG MIME Sniffing), the
 * dimensions from its headers, read by the `image-size` library (headers only: bounded work for
 * any input), and whether the file is whole from each format's end marker, as its
 * specification defines it.
 */
import { imageSize } from 'image-size';

/** Formats a browser shows in an `<img>`, by image-size's type name, with their media type. */
export const WEB_IMAGE_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
} as const;
export type WebImageType = keyof typeof WEB_IMAGE_TYPES;

/**
 * What the bytes are. `width`/`height` are absent when the headers hold no size image-size can
 * read. `note` says when the archived Content-Type named another image format: the bytes decide
 * (a browser sniffs images the same way), and the note keeps the disagreement on record.
 */
export type ImageCheck =
  | { ok: true; type: WebImageType; mime: string; width?: number; height?: number; note?: string }
  | { ok: false; reason: ImageProblem; detail: string };

/**
 * Why bytes are not shown as an image: `not-image` (markup, text or a format browsers do not
 * show, whatever the Content-Type claims: the type that lies), `truncated` (the format's end is
 * missing).
 */
export type ImageProblem = 'not-image' | 'truncated';

/** Media types that name the same format (servers send the informal ones too). */
const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/vnd.microsoft.icon': 'image/x-icon',
  'image/ico': 'image/x-icon',
  'image/x-ms-bmp': 'image/bmp',
};
/** Content-Types that say nothing about the format: no mismatch is read from them. */
const UNINFORMATIVE = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** How far from the end an end marker is looked for: encoders and servers may pad a file. */
const END_SLACK = 4096;

const mediaType = (contentType: string | undefined): string => {
  const bare = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME_ALIASES[bare] ?? bare;
};

function tail(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(Math.max(0, bytes.length - END_SLACK));
}

function hasSequence(bytes: Uint8Array, sequence: readonly number[]): boolean {
  outer: for (let i = 0; i + sequence.length <= bytes.length; i++) {
    for (let j = 0; j < sequence.length; j++) if (bytes[i + j] !== sequence[j]) continue outer;
    return true;
  }
  return false;
}

const u32le = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * Whether the file ends as its format says it must. JPEG: an EOI marker FF D9 after the scan
 * (ITU T.81 B.2.1; inside entropy-coded data an FF is always followed by 00 or a restart marker,
 * so a cut scan has none; {@link jpegWhole}). PNG: the whole IEND chunk (PNG spec §11.2.5). GIF:
 * the trailer byte 3B (GIF89a §27). WebP: the RIFF size covers the file (RIFF header). BMP: the
 * file size the header gives. ICO: every image its directory lists lies inside the file.
 */
function whole(type: WebImageType, bytes: Uint8Array): boolean {
  const end = tail(bytes);
  switch (type) {
    case 'jpg':
      return jpegWhole(bytes);
    case 'png':
      // The whole IEND chunk: length 0, "IEND", its (fixed) CRC.
      return hasSequence(end, [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    case 'gif': {
      let i = bytes.length - 1;
      while (i > 0 && bytes[i] === 0) i--; // zero padding after the trailer
      return bytes[i] === 0x3b;
    }
    case 'webp':
      return bytes.length >= 12 && u32le(bytes, 4) + 8 <= bytes.length;
    case 'bmp':
      return bytes.length >= 6 && u32le(bytes, 2) <= bytes.length;
    case 'ico': {
      // ICONDIR: the count at byte 4, then 16-byte entries whose size and offset (bytes 8 and 12)
      // must lie inside the file.
      if (bytes.length < 6) return false;
      const count = bytes[4]! | (bytes[5]! << 8);
      if (count === 0 || 6 + 16 * count > bytes.length) return false;
      for (let i = 0; i < count; i++) {
        const entry = 6 + 16 * i;
        if (u32le(bytes, entry + 12) + u32le(bytes, entry + 8) > bytes.length) return false;
      }
      return true;
    }
  }
}

/**
 * Whether a JPEG is whole: its segments are walked from SOI by their lengths to the first
 * top-level SOS (an EXIF thumbnail, with its own SOS and EOI, sits inside APP1 and is skipped with
 * it), and an EOI must follow that scan. A file cut before its scan, or inside it, is not whole;
 * bytes after EOI (a motion photo's video) are allowed. When the segments cannot be walked
 * (entropy-coded bytes where a marker should be: a stripped or JPEG-shaped file), an EOI near the
 * end is what is asked.
 */
function jpegWhole(bytes: Uint8Array): boolean {
  let at = 2;
  for (;;) {
    if (at + 4 > bytes.length) return false; // cut inside the headers
    if (bytes[at] !== 0xff) return hasSequence(tail(bytes), [0xff, 0xd9]);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda) break;
    if (marker === 0xd9) return false; // EOI before any scan
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  for (let i = bytes.length - 2; i > at; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/**
 * The image type patterns of the WHATWG MIME Sniffing Standard (§6.1, "image type pattern
 * matching"), in its order: what a browser takes for an image, whatever the Content-Type says.
 */
const SIGNATURES: readonly [WebImageType, readonly (number | undefined)[]][] = [
  ['ico', [0x00, 0x00, 0x01, 0x00]],
  ['bmp', [0x42, 0x4d]],
  ['gif', [0x47, 0x49, 0x46, 0x38, 0x37, 0x61]],
  ['gif', [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]],
  ['webp', [0x52, 0x49, 0x46, 0x46, undefined, undefined, undefined, undefined, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50]],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpg', [0xff, 0xd8, 0xff]],
];

function sniff(bytes: Uint8Array): WebImageType | undefined {
  for (const [type, pattern] of SIGNATURES)
    if (pattern.length <= bytes.length && pattern.every((b, i) => b === undefined || bytes[i] === b)) return type;
  return undefined;
}

/** Markup or text where an image should be: an HTML error page, a JSON error, a redirect notice. */
const LOOKS_LIKE_TEXT = /^(?:\uFEFF)?\s*(?:<|\{|\[)/u;

/**
 * Check one archived image: its bytes and the Content-Type it was archived with. The format is
 * the one its signature shows (as a browser sniffs it); the size, from its headers (image-size;
 * an EXIF orientation that turns the picture, 5–8, swaps width and height as browsers show it).
 */
export function checkImage(bytes: Uint8Array, contentType?: string): ImageCheck {
  const archivedAs = `${bytes.length} bytes, archived as ${contentType ?? 'no type'}`;
  const type = sniff(bytes);
  if (type === undefined) {
    const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 256));
    const what = LOOKS_LIKE_TEXT.test(head) ? 'markup or text' : 'no image format a browser shows';
    return { ok: false, reason: 'not-image', detail: `${what} (${archivedAs})` };
  }
  const mime = WEB_IMAGE_TYPES[type];
  if (!whole(type, bytes))
    return { ok: false, reason: 'truncated', detail: `the ${mime} file ends before its format's end (${archivedAs})` };
  const declared = mediaType(contentType);
  const note =
    UNINFORMATIVE.has(declared) || declared === mime ? undefined : `archived as ${declared}; the bytes are ${mime}`;
  const found = { ok: true as const, type, mime, ...(note !== undefined ? { note } : {}) };
  let size: ReturnType<typeof imageSize> | undefined;
  try {
    size = imageSize(bytes);
  } catch {
    size = undefined; // a whole file whose headers give no size (no SOF in a JPEG): shown unsized
  }
  if (size === undefined || size.type !== type || !(size.width > 0 && size.height > 0)) return found;
  const turned = (size.orientation ?? 1) >= 5;
  return {
    ...found,
    width: turned ? size.height : size.width,
    height: turned ? size.width : size.height,
  };
}
