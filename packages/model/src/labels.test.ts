import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelError } from './errors.ts';
import { hashBytes } from './hash.ts';
import { encodeFlatLabelsInto, flatLabelsByteLength } from './label-encoding.ts';
import { Labels } from './labels.ts';

const enc = new TextEncoder();
const bytes = (...parts: (number | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...enc.encode(p)])));

describe('Labels construction', () => {
  it('fromPairs sorts by name and drops empty values', () => {
    const ls = Labels.fromPairs([['job', 'node'], ['__name__', 'up'], ['empty', ''], ['instance', 'a:1']]);
    expect(ls.names()).toEqual(['__name__', 'instance', 'job']);
    expect(ls.size).toBe(3);
    expect(ls.name(1)).toBe('instance');
    expect(ls.value(1)).toBe('a:1');
    expect(ls.has('empty')).toBe(false);
  });

  it('fromPairs rejects duplicate names with a typed error', () => {
    const err = (() => {
      try {
        Labels.fromPairs([['a', '1'], ['b', '2'], ['a', '3']]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(ModelError.is(err)).toBe(true);
    expect((err as ModelError).code).toBe('duplicate-label-name');
    expect((err as ModelError).message).toContain('"a"');
    expect(() => Labels.fromPairs([['a', '1'], ['a', '']])).toThrow(/duplicate/);
  });

  it('sorts names in UTF-8 byte order, as Go does', () => {
    // U+FF5E (3 UTF-8 bytes) sorts before U+1F600 (4 bytes) in UTF-8, after it in UTF-16.
    const ls = Labels.fromPairs([['\u{1F600}', 'x'], ['\uFF5E', 'y'], ['z', 'w']]);
    expect(ls.names()).toEqual(['z', '\uFF5E', '\u{1F600}']);
  });

  it('fromObject and toObject round-trip, including a label named __proto__', () => {
    const o = JSON.parse('{"__proto__":"p","job":"j","__name__":"up"}') as Record<string, string>;
    const ls = Labels.fromObject(o);
    expect(ls.get('__proto__')).toBe('p');
    const back = ls.toObject();
    expect(Object.keys(back)).toEqual(['__name__', '__proto__', 'job']);
    expect(back['__proto__']).toBe('p');
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('EMPTY is the result of building from nothing', () => {
    expect(Labels.fromPairs([])).toBe(Labels.EMPTY);
    expect(Labels.EMPTY.size).toBe(0);
    expect(Labels.EMPTY.toString()).toBe('{}');
  });
});

describe('Labels lookup', () => {
  it('get returns empty for an absent label', () => {
    const ls = Labels.fromObject({ a: '1', c: '3' });
    expect(ls.get('a')).toBe('1');
    expect(ls.get('b')).toBe('');
    expect(ls.has('c')).toBe(true);
  });

  it('finds every label in a large set (bisection path)', () => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < 40; i++) pairs.push([`label_${String(i).padStart(2, '0')}`, `v${i}`]);
    const ls = Labels.fromPairs(pairs.reverse());
    for (const [n, v] of pairs) expect(ls.get(n)).toBe(v);
    expect(ls.has('label_40')).toBe(false);
    expect(ls.has('a')).toBe(false);
    expect(ls.has('zzz')).toBe(false);
  });

  it('forEach visits labels in order', () => {
    const seen: string[] = [];
    Labels.fromObject({ b: '2', a: '1' }).forEach((n, v) => seen.push(`${n}=${v}`));
    expect(seen).toEqual(['a=1', 'b=2']);
  });
});

describe('Labels equality and hashing', () => {
  it('equals compares content, not identity', () => {
    const a = Labels.fromObject({ a: '1', b: '2' });
    const b = Labels.fromPairs([['b', '2'], ['a', '1']]);
    expect(a.equals(b)).toBe(true);
    expect(a.hash()).toBe(b.hash());
    expect(a.equals(Labels.fromObject({ a: '1', b: '3' }))).toBe(false);
    expect(a.equals(Labels.fromObject({ a: '1' }))).toBe(false);
    // Cached hashes that differ short-circuit; equal content still compares equal after caching.
    const c = Labels.fromObject({ a: '1', b: '3' });
    c.hash();
    expect(a.equals(c)).toBe(false);
    expect(a.equals(b)).toBe(true);
  });

  it('hash is hashBytes over encode(), also when the bytes sit inside a larger request', () => {
    const ls = Labels.fromObject({ __name__: 'node_cpu_seconds_total', cpu: '3', mode: 'idle', instance: 'h:9100' });
    const e = ls.encode();
    expect(ls.hash()).toBe(hashBytes(e, 0, e.length));
    const request = new Uint8Array(e.length + 20);
    request.set(e, 7);
    expect(hashBytes(request, 7, 7 + e.length)).toBe(ls.hash());
  });

  it('hash works for label sets larger than the scratch buffer', () => {
    const big = Labels.fromObject({ __name__: 'x', v: 'é'.repeat(5000) });
    const e = big.encode();
    expect(big.hash()).toBe(hashBytes(e, 0, e.length));
  });
});

describe('Labels encoding', () => {
  it('is the remote-write protobuf encoding of TimeSeries.labels', () => {
    const ls = Labels.fromObject({ job: 'a', __name__: 'up' });
    // Label{name:"__name__",value:"up"}: inner 1+1+8 + 1+1+2 = 14 bytes.
    expect(ls.encode()).toEqual(bytes(0x0a, 14, 0x0a, 8, '__name__', 0x12, 2, 'up', 0x0a, 8, 0x0a, 3, 'job', 0x12, 1, 'a'));
  });

  it('uses multi-byte varints and UTF-8 for long and non-ASCII values', () => {
    const value = 'ü'.repeat(100); // 200 bytes
    const ls = Labels.fromObject({ k: value });
    const inner = 3 + 1 + 2 + 200; // name field 3, value tag 1, varint(200) 2, bytes
    expect(ls.encode()).toEqual(bytes(0x0a, inner & 0x7f | 0x80, inner >> 7, 0x0a, 1, 'k', 0x12, 200 & 0x7f | 0x80, 1, value));
    expect(flatLabelsByteLength(ls.toFlat())).toBe(ls.encode().length);
  });

  it('encodeFlatLabelsInto refuses a buffer that is too small', () => {
    expect(() => encodeFlatLabelsInto(['a', 'b'], new Uint8Array(5), 0)).toThrow(RangeError);
  });

  it('round-trips arbitrary label sets through encode/decode', () => {
    const labelsArb = fc
      .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), fc.string({ maxLength: 300, unit: 'grapheme' })), {
        selector: ([n]) => n,
        maxLength: 12,
      })
      .map((pairs) => Labels.fromPairs(pairs));
    fc.assert(
      fc.property(labelsArb, (ls) => {
        const e = ls.encode();
        expect(e.length).toBe(flatLabelsByteLength(ls.toFlat()));
        const back = Labels.decode(e);
        expect(back.equals(ls)).toBe(true);
        expect(back.hash()).toBe(ls.hash());
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('decodes a sub-range and non-canonical input (unsorted, empty values, extra fields)', () => {
    const canonical = Labels.fromObject({ a: '1', b: '2' }).encode();
    const padded = new Uint8Array(canonical.length + 4);
    padded.set(canonical, 2);
    expect(Labels.decode(padded, 2, 2 + canonical.length).toObject()).toEqual({ a: '1', b: '2' });

    const odd = bytes(
      0x0a, 6, 0x12, 1, '2', 0x0a, 1, 'b', // value before name
      0x0a, 3, 0x0a, 1, 'z', // empty value: dropped
      0x0a, 8, 0x0a, 1, 'a', 0x18, 0x05, 0x12, 1, '1', // unknown varint field 3
    );
    expect(Labels.decode(odd).toObject()).toEqual({ a: '1', b: '2' });
  });

  it.each([
    ['wrong tag', bytes(0x12, 0)],
    ['truncated label', bytes(0x0a, 5, 0x0a, 1)],
    ['truncated varint', bytes(0x0a, 0x80)],
    ['field overrun', bytes(0x0a, 3, 0x0a, 5, 'a')],
  ])('rejects malformed input: %s', (_, b) => {
    expect(() => Labels.decode(b)).toThrow(expect.objectContaining({ code: 'invalid-label-encoding' }));
  });

  it('rejects duplicate names in decoded input', () => {
    const e = bytes(0x0a, 6, 0x0a, 1, 'a', 0x12, 1, '1', 0x0a, 6, 0x0a, 1, 'a', 0x12, 1, '2');
    expect(() => Labels.decode(e)).toThrow(expect.objectContaining({ code: 'duplicate-label-name' }));
  });
});

describe('Labels.toString', () => {
  it.each([
    [{ __name__: 'up', job: 'b', instance: 'a' }, 'up{instance="a", job="b"}'],
    [{ __name__: 'up' }, 'up'],
    [{ job: 'x' }, '{job="x"}'],
    [{ __name__: 'm', v: 'a"b\\c\nd\te' }, 'm{v="a\\"b\\\\c\\nd\\te"}'],
    [{ __name__: 'm', v: '\x1b\x7f\x07' }, 'm{v="\\x1b\\x7f\\a"}'],
    [{ __name__: 'm', v: 'héllo 日本 😀' }, 'm{v="héllo 日本 😀"}'],
    [{ __name__: 'm', v: '\u00a0\u200b\u2028\u{E0001}' }, 'm{v="\\u00a0\\u200b\\u2028\\U000e0001"}'],
    [{ __name__: 'my.metric', 'my.label': 'x', ok: 'y' }, '{"my.metric", "my.label"="x", ok="y"}'],
  ])('formats %j as %s', (o, s) => {
    expect(Labels.fromObject(o).toString()).toBe(s);
  });
});

describe('Labels derivation and ordering', () => {
  const base = Labels.fromObject({ a: '1', b: '2', c: '3' });

  it('without removes labels and returns the same object when nothing changes', () => {
    expect(base.without('b', 'x').toObject()).toEqual({ a: '1', c: '3' });
    expect(base.without('x')).toBe(base);
    expect(base.without('a', 'b', 'c')).toBe(Labels.EMPTY);
  });

  it('with inserts, replaces, and removes on empty value', () => {
    expect(base.with('bb', 'x').names()).toEqual(['a', 'b', 'bb', 'c']);
    expect(base.with('0', 'x').names()).toEqual(['0', 'a', 'b', 'c']);
    expect(base.with('z', 'x').names()).toEqual(['a', 'b', 'c', 'z']);
    expect(base.with('b', 'new').get('b')).toBe('new');
    expect(base.with('b', '2')).toBe(base);
    expect(base.with('b', '').toObject()).toEqual({ a: '1', c: '3' });
    expect(base.get('b')).toBe('2'); // immutable
  });

  it('compare orders like Prometheus labels.Compare', () => {
    const ordered = [
      Labels.EMPTY,
      Labels.fromObject({ a: '1' }),
      Labels.fromObject({ a: '1', b: '1' }),
      Labels.fromObject({ a: '1', c: '0' }),
      Labels.fromObject({ a: '2' }),
      Labels.fromObject({ b: '0' }),
      Labels.fromObject({ b: '\uFF5E' }),
      Labels.fromObject({ b: '\u{1F600}' }),
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(Labels.compare(ordered[i]!, ordered[j]!))).toBe(Math.sign(i - j));
      }
    }
  });
});
