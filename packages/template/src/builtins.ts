/**
 * Go text/template's predefined functions: and, or, not, len, index, slice, print, printf,
 * println, html, js, urlquery, call, eq, ne, lt, le, gt, ge — with Go's comparison rules (no
 * mixing of int and float: `gt $value 10` fails, `gt $value 10.0` works) and error texts.
 */
import { compareUtf8 } from '@tessera/model';
import { type FuncSpec, FuncError } from './exec.ts';
import { printable, sprint, sprintf, sprintln } from './fmt.ts';
import { GoMap, GoSlice, type GoValue, isTrue, typeName, utf8ByteLength, zeroValue } from './values.ts';

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: GoValue): Kind {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
  }
  return 'other';
}

const BAD_COMPARISON_TYPE = 'invalid type for comparison';
const BAD_COMPARISON = 'incompatible types for comparison';

function eq(a: GoValue, rest: GoValue[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new FuncError(BAD_COMPARISON);
    } else if (k1 === 'other') {
      if (a instanceof GoMap || a instanceof GoSlice || b instanceof GoMap || b instanceof GoSlice) {
        throw new FuncError(`non-comparable type ${sprint([b])}: ${typeName(b)}`);
      }
      truth = a === b;
    } else {
      truth = k1 === 'invalid' ? true : a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') throw new FuncError(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new FuncError(BAD_COMPARISON);
  if (k1 === 'bool') throw new FuncError(BAD_COMPARISON_TYPE);
  if (k1 === 'string') return compareUtf8(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || eq(a, [b]);
}

/** Go's evalArgs: one string as is, otherwise fmt.Sprint of the printable values. */
export function evalArgs(args: readonly GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null ? '<no value>' : printable(a))));
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    switch (c) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    const cp = c.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x80) out += c;
    else if (cp >= 0x80 && PRINTABLE.test(c)) out += c;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function indexArg(i: GoValue, len: number): number {
  if (i === undefined || i === null) throw new FuncError('cannot index slice/array with nil');
  if (typeof i !== 'bigint') throw new FuncError(`cannot index slice/array with type ${typeName(i)}`);
  if (i < 0n || i > BigInt(len)) throw new FuncError(`index out of range: ${i}`);
  return Number(i);
}

function index(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError('index of untyped nil');
  for (const ix of indexes) {
    if (item === undefined || item === null) throw new FuncError('index of nil pointer');
    if (typeof item === 'string') {
      const bytes: Buffer = Buffer.from(item, 'utf8');
      const x = indexArg(ix, bytes.length);
      if (x >= bytes.length) throw new FuncError(`reflect: string index out of range`);
      item = BigInt(bytes[x]!);
    } else if (item instanceof GoSlice) {
      const x = indexArg(ix, item.items.length);
      if (x >= item.items.length) throw new FuncError(`reflect: slice index out of range`);
      item = item.items[x];
    } else if (item instanceof GoMap) {
      if (ix === undefined || ix === null) throw new FuncError('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      item = item.entries.has(ix) ? item.entries.get(ix) : zeroValue(item.elemType);
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    len = utf8ByteLength(item);
  } else if (item instanceof GoSlice) len = item.items.length;
  else throw new FuncError(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len];
  indexes.forEach((x, i) => { idx[i] = indexArg(x, len); });
  if (indexes.length < 2) idx[1] = len;
  if (idx[0]! > idx[1]!) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return new GoSlice(item.typeName, item.elemType, item.items.slice(idx[0], idx[1]));
}

function length(item: GoValue): bigint {
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  if (item === null) throw new FuncError('len of nil pointer');
  if (typeof item === 'string') return BigInt(utf8ByteLength(item));
  if (item instanceof GoMap) return BigInt(item.entries.size);
  if (item instanceof GoSlice) return BigInt(item.items.length);
  throw new FuncError(`len of type ${typeName(item)}`);
}

/** The predefined functions, by name. */
export const BUILTINS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  // and/or are evaluated by the executor (they short-circuit); the bodies are never called.
  ['and', { params: ['value'], variadic: 'value', call: (a) => a[a.length - 1] }],
  ['or', { params: ['value'], variadic: 'value', call: (a) => a[a.length - 1] }],
  ['not', { params: ['value'], call: (a) => !isTrue(a[0]) }],
  ['len', { params: ['value'], call: (a) => length(a[0]) }],
  ['index', { params: ['value'], variadic: 'value', call: (a) => index(a[0], a.slice(1)) }],
  ['slice', { params: ['value'], variadic: 'value', call: (a) => slice(a[0], a.slice(1)) }],
  ['call', {
    params: ['value'], variadic: 'value', call: (a) => {
      if (a[0] === undefined || a[0] === null) throw new FuncError('call of nil');
      throw new FuncError(`non-function of type ${typeName(a[0])}`);
    },
  }],
  ['print', { params: [], variadic: 'any', call: (a) => sprint(a) }],
  ['printf', { params: ['string'], variadic: 'any', call: (a) => sprintf(a[0] as string, a.slice(1)) }],
  ['println', { params: [], variadic: 'any', call: (a) => sprintln(a) }],
  ['html', { params: [], variadic: 'any', call: (a) => htmlEscape(evalArgs(a)) }],
  ['js', { params: [], variadic: 'any', call: (a) => jsEscape(evalArgs(a)) }],
  ['urlquery', { params: [], variadic: 'any', call: (a) => queryEscape(evalArgs(a)) }],
  ['eq', { params: ['value'], variadic: 'value', call: (a) => eq(a[0], a.slice(1)) }],
  ['ne', { params: ['value', 'value'], call: (a) => !eq(a[0], [a[1]]) }],
  ['lt', { params: ['value', 'value'], call: (a) => lt(a[0], a[1]) }],
  ['le', { params: ['value', 'value'], call: (a) => le(a[0], a[1]) }],
  ['gt', { params: ['value', 'value'], call: (a) => !le(a[0], a[1]) }],
  ['ge', { params: ['value', 'value'], call: (a) => !lt(a[0], a[1]) }],
]);
