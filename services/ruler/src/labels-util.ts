/** Small helpers over label maps (plain objects), used by the rules. */

/** The labels sorted by name: the canonical order of a series (remote-write requires it). */
export function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

/** An identity of a label set independent of key order (the alert's fingerprint). */
export function labelsKey(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return JSON.stringify(keys.map((k) => [k, labels[k]]));
}
