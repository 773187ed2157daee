import { describe, expect, it } from 'vitest';
import { defineOptions, type OptionDefs } from './options.ts';

describe('defineOptions', () => {
  it.each<[string, OptionDefs, RegExp]>([
    ['a duplicate flag', {
      a: { flag: 'x.y', type: 'int', default: 1, help: '' },
      b: { flag: 'x.y', type: 'int', default: 1, help: '' },
    }, /flag -x\.y already used by a/],
    ['a duplicate YAML path', {
      a: { yaml: 'x.y', type: 'int', default: 1, help: '' },
      b: { yaml: 'x.y', type: 'int', default: 1, help: '' },
    }, /YAML path x\.y already used by a/],
    ['a value that is also a block', {
      a: { yaml: 'server', type: 'int', default: 1, help: '' },
      b: { yaml: 'server.port', type: 'int', default: 1, help: '' },
    }, /lies under option a/],
    ['a block that is also a value', {
      b: { yaml: 'server.port', type: 'int', default: 1, help: '' },
      a: { yaml: 'server', type: 'int', default: 1, help: '' },
    }, /also a block/],
    ['a reserved flag', { a: { flag: 'config.file', type: 'string', default: '', help: '' } }, /reserved/],
    ['neither flag nor YAML path', { a: { type: 'string', default: '', help: '' } }, /needs a flag/],
    ['a camelCase YAML path', { a: { yaml: 'server.httpPort', type: 'int', default: 1, help: '' } }, /bad YAML path/],
    ['a flag with a dash', { a: { flag: '-x', type: 'int', default: 1, help: '' } }, /bad flag name/],
    ['a default out of range', { a: { flag: 'a', type: 'int', default: 10, max: 5, help: '' } }, /default 10 is invalid: must be at most 5/],
    ['a negative default', { a: { flag: 'a', type: 'float', default: -1, help: '' } }, /must be at least 0/],
    ['an enum default not among its values', { a: { flag: 'a', type: 'enum', values: ['x'], default: 'y', help: '' } }, /must be one of x/],
    ['a bad duration default', { a: { flag: 'a', type: 'duration', default: '5 minutes', help: '' } }, /bad duration/],
    ['a default failing its check', { a: { flag: 'a', type: 'string', default: '', check: (v) => (v === '' ? 'must not be empty' : undefined), help: '' } }, /must not be empty/],
  ])('rejects %s', (_name, defs, message) => {
    expect(() => defineOptions(defs)).toThrow(message);
  });

  it('merges sets by spreading their definitions', () => {
    const a = defineOptions({ port: { flag: 'port', type: 'int', default: 1, help: '' } });
    const b = defineOptions({ dir: { flag: 'dir', type: 'string', default: 'd', help: '' } });
    const merged = defineOptions({ ...a.defs, ...b.defs });
    expect(merged.defaults()).toEqual({ port: 1, dir: 'd' });
    expect(() => defineOptions({ ...a.defs, other: { flag: 'port', type: 'int', default: 1, help: '' } })).toThrow(/already used/);
  });
});
