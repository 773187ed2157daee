import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CredentialKeys, parseSha256Hex, sha256 } from './credential-keys.ts';

const KEY = Buffer.alloc(32, 7);

describe('CredentialKeys', () => {
  const keys = new CredentialKeys(KEY);

  it('gives equal credentials equal keys and any change a different key', () => {
    const token = 'tok-0123456789abcdef';
    expect(keys.bearer(sha256(token))).toBe(keys.bearer(sha256(token)));
    // Every one-character change (first, middle, last byte; case; length) changes the key.
    for (const other of ['Tok-0123456789abcdef', 'tok-0123456789Abcdef', 'tok-0123456789abcdeF', 'tok-0123456789abcde', 'tok-0123456789abcdef0']) {
      expect(keys.bearer(sha256(other))).not.toBe(keys.bearer(sha256(token)));
    }
    expect(keys.basic('alice', sha256('pw'))).toBe(keys.basic('alice', sha256('pw')));
    expect(keys.basic('alice', sha256('pw'))).not.toBe(keys.basic('alice', sha256('pW')));
    expect(keys.basic('alice', sha256('pw'))).not.toBe(keys.basic('Alice', sha256('pw')));
  });

  it('keeps the two schemes and the username/password boundary apart', () => {
    // The same digest as a token and as a password of an empty-looking user never collide.
    const d = sha256('secret');
    expect(keys.bearer(d)).not.toBe(keys.basic('', d));
    // The username length is part of the key: "ab"+"c…" and "a"+"bc…" style splits differ.
    expect(keys.basic('ab', sha256('c'))).not.toBe(keys.basic('a', sha256('bc')));
  });

  it('produces keys of one fixed length whatever the input length', () => {
    const lengths = new Set([0, 1, 64, 10_000].map((n) => keys.bearer(sha256('x'.repeat(n))).length));
    expect([...lengths]).toEqual([44]); // 32 bytes of HMAC in base64
    expect(keys.basic('u'.repeat(5000), sha256('p')).length).toBe(44);
  });

  it('derives keys from its own secret key: another instance never matches', () => {
    const d = sha256('shared-token');
    expect(new CredentialKeys().bearer(d)).not.toBe(new CredentialKeys().bearer(d));
    expect(new CredentialKeys(KEY).bearer(d)).toBe(keys.bearer(d));
  });

  it('is HMAC-SHA256 over the documented layout', () => {
    const d = sha256('tok');
    expect(keys.bearer(d)).toBe(createHmac('sha256', KEY).update(Buffer.concat([Buffer.of(1), d])).digest('base64'));
    const pw = sha256('pw');
    const layout = Buffer.concat([Buffer.of(2, 0, 0, 0, 6), Buffer.from('ålice'), pw]); // "ålice" is 6 UTF-8 bytes
    expect(keys.basic('ålice', pw)).toBe(createHmac('sha256', KEY).update(layout).digest('base64'));
    const long = Buffer.alloc(64, 9);
    expect(new CredentialKeys(long).bearer(d)).toBe(createHmac('sha256', long).update(Buffer.concat([Buffer.of(1), d])).digest('base64'));
  });

  it('refuses digests of the wrong size and keys of the wrong size', () => {
    expect(() => keys.bearer(Buffer.alloc(31))).toThrow(/32-byte/);
    expect(() => new CredentialKeys(Buffer.alloc(8))).toThrow(/16 to 64 bytes/);
    expect(() => new CredentialKeys(Buffer.alloc(65))).toThrow(/16 to 64 bytes/);
  });
});

describe('parseSha256Hex', () => {
  it('accepts 64 hex digits in either case and nothing else', () => {
    const hex = sha256('abc').toString('hex');
    expect(parseSha256Hex(hex)?.equals(sha256('abc'))).toBe(true);
    expect(parseSha256Hex(hex.toUpperCase())?.equals(sha256('abc'))).toBe(true);
    for (const bad of [hex.slice(1), hex + '0', hex.slice(1) + 'g', '', ` ${hex.slice(1)}`]) {
      expect(parseSha256Hex(bad)).toBeUndefined();
    }
  });
});
