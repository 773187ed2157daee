/**
 * Live comparison with real Prometheus: writes fresh random OpenMetrics input, has promtool turn
 * it into blocks, and checks every chunk it wrote against XorIterator and XorAppender.
 * Skipped with a notice when /usr/bin/promtool (or $TESSERA_PROMTOOL) is absent, and failing
 * instead when TESSERA_REQUIRE_EXTERNAL=1.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODING_XOR } from './index.ts';
import { decodeAndReencode, samplesBySeries, seriesOfChunks } from './testing/chunk-check.ts';
import { generateOpenMetrics, parseOpenMetrics } from './testing/open-metrics-fixture.ts';
import { createBlocks, PROMTOOL, promtoolVersion, readBlockChunks } from './testing/promtool-blocks.ts';

const version = promtoolVersion();
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (version === null && !required) {
  console.warn(`[chunkenc] ${PROMTOOL} not found: skipping the live promtool comparison`);
}

describe.skipIf(version === null && !required)('promtool live comparison', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chunkenc-promtool-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  for (const run of [0, 1]) {
    it(`chunks from fresh random input match byte for byte (run ${run})`, () => {
      if (version === null) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but ${PROMTOOL} is missing`);
      const seed = randomInt(2 ** 31);
      // A different start each run moves block boundaries relative to the samples.
      const start = 1_600_000_000_000 + randomInt(2 ** 40);
      const scale = 0.5 + run;
      const text = generateOpenMetrics(seed, start, scale);
      const om = join(dir, `input-${run}.om`);
      writeFileSync(om, text);
      createBlocks(om, join(dir, `blocks-${run}`));
      const chunks = readBlockChunks(join(dir, `blocks-${run}`));
      const input = parseOpenMetrics(text);
      // Enough to regenerate the input: generateOpenMetrics(seed, start, scale).
      const what = `seed ${seed}, start ${start}, scale ${scale}`;

      const decoded = chunks.map((c) => decodeAndReencode(c.data));
      decoded.forEach((d, i) => {
        expect(chunks[i]!.encoding, what).toBe(ENCODING_XOR);
        expect(d.err, what).toBeNull();
        expect(Buffer.from(d.reencoded).toString('hex'), `chunk ${i}, ${what}`).toBe(
          Buffer.from(chunks[i]!.data).toString('hex'),
        );
      });
      const owners = seriesOfChunks(decoded, input);
      expect(owners.filter((o) => o === null), what).toEqual([]);
      const bySeries = samplesBySeries(decoded, owners);
      for (const [key, s] of input) {
        expect(bySeries.get(key)?.ts, `${key}, ${what}`).toEqual(s.ts);
        expect(bySeries.get(key)?.words, `${key}, ${what}`).toEqual(Array.from(new Uint32Array(s.values.buffer)));
      }
    });
  }
});
