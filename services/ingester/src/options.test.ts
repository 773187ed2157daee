import { describe, expect, it } from 'vitest';
import { loadConfig } from '@tessera/server';
import { flushConfigFromOptions, ingesterStorageOptions } from './options.ts';

describe('ingester storage options', () => {
  it('defaults: ship every minute, check every minute, no flush on shutdown', () => {
    expect(flushConfigFromOptions(ingesterStorageOptions.defaults())).toEqual({
      shipIntervalMs: 60_000,
      headCompactionIntervalMs: 60_000,
      flushOnShutdown: false,
      keepShippedMs: 180_000,
    });
  });

  it.each([['-ingester.flush-on-shutdown'], ['-blocks-storage.tsdb.flush-blocks-on-shutdown=true']])('%s enables the flush on shutdown', (flag) => {
    const v = loadConfig(ingesterStorageOptions, [flag]);
    expect(flushConfigFromOptions(v).flushOnShutdown).toBe(true);
  });

  it('ship interval 0 disables shipping', () => {
    const v = loadConfig(ingesterStorageOptions, ['-blocks-storage.tsdb.ship-interval=0s']);
    expect(flushConfigFromOptions(v).shipIntervalMs).toBe(0);
  });
});
