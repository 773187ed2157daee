/**
 * `-target=compactor` (no ring needed) and the compactor inside `-target=all`: blocks shipped
 * into the filesystem bucket under `<data.dir>/blocks` are merged, `/metrics` shows the
 * compactor's counters, and `-compactor.blocks-retention-period` marks old blocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listBlocks, uploadBlock } from '@tessera/blockstore';
import { XorAppender } from '@tessera/chunkenc';
import { Labels } from '@tessera/model';
import { FilesystemBucket } from '@tessera/objstore';
import { createLogger, loadConfig } from '@tessera/server';
import { writeBlock } from '@tessera/tsdb';
import { startTessera, type TesseraHandle } from './app.ts';
import { tesseraOptions } from './config.ts';

const H = 3_600_000;
const T0 = Math.floor((Date.now() - 3 * 24 * H) / (2 * H)) * 2 * H;
const logger = createLogger({ level: 'silent' });
const dirs: string[] = [];
const handles: TesseraHandle[] = [];
afterAll(async () => {
  for (const h of handles) await h.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Ships `copies` identical 2h blocks of one series into `<dataDir>/blocks` for `tenant`. */
async function shipCopies(dataDir: string, tenant: string, copies: number): Promise<void> {
  const bucket = new FilesystemBucket(join(dataDir, 'blocks'));
  for (let r = 0; r < copies; r++) {
    const app = new XorAppender();
    for (let t = T0; t < T0 + 2 * H; t += 60_000) app.append(t, t / 1000 + r);
    const series = [{ labels: Labels.fromObject({ __name__: 'up', job: 'node' }), chunks: [{ minT: T0, maxT: T0 + 2 * H - 60_000, data: app.bytes().slice() }] }];
    const meta = await writeBlock(join(dataDir, 'local'), series, { minTime: T0, maxTime: T0 + 2 * H });
    await uploadBlock(bucket, tenant, join(dataDir, 'local', meta.ulid));
  }
  await bucket.close();
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function start(target: string, dataDir: string, extra: string[] = []): Promise<TesseraHandle> {
  const config = loadConfig(tesseraOptions, [
    `-target=${target}`,
    '-server.http-listen-address=127.0.0.1',
    '-server.http-listen-port=0',
    '-querier.query-workers=0',
    '-auth.enabled=false',
    `-data.dir=${dataDir}`,
    '-compactor.compaction-interval=100ms',
    '-compactor.cleanup-interval=100ms',
    '-compactor.first-level-compaction-wait-period=0s',
    ...extra,
  ]);
  const h = await startTessera(config, { logger });
  handles.push(h);
  return h;
}

describe('the compactor in the tessera binary', () => {
  for (const target of ['compactor', 'all']) {
    it(`-target=${target} merges the RF copies in the bucket`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `tessera-compactor-${target}-`));
      dirs.push(dataDir);
      await shipCopies(dataDir, 'team-a', 3);
      const h = await start(target, dataDir);
      expect((await fetch(`${h.url}/ready`)).status).toBe(200);
      const services = (await (await fetch(`${h.url}/services`)).json()) as { services: { name: string }[] };
      expect(services.services.map((s) => s.name)).toContain('compactor');
      const bucket = new FilesystemBucket(join(dataDir, 'blocks'));
      await waitFor('one live block', async () => (await listBlocks(bucket, 'team-a')).filter((b) => b.deletionMark === null).length === 1);
      await bucket.close();
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/^tessera_compactor_compactions_total\{kind="vertical"\} 1$/m);
      expect(metrics).toMatch(/^tessera_compactor_blocks_marked_for_deletion_total\{reason="compaction"\} 3$/m);
    });
  }

  it('-compactor.blocks-retention-period marks blocks older than the retention', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-compactor-retention-'));
    dirs.push(dataDir);
    await shipCopies(dataDir, 'team-b', 1);
    const h = await start('compactor', dataDir, ['-compactor.blocks-retention-period=1d']);
    const bucket = new FilesystemBucket(join(dataDir, 'blocks'));
    await waitFor('a retention mark', async () => (await listBlocks(bucket, 'team-b')).every((b) => b.deletionMark !== null));
    await bucket.close();
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^tessera_compactor_blocks_marked_for_deletion_total\{reason="retention"\} 1$/m);
  });
});
