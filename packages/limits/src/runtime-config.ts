/**
 * The runtime configuration file: per-tenant limit overrides, in the format of Mimir's runtime
 * config, and the two options that locate and reload it.
 *
 * ```yaml
 * overrides:
 *   tenant-a:
 *     ingestion_rate: 50000
 *     creation_grace_period: 5m
 *   "1234": {}            # tenant IDs are strings; an empty or null entry means defaults
 * ```
 *
 * Keys under a tenant are the YAML names of the `limits:` block. Only `overrides` is accepted
 * at the top level; anything else is an error, as are unknown limits and bad values.
 */

import { ConfigError, decodeYaml, defineOptions, isConfigError, isMapping, parseYamlText } from '@tessera/server';
import { limitOptions, resolveLimits, type Limits } from './limits.ts';

/**
 * Flag and YAML definitions of `-runtime-config.file` (YAML `runtime_config.file`, default none)
 * and `-runtime-config.reload-period` (YAML `runtime_config.period`, default 10s), to merge into
 * a CLI's option set as `limitOptions` is.
 */
export const runtimeConfigOptions = defineOptions({
  runtimeConfigFile: { flag: 'runtime-config.file', yaml: 'runtime_config.file', type: 'string', default: '', help: 'YAML file of per-tenant limit overrides, reloaded while running. Empty for none.' },
  runtimeConfigReloadPeriod: { flag: 'runtime-config.reload-period', yaml: 'runtime_config.period', type: 'duration', default: '10s', min: 1, help: 'How often to check the runtime config file for changes.' },
});

/**
 * Parses and validates runtime config text against `defaults` (raw, unresolved limits).
 *
 * @param source names the file in messages, e.g. `runtime config /etc/tessera/runtime.yaml`.
 * @returns each tenant with an entry, mapped to its resolved, frozen limits.
 * @throws ConfigError naming the tenant and key of every problem.
 */
export function parseRuntimeConfig(text: string, source: string, defaults: Readonly<Limits>): Map<string, Readonly<Limits>> {
  const parsed = parseYamlText(text, source);
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems);
  const data = parsed.data;
  if (!isMapping(data)) throw new ConfigError(`${source}: expected a mapping at the top level`);

  const problems: string[] = [];
  for (const key of Object.keys(data)) {
    if (key !== 'overrides') problems.push(`unknown key ${JSON.stringify(key)} in ${source}`);
  }
  const tenants = new Map<string, Readonly<Limits>>();
  const overrides = data['overrides'];
  if (overrides !== null && overrides !== undefined && !isMapping(overrides)) {
    problems.push(`overrides in ${source} must be a mapping of tenant IDs, got ${Array.isArray(overrides) ? 'a list' : typeof overrides}`);
  } else if (overrides !== null && overrides !== undefined) {
    for (const [tenant, entry] of Object.entries(overrides)) {
      const where = ` of tenant ${JSON.stringify(tenant)} in ${source}`;
      if (entry !== null && !isMapping(entry)) {
        problems.push(`overrides${where} must be a mapping of limits, got ${Array.isArray(entry) ? 'a list' : typeof entry}`);
        continue;
      }
      const decoded = decodeYaml(limitOptions, entry ?? {}, { prefix: 'limits', where });
      if (decoded.problems.length > 0) {
        problems.push(...decoded.problems);
        continue;
      }
      try {
        tenants.set(tenant, resolveLimits(defaults, Object.fromEntries(decoded.values) as Partial<Limits>));
      } catch (e) {
        if (!isConfigError(e)) throw e;
        problems.push(...e.problems.map((p) => `tenant ${JSON.stringify(tenant)} in ${source}: ${p}`));
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return tenants;
}
