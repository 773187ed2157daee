/**
 * Test-only helpers comparing chunks written by Prometheus with the input samples they hold.
 * Not exported from the package.
 */
import { XorAppender } from '../xor-appender.ts';
import { XorIterator } from '../xor-iterator.ts';
import type { SeriesSamples } from './open-metrics-fixture.ts';

/** A chunk decoded with XorIterator and encoded again with XorAppender. */
export interface DecodedChunk {
  ts: number[];
  /** Value bits, two little-endian uint32 words per sample. */
  words: Uint32Array;
  err: Error | null;
  reencoded: Uint8Array;
  /** Bits of the chunk after the last sample: padding, plus 8 when it ends with an empty byte. */
  unreadBits: number;
}

/** An iterator that tells how far it has read. */
class PositionIterator extends XorIterator {
  get bitPosition(): number {
    return this.pos;
  }
}

/** Decodes `chunk` and re-encodes the decoded samples (value bits copied exactly). */
export function decodeAndReencode(chunk: Uint8Array): DecodedChunk {
  const it = new PositionIterator(chunk);
  const ts: number[] = [];
  const values = new Float64Array((chunk[0]! << 8) | chunk[1]!);
  const app = new XorAppender(32);
  while (it.next()) {
    it.valueInto(values, ts.length);
    app.appendFrom(it.t, values, ts.length);
    ts.push(it.t);
  }
  return {
    ts,
    words: new Uint32Array(values.buffer, 0, ts.length * 2),
    err: it.err,
    reencoded: app.bytes().slice(),
    unreadBits: chunk.length * 8 - it.bitPosition,
  };
}

/** True when `s` holds exactly the samples of `c`, consecutively, from its sample `from`. */
function holdsAt(s: SeriesSamples, from: number, c: DecodedChunk): boolean {
  if (from < 0 || from + c.ts.length > s.ts.length) return false;
  const words = new Uint32Array(s.values.buffer);
  for (let i = 0; i < c.ts.length; i++) {
    if (s.ts[from + i] !== c.ts[i]) return false;
    if (words[2 * (from + i)] !== c.words[2 * i] || words[2 * (from + i) + 1] !== c.words[2 * i + 1]) {
      return false;
    }
  }
  return true;
}

/**
 * Names, for each chunk, the one input series holding its samples (same timestamps, same value
 * bits, consecutively), or null when no series or more than one does.
 */
export function seriesOfChunks(chunks: DecodedChunk[], series: Map<string, SeriesSamples>): Array<string | null> {
  return chunks.map((c) => {
    const owners = [...series.values()].filter((s) => c.ts.length > 0 && holdsAt(s, s.ts.indexOf(c.ts[0]!), c));
    return owners.length === 1 ? owners[0]!.key : null;
  });
}

/**
 * Concatenates, per series, the chunks assigned to it in timestamp order, giving back each
 * series' timestamps and value words as the chunks hold them.
 */
export function samplesBySeries(
  chunks: DecodedChunk[],
  owners: Array<string | null>,
): Map<string, { ts: number[]; words: number[] }> {
  const order = chunks.map((c, i) => i).sort((a, b) => chunks[a]!.ts[0]! - chunks[b]!.ts[0]!);
  const out = new Map<string, { ts: number[]; words: number[] }>();
  for (const i of order) {
    const key = owners[i];
    if (key == null) continue;
    let s = out.get(key);
    if (s === undefined) out.set(key, (s = { ts: [], words: [] }));
    s.ts.push(...chunks[i]!.ts);
    s.words.push(...chunks[i]!.words);
  }
  return out;
}
