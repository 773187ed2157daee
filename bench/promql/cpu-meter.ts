// CPU accounting of a measurement on a shared machine: the targets (all threads, from /proc),
// this client process, and everything else (the machine's busy time minus both), so that a
// figure taken while other processes ran can be recognised, waited out and measured again.

import { readCpuSeconds, readMachineCpuSeconds } from '../ingest/targets.ts';

/** Cores used over a measured interval. */
export interface CpuUse {
  wallS: number;
  /** The targets' CPU seconds ÷ wall seconds (every thread, worker threads included). */
  targetCores: number;
  clientCores: number;
  /** Everything else on the machine; the noise figure. */
  otherCores: number;
  /** Stolen by the hypervisor. */
  stealCores: number;
}

/** Other processes above this many cores make a measurement noisy (the ingest bench's threshold). */
export const MAX_OTHER_CORES = 0.2;
/** Hypervisor steal above this many cores makes a measurement noisy. */
export const MAX_STEAL_CORES = 0.1;

/** Whether a measurement shared the machine with too much else. */
export function isNoisy(u: CpuUse): boolean {
  return u.otherCores > MAX_OTHER_CORES || u.stealCores > MAX_STEAL_CORES;
}

/** A started measurement; {@link CpuMeter.stop} reads the interval. */
export class CpuMeter {
  readonly #pids: readonly number[];
  readonly #t0: number;
  readonly #target0: number;
  readonly #client0: NodeJS.CpuUsage;
  readonly #machine0: { busy: number; steal: number };

  /** Starts measuring; `pids` are the targets' processes. */
  constructor(pids: readonly number[]) {
    this.#pids = pids;
    this.#t0 = performance.now();
    this.#target0 = this.#targets();
    this.#client0 = process.cpuUsage();
    this.#machine0 = readMachineCpuSeconds();
  }

  #targets(): number {
    let s = 0;
    for (const pid of this.#pids) s += readCpuSeconds(pid);
    return s;
  }

  /** Cores used since the constructor ran. */
  stop(): CpuUse {
    const target = this.#targets() - this.#target0;
    const c = process.cpuUsage(this.#client0);
    const client = (c.user + c.system) / 1e6;
    const m = readMachineCpuSeconds();
    const wallS = (performance.now() - this.#t0) / 1000;
    return {
      wallS,
      targetCores: target / wallS,
      clientCores: client / wallS,
      otherCores: Math.max(0, m.busy - this.#machine0.busy - target - client) / wallS,
      stealCores: (m.steal - this.#machine0.steal) / wallS,
    };
  }
}

/**
 * Waits until other processes use at most {@link MAX_OTHER_CORES} over a `windowS` window (the
 * targets idle meanwhile), or `timeoutS` passes. Resolves with the last window's figures.
 */
export async function waitForQuiet(pids: readonly number[], windowS: number, timeoutS: number, log: (s: string) => void): Promise<CpuUse> {
  const started = performance.now();
  const deadline = started + timeoutS * 1000;
  let lastLog = -Infinity;
  for (;;) {
    const meter = new CpuMeter(pids);
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const u = meter.stop();
    if (!isNoisy(u) || performance.now() > deadline) return u;
    // One line every 30 s at most: a long wait should not flood the output.
    if (performance.now() - lastLog >= 30_000) {
      lastLog = performance.now();
      log(`   machine busy (other processes ${u.otherCores.toFixed(2)} cores, steal ${u.stealCores.toFixed(2)}); waiting (${((lastLog - started) / 1000).toFixed(0)} of at most ${timeoutS} s)…`);
    }
  }
}
