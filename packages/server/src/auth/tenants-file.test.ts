import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '../logger.ts';
import { isConfigError } from '../config/config-error.ts';
import { TenantsFile } from './tenants-file.ts';

let dir: string;
let path: string;
const started: TenantsFile[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-auth-'));
  path = join(dir, 'tenants.yaml');
});
afterEach(async () => {
  for (const f of started.splice(0)) await f.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A logger that keeps every JSON line pino writes. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => string } {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines: () => out };
}

async function start(text: string, opts: { reloadPeriodMs?: number; registry?: Registry } = {}) {
  await writeFile(path, text);
  const cap = capturingLogger();
  const f = new TenantsFile({ file: path, logger: cap.logger, ...opts });
  started.push(f);
  await f.start();
  return { f, logs: cap.lines };
}

/** Replaces the file atomically, as operators are told to (write a temporary file, rename). */
async function replace(text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

const tenantOf = (f: TenantsFile, header: string): string | undefined => {
  const r = f.authenticate(header);
  return r.ok ? r.tenant : undefined;
};

describe('TenantsFile', () => {
  it('refuses to start with a missing or invalid file, without showing secrets', async () => {
    const missing = new TenantsFile({ file: join(dir, 'nope.yaml') });
    await expect(missing.start()).rejects.toThrow(/cannot read tenants file .*nope\.yaml/);
    await writeFile(path, 'tenants:\n  a: {bearer_tokens: ["s3cret token"]}\n');
    const bad = new TenantsFile({ file: path });
    const err = await bad.start().then(() => undefined, (e: unknown) => e);
    expect(isConfigError(err)).toBe(true);
    expect((err as Error).message).toMatch(/bearer_tokens\[0\]/);
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('lets nobody in before start', () => {
    expect(new TenantsFile({ file: path }).authenticate('Bearer anything')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('applies a good reload: a new token works, a removed one stops working', async () => {
    const { f, logs } = await start('tenants:\n  a: {bearer_tokens: [old-tok]}\n');
    expect(tenantOf(f, 'Bearer old-tok')).toBe('a');
    await replace('tenants:\n  a: {bearer_tokens: [new-tok]}\n  b: {bearer_tokens: [b-tok]}\n');
    expect(await f.reload()).toBe('reloaded');
    expect(tenantOf(f, 'Bearer old-tok')).toBeUndefined();
    expect(tenantOf(f, 'Bearer new-tok')).toBe('a');
    expect(tenantOf(f, 'Bearer b-tok')).toBe('b');
    expect(f.tenants).toEqual(['a', 'b']);
    expect(logs()).toContain('"msg":"tenants file reloaded"');
    expect(logs()).not.toMatch(/old-tok|new-tok|b-tok/);
  });

  it('keeps the previous credentials after a bad reload and warns once, without secrets', async () => {
    const registry = new Registry();
    const { f, logs } = await start('tenants:\n  a: {bearer_tokens: [good-tok]}\n', { registry });
    const hash = f.hash;
    // A token listed twice and a malformed digest: both messages are about secrets.
    await replace('tenants:\n  a: {bearer_tokens: [leaked-tok]}\n  b: {bearer_tokens: [leaked-tok], bearer_token_sha256: [leaked-digest]}\n');
    expect(await f.reload()).toBe('failed');
    expect(f.lastReloadSuccessful).toBe(false);
    expect(f.hash).toBe(hash);
    expect(tenantOf(f, 'Bearer good-tok')).toBe('a');
    expect(tenantOf(f, 'Bearer leaked-tok')).toBeUndefined();
    expect(await f.reload()).toBe('failed'); // the same bad file: still failed, but no second warning

    const warnings = logs().split('\n').filter((l) => l.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('tenants file reload failed; keeping the previous credentials');
    expect(warnings[0]).toContain('repeats a bearer token of tenant \\"a\\"');
    expect(logs()).not.toMatch(/leaked-|good-tok/);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tessera_auth_tenants_file_last_reload_successful 0/);
    expect(metrics).toMatch(/tessera_auth_tenants_file_reloads_total\{result="failure"\} 1/);

    // A deleted file is a failure too; fixing the file recovers.
    await rm(path);
    expect(await f.reload()).toBe('failed');
    expect(tenantOf(f, 'Bearer good-tok')).toBe('a');
    await replace('tenants:\n  a: {bearer_tokens: [fixed-tok]}\n');
    expect(await f.reload()).toBe('reloaded');
    expect(f.lastReloadSuccessful).toBe(true);
    expect(tenantOf(f, 'Bearer fixed-tok')).toBe('a');
    expect(await registry.metrics()).toMatch(/tessera_auth_tenants_file_last_reload_successful 1/);
  });

  it('refuses an emptied file (as during a non-atomic write) and keeps the old credentials', async () => {
    const { f } = await start('tenants:\n  a: {bearer_tokens: [tok]}\n');
    await writeFile(path, '');
    expect(await f.reload()).toBe('failed');
    expect(tenantOf(f, 'Bearer tok')).toBe('a');
  });

  it('treats a rewrite with the same content as no change', async () => {
    const text = 'tenants:\n  a: {bearer_tokens: [tok]}\n';
    const { f } = await start(text);
    await replace(text);
    expect(await f.reload()).toBe('unchanged');
  });

  it('picks changes up by itself every period', async () => {
    const { f } = await start('tenants:\n  a: {bearer_tokens: [one]}\n', { reloadPeriodMs: 20 });
    await replace('tenants:\n  a: {bearer_tokens: [two]}\n');
    const deadline = Date.now() + 5_000;
    while (tenantOf(f, 'Bearer two') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(tenantOf(f, 'Bearer two')).toBe('a');
    expect(tenantOf(f, 'Bearer one')).toBeUndefined();
  });

  it('rejects an empty file name and a non-positive period', () => {
    expect(() => new TenantsFile({ file: '' })).toThrow(/must name a file/);
    expect(() => new TenantsFile({ file: path, reloadPeriodMs: 0 })).toThrow(/-auth\.tenants-file-reload-period/);
  });
});

describe('root logger redaction', () => {
  it('censors Authorization (and cookies) in any logged headers object', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ req: { headers: { authorization: 'Bearer top-secret-1', 'x-scope-orgid': 'team-a' } } }, 'request');
    logger.info({ headers: { authorization: 'Basic dG9wLXNlY3JldC0y', cookie: 'top-secret-5' } }, 'plain');
    logger.child({ component: 'x' }).warn({ err: { request: { headers: { authorization: 'Bearer top-secret-3', cookie: 'sid=top-secret-4' } } } }, 'nested');
    const out = lines();
    expect(out).not.toMatch(/top-secret|dG9wLXNlY3JldC0y/);
    expect(out.match(/\[redacted\]/g)).toHaveLength(5);
    expect(out).toContain('"x-scope-orgid":"team-a"');
  });
});
