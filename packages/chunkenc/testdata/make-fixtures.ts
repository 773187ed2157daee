/**
 * Regenerates the promtool test vectors in this folder:
 * - `promtool-input.om`: OpenMetrics input generated with a fixed seed;
 * - `promtool-chunks.json`: every chunk `promtool tsdb create-blocks-from openmetrics` wrote
 *   for it, as hex of the chunk data (header included), blocks in time order.
 *
 * Run from the repository root:
 *   node packages/chunkenc/testdata/make-fixtures.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenMetrics } from '../src/testing/open-metrics-fixture.ts';
import { createBlocks, promtoolVersion, readBlockChunks } from '../src/testing/promtool-blocks.ts';

const SEED = 20240627;
const here = dirname(fileURLToPath(import.meta.url));

const version = promtoolVersion();
if (version === null) throw new Error('promtool is not installed at /usr/bin/promtool');

const om = generateOpenMetrics(SEED);
const omPath = join(here, 'promtool-input.om');
writeFileSync(omPath, om);

const out = mkdtempSync(join(tmpdir(), 'chunkenc-fixtures-'));
try {
  createBlocks(omPath, join(out, 'blocks'));
  const chunks = readBlockChunks(join(out, 'blocks')).map((c) => ({
    blockMinTime: c.blockMinTime,
    encoding: c.encoding,
    hex: Buffer.from(c.data).toString('hex'),
  }));
  const fixture = { promtool: version, seed: SEED, input: 'promtool-input.om', chunks };
  writeFileSync(join(here, 'promtool-chunks.json'), JSON.stringify(fixture, null, 1) + '\n');
  console.log(`wrote ${chunks.length} chunks from ${version}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
