import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilesystemBucket } from '@tessera/objstore';
import { decodeSegment, encodeSegment, ruleGroupObjectName } from './rule-store.ts';
import { ruleStoreContract } from './rule-store-contract.ts';

describe('object names', () => {
  it('encodes names as padded URL-safe base64 (Go base64.URLEncoding), one segment each', () => {
    expect(encodeSegment('a/b')).toBe('YS9i');
    expect(encodeSegment('ns')).toBe('bnM=');
    expect(encodeSegment('?>')).toBe('Pz4=');
    expect(ruleGroupObjectName('team-a', 'ns', 'a/b')).toBe('rules/team-a/bnM=/YS9i');
    for (const s of ['x', 'ü/..', '__proto__', '.', 'a b?c#d']) expect(decodeSegment(encodeSegment(s))).toBe(s);
    expect(decodeSegment('not base64!')).toBeNull();
    expect(decodeSegment('YS9')).toBeNull();
  });
});

ruleStoreContract('a filesystem bucket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-rule-store-'));
  return { bucket: new FilesystemBucket(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
