// Typed fetch helpers for every Tessera API the console uses. Every request carries the
// selected tenant (X-Scope-OrgID) or the user's credentials (Authorization).

export type Credentials = { tenant: string; authorization?: string };

export type ApiErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable' | 'network' | string;

/** An API failure with Prometheus's `errorType`/`error`, plus the HTTP status (0: network). */
export class ApiError extends Error {
  readonly errorType: ApiErrorType;
  readonly status: number;
  constructor(status: number, errorType: ApiErrorType, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errorType = errorType;
  }
}

export type Labels = Record<string, string>;
export type SamplePair = [number, string];
export type Histogram = { count: string; sum: string; buckets?: [number, string, string, string][] };
export type VectorSample = { metric: Labels; value?: SamplePair; histogram?: [number, Histogram] };
export type MatrixSeries = { metric: Labels; values?: SamplePair[]; histograms?: [number, Histogram][] };
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

export type QueryStats = {
  timings?: Record<string, number>;
  samples?: { totalQueryableSamples?: number; peakSamples?: number; [k: string]: unknown };
  [k: string]: unknown;
};

export type QueryResult = { data: QueryData & { stats?: QueryStats }; warnings: string[]; infos: string[] };

export type TsdbStatus = {
  headStats: { numSeries: number; numLabelPairs?: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: { name: string; value: number }[];
  labelValueCountByLabelName: { name: string; value: number }[];
  memoryInBytesByLabelName: { name: string; value: number }[];
  seriesCountByLabelValuePair: { name: string; value: number }[];
};

/** `api/v1/user_stats`: the tenant's in-memory series and samples appended per second (smoothed over about a minute). */
export type UserStats = { numSeries: number; ingestionRate: number };

export type RuleHealth = 'ok' | 'err' | 'unknown';
export type Alert = { labels: Labels; annotations: Labels; state: string; activeAt?: string; value?: string };
export type Rule = {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  health: RuleHealth;
  lastError?: string;
  lastEvaluation?: string;
  evaluationTime?: number;
  labels?: Labels;
  annotations?: Labels;
  state?: string;
  duration?: number;
  alerts?: Alert[];
};
export type RuleGroup = { name: string; file: string; interval: number; rules: Rule[]; lastEvaluation?: string; evaluationTime?: number };
export type BuildInfo = Record<string, string>;

type Envelope<T> = { status: 'success' | 'error'; data?: T; errorType?: string; error?: string; warnings?: string[]; infos?: string[] };

export type RequestOptions = { signal?: AbortSignal };

export class Api {
  readonly prefix: string;
  private readonly creds: () => Credentials;
  private readonly fetchImpl: typeof fetch;

  /** `creds` is read at every request; `prefix` is the Prometheus HTTP prefix (/prometheus). */
  constructor(creds: () => Credentials, opts: { prefix?: string; fetchImpl?: typeof fetch } = {}) {
    this.creds = creds;
    this.prefix = opts.prefix ?? '/prometheus';
    this.fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** Headers identifying the tenant: Authorization when credentials were given, else X-Scope-OrgID. */
  headers(): Record<string, string> {
    const c = this.creds();
    const h: Record<string, string> = {};
    if (c.authorization) h['Authorization'] = c.authorization;
    else if (c.tenant) h['X-Scope-OrgID'] = c.tenant;
    return h;
  }

  /** fetch() with the tenant headers added (also given to the PromQL editor's autocompletion). */
  fetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers())) headers.set(k, v);
    return this.fetchImpl(input, { ...init, headers });
  };

  /** Raw request; throws ApiError for network failures and non-2xx answers. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(path, init);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network', `network error: ${(err as Error).message}`);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  /** GET/POST a Prometheus-style JSON envelope and return `data` (with warnings/infos). */
  async json<T>(path: string, params?: URLSearchParams | Record<string, string | string[]>, opts: RequestOptions & { method?: 'GET' | 'POST' } = {}): Promise<{ data: T; warnings: string[]; infos: string[] }> {
    const qs = toParams(params);
    const method = opts.method ?? 'GET';
    const init: RequestInit = { method, signal: opts.signal, headers: { Accept: 'application/json' } };
    let url = path;
    if (method === 'POST') {
      init.body = qs;
      init.headers = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
    } else if ([...qs.keys()].length > 0) url += `?${qs}`;
    const res = await this.request(url, init);
    const body = (await res.json()) as Envelope<T>;
    if (body.status !== 'success') throw new ApiError(res.status, body.errorType ?? 'internal', body.error ?? 'request failed');
    return { data: body.data as T, warnings: body.warnings ?? [], infos: body.infos ?? [] };
  }

  private p(path: string): string {
    return this.prefix + path;
  }

  query(expr: string, time?: number, opts: RequestOptions & { stats?: boolean } = {}): Promise<QueryResult> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = String(time);
    if (opts.stats) params.stats = 'all';
    return this.json<QueryResult['data']>(this.p('/api/v1/query'), params, { signal: opts.signal, method: 'POST' });
  }

  queryRange(expr: string, start: number, end: number, step: number, opts: RequestOptions & { stats?: boolean } = {}): Promise<QueryResult> {
    const params: Record<string, string> = { query: expr, start: String(start), end: String(end), step: String(step) };
    if (opts.stats) params.stats = 'all';
    return this.json<QueryResult['data']>(this.p('/api/v1/query_range'), params, { signal: opts.signal, method: 'POST' });
  }

  async labelNames(match: string[] = [], opts: RequestOptions = {}): Promise<string[]> {
    return (await this.json<string[]>(this.p('/api/v1/labels'), { 'match[]': match }, { ...opts, method: 'POST' })).data;
  }

  async labelValues(name: string, match: string[] = [], opts: RequestOptions = {}): Promise<string[]> {
    return (await this.json<string[]>(this.p(`/api/v1/label/${encodeURIComponent(name)}/values`), { 'match[]': match }, opts)).data;
  }

  async series(match: string[], opts: RequestOptions & { start?: number; end?: number; limit?: number } = {}): Promise<Labels[]> {
    const params: Record<string, string | string[]> = { 'match[]': match };
    if (opts.start !== undefined) params.start = String(opts.start);
    if (opts.end !== undefined) params.end = String(opts.end);
    if (opts.limit !== undefined) params.limit = String(opts.limit);
    return (await this.json<Labels[]>(this.p('/api/v1/series'), params, { signal: opts.signal, method: 'POST' })).data;
  }

  async tsdbStatus(limit = 10, opts: RequestOptions = {}): Promise<TsdbStatus> {
    return (await this.json<TsdbStatus>(this.p('/api/v1/status/tsdb'), { limit: String(limit) }, opts)).data;
  }

  async buildInfo(opts: RequestOptions = {}): Promise<BuildInfo> {
    return (await this.json<BuildInfo>(this.p('/api/v1/status/buildinfo'), undefined, opts)).data;
  }

  async userLimits(opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    return (await this.json<Record<string, unknown>>(this.p('/api/v1/user_limits'), undefined, opts)).data;
  }

  async userStats(opts: RequestOptions = {}): Promise<UserStats> {
    return (await this.json<UserStats>(this.p('/api/v1/user_stats'), undefined, opts)).data;
  }

  async rules(opts: RequestOptions = {}): Promise<RuleGroup[]> {
    return (await this.json<{ groups: RuleGroup[] }>(this.p('/api/v1/rules'), undefined, opts)).data.groups ?? [];
  }

  async alerts(opts: RequestOptions = {}): Promise<Alert[]> {
    return (await this.json<{ alerts: Alert[] }>(this.p('/api/v1/alerts'), undefined, opts)).data.alerts ?? [];
  }

  /** All rule groups as YAML (`namespace: [groups]`), or '' when the tenant has none (404). */
  async ruleConfig(opts: RequestOptions = {}): Promise<string> {
    return this.text(this.p('/config/v1/rules'), opts);
  }

  /** One rule group as YAML. */
  async ruleGroupYaml(namespace: string, group: string, opts: RequestOptions = {}): Promise<string> {
    return this.text(this.p(`/config/v1/rules/${encodeURIComponent(namespace)}/${encodeURIComponent(group)}`), opts);
  }

  /** Create or replace ONE rule group (YAML). A 400 throws ApiError with the validation message. */
  async saveRuleGroup(namespace: string, yaml: string, opts: RequestOptions = {}): Promise<void> {
    await this.request(this.p(`/config/v1/rules/${encodeURIComponent(namespace)}`), {
      method: 'POST',
      body: yaml,
      headers: { 'Content-Type': 'application/yaml' },
      signal: opts.signal,
    });
  }

  async deleteRuleGroup(namespace: string, group: string, opts: RequestOptions = {}): Promise<void> {
    await this.request(this.p(`/config/v1/rules/${encodeURIComponent(namespace)}/${encodeURIComponent(group)}`), { method: 'DELETE', signal: opts.signal });
  }

  /** GET a text body; '' on 404. */
  async text(path: string, opts: RequestOptions & { accept?: string } = {}): Promise<string> {
    try {
      const res = await this.request(path, { signal: opts.signal, headers: { Accept: opts.accept ?? 'text/plain, application/yaml, */*' } });
      return await res.text();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return '';
      throw err;
    }
  }
}

function toParams(params?: URLSearchParams | Record<string, string | string[]>): URLSearchParams {
  if (!params) return new URLSearchParams();
  if (params instanceof URLSearchParams) return params;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) qs.append(k, x);
    else qs.append(k, v);
  }
  return qs;
}

/** Turns a failed response into an ApiError: JSON envelope, else the text body, else the status. */
async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Envelope<unknown>;
    if (body && typeof body.error === 'string') return new ApiError(res.status, body.errorType ?? 'internal', body.error);
  } catch {
    // not JSON
  }
  const message = text.trim() || `${res.status} ${res.statusText}`;
  return new ApiError(res.status, res.status === 404 ? 'not_found' : res.status >= 500 ? 'internal' : 'bad_data', message);
}
