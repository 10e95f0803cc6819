/**
 * The labelled digests a WARC record states about itself (WARC 1.1 §5.8 `WARC-Block-Digest`,
 * §5.9 `WARC-Payload-Digest`: `algorithm ":" value`), recomputed from the record's bytes as they
 * stream by. Writers differ in algorithm and encoding: salvage's own records (warcio.js) say
 * `sha256:<hex>`; Heritrix, wget, pywb and the Wayback Machine say `sha1:<base32>`; Python
 * warcio can write `sha256:<base32>`. The encoding is known from the value's length, so every
 * one of them is read, and an algorithm Node does not know is reported, never guessed.
 */
import { createHash, type Hash } from 'node:crypto';
import { blockEnd } from './byte-source.js';
import { dechunk, isChunked } from './http-payload.js';

/** RFC 4648 base32, as Wayback payload digests are written (no padding). */
export function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Digest algorithms by their plain lower-case names (`sha1`, `sha256`), as Node's crypto names
 * them: what WARC writers state once `-` and `_` are dropped (`SHA-1`, `sha-256`; WARC 1.1 §5.8
 * names none; these are every algorithm the writers we know of use, plus the rest of the SHA-2
 * family), and BagIt's manifest names (RFC 8493 §2.4).
 */
export const DIGEST_ALGORITHMS: Readonly<Record<string, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

/** A stated digest, parsed: Node's algorithm name and the value as written; `algorithm` undefined when unknown. */
export interface StatedDigest {
  /** The label as the record writes it (`sha1`, `SHA-256`). */
  label: string;
  algorithm: string | undefined;
  value: string;
}

/** `algorithm:value` of a digest header; undefined when there is no colon (not a labelled digest). */
export function parseLabelledDigest(header: string): StatedDigest | undefined {
  const colon = header.indexOf(':');
  if (colon <= 0) return undefined;
  const label = header.slice(0, colon).trim();
  return {
    label,
    algorithm: DIGEST_ALGORITHMS[label.toLowerCase().replace(/[-_]/g, '')],
    value: header.slice(colon + 1).trim(),
  };
}

const HEX = /^[0-9a-f]+$/i;
const BASE32 = /^[A-Z2-7]+=*$/i;
const BASE64 = /^[A-Za-z0-9+/_-]+=*$/;

/**
 * Whether `value` spells `digest` in one of the encodings writers use: hex (any case), RFC 4648
 * base32 (any case, padding optional) or base64 (standard or URL-safe, padding optional). The
 * lengths differ for every digest size (SHA-1: 40 hex, 32 base32, 28 base64), so no spelling of
 * one digest can be read as another encoding.
 */
export function digestMatches(value: string, digest: Uint8Array): boolean {
  const bytes = Buffer.from(digest.buffer, digest.byteOffset, digest.length);
  if (value.length === bytes.length * 2 && HEX.test(value)) return value.toLowerCase() === bytes.toString('hex');
  const bare = value.replace(/=+$/, '');
  if (BASE32.test(value) && bare.length === Math.ceil((bytes.length * 8) / 5))
    return bare.toUpperCase() === base32(bytes);
  if (BASE64.test(value) && bare.length === Math.ceil((bytes.length * 4) / 3))
    return bare.replace(/-/g, '+').replace(/_/g, '/') === bytes.toString('base64').replace(/=+$/, '');
  return false;
}

/** How one stated digest compared with the bytes. Stable strings: they appear in reports. */
export type DigestVerdict =
  /** Recomputed and equal. */
  | 'ok'
  /** Recomputed and different: the bytes are not those the digest was taken of. */
  | 'mismatch'
  /** The record states no such digest. */
  | 'absent'
  /** An algorithm this salvage does not know, or a value no encoding reads: not checked. */
  | 'unsupported'
  /** A revisit record's payload digest names the payload of the record it revisits (WARC 1.1 §6.7), which it does not hold. */
  | 'elsewhere';

export interface DigestOutcome {
  verdict: DigestVerdict;
  /** The header as the record states it. */
  stated?: string;
  /** What the bytes give, in the stated algorithm and encoding family (hex or base32), when it differs. */
  computed?: string;
}

export interface RecordDigests {
  block: DigestOutcome;
  payload: DigestOutcome;
}

/**
 * The payload of a chunked HTTP body is digested both as stored and without its framing
 * (writers disagree: WARC 1.1 §5.9 says the entity, most tools hash the bytes on the wire). The
 * second needs the whole body; bodies up to this size are kept for it, larger ones are judged
 * by the bytes as stored alone.
 */
export const MAX_DECHUNK_DIGEST_BYTES = 64 * 1024 * 1024;
/** An HTTP header block is looked for this far into a block (as the reader: warc-reader.ts MAX_HTTP_HEADER_BYTES). */
const MAX_HTTP_HEAD_BYTES = 1024 * 1024;

/** A hash of one stated digest, or why there is none. */
type Hashing = { stated: StatedDigest; header: string; hash: Hash } | { outcome: DigestOutcome };

function hashing(header: string | undefined): Hashing {
  if (header === undefined) return { outcome: { verdict: 'absent' } };
  const stated = parseLabelledDigest(header);
  if (stated?.algorithm === undefined) return { outcome: { verdict: 'unsupported', stated: header } };
  return { stated, header, hash: createHash(stated.algorithm) };
}

function judge(h: Hashing, digest: Buffer, alternative?: () => Buffer | undefined): DigestOutcome {
  if ('outcome' in h) return h.outcome;
  if (digestMatches(h.stated.value, digest)) return { verdict: 'ok', stated: h.header };
  const other = alternative?.();
  if (other !== undefined && digestMatches(h.stated.value, other)) return { verdict: 'ok', stated: h.header };
  const spelled = HEX.test(h.stated.value) ? digest.toString('hex') : base32(digest);
  // A value of no length any encoding of this algorithm has cannot be compared: not checked.
  const readable =
    h.stated.value.length === digest.length * 2 ||
    h.stated.value.replace(/=+$/, '').length === Math.ceil((digest.length * 8) / 5) ||
    h.stated.value.replace(/=+$/, '').length === Math.ceil((digest.length * 4) / 3);
  return readable
    ? { verdict: 'mismatch', stated: h.header, computed: `${h.stated.label}:${spelled}` }
    : { verdict: 'unsupported', stated: h.header };
}

/**
 * Recomputes the digests of one WARC record from its block, fed in order with {@link update}.
 * `headers` are the record's WARC headers, names in lower case. The payload of an
 * `application/http` block is what follows its HTTP header block (a blank line of CRLF or bare
 * LF, as warc-reader.ts reads it); of any other block, the whole block.
 */
export class RecordDigester {
  private readonly block: Hashing;
  private readonly payload: Hashing;
  /** The HTTP header block so far, while its end is looked for. */
  private head: Buffer | undefined;
  /** No header block ended within the cap: the reader takes the whole block as the header, so the payload is empty. */
  private headOnly = false;
  private chunked = false;
  /** A chunked body as stored, for its digest without the framing (undefined once over the cap). */
  private body: Buffer[] | undefined;
  private bodyBytes = 0;

  constructor(headers: ReadonlyMap<string, string>) {
    this.block = hashing(headers.get('warc-block-digest'));
    const stated = headers.get('warc-payload-digest');
    this.payload =
      stated !== undefined && headers.get('warc-type') === 'revisit'
        ? { outcome: { verdict: 'elsewhere', stated } }
        : hashing(stated);
    if ('hash' in this.payload && /^application\/http\b/i.test(headers.get('content-type') ?? ''))
      this.head = Buffer.alloc(0);
  }

  update(bytes: Uint8Array): void {
    if ('hash' in this.block) this.block.hash.update(bytes);
    if (!('hash' in this.payload) || this.headOnly) return;
    if (this.head === undefined) return this.payloadBytes(bytes);
    const from = Math.max(0, this.head.length - 3);
    this.head = Buffer.concat([this.head, bytes]);
    const end = blockEnd(this.head, from, true);
    if (end >= 0) {
      const rest = this.head.subarray(end);
      this.startBody(this.head.subarray(0, end));
      this.head = undefined;
      if (rest.length > 0) this.payloadBytes(rest);
    } else if (this.head.length > MAX_HTTP_HEAD_BYTES) {
      this.head = undefined;
      this.headOnly = true;
    }
  }

  private startBody(head: Buffer): void {
    const transfer = /^transfer-encoding:(.*)$/im.exec(head.toString('latin1'))?.[1];
    this.chunked = isChunked(transfer?.trim());
    if (this.chunked) this.body = [];
  }

  private payloadBytes(bytes: Uint8Array): void {
    (this.payload as { hash: Hash }).hash.update(bytes); // only called while the payload is hashed
    if (this.body === undefined) return;
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > MAX_DECHUNK_DIGEST_BYTES) this.body = undefined;
    else this.body.push(Buffer.from(bytes));
  }

  /** The verdicts, once the whole block was fed. */
  finish(): RecordDigests {
    const block = 'hash' in this.block ? judge(this.block, this.block.hash.digest()) : this.block.outcome;
    if (!('hash' in this.payload)) return { block, payload: this.payload.outcome };
    const algorithm = this.payload.stated.algorithm!; // set whenever hashing
    const body = this.body;
    const entity = (): Buffer | undefined => {
      const whole = body && dechunk(Buffer.concat(body));
      return whole === undefined ? undefined : createHash(algorithm).update(whole).digest();
    };
    return { block, payload: judge(this.payload, this.payload.hash.digest(), this.chunked ? entity : undefined) };
  }
}

/** Node's name of the algorithm of a labelled digest (`sha256:…` → `sha256`), undefined when unknown or unlabelled. */
export function labelledAlgorithm(header: string): string | undefined {
  return parseLabelledDigest(header)?.algorithm;
}

/** Whether a labelled digest (`sha256:<hex>`, `sha1:<base32>` …) matches the digest of its algorithm among `digests` (raw bytes by Node name). */
export function matchesLabelledDigest(
  header: string,
  digests: Readonly<Record<string, Uint8Array | undefined>>,
): boolean {
  const stated = parseLabelledDigest(header);
  const digest = stated?.algorithm === undefined ? undefined : digests[stated.algorithm];
  return stated !== undefined && digest !== undefined && digestMatches(stated.value, digest);
}
