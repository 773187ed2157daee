/**
 * The rule store over S3, against a real s3rver process: object names with `=` padding, listing
 * by prefix, deletes. Skips with a notice when s3rver cannot start; fails instead with
 * TESSERA_REQUIRE_EXTERNAL=1.
 */
import { S3Bucket } from '@tessera/objstore';
// Test-only helper of the objstore package (not exported from it).
import { S3RVER_CREDENTIALS, s3rverSuite } from '../../../packages/objstore/src/s3-test-server.ts';
import { ruleStoreContract } from './rule-store-contract.ts';

const SUITE = 'rule-store.integration';
const BUCKET = 'rules-bucket';

const server = await s3rverSuite(SUITE, BUCKET);
let seq = 0;
if (server !== undefined) {
  ruleStoreContract('S3 (s3rver)', async () => {
    const name = `rules-${++seq}`;
    await server.createBucket(name);
    const bucket = new S3Bucket({ bucket: name, endpoint: server.endpoint, insecure: true, forcePathStyle: true, ...S3RVER_CREDENTIALS, minBackoffMs: 20 });
    return { bucket, cleanup: async () => {} };
  });
}
