/**
 * Strict reading of parsed YAML: typed field accessors that name the offending path, and refuse
 * unknown keys as Alertmanager's strict unmarshalling does (a typo must not silently drop a
 * route or a receiver).
 */
import { parseDuration } from '@tessera/model';

/** A configuration problem; the message names the path (`route.routes[1].group_wait: …`). */
export class ConfigProblem extends Error {
  override readonly name = 'ConfigProblem';
}

/** A YAML mapping being read at `path`, with the keys read so far tracked. */
export class Fields {
  readonly path: string;
  readonly #obj: Record<string, unknown>;

  constructor(value: unknown, path: string) {
    if (value === null || value === undefined) value = {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigProblem(`${path || 'config'}: expected a mapping, got ${describe(value)}`);
    this.#obj = value as Record<string, unknown>;
    this.path = path;
  }

  /** The full path of a key. */
  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Throws for keys outside `known`, and names `unsupported` keys as unsupported by Tessera. */
  checkKeys(known: readonly string[], unsupported: readonly string[] = []): void {
    for (const k of Object.keys(this.#obj)) {
      if (unsupported.includes(k) && !isEmpty(this.#obj[k])) throw new ConfigProblem(`${this.at(k)}: not supported by Tessera`);
      if (!known.includes(k) && !unsupported.includes(k)) throw new ConfigProblem(`${this.at(k)}: field ${k} not found (unknown key)`);
    }
  }

  has(key: string): boolean {
    const v = this.#obj[key];
    return v !== undefined && v !== null;
  }

  raw(key: string): unknown {
    return this.#obj[key];
  }

  string(key: string): string | undefined {
    const v = this.#obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ConfigProblem(`${this.at(key)}: expected a string, got ${describe(v)}`);
  }

  bool(key: string): boolean | undefined {
    const v = this.#obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new ConfigProblem(`${this.at(key)}: expected true or false, got ${describe(v)}`);
    return v;
  }

  /** A non-negative integer. */
  uint(key: string): number | undefined {
    const v = this.#obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigProblem(`${this.at(key)}: expected a non-negative integer, got ${describe(v)}`);
    return v;
  }

  /** A Prometheus duration (`30s`, `1h5m`), in milliseconds. */
  duration(key: string): number | undefined {
    const s = this.string(key);
    if (s === undefined) return undefined;
    try {
      return parseDuration(s);
    } catch (e) {
      throw new ConfigProblem(`${this.at(key)}: ${(e as Error).message}`);
    }
  }

  stringList(key: string): string[] | undefined {
    const v = this.#obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw new ConfigProblem(`${this.at(key)}: expected a list of strings, got ${describe(v)}`);
    return v.map((x, i) => {
      if (typeof x !== 'string') throw new ConfigProblem(`${this.at(key)}[${i}]: expected a string, got ${describe(x)}`);
      return x;
    });
  }

  stringMap(key: string): Record<string, string> | undefined {
    const v = this.#obj[key];
    if (v === undefined || v === null) return undefined;
    const f = new Fields(v, this.at(key));
    const out: Record<string, string> = {};
    for (const k of Object.keys(v as object)) out[k] = f.string(k) ?? '';
    return out;
  }

  /** A list of mappings, each as Fields. */
  list(key: string): Fields[] {
    const v = this.#obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new ConfigProblem(`${this.at(key)}: expected a list, got ${describe(v)}`);
    return v.map((x, i) => new Fields(x, `${this.at(key)}[${i}]`));
  }

  /** A nested mapping, or undefined when absent. */
  object(key: string): Fields | undefined {
    return this.has(key) ? new Fields(this.#obj[key], this.at(key)) : undefined;
  }
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
