/** Errors a user can act on. Every stage throws SalvageError (or a subclass) for what stops it. */

/** Every error code salvage emits; code branches on these, never on message text. */
export type SalvageErrorCode =
  | 'CONFIG_INVALID'
  | 'INPUT_UNREADABLE'
  | 'INPUT_INVALID'
  | 'WARC_MALFORMED'
  | 'OUTPUT_UNSAFE'
  | 'OUTPUT_FAILED'
  | 'SITE_UNKNOWN'
  /** A search ran past its time budget, or too many were waiting (search/search-pool.ts). */
  | 'SEARCH_TOO_COSTLY'
  // The Wayback Machine (wayback/), and what the crawl makes of its answers (crawl/).
  /** The service refuses the whole site (CDX 403, AdministrativeAccessControlException / RobotAccessControlException). */
  | 'WAYBACK_BLOCKED_SITE'
  /** The service will not play this URL back ("This URL has been excluded from the Wayback Machine"). */
  | 'WAYBACK_EXCLUDED'
  /** The service has no capture at this URL and time (its own 404 page, no Memento-Datetime). */
  | 'WAYBACK_NOT_ARCHIVED'
  /** The closest capture the service redirects to is further away than the accepted window. */
  | 'WAYBACK_CLOSEST_TOO_FAR'
  /** Redirects that loop, or more of them than any capture needs. */
  | 'WAYBACK_REDIRECT_LOOP'
  /** 5xx, resets and timeouts past the attempts allowed. */
  | 'WAYBACK_RETRIES_EXHAUSTED'
  /** Salvage refused a request (absurd URL or timestamp) or its answer (too large, a body that will not decode). */
  | 'WAYBACK_REQUEST_REFUSED'
  /** Any other answer no retry will change (a CDX 400, an unexpected status). */
  | 'WAYBACK_HTTP_ERROR'
  /** A CDX answer that is not the JSON the index writes (retried; final only when it keeps coming). */
  | 'CDX_MALFORMED'
  /** The CDX index answered the same resume key twice: following it would loop. */
  | 'CDX_CURSOR_LOOP'
  /** The run spent longer than --max-wait paused by 429s, outages or a block. */
  | 'WAIT_LIMIT';

export interface SalvageErrorOptions {
  cause?: unknown;
  /** The file, URL or value the error is about, when there is one. */
  subject?: string;
}

/**
 * An error written for the user: the message says what happened and what to do next. The CLI
 * prints it as one line with its code; anything else is a bug and is reported with its stack.
 */
export class SalvageError extends Error {
  override readonly name: string = 'SalvageError';
  readonly code: SalvageErrorCode;
  readonly subject: string | undefined;

  constructor(code: SalvageErrorCode, message: string, options: SalvageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.subject = options.subject;
  }
}

export function isSalvageError(value: unknown): value is SalvageError {
  return value instanceof SalvageError;
}
