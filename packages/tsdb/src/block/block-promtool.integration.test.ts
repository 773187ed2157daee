/**
 * Blocks against real Prometheus tooling (Debian's promtool 2.42): a block Tessera writes is
 * listed by `promtool tsdb list` and dumped sample for sample by `promtool tsdb dump`; blocks
 * promtool creates from OpenMetrics are read back completely by BlockReader.
 * Skipped with a notice when promtool (or $TESSERA_PROMTOOL) is absent; failing instead when
 * TESSERA_REQUIRE_EXTERNAL=1.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XorIterator } from '@tessera/chunkenc';
import { BlockReader } from './block-reader.ts';
import { writeBlock } from './block-writer.ts';
import { isUlid, ulidTime } from './ulid.ts';
import { promLabels, randomSeries, toBlockSeries, type SampleSeries } from './testing/fixtures.ts';
import { PROMTOOL, dumpSamples, listBlocks, parseGoFloat, promtool, promtoolVersion } from './testing/promtool.ts';

const version = promtoolVersion();
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';
if (version === null && !required) console.warn(`[tsdb/block] ${PROMTOOL} not found: skipping the promtool block tests`);

const START = 1_700_000_000_000;

/** [labels as Prometheus prints them, t, value] for every sample in [mint, maxt], sorted. */
function expectedDump(series: readonly SampleSeries[], mint: number, maxt: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const s of series) {
    s.ts.forEach((t, k) => {
      if (t >= mint && t <= maxt) out.push([promLabels(s.labels), t, s.values[k]!]);
    });
  }
  return out.sort(byLabelsThenTime);
}

function byLabelsThenTime(a: [string, number, number], b: [string, number, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

/** Every sample of the blocks under `dir`, per `labels.toString()`, as [t, value], blocks in time order. */
async function readAll(dir: string): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  const readers = await Promise.all(readdirSync(dir).filter(isUlid).map((b) => BlockReader.open(join(dir, b))));
  readers.sort((a, b) => a.meta.minTime - b.meta.minTime);
  const it = new XorIterator();
  for (const r of readers) {
    for (const s of await r.select([], -Infinity, Infinity)) {
      const key = s.labels.toString();
      const list = out.get(key) ?? [];
      for (const c of s.chunks) {
        it.reset(await r.chunk(c.ref));
        while (it.next()) list.push([it.t, it.v]);
        expect(it.err).toBeNull();
      }
      out.set(key, list);
    }
    await r.close();
  }
  return out;
}

/** OpenMetrics text for `series` (gauges; stale markers become plain NaN). */
function openMetrics(series: readonly SampleSeries[]): string {
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const num = (v: number): string => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : String(v));
  let text = '';
  let family = '';
  for (const s of series) {
    const name = s.labels.get('__name__');
    if (name !== family) text += `# TYPE ${(family = name)} gauge\n`;
    const inner: string[] = [];
    s.labels.forEach((n, v) => {
      if (n !== '__name__') inner.push(`${n}="${esc(v)}"`);
    });
    s.ts.forEach((t, k) => (text += `${name}{${inner.join(',')}} ${num(s.values[k]!)} ${t / 1000}\n`));
  }
  return text + '# EOF\n';
}

describe.skipIf(version === null && !required)('blocks and promtool', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'block-promtool-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const requirePromtool = (): void => {
    if (version === null) throw new Error(`TESSERA_REQUIRE_EXTERNAL=1 but ${PROMTOOL} is missing`);
  };

  it('promtool tsdb list and dump show exactly the block Tessera wrote', async () => {
    requirePromtool();
    const db = join(dir, 'ours');
    const input = randomSeries(1234, 40, START, 700, 15_000);
    const meta = await writeBlock(db, toBlockSeries(input), { maxSegmentBytes: 32 * 1024 });
    expect(readdirSync(join(db, meta.ulid, 'chunks')).length).toBeGreaterThan(1);

    expect(listBlocks(db)).toEqual([
      {
        ulid: meta.ulid,
        minTime: meta.minTime,
        maxTime: meta.maxTime,
        numSamples: 40 * 700,
        numChunks: meta.stats.numChunks,
        numSeries: 40,
      },
    ]);

    for (const [mint, maxt] of [
      [meta.minTime, meta.maxTime - 1],
      [START + 3600_000 + 1, START + 2 * 3600_000 + 500], // a range cutting through chunks
    ] as const) {
      const got = dumpSamples(db, mint, maxt).map((d): [string, number, number] => [d.labels, d.t, parseGoFloat(d.value)]);
      const want = expectedDump(input, mint, maxt);
      expect(want.length).toBeGreaterThan(1000);
      expect(got.sort(byLabelsThenTime)).toEqual(want);
    }
  });

  it('BlockReader reads every sample of blocks promtool created from OpenMetrics', async () => {
    requirePromtool();
    // Timestamps on 125 ms steps: exact in binary seconds, so the text round trip keeps them.
    const input = randomSeries(99, 30, START, 900, 15_000).map((s) => ({ ...s, ts: s.ts.map((t) => Math.round(t / 125) * 125) }));
    const om = join(dir, 'input.om');
    writeFileSync(om, openMetrics(input));
    const out = join(dir, 'promtool-out');
    mkdirSync(out);
    promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, out]);
    const blocks = readdirSync(out).filter(isUlid);
    expect(blocks.length).toBeGreaterThan(1); // 900 × 15 s spans several 2 h blocks
    for (const b of blocks) expect(Math.abs(ulidTime(b) - Date.now())).toBeLessThan(3600_000);

    const got = await readAll(out);
    const want = new Map(input.map((s) => [s.labels.toString(), s.ts.map((t, k): [number, number] => [t, s.values[k]!])]));
    expect(got).toEqual(want);
  });
});
