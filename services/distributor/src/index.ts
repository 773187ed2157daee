export { Distributor, DISCARD_REASONS } from './distributor.ts';
export type { DistributorConfig, DistributorDeps, IngesterClient, PushOutcome, DiscardReason } from './distributor.ts';
export { registerPushRoutes } from './routes.ts';
export type { PushRoutesConfig } from './routes.ts';
export { validateSeriesBytes, validUtf8 } from './validation.ts';
export type { SeriesProblem, SeriesRejectReason } from './validation.ts';
export { RateLimiter } from './rate-limiter.ts';
