/**
 * Runs `s3rver` for the integration tests, repaired where it departs from S3 in ways that matter
 * to Tessera. Own code; s3rver itself is untouched on disk.
 *
 * Usage: `node --openssl-legacy-provider s3rver-launcher.ts <dir> <port> <bucket>`; prints
 * `S3rver listening on <address>:<port>` once it accepts requests (port 0 picks a free one).
 *
 * Repairs:
 * - s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) only
 *   has in its legacy provider: hence `--openssl-legacy-provider`. Without it every listing of
 *   more than one page fails with InternalError.
 * - s3rver lists by walking its directory tree and skips directories beneath a common prefix, so
 *   with a delimiter a prefix whose objects all lie two or more levels down is never reported
 *   (`tenant/` of `tenant/<block>/meta.json` is missing from a root listing), and it walks in
 *   readdir order, not key order, which breaks pagination. The walk below visits everything, in
 *   key order; s3rver's own filters (prefix, start-after, delimiter) then apply as before.
 * - A ranged GET of an empty object makes s3rver promise one byte (`Content-Range: bytes 0-0/0`)
 *   and send none, so the client waits forever; S3 answers 416 InvalidRange, as we make it here.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { posix } from 'node:path';

const require = createRequire(import.meta.url);

/** s3rver stores object `a/b` as the file `a/b._S3rver_object` (plus `._S3rver_metadata.json` etc.). */
const SUFFIX = /\._S3rver_[^/]*$/;

/** Every file below `dir`, in the byte order of the keys they store; ignores s3rver's filter. */
function* walkInKeyOrder(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).map((d) => ({
    d,
    key: Buffer.from(d.isDirectory() ? `${d.name}/` : d.name.replace(SUFFIX, ''), 'utf8'),
  }));
  entries.sort((a, b) => Buffer.compare(a.key, b.key));
  for (const { d } of entries) {
    const path = posix.join(dir, d.name);
    if (d.isDirectory()) yield* walkInKeyOrder(path);
    else yield path;
  }
}

const [directory, port, bucket] = process.argv.slice(2);
if (directory === undefined || port === undefined || bucket === undefined) {
  console.error('usage: s3rver-launcher.ts <dir> <port> <bucket>');
  process.exit(2);
}
// Replace the walk before the store module (which destructures it) is loaded.
(require('s3rver/lib/utils.js') as { walk: unknown }).walk = walkInKeyOrder;
interface StoredObject {
  range?: unknown;
  size: number;
  content: { destroy(): void } | null;
}
const store = require('s3rver/lib/stores/filesystem.js') as { prototype: { getObject(...args: unknown[]): Promise<StoredObject | null> } };
const getObject = store.prototype.getObject;
store.prototype.getObject = async function (this: unknown, ...args: unknown[]) {
  const object = await getObject.apply(this, args);
  if (object?.range !== undefined && object.size === 0 && object.content !== null) {
    object.content.destroy();
    object.content = null; // s3rver answers a range without content with 416 InvalidRange
  }
  return object;
};
const S3rver = require('s3rver') as new (options: object) => { run(): Promise<{ address: string; port: number }> };
const server = new S3rver({ directory, address: '127.0.0.1', port: Number(port), silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
const listening = await server.run();
console.log(`S3rver listening on ${listening.address}:${listening.port}`);
