/**
 * How the series of a real recording move from scrape to scrape: the classes the synthetic
 * dataset's mix is calibrated on (see dataset.ts, CLASS_SHARES).
 *
 * Per series, over the intervals between consecutive scrapes that both hold a sample:
 * - constant: never changes;
 * - rare: changes in at most RARE_MAX_SHARE of the intervals;
 * - counter: never decreases and changes more often (`every`: in every interval);
 * - gauge: decreases at least once and changes more often.
 * And how precise its values are: all integers, all with at most two decimals, or other floats.
 */

/** Classes of series, as measured and as generated. */
export type SeriesClass = 'constant' | 'rare' | 'counter' | 'gauge';
export const SERIES_CLASSES: readonly SeriesClass[] = ['constant', 'rare', 'counter', 'gauge'];
/** Precision of a series' values. */
export type Precision = 'integer' | 'decimal2' | 'float';
export const PRECISIONS: readonly Precision[] = ['integer', 'decimal2', 'float'];

/** A series changing in at most this share of scrape intervals is "rare". */
export const RARE_MAX_SHARE = 0.1;

/** The measured class of one series. */
export interface SeriesProfile {
  cls: SeriesClass;
  precision: Precision;
  /** Changed in every interval. */
  every: boolean;
  /** Share of the intervals in which it changed. */
  changeRate: number;
}

/** Values per (series, round): a recording of real scrapes, or the synthetic dataset. */
export interface SampleGrid {
  readonly series: number;
  readonly rounds: number;
  value(i: number, r: number): number;
  /** False when series `i` has no sample in round `r` (every sample exists when absent). */
  has?(i: number, r: number): boolean;
}

/** Profiles every series of the recording that has at least two samples. */
export function profileSeries(rec: SampleGrid): SeriesProfile[] {
  const out: SeriesProfile[] = [];
  for (let i = 0; i < rec.series; i++) {
    let prev: number | null = null;
    let intervals = 0;
    let changes = 0;
    let decreases = 0;
    let precision: Precision = 'integer';
    for (let r = 0; r < rec.rounds; r++) {
      if (rec.has !== undefined && !rec.has(i, r)) {
        prev = null;
        continue;
      }
      const v = rec.value(i, r);
      if (precision === 'integer' && !Number.isInteger(v)) precision = 'decimal2';
      if (precision === 'decimal2' && Number.isFinite(v) && Math.abs(Math.round(v * 100) / 100 - v) > Math.abs(v) * 1e-15) precision = 'float';
      if (prev !== null) {
        intervals++;
        if (!Object.is(v, prev) && !(Number.isNaN(v) && Number.isNaN(prev))) changes++;
        if (v < prev) decreases++;
      }
      prev = v;
    }
    if (intervals === 0) continue;
    const cls: SeriesClass = changes === 0 ? 'constant' : changes <= RARE_MAX_SHARE * intervals ? 'rare' : decreases === 0 ? 'counter' : 'gauge';
    out.push({ cls, precision, every: changes === intervals, changeRate: changes / intervals });
  }
  return out;
}

/** Shares of the classes, and of precisions within each class. */
export interface ClassShares {
  series: number;
  share: Record<SeriesClass, number>;
  precision: Record<SeriesClass, Record<Precision, number>>;
  /** Share of counters that changed in every interval. */
  countersEvery: number;
  /** Mean share of intervals in which a series of the class changed. */
  changeRate: Record<SeriesClass, number>;
}

export function classShares(profiles: SeriesProfile[]): ClassShares {
  const count = (f: (p: SeriesProfile) => boolean): number => profiles.filter(f).length;
  const share = {} as Record<SeriesClass, number>;
  const precision = {} as Record<SeriesClass, Record<Precision, number>>;
  const changeRate = {} as Record<SeriesClass, number>;
  for (const c of SERIES_CLASSES) {
    const n = count((p) => p.cls === c);
    changeRate[c] = n === 0 ? 0 : profiles.filter((p) => p.cls === c).reduce((a, p) => a + p.changeRate, 0) / n;
    share[c] = n / profiles.length;
    precision[c] = {} as Record<Precision, number>;
    for (const q of PRECISIONS) precision[c][q] = n === 0 ? 0 : count((p) => p.cls === c && p.precision === q) / n;
  }
  const counters = count((p) => p.cls === 'counter');
  return { series: profiles.length, share, precision, changeRate, countersEvery: counters === 0 ? 0 : count((p) => p.cls === 'counter' && p.every) / counters };
}

/** Report lines of {@link classShares}. */
export function sharesLines(s: ClassShares): string[] {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return SERIES_CLASSES.map((c) => `  ${c.padEnd(9)} ${pct(s.share[c]).padStart(6)}   (integer ${pct(s.precision[c].integer)}, ≤2 decimals ${pct(s.precision[c].decimal2)}, other floats ${pct(s.precision[c].float)})${c === 'constant' ? '' : `, changed in ${pct(s.changeRate[c])} of intervals`}${c === 'counter' ? `; ${pct(s.countersEvery)} of counters moved in every interval` : ''}`);
}
