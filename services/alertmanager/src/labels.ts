/**
 * Label sets as Alertmanager sees them: plain string maps, identified by a fingerprint, printed
 * and ordered the way Alertmanager prints and orders them (these strings reach users: group keys
 * in webhook bodies, fingerprints in the v2 API).
 */

/** A label set (or an annotation set): name → value. */
export type LabelSet = Readonly<Record<string, string>>;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const utf8 = new TextEncoder();

/** Compares two strings by their UTF-8 bytes (Go's string order). */
export function compareGo(a: string, b: string): number {
  if (a === b) return 0;
  // For strings without surrogates UTF-16 code unit order equals code point order equals UTF-8
  // byte order; the slow path handles astral characters.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && x <= 0xdfff || y >= 0xd800 && y <= 0xdfff) {
        return (a.codePointAt(i) ?? 0) < (b.codePointAt(i) ?? 0) ? -1 : 1;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** The names of `ls`, sorted in Go's string order. */
export function sortedNames(ls: LabelSet): string[] {
  return Object.keys(ls).sort(compareGo);
}

/**
 * The fingerprint of a label set, as 16 lower-case hex digits: FNV-1a 64 over every
 * `name 0xff value 0xff` in ascending name order (the empty set hashes to the FNV offset basis).
 * This is the `fingerprint` of webhook bodies and of `GET /api/v2/alerts`.
 */
export function fingerprint(ls: LabelSet): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array): void => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  };
  const sep = Uint8Array.of(SEPARATOR);
  for (const name of sortedNames(ls)) {
    add(utf8.encode(name));
    add(sep);
    add(utf8.encode(ls[name]!));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * Go's `%q` of a string as Alertmanager prints label values: double quotes, with `\\`, `"` and
 * control characters escaped.
 */
export function quoteValue(v: string): string {
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** A label set printed as Alertmanager prints it: `{a="1", b="2"}`, names sorted. */
export function formatLabelSet(ls: LabelSet): string {
  return '{' + sortedNames(ls).map((n) => `${n}=${quoteValue(ls[n]!)}`).join(', ') + '}';
}

/** A copy of `ls` with its keys in Go's order, so JSON.stringify prints them as Go does. */
export function sortedCopy(ls: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of sortedNames(ls)) out[n] = ls[n]!;
  return out;
}

/** True when both sets hold the same pairs. */
export function equalLabelSets(a: LabelSet, b: LabelSet): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * Alertmanager's `LabelSet.Before`: compares label sets pair by pair in name order, names
 * first, then values; a prefix sorts first.
 */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const na = sortedNames(a);
  const nb = sortedNames(b);
  const n = Math.min(na.length, nb.length);
  for (let i = 0; i < n; i++) {
    const c = compareGo(na[i]!, nb[i]!);
    if (c !== 0) return c < 0;
    const v = compareGo(a[na[i]!]!, b[nb[i]!]!);
    if (v !== 0) return v < 0;
  }
  return na.length < nb.length;
}

/**
 * The order of alerts in a notification (Alertmanager's `AlertSlice`): by the `job` label, then
 * `instance` (an alert that has the label before one that lacks it), then the whole label set.
 */
export function compareAlertLabels(a: LabelSet, b: LabelSet): number {
  for (const key of ['job', 'instance']) {
    const av = a[key];
    const bv = b[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return compareGo(av, bv);
  }
  if (labelSetBefore(a, b)) return -1;
  if (labelSetBefore(b, a)) return 1;
  return 0;
}
