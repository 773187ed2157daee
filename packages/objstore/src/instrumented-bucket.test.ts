import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createBucket } from './create-bucket.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function counterValues(registry: Registry, name: string): Promise<Record<string, number>> {
  const m = await registry.getSingleMetric(name)!.get();
  const out: Record<string, number> = {};
  for (const v of m.values) {
    if (v.value !== 0) out[Object.values(v.labels).join('/')] = v.value;
  }
  return out;
}

describe('bucket metrics', () => {
  it('counts operations by outcome and bytes moved', async () => {
    dir = await mkdtemp(join(tmpdir(), 'objstore-metrics-'));
    const registry = new Registry();
    const b = createBucket({ backend: 'filesystem', dir }, { registry, name: 'blocks' });
    await b.upload('t/a', new Uint8Array(100));
    await b.upload('t/b', Readable.from([new Uint8Array(30), new Uint8Array(20)]));
    await b.get('t/a');
    await b.getRange('t/b', 10, 15);
    await b.get('t/missing').catch(() => {});
    await b.upload('bad//name', new Uint8Array(1)).catch(() => {});
    await b.iter('t', () => {});
    for await (const _ of b.list('t')) break;
    expect(await counterValues(registry, 'tessera_objstore_operations_total')).toEqual({
      'blocks/upload/success': 2,
      'blocks/upload/error': 1,
      'blocks/get/success': 1,
      'blocks/get/not_found': 1,
      'blocks/get_range/success': 1,
      'blocks/iter/success': 2,
    });
    expect(await counterValues(registry, 'tessera_objstore_transferred_bytes_total')).toEqual({
      'blocks/upload': 150,
      'blocks/get': 100,
      'blocks/get_range': 15,
    });
    const hist = await registry.getSingleMetric('tessera_objstore_operation_duration_seconds')!.get();
    const uploads = hist.values.find((v) => (v as { metricName?: string }).metricName === 'tessera_objstore_operation_duration_seconds_count' && v.labels['operation'] === 'upload');
    expect(uploads?.value).toBe(3);
  });

  it('exports every operation and outcome as 0 before use, and shares metrics between buckets', async () => {
    dir = await mkdtemp(join(tmpdir(), 'objstore-metrics-'));
    const registry = new Registry();
    createBucket({ backend: 'filesystem', dir }, { registry, name: 'blocks' });
    createBucket({ backend: 'filesystem', dir }, { registry, name: 'ruler' });
    const text = await registry.metrics();
    expect(text).toContain('tessera_objstore_operations_total{bucket="blocks",operation="delete",outcome="error"} 0');
    expect(text).toContain('tessera_objstore_operations_total{bucket="ruler",operation="attributes",outcome="not_found"} 0');
  });
});
