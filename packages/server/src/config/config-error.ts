/**
 * The error every configuration problem surfaces as: bad flags, bad YAML, bad runtime overrides.
 *
 * A `ConfigError` carries every problem found in one pass (`problems`), each a sentence naming the
 * option by its flag and/or YAML path, so an operator fixes them all in one go. Its `code` never
 * changes; callers brand-check with {@link isConfigError} rather than `instanceof`, because two
 * copies of this package may be loaded side by side.
 */

/** Brand shared by every copy of this module, so `isConfigError` works across package copies. */
const CONFIG_ERROR_BRAND: unique symbol = Symbol.for('tessera.config-error');

/** An invalid configuration: the message names each offending option. */
export class ConfigError extends Error {
  /** Permanent error ID. */
  readonly code = 'invalid-config' as const;
  /** One sentence per problem, in the order found; `message` is built from them. */
  readonly problems: readonly string[];
  readonly [CONFIG_ERROR_BRAND] = true;

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(formatProblems(list), options);
    this.name = 'ConfigError';
    this.problems = list;
  }
}

/** True when `e` is a {@link ConfigError}, from this or any other copy of this module. */
export function isConfigError(e: unknown): e is ConfigError {
  return typeof e === 'object' && e !== null && (e as { [CONFIG_ERROR_BRAND]?: unknown })[CONFIG_ERROR_BRAND] === true;
}

/** One problem reads as itself; several become a counted list, one per line. */
function formatProblems(problems: readonly string[]): string {
  if (problems.length === 1) return problems[0]!;
  return `${problems.length} configuration errors:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}
