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
  | 'SEARCH_TOO_COSTLY';

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
  override readonly name = 'SalvageError';
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
