/**
 * Lookup keys for secrets, so that checking a credential never compares secret bytes directly.
 *
 * Every credential, from the tenants file and from a request alike, becomes one key:
 *
 *   bearer: HMAC-SHA256(K, 0x01 ‖ SHA-256(token))
 *   basic:  HMAC-SHA256(K, 0x02 ‖ u32be(byteLength(username)) ‖ username (UTF-8) ‖ SHA-256(password))
 *
 * (HMAC of RFC 2104) where K is 32 random bytes drawn when the process starts, never stored or
 * logged. The key is the lookup key of a `Map`, so finding a credential costs the same two hashes
 * and one lookup whether the user is unknown, the password wrong or the credential valid, and no
 * step compares the bytes of a stored secret with the bytes a client sent (which is what
 * `timingSafeEqual` guards against elsewhere). The map's own hashing and string comparison see
 * only HMAC outputs, which a client can neither predict nor steer without K, so their timing says
 * nothing about any stored secret or about which tenants or usernames exist.
 *
 * The first byte separates the two schemes (a token never matches a basic-auth pair); the length
 * prefix makes the username/password split unambiguous. Hashing the secret before the HMAC lets
 * the tenants file hold SHA-256 digests instead of plain secrets.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';

/** Bytes of a SHA-256 digest. */
export const SHA256_BYTES = 32;

/** SHA-256's block size: the HMAC pad length and the longest key used as is. */
const HMAC_BLOCK = 64;
const BEARER = 0x01;
const BASIC = 0x02;

/** The SHA-256 digest of a secret's UTF-8 bytes. */
export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Parses a SHA-256 digest written as 64 hex digits (either case); undefined when malformed. */
export function parseSha256Hex(hex: string): Buffer | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

/**
 * The keyed hash that turns credentials into lookup keys. One instance serves a tenants file and
 * every reload of it: keys from different instances never match.
 *
 * HMAC-SHA256 per RFC 2104, computed from SHA-256 states primed with the padded key once, then
 * copied per call (`createHmac` would re-derive the key on every call, five times slower).
 */
export class CredentialKeys {
  /** SHA-256 after absorbing K ⊕ ipad and K ⊕ opad; only ever copied, never updated or digested. */
  readonly #inner: Hash;
  readonly #outer: Hash;

  /** @param key the HMAC key, 16 to 64 bytes; 32 fresh random bytes when absent (tests may pin it). */
  constructor(key: Uint8Array = randomBytes(32)) {
    if (key.length < 16 || key.length > HMAC_BLOCK) throw new Error(`credential key must be 16 to ${HMAC_BLOCK} bytes`);
    const ipad = Buffer.alloc(HMAC_BLOCK, 0x36);
    const opad = Buffer.alloc(HMAC_BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i]! ^= key[i]!;
      opad[i]! ^= key[i]!;
    }
    this.#inner = createHash('sha256').update(ipad);
    this.#outer = createHash('sha256').update(opad);
  }

  /** The lookup key of a bearer token, given the SHA-256 digest of the token. */
  bearer(tokenDigest: Uint8Array): string {
    checkDigest(tokenDigest);
    return this.#mac(this.#inner.copy().update(Uint8Array.of(BEARER)).update(tokenDigest));
  }

  /** The lookup key of a basic-auth pair, given the username and the SHA-256 digest of the password. */
  basic(username: string, passwordDigest: Uint8Array): string {
    checkDigest(passwordDigest);
    const user = Buffer.from(username, 'utf8');
    const head = Buffer.allocUnsafe(5);
    head[0] = BASIC;
    head.writeUInt32BE(user.length, 1);
    return this.#mac(this.#inner.copy().update(head).update(user).update(passwordDigest));
  }

  /** Finishes HMAC = H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m)) from the inner hash of m; base64. */
  #mac(inner: Hash): string {
    return this.#outer.copy().update(inner.digest()).digest('base64');
  }
}

function checkDigest(d: Uint8Array): void {
  if (d.length !== SHA256_BYTES) throw new Error(`expected a ${SHA256_BYTES}-byte SHA-256 digest, got ${d.length} bytes`);
}
