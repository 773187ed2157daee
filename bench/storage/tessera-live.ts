/**
 * Tessera's real write path for the node_exporter source: the `tessera` command as a child
 * process (single process, filesystem bucket, `-ingester.flush-on-shutdown=true`), one
 * remote-write request per scrape as the scrape comes in (what a Prometheus remote-writing its
 * scrapes sends), and on SIGTERM the ingester cuts every head range into blocks and uploads them:
 * the blocks measured are the ones in the bucket.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUlid } from '@tessera/tsdb';
import { encodeWriteRequest, snappyCompress, type TimeSeriesObject } from '@tessera/remotewrite';
import { TESSERA_NODE_FLAGS } from '@tessera/tessera';
import { freePort, httpGet } from '../ingest/targets.ts';
import type { Scrape } from './scrape.ts';

const TESSERA_MAIN = fileURLToPath(new URL('../../services/tessera/bin/tessera.mjs', import.meta.url));
const TENANT = 'anonymous';

/** A running Tessera fed by remote write. */
export interface LiveTessera {
  port: number;
  bucketDir: string;
  /** Pushes one scrape (labels from `labels`); throws unless Tessera answers 2xx. */
  push(s: Scrape, labels: Array<Array<[string, string]>>): Promise<void>;
  /** SIGTERM (flush on shutdown), waits for the exit, returns the block directories in the bucket. */
  stopAndListBlocks(): Promise<string[]>;
  /** Kills the process if it is still running (error paths). */
  kill(): void;
}

/** Starts Tessera on fresh directories under `dir`. */
export async function startLiveTessera(dir: string): Promise<LiveTessera> {
  const port = await freePort();
  const bucketDir = join(dir, 'bucket');
  const child = spawn(process.execPath, [
    ...TESSERA_NODE_FLAGS, TESSERA_MAIN,
    '-auth.enabled=false', `-data.dir=${join(dir, 'data')}`, '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${port}`, '-log.level=warn', '-ingester.flush-on-shutdown=true',
    '-blocks-storage.backend=filesystem', `-blocks-storage.filesystem.dir=${bucketDir}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (c: Buffer): void => { tail = (tail + c.toString('utf8')).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => {
    exited = true;
    exitCode = code;
    resolve();
  }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`tessera exited during start-up:\n${tail}`);
    try {
      if ((await httpGet(port, '/ready', 2000)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tessera not ready after 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const labelObjects = new Map<number, Array<{ name: string; value: string }>>();
  return {
    port,
    bucketDir,
    async push(s, labels) {
      const timeseries: TimeSeriesObject[] = s.series.map((i, k) => {
        let ls = labelObjects.get(i);
        if (ls === undefined) {
          ls = labels[i]!.map(([name, value]) => ({ name, value }));
          labelObjects.set(i, ls);
        }
        return { labels: ls, samples: [{ value: s.values[k]!, timestamp: s.t }], exemplars: [], histograms: [] };
      });
      const body = snappyCompress(encodeWriteRequest({ timeseries, metadata: [] }));
      const { status, text } = await post(port, '/api/v1/push', body);
      if (status < 200 || status > 299) throw new Error(`push of scrape ${s.round} answered ${status}: ${text}`);
    },
    async stopAndListBlocks() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      await exit;
      clearTimeout(timer);
      if (exitCode !== 0) throw new Error(`tessera exited with ${exitCode}:\n${tail}`);
      const tenantDir = join(bucketDir, TENANT);
      return (await readdir(tenantDir)).filter(isUlid).map((u) => join(tenantDir, u));
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

function post(port: number, path: string, body: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path, method: 'POST', agent: false, timeout: 30_000,
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0', 'Content-Length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
