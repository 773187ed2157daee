export { Querier } from './querier.ts';
export type { IngesterReader } from './querier.ts';
export { registerQueryRoutes } from './routes.ts';
export type { QueryRoutesConfig } from './routes.ts';
export { parseTimeParam, parseMatchParams, parseLimitParam, parseRange, MIN_TIME_MS, MAX_TIME_MS } from './params.ts';
