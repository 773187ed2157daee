/** @tessera/blockstore on the S3 backend, against a real s3rver process (path-style). */
import { S3Bucket } from '@tessera/objstore';
import { afterAll, it } from 'vitest';
// Test-only helper of the objstore package (not exported from it).
import { S3RVER_CREDENTIALS, s3rverForSuite } from '../../objstore/src/s3-test-server.ts';
import { blockstoreContract } from './blockstore-contract.ts';

const SUITE = 'blockstore integration';
const BUCKET = 'blockstore-test';
const { server, error } = await s3rverForSuite(SUITE, BUCKET);
if (error !== undefined) {
  it(`${SUITE}: s3rver is required (TESSERA_REQUIRE_EXTERNAL=1)`, () => {
    throw error;
  });
}
afterAll(async () => {
  await server?.stop();
});
let seq = 0;
if (server !== undefined) {
  blockstoreContract('S3Bucket (s3rver)', async () => {
    const name = `bs-${++seq}`;
    await server.createBucket(name);
    return new S3Bucket({
      bucket: name,
      endpoint: server.endpoint,
      insecure: true,
      forcePathStyle: true,
      ...S3RVER_CREDENTIALS,
      minBackoffMs: 20,
      maxBackoffMs: 200,
      requestTimeoutMs: 10_000,
    });
  });
}
