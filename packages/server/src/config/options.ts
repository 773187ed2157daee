/**
 * Declarative option definitions: each option names its flag, its YAML path, its type and its
 * default, and the type of the loaded configuration object is inferred from the definitions.
 *
 * Invariants established by {@link defineOptions} (it throws a plain `Error` otherwise, since a
 * bad definition is a programming error, not an operator's):
 * - every flag name and every YAML path is unique, and no YAML path is a prefix of another
 *   (`server` cannot be both a value and a block);
 * - every default is a valid value of its option (type, range, enum, custom check);
 * - the flags reserved by the loader (`config.file`, `config.expand-env`, `help`, `h`) are unused.
 */

import { formatDuration, parseDuration } from '@tessera/model';

/** Fields every option kind shares. */
interface CommonSpec {
  /** Flag name without its leading dash, in Mimir's dotted style: `server.http-listen-port`. */
  readonly flag?: string;
  /** Dotted path of the key in the YAML file, snake_case segments: `server.http_listen_port`. */
  readonly yaml?: string;
  /** One or two sentences for `-help`. */
  readonly help: string;
  /** Masked when the configuration is shown (passwords, tokens). */
  readonly secret?: boolean;
}

/** A free-form string option. */
export interface StringOptionSpec extends CommonSpec {
  readonly type: 'string';
  readonly default: string;
  /** Extra constraint: returns why the value is wrong, or `undefined` when it is fine. */
  readonly check?: (value: string) => string | undefined;
}

/** An integer option; `min` defaults to 0 (pass `-Infinity` to allow negatives). */
export interface IntOptionSpec extends CommonSpec {
  readonly type: 'int';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly check?: (value: number) => string | undefined;
}

/** A floating-point option; `min` defaults to 0 (pass `-Infinity` to allow negatives). */
export interface FloatOptionSpec extends CommonSpec {
  readonly type: 'float';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly check?: (value: number) => string | undefined;
}

/** A boolean option: `-x`, `-x=true`, `-x=false` on the command line; `true`/`false` in YAML. */
export interface BoolOptionSpec extends CommonSpec {
  readonly type: 'bool';
  readonly default: boolean;
  readonly check?: (value: boolean) => string | undefined;
}

/**
 * A duration option, held in milliseconds; written in Prometheus syntax (`1h30m`, `500ms`).
 * `default`, `min` and `max` accept either milliseconds or a duration string.
 */
export interface DurationOptionSpec extends CommonSpec {
  readonly type: 'duration';
  readonly default: number | string;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly check?: (ms: number) => string | undefined;
}

/** A choice among fixed strings; the value type is the union of `values`. */
export interface EnumOptionSpec<V extends string = string> extends CommonSpec {
  readonly type: 'enum';
  readonly values: readonly V[];
  readonly default: V;
  readonly check?: (value: V) => string | undefined;
}

/** A list of strings: comma-separated on the command line (repeating the flag appends), a YAML list. */
export interface StringListOptionSpec extends CommonSpec {
  readonly type: 'stringList';
  readonly default: readonly string[];
  readonly check?: (value: readonly string[]) => string | undefined;
}

/** Any option definition. */
export type OptionSpec =
  | StringOptionSpec
  | IntOptionSpec
  | FloatOptionSpec
  | BoolOptionSpec
  | DurationOptionSpec
  | EnumOptionSpec
  | StringListOptionSpec;

/** A set of option definitions keyed by the field name they fill in the config object. */
export type OptionDefs = { readonly [key: string]: OptionSpec };

/** The value type an option definition produces. */
export type ValueOf<S extends OptionSpec> = S extends { readonly type: 'string' }
  ? string
  : S extends { readonly type: 'int' | 'float' | 'duration' }
    ? number
    : S extends { readonly type: 'bool' }
      ? boolean
      : S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
        ? V
        : S extends { readonly type: 'stringList' }
          ? string[]
          : never;

/** The configuration object a set of definitions produces: one field per definition. */
export type ValuesOf<D extends OptionDefs> = { -readonly [K in keyof D]: ValueOf<D[K]> };

/** The configuration object an {@link OptionSet} produces. */
export type ConfigOf<S> = S extends OptionSet<infer D> ? ValuesOf<D> : never;

/** Loose value of any option, used where the option is not known statically. */
export type OptionValue = string | number | boolean | string[];

/** An option with its key, normalised default and the name used for it in messages. */
export interface ResolvedOption {
  /** Field name in the config object. */
  readonly key: string;
  readonly spec: OptionSpec;
  /** Default with durations converted to milliseconds. */
  readonly defaultValue: OptionValue;
  /** `min`/`max` as numbers (durations in ms); absent bounds are ±Infinity. */
  readonly min: number;
  readonly max: number;
  /** How messages name the option: `-flag`, else the YAML path. */
  readonly label: string;
}

/** Flags the loader handles itself; definitions may not use them. */
export const RESERVED_FLAGS: ReadonlySet<string> = new Set(['config.file', 'config.expand-env', 'help', 'h']);

const FLAG_NAME = /^[a-z0-9][a-z0-9.-]*$/;
const YAML_PATH = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/**
 * A validated, indexed set of option definitions; build it with {@link defineOptions}.
 * `D` keeps the literal definitions so the config type can be inferred from them.
 */
export class OptionSet<D extends OptionDefs> {
  /** The definitions as written; spread them into another `defineOptions` call to merge sets. */
  readonly defs: D;
  /** Every option, in definition order. */
  readonly options: readonly ResolvedOption[];
  readonly #byFlag = new Map<string, ResolvedOption>();
  readonly #byYaml = new Map<string, ResolvedOption>();
  /** Every proper prefix of a YAML path: the blocks (`server`, `limits`). */
  readonly #yamlBlocks = new Set<string>();

  constructor(defs: D) {
    this.defs = defs;
    const options: ResolvedOption[] = [];
    for (const [key, spec] of Object.entries(defs)) options.push(resolve(key, spec));
    this.options = options;
    for (const o of options) this.#index(o);
    for (const o of options) {
      const problem = checkValue(o, o.defaultValue);
      if (problem !== undefined) throw new Error(`option ${o.key}: default ${JSON.stringify(o.defaultValue)} is invalid: ${problem}`);
    }
  }

  /** The option set by flag `-name` (name without dashes). */
  byFlag(name: string): ResolvedOption | undefined {
    return this.#byFlag.get(name);
  }

  /** The option at YAML path `path` (dotted). */
  byYaml(path: string): ResolvedOption | undefined {
    return this.#byYaml.get(path);
  }

  /** True when `path` is a block that contains options (`server` for `server.http_listen_port`). */
  isYamlBlock(path: string): boolean {
    return this.#yamlBlocks.has(path);
  }

  /** A fresh config object holding every default (lists copied, so callers may mutate it). */
  defaults(): ValuesOf<D> {
    const out: Record<string, OptionValue> = {};
    for (const o of this.options) out[o.key] = copyValue(o.defaultValue);
    return out as ValuesOf<D>;
  }

  #index(o: ResolvedOption): void {
    const { flag, yaml } = o.spec;
    if (flag === undefined && yaml === undefined) throw new Error(`option ${o.key}: needs a flag, a YAML path, or both`);
    if (flag !== undefined) {
      if (!FLAG_NAME.test(flag)) throw new Error(`option ${o.key}: bad flag name ${JSON.stringify(flag)}`);
      if (RESERVED_FLAGS.has(flag)) throw new Error(`option ${o.key}: flag -${flag} is reserved by the loader`);
      if (this.#byFlag.has(flag)) throw new Error(`option ${o.key}: flag -${flag} already used by ${this.#byFlag.get(flag)!.key}`);
      this.#byFlag.set(flag, o);
    }
    if (yaml !== undefined) {
      if (!YAML_PATH.test(yaml)) throw new Error(`option ${o.key}: bad YAML path ${JSON.stringify(yaml)}`);
      if (this.#byYaml.has(yaml)) throw new Error(`option ${o.key}: YAML path ${yaml} already used by ${this.#byYaml.get(yaml)!.key}`);
      if (this.#yamlBlocks.has(yaml)) throw new Error(`option ${o.key}: YAML path ${yaml} is also a block of other options`);
      const parts = yaml.split('.');
      for (let i = 1; i < parts.length; i++) {
        const block = parts.slice(0, i).join('.');
        if (this.#byYaml.has(block)) throw new Error(`option ${o.key}: YAML path ${yaml} lies under option ${this.#byYaml.get(block)!.key}`);
        this.#yamlBlocks.add(block);
      }
      this.#byYaml.set(yaml, o);
    }
  }
}

/**
 * Validates and indexes option definitions. The `const` type parameter keeps enum values and
 * defaults literal, so `ConfigOf<typeof set>` has `'all' | 'ingester'` rather than `string`.
 * Merge sets by spreading their `defs`: `defineOptions({ ...a.defs, ...b.defs })`.
 */
export function defineOptions<const D extends OptionDefs>(defs: D): OptionSet<D> {
  return new OptionSet(defs);
}

/**
 * Why `value` is not acceptable for option `o`, or `undefined` when it is: type, integrality,
 * range, enum membership and the option's own `check`. Durations are milliseconds here.
 */
export function checkValue(o: ResolvedOption, value: unknown): string | undefined {
  const spec = o.spec;
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return 'not a string';
      return spec.check?.(value);
    case 'bool':
      if (typeof value !== 'boolean') return 'not a boolean';
      return spec.check?.(value);
    case 'int':
    case 'float':
    case 'duration': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return spec.type === 'duration' ? 'not a duration' : 'not a number';
      if (spec.type === 'int' && !Number.isSafeInteger(value)) return 'not an integer';
      if (value < o.min) return `must be at least ${showBound(spec, o.min)}`;
      if (value > o.max) return `must be at most ${showBound(spec, o.max)}`;
      return spec.check?.(value);
    }
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) return `must be one of ${spec.values.join(', ')}`;
      return spec.check?.(value);
    case 'stringList':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return 'not a list of strings';
      return spec.check?.(value as string[]);
  }
}

/** Copies list values so a config object never shares arrays with the definitions. */
export function copyValue(v: OptionValue): OptionValue {
  return Array.isArray(v) ? [...v] : v;
}

function resolve(key: string, spec: OptionSpec): ResolvedOption {
  const label = spec.flag !== undefined ? `-${spec.flag}` : (spec.yaml ?? key);
  if (spec.type === 'enum' && spec.values.length === 0) throw new Error(`option ${key}: enum needs values`);
  const numeric = spec.type === 'int' || spec.type === 'float' || spec.type === 'duration';
  const min = numeric ? toNumber(key, spec.type, spec.min, 0) : Number.NEGATIVE_INFINITY;
  const max = numeric ? toNumber(key, spec.type, spec.max, Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  let defaultValue: OptionValue;
  if (spec.type === 'duration') defaultValue = toNumber(key, 'duration', spec.default, 0);
  else if (spec.type === 'stringList') defaultValue = [...spec.default];
  else defaultValue = spec.default;
  return { key, spec, defaultValue, min, max, label };
}

function toNumber(key: string, type: string, v: number | string | undefined, absent: number): number {
  if (v === undefined) return absent;
  if (typeof v === 'number') return v;
  if (type !== 'duration') throw new Error(`option ${key}: bound ${JSON.stringify(v)} must be a number`);
  try {
    return parseDuration(v);
  } catch (e) {
    throw new Error(`option ${key}: bad duration ${JSON.stringify(v)}`, { cause: e });
  }
}

function showBound(spec: OptionSpec, n: number): string {
  return spec.type === 'duration' ? formatDuration(n) : String(n);
}
