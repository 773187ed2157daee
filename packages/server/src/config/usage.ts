/**
 * Presenting options to people: the `-help` text and the YAML view of a loaded configuration
 * (for a `/config` endpoint), both generated from the definitions so they never drift.
 */

import { formatDuration } from '@tessera/model';
import type { OptionDefs, OptionSet, OptionSpec, ResolvedOption, ValuesOf } from './options.ts';

/** Options for {@link usage}. */
export interface UsageOptions {
  /** Program name on the first line; defaults to `tessera`. */
  readonly program?: string;
}

const SECRET_MASK = '********';

/**
 * The `-help` text: every flag sorted by name, with its value type, help, default and YAML key,
 * then the options that only the YAML file can set, then the loader's own flags.
 */
export function usage<D extends OptionDefs>(set: OptionSet<D>, options: UsageOptions = {}): string {
  const program = options.program ?? 'tessera';
  const lines: string[] = [
    `Usage: ${program} [-flag=value ...]`,
    '',
    'Flags take precedence over the YAML file given by -config.file, which takes precedence over defaults.',
    '',
  ];
  const withFlag = set.options.filter((o) => o.spec.flag !== undefined).sort((a, b) => a.spec.flag!.localeCompare(b.spec.flag!));
  for (const o of withFlag) entry(lines, `-${o.spec.flag!}${typeHint(o.spec)}`, o.spec.help, details(o));

  const yamlOnly = set.options.filter((o) => o.spec.flag === undefined);
  if (yamlOnly.length > 0) {
    lines.push('', 'Settable only in the YAML file:');
    for (const o of yamlOnly.sort((a, b) => a.spec.yaml!.localeCompare(b.spec.yaml!))) {
      entry(lines, `${o.spec.yaml!}${typeHint(o.spec)}`, o.spec.help, details(o));
    }
  }

  lines.push('', 'Loader flags:');
  entry(lines, '-config.file string', 'YAML configuration file to load.', '');
  entry(lines, '-config.expand-env', 'Replace ${VAR} and ${VAR:default} in the configuration file with environment variables.', 'default false');
  entry(lines, '-help', 'Print this text and exit.', '');
  return `${lines.join('\n')}\n`;
}

/**
 * The configuration as nested plain data under its YAML keys, ready for `YAML.stringify`:
 * durations in Prometheus syntax, secrets masked, flag-only options left out.
 */
export function toYamlObject<D extends OptionDefs>(set: OptionSet<D>, config: ValuesOf<D>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = config as Record<string, unknown>;
  for (const o of set.options) {
    if (o.spec.yaml === undefined) continue;
    const parts = o.spec.yaml.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = present(o, record[o.key]);
  }
  return out;
}

function present(o: ResolvedOption, value: unknown): unknown {
  if (o.spec.secret === true && value !== '') return SECRET_MASK;
  if (o.spec.type === 'duration' && typeof value === 'number') return formatDuration(value);
  if (Array.isArray(value)) return [...value];
  return value;
}

function entry(lines: string[], head: string, help: string, detail: string): void {
  lines.push(`  ${head}`);
  for (const line of wrap(detail === '' ? help : `${help} (${detail})`, 92)) lines.push(`      ${line}`);
}

function details(o: ResolvedOption): string {
  const parts = [`default ${showDefault(o)}`];
  if (o.spec.type === 'enum') parts.push(`one of ${o.spec.values.join(', ')}`);
  if (o.spec.flag !== undefined && o.spec.yaml !== undefined) parts.push(`YAML ${o.spec.yaml}`);
  return parts.join('; ');
}

function showDefault(o: ResolvedOption): string {
  const v = o.defaultValue;
  if (o.spec.secret === true && v !== '') return SECRET_MASK;
  if (o.spec.type === 'duration') return formatDuration(v as number);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.join(',');
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function typeHint(spec: OptionSpec): string {
  switch (spec.type) {
    case 'bool':
      return '';
    case 'stringList':
      return ' list';
    case 'enum':
      return ' value';
    default:
      return ` ${spec.type}`;
  }
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
