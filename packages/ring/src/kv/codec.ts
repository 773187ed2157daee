/**
 * Codecs turn the values kept in a KV store into text and back.
 *
 * A KV store holds text, so that the in-memory and the Redis backends behave alike: a value read
 * is always a fresh copy, and mutating it never changes what the store holds.
 */
import { TesseraError } from '@tessera/server';

/** How values of type `T` are stored: `decode(encode(v))` must equal `v` structurally. */
export interface Codec<T> {
  encode(value: T): string;
  /** Parses stored text; throws a `kv-decode-failed` {@link TesseraError} on malformed input. */
  decode(text: string): T;
}

/**
 * Creates a JSON codec whose decoder checks (and may normalise) the parsed value with `validate`,
 * which throws or returns the typed value.
 */
export function jsonCodec<T>(validate: (parsed: unknown) => T): Codec<T> {
  return {
    encode: (value) => JSON.stringify(value),
    decode: (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw decodeError(`value is not JSON: ${(e as Error).message}`, e);
      }
      try {
        return validate(parsed);
      } catch (e) {
        if (TesseraError.is(e)) throw e;
        throw decodeError(`value has the wrong shape: ${(e as Error).message}`, e);
      }
    },
  };
}

/** Builds the error a codec throws for stored text it cannot read. */
export function decodeError(message: string, cause?: unknown): TesseraError {
  return new TesseraError('internal', 'kv-decode-failed', `KV store: ${message}`, { cause });
}
