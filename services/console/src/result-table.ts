// The Query page's table: an instant query's result as Prometheus returns it (the values are the
// API's own strings, not re-formatted numbers).
import type { QueryData, SamplePair, Histogram } from './api.ts';
import { formatLabels, formatTime, h, table } from './ui.ts';

const MAX_ROWS = 10000;

function histogramText(hist: Histogram): string {
  return `count=${hist.count} sum=${hist.sum}`;
}

export function renderResultTable(data: QueryData): HTMLElement {
  const wrap = h('div.table-wrap');
  switch (data.resultType) {
    case 'vector': {
      const rows = data.result.slice(0, MAX_ROWS);
      wrap.appendChild(table(
        [
          { title: 'Series', cell: (r) => h('code', null, formatLabels(r.metric) || '{}') },
          { title: 'Value', numeric: true, cell: (r) => (r.value ? r.value[1] : r.histogram ? histogramText(r.histogram[1]) : '') },
        ],
        rows,
        { empty: 'Empty query result', className: 'result' },
      ));
      if (data.result.length > rows.length) wrap.appendChild(h('p.muted', null, `Showing ${rows.length} of ${data.result.length} series.`));
      break;
    }
    case 'matrix': {
      const rows = data.result.slice(0, MAX_ROWS);
      wrap.appendChild(table(
        [
          { title: 'Series', cell: (r) => h('code', null, formatLabels(r.metric) || '{}') },
          {
            title: 'Values',
            cell: (r) => [
              ...(r.values ?? []).map(([t, v]: SamplePair) => h('div.mono', null, `${v} @${t}`)),
              ...(r.histograms ?? []).map(([t, hist]) => h('div.mono', null, `${histogramText(hist)} @${t}`)),
            ],
          },
        ],
        rows,
        { empty: 'Empty query result', className: 'result' },
      ));
      if (data.result.length > rows.length) wrap.appendChild(h('p.muted', null, `Showing ${rows.length} of ${data.result.length} series.`));
      break;
    }
    case 'scalar':
    case 'string':
      wrap.appendChild(table(
        [
          { title: data.resultType === 'scalar' ? 'Scalar' : 'String', cell: (r: SamplePair) => r[1], numeric: data.resultType === 'scalar' },
          { title: 'Time', cell: (r: SamplePair) => formatTime(r[0]) },
        ],
        [data.result],
        { className: 'result' },
      ));
      break;
  }
  return wrap;
}
