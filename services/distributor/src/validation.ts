/**
 * Validation of incoming series on their raw bytes: the same rules, in the same order, as
 * `validateSeriesLabels` of @tessera/model (Mimir's rules), but reading the label bytes of the
 * decoded request in place instead of building strings, because it runs for every series of every
 * request. A property test proves both agree.
 *
 * Rules, in order: `__name__` present and a valid metric name; at most N labels; then per label:
 * valid name, name length, value length (UTF-8 bytes), value is valid UTF-8, names strictly
 * ascending (an equal neighbour is a duplicate).
 */
import type { SeriesValidationLimits, SeriesValidationReason } from '@tessera/model';
import type { AppendBatch } from '@tessera/tsdb';

/** Why a series was refused by the byte validator: the model's reasons plus invalid UTF-8. */
export type SeriesRejectReason = SeriesValidationReason | 'label-value-invalid';

/** Result of validating one series: null when valid. */
export interface SeriesProblem {
  reason: SeriesRejectReason;
  /** Index (within the series) of the offending label, or -1. */
  labelIndex: number;
}

// "__name__" as bytes.
const NAME = [0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f];

function isNameLabel(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 8) return false;
  for (let i = 0; i < 8; i++) if (buf[s + i] !== NAME[i]) return false;
  return true;
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` (colons allowed when `metric`), on bytes. */
function validName(buf: Uint8Array, s: number, e: number, metric: boolean): boolean {
  if (e === s) return false;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (metric && c === 0x3a);
    if (alpha) continue;
    if (i > s && c >= 0x30 && c <= 0x39) continue;
    return false;
  }
  return true;
}

/** Whether `buf[s, e)` is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
export function validUtf8(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e) {
    const c = buf[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if ((c & 0xe0) === 0xc0) {
      need = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if ((c & 0xf0) === 0xe0) {
      need = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if ((c & 0xf8) === 0xf0) {
      need = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else return false;
    if (i + need >= e) return false;
    for (let k = 1; k <= need; k++) {
      const b = buf[i + k]!;
      if ((b & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** Compares `buf[a0,a1)` with `buf[b0,b1)` bytewise. */
function compareBytes(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = buf[a0 + i]! - buf[b0 + i]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/** Validates series `i` of a decoded request; returns null when it is acceptable. */
export function validateSeriesBytes(batch: AppendBatch, i: number, limits: SeriesValidationLimits): SeriesProblem | null {
  const buf = batch.buf;
  const first = batch.labelFirst[i]!;
  const count = batch.labelCount[i]!;
  const end = first + count;
  let metric = -1;
  for (let k = first; k < end; k++) {
    if (isNameLabel(buf, batch.nameStart[k]!, batch.nameEnd[k]!)) {
      metric = k;
      break;
    }
  }
  if (metric < 0 || batch.valueEnd[metric] === batch.valueStart[metric]) return { reason: 'missing-metric-name', labelIndex: -1 };
  if (!validName(buf, batch.valueStart[metric]!, batch.valueEnd[metric]!, true)) {
    return { reason: 'metric-name-invalid', labelIndex: -1 };
  }
  if (count > limits.maxLabelNamesPerSeries) return { reason: 'max-label-names-per-series', labelIndex: -1 };
  for (let k = first; k < end; k++) {
    const ns = batch.nameStart[k]!;
    const ne = batch.nameEnd[k]!;
    if (!validName(buf, ns, ne, false)) return { reason: 'label-invalid', labelIndex: k - first };
    if (ne - ns > limits.maxLabelNameLength) return { reason: 'label-name-too-long', labelIndex: k - first };
    const vs = batch.valueStart[k]!;
    const ve = batch.valueEnd[k]!;
    if (ve - vs > limits.maxLabelValueLength) return { reason: 'label-value-too-long', labelIndex: k - first };
    if (!validUtf8(buf, vs, ve)) return { reason: 'label-value-invalid', labelIndex: k - first };
    if (k > first) {
      const c = compareBytes(buf, batch.nameStart[k - 1]!, batch.nameEnd[k - 1]!, ns, ne);
      if (c === 0) return { reason: 'duplicate-label-names', labelIndex: k - first };
      if (c > 0) return { reason: 'labels-not-sorted', labelIndex: k - first };
    }
  }
  return null;
}
