/**
 * Crash safety of the write path: a load generator pushes concurrently to a Tessera child process
 * and records which requests were acknowledged; Tessera is SIGKILLed mid-stream, restarted on the
 * same data dir, pushed to again, killed again and restarted. Every sample of every acknowledged
 * request must then be in the head exactly once with its exact value, and nothing that was never
 * sent may be there. Samples of requests without a reply may or may not be present.
 *
 * Load shape: WORKERS loops, one request in flight each, over keep-alive connections. Worker w
 * owns SERIES_PER_WORKER series and sends them all in every request, SAMPLES_PER_SERIES samples
 * each with timestamps that continue from its previous request (also across restarts), so a
 * series' timestamps strictly increase in send order and no request is out of order.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Matcher } from '@tessera/model';
import { loadConfig } from '@tessera/server';
import { XorIterator } from '@tessera/chunkenc';
import { encodeWriteRequest, snappyCompress, type TimeSeriesObject } from '@tessera/remotewrite';
import { startTessera, tesseraOptions } from '@tessera/tessera';
import { fetchSeries, killAllChildren, spawnTessera, tempDir, type TesseraProcess } from './process-helpers.ts';

const TENANT = 'crash';
const METRIC = 'crash_load';
const WORKERS = 4;
const SERIES_PER_WORKER = 200;
const SAMPLES_PER_SERIES = 2; // 400 samples a request
const TOTAL_SERIES = WORKERS * SERIES_PER_WORKER;
/** Timestamps start a little in the past, well inside every ingestion window. */
const T0 = Date.now() - 5 * 60_000;

/** The value sent for series `s` at `t`: exact in float64, different for every (s, t). */
function valueOf(s: number, t: number): number {
  return ((s % 7) - 3) * 1e6 + s + (t - T0) * 0.125;
}

/** The label value naming series `s` (global index). */
function seriesName(s: number): string {
  return `s${String(s).padStart(4, '0')}`;
}

/** One push and what came of it. */
interface PushRecord {
  /** First timestamp of every series in the request; the others follow by 1 ms. */
  t0: number;
  /** 'ok': a 2xx reply; 'rejected': another HTTP status; 'lost': no reply (connection error). */
  outcome: 'pending' | 'ok' | 'rejected' | 'lost';
  status: number;
  sentAt: number;
  doneAt: number;
}

/** A load worker's state; it survives restarts so its timestamps keep increasing. */
interface Worker {
  index: number;
  nextT: number;
  pushes: PushRecord[];
  /** Labels of its series, built once. */
  labels: { name: string; value: string }[][];
}

function newWorker(index: number): Worker {
  const labels = [];
  for (let i = 0; i < SERIES_PER_WORKER; i++) {
    const s = index * SERIES_PER_WORKER + i;
    labels.push([
      { name: '__name__', value: METRIC },
      { name: 'series', value: seriesName(s) },
      { name: 'worker', value: String(index) },
    ]);
  }
  return { index, nextT: T0, pushes: [], labels };
}

/** The snappy-compressed WriteRequest of worker `w` starting at `t0`. */
function body(w: Worker, t0: number): Uint8Array {
  const timeseries: TimeSeriesObject[] = w.labels.map((labels, i) => {
    const s = w.index * SERIES_PER_WORKER + i;
    const samples = [];
    for (let k = 0; k < SAMPLES_PER_SERIES; k++) samples.push({ timestamp: t0 + k, value: valueOf(s, t0 + k) });
    return { labels, samples, exemplars: [], histograms: [] };
  });
  return snappyCompress(encodeWriteRequest({ timeseries, metadata: [] }));
}

/** Pushes from worker `w` to `url`, one request at a time, until a request gets no reply. */
async function runWorker(w: Worker, url: string): Promise<void> {
  for (;;) {
    const t0 = w.nextT;
    w.nextT += SAMPLES_PER_SERIES;
    const rec: PushRecord = { t0, outcome: 'pending', status: 0, sentAt: 0, doneAt: 0 };
    w.pushes.push(rec);
    const payload = body(w, t0);
    rec.sentAt = performance.now();
    try {
      const res = await fetch(`${url}/api/v1/push`, {
        method: 'POST',
        body: payload,
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Scope-OrgID': TENANT },
      });
      await res.arrayBuffer();
      rec.status = res.status;
      rec.outcome = res.ok ? 'ok' : 'rejected';
    } catch {
      rec.outcome = 'lost';
    }
    rec.doneAt = performance.now();
    if (rec.outcome === 'lost') return;
  }
}

/** Figures of one push-and-kill phase. */
interface PhaseResult {
  ok: number;
  rejected: number;
  lost: number;
  /** Requests sent before the kill that got no reply: they were in flight when it hit. */
  inFlightAtKill: number;
  pushMs: number;
}

/** Runs the workers against `proc` for `pushMs`, SIGKILLs it mid-stream, and waits for the workers. */
async function pushAndKill(workers: Worker[], proc: TesseraProcess, pushMs: number): Promise<PhaseResult> {
  const first = workers.map((w) => w.pushes.length);
  const running = workers.map((w) => runWorker(w, proc.url));
  await new Promise((r) => setTimeout(r, pushMs));
  const killedAt = performance.now();
  const exit = await proc.run.stop('SIGKILL');
  expect(exit.signal, proc.run.tail()).toBe('SIGKILL'); // it was running until the kill
  await Promise.all(running);
  const r: PhaseResult = { ok: 0, rejected: 0, lost: 0, inFlightAtKill: 0, pushMs };
  workers.forEach((w, i) => {
    for (const p of w.pushes.slice(first[i])) {
      if (p.outcome === 'ok') r.ok++;
      else if (p.outcome === 'rejected') r.rejected++;
      else {
        r.lost++;
        if (p.sentAt < killedAt) r.inFlightAtKill++;
      }
    }
  });
  return r;
}

/** Asserts the restarted process replayed the WAL and serves every series again. */
async function checkRestart(proc: TesseraProcess, ackedSamples: number): Promise<void> {
  const replayed = proc.run.jsonLines().find((l) => l.msg === 'WAL replayed' && l.tenant === TENANT);
  expect(replayed, `no 'WAL replayed' log line for tenant ${TENANT}\n${proc.run.tail()}`).toBeDefined();
  expect(replayed!.series).toBe(TOTAL_SERIES);
  expect(replayed!.samples as number).toBeGreaterThanOrEqual(ackedSamples);
  const series = await fetchSeries(proc.url, TENANT, `{__name__="${METRIC}"}`);
  expect(series).toHaveLength(TOTAL_SERIES);
  const names = new Set(series.map((s) => s.series));
  for (let s = 0; s < TOTAL_SERIES; s++) expect(names.has(seriesName(s))).toBe(true);
}

/** Samples of acknowledged requests so far. */
function ackedSamples(workers: Worker[]): number {
  let n = 0;
  for (const w of workers) for (const p of w.pushes) if (p.outcome === 'ok') n += SERIES_PER_WORKER * SAMPLES_PER_SERIES;
  return n;
}

describe('crash safety under SIGKILL', () => {
  const dirs: { remove(): void }[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) d.remove();
  });

  it('keeps every acknowledged sample exactly once across two kill/restart cycles', { timeout: 60_000 }, async () => {
    const tmp = tempDir('tessera-e2e-crash-');
    dirs.push(tmp);
    const dataDir = join(tmp.path, 'data');
    const workers = Array.from({ length: WORKERS }, (_, i) => newWorker(i));
    const phases: PhaseResult[] = [];
    const started = performance.now();

    let proc = await spawnTessera({ dataDir });
    for (const pushMs of [1800 + Math.floor(Math.random() * 700), 1800 + Math.floor(Math.random() * 700)]) {
      const phase = await pushAndKill(workers, proc, pushMs);
      phases.push(phase);
      expect(phase.rejected, 'every push that got an HTTP reply was a 2xx').toBe(0);
      expect(phase.ok).toBeGreaterThan(WORKERS * 10);
      // Usually 1–4 requests are in flight at the kill; under heavy CPU contention the kill can land
      // between requests, which proves less but is not a failure of Tessera.
      console.log(`crash phase: ${phase.ok} acknowledged, ${phase.inFlightAtKill} in flight at the kill`);
      proc = await spawnTessera({ dataDir });
      await checkRestart(proc, ackedSamples(workers));
    }
    const term = await proc.run.stop('SIGTERM');
    expect(term, proc.run.tail()).toEqual({ code: 0, signal: null });

    // Read the head back in-process and compare with what was sent and acknowledged.
    const h = await startTessera(
      loadConfig(tesseraOptions, [`-data.dir=${dataDir}`, '-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', '-log.level=warn']),
    );
    let samplesFound = 0;
    let unacked = 0;
    try {
      const head = h.ingester.head(TENANT);
      expect(head).toBeDefined();
      expect(head!.numSeries).toBe(TOTAL_SERIES);
      const all = head!.select([Matcher.create('=', '__name__', METRIC)], -Infinity, Infinity);
      expect(all).toHaveLength(TOTAL_SERIES);
      const it = new XorIterator();
      const seen = new Set<number>();
      for (const ms of all) {
        const labels = head!.labelsOf(ms).toObject();
        const w = workers[Number(labels.worker)]!;
        const s = Number(labels.series!.slice(1));
        expect(labels).toEqual({ __name__: METRIC, series: seriesName(s), worker: String(w.index) });
        expect(Math.floor(s / SERIES_PER_WORKER)).toBe(w.index);
        expect(seen.has(s)).toBe(false);
        seen.add(s);

        // Walk the series' samples and the worker's pushes together, both in timestamp order.
        const pushes = w.pushes;
        let j = 0;
        let lastT = -Infinity;
        let ackedHere = 0;
        const where = (t: number): string => `series ${seriesName(s)} at t0+${t - T0}`;
        ms.forEachChunk(-Infinity, Infinity, (bytes) => {
          it.reset(bytes);
          while (it.next()) {
            const t = it.t;
            if (!(t > lastT)) expect.fail(`${where(t)}: timestamp not after the previous one (t0+${lastT - T0}): duplicate or disorder`);
            lastT = t;
            while (j < pushes.length && pushes[j]!.t0 + SAMPLES_PER_SERIES <= t) j++;
            const p = pushes[j];
            if (p === undefined || p.t0 > t) expect.fail(`${where(t)}: a sample that was never sent`);
            if (!Object.is(it.v, valueOf(s, t))) expect.fail(`${where(t)}: value ${it.v}, sent ${valueOf(s, t)}`);
            if (p.outcome === 'ok') ackedHere++;
            else unacked++;
            samplesFound++;
          }
          expect(it.err).toBeNull();
        });
        // Timestamps are distinct and each lies in one push, so the counts match only if none is missing.
        const ackedExpected = pushes.filter((p) => p.outcome === 'ok').length * SAMPLES_PER_SERIES;
        if (ackedHere !== ackedExpected) {
          const missing = pushes.filter((p) => p.outcome === 'ok').map((p) => p.t0 - T0);
          expect.fail(`series ${seriesName(s)}: ${ackedExpected - ackedHere} acknowledged samples missing (acked pushes at t0+${missing.slice(0, 5).join(',')}…)`);
        }
      }
    } finally {
      await h.stop();
    }
    const totalMs = Math.round(performance.now() - started);
    console.info(
      `[e2e] crash safety: ${JSON.stringify(phases)}; ${samplesFound} samples verified ` +
        `(${ackedSamples(workers)} acknowledged, ${unacked} from pushes without a reply); ${totalMs} ms`,
    );
  });
});
