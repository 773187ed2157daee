/**
 * bench/storage's data handling: the exposition parser, what a recording keeps (as Prometheus
 * would store a scrape), the classes the synthetic dataset is calibrated on, and a short real
 * run against node_exporter, tessera and promtool (skipped with a notice when node_exporter or
 * promtool is missing; failing instead when TESSERA_REQUIRE_EXTERNAL=1).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillHead, headBlocks, measureBlock, promtoolBlocks, sumSizes } from './blocks.ts';
import { classShares, profileSeries } from './calibrate.ts';
import { bucketOf, compactDay, DAY_MS } from './compact.ts';
import { CLASS_SHARES, Dataset, SCRAPE_MS } from './dataset.ts';
import { pickDay, PROMTOOL_RANGE_MS } from './day-run.ts';
import { RecordingBuilder, parseTextFormat, scrapeExporter, startNodeExporter } from './scrape.ts';
import { startLiveTessera } from './tessera-live.ts';

const EXPORTER = '/usr/bin/prometheus-node-exporter';
const PROMTOOL = '/usr/bin/promtool';
const required = process.env.TESSERA_REQUIRE_EXTERNAL === '1';

describe('parseTextFormat', () => {
  it('reads names, unescaped label values and Go float spellings', () => {
    const body = [
      '# HELP node_uname_info Labeled system information.',
      '# TYPE node_uname_info gauge',
      'node_uname_info{machine="x86_64",version="#1 SMP \\"PREEMPT\\" a\\\\b\\nc"} 1',
      'go_gc_duration_seconds{quantile="0.5"} 2.3431e-05',
      'node_network_speed_bytes{device="eth0"} +Inf',
      'node_hwmon_temp_celsius NaN',
      '',
    ].join('\n');
    const s = parseTextFormat(body);
    expect(s.map((x) => x.name)).toEqual(['node_uname_info', 'go_gc_duration_seconds', 'node_network_speed_bytes', 'node_hwmon_temp_celsius']);
    expect(s[0]!.labels).toEqual([['machine', 'x86_64'], ['version', '#1 SMP "PREEMPT" a\\b\nc']]);
    expect(s[1]!.value).toBe(2.3431e-5);
    expect(s[2]!.value).toBe(Infinity);
    expect(s[3]!.value).toBeNaN();
  });

  it('refuses samples with their own timestamp (a scrape stores its own time)', () => {
    expect(() => parseTextFormat('up 1 1700000000000\n')).toThrow(/timestamp/);
  });
});

describe('RecordingBuilder', () => {
  it('adds the target labels and the per-target series Prometheus stores, and writes exact OpenMetrics', async () => {
    const b = new RecordingBuilder({ job: 'node', instance: '127.0.0.1:9100' });
    const samples = parseTextFormat('a_total{x="1"} 0.1\na_total{x="2"} 3\n');
    b.add(0, 1_700_000_000_000, 1_700_000_000_001, samples, 0.0123);
    b.add(1, 1_700_000_015_000, 1_700_000_015_000, parseTextFormat('a_total{x="1"} 0.30000000000000004\n'), 0.01);
    const rec = b.finish();
    const names = rec.labels.map((ls) => Object.fromEntries(ls));
    expect(names[0]).toEqual({ __name__: 'a_total', instance: '127.0.0.1:9100', job: 'node', x: '1' });
    expect(names.map((l) => l.__name__)).toEqual(['a_total', 'a_total', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
    expect(rec.values[6]).toEqual([2, 0]);
    expect(rec.counts()).toEqual({ samples: 13, gaps: 1 });
    const dir = await mkdtemp(join(tmpdir(), 'bench-storage-test-'));
    try {
      await rec.writeOpenMetrics(join(dir, 'x.om'));
      const text = await readFile(join(dir, 'x.om'), 'utf8');
      expect(text).toContain('a_total{instance="127.0.0.1:9100",job="node",x="1"} 0.30000000000000004 1700000015.000\n');
      expect(text).not.toContain('x="2"} 3 1700000015.000');
      expect(text.endsWith('# EOF\n')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('calibration', () => {
  it('classifies constant, rare, counter and gauge series', () => {
    const rows = [
      Array.from({ length: 40 }, () => 5),
      Array.from({ length: 40 }, (_, r) => (r < 30 ? 1 : 2)),
      Array.from({ length: 40 }, (_, r) => 100 + r * 1.5),
      Array.from({ length: 40 }, (_, r) => Math.sin(r) + 0.123456789),
    ];
    const p = profileSeries({ series: 4, rounds: 40, value: (i, r) => rows[i]![r]! });
    expect(p.map((x) => x.cls)).toEqual(['constant', 'rare', 'counter', 'gauge']);
    expect(p.map((x) => x.precision)).toEqual(['integer', 'integer', 'decimal2', 'float']);
    expect(p[2]!.every).toBe(true);
  });

  it('the synthetic dataset, classified like real scrapes, has the measured class shares', () => {
    const data = new Dataset(3000, 480, 0, 1, 0);
    const s = classShares(profileSeries(data));
    const total = CLASS_SHARES.constant + CLASS_SHARES.rare + CLASS_SHARES.counter + CLASS_SHARES.gauge;
    for (const c of ['constant', 'rare', 'counter', 'gauge'] as const) expect(Math.abs(s.share[c] - CLASS_SHARES[c] / total)).toBeLessThan(0.01);
  });
});

describe('24 h mode', () => {
  it('picks a whole UTC day, ended at least a day ago, inside one of promtool\'s 54 h windows', () => {
    for (let now = Date.UTC(2026, 0, 1); now < Date.UTC(2026, 0, 20); now += 5 * 3_600_000) {
      const t0 = pickDay(now);
      expect(t0 % DAY_MS).toBe(0);
      expect(t0 + 2 * DAY_MS).toBeLessThanOrEqual(now);
      expect(now - t0).toBeLessThan(14 * DAY_MS);
      expect(Math.floor(t0 / PROMTOOL_RANGE_MS)).toBe(Math.floor((t0 + DAY_MS - 1) / PROMTOOL_RANGE_MS));
    }
  });

  it('the compactor turns the day\'s twelve 2 h blocks into one 24 h block with every sample', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-storage-test-'));
    try {
      const t0 = pickDay(Date.now());
      const data = new Dataset(20, DAY_MS / SCRAPE_MS, t0, 1, 0);
      const head = fillHead(data, join(dir, 'wal'));
      const level1 = await headBlocks(head, join(dir, 'level1'), t0, t0 + DAY_MS - 1);
      head.close();
      expect(level1).toHaveLength(12);
      const bucket = await bucketOf(join(dir, 'bucket'), level1);
      const day = await compactDay(bucket, join(dir, 'compactor'), t0, 240);
      await bucket.close();
      const size = await measureBlock(day.dir);
      expect([size.series, size.samples]).toEqual([20, 20 * 5760]);
      expect(size.chunks).toBeLessThanOrEqual(20 * 48);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('real node_exporter → tessera and promtool', () => {
  const missing = [EXPORTER, PROMTOOL].filter((f) => !existsSync(f));
  if (missing.length > 0 && !required) {
    console.warn(`SKIPPED bench/storage real-exporter test: ${missing.join(', ')} not installed (apt-get install prometheus-node-exporter prometheus)`);
  }
  it.skipIf(missing.length > 0 && !required)('every scraped sample reaches both systems\' blocks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-storage-test-'));
    const exporter = await startNodeExporter(EXPORTER);
    const tessera = await startLiveTessera(join(dir, 'tessera'));
    try {
      const rec = await scrapeExporter(exporter.port, 300, 4, (s, b) => tessera.push(s, b.labels));
      const live = sumSizes(await Promise.all((await tessera.stopAndListBlocks()).map(measureBlock)));
      const { samples } = rec.counts();
      expect(rec.series).toBeGreaterThan(100);
      expect(live.samples).toBe(samples);
      const prom = await promtoolBlocks(rec, join(dir, 'promtool'), PROMTOOL);
      if ('error' in prom) throw new Error(prom.error);
      expect(sumSizes(await Promise.all(prom.dirs.map(measureBlock))).samples).toBe(samples);
    } finally {
      tessera.kill();
      await exporter.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
