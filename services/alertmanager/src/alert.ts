/**
 * Alerts inside the alertmanager: the v2 API's postable alert, validated and normalised, with
 * Alertmanager's rules for filling in missing times and for merging a re-sent alert into the one
 * already known.
 */
import { isValidLabelName } from '@tessera/model';
import { fingerprint, type LabelSet } from './labels.ts';

/** An alert as `POST /api/v2/alerts` takes it (what the ruler sends). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; empty or absent: now (or endsAt when only that is set). */
  startsAt?: string;
  /** RFC 3339; empty or absent: now + resolve_timeout. */
  endsAt?: string;
  generatorURL?: string;
}

/** An alert the alertmanager holds. Times are Unix milliseconds; 0 is Go's zero time. */
export interface Alert {
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
  /** When this version was received. */
  readonly updatedAt: number;
  /** `endsAt` was not sent but set from resolve_timeout. */
  readonly timeout: boolean;
  readonly fingerprint: string;
}

/** True when the alert has ended at `now`. */
export function resolvedAt(a: Pick<Alert, 'endsAt'>, now: number): boolean {
  return a.endsAt !== 0 && a.endsAt <= now;
}

function parseTime(v: string | undefined, field: string): number {
  if (v === undefined || v === '' || v === '0001-01-01T00:00:00Z') return 0;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || !/^\d{4}-\d\d-\d\dT/.test(v)) throw new Error(`${field}: invalid RFC 3339 time ${JSON.stringify(v)}`);
  return ms;
}

/**
 * Validates a posted alert and fills in its times as Alertmanager does.
 *
 * @throws Error with the reason the alert is refused.
 */
export function alertFromPostable(p: PostableAlert, now: number, resolveTimeoutMs: number): Alert {
  if (p === null || typeof p !== 'object' || p.labels === null || typeof p.labels !== 'object') throw new Error('alert has no labels');
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.labels)) {
    if (!isValidLabelName(k)) throw new Error(`invalid label set: invalid name ${JSON.stringify(k)}`);
    if (typeof v !== 'string' || v === '') throw new Error(`invalid label set: invalid value for ${JSON.stringify(k)}`);
    labels[k] = v;
  }
  if (Object.keys(labels).length === 0) throw new Error('at least one label pair required');
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.annotations ?? {})) {
    if (!isValidLabelName(k)) throw new Error(`invalid annotations: invalid name ${JSON.stringify(k)}`);
    if (typeof v !== 'string') throw new Error(`invalid annotations: invalid value for ${JSON.stringify(k)}`);
    annotations[k] = v;
  }
  let startsAt = parseTime(p.startsAt, 'startsAt');
  let endsAt = parseTime(p.endsAt, 'endsAt');
  if (startsAt === 0) startsAt = endsAt === 0 ? now : endsAt;
  let timeout = false;
  if (endsAt === 0) {
    timeout = true;
    endsAt = now + resolveTimeoutMs;
  }
  if (endsAt < startsAt) throw new Error('start time must be before end time');
  return { labels, annotations, startsAt, endsAt, generatorURL: p.generatorURL ?? '', updatedAt: now, timeout, fingerprint: fingerprint(labels) };
}

/**
 * Merges a newer version `o` of an alert into the known `a` (Alertmanager's rule): the newer
 * one wins, keeping the earliest start; when resolved, the latest explicit end; when firing, an
 * explicit later end of the older one.
 */
export function mergeAlerts(a: Alert, o: Alert): Alert {
  if (o.updatedAt < a.updatedAt) return mergeAlerts(o, a);
  let startsAt = o.startsAt;
  let endsAt = o.endsAt;
  if (a.startsAt < o.startsAt) startsAt = a.startsAt;
  if (resolvedAt(o, o.updatedAt)) {
    if (resolvedAt(a, o.updatedAt) && a.endsAt > o.endsAt) endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) {
    endsAt = a.endsAt;
  }
  return { ...o, startsAt, endsAt };
}

/** True when the two versions' active periods overlap (else the new one replaces the old). */
export function overlaps(a: Alert, o: Alert): boolean {
  return a.startsAt <= o.endsAt && o.startsAt <= a.endsAt;
}
