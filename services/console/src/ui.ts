// Tiny DOM helpers shared by the pages: element builder, tables, messages, formatting.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** h('div.card#main', { title: 'x', onclick: fn }, 'text', child) — classes/id in the tag string. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K | `${K}.${string}` | `${K}#${string}`, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/i.exec(tag);
  const name = (m?.[1] ?? tag) as K;
  const el = document.createElement(name);
  for (const part of (m?.[2] ?? '').match(/[.#][\w-]+/g) ?? []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replace all children of `el`. */
export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

export type Column<T> = { title: string; cell: (row: T) => Child | Child[]; className?: string; numeric?: boolean };

/** A table; `empty` is shown as one row when there are no rows. */
export function table<T>(columns: Column<T>[], rows: T[], opts: { empty?: string; className?: string } = {}): HTMLTableElement {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.numeric ? 'num' : c.className }, c.title))));
  const body = h('tbody');
  if (rows.length === 0) body.appendChild(h('tr', null, h('td.empty', { colspan: columns.length }, opts.empty ?? 'No data')));
  for (const r of rows) {
    body.appendChild(h('tr', null, columns.map((c) => {
      const td = h('td', { class: c.numeric ? 'num' : c.className });
      append(td, [c.cell(r)]);
      return td;
    })));
  }
  return h('table.data', { class: opts.className }, head, body);
}

/** An inline message box: kind 'error' | 'warning' | 'info'. */
export function message(kind: 'error' | 'warning' | 'info', text: string | Node): HTMLElement {
  return h('div.msg', { class: `msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Text of an unknown error (ApiError or other), with its errorType when present. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'errorType' in err && 'message' in err) {
    return `${String((err as { errorType: string }).errorType)}: ${String((err as { message: string }).message)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** `{__name__="x", a="b"}` → `x{a="b"}`. */
export function formatLabels(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.entries(rest)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name ?? ''}${inner || !name ? `{${inner}}` : ''}`;
}

/** Unix seconds (or ISO string) → `2026-01-02 15:04:05` in UTC. */
export function formatTime(t: number | string | undefined): string {
  if (t === undefined || t === '') return '';
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return '';
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Seconds → `1h5m3s`, `250ms`. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  if (sec < 1) return `${Math.round(sec * 1000 * 100) / 100}ms`;
  let s = Math.round(sec);
  const parts: string[] = [];
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${unit}`);
      s %= n;
    }
  }
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}

/** Time elapsed since an ISO timestamp, as `5m3s ago`. */
export function since(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t) || t <= 0) return '';
  return `${formatDuration(Math.max(0, (now - t) / 1000))} ago`;
}

/** 12345678 → `12,345,678`. */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** A "loading…" placeholder. */
export function loading(text = 'Loading…'): HTMLElement {
  return h('div.loading', null, text);
}
