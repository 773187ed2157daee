import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConfigError, type ConfigError } from '@tessera/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './limits.ts';
import { RuntimeOverrides, type ReloadEvent, type RuntimeOverridesOptions } from './runtime-overrides.ts';

const PERIOD_MS = 25;

let dir: string;
let file: string;
let running: RuntimeOverrides[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-runtime-'));
  file = join(dir, 'runtime.yaml');
});

afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A started instance with a recording logger, stopped after the test. */
async function started(options: Partial<RuntimeOverridesOptions> = {}) {
  const warnings: string[] = [];
  const errors: ConfigError[] = [];
  const events: ReloadEvent[] = [];
  const overrides = new RuntimeOverrides({
    defaults: DEFAULT_LIMITS,
    file,
    reloadPeriodMs: PERIOD_MS,
    logger: { info() {}, warn: (fields) => warnings.push(JSON.stringify(fields)) },
    onReloadError: (e) => errors.push(e),
    ...options,
  });
  overrides.onReload((e) => events.push(e));
  running.push(overrides);
  await overrides.start();
  return { overrides, warnings, errors, events };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RuntimeOverrides', () => {
  it('gives defaults to everyone without a file', async () => {
    const { overrides } = await started({ file: '' });
    expect(overrides.forTenant('anyone')).toEqual(DEFAULT_LIMITS);
    expect(await overrides.reload()).toBe('unchanged');
  });

  it('applies a tenant override with a duration string, and defaults to unknown tenants', async () => {
    writeFileSync(file, 'overrides:\n  team-a:\n    creation_grace_period: 1h\n    ingestion_rate: 500\n');
    const { overrides } = await started();
    expect(overrides.forTenant('team-a').creationGracePeriod).toBe(3_600_000);
    expect(overrides.forTenant('team-a').ingestionBurstSize).toBe(500);
    expect(overrides.forTenant('team-b')).toEqual(DEFAULT_LIMITS);
    expect(overrides.tenantsWithOverrides()).toEqual(['team-a']);
  });

  it('returns the same cached object on every lookup until a reload replaces it', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 1\n');
    const { overrides, events } = await started();
    const first = overrides.forTenant('a');
    expect(overrides.forTenant('a')).toBe(first);
    expect(overrides.forTenant('x')).toBe(overrides.forTenant('y'));
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 22\n');
    await waitFor(() => events.length > 0, 'reload');
    expect(overrides.forTenant('a')).not.toBe(first);
    expect(first.ingestionRate).toBe(1); // a caller holding the old object keeps a consistent view
  });

  it('picks up a rewritten file within the reload period and reports what changed', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    max_global_series_per_user: 10\n  b:\n    max_global_series_per_user: 20\n');
    const { overrides, events } = await started();
    expect(overrides.forTenant('a').maxGlobalSeriesPerUser).toBe(10);

    writeFileSync(file, 'overrides:\n  a:\n    max_global_series_per_user: 10\n  c:\n    max_global_series_per_metric: 3\n');
    await waitFor(() => events.length > 0, 'reload');
    expect(overrides.forTenant('b').maxGlobalSeriesPerUser).toBe(0);
    expect(overrides.forTenant('c').maxGlobalSeriesPerMetric).toBe(3);
    expect(events[0]!.tenants).toEqual(['a', 'c']);
    expect(events[0]!.changedTenants).toEqual(['b', 'c']);
    expect(events[0]!.hash).toBe(overrides.configHash);
  });

  it('notices a same-size rewrite right after a read', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 100\n');
    const { overrides, events } = await started();
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 200\n');
    await waitFor(() => events.length > 0, 'reload');
    expect(overrides.forTenant('a').ingestionRate).toBe(200);
  });

  it('keeps the old overrides when a rewrite is invalid, reports it once, and recovers', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 100\n');
    const { overrides, warnings, errors, events } = await started();

    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: fast\n');
    await waitFor(() => errors.length > 0, 'reload failure');
    expect(overrides.forTenant('a').ingestionRate).toBe(100);
    expect(overrides.lastReloadSuccessful).toBe(false);
    expect(errors[0]!.message).toContain('for ingestion_rate (flag -distributor.ingestion-rate-limit) of tenant "a" in runtime config');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('of tenant \\"a\\"');

    await sleep(PERIOD_MS * 6);
    expect(errors).toHaveLength(1); // the same bad file is not reported on every period
    expect(overrides.reloadFailures).toBe(1);

    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 300\n');
    await waitFor(() => events.length > 0, 'reload');
    expect(overrides.forTenant('a').ingestionRate).toBe(300);
    expect(overrides.lastReloadSuccessful).toBe(true);
  });

  it('keeps the old overrides when the file disappears', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 100\n');
    const { overrides, errors } = await started();
    unlinkSync(file);
    await waitFor(() => errors.length > 0, 'reload failure');
    expect(errors[0]!.message).toMatch(/^cannot read runtime config .*ENOENT/);
    expect(overrides.forTenant('a').ingestionRate).toBe(100);
    await sleep(PERIOD_MS * 6);
    expect(errors).toHaveLength(1); // a lasting failure is reported once, not on every period
  });

  it('fails to start on an invalid file, naming tenant and key', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    max_series: 5\n');
    const err = await started().then(() => undefined, (e: unknown) => e);
    expect(isConfigError(err)).toBe(true);
    expect((err as ConfigError).message).toBe(`unknown key "max_series" of tenant "a" in runtime config ${file}`);
  });

  it('fails to start when the file is missing', async () => {
    const err = await started().then(() => undefined, (e: unknown) => e);
    expect(isConfigError(err)).toBe(true);
    expect((err as ConfigError).message).toMatch(/^cannot read runtime config .*runtime\.yaml: ENOENT/);
  });

  it('rejects invalid defaults at construction', () => {
    expect(() => new RuntimeOverrides({ defaults: { ...DEFAULT_LIMITS, maxQueryParallelism: -1 } })).toThrow(/-querier\.max-query-parallelism/);
  });

  it('stops reloading after stop()', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 100\n');
    const { overrides, events } = await started();
    await overrides.stop();
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 999\n');
    await sleep(PERIOD_MS * 6);
    expect(events).toHaveLength(0);
    expect(overrides.forTenant('a').ingestionRate).toBe(100);
  });

  it('reloads on demand with reload()', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 100\n');
    const { overrides } = await started({ reloadPeriodMs: 3_600_000 });
    expect(await overrides.reload()).toBe('unchanged');
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 7\n  b: {}\n');
    expect(await overrides.reload()).toBe('reloaded');
    expect(overrides.forTenant('a').ingestionRate).toBe(7);
  });
});
