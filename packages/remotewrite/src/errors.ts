/**
 * Stable codes of {@link RemoteWriteDecodeError}. They never change meaning once released:
 * - `invalid-snappy`: the body is not a valid snappy block (bad offset, overrun, length mismatch).
 * - `decoded-too-large`: the snappy preamble announces more bytes than the caller allows.
 * - `invalid-protobuf`: the decompressed bytes are not a valid WriteRequest (truncated field,
 *   bad varint, wrong wire type for a known field, unbalanced group).
 * - `timestamp-out-of-range`: a sample timestamp outside ±(2^53−1) ms, which a JS number
 *   cannot hold exactly.
 * - `invalid-utf8`: a label or metadata string is not valid UTF-8.
 */
export type RemoteWriteDecodeErrorCode =
  | 'invalid-snappy'
  | 'decoded-too-large'
  | 'invalid-protobuf'
  | 'timestamp-out-of-range'
  | 'invalid-utf8';

const BRAND: unique symbol = Symbol.for('tessera.remotewrite.RemoteWriteDecodeError');

/**
 * The error thrown for a remote-write body that can never be accepted as sent.
 *
 * Every failure is the sender's data, so `kind` is always `bad_data` (an HTTP 400: Prometheus
 * drops the batch instead of retrying it forever). Use {@link RemoteWriteDecodeError.is} rather
 * than `instanceof` across package boundaries.
 */
export class RemoteWriteDecodeError extends Error {
  /** Stable kebab-case identifier of the failure. */
  readonly code: RemoteWriteDecodeErrorCode;
  /** Error kind in Tessera's error model; decode failures are always the sender's fault. */
  readonly kind = 'bad_data' as const;
  /** Brand for {@link RemoteWriteDecodeError.is}. */
  readonly [BRAND] = true;

  /** Creates an error with a stable code and a human-readable detail. */
  constructor(code: RemoteWriteDecodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteWriteDecodeError';
    this.code = code;
  }

  /** Reports whether `err` is a RemoteWriteDecodeError, even one from another copy of this package. */
  static is(err: unknown): err is RemoteWriteDecodeError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}
