/**
 * YAML configuration text: environment expansion, parsing, and mapping keys onto options.
 *
 * The YAML tree must match the options' dotted paths exactly: a key that names neither an option
 * nor a block containing options is an error reported with its full path, as is a block that is
 * not a mapping. A key with a null value (`key:` and nothing else) leaves the option unset, as
 * Go's YAML decoder leaves the field untouched.
 */

import { LineCounter, parseDocument } from 'yaml';
import type { OptionDefs, OptionSet, OptionValue } from './options.ts';
import { parseYamlValue, showRaw } from './parse-value.ts';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

// ${NAME} or ${NAME:default}; the default runs to the first `}` and may be empty.
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:default}` in configuration text, as `-config.expand-env` asks.
 * An unset variable without a default becomes the empty string (as in Mimir); a set but empty
 * variable stays empty even when a default is given. Other `$` text is left alone.
 */
export function expandEnv(text: string, env: Env): string {
  return text.replace(ENV_REF, (_m, name: string, dflt: string | undefined) => env[name] ?? dflt ?? '');
}

/**
 * Parses YAML text into plain data; an empty document yields `{}`. Duplicate keys are errors.
 * `source` names the file in messages (`config file ./tessera.yaml`).
 *
 * @returns the data, or the problems (with line and column) that stopped parsing.
 */
export function parseYamlText(text: string, source: string): { data: unknown; problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const at = (offset: number): string => {
      const p = lineCounter.linePos(offset);
      return `line ${p.line}, column ${p.col}`;
    };
    return { data: undefined, problems: doc.errors.map((e) => `${source}: invalid YAML at ${at(e.pos[0])}: ${firstLine(e.message)}`) };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return { data: data ?? {}, problems: [] };
}

/** Where the values being decoded came from, for messages and relative paths. */
export interface YamlDecodeContext {
  /** Appended after the key in messages: ` in config file ./tessera.yaml`. */
  readonly where: string;
  /**
   * Decode `data` as the content of this block (`limits`): its keys are matched against the
   * option paths under the block, and messages show them relative to it.
   */
  readonly prefix?: string;
}

/**
 * Maps decoded YAML onto options, parsing and range-checking every value.
 *
 * @returns values set by the YAML, keyed by option key, and every problem found.
 */
export function decodeYaml<D extends OptionDefs>(
  set: OptionSet<D>,
  data: unknown,
  ctx: YamlDecodeContext,
): { values: Map<string, OptionValue>; problems: string[] } {
  const values = new Map<string, OptionValue>();
  const problems: string[] = [];
  const base = ctx.prefix === undefined ? '' : `${ctx.prefix}.`;

  const walk = (node: unknown, path: string): void => {
    const shown = path.slice(base.length);
    if (!isMapping(node)) {
      problems.push(shown === '' ? `expected a mapping at the top level${ctx.where}, got ${describe(node)}` : `${shown}${ctx.where} must be a mapping of keys, got ${describe(node)}`);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const full = path === '' ? key : `${path}.${key}`;
      const rel = full.slice(base.length);
      // A dotted key would otherwise reach an option by a path the docs never show.
      const option = key.includes('.') ? undefined : set.byYaml(full);
      if (option !== undefined) {
        if (value === null || value === undefined) continue;
        const r = parseYamlValue(option, value);
        const flag = option.spec.flag === undefined ? '' : ` (flag -${option.spec.flag})`;
        if (r.ok) values.set(option.key, r.value);
        else problems.push(`invalid value ${showRaw(value)} for ${rel}${flag}${ctx.where}: ${r.reason}`);
      } else if (!key.includes('.') && set.isYamlBlock(full)) {
        if (value !== null && value !== undefined) walk(value, full);
      } else {
        problems.push(`unknown key ${JSON.stringify(rel)}${ctx.where}`);
      }
    }
  };

  if (ctx.prefix !== undefined && !set.isYamlBlock(ctx.prefix)) throw new Error(`no options under YAML block ${ctx.prefix}`);
  walk(data, ctx.prefix ?? '');
  return { values, problems };
}

/** True for a plain YAML mapping (not a list, not a scalar). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return `${typeof v} ${showRaw(v)}`;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}
