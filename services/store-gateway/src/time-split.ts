/**
 * The querier's split between ingesters and the store by time, as in Mimir:
 * ingesters hold only the recent past, so they are asked only when the query's end is within
 * `-querier.query-ingesters-within` of now; the store is asked only when the query starts more
 * than `-querier.query-store-after` before now (0 = always). Overlaps are harmless: the query
 * path de-duplicates samples by timestamp.
 */
import type { ChunkSeries } from '@tessera/ingester';
import type { Labels, Matcher } from '@tessera/model';

/** The reads the query path makes (the querier's ChunkReader and IngesterReader together). */
export interface QueryReader {
  queryChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] | Promise<ChunkSeries[]>;
  series(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): Labels[] | Promise<Labels[]>;
  labelNames(tenant: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] | Promise<string[]>;
  labelValues(tenant: string, name: string, sets: readonly (readonly Matcher[])[], mint: number, maxt: number): string[] | Promise<string[]>;
}

/** A reader that answers nothing for ranges `skip(mint, maxt)` accepts, else asks `inner`. */
function gated(inner: QueryReader, skip: (mint: number, maxt: number) => boolean): QueryReader {
  return {
    queryChunks: (t, m, mint, maxt) => (skip(mint, maxt) ? [] : inner.queryChunks(t, m, mint, maxt)),
    series: (t, s, mint, maxt) => (skip(mint, maxt) ? [] : inner.series(t, s, mint, maxt)),
    labelNames: (t, s, mint, maxt) => (skip(mint, maxt) ? [] : inner.labelNames(t, s, mint, maxt)),
    labelValues: (t, n, s, mint, maxt) => (skip(mint, maxt) ? [] : inner.labelValues(t, n, s, mint, maxt)),
  };
}

/** `reader` (an ingester) asked only for queries ending at or after now − withinMs (0: always). */
export function ingesterWithin(reader: QueryReader, withinMs: number, now: () => number = Date.now): QueryReader {
  if (withinMs <= 0) return reader;
  return gated(reader, (_mint, maxt) => maxt < now() - withinMs);
}

/** `reader` (the store) asked only for queries starting before now − afterMs (0: always). */
export function storeAfter(reader: QueryReader, afterMs: number, now: () => number = Date.now): QueryReader {
  if (afterMs <= 0) return reader;
  return gated(reader, (mint) => mint > now() - afterMs);
}
