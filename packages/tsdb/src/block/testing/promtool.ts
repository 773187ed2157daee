/**
 * Test-only helpers to run Debian's `promtool tsdb …` against block directories and parse what
 * it prints (Prometheus 2.42's formats). Not exported from the package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The promtool binary: Debian's, unless TESSERA_PROMTOOL names another. */
export const PROMTOOL = process.env.TESSERA_PROMTOOL ?? '/usr/bin/promtool';

/** promtool's version line, or null when it is not installed. */
export function promtoolVersion(): string | null {
  if (!existsSync(PROMTOOL)) return null;
  const r = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout + r.stderr).split('\n')[0]! : null;
}

/** Runs promtool; throws with its output on a non-zero exit. */
export function promtool(args: string[]): string {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`promtool ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A row of `promtool tsdb list`. */
export interface ListedBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  numSamples: number;
  numChunks: number;
  numSeries: number;
}

/**
 * `promtool tsdb list <db>`: a header, then per block `ULID MIN_TIME MAX_TIME DURATION
 * NUM_SAMPLES NUM_CHUNKS NUM_SERIES SIZE` separated by runs of spaces.
 */
export function listBlocks(db: string): ListedBlock[] {
  const lines = promtool(['tsdb', 'list', db]).split('\n').filter((l) => l.trim() !== '');
  if (!lines[0]?.startsWith('BLOCK ULID')) throw new Error(`unexpected promtool tsdb list output: ${lines[0]}`);
  return lines.slice(1).map((l) => {
    const f = l.trim().split(/\s+/);
    return {
      ulid: f[0]!,
      minTime: Number(f[1]),
      maxTime: Number(f[2]),
      numSamples: Number(f[4]),
      numChunks: Number(f[5]),
      numSeries: Number(f[6]),
    };
  });
}

/** One line of `promtool tsdb dump`: `{labels} value timestamp`. */
export interface DumpedSample {
  labels: string;
  /** The value as printed (Go's %g: shortest round-trip form, NaN, +Inf, -Inf). */
  value: string;
  t: number;
}

/**
 * `promtool tsdb dump --min-time … --max-time … <db>` (both bounds inclusive). The dump opens
 * the directory as a read-only TSDB, which needs a `wal/` directory (empty is fine): it is
 * created if missing.
 */
export function dumpSamples(db: string, minTime: number, maxTime: number): DumpedSample[] {
  mkdirSync(join(db, 'wal'), { recursive: true });
  const out = promtool(['tsdb', 'dump', `--min-time=${minTime}`, `--max-time=${maxTime}`, db]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const sp2 = l.lastIndexOf(' ');
      const sp1 = l.lastIndexOf(' ', sp2 - 1);
      return { labels: l.slice(0, sp1), value: l.slice(sp1 + 1, sp2), t: Number(l.slice(sp2 + 1)) };
    });
}

/** Parses a value as Go's %g prints it. */
export function parseGoFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`not a Go float: ${s}`);
  return v;
}
