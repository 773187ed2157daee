/**
 * Command-line scanning in Go's `flag` style, as Cortex and Mimir use it.
 *
 * Accepted forms: `-name=value`, `--name=value`, `-name value` and `--name value` (non-boolean
 * flags only; the next argument is taken whatever it looks like, so `-x -1` works), and a bare
 * `-name` for a boolean, meaning true. A boolean takes its value only after `=`
 * (`-auth.enabled=false`), as in Go. `--` ends the flags; positional arguments are not used by
 * Tessera and are reported as errors.
 */

import type { OptionDefs, OptionSet, ResolvedOption } from './options.ts';
import { parseBoolString, showRaw } from './parse-value.ts';

/** One occurrence of a known flag with its raw text, in command-line order. */
export interface FlagOccurrence {
  readonly option: ResolvedOption;
  readonly raw: string;
}

/** What the command line says, before values are parsed. */
export interface ScannedArgs {
  readonly flags: readonly FlagOccurrence[];
  /** `-config.file`, last occurrence wins. */
  readonly configFile: string | undefined;
  /** `-config.expand-env`, last occurrence wins. */
  readonly expandEnv: boolean;
  /** `-help` or `-h` was given (and not set to false). */
  readonly help: boolean;
  /** Unknown flags, missing values, stray arguments: complete sentences. */
  readonly problems: readonly string[];
}

type Builtin = 'config.file' | 'config.expand-env' | 'help';
const BUILTINS: ReadonlyMap<string, Builtin> = new Map([
  ['config.file', 'config.file'],
  ['config.expand-env', 'config.expand-env'],
  ['help', 'help'],
  ['h', 'help'],
]);

/** Scans `argv` (without the node and script paths) against the options of `set`. */
export function scanArgs<D extends OptionDefs>(set: OptionSet<D>, argv: readonly string[]): ScannedArgs {
  const flags: FlagOccurrence[] = [];
  const problems: string[] = [];
  let configFile: string | undefined;
  let expandEnv = false;
  let help = false;
  let lastBareBool: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      for (const rest of argv.slice(i + 1)) problems.push(`unexpected argument ${showRaw(rest)}`);
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') {
      const hint = lastBareBool !== undefined && parseBoolString(arg) !== undefined
        ? ` (a boolean flag takes its value after '=': -${lastBareBool}=${arg})`
        : '';
      problems.push(`unexpected argument ${showRaw(arg)}${hint}`);
      lastBareBool = undefined;
      continue;
    }
    lastBareBool = undefined;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body.length === 0 || body[0] === '-' || body[0] === '=') {
      problems.push(`bad flag syntax: ${arg}`);
      continue;
    }
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);

    const builtin = BUILTINS.get(name);
    const option = builtin === undefined ? set.byFlag(name) : undefined;
    if (builtin === undefined && option === undefined) {
      problems.push(`unknown flag -${name}${suggest(set, name)}`);
      // Skip a probable value so it is not reported a second time as a stray argument.
      if (value === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    const isBool = builtin === 'config.expand-env' || builtin === 'help' || option?.spec.type === 'bool';
    if (value === undefined) {
      if (isBool) {
        value = 'true';
        lastBareBool = name;
      } else if (i + 1 < argv.length) {
        value = argv[++i]!;
      } else {
        problems.push(`flag needs a value: -${name}`);
        continue;
      }
    }

    if (option !== undefined) {
      flags.push({ option, raw: value });
    } else if (builtin === 'config.file') {
      configFile = value;
    } else {
      const b = parseBoolString(value);
      if (b === undefined) problems.push(`invalid value ${showRaw(value)} for flag -${name}: not a boolean (use true or false)`);
      else if (builtin === 'help') help = b;
      else expandEnv = b;
    }
  }
  return { flags, configFile, expandEnv, help, problems };
}

/**
 * True when the command line asks for help (`-help`, `-h`, `--help`), whatever else it holds;
 * check it before loading so `-help` works even next to a bad flag.
 */
export function helpRequested(argv: readonly string[]): boolean {
  let help = false;
  for (const arg of argv) {
    if (arg === '--') break;
    const m = /^--?(help|h)(?:=(.*))?$/.exec(arg);
    if (m !== null) help = m[2] === undefined || parseBoolString(m[2]) === true;
  }
  return help;
}

/** ` (did you mean -x?)` for the closest known flag within a small edit distance, else ''. */
function suggest<D extends OptionDefs>(set: OptionSet<D>, name: string): string {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(name.length / 3));
  const candidates = [...BUILTINS.keys(), ...set.options.flatMap((o) => (o.spec.flag === undefined ? [] : [o.spec.flag]))];
  for (const flag of candidates) {
    const d = editDistance(name, flag, bestDistance);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = flag;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean -${best}?)`;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
