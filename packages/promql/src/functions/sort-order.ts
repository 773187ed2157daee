/**
 * Orderings used by `sort`, `sort_desc`, `sort_by_label` and `sort_by_label_desc`.
 *
 * `sort`/`sort_desc` order by value with NaN last in both directions. `sort_by_label` compares
 * label values in natural sort order (Prometheus uses the facette/natsort rules): both strings are
 * split into runs of ASCII digits and runs of other characters; runs are compared pairwise, as
 * integers when both are digit runs that fit an int64, else as strings (UTF-8 byte order); a
 * string that runs out of runs first sorts first.
 */
import { compareUtf8 } from '@tessera/model';

/** Comparator for `sort`: ascending by value, NaN last. */
export function compareValuesAsc(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Comparator for `sort_desc`: descending by value, NaN last. */
export function compareValuesDesc(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a > b ? -1 : a < b ? 1 : 0;
}

const CHUNK = /\d+|\D+/g;
const MAX_INT64 = 9223372036854775807n;

function chunks(s: string): string[] {
  return s.match(CHUNK) ?? [];
}

function isDigitRun(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Whether the digit run parses as an int64 (Go's strconv.Atoi succeeds). */
function fitsInt64(run: string): boolean {
  return run.length < 19 || BigInt(run) <= MAX_INT64;
}

/** Compares two digit runs numerically (both fit an int64). */
function compareDigitRuns(a: string, b: string): number {
  if (a.length <= 15 && b.length <= 15) {
    // Exact as doubles (< 2^53).
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Natural-order comparison of two label values: negative when `a` sorts first, positive when `b`
 * does, 0 only when the strings are equal.
 */
export function compareNatural(a: string, b: string): number {
  if (a === b) return 0;
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < ca.length; i++) {
    if (i >= cb.length) return 1;
    const x = ca[i]!;
    const y = cb[i]!;
    if (isDigitRun(x) && isDigitRun(y) && fitsInt64(x) && fitsInt64(y)) {
      const c = compareDigitRuns(x, y);
      if (c !== 0) return c;
    } else if (x !== y) {
      return compareUtf8(x, y) < 0 ? -1 : 1;
    }
    // Equal runs: if either string ends here, the shorter one sorts first.
    if (i === ca.length - 1) return -1;
    if (i === cb.length - 1) return 1;
  }
  return 1;
}
