import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { ModelError } from './errors.ts';
import { Matcher } from './matcher.ts';

/** The reference: Prometheus's semantics run on the engine, no fast paths. */
const compiled = new Map<string, RE2JS>();
function reference(pattern: string, s: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) compiled.set(pattern, (re = RE2JS.compile(pattern, RE2JS.DOTALL)));
  return re.matches(s);
}

const FAST_PATTERNS = [
  '', 'foo', 'foo|bar|baz', 'foo|', '|foo', 'foo|foo', 'foo.*', '.*foo', '.*foo.*', '.*', '.+',
  'foo.+', '.+foo', '.+foo.+', 'a.*b', 'a.*b.*c', 'a.+b.*c', '.*a.*b.*', 'a.*a', 'ab.*ba',
  '(foo|bar)', '(?:foo|bar)', '()', '(.*)', 'foo.*|.*bar', 'ab|a.*', '.*.*', '.*.+', '.+.*x',
  'x.*.+.*y', 'foo\\.bar', '10\\.0\\.0\\.1:9100', '\\(x\\)', '\\|', 'a\\|b', '\\\\', '\\.\\*',
  '日本.*', '.*😀', '😀|é', 'a\nb', '.*\n.*', 'node_cpu.*|node_memory.*',
  '(?i)foo', '(?i)FOO|bar', '(?i).*kelvin.*', '(?i)s.+k', '(?i)(prod|staging)', '(?i).*error.*',
  '(?i)', '(?i).+', '(?i)ks', '(?i)a.*b.*c',
];

const ENGINE_PATTERNS = [
  '.+.+', 'a+', 'a*', '[a-z]+', '(?i)é', '(?i)日本', '^foo$', 'foo$', '(a)(b)', '(?s)foo', 'a{2}',
  '\\d+', '.', 'a.b', '(?i:foo)bar', '\\Qa.b\\E', '(a|b)c', 'foo|b[ae]r', '.*?foo',
];

const INPUTS = [
  '', 'foo', 'FOO', 'Foo', 'bar', 'BAR', 'baz', 'foobar', 'barfoo', 'xfoox', 'foo\n', '\nfoo',
  'fo\no', 'foo|bar', 'a', 'aa', 'ab', 'abc', 'aba', 'abba', 'aba\nba', 'axbxc', 'aXbc', 'acb',
  'a\nb', 'a\nb\nc', 'foo.bar', 'fooxbar', '10.0.0.1:9100', '10x0x0x1:9100', '(x)', '|', 'a|b',
  '\\', '.*', '日本語', '日本', '😀', 'x😀', '😀😀', 'é', 'É', 'kelvin', 'KELVIN', '\u212aELVIN',
  '\u212a', 'ſ', 'sk', 'SK', 'ſ\u212a', 's\nk', 'sxk', 'x', 'xy', 'xzy', 'x\ny', 'prod', 'PROD',
  'Staging', 'an ERROR here', 'error', 'node_cpu_seconds_total', 'node_memory_MemFree_bytes',
  'node_load1', '\n', 'ab\nc',
];

describe('Matcher fast paths agree with re2js', () => {
  it.each(FAST_PATTERNS)('=~%j uses no regex engine and agrees on every input', (pattern) => {
    const m = Matcher.create('=~', 'l', pattern);
    expect(m.usesRegexEngine()).toBe(false);
    const neg = Matcher.create('!~', 'l', pattern);
    for (const s of INPUTS) {
      const want = reference(pattern, s);
      expect([s, m.matches(s)]).toEqual([s, want]);
      expect([s, neg.matches(s)]).toEqual([s, !want]);
    }
  });

  it.each(ENGINE_PATTERNS)('=~%j falls back to re2js, anchored, dot matching newline', (pattern) => {
    const m = Matcher.create('=~', 'l', pattern);
    expect(m.usesRegexEngine()).toBe(true);
    for (const s of INPUTS) expect([s, m.matches(s)]).toEqual([s, reference(pattern, s)]);
  });

  it('agrees on random strings over a tricky alphabet', () => {
    const alphabet = ['a', 'b', 'c', 'f', 'o', 'x', 'y', 's', 'k', 'K', 'S', '\u212a', 'ſ', '\n', 'é', '😀', '.', '|', '\\'];
    const input = fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((a) => a.join(''));
    const matchers = FAST_PATTERNS.map((p) => [p, Matcher.create('=~', 'l', p)] as const);
    fc.assert(
      fc.property(input, (s) => {
        for (const [p, m] of matchers) expect([p, s, m.matches(s)]).toEqual([p, s, reference(p, s)]);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('handles case-insensitive patterns as Grafana sends them', () => {
    const m = Matcher.create('=~', 'env', '(?i)(prod|staging)');
    expect(['prod', 'PROD', 'Staging', 'sTAGING'].every((v) => m.matches(v))).toBe(true);
    expect(m.matches('production')).toBe(false);
    const contains = Matcher.create('=~', 'msg', '(?i).*error.*');
    expect(contains.matches('Disk ERROR on sda')).toBe(true);
    expect(contains.matches('all good')).toBe(false);
  });
});

describe('Matcher equality operators', () => {
  it('= and != compare literally (no regex meaning)', () => {
    const eq = Matcher.create('=', 'job', 'a.*');
    expect(eq.matches('a.*')).toBe(true);
    expect(eq.matches('abc')).toBe(false);
    const ne = Matcher.create('!=', 'job', 'a');
    expect(ne.matches('b')).toBe(true);
    expect(ne.matches('a')).toBe(false);
  });
});

describe('Matcher.matchesEmpty', () => {
  it.each([
    ['=', '', true], ['=', 'a', false], ['!=', 'a', true], ['!=', '', false],
    ['=~', '.*', true], ['=~', '.+', false], ['=~', 'a|', true], ['=~', 'a*', true], ['=~', 'a+', false],
    ['!~', '.+', true], ['!~', '', false], ['!~', '.*', false], ['!~', 'a', true],
  ] as const)('%s%j → %s', (type, value, want) => {
    expect(Matcher.create(type, 'l', value).matchesEmpty()).toBe(want);
  });
});

describe('Matcher.setMatches and prefix', () => {
  it.each([
    ['=', 'x', ['x']],
    ['=~', 'foo', ['foo']],
    ['=~', '', ['']],
    ['=~', 'a|b|a', ['a', 'b']],
    ['=~', '(?:api|web)', ['api', 'web']],
    ['=~', 'a\\.b|c', ['a.b', 'c']],
    ['=~', 'a.*', null],
    ['=~', '(?i)a|b', null],
    ['=~', '[ab]', null],
    ['!~', 'a|b', null],
    ['!=', 'a', null],
  ] as const)('%s%j → set %j', (type, value, want) => {
    expect(Matcher.create(type, 'l', value).setMatches()).toEqual(want);
  });

  it.each([
    ['=', 'xyz', 'xyz'],
    ['=~', 'foo.*', 'foo'],
    ['=~', 'foobar|foobaz.*', 'fooba'],
    ['=~', 'foo|bar', ''],
    ['=~', '.*foo', ''],
    ['=~', 'abc[0-9]', 'abc'],
    ['=~', 'abc*', 'ab'],
    ['=~', 'ab?', 'a'],
    ['=~', 'ab{2}', 'a'],
    ['=~', 'a+b', 'a'],
    ['=~', 'a\\.b\\d', 'a.b'],
    ['=~', 'x😀*', 'x'],
    ['=~', '(?i)foo', ''],
    ['=~', 'a(b|c)', ''],
    ['!~', 'foo.*', ''],
    ['!=', 'foo', ''],
  ] as const)('%s%j → prefix %j', (type, value, want) => {
    expect(Matcher.create(type, 'l', value).prefix()).toBe(want);
  });

  it('every accepted value starts with the prefix', () => {
    for (const p of [...FAST_PATTERNS, ...ENGINE_PATTERNS, 'abc*', 'fo+', 'foo\\.?bar']) {
      const m = Matcher.create('=~', 'l', p);
      for (const s of INPUTS) if (m.matches(s)) expect([p, s, s.startsWith(m.prefix())]).toEqual([p, s, true]);
    }
  });
});

describe('Matcher errors and safety', () => {
  it.each([
    ['(a', 'error parsing regexp: missing closing ): `(a`'],
    ['a)|(b', 'error parsing regexp: unexpected ): `a)|(b`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
  ])('rejects %j with a typed error carrying RE2’s message', (pattern, message) => {
    let err: unknown;
    try {
      Matcher.create('=~', 'l', pattern);
    } catch (e) {
      err = e;
    }
    expect(ModelError.is(err)).toBe(true);
    expect((err as ModelError).code).toBe('invalid-regexp');
    expect((err as ModelError).message).toBe(message);
  });

  it('does not backtrack catastrophically', () => {
    const input = 'a'.repeat(100_000) + 'b';
    const start = performance.now();
    expect(Matcher.create('=~', 'l', '(a+)+$').matches(input)).toBe(false);
    expect(Matcher.create('=~', 'l', '(x+x+)+y').matches('x'.repeat(50_000))).toBe(false);
    expect(Matcher.create('=~', 'l', '(a|aa)+').matches(input)).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000); // V8's RegExp would not finish
  });

  it('formats as PromQL', () => {
    expect(Matcher.create('=~', 'job', 'a"b').toString()).toBe('job=~"a\\"b"');
    expect(Matcher.create('!=', 'my.label', 'x').toString()).toBe('"my.label"!="x"');
  });
});
