/**
 * The worker's storage: a PromQL Queryable answering the engine's selects from data prefetched
 * and packed on the main thread (layout in prefetch.ts). Chunk bytes are read in place: views
 * into the transferred buffer, never copied.
 *
 * A select is answered from the selection with the same matchers (matchersKey), which must
 * cover the querier's range; the series returned are those with a chunk overlapping the range
 * (the head's own rule, so results equal those of a query reading the head directly), and
 * their iterators are trimmed to the range. A select that was not prefetched is a bug in the
 * range computation: it fails with {@link PrefetchMissError} rather than return less data.
 */
import { Labels, readUtf8, type Matcher } from '@tessera/model';
import type { Querier, Queryable, SelectHints, StorageSeries } from '@tessera/promql';
import { overlapsRange, seriesIterator, type SourceChunks } from './chunk-iterators.ts';
import { PREFETCH_MAGIC } from './prefetch.ts';
import { matchersKey } from './selector-ranges.ts';

const BRAND = Symbol.for('@tessera/querier.PrefetchMissError');

/** The error for a select the prefetched data does not cover (an internal error: a bug). */
export class PrefetchMissError extends Error {
  readonly [BRAND] = true;

  constructor(message: string) {
    super(message);
    this.name = 'PrefetchMissError';
  }

  /** Brand check. */
  static is(e: unknown): e is PrefetchMissError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** One prefetched series: labels and the chunks of each replica. */
interface PrefetchedSeries {
  readonly labels: Labels;
  readonly sources: readonly SourceChunks[];
}

/** The data of one selector. */
interface Selection {
  readonly mint: number;
  readonly maxt: number;
  readonly series: readonly PrefetchedSeries[];
}

/** A Queryable over a packed prefetch; see the file comment. */
export class PrefetchedQueryable implements Queryable {
  readonly #selections: ReadonlyMap<string, Selection>;

  /** Decodes `buf` (views into it are kept: do not modify it afterwards). */
  constructor(buf: ArrayBuffer) {
    this.#selections = decode(buf);
  }

  /** Number of prefetched selections (distinct matcher lists). */
  get selectionCount(): number {
    return this.#selections.size;
  }

  querier(mint: number, maxt: number): Querier {
    const selections = this.#selections;
    return {
      select(matchers: readonly Matcher[], _hints: SelectHints, signal?: AbortSignal): StorageSeries[] {
        signal?.throwIfAborted();
        const key = matchersKey(matchers);
        const sel = selections.get(key);
        if (sel === undefined) throw new PrefetchMissError(`selector ${key} was not prefetched`);
        if (mint < sel.mint || maxt > sel.maxt) {
          throw new PrefetchMissError(`selector ${key} was prefetched for [${sel.mint}, ${sel.maxt}], read over [${mint}, ${maxt}]`);
        }
        const out: StorageSeries[] = [];
        for (const s of sel.series) {
          if (!overlapsRange(s.sources, mint, maxt)) continue;
          const sources = s.sources;
          out.push({ labels: s.labels, iterator: () => seriesIterator(sources, mint, maxt) });
        }
        return out;
      },
      close(): void {},
    };
  }
}

function decode(buf: ArrayBuffer): Map<string, Selection> {
  const dv = new DataView(buf);
  const bytes = new Uint8Array(buf);
  if (buf.byteLength < 8 || dv.getUint32(0, true) !== PREFETCH_MAGIC) throw new Error('prefetch: bad magic');
  const n = dv.getUint32(4, true);
  let p = 8;
  const out = new Map<string, Selection>();
  for (let i = 0; i < n; i++) {
    const keyLen = dv.getUint32(p, true);
    const key = readUtf8(bytes, p + 4, p + 4 + keyLen);
    p += 4 + keyLen;
    const mint = dv.getFloat64(p, true);
    const maxt = dv.getFloat64(p + 8, true);
    const seriesCount = dv.getUint32(p + 16, true);
    p += 20;
    const series: PrefetchedSeries[] = new Array<PrefetchedSeries>(seriesCount);
    for (let j = 0; j < seriesCount; j++) {
      const labelsLen = dv.getUint32(p, true);
      const labels = Labels.decode(bytes, p + 4, p + 4 + labelsLen);
      p += 4 + labelsLen;
      const sourceCount = dv.getUint32(p, true);
      p += 4;
      const sources: SourceChunks[] = new Array<SourceChunks>(sourceCount);
      for (let k = 0; k < sourceCount; k++) {
        const chunkCount = dv.getUint32(p, true);
        p += 4;
        const chunks: Uint8Array[] = new Array<Uint8Array>(chunkCount);
        const minTs = new Float64Array(chunkCount);
        const maxTs = new Float64Array(chunkCount);
        for (let c = 0; c < chunkCount; c++) {
          minTs[c] = dv.getFloat64(p, true);
          maxTs[c] = dv.getFloat64(p + 8, true);
          const len = dv.getUint32(p + 16, true);
          chunks[c] = bytes.subarray(p + 20, p + 20 + len);
          p += 20 + len;
        }
        sources[k] = { chunks, minTs, maxTs };
      }
      series[j] = { labels, sources };
    }
    out.set(key, { mint, maxt, series });
  }
  if (p !== buf.byteLength) throw new Error(`prefetch: ${buf.byteLength - p} trailing bytes`);
  return out;
}
