/**
 * The Go values a template works with, as JavaScript values. Go's types decide how a value prints,
 * compares and converts, so the representation keeps them apart:
 *
 * | Go                        | JavaScript                                  |
 * |---------------------------|---------------------------------------------|
 * | invalid reflect.Value     | `undefined` (prints "<no value>")           |
 * | nil                       | `null`                                      |
 * | string / bool             | string / boolean                            |
 * | float64                   | number                                      |
 * | int                       | bigint (so that 3 and 3.0 stay distinct)    |
 * | map[string]T              | {@link GoMap}                               |
 * | []T, named slice types    | {@link GoSlice}                             |
 * | struct, *struct           | {@link GoStruct}                            |
 * | time.Time, *time.Time     | {@link GoTime}                              |
 */
import { compareUtf8 } from '@tessera/model';
import type { GoTime } from './go-time.ts';

/** Any value a template can hold. */
export type GoValue = undefined | null | string | number | bigint | boolean | GoMap | GoSlice | GoStruct | GoTime;

/** A Go map with string keys; `elemType` decides the zero value of a missing key. */
export class GoMap {
  readonly elemType: string;
  readonly entries: Map<string, GoValue>;
  constructor(elemType: string, entries: Map<string, GoValue>) {
    this.elemType = elemType;
    this.entries = entries;
  }
  /** Go type name, e.g. `map[string]string`. */
  get typeName(): string {
    return `map[string]${this.elemType}`;
  }
  /** Keys in Go's order for printing and ranging: byte-wise (UTF-8) ascending. */
  sortedKeys(): string[] {
    return [...this.entries.keys()].sort(compareUtf8);
  }
  /** A map[string]string from a plain record. */
  static ofStrings(rec: Readonly<Record<string, string>>): GoMap {
    return new GoMap('string', new Map(Object.entries(rec)));
  }
}

/** A Go slice; `typeName` is the declared type (`[]interface {}`, `template.queryResult`). */
export class GoSlice {
  readonly typeName: string;
  readonly elemType: string;
  readonly items: GoValue[];
  constructor(typeName: string, elemType: string, items: GoValue[]) {
    this.typeName = typeName;
    this.elemType = elemType;
    this.items = items;
  }
}

/** A Go struct value or pointer to struct, with its fields in declaration order. */
export class GoStruct {
  /** Type name without the pointer star, e.g. `template.sample`. */
  readonly typeName: string;
  readonly pointer: boolean;
  readonly fields: ReadonlyMap<string, GoValue>;
  /** Declared field types, used for the type's printed name. */
  readonly fieldTypes: ReadonlyMap<string, string>;
  constructor(typeName: string, pointer: boolean, fields: ReadonlyMap<string, GoValue>, fieldTypes: ReadonlyMap<string, string>) {
    this.typeName = typeName;
    this.pointer = pointer;
    this.fields = fields;
    this.fieldTypes = fieldTypes;
  }
}

/** Go's type name for a value (what `%T` and error messages show). */
export function typeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'float64';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
  }
  if (v instanceof GoMap || v instanceof GoSlice) return v.typeName;
  if (v instanceof GoStruct) return (v.pointer ? '*' : '') + v.typeName;
  return v.pointer ? '*time.Time' : 'time.Time';
}

/** Zero value for a declared Go type (missing map keys under `missingkey=zero`). */
export function zeroValue(type: string): GoValue {
  switch (type) {
    case 'string': return '';
    case 'float64': return 0;
    case 'int': return 0n;
    case 'bool': return false;
    default: return undefined; // interface, pointer, map, slice: nil, which prints "<no value>"
  }
}

/** Go's template truth: false, 0, nil and empty strings, maps and slices are false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'string': return v.length > 0;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
    case 'boolean': return v;
  }
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  return true; // structs, non-nil pointers, times
}

/** Go's `len` of a string in bytes (UTF-8). */
export function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
