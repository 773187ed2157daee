/** @tessera/blockstore on the S3 backend, against a real s3rver process (path-style). */
import { S3Bucket } from '@tessera/objstore';
// Test-only helper of the objstore package (not exported from it).
import { S3RVER_CREDENTIALS, s3rverSuite } from '../../objstore/src/s3-test-server.ts';
import { blockstoreContract } from './blockstore-contract.ts';

const SUITE = 'blockstore integration';
const BUCKET = 'blockstore-test';
const server = await s3rverSuite(SUITE, BUCKET);
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
