/**
 * A {@link QueryFn} over the querier's runner: the same engine, storage view and per-tenant query
 * limits as `/api/v1/query`. The runner answers with Prometheus's JSON body; the few shapes a rule
 * can get (vector, scalar, matrix for range selectors) are read back from it.
 */
import type { Limits } from '@tessera/limits';
import type { QueryRunner } from '@tessera/querier';
import type { QueryFn, VectorSample } from './eval-types.ts';
import { parsePromValue } from './go-format.ts';
import { ruleEvalError } from './rule-error.ts';

/** Options of {@link runnerQueryFn}. */
export interface RunnerQueryFnOptions {
  runner: Pick<QueryRunner, 'run'>;
  limits: (tenant: string) => Readonly<Limits>;
  /** `-querier.lookback-delta`; 0 = the default 5m. */
  lookbackDeltaMs: number;
}

interface Body {
  data: { resultType: string; result: unknown };
}

type JsonSample = { metric: Record<string, string>; value?: [number, string] };

/** Builds a {@link QueryFn} that runs every query through the runner. */
export function runnerQueryFn(opts: RunnerQueryFnOptions): QueryFn {
  const run = async (tenant: string, expr: string, tsMs: number, lookbackDeltaMs: number, signal?: AbortSignal): Promise<Body['data']> => {
    const l = opts.limits(tenant);
    const res = await opts.runner.run(
      {
        tenant,
        expr,
        kind: 'instant',
        startMs: tsMs,
        endMs: tsMs,
        stepMs: 0,
        timeoutMs: l.queryTimeout,
        lookbackDeltaMs,
        stats: false,
        limits: { maxFetchedSeries: l.maxFetchedSeriesPerQuery, maxFetchedChunks: l.maxFetchedChunksPerQuery, maxSamples: l.maxSamplesPerQuery },
      },
      signal ?? new AbortController().signal,
    );
    return (JSON.parse(res.body) as Body).data;
  };
  return {
    async instant(tenant, expr, tsMs, o) {
      const lookback = o?.lookbackDeltaMs ?? 0;
      const data = await run(tenant, expr, tsMs, lookback > 0 ? lookback : opts.lookbackDeltaMs, o?.signal);
      switch (data.resultType) {
        case 'vector': {
          const out: VectorSample[] = [];
          // Native histogram samples (`histogram`) are not stored by Tessera yet: skipped.
          for (const s of data.result as JsonSample[]) if (s.value !== undefined) out.push({ labels: s.metric, value: parsePromValue(s.value[1]) });
          return out;
        }
        case 'scalar': {
          const [, v] = data.result as [number, string];
          return [{ labels: {}, value: parsePromValue(v) }];
        }
        default:
          throw ruleEvalError('invalid-rule-result', 'rule result is not a vector or scalar');
      }
    },
  };
}
