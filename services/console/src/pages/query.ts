// The Query page: PromQL editor with autocompletion, range/end/step controls, a graph (range
// query) or a table (instant query), warnings and errors inline, query stats, and a shareable
// URL (`#/query?expr=…&tab=graph&range=1h&end=…&step=…&stacked=1`).
import { closeCompletion } from '@codemirror/autocomplete';
import { ApiError, type QueryResult } from '../api.ts';
import type { ConsoleContext } from '../context.ts';
import { renderGraph } from '../graph.ts';
import { createPromqlEditor, type PromqlEditor } from '../promql-editor.ts';
import { renderResultTable } from '../result-table.ts';
import { autoStep, formatDurationParam, nextRange, parseDuration, parseEnd } from '../time-params.ts';
import { errorText, formatTime, h, message, replace } from '../ui.ts';

type Tab = 'graph' | 'table';

export function mount(root: HTMLElement, ctx: ConsoleContext): () => void {
  const p = ctx.params;
  let tab: Tab = p.get('tab') === 'table' ? 'table' : 'graph';

  const editorBox = h('div.editor');
  const runButton = h('button.run', { type: 'button', title: 'Run (Enter)' }, 'Execute');
  const rangeInput = h('input.range', { name: 'range', value: p.get('range') ?? '1h', 'aria-label': 'Range', title: 'Range, e.g. 1h, 30m, 2d' });
  const endInput = h('input.end', { name: 'end', value: endText(p.get('end')), placeholder: 'now', 'aria-label': 'End time', title: 'End time (UTC, e.g. 2026-01-02 15:04), empty for now' });
  const stepInput = h('input.step', { name: 'step', value: p.get('step') ?? '', placeholder: 'auto', 'aria-label': 'Step', title: 'Resolution step, e.g. 15s; empty for automatic' });
  const stacked = h('input', { type: 'checkbox', name: 'stacked', checked: p.get('stacked') === '1' });
  const graphTab = h('button', { type: 'button', 'data-tab': 'graph' }, 'Graph');
  const tableTab = h('button', { type: 'button', 'data-tab': 'table' }, 'Table');
  const notices = h('div.notices', { 'aria-live': 'polite' });
  const output = h('div.output');
  const stats = h('div.stats');

  const rangeControls = h('span.row', null,
    h('button.secondary', { type: 'button', title: 'Shorter range', 'aria-label': 'Shorter range', onclick: () => bumpRange(-1) }, '−'),
    rangeInput,
    h('button.secondary', { type: 'button', title: 'Longer range', 'aria-label': 'Longer range', onclick: () => bumpRange(1) }, '+'));
  const graphOnly = h('span.row', null, h('label', null, 'Step', stepInput), h('label', null, stacked, 'Stacked'));
  root.appendChild(h('section.panel.query',
    { 'aria-label': 'Query' },
    h('div.row', null, editorBox, runButton),
    h('div.tabs', { role: 'tablist' }, graphTab, tableTab),
    h('div.query-controls', null, rangeControls, h('label', null, 'End', endInput), graphOnly),
    notices,
    output,
    stats));

  let editor: PromqlEditor | undefined;
  let inflight: AbortController | undefined;
  let disposeGraph: (() => void) | undefined;
  let disposed = false;

  const url = new URL(ctx.api.prefix, location.origin).toString().replace(/\/$/, '');
  editor = createPromqlEditor(editorBox, { value: p.get('expr') ?? '', url, fetchFn: ctx.api.fetch, onRun: () => void run() });

  function showTab(): void {
    graphTab.classList.toggle('active', tab === 'graph');
    tableTab.classList.toggle('active', tab === 'table');
    graphTab.setAttribute('aria-selected', String(tab === 'graph'));
    tableTab.setAttribute('aria-selected', String(tab === 'table'));
    rangeControls.hidden = tab !== 'graph';
    graphOnly.hidden = tab !== 'graph';
  }

  function bumpRange(dir: 1 | -1): void {
    const cur = parseDuration(rangeInput.value) ?? 3600;
    rangeInput.value = formatDurationParam(nextRange(cur, dir));
    void run();
  }

  function clearOutput(): void {
    disposeGraph?.();
    disposeGraph = undefined;
    replace(output);
    replace(notices);
    replace(stats);
  }

  /** Writes the inputs into the URL (without re-mounting the page) so it can be shared. */
  function saveUrl(expr: string): void {
    const q = new URLSearchParams();
    q.set('expr', expr);
    q.set('tab', tab);
    if (tab === 'graph') {
      q.set('range', rangeInput.value.trim() || '1h');
      if (stepInput.value.trim()) q.set('step', stepInput.value.trim());
      if (stacked.checked) q.set('stacked', '1');
    }
    const end = parseEnd(endInput.value);
    if (typeof end === 'number') q.set('end', String(end));
    history.replaceState(null, '', `#/query?${q}`);
  }

  async function run(): Promise<void> {
    if (editor) closeCompletion(editor.view);
    const expr = editor?.value().trim() ?? '';
    inflight?.abort();
    clearOutput();
    if (expr === '') {
      notices.appendChild(message('info', 'Enter an expression, e.g. up or rate(http_requests_total[5m]).'));
      return;
    }
    const end = parseEnd(endInput.value);
    if (end === undefined) return void notices.appendChild(message('error', `Invalid end time "${endInput.value}": use e.g. 2026-01-02 15:04 (UTC) or leave empty for now.`));
    const range = parseDuration(rangeInput.value);
    if (tab === 'graph' && range === null) return void notices.appendChild(message('error', `Invalid range "${rangeInput.value}": use e.g. 1h, 30m, 2d.`));
    const stepText = stepInput.value.trim();
    const step = stepText ? parseDuration(stepText) : null;
    if (tab === 'graph' && stepText && step === null) return void notices.appendChild(message('error', `Invalid step "${stepText}": use e.g. 15s, 1m.`));
    saveUrl(expr);

    const controller = new AbortController();
    inflight = controller;
    const endTime = end ?? Date.now() / 1000;
    output.appendChild(h('div.loading', null, 'Running…'));
    runButton.disabled = true;
    const t0 = performance.now();
    let result: QueryResult;
    let graphArgs: { start: number; end: number; step: number } | undefined;
    try {
      if (tab === 'graph') {
        const r = range ?? 3600;
        const s = step ?? autoStep(r);
        // Align on the step like Prometheus's UI, so a shared URL redraws the same points.
        const e = end === null ? Math.floor(endTime / s) * s : endTime;
        graphArgs = { start: e - r, end: e, step: s };
        result = await ctx.api.queryRange(expr, graphArgs.start, graphArgs.end, s, { stats: true, signal: controller.signal });
      } else {
        result = await ctx.api.query(expr, endTime, { stats: true, signal: controller.signal });
      }
    } catch (err) {
      if (disposed || controller.signal.aborted) return;
      runButton.disabled = false;
      replace(output);
      const text = err instanceof ApiError ? `${err.errorType}: ${err.message}` : errorText(err);
      notices.appendChild(message('error', text));
      return;
    }
    if (disposed || controller.signal.aborted) return;
    runButton.disabled = false;
    const elapsed = performance.now() - t0;
    replace(output);
    for (const w of result.warnings) notices.appendChild(message('warning', `Warning: ${w}`));
    for (const i of result.infos) notices.appendChild(message('info', `Info: ${i}`));
    const data = result.data;
    let seriesCount = 0;
    if (graphArgs) {
      if (data.resultType !== 'matrix') {
        notices.appendChild(message('error', `Unexpected result type ${data.resultType} for a range query.`));
      } else {
        seriesCount = data.result.length;
        if (seriesCount === 0) output.appendChild(message('info', 'Empty query result'));
        else disposeGraph = renderGraph(output, data.result, { ...graphArgs, stacked: stacked.checked, onZoom: zoom });
      }
    } else {
      seriesCount = data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
      output.appendChild(renderResultTable(data));
    }
    const st = data.stats;
    const parts = [
      `Load time: ${Math.round(elapsed)} ms`,
      graphArgs ? `Resolution: ${formatDurationParam(graphArgs.step)}` : `Evaluated at ${formatTime(endTime)} UTC`,
      `Result series: ${seriesCount}`,
    ];
    if (st?.samples?.totalQueryableSamples !== undefined) parts.push(`Samples queried: ${st.samples.totalQueryableSamples}`);
    if (st?.samples?.peakSamples !== undefined) parts.push(`Peak samples: ${st.samples.peakSamples}`);
    if (st?.timings?.execTotalTime !== undefined) parts.push(`Server time: ${Math.round(st.timings.execTotalTime * 1000 * 10) / 10} ms`);
    replace(stats, parts.join(' · '));
    stats.dataset.series = String(seriesCount);
  }

  /** Dragging across the graph zooms into that time range. */
  function zoom(from: number, to: number): void {
    if (to - from < 1) return;
    rangeInput.value = formatDurationParam(to - from);
    endInput.value = formatTime(to);
    stepInput.value = '';
    void run();
  }

  graphTab.addEventListener('click', () => {
    tab = 'graph';
    showTab();
    void run();
  });
  tableTab.addEventListener('click', () => {
    tab = 'table';
    showTab();
    void run();
  });
  runButton.addEventListener('click', () => void run());
  for (const input of [rangeInput, endInput, stepInput]) input.addEventListener('keydown', (e) => e.key === 'Enter' && void run());
  stacked.addEventListener('change', () => void run());
  showTab();
  if ((p.get('expr') ?? '').trim() !== '') void run();
  else editor.focus();

  return () => {
    disposed = true;
    inflight?.abort();
    disposeGraph?.();
    editor?.destroy();
    editor = undefined;
  };
}

function endText(end: string | null): string {
  if (!end) return '';
  const t = Number(end);
  return Number.isFinite(t) ? formatTime(t) : end;
}
