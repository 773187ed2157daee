import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError, isConfigError } from './config-error.ts';
import { helpRequested } from './flags.ts';
import { loadConfig, validateConfig } from './load.ts';
import { defineOptions, type ConfigOf } from './options.ts';

const opts = defineOptions({
  httpListenPort: { flag: 'server.http-listen-port', yaml: 'server.http_listen_port', type: 'int', default: 9009, max: 65535, help: 'HTTP port.' },
  dataDir: { flag: 'data.dir', yaml: 'data.dir', type: 'string', default: './data', help: 'Data directory.' },
  authEnabled: { flag: 'auth.enabled', yaml: 'auth_enabled', type: 'bool', default: true, help: 'Require a tenant.' },
  target: { flag: 'target', yaml: 'target', type: 'enum', values: ['all', 'distributor', 'ingester'], default: 'all', help: 'Module.' },
  ratio: { flag: 'querier.ratio', yaml: 'querier.ratio', type: 'float', default: 0.5, max: 1, help: 'A ratio.' },
  offset: { flag: 'clock.offset', yaml: 'clock.offset', type: 'int', default: 0, min: Number.NEGATIVE_INFINITY, help: 'Signed.' },
  grace: { flag: 'validation.create-grace-period', yaml: 'limits.creation_grace_period', type: 'duration', default: '10m', max: '1d', help: 'Grace.' },
  dropLabels: { flag: 'distributor.drop-label', yaml: 'limits.drop_labels', type: 'stringList', default: ['x'], help: 'Drop.' },
  yamlOnly: { yaml: 'server.banner', type: 'string', default: 'hi', help: 'Banner.' },
  flagOnly: { flag: 'log.level', type: 'enum', values: ['debug', 'info', 'warn'], default: 'info', help: 'Level.' },
});

/** Loads with an in-memory config file (named `cfg.yaml`) when `yaml` is given. */
function load(argv: string[], yaml?: string, env: Record<string, string> = {}): ConfigOf<typeof opts> {
  const args = yaml === undefined ? argv : ['-config.file=cfg.yaml', ...argv];
  return loadConfig(opts, args, {
    env,
    readFile: (p) => {
      if (p !== 'cfg.yaml' || yaml === undefined) throw new Error(`ENOENT: no such file '${p}'`);
      return yaml;
    },
  });
}

/** The ConfigError `fn` throws (fails the test if it throws nothing or something else). */
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (isConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('infers the config type from the definitions', () => {
    const cfg = load([]);
    expectTypeOf(cfg.target).toEqualTypeOf<'all' | 'distributor' | 'ingester'>();
    expectTypeOf(cfg.httpListenPort).toEqualTypeOf<number>();
    expectTypeOf(cfg.authEnabled).toEqualTypeOf<boolean>();
    expectTypeOf(cfg.dropLabels).toEqualTypeOf<string[]>();
    expectTypeOf(cfg.flagOnly).toEqualTypeOf<'debug' | 'info' | 'warn'>();
  });

  it('gives every default when nothing is set', () => {
    expect(load([])).toEqual({
      httpListenPort: 9009, dataDir: './data', authEnabled: true, target: 'all', ratio: 0.5, offset: 0,
      grace: 600_000, dropLabels: ['x'], yamlOnly: 'hi', flagOnly: 'info',
    });
  });

  it('applies defaults < YAML < flags', () => {
    const yaml = 'server:\n  http_listen_port: 8080\n  banner: from-yaml\ntarget: ingester\n';
    const fromYaml = load([], yaml);
    expect([fromYaml.httpListenPort, fromYaml.target, fromYaml.yamlOnly, fromYaml.dataDir]).toEqual([8080, 'ingester', 'from-yaml', './data']);
    const both = load(['-server.http-listen-port=7070'], yaml);
    expect([both.httpListenPort, both.target]).toEqual([7070, 'ingester']);
    // The flag wins even when it comes before -config.file on the command line.
    const before = loadConfig(opts, ['-target=distributor', '-config.file', 'cfg.yaml'], { readFile: () => yaml });
    expect(before.target).toBe('distributor');
  });

  it('does not share list defaults between loads', () => {
    load([]).dropLabels.push('mutated');
    expect(load([]).dropLabels).toEqual(['x']);
  });

  describe('flag forms', () => {
    it.each([
      [['-auth.enabled'], true],
      [['--auth.enabled'], true],
      [['-auth.enabled=false'], false],
      [['--auth.enabled=true'], true],
      [['-auth.enabled=0'], false],
      [['-auth.enabled=F'], false],
      [['-auth.enabled=false', '-auth.enabled'], true],
    ])('%j gives auth.enabled=%s', (argv, want) => {
      expect(load(['-auth.enabled=false', ...argv]).authEnabled).toBe(want);
    });

    it.each([
      [['-server.http-listen-port=80']],
      [['-server.http-listen-port', '80']],
      [['--server.http-listen-port', '80']],
      [['--server.http-listen-port=80']],
      [['-server.http-listen-port=1', '-server.http-listen-port=80']],
    ])('%j sets the port to 80', (argv) => {
      expect(load(argv).httpListenPort).toBe(80);
    });

    it('takes the next argument as the value even when it starts with a dash', () => {
      expect(load(['-clock.offset', '-5']).offset).toBe(-5);
    });

    it('appends repeated list flags and replaces the YAML list', () => {
      const cfg = load(['-distributor.drop-label=a,b', '-distributor.drop-label', ' c '], 'limits:\n  drop_labels: [y, z]\n');
      expect(cfg.dropLabels).toEqual(['a', 'b', 'c']);
      expect(load(['-distributor.drop-label='], 'limits:\n  drop_labels: [y]\n').dropLabels).toEqual([]);
    });
  });

  describe('values from flags', () => {
    it.each<[string, string, keyof ConfigOf<typeof opts>, unknown]>([
      ['int', '-server.http-listen-port=0', 'httpListenPort', 0],
      ['int max', '-server.http-listen-port=65535', 'httpListenPort', 65535],
      ['negative int where allowed', '-clock.offset=-3', 'offset', -3],
      ['string', '-data.dir=/var/lib/tessera', 'dataDir', '/var/lib/tessera'],
      ['empty string', '-data.dir=', 'dataDir', ''],
      ['float', '-querier.ratio=0.25', 'ratio', 0.25],
      ['float exponent', '-querier.ratio=1e-3', 'ratio', 0.001],
      ['duration', '-validation.create-grace-period=1h30m', 'grace', 5_400_000],
      ['duration ms', '-validation.create-grace-period=500ms', 'grace', 500],
      ['duration zero', '-validation.create-grace-period=0', 'grace', 0],
      ['enum', '-target=ingester', 'target', 'ingester'],
      ['value with =', '-data.dir=a=b', 'dataDir', 'a=b'],
    ])('accepts %s: %s', (_name, arg, key, want) => {
      expect(load([arg])[key]).toEqual(want);
    });

    it.each([
      ['-server.http-listen-port=abc', 'invalid value "abc" for flag -server.http-listen-port: not an integer'],
      ['-server.http-listen-port=1.5', 'invalid value "1.5" for flag -server.http-listen-port: not an integer'],
      ['-server.http-listen-port=-1', 'invalid value "-1" for flag -server.http-listen-port: must be at least 0'],
      ['-server.http-listen-port=65536', 'invalid value "65536" for flag -server.http-listen-port: must be at most 65535'],
      ['-server.http-listen-port=', 'invalid value "" for flag -server.http-listen-port: not an integer'],
      ['-querier.ratio=lots', 'invalid value "lots" for flag -querier.ratio: not a number'],
      ['-querier.ratio=NaN', 'invalid value "NaN" for flag -querier.ratio: not a number'],
      ['-querier.ratio=1.5', 'invalid value "1.5" for flag -querier.ratio: must be at most 1'],
      ['-auth.enabled=yes', 'invalid value "yes" for flag -auth.enabled: not a boolean (use true or false)'],
      ['-validation.create-grace-period=10', 'invalid value "10" for flag -validation.create-grace-period: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
      ['-validation.create-grace-period=-1m', 'invalid value "-1m" for flag -validation.create-grace-period: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
      ['-validation.create-grace-period=2d', 'invalid value "2d" for flag -validation.create-grace-period: must be at most 1d'],
      ['-target=querier', 'invalid value "querier" for flag -target: must be one of all, distributor, ingester'],
      ['-log.level=trace', 'invalid value "trace" for flag -log.level: must be one of debug, info, warn'],
    ])('rejects %s', (arg, message) => {
      const err = errorOf(() => load([arg]));
      expect(err.code).toBe('invalid-config');
      expect(err.message).toBe(message);
    });

    it.each([
      [['-server.http-lsten-port=1'], 'unknown flag -server.http-lsten-port (did you mean -server.http-listen-port?)'],
      [['-no.such-flag'], 'unknown flag -no.such-flag'],
      [['-server.http-listen-port'], 'flag needs a value: -server.http-listen-port'],
      [['stray'], 'unexpected argument "stray"'],
      [['-auth.enabled', 'false'], `unexpected argument "false" (a boolean flag takes its value after '=': -auth.enabled=false)`],
      [['---x'], 'bad flag syntax: ---x'],
      [['-config.expand-env=maybe'], 'invalid value "maybe" for flag -config.expand-env: not a boolean (use true or false)'],
      [['--', '-target=all'], 'unexpected argument "-target=all"'],
    ])('rejects command line %j', (argv, message) => {
      expect(errorOf(() => load(argv)).message).toBe(message);
    });

    it('reports every problem at once', () => {
      const err = errorOf(() => load(['-target=x', '-nope', '-server.http-listen-port=abc']));
      expect(err.problems).toEqual([
        'unknown flag -nope',
        'invalid value "x" for flag -target: must be one of all, distributor, ingester',
        'invalid value "abc" for flag -server.http-listen-port: not an integer',
      ]);
      expect(err.message).toMatch(/^3 configuration errors:\n {2}- unknown flag -nope\n/);
    });
  });

  describe('values from YAML', () => {
    it.each<[string, string, keyof ConfigOf<typeof opts>, unknown]>([
      ['int', 'server: {http_listen_port: 80}', 'httpListenPort', 80],
      ['string', 'data: {dir: /srv}', 'dataDir', '/srv'],
      ['number as string', 'data: {dir: 123}', 'dataDir', '123'],
      ['bool', 'auth_enabled: false', 'authEnabled', false],
      ['float', 'querier: {ratio: 0.75}', 'ratio', 0.75],
      ['int as float field', 'querier: {ratio: 1}', 'ratio', 1],
      ['duration', 'limits: {creation_grace_period: 2h}', 'grace', 7_200_000],
      ['duration 0', 'limits: {creation_grace_period: 0}', 'grace', 0],
      ['list', 'limits: {drop_labels: [a, b]}', 'dropLabels', ['a', 'b']],
      ['comma list', 'limits: {drop_labels: "a, b"}', 'dropLabels', ['a', 'b']],
      ['empty list', 'limits: {drop_labels: []}', 'dropLabels', []],
      ['enum', 'target: distributor', 'target', 'distributor'],
      ['null keeps default', 'server:\n  http_listen_port:\n', 'httpListenPort', 9009],
      ['empty block', 'limits:\n', 'grace', 600_000],
    ])('accepts %s', (_name, yaml, key, want) => {
      expect(load([], yaml)[key]).toEqual(want);
    });

    it('accepts an empty file', () => {
      expect(load([], '').httpListenPort).toBe(9009);
    });

    it.each([
      ['server: {http_listen_port: abc}', 'invalid value "abc" for server.http_listen_port (flag -server.http-listen-port) in config file cfg.yaml: not an integer'],
      ['server: {http_listen_port: "80"}', 'invalid value "80" for server.http_listen_port (flag -server.http-listen-port) in config file cfg.yaml: not an integer'],
      ['server: {http_listen_port: 8.5}', 'invalid value 8.5 for server.http_listen_port (flag -server.http-listen-port) in config file cfg.yaml: not an integer'],
      ['server: {http_listen_port: -1}', 'invalid value -1 for server.http_listen_port (flag -server.http-listen-port) in config file cfg.yaml: must be at least 0'],
      ['auth_enabled: yes', 'invalid value "yes" for auth_enabled (flag -auth.enabled) in config file cfg.yaml: not a boolean (use true or false)'],
      ['limits: {creation_grace_period: 10}', 'invalid value 10 for limits.creation_grace_period (flag -validation.create-grace-period) in config file cfg.yaml: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
      ['limits: {creation_grace_period: 1x}', 'invalid value "1x" for limits.creation_grace_period (flag -validation.create-grace-period) in config file cfg.yaml: not a duration (use e.g. 500ms, 10s, 1h30m, 0)'],
      ['limits: {drop_labels: {a: 1}}', 'invalid value {"a":1} for limits.drop_labels (flag -distributor.drop-label) in config file cfg.yaml: not a list of strings'],
      ['target: querier', 'invalid value "querier" for target (flag -target) in config file cfg.yaml: must be one of all, distributor, ingester'],
      ['server: {banner: [a]}', 'invalid value ["a"] for server.banner in config file cfg.yaml: not a string'],
      ['server: {http_port: 80}', 'unknown key "server.http_port" in config file cfg.yaml'],
      ['limits: {creation_grace_period: 1m, nope: {deep: 1}}', 'unknown key "limits.nope" in config file cfg.yaml'],
      ['distributor: {}', 'unknown key "distributor" in config file cfg.yaml'],
      ['log: {level: info}', 'unknown key "log" in config file cfg.yaml'],
      ['"server.http_listen_port": 80', 'unknown key "server.http_listen_port" in config file cfg.yaml'],
      ['server: 80', 'server in config file cfg.yaml must be a mapping of keys, got number 80'],
      ['- a\n- b\n', 'expected a mapping at the top level in config file cfg.yaml, got a list'],
    ])('rejects %j', (yaml, message) => {
      expect(errorOf(() => load([], yaml)).message).toBe(message);
    });

    it('reports YAML syntax errors with their position', () => {
      expect(errorOf(() => load([], 'server:\n  http_listen_port: [1\n')).message).toMatch(/^config file cfg\.yaml: invalid YAML at line \d+, column \d+: /);
      expect(errorOf(() => load([], 'target: all\ntarget: ingester\n')).message).toMatch(/^config file cfg\.yaml: invalid YAML at line 2, column 1: .*unique/i);
    });

    it('reports a missing config file with its path', () => {
      const err = errorOf(() => loadConfig(opts, ['-config.file=/nonexistent/tessera.yaml']));
      expect(err.message).toMatch(/^cannot read config file \/nonexistent\/tessera\.yaml: ENOENT/);
    });

    it('reads a real file from disk', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
      try {
        const file = join(dir, 'tessera.yaml');
        writeFileSync(file, 'server:\n  http_listen_port: 9100\n');
        expect(loadConfig(opts, [`-config.file=${file}`]).httpListenPort).toBe(9100);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('-config.expand-env', () => {
    const yaml = 'server:\n  http_listen_port: ${PORT}\ndata:\n  dir: ${DATA_DIR:/tmp/tessera}\n';

    it('substitutes variables and defaults when enabled', () => {
      const cfg = load(['-config.expand-env'], yaml, { PORT: '7000' });
      expect([cfg.httpListenPort, cfg.dataDir]).toEqual([7000, '/tmp/tessera']);
      expect(load(['-config.expand-env=true'], yaml, { PORT: '7000', DATA_DIR: '/srv' }).dataDir).toBe('/srv');
    });

    it('turns an unset variable without default into an empty value', () => {
      // `http_listen_port:` with nothing after it is null, which keeps the default.
      expect(load(['-config.expand-env'], yaml, {}).httpListenPort).toBe(9009);
    });

    it('leaves the text alone when disabled', () => {
      const err = errorOf(() => load([], yaml, { PORT: '7000' }));
      expect(err.message).toBe('invalid value "${PORT}" for server.http_listen_port (flag -server.http-listen-port) in config file cfg.yaml: not an integer');
    });
  });
});

describe('validateConfig', () => {
  it('accepts a loaded config and rejects one changed to a bad value, naming flag and YAML path', () => {
    const cfg = load([]);
    validateConfig(opts, cfg);
    cfg.httpListenPort = 70000;
    expect(errorOf(() => validateConfig(opts, cfg)).message).toBe(
      'invalid value 70000 for -server.http-listen-port (YAML server.http_listen_port): must be at most 65535',
    );
  });
});

describe('helpRequested', () => {
  it.each([
    [['-help'], true],
    [['--help'], true],
    [['-h'], true],
    [['-target=all', '-help=false'], false],
    [['-target=all'], false],
    [['--', '-help'], false],
  ])('%j → %s', (argv, want) => {
    expect(helpRequested(argv)).toBe(want);
  });

  it('is ignored by loadConfig', () => {
    expect(load(['-help']).target).toBe('all');
  });
});
