// The Query page's graph: uPlot over a range query's matrix, with a clickable legend, a hover box
// with the values under the cursor and an optional stacked mode. Series are aligned on the query's
// step grid; gaps (missing steps, NaN, ±Inf) are not drawn.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MatrixSeries } from './api.ts';
import { formatLabels, formatTime, h, replace } from './ui.ts';

// Distinct, colour-blind-friendly-ish palette; series beyond it get generated hues.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function seriesColor(i: number): string {
  return PALETTE[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 65%, 45%)`;
}

/** `onZoom` is called with the time range (seconds) the user selected by dragging across the graph. */
export type GraphOptions = { start: number; end: number; step: number; stacked: boolean; onZoom?: (start: number, end: number) => void };

export type GraphData = { times: number[]; values: (number | null)[][]; labels: string[] };

/** Aligns the series on the step grid start, start+step, …, end (seconds). */
export function alignSeries(series: MatrixSeries[], start: number, end: number, step: number): GraphData {
  const n = Math.max(0, Math.floor((end - start) / step + 1e-9) + 1);
  const times = Array.from({ length: n }, (_, i) => start + i * step);
  const values = series.map((s) => {
    const row: (number | null)[] = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t - start) / step);
      const x = Number(v);
      if (i >= 0 && i < n && Number.isFinite(x)) row[i] = x;
    }
    for (const [t, hist] of s.histograms ?? []) {
      // Native histograms are graphed by their count (as Prometheus's table shows count and sum).
      const i = Math.round((t - start) / step);
      const x = Number(hist.count);
      if (i >= 0 && i < n && Number.isFinite(x)) row[i] = x;
    }
    return row;
  });
  return { times, values, labels: series.map((s) => formatLabels(s.metric)) };
}

/** Cumulative sums for the stacked mode (a gap counts as 0 while another series has a value). */
export function stack(values: (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = [];
  const n = values[0]?.length ?? 0;
  const acc = new Array<number>(n).fill(0);
  for (const row of values) {
    out.push(row.map((v, i) => {
      acc[i]! += v ?? 0;
      return v === null ? null : acc[i]!;
    }));
  }
  return out;
}

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Math.round(v * 1e4) / 1e4);
}

/**
 * Draws `series` into `root`. Returns a dispose function. The element carries
 * data-series (the number of series drawn) for tests and tools.
 */
export function renderGraph(root: HTMLElement, series: MatrixSeries[], opts: GraphOptions): () => void {
  const data = alignSeries(series, opts.start, opts.end, opts.step);
  const plotted = opts.stacked ? stack(data.values) : data.values;
  const chart = h('div.chart');
  const hover = h('div.hover', { role: 'tooltip' });
  const legend = h('div.legend', { 'aria-label': 'Legend' });
  const wrap = h('div.graph', { 'data-series': series.length }, chart, hover, legend);
  replace(root, wrap);

  const legendValues: HTMLElement[] = [];
  const items = data.labels.map((label, i) => {
    const val = h('span.val');
    legendValues.push(val);
    const item = h('div.item', { title: 'Click: show/hide this series', 'data-index': i },
      h('span.swatch', { style: `background:${seriesColor(i)}` }), h('span.name', null, label || '{}'), val);
    item.addEventListener('click', () => {
      const s = plot.series[i + 1];
      const show = !(s?.show ?? true);
      plot.setSeries(i + 1, { show });
      item.classList.toggle('off', !show);
    });
    return item;
  });
  replace(legend, items);

  // Without a cursor the legend shows each series' last value.
  const showLast = (): void => {
    data.values.forEach((row, i) => {
      let v: number | null = null;
      for (let k = row.length - 1; k >= 0 && v === null; k--) v = row[k] ?? null;
      legendValues[i]!.textContent = formatValue(v);
    });
  };
  showLast();

  const width = (): number => Math.max(200, root.clientWidth || 600);
  const height = (): number => (window.innerWidth < 640 ? 220 : 320);

  const showHover = (u: uPlot): void => {
    const idx = u.cursor.idx;
    const left = u.cursor.left ?? -1;
    if (idx === null || idx === undefined || left < 0) {
      hover.style.display = 'none';
      showLast();
      return;
    }
    const rows: { i: number; v: number }[] = [];
    data.values.forEach((row, i) => {
      const v = row[idx];
      legendValues[i]!.textContent = formatValue(v);
      if (v !== null && v !== undefined && u.series[i + 1]?.show !== false) rows.push({ i, v });
    });
    rows.sort((a, b) => b.v - a.v);
    const shown = rows.slice(0, 10);
    replace(hover,
      h('div.time', null, `${formatTime(data.times[idx])} UTC`),
      shown.map((r) => h('div', null, h('span.swatch', { style: `display:inline-block;width:8px;height:8px;margin-right:4px;background:${seriesColor(r.i)}` }), `${formatValue(r.v)} `, h('span.muted', null, data.labels[r.i] ?? ''))),
      rows.length > shown.length ? h('div.muted', null, `… ${rows.length - shown.length} more`) : null);
    hover.style.display = rows.length ? 'block' : 'none';
    const over = u.over.getBoundingClientRect();
    const wrapBox = wrap.getBoundingClientRect();
    const x = over.left - wrapBox.left + left;
    const top = over.top - wrapBox.top + (u.cursor.top ?? 0);
    const boxW = hover.offsetWidth;
    hover.style.left = `${Math.max(0, x + 12 + boxW > wrap.clientWidth ? x - 12 - boxW : x + 12)}px`;
    hover.style.top = `${Math.max(0, top + 12)}px`;
  };

  const plotOpts: uPlot.Options = {
    width: width(),
    height: height(),
    legend: { show: false },
    // Times in UTC, as the hover box and the end-time input.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: opts.onZoom !== undefined, y: false, setScale: false }, focus: { prox: 16 } },
    focus: { alpha: 0.35 },
    scales: { x: { time: true }, y: opts.stacked ? { range: (_u, min, max) => [Math.min(0, min), max === min ? max + 1 : max] } : {} },
    axes: [{}, { size: 60, values: (_u, splits) => splits.map((v) => formatValue(v)) }],
    series: [
      {},
      ...data.labels.map((label, i): uPlot.Series => ({
        label,
        stroke: seriesColor(i),
        width: 2,
        spanGaps: false,
        points: { show: data.times.length <= 60 },
        ...(opts.stacked ? { fill: `${seriesColor(i)}` } : {}),
      })),
    ],
    hooks: {
      setCursor: [showHover],
      setSelect: [
        (u) => {
          if (!opts.onZoom || u.select.width < 5) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          opts.onZoom(Math.round(from), Math.round(to));
        },
      ],
    },
  };
  if (opts.stacked && data.labels.length > 1) {
    // Fill each series down to the one below it.
    plotOpts.bands = data.labels.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] }));
    for (let i = 1; i < plotOpts.series.length; i++) plotOpts.series[i]!.fill = fade(seriesColor(i - 1));
  } else if (opts.stacked) {
    plotOpts.series[1]!.fill = fade(seriesColor(0));
  }
  const plot = new uPlot(plotOpts, [data.times, ...plotted] as uPlot.AlignedData, chart);
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: height() }));
  resize.observe(root);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}

function fade(color: string): string {
  if (color.startsWith('#')) return `${color}55`;
  return color.replace('hsl(', 'hsla(').replace(')', ', 0.33)');
}
