// Rules: the tenant's rule groups as the ruler evaluates them (`api/v1/rules`: state, health,
// last evaluation, errors) and a YAML editor that uploads, edits and deletes one group through
// the ruler's config API (`config/v1/rules/{namespace}`), which validates like
// `promtool check rules` and answers 400 with the reason, shown inline.
import './pages.css';
import { ApiError, type Rule, type RuleGroup } from '../api.ts';
import type { ConsoleContext } from '../context.ts';
import { errorText, formatDuration, formatLabels, formatTime, h, loading, message, replace, since, table } from '../ui.ts';
import type { YamlEditor } from '../yaml-editor.ts';
import { stackOnPhone } from '../pages-ui.ts';

const REFRESH_MS = 15_000;

/** What the editor starts with for a new group. */
export const NEW_GROUP_TEMPLATE = `name: example
interval: 1m
rules:
  - record: job:up:sum
    expr: sum by (job) (up)
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.instance }} of {{ $labels.job }} is down"
`;

/**
 * The group's `name:` from its YAML when written on one top-level line (plain, single- or
 * double-quoted); undefined otherwise. Used to follow a saved group and to notice a rename.
 */
export function groupNameOf(yamlText: string): string | undefined {
  const m = /^name:[ \t]*(.*?)[ \t]*(?:#.*)?$/m.exec(yamlText);
  const raw = m?.[1];
  if (raw === undefined || raw === '') return undefined;
  try {
    if (raw.startsWith('"')) return JSON.parse(raw) as string;
  } catch {
    return undefined;
  }
  if (raw.startsWith("'")) return raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1).replace(/''/g, "'") : undefined;
  return /^[^{[&*!|>%@`]/.test(raw) ? raw : undefined;
}

export function mount(root: HTMLElement, ctx: ConsoleContext): () => void {
  const abort = new AbortController();
  const signal = abort.signal;
  let editor: YamlEditor | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let groups: RuleGroup[] = [];
  let editorGen = 0;

  const typeFilter = h('select', { 'aria-label': 'Rule type' },
    h('option', { value: '' }, 'All rules'),
    h('option', { value: 'alerting' }, 'Alerting'),
    h('option', { value: 'recording' }, 'Recording'),
  );
  const textFilter = h('input', { type: 'search', placeholder: 'Filter by name or group', 'aria-label': 'Filter rules' });
  const editorBox = h('div.editor-box');
  const notice = h('div.notice');
  const list = h('div.groups', { 'data-testid': 'rule-groups' }, loading());
  const newButton = h('button', { type: 'button', 'data-testid': 'new-group', onclick: () => openEditor() }, 'New rule group');
  replace(
    root,
    h('div.row', null, h('h1.grow', null, 'Rules'), typeFilter, textFilter, newButton),
    editorBox,
    notice,
    list,
  );
  typeFilter.addEventListener('change', () => render());
  textFilter.addEventListener('input', () => render());

  const closeEditor = (): void => {
    editorGen++;
    editor?.destroy();
    editor = undefined;
    replace(editorBox);
  };

  /** Opens the editor on a new group, or on the stored YAML of (namespace, group). */
  async function openEditor(existing?: { namespace: string; group: string }): Promise<void> {
    closeEditor();
    const gen = editorGen;
    replace(notice);
    let text = NEW_GROUP_TEMPLATE;
    if (existing) {
      replace(editorBox, loading('Loading the group…'));
      try {
        text = await ctx.api.ruleGroupYaml(existing.namespace, existing.group, { signal });
      } catch (err) {
        if (!signal.aborted && gen === editorGen) replace(editorBox, message('error', `Could not load the group: ${errorText(err)}`));
        return;
      }
      if (signal.aborted || gen !== editorGen) return;
      if (text === '') {
        replace(editorBox, message('error', `The group "${existing.group}" no longer exists in "${existing.namespace}".`));
        return;
      }
    }
    const ns = h('input', { type: 'text', name: 'namespace', 'aria-label': 'Namespace', required: true, value: existing?.namespace ?? 'default', spellcheck: 'false' });
    const host = h('div.yaml-host');
    const status = h('div.editor-status', { 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', 'data-testid': 'save-group' }, 'Save');
    const cancel = h('button.secondary', { type: 'button', onclick: closeEditor }, 'Cancel');
    const form = h('form.panel.editor-form', { 'data-testid': 'group-editor' },
      h('h2', null, existing ? `Edit ${existing.namespace} / ${existing.group}` : 'New rule group'),
      h('div.row', null, h('label', null, 'Namespace', ns), h('span.muted', null, 'One group per save, in Prometheus rule-file YAML (the content of one item of groups:). Ctrl+S saves.')),
      host,
      status,
      h('div.row', null, save, cancel),
    );
    // The editor (CodeMirror) is loaded on first use: the list needs none of it.
    const { yamlEditor } = await import('../yaml-editor.ts');
    if (signal.aborted || gen !== editorGen) return;
    replace(editorBox, form);
    editor = yamlEditor(host, text, { onSave: () => form.requestSubmit(), label: 'Rule group YAML' });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit();
    });
    editor.view.focus();

    async function submit(): Promise<void> {
      if (!editor) return;
      const namespace = ns.value.trim();
      if (namespace === '') {
        replace(status, message('error', 'A namespace is needed.'));
        return;
      }
      const body = editor.getValue();
      const name = groupNameOf(body);
      const previous = groups.find((g) => g.file === namespace && g.name === name);
      const before = previous ? rulesKey(previous) : undefined;
      save.disabled = true;
      replace(status, loading('Saving…'));
      try {
        await ctx.api.saveRuleGroup(namespace, body, { signal });
      } catch (err) {
        if (signal.aborted) return;
        save.disabled = false;
        const reason = err instanceof ApiError && err.status === 400 ? err.message : errorText(err);
        replace(status, message('error', `Not saved: ${reason}`));
        return;
      }
      let note = `Saved ${name ? `"${name}"` : 'the group'} in "${namespace}".`;
      // Saved under another namespace or name: that is a move; drop the old group once the new one is stored.
      if (existing && name !== undefined && (existing.namespace !== namespace || existing.group !== name)) {
        const stored = await ctx.api.ruleGroupYaml(namespace, name, { signal }).catch(() => '');
        if (stored !== '') {
          await ctx.api.deleteRuleGroup(existing.namespace, existing.group, { signal }).then(
            () => (note += ` The old group "${existing.group}" in "${existing.namespace}" was removed.`),
            (err: unknown) => (note += ` The old group could not be removed: ${errorText(err)}`),
          );
        }
      }
      if (signal.aborted) return;
      closeEditor();
      replace(notice, message('info', note));
      // Until the ruler shows the saved version (a replaced group's rules differ from before).
      await refresh({
        until: (gs) => {
          if (name === undefined) return true;
          const g = gs.find((x) => x.file === namespace && x.name === name);
          return g !== undefined && rulesKey(g) !== before;
        },
      });
    }
  }

  async function remove(g: RuleGroup): Promise<void> {
    if (!window.confirm(`Delete the rule group "${g.name}" of namespace "${g.file}"?`)) return;
    try {
      await ctx.api.deleteRuleGroup(g.file, g.name, { signal });
    } catch (err) {
      if (!signal.aborted) replace(notice, message('error', `Not deleted: ${errorText(err)}`));
      return;
    }
    replace(notice, message('info', `Deleted "${g.name}" of "${g.file}".`));
    await refresh({ until: (gs) => !gs.some((x) => x.file === g.file && x.name === g.name) });
  }

  /**
   * Reloads the groups. The ruler picks a change up asynchronously, so after a save or delete
   * `until` is polled for a few seconds until the listing shows it.
   */
  async function refresh(opts: { until?: (gs: RuleGroup[]) => boolean } = {}): Promise<void> {
    clearTimeout(timer);
    try {
      for (let i = 0; ; i++) {
        groups = await ctx.api.rules({ signal });
        if (!opts.until || opts.until(groups) || i >= 20 || signal.aborted) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (signal.aborted) return;
      render();
    } catch (err) {
      if (signal.aborted) return;
      replace(list, message('error', `Could not read the rules: ${errorText(err)}`));
    }
    if (!signal.aborted) timer = setTimeout(() => void refresh(), REFRESH_MS);
  }

  function render(): void {
    const type = typeFilter.value;
    const q = textFilter.value.trim().toLowerCase();
    const shown = groups
      .map((g) => ({
        g,
        rules: g.rules.filter((r) => (type === '' || r.type === type) && (q === '' || r.name.toLowerCase().includes(q) || g.name.toLowerCase().includes(q) || g.file.toLowerCase().includes(q))),
      }))
      .filter(({ g, rules }) => rules.length > 0 || (type === '' && (q === '' || g.name.toLowerCase().includes(q) || g.file.toLowerCase().includes(q))));
    if (groups.length === 0) {
      replace(list, h('div.panel', { 'data-testid': 'no-rules' }, h('p', null, 'This tenant has no rule groups. '), h('p.muted', null, 'Create one with "New rule group", or upload files with mimirtool / cortextool against this server.')));
      return;
    }
    if (shown.length === 0) {
      replace(list, h('div.panel.muted', null, 'No rule matches the filter.'));
      return;
    }
    replace(list, shown.map(({ g, rules }) => groupPanel(g, rules)));
  }

  function groupPanel(g: RuleGroup, rules: Rule[]): HTMLElement {
    const errors = g.rules.filter((r) => r.health === 'err').length;
    return h('section.panel.group', { 'data-group': `${g.file}/${g.name}` },
      h('div.group-head', null,
        h('h2', null, h('span.muted', null, `${g.file} / `), g.name),
        h('span.meta', null,
          `every ${formatDuration(g.interval)} · `,
          g.lastEvaluation && since(g.lastEvaluation) ? h('span', { title: formatTime(g.lastEvaluation) }, `evaluated ${since(g.lastEvaluation)}`) : 'not evaluated yet',
          g.evaluationTime !== undefined && g.lastEvaluation && since(g.lastEvaluation) ? ` in ${formatDuration(g.evaluationTime)}` : '',
          errors > 0 ? h('span.badge.err', { style: 'margin-left:6px' }, `${errors} failing`) : null,
        ),
        h('span.buttons', null,
          h('button.secondary.small', { type: 'button', 'data-action': 'edit', onclick: () => void openEditor({ namespace: g.file, group: g.name }) }, 'Edit'),
          h('button.danger.small', { type: 'button', 'data-action': 'delete', onclick: () => void remove(g) }, 'Delete'),
        ),
      ),
      h('div.table-wrap', null, ruleTable(rules)),
    );
  }

  function ruleTable(rules: Rule[]): HTMLElement {
    const t = table<Rule>(
      [
        { title: 'Rule', cell: (r) => [h('span.badge', { class: r.type }, r.type === 'alerting' ? 'alert' : 'record'), ' ', h('strong.mono.rule-name', null, r.name)] },
        {
          title: 'Query',
          cell: (r) => [
            h('pre.query', null, h('a', { href: `#/query?${new URLSearchParams({ expr: r.query })}`, title: 'Open in the Query page' }, r.query)),
            r.duration ? h('div.muted', null, `for ${formatDuration(r.duration)}`) : null,
            r.labels && Object.keys(r.labels).length > 0 ? h('div.chips', null, Object.entries(r.labels).map(([k, v]) => h('span.chip', null, `${k}=${v}`))) : null,
          ],
        },
        {
          title: 'State',
          cell: (r) => (r.type === 'alerting' ? [h('span.badge.rule-state', { class: r.state ?? 'unknown' }, r.state ?? 'unknown'), r.alerts && r.alerts.length > 0 ? h('div.muted', null, `${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'}`) : null] : ''),
        },
        { title: 'Health', cell: (r) => h('span.badge.rule-health', { class: r.health }, r.health) },
        {
          title: 'Last evaluation',
          cell: (r) => (r.lastEvaluation && since(r.lastEvaluation) ? h('span', { title: formatTime(r.lastEvaluation) }, since(r.lastEvaluation)) : h('span.muted', null, 'never')),
        },
        { title: 'Error', cell: (r) => (r.lastError ? h('div.rule-error', null, r.lastError) : '') },
      ],
      rules,
      { empty: 'This group has no rules.' },
    );
    for (const [i, tr] of [...t.querySelectorAll('tbody tr')].entries()) {
      const r = rules[i];
      if (r) {
        (tr as HTMLElement).dataset.rule = r.name;
        if (r.alerts && r.alerts.length > 0) (tr as HTMLElement).title = r.alerts.map((a) => formatLabels(a.labels)).join('\n');
      }
    }
    return stackOnPhone(t);
  }

  void refresh();
  return () => {
    abort.abort();
    clearTimeout(timer);
    closeEditor();
  };
}

/** What identifies a group's rules as written (to notice when the ruler shows a new version). */
function rulesKey(g: RuleGroup): string {
  return JSON.stringify([g.interval, g.rules.map((r) => [r.type, r.name, r.query, r.duration ?? 0, r.labels ?? {}, r.annotations ?? {}])]);
}
