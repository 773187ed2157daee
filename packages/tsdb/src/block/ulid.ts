/**
 * ULIDs, the identifiers of blocks (github.com/ulid/spec): 128 bits, a 48-bit Unix time in
 * milliseconds followed by 80 random bits, written as 26 characters of Crockford's base32
 * (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`), most significant first. 26 × 5 = 130 bits, so the first
 * character holds only the top 3 bits and is at most '7' (Prometheus's `ulid.ParseStrict`
 * rejects anything else, and skips such a directory).
 *
 * Lexicographic order of the strings is the order of the numbers, hence of creation time. The
 * generator is monotonic: within one millisecond (or if the clock steps back) it keeps the last
 * time and adds one to the random part, so successive ULIDs always sort in creation order.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));
/** Largest time a ULID can hold (2^48 − 1 ms, year 10889). */
const MAX_TIME = 2 ** 48 - 1;
const RANDOM_MAX = (1n << 80n) - 1n;

/** Encodes a 128-bit value as 26 base32 characters. */
function encode128(v: bigint): string {
  let out = '';
  for (let i = 25; i >= 0; i--) out += ALPHABET[Number((v >> BigInt(i * 5)) & 31n)];
  return out;
}

/** Returns the ULID of time `ms` and the 80-bit random part `rand`. */
export function formatUlid(ms: number, rand: bigint): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME) throw new RangeError(`ULID time out of range: ${ms}`);
  if (rand < 0n || rand > RANDOM_MAX) throw new RangeError('ULID random part out of range');
  return encode128((BigInt(ms) << 80n) | rand);
}

/** Reports whether `s` is a well-formed ULID (26 characters of the alphabet, first at most '7'). */
export function isUlid(s: string): boolean {
  if (s.length !== 26 || s[0]! > '7') return false;
  for (const c of s) if (!DECODE.has(c)) return false;
  return true;
}

/** The millisecond timestamp of a ULID. @throws RangeError when `s` is not a ULID. */
export function ulidTime(s: string): number {
  if (!isUlid(s)) throw new RangeError(`not a ULID: ${JSON.stringify(s)}`);
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + DECODE.get(s[i]!)!;
  return t;
}

/** A monotonic ULID generator (see the module comment). */
export class UlidGenerator {
  #lastMs = -1;
  #lastRand = 0n;
  readonly #now: () => number;

  /** `now` supplies the time in ms (Date.now by default; tests inject a clock). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Returns a new ULID, greater than every ULID this generator returned before. */
  next(): string {
    const now = Math.floor(this.#now());
    let rand: bigint;
    let ms: number;
    if (now > this.#lastMs) {
      ms = now;
      rand = randomBits80();
    } else {
      ms = this.#lastMs;
      rand = this.#lastRand + 1n;
      // 2^80 ULIDs in one millisecond cannot happen; a wrap would break ordering, so refuse.
      if (rand > RANDOM_MAX) throw new RangeError('ULID random part exhausted within one millisecond');
    }
    this.#lastMs = ms;
    this.#lastRand = rand;
    return formatUlid(ms, rand);
  }
}

function randomBits80(): bigint {
  const b = new Uint8Array(10);
  randomFillSync(b);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

const shared = new UlidGenerator();

/** Returns a new ULID from the process-wide monotonic generator. */
export function newUlid(): string {
  return shared.next();
}
