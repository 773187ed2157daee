/**
 * The HA tracker status page, `GET /distributor/ha_tracker`: the clusters this distributor knows,
 * with their elected replica, as an HTML table, or as JSON with `Accept: application/json` or
 * `?format=json`. Operators read it; it is not a tenant API (no tenant header needed).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HaTracker } from './ha-tracker.ts';

/** One row of the page's JSON form. */
export interface HaTrackerPageRow {
  tenant: string;
  cluster: string;
  replica: string;
  /** RFC 3339. */
  electedAt: string;
  /** When the elected replica was last recorded in the KV store, RFC 3339. */
  lastSeen: string;
  /** Seconds since `lastSeen`. */
  ageSeconds: number;
  /** Seconds until another replica may take over if the elected one stays silent (≥ 0). */
  failoverInSeconds: number;
}

/** The page's JSON form. */
export interface HaTrackerPage {
  failoverTimeoutSeconds: number;
  updateTimeoutSeconds: number;
  clusters: HaTrackerPageRow[];
}

/** Builds the page's data from the tracker's state. */
export function haTrackerPage(tracker: HaTracker): HaTrackerPage {
  const now = tracker.now();
  const cfg = tracker.config;
  return {
    failoverTimeoutSeconds: cfg.failoverTimeoutMs / 1000,
    updateTimeoutSeconds: cfg.updateTimeoutMs / 1000,
    clusters: tracker.status().map((e) => ({
      tenant: e.tenant,
      cluster: e.cluster,
      replica: e.replica,
      electedAt: new Date(e.electedAtMs).toISOString(),
      lastSeen: new Date(e.receivedAtMs).toISOString(),
      ageSeconds: (now - e.receivedAtMs) / 1000,
      failoverInSeconds: Math.max(0, (e.receivedAtMs + cfg.failoverTimeoutMs - now) / 1000),
    })),
  };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Renders the page as a self-contained HTML document. */
export function renderHaTrackerHtml(page: HaTrackerPage): string {
  const rows = page.clusters
    .map(
      (r) =>
        `<tr><td>${esc(r.tenant)}</td><td>${esc(r.cluster)}</td><td>${esc(r.replica)}</td>` +
        `<td>${r.electedAt}</td><td>${r.lastSeen}</td><td>${r.ageSeconds.toFixed(1)}s</td><td>${r.failoverInSeconds.toFixed(1)}s</td></tr>`,
    )
    .join('\n');
  const body =
    page.clusters.length === 0
      ? '<p>No HA cluster has written to this distributor yet (or the HA tracker is enabled for no tenant).</p>'
      : `<table>\n<thead><tr><th>Tenant</th><th>Cluster</th><th>Elected replica</th><th>Elected at</th><th>Last seen</th><th>Age</th><th>Failover in</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>HA tracker status</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#eee}</style>
</head>
<body>
<h1>HA tracker status</h1>
<p>Failover timeout ${page.failoverTimeoutSeconds}s; the elected replica is recorded in the KV store at most every ${page.updateTimeoutSeconds}s, so "last seen" lags by up to that much.</p>
${body}
</body>
</html>
`;
}

function wantsJson(req: FastifyRequest): boolean {
  const format = (req.query as Record<string, unknown> | undefined)?.['format'];
  if (format === 'json') return true;
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Registers `GET /distributor/ha_tracker` on the server. */
export function registerHaTrackerPage(app: FastifyInstance, tracker: HaTracker): void {
  app.get('/distributor/ha_tracker', async (req, reply) => {
    const page = haTrackerPage(tracker);
    if (wantsJson(req)) return reply.type('application/json; charset=utf-8').send(page);
    return reply.type('text/html; charset=utf-8').send(renderHaTrackerHtml(page));
  });
}
