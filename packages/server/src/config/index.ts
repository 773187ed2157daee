/**
 * Configuration plumbing shared by every Tessera service: typed option definitions, the
 * defaults < YAML file < flags loader, `-help` text, and the error every bad option raises.
 */
export { ConfigError, isConfigError } from './config-error.ts';
export { helpRequested } from './flags.ts';
export { describeOption, loadConfig, validateConfig } from './load.ts';
export type { LoadConfigOptions } from './load.ts';
export { checkValue, defineOptions, OptionSet, RESERVED_FLAGS } from './options.ts';
export type {
  BoolOptionSpec,
  ConfigOf,
  DurationOptionSpec,
  EnumOptionSpec,
  FloatOptionSpec,
  IntOptionSpec,
  OptionDefs,
  OptionSpec,
  OptionValue,
  ResolvedOption,
  StringListOptionSpec,
  StringOptionSpec,
  ValueOf,
  ValuesOf,
} from './options.ts';
export { parseFlagValue, parseYamlValue } from './parse-value.ts';
export type { ParseResult } from './parse-value.ts';
export { toYamlObject, usage } from './usage.ts';
export type { UsageOptions } from './usage.ts';
export { decodeYaml, expandEnv, isMapping, parseYamlText } from './yaml-source.ts';
export type { Env, YamlDecodeContext } from './yaml-source.ts';
