import { describe, expect, it } from 'vitest';
import { defineOptions } from './options.ts';
import { decodeYaml, expandEnv } from './yaml-source.ts';

describe('expandEnv', () => {
  it.each([
    ['${A}', { A: 'x' }, 'x'],
    ['${A:def}', {}, 'def'],
    ['${A:def}', { A: 'set' }, 'set'],
    ['${A:}', {}, ''],
    ['${A}', {}, ''],
    ['${A:}', { A: '' }, ''],
    ['${A:def}', { A: '' }, ''],
    ['${A:http://h:9000/x}', {}, 'http://h:9000/x'],
    ['pre-${A}-${B:b}-post', { A: 'a' }, 'pre-a-b-post'],
    ['$A and $$ and ${not-a-name} stay', { A: 'x' }, '$A and $$ and ${not-a-name} stay'],
    ['regex: "foo$"', {}, 'regex: "foo$"'],
  ])('%s with %j → %s', (text, env, want) => {
    expect(expandEnv(text, env)).toBe(want);
  });
});

describe('decodeYaml with a prefix', () => {
  const set = defineOptions({
    rate: { flag: 'distributor.ingestion-rate-limit', yaml: 'limits.ingestion_rate', type: 'float', default: 0, help: '' },
    port: { flag: 'server.port', yaml: 'server.port', type: 'int', default: 1, help: '' },
  });

  it('matches keys relative to the block and names them relative to it', () => {
    const ok = decodeYaml(set, { ingestion_rate: 5 }, { prefix: 'limits', where: ' for tenant "t"' });
    expect([...ok.values]).toEqual([['rate', 5]]);
    const bad = decodeYaml(set, { ingestion_rate: 'x', port: 1 }, { prefix: 'limits', where: ' for tenant "t"' });
    expect(bad.problems).toEqual([
      'invalid value "x" for ingestion_rate (flag -distributor.ingestion-rate-limit) for tenant "t": not a number',
      'unknown key "port" for tenant "t"',
    ]);
  });
});
