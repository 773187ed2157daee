/**
 * End-to-end: the real `tessera` process cuts blocks out of its heads and ships them to the
 * filesystem bucket (`<data.dir>/blocks/<tenant>/<ULID>/`), with a short block range — and with
 * `-ingester.flush-on-shutdown` a SIGTERM leaves every pushed sample in the bucket and an empty
 * head for the restart. The blocks are read back with Tessera's BlockReader.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XorIterator } from '@tessera/chunkenc';
import { BlockReader, isUlid } from '@tessera/tsdb';
import { freePort, makeTempDir, metricValue, push, removeDir, spawnCli, waitReady, within, type CliProcess } from './helpers.ts';

const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / 1000) * 1000;
const TENANT = 'flush-e2e';

let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await makeTempDir('tessera-flush-');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await removeDir(dir);
});

async function start(dataDir: string, extra: string[]): Promise<{ proc: CliProcess; url: string }> {
  const port = await freePort();
  const proc = spawnCli([
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`,
    `-data.dir=${dataDir}`,
    '-log.level=warn',
    '-querier.query-workers=0',
    '-blocks-storage.tsdb.block-ranges-period=1h',
    '-blocks-storage.tsdb.head-compaction-interval=200ms',
    '-blocks-storage.tsdb.ship-interval=500ms',
    '-blocks-storage.tsdb.head-keep-shipped-period=0s',
    ...extra,
  ]);
  running.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, proc, 30_000);
  return { proc, url };
}

/** Pushes two series with a sample every 30 s over [from, to), in 10-minute requests. Returns the samples by job. */
async function pushRange(url: string, from: number, to: number): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>([['a', []], ['b', []]]);
  for (let t0 = from; t0 < to; t0 += 600_000) {
    const series = [...out.keys()].map((job) => {
      const samples: [number, number][] = [];
      for (let t = t0; t < Math.min(t0 + 600_000, to); t += 30_000) samples.push([t, job === 'a' ? t / 1e9 : Math.cos(t)]);
      out.get(job)!.push(...samples);
      return { labels: { __name__: 'flush_metric', job }, samples };
    });
    const r = await push(url, series, { tenant: TENANT });
    expect(r.status, r.text).toBe(200);
  }
  return out;
}

/** The complete blocks (with meta.json) of the tenant in the filesystem bucket. */
function bucketBlocks(dataDir: string): string[] {
  const tenantDir = join(dataDir, 'blocks', TENANT);
  if (!existsSync(tenantDir)) return [];
  return readdirSync(tenantDir)
    .filter((n) => isUlid(n) && existsSync(join(tenantDir, n, 'meta.json')))
    .map((n) => join(tenantDir, n));
}

/** Every sample of the blocks, by job, sorted by time. */
async function blockSamples(blockDirs: string[]): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  const it = new XorIterator();
  for (const d of blockDirs) {
    const r = await BlockReader.open(d);
    for (const s of await r.select([], -Infinity, Infinity)) {
      const list = out.get(s.labels.get('job')) ?? [];
      for (const c of s.chunks) {
        it.reset(await r.chunk(c.ref));
        while (it.next()) list.push([it.t, it.v]);
      }
      out.set(s.labels.get('job'), list);
    }
    await r.close();
  }
  for (const l of out.values()) l.sort((x, y) => x[0] - y[0]);
  return out;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ingester flush (real process, filesystem bucket)', () => {
  it('cuts the ranges of a head spanning more than 1.5 block ranges and ships them as blocks', async () => {
    const dataDir = join(dir, 'cut');
    const { proc, url } = await start(dataDir, []);
    const pushed = await pushRange(url, NOW - 4 * HOUR, NOW);
    // Head from NOW−4h to NOW−30s with 1h blocks: every aligned hour starting more than 1.5h
    // before the newest sample is cut.
    const cutEnd = Math.ceil((NOW - 30_000 - 1.5 * HOUR) / HOUR) * HOUR;
    const expectedBlocks = (cutEnd - Math.floor((NOW - 4 * HOUR) / HOUR) * HOUR) / HOUR;
    await waitFor(() => bucketBlocks(dataDir).length >= expectedBlocks, 20_000, `${expectedBlocks} blocks in the bucket`);
    await waitFor(async () => (await metricValue(url, 'tessera_ingester_shipper_blocks_pending')) === 0, 10_000, 'no pending block');
    expect(await metricValue(url, 'tessera_ingester_shipper_uploads_total')).toBe(expectedBlocks);
    expect(await metricValue(url, 'tessera_ingester_shipper_upload_failures_total')).toBe(0);

    const blocks = bucketBlocks(dataDir);
    expect(blocks).toHaveLength(expectedBlocks);
    const got = await blockSamples(blocks);
    for (const [job, samples] of pushed) expect(got.get(job), job).toEqual(samples.filter(([t]) => t < cutEnd));
    // Local copies are gone once shipped and dropped from the head.
    await waitFor(() => readdirSync(join(dataDir, 'tsdb', TENANT, 'blocks')).length === 0, 10_000, 'local blocks deleted');
    proc.child.kill('SIGTERM');
    expect(await within(proc.exited, 10_000, 'exit')).toEqual({ code: 0, signal: null });
  });

  it('-ingester.flush-on-shutdown puts every sample in the bucket on SIGTERM and restarts with an empty head', async () => {
    const dataDir = join(dir, 'shutdown');
    const first = await start(dataDir, ['-ingester.flush-on-shutdown=true']);
    const pushed = await pushRange(first.url, NOW - 40 * 60_000, NOW);
    expect(await metricValue(first.url, 'tessera_ingester_memory_series', { tenant: TENANT })).toBe(2);
    first.proc.child.kill('SIGTERM');
    expect(await within(first.proc.exited, 15_000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.proc.stderr()).toBe('');

    const got = await blockSamples(bucketBlocks(dataDir));
    expect(got).toEqual(pushed);

    const second = await start(dataDir, []);
    expect(await metricValue(second.url, 'tessera_ingester_memory_series', { tenant: TENANT })).toBe(0);
    second.proc.child.kill('SIGTERM');
    expect(await within(second.proc.exited, 10_000, 'second exit')).toEqual({ code: 0, signal: null });
  });
});
