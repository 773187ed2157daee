/**
 * Merging one series' chunks from several blocks into one time-ordered, non-overlapping list (the
 * shape every ChunkReader answer has). Consecutive blocks' chunks are simply concatenated;
 * overlapping ones (the replicas' copies of the same range before the compactor merged them, or
 * any other overlap) are decoded and re-encoded with each timestamp once: the sample of the
 * earliest list wins, lists being in block order, so the choice is deterministic.
 */
import { MAX_SAMPLES_PER_CHUNK, XorAppender, XorIterator } from '@tessera/chunkenc';
import type { ChunkData } from '@tessera/ingester';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decodes overlapping chunks (in priority order) into one chunk list without duplicate timestamps. */
function mergeOverlapping(group: readonly { c: ChunkData; prio: number }[]): ChunkData[] {
  const ts: number[] = [];
  const prio: number[] = [];
  // Value bits as two u32 halves: a plain number array would canonicalize NaN payloads.
  const hi: number[] = [];
  const lo: number[] = [];
  const one = new Float64Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const it = new XorIterator();
  for (const { c, prio: p } of group) {
    it.reset(c.data);
    while (it.next()) {
      it.valueInto(one, 0);
      ts.push(it.t);
      prio.push(p);
      lo.push(oneBits[0]!);
      hi.push(oneBits[1]!);
    }
    if (it.err !== null) throw it.err;
  }
  const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]! || prio[a]! - prio[b]! || a - b);
  // Values go through a Float64Array so that NaN payloads (staleness markers) keep their bits.
  const values = new Float64Array(order.length);
  const valueBits = new Uint32Array(values.buffer);
  const times: number[] = [];
  let n = 0;
  for (const i of order) {
    if (n > 0 && times[n - 1] === ts[i]) continue;
    times.push(ts[i]!);
    valueBits[2 * n] = lo[i]!;
    valueBits[2 * n + 1] = hi[i]!;
    n++;
  }
  const out: ChunkData[] = [];
  for (let from = 0; from < n; from += MAX_SAMPLES_PER_CHUNK) {
    const to = Math.min(n, from + MAX_SAMPLES_PER_CHUNK);
    const app = new XorAppender();
    for (let k = from; k < to; k++) app.appendFrom(times[k]!, values, k);
    out.push({ minT: times[from]!, maxT: times[to - 1]!, data: app.bytes().slice() });
  }
  return out;
}

/**
 * One chunk list from the lists of several blocks (each oldest first, non-overlapping; given in
 * priority order): time-ordered and non-overlapping. Identical copies of a chunk are kept once.
 */
export function mergeChunkLists(lists: readonly (readonly ChunkData[])[]): ChunkData[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return nonEmpty[0]!.slice();
  const all: { c: ChunkData; prio: number }[] = [];
  nonEmpty.forEach((l, prio) => l.forEach((c) => all.push({ c, prio })));
  all.sort((a, b) => a.c.minT - b.c.minT || a.c.maxT - b.c.maxT || a.prio - b.prio);
  const out: ChunkData[] = [];
  let group: { c: ChunkData; prio: number }[] = [];
  let groupMaxT = -Infinity;
  const flush = (): void => {
    if (group.length === 0) return;
    // Drop exact copies (same range, same bytes) before deciding whether to re-encode.
    const distinct: { c: ChunkData; prio: number }[] = [];
    for (const g of group) {
      if (!distinct.some((d) => d.c.minT === g.c.minT && d.c.maxT === g.c.maxT && sameBytes(d.c.data, g.c.data))) distinct.push(g);
    }
    if (distinct.length === 1) out.push(distinct[0]!.c);
    else out.push(...mergeOverlapping(distinct));
    group = [];
  };
  for (const x of all) {
    if (group.length > 0 && x.c.minT > groupMaxT) flush();
    if (group.length === 0) groupMaxT = x.c.maxT;
    else groupMaxT = Math.max(groupMaxT, x.c.maxT);
    group.push(x);
  }
  flush();
  return out;
}
