/**
 * The configuration loader: defaults, then the YAML file, then flags (later wins).
 *
 * `loadConfig` reads `-config.file` itself (expanding `${VAR}` first when `-config.expand-env`
 * is true), collects every problem from the command line and the file, and throws one
 * {@link ConfigError} listing them all; otherwise it returns a complete, validated config object
 * whose type is inferred from the option definitions.
 */

import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';
import { scanArgs } from './flags.ts';
import { checkValue, type OptionDefs, type OptionSet, type OptionValue, type ValuesOf } from './options.ts';
import { parseFlagValue, showRaw } from './parse-value.ts';
import { decodeYaml, expandEnv, parseYamlText, type Env } from './yaml-source.ts';

/** Where `loadConfig` gets what lies outside the command line; both default to the process's. */
export interface LoadConfigOptions {
  /** Variables for `-config.expand-env`; defaults to `process.env`. */
  readonly env?: Env;
  /** Reads the `-config.file`; defaults to `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: (path: string) => string;
}

/**
 * Builds the configuration from defaults, the YAML file named by `-config.file`, and `argv`
 * (the arguments after the program name, e.g. `process.argv.slice(2)`).
 *
 * `-help`/`-h` are accepted and ignored here: check {@link helpRequested} first and print
 * {@link usage}.
 *
 * @throws ConfigError (code `invalid-config`) naming each bad flag, YAML key or value.
 */
export function loadConfig<D extends OptionDefs>(set: OptionSet<D>, argv: readonly string[], options: LoadConfigOptions = {}): ValuesOf<D> {
  const args = scanArgs(set, argv);
  const problems: string[] = [...args.problems];
  const values: Record<string, OptionValue> = set.defaults();

  if (args.configFile !== undefined && args.configFile !== '') {
    const source = `config file ${args.configFile}`;
    let text: string | undefined;
    try {
      text = (options.readFile ?? readUtf8)(args.configFile);
    } catch (e) {
      problems.push(`cannot read ${source}: ${(e as Error).message}`);
    }
    if (text !== undefined) {
      if (args.expandEnv) text = expandEnv(text, options.env ?? process.env);
      const parsed = parseYamlText(text, source);
      problems.push(...parsed.problems);
      if (parsed.problems.length === 0) {
        const decoded = decodeYaml(set, parsed.data, { where: ` in ${source}` });
        problems.push(...decoded.problems);
        for (const [key, v] of decoded.values) values[key] = v;
      }
    }
  }

  // Flags override the file. A repeated list flag appends to what earlier occurrences gave,
  // replacing the file's list; any other repeated flag keeps its last value.
  const listsFromFlags = new Set<string>();
  for (const { option, raw } of args.flags) {
    const r = parseFlagValue(option, raw);
    if (!r.ok) {
      problems.push(`invalid value ${showRaw(raw)} for flag ${option.label}: ${r.reason}`);
      continue;
    }
    if (option.spec.type === 'stringList') {
      const prev = listsFromFlags.has(option.key) ? (values[option.key] as string[]) : [];
      values[option.key] = [...prev, ...(r.value as string[])];
      listsFromFlags.add(option.key);
    } else {
      values[option.key] = r.value;
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const config = values as ValuesOf<D>;
  validateConfig(set, config);
  return config;
}

/**
 * Checks every field of a config object against its definition (type, range, enum, `check`),
 * for objects built or changed in code.
 *
 * @throws ConfigError naming each bad option by flag and YAML path.
 */
export function validateConfig<D extends OptionDefs>(set: OptionSet<D>, config: ValuesOf<D>): void {
  const problems: string[] = [];
  const record = config as Record<string, unknown>;
  for (const o of set.options) {
    const value = record[o.key];
    const reason = checkValue(o, value);
    if (reason !== undefined) problems.push(`invalid value ${showRaw(value)} for ${describeOption(o.spec)}: ${reason}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Names an option in a message: `-flag (YAML a.b)`, or whichever of the two it has. */
export function describeOption(spec: { readonly flag?: string; readonly yaml?: string }): string {
  if (spec.flag !== undefined && spec.yaml !== undefined) return `-${spec.flag} (YAML ${spec.yaml})`;
  return spec.flag !== undefined ? `-${spec.flag}` : `YAML ${spec.yaml ?? '?'}`;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}
