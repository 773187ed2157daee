/**
 * The error type of the block reader and writer.
 *
 * Every failure is a {@link BlockError}, a TesseraError of kind `internal` (a damaged or invalid
 * block is never the client's fault) with one of the permanent codes below. Corruption (a CRC
 * mismatch, a bad magic number, a truncated or malformed section) carries the file and offset.
 */
import { TesseraError } from '@tessera/server';

/** The permanent codes a BlockError carries. */
export type BlockErrorCode =
  /** A block file fails a checksum, magic number or structural check. */
  | 'block-corrupt'
  /** The writer was given series or chunks that break the format's ordering rules. */
  | 'block-invalid-input'
  /** The block uses a feature this implementation does not read (e.g. a histogram chunk). */
  | 'block-unsupported';

/** A failure to read or write a block. Recognise it with {@link BlockError.isBlockError}. */
export class BlockError extends TesseraError {
  override readonly code: BlockErrorCode;
  /** The block file concerned (`index`, `chunks/000001`, …), when known. */
  readonly file: string | undefined;
  /** Byte offset in that file where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(code: BlockErrorCode, message: string, where: { file?: string; offset?: number; cause?: unknown } = {}) {
    const at = where.file === undefined ? '' : ` (${where.file}${where.offset === undefined ? '' : ` @${where.offset}`})`;
    super('internal', code, message + at, where.cause === undefined ? {} : { cause: where.cause });
    this.name = 'BlockError';
    this.code = code;
    this.file = where.file;
    this.offset = where.offset;
  }

  /** Reports whether `e` is a BlockError (brand check on TesseraError plus the code family). */
  static isBlockError(e: unknown): e is BlockError {
    return TesseraError.is(e) && (e.code === 'block-corrupt' || e.code === 'block-invalid-input' || e.code === 'block-unsupported');
  }

  /** Reports whether `e` reports a corrupt block file. */
  static isCorruption(e: unknown): e is BlockError {
    return TesseraError.is(e) && e.code === 'block-corrupt';
  }
}

/** Shorthand for a `block-corrupt` error. */
export function corrupt(message: string, file?: string, offset?: number): BlockError {
  return new BlockError('block-corrupt', message, {
    ...(file === undefined ? {} : { file }),
    ...(offset === undefined ? {} : { offset }),
  });
}
