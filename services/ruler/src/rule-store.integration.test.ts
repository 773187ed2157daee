/**
 * The rule store over S3, against a real s3rver process: object names with `=` padding, listing
 * by prefix, deletes. Skips with a notice when s3rver cannot start; fails instead with
 * TESSERA_REQUIRE_EXTERNAL=1.
 */
import { afterAll, it } from 'vitest';
import { S3Bucket } from '@tessera/objstore';
// Test-only helper of the objstore package (not exported from it).
import { S3RVER_CREDENTIALS, s3rverForSuite } from '../../../packages/objstore/src/s3-test-server.ts';
import { ruleStoreContract } from './rule-store-contract.ts';

const SUITE = 'rule-store.integration';
const BUCKET = 'rules-bucket';

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
  ruleStoreContract('S3 (s3rver)', async () => {
    const name = `rules-${++seq}`;
    await server.createBucket(name);
    const bucket = new S3Bucket({ bucket: name, endpoint: server.endpoint, insecure: true, forcePathStyle: true, ...S3RVER_CREDENTIALS, minBackoffMs: 20 });
    return { bucket, cleanup: async () => {} };
  });
}
