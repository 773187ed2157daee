/**
 * @tessera/limits: per-tenant limits in Mimir's style — the flat `Limits` type, its defaults and
 * flag/YAML definitions, and runtime overrides reloaded from a file.
 */
export { DEFAULT_LIMITS, LIMIT_YAML_NAMES, limitOptions, limitsFromConfig, resolveLimits, validateLimits } from './limits.ts';
export type { Limits } from './limits.ts';
export { parseRuntimeConfig, runtimeConfigOptions } from './runtime-config.ts';
export { RuntimeOverrides } from './runtime-overrides.ts';
export type { ReloadEvent, ReloadOutcome, RuntimeOverridesLogger, RuntimeOverridesOptions } from './runtime-overrides.ts';
