// Parsing and formatting of the Query page's range, step and end-time inputs.

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** `1h30m`, `90s`, `2d`, `15` (seconds) → seconds; null when unreadable or not positive. */
export function parseDuration(s: string): number | null {
  const t = s.trim();
  if (t === '') return null;
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 0 ? n : null;
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === t.length && total > 0 ? total : null;
}

/** Seconds → the shortest `1h30m`-style text. */
export function formatDurationParam(sec: number): string {
  if (sec < 1) return `${Math.round(sec * 1000)}ms`;
  let s = Math.round(sec);
  let out = '';
  for (const [u, n] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${u}`;
      s %= n;
    }
  }
  return out;
}

/** Empty → null (now); unix seconds; or a date `2026-01-02 15:04[:05]` read as UTC (or ISO with a zone). */
export function parseEnd(s: string): number | null | undefined {
  const t = s.trim();
  if (t === '' || t === 'now') return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const iso = t.replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Prometheus's UI default: about 250 points per series, at least 1 s, whole seconds. */
export function autoStep(range: number): number {
  return Math.max(1, Math.round(range / 250));
}

export const RANGE_STEPS = [300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 604800, 2 * 604800, 4 * 604800];

/** The next preset range above (dir 1) or below (dir -1) `current`. */
export function nextRange(current: number, dir: 1 | -1): number {
  if (dir > 0) return RANGE_STEPS.find((r) => r > current) ?? current;
  return [...RANGE_STEPS].reverse().find((r) => r < current) ?? current;
}
