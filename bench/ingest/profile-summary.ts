// Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): self time per function,
// heaviest first, so a run with --profile can name Tessera's hot spots.

import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of a profile. */
export interface HotSpot {
  /** `name (file:line)`, file relative to the repository when inside it. */
  where: string;
  selfMs: number;
  /** Share of all sampled time, 0..1. */
  share: number;
}

/** Self time per function of a profile file, heaviest first, at most `top` entries. */
export function hotSpots(file: string, top = 25): { totalMs: number; spots: HotSpot[] } {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  const repo = path.resolve(import.meta.dirname, '../..');
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    // A sample's time is the delta to the next sample; the last one has none.
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (node === undefined) continue;
    const f = node.callFrame;
    let file = f.url.replace(/^file:\/\//, '');
    if (file.startsWith(repo)) file = path.relative(repo, file);
    const where = file === '' ? f.functionName || '(anonymous)' : `${f.functionName || '(anonymous)'} (${file}:${f.lineNumber + 1})`;
    selfUs.set(where, (selfUs.get(where) ?? 0) + dt);
    totalUs += dt;
  }
  const spots = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, spots };
}

/** The newest `.cpuprofile` in a directory, or null. */
export function newestProfile(dir: string): string | null {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}

// Standalone use: node bench/ingest/profile-summary.ts <file.cpuprofile> [top]
if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const { totalMs, spots } = hotSpots(file, top === undefined ? 25 : Number(top));
  process.stdout.write(`total sampled ${(totalMs / 1000).toFixed(1)} s\n`);
  for (const s of spots) process.stdout.write(`${(s.share * 100).toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(7)} ms  ${s.where}\n`);
}
