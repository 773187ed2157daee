import { defineOptions, isConfigError, loadConfig } from '@tessera/server';
import { describe, expect, it } from 'vitest';
import { bucketConfigFromOptions, objstoreOptions, usePathStyle } from './options.ts';

const cli = defineOptions({ ...objstoreOptions.defs });
const load = (argv: string[]) => bucketConfigFromOptions(loadConfig(cli, argv), { dataDir: '/var/lib/tessera' });

describe('blocks storage options', () => {
  it('defaults to the filesystem under <data.dir>/blocks', () => {
    expect(load([])).toEqual({ backend: 'filesystem', dir: '/var/lib/tessera/blocks' });
    expect(load(['-blocks-storage.filesystem.dir=/mnt/b'])).toEqual({ backend: 'filesystem', dir: '/mnt/b' });
  });

  it('builds an S3 config from Mimir-named flags', () => {
    const c = load([
      '-blocks-storage.backend=s3',
      '-blocks-storage.s3.endpoint=minio:9000',
      '-blocks-storage.s3.bucket-name=metrics',
      '-blocks-storage.s3.region=eu-west-1',
      '-blocks-storage.s3.access-key-id=AK',
      '-blocks-storage.s3.secret-access-key=SK',
      '-blocks-storage.s3.insecure=true',
      '-blocks-storage.s3.part-size=8388608',
      '-blocks-storage.s3.max-retries=3',
      '-blocks-storage.s3.request-timeout=30s',
    ]);
    expect(c).toMatchObject({
      backend: 's3',
      s3: {
        bucket: 'metrics',
        endpoint: 'minio:9000',
        region: 'eu-west-1',
        forcePathStyle: true, // auto + a non-AWS endpoint
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        insecure: true,
        partSize: 8 * 1024 * 1024,
        maxRetries: 3,
        requestTimeoutMs: 30_000,
      },
    });
  });

  it('reads the same settings from YAML', () => {
    const yaml = 'blocks_storage:\n  backend: s3\n  s3:\n    bucket_name: metrics\n    bucket_lookup_type: virtual-hosted\n    endpoint: s3.example.com\n';
    const c = bucketConfigFromOptions(loadConfig(cli, ['-config.file=x.yaml'], { readFile: () => yaml }), { dataDir: '.' });
    expect(c).toMatchObject({ backend: 's3', s3: { bucket: 'metrics', forcePathStyle: false, endpoint: 's3.example.com' } });
  });

  it('refuses the s3 backend without a bucket name, and half a key pair', () => {
    try {
      load(['-blocks-storage.backend=s3', '-blocks-storage.s3.access-key-id=AK']);
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as Error).message).toMatch(/-blocks-storage\.s3\.bucket-name must be set/);
      expect((e as Error).message).toMatch(/must be set together/);
    }
  });

  it('refuses a part size below S3\'s 5 MiB minimum', () => {
    expect(() => load(['-blocks-storage.s3.part-size=1000'])).toThrow(/part-size/);
  });

  it('marks the secret key and session token secret', () => {
    expect(objstoreOptions.defs.s3SecretAccessKey.secret).toBe(true);
    expect(objstoreOptions.defs.s3SessionToken.secret).toBe(true);
  });

  it.each<['auto' | 'path' | 'virtual-hosted', string, boolean]>([
    ['auto', '', false],
    ['auto', 's3.eu-west-1.amazonaws.com', false],
    ['auto', 'https://s3.amazonaws.com', false],
    ['auto', 'minio.local:9000', true],
    ['auto', 'http://127.0.0.1:4569', true],
    ['auto', 'abc.r2.cloudflarestorage.com', true],
    ['path', 's3.amazonaws.com', true],
    ['virtual-hosted', 'minio.local:9000', false],
  ])('lookup type %s with endpoint %j: path style %s', (type, endpoint, path) => {
    expect(usePathStyle(type, endpoint)).toBe(path);
  });
});
