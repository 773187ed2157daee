/**
 * The ring status page (`/ingester/ring` by default), served by every target that follows the
 * ring: one row per instance with its id, address, state (UNHEALTHY when its heartbeat is older
 * than the timeout), token count, owned share of the token space and last heartbeat.
 *
 *   GET  <path>                  HTML table (server-rendered, every value HTML-escaped)
 *   GET  <path>?format=json      JSON ({@link RingPageJson}); also for `Accept: application/json`
 *   POST <path>  forget=<id>     removes a dead instance from the ring (form or JSON body, or query
 *               [&force=true]    string); only an UNHEALTHY instance unless `force` is true.
 *                                HTML: 303 back to the page; JSON: {status, data: {forgotten}}.
 *                                404 unknown instance, 409 instance not UNHEALTHY.
 *
 * A forgotten instance that is in fact alive re-registers itself at its next heartbeat.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forgetInstance, type KVStore, type Ring, type RingDesc, type RingInstanceStatus } from '@tessera/ring';
import { Params, TesseraError } from '@tessera/server';

/** Options of {@link registerRingPage}. */
export interface RingPageOptions {
  /** The KV store holding the ring (for `forget`). */
  kv: KVStore<RingDesc>;
  /** KV key of the ring; default the ring's own key. */
  key?: string;
  /** URL path of the page; default `/ingester/ring`. */
  path?: string;
  /** Heading of the HTML page; default `Ingester ring`. */
  title?: string;
  /** Wall clock in Unix ms; default `Date.now`. */
  now?: () => number;
}

/** One instance in the JSON form of the page. */
export interface RingPageInstanceJson {
  id: string;
  address: string;
  /** ACTIVE, JOINING, PENDING, LEAVING or UNHEALTHY. */
  state: string;
  tokens: number;
  /** Share of the token space this instance is the primary owner of, in percent. */
  ownedPercent: number;
  /** RFC 3339 time of the last heartbeat. */
  lastHeartbeat: string;
  /** Seconds since the last heartbeat (negative if the instance's clock is ahead). */
  lastHeartbeatAgeSeconds: number;
  registeredAt: string;
}

/** The JSON form of the ring page. */
export interface RingPageJson {
  ring: string;
  key: string;
  replicationFactor: number;
  heartbeatTimeoutSeconds: number;
  now: string;
  instances: RingPageInstanceJson[];
}

/** The ring page's data as JSON, as of `nowMs`. */
export function ringPageJson(ring: Ring, nowMs: number): RingPageJson {
  return {
    ring: ring.name,
    key: ring.key,
    replicationFactor: ring.replicationFactor,
    heartbeatTimeoutSeconds: ring.heartbeatTimeoutMs / 1000,
    now: isoTime(nowMs),
    instances: ring.status(nowMs).map((s) => ({
      id: s.id,
      address: s.addr,
      state: s.state,
      tokens: s.tokens,
      ownedPercent: Math.round(s.ownership * 1e6) / 1e4,
      lastHeartbeat: isoTime(s.heartbeatMs),
      lastHeartbeatAgeSeconds: (nowMs - s.heartbeatMs) / 1000,
      registeredAt: isoTime(s.registeredMs),
    })),
  };
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A duration as a short age, e.g. `4s ago`, `2m3s ago`, `1h2m ago`, `3d4h ago`. */
export function formatAge(ms: number): string {
  if (ms < 0) return 'in the future';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60}m ago`;
  return `${Math.floor(h / 24)}d${h % 24}h ago`;
}

/** What the HTML page shows above the table. */
interface Banner {
  kind: 'ok' | 'error';
  text: string;
}

function renderRow(s: RingInstanceStatus, nowMs: number, action: string): string {
  const forget =
    s.state === 'UNHEALTHY'
      ? `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="forget" value="${escapeHtml(s.id)}"><button type="submit">Forget</button></form>`
      : '';
  return (
    `<tr class="state-${escapeHtml(s.state.toLowerCase())}">` +
    `<td>${escapeHtml(s.id)}</td><td>${escapeHtml(s.addr)}</td><td>${escapeHtml(s.state)}</td>` +
    `<td class="num">${s.tokens}</td><td class="num">${(s.ownership * 100).toFixed(2)}%</td>` +
    `<td title="${escapeHtml(isoTime(s.heartbeatMs))}">${escapeHtml(formatAge(nowMs - s.heartbeatMs))}</td>` +
    `<td>${escapeHtml(isoTime(s.registeredMs))}</td><td>${forget}</td></tr>`
  );
}

/** Renders the HTML page. */
export function renderRingPage(ring: Ring, nowMs: number, opts: { title: string; action: string; banner?: Banner }): string {
  const rows = ring.status(nowMs);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${escapeHtml(state)}`).join(', ') || 'no instances';
  const banner = opts.banner === undefined ? '' : `<p class="${opts.banner.kind}">${escapeHtml(opts.banner.text)}</p>`;
  const body =
    rows.length === 0
      ? '<tr><td colspan="8">No instance is registered in this ring.</td></tr>'
      : rows.map((r) => renderRow(r, nowMs, opts.action)).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(opts.title)}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
td.num { text-align: right; }
tr.state-unhealthy td { background: #fdd; }
tr.state-leaving td, tr.state-joining td, tr.state-pending td { background: #ffd; }
p.error { color: #a00; }
p.ok { color: #070; }
</style>
</head>
<body>
<h1>${escapeHtml(opts.title)}</h1>
<p>Ring <code>${escapeHtml(ring.name)}</code> (KV key <code>${escapeHtml(ring.key)}</code>), replication factor ${ring.replicationFactor}, heartbeat timeout ${ring.heartbeatTimeoutMs / 1000}s: ${summary}. As of ${escapeHtml(isoTime(nowMs))}.</p>
${banner}
<table>
<thead><tr><th>Instance</th><th>Address</th><th>State</th><th>Tokens</th><th>Owned</th><th>Last heartbeat</th><th>Registered</th><th></th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

/** True when the request asks for JSON (`?format=json` or an Accept header naming JSON). */
function wantsJson(req: FastifyRequest, params: Params): boolean {
  if (params.get('format') === 'json') return true;
  return (req.headers.accept ?? '').includes('application/json');
}

/** `forget` and `force` from the query string, a form body or a JSON body. */
function forgetParams(req: FastifyRequest): { id: string; force: boolean; params: Params } {
  const params = new Params(req);
  let id = params.get('forget') ?? params.get('id') ?? '';
  let force = params.get('force');
  const body = req.body;
  if (typeof body === 'object' && body !== null && !(body instanceof URLSearchParams) && !(body instanceof Uint8Array)) {
    const o = body as Record<string, unknown>;
    if (id === '' && typeof (o.forget ?? o.id) === 'string') id = (o.forget ?? o.id) as string;
    if (force === undefined && (typeof o.force === 'boolean' || typeof o.force === 'string')) force = String(o.force);
  }
  return { id, force: force === 'true' || force === '1' || force === 'on', params };
}

/** Registers the ring page (GET: HTML or JSON; POST: forget) on `app`. */
export function registerRingPage(app: FastifyInstance, ring: Ring, opts: RingPageOptions): void {
  const path = opts.path ?? '/ingester/ring';
  const key = opts.key ?? ring.key;
  const title = opts.title ?? 'Ingester ring';
  const now = opts.now ?? Date.now;

  const html = (reply: FastifyReply, status: number, banner?: Banner): FastifyReply =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderRingPage(ring, now(), { title, action: path, ...(banner === undefined ? {} : { banner }) }));

  app.get(path, async (req, reply) => {
    const params = new Params(req);
    if (wantsJson(req, params)) return reply.header('cache-control', 'no-store').send(ringPageJson(ring, now()));
    const forgotten = params.get('forgotten');
    return html(reply, 200, forgotten === undefined ? undefined : { kind: 'ok', text: `Instance ${forgotten} was removed from the ring.` });
  });

  app.post(path, async (req, reply) => {
    const { id, force, params } = forgetParams(req);
    const json = wantsJson(req, params);
    const refuse = (status: number, code: string, message: string): FastifyReply => {
      if (!json) return html(reply, status, { kind: 'error', text: message });
      throw new TesseraError(status === 404 ? 'not_found' : 'bad_data', code, message, { status });
    };
    if (id === '') return refuse(400, 'ring-forget-missing-id', 'no instance to forget: send the form field "forget" with the instance id');
    const inst = ring.status(now()).find((s) => s.id === id);
    if (inst === undefined) return refuse(404, 'ring-instance-not-found', `instance ${id} is not in the ring`);
    if (inst.state !== 'UNHEALTHY' && !force) {
      return refuse(409, 'ring-instance-healthy', `instance ${id} is ${inst.state}, not UNHEALTHY: only dead instances can be forgotten (add force=true to override)`);
    }
    let found: boolean;
    try {
      found = await forgetInstance(opts.kv, key, id);
      // Show the result at once rather than after the KV watch delivers it.
      const desc = await opts.kv.get(key);
      if (desc !== null) ring.update(desc);
    } catch (e) {
      throw new TesseraError('unavailable', 'ring-kv-unavailable', `could not update the ring: ${(e as Error).message}`, { cause: e });
    }
    if (!found) return refuse(404, 'ring-instance-not-found', `instance ${id} is not in the ring`);
    req.log.info({ id, force, state: inst.state }, 'instance forgotten from the ring');
    if (json) return reply.send({ status: 'success', data: { forgotten: id } });
    return reply.code(303).header('location', `${path}?forgotten=${encodeURIComponent(id)}`).send();
  });
}
