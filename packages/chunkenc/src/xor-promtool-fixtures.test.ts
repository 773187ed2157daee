/**
 * Byte vectors from real Prometheus: chunks that promtool 2.42 (Debian) wrote for
 * `testdata/promtool-input.om` (regenerate both with `testdata/make-fixtures.ts`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENCODING_XOR } from './index.ts';
import { decodeAndReencode, samplesBySeries, seriesOfChunks } from './testing/chunk-check.ts';
import { parseOpenMetrics } from './testing/open-metrics-fixture.ts';

const testdata = new URL('../testdata/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('promtool-chunks.json', testdata), 'utf8')) as {
  chunks: Array<{ encoding: number; hex: string }>;
};
const input = parseOpenMetrics(readFileSync(new URL('promtool-input.om', testdata), 'utf8'));
const chunks = fixture.chunks.map((c) => ({ encoding: c.encoding, data: Uint8Array.from(Buffer.from(c.hex, 'hex')) }));
const decoded = chunks.map((c) => decodeAndReencode(c.data));

describe('chunks written by promtool', () => {
  it('are XOR chunks, several per series', () => {
    expect(chunks.length).toBeGreaterThan(input.size);
    for (const c of chunks) expect(c.encoding).toBe(ENCODING_XOR);
  });

  it('include chunks ending with the empty byte of bstream, of one and of several samples', () => {
    const ending = decoded.filter((d) => d.unreadBits >= 8);
    expect(ending.some((d) => d.ts.length === 1)).toBe(true);
    expect(ending.some((d) => d.ts.length > 2)).toBe(true);
    for (const d of decoded) expect(d.unreadBits).toBeLessThan(16);
  });

  it('decode to exactly the input samples of one series each, covering every sample once', () => {
    for (const d of decoded) expect(d.err).toBeNull();
    const owners = seriesOfChunks(decoded, input);
    expect(owners.filter((o) => o === null)).toEqual([]);
    const bySeries = samplesBySeries(decoded, owners);
    expect([...bySeries.keys()].sort()).toEqual([...input.keys()].sort());
    for (const [key, s] of input) {
      expect(bySeries.get(key)!.ts, key).toEqual(s.ts);
      expect(bySeries.get(key)!.words, key).toEqual(Array.from(new Uint32Array(s.values.buffer)));
    }
  });

  it('are reproduced byte for byte by XorAppender from their samples', () => {
    decoded.forEach((d, i) => {
      expect(Buffer.from(d.reencoded).toString('hex'), `chunk ${i}`).toBe(fixture.chunks[i]!.hex);
    });
  });
});
