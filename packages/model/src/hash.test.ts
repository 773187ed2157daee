import { describe, expect, it } from 'vitest';
import { hashBytes } from './hash.ts';
import { Labels } from './labels.ts';

const enc = new TextEncoder();
function hashString(s: string, seed = 0): number {
  const b = enc.encode(s);
  return hashBytes(b, 0, b.length, seed);
}

describe('hashBytes', () => {
  // Published MurmurHash3 x86_32 test vectors: the function is the standard algorithm, so any
  // other implementation (e.g. in another language for an external tool) agrees with it.
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['test', 0, 0xba6bd213],
    ['Hello, world!', 0, 0xc0363e43],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ])('hash(%j, seed %d) = %d (reference vector)', (s, seed, want) => {
    expect(hashString(s, seed)).toBe(want);
  });

  it('covers every tail length and is unsigned 32-bit', () => {
    const seen = new Set<number>();
    for (let len = 0; len < 16; len++) {
      const h = hashString('abcdefghijklmnop'.slice(0, len));
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      seen.add(h);
    }
    expect(seen.size).toBe(16);
  });

  it('hashes only the given range', () => {
    const inner = enc.encode('series-bytes');
    const buf = new Uint8Array(inner.length + 10).fill(0xaa);
    buf.set(inner, 3);
    expect(hashBytes(buf, 3, 3 + inner.length)).toBe(hashBytes(inner, 0, inner.length));
  });
});

/** node_exporter-like label sets: metric × instance × cpu/mode/device variations, fixed seed. */
function* nodeExporterLikeSets(count: number): Generator<Labels> {
  const metrics = [
    'node_cpu_seconds_total', 'node_memory_MemFree_bytes', 'node_network_receive_bytes_total',
    'node_network_transmit_bytes_total', 'node_disk_read_bytes_total', 'node_disk_written_bytes_total',
    'node_filesystem_avail_bytes', 'node_load1', 'node_load5', 'node_load15',
  ];
  const modes = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
  let i = 0;
  for (let host = 0; i < count; host++) {
    const instance = `10.${(host >> 16) & 255}.${(host >> 8) & 255}.${host & 255}:9100`;
    for (const metric of metrics) {
      for (let cpu = 0; cpu < 4 && i < count; cpu++) {
        for (const mode of modes) {
          if (i >= count) break;
          yield Labels.fromSortedFlat([
            '__name__', metric, 'cpu', String(cpu), 'instance', instance, 'job', 'node', 'mode', mode,
          ]);
          i++;
        }
      }
    }
  }
}

describe('Labels.hash distribution', () => {
  it('has few collisions over 1M node_exporter-like label sets', () => {
    const n = 1_000_000;
    const hashes = new Uint32Array(n);
    let i = 0;
    for (const ls of nodeExporterLikeSets(n)) hashes[i++] = ls.hash();
    expect(i).toBe(n);
    hashes.sort();
    let collisions = 0;
    for (let j = 1; j < n; j++) if (hashes[j] === hashes[j - 1]) collisions++;
    // An ideal 32-bit hash gives n²/2³³ ≈ 116 colliding pairs here; allow about twice that.
    expect(collisions).toBeLessThan(250);
    // Low and high bits are both used (the ring uses the full value, tables the low bits).
    const lowBuckets = new Uint32Array(1024);
    const highBuckets = new Uint32Array(1024);
    for (let j = 0; j < n; j++) {
      lowBuckets[hashes[j]! & 1023]!++;
      highBuckets[hashes[j]! >>> 22]!++;
    }
    for (const buckets of [lowBuckets, highBuckets]) {
      // Expected 977 per bucket, σ ≈ 31: ±6σ.
      expect(Math.min(...buckets)).toBeGreaterThan(790);
      expect(Math.max(...buckets)).toBeLessThan(1165);
    }
  }, 60_000);
});
