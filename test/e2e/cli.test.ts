/**
 * End-to-end: the real `tessera` command as a child process — exit codes and messages for bad
 * flags, `-help`, the YAML config file and flag precedence, and a clean stop on SIGTERM/SIGINT
 * that keeps every acknowledged sample across a restart on the same data directory.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  listSeries,
  makeTempDir,
  push,
  removeDir,
  runCli,
  spawnCli,
  waitReady,
  within,
  writeTempFile,
  type CliProcess,
} from './helpers.ts';

const NOW = Date.now();
const LOCAL = '-server.http-listen-address=127.0.0.1';

let dir: string;
const running: CliProcess[] = [];

/** Starts the CLI and remembers it, so a failing test never leaves a process behind. */
function start(args: string[]): CliProcess {
  const p = spawnCli(args);
  running.push(p);
  return p;
}

beforeAll(async () => {
  dir = await makeTempDir('tessera-cli-');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

afterAll(async () => {
  await removeDir(dir);
});

describe('command line errors', () => {
  it('an unknown flag exits 1 and names the flag', async () => {
    const r = await runCli(['-no.such-flag=1', `-data.dir=${dir}/unused`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown flag -no\.such-flag/);
    expect(r.stdout).toBe('');
  });

  it('a bad value exits 1 and names the option and the value', async () => {
    const r = await runCli(['-server.http-listen-port=abc', `-data.dir=${dir}/unused`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-server\.http-listen-port/);
    expect(r.stderr).toMatch(/"abc"/);
  });

  it('every problem is reported at once', async () => {
    const r = await runCli(['-no.such-flag=1', '-server.http-listen-port=99999', '-log.level=loud']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-no\.such-flag/);
    expect(r.stderr).toMatch(/-server\.http-listen-port/);
    expect(r.stderr).toMatch(/-log\.level/);
  });

  it('a bad value in the YAML file exits 1 naming the key and the file', async () => {
    const file = await writeTempFile(dir, 'bad.yaml', 'server:\n  http_listen_port: nope\n');
    const r = await runCli([`-config.file=${file}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/server\.http_listen_port/);
    expect(r.stderr).toContain(file);
  });

  it('a missing config file exits 1 naming the file', async () => {
    const r = await runCli([`-config.file=${dir}/does-not-exist.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does-not-exist.yaml');
  });

  it('a port already in use exits 1 naming the address', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli([LOCAL, `-server.http-listen-port=${port}`, `-data.dir=${dir}/busy`, '-log.level=warn']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/EADDRINUSE|address already in use/);
      expect(r.stderr).toContain(String(port));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('-help', () => {
  it.each(['-help', '--help', '-h'])('%s prints usage to stdout and exits 0', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tessera/);
    for (const f of ['-server.http-listen-port', '-auth.enabled', '-data.dir', '-config.file', '-distributor.ingestion-rate-limit']) {
      expect(r.stdout).toContain(f);
    }
    expect(r.stderr).toBe('');
  });
});

describe('YAML config file', () => {
  it('sets the port and auth_enabled: false; a flag overrides the port', async () => {
    const yamlPort = await freePort();
    const file = await writeTempFile(
      dir,
      'config.yaml',
      `auth_enabled: false\nserver:\n  http_listen_address: 127.0.0.1\n  http_listen_port: ${yamlPort}\n  log_level: warn\ndata:\n  dir: ${dir}/yaml-data\n`,
    );

    const fromYaml = start([`-config.file=${file}`]);
    const url = `http://127.0.0.1:${yamlPort}`;
    await waitReady(url, fromYaml);
    // auth_enabled: false — no X-Scope-OrgID needed, and any given is ignored.
    const series = { labels: { __name__: 'from_yaml', job: 'cli' }, samples: [[NOW - 1000, 1]] as [number, number][] };
    const pushed = await push(url, [series], { tenant: undefined });
    expect(pushed.status, pushed.text).toBe(200);
    expect(await listSeries(url, undefined)).toEqual([series.labels]);
    expect(await listSeries(url, 'whoever')).toEqual([series.labels]);
    fromYaml.child.kill('SIGTERM');
    expect(await within(fromYaml.exited, 5000, 'stop')).toEqual({ code: 0, signal: null });

    const flagPort = await freePort();
    const overridden = start([`-config.file=${file}`, `-server.http-listen-port=${flagPort}`]);
    await waitReady(`http://127.0.0.1:${flagPort}`, overridden);
    // The YAML port is not used, the rest of the file still is (auth off, same data directory).
    await expect(fetch(`${url}/ready`)).rejects.toThrow();
    expect(await listSeries(`http://127.0.0.1:${flagPort}`, undefined)).toEqual([series.labels]);
    overridden.child.kill('SIGTERM');
    expect(await within(overridden.exited, 5000, 'stop')).toEqual({ code: 0, signal: null });
  });
});

describe('stopping', () => {
  it('SIGKILL right after a 2xx loses no acknowledged sample', async () => {
    const dataDir = `${dir}/kill`;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [LOCAL, `-server.http-listen-port=${port}`, `-data.dir=${dataDir}`, '-log.level=warn', '-blocks-storage.tsdb.wal-fsync-interval=1h'];
    const first = start(args);
    await waitReady(url, first);
    const labels = { __name__: 'acked_metric', job: 'cli' };
    const pushed = await push(url, [{ labels, samples: [[NOW - 1000, 7]] }], { tenant: 'acked' });
    expect(pushed.status, pushed.text).toBe(200);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = start(args);
    await waitReady(url, second);
    expect(await listSeries(url, 'acked')).toEqual([labels]);
    const conflicting = await push(url, [{ labels, samples: [[NOW - 1000, 8]] }], { tenant: 'acked' });
    expect(conflicting.text, 'the replayed sample keeps its value').toMatch(/sample-duplicate-timestamp/);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s exits 0 within seconds and keeps the data for a restart', async (signal) => {
    const dataDir = `${dir}/stop-${signal}`;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [LOCAL, `-server.http-listen-port=${port}`, `-data.dir=${dataDir}`, '-log.level=warn'];
    const tenant = 'durable';
    // A long fsync interval: no periodic fsync happens while the test runs; stopping must flush.
    const first = start([...args, '-blocks-storage.tsdb.wal-fsync-interval=1h']);
    await waitReady(url, first);

    const series = Array.from({ length: 20 }, (_, i) => ({
      labels: { __name__: 'durable_metric', i: String(i).padStart(2, '0') },
      samples: [[NOW - 2000, i], [NOW - 1000, i + 1]] as [number, number][],
    }));
    const pushed = await push(url, series, { tenant });
    expect(pushed.status, pushed.text).toBe(200);
    const before = await listSeries(url, tenant);
    expect(before).toHaveLength(20);

    const t0 = Date.now();
    first.child.kill(signal);
    expect(await within(first.exited, 5000, `exit after ${signal}`)).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(first.stderr()).toBe('');

    const second = start(args);
    await waitReady(url, second);
    expect(await listSeries(url, tenant)).toEqual(before);
    // The replayed samples kept their values: a different value at the newest replayed timestamp
    // is a conflict, the same value an accepted resend; newer samples append.
    const conflicting = await push(url, [{ labels: series[0]!.labels, samples: [[NOW - 1000, 42]] }], { tenant });
    expect(conflicting.status, conflicting.text).toBe(400);
    expect(conflicting.text).toMatch(/sample-duplicate-timestamp/);
    const again = await push(url, series.map((s) => ({ labels: s.labels, samples: [[NOW - 1000, Number(s.labels.i) + 1], [NOW, 0]] as [number, number][] })), { tenant });
    expect(again.status, again.text).toBe(200);
    second.child.kill('SIGTERM');
    expect(await within(second.exited, 5000, 'second stop')).toEqual({ code: 0, signal: null });
  });
});
