/**
 * Test support: runs Debian's `prometheus-alertmanager` (or `$TESSERA_ALERTMANAGER`) as a child
 * process on 127.0.0.1, for comparisons with the real thing and end-to-end tests. Tests skip with
 * a notice when the binary is absent, and fail when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary used. */
export const ALERTMANAGER_BIN = process.env['TESSERA_ALERTMANAGER'] ?? '/usr/bin/prometheus-alertmanager';

/** True when the binary is there. */
export function alertmanagerAvailable(): boolean {
  try {
    accessSync(ALERTMANAGER_BIN, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A running Alertmanager. */
export interface RealAlertmanager {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What it printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the Alertmanager with `configYaml` (clustering off) and waits until it is ready. */
export async function startRealAlertmanager(configYaml: string): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--web.external-url=${url}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => out, stop };
}
