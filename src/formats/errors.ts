/** A file that does not follow its format. Parsers throw this (never anything else) on bad input. */
export class FormatError extends Error {
  /** Byte offset where the problem was seen, where known. */
  readonly offset?: number;
  constructor(message: string, offset?: number) {
    super(message);
    this.name = 'FormatError';
    this.offset = offset;
  }
}

/**
 * A record or line longer than a parser accepts. Unlike an input cut short by a read budget (which may end
 * mid-record, not the file's fault), this is reported even where the input was cut.
 */
export class TooLongError extends FormatError {}

/** Random access to a file's bytes: up to `length` bytes from `offset` (fewer at the end). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;
