import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import { defineOptions } from './options.ts';
import { toYamlObject, usage } from './usage.ts';

const opts = defineOptions({
  port: { flag: 'server.http-listen-port', yaml: 'server.http_listen_port', type: 'int', default: 9009, help: 'HTTP listen port.' },
  auth: { flag: 'auth.enabled', yaml: 'auth_enabled', type: 'bool', default: true, help: 'Require X-Scope-OrgID.' },
  target: { flag: 'target', yaml: 'target', type: 'enum', values: ['all', 'ingester'], default: 'all', help: 'Module to run.' },
  period: { flag: 'runtime-config.reload-period', yaml: 'runtime_config.period', type: 'duration', default: '10s', help: 'Reload period.' },
  password: { flag: 's3.secret-access-key', yaml: 'storage.s3.secret_access_key', type: 'string', default: '', secret: true, help: 'S3 secret.' },
  tenants: { flag: 'ruler.enabled-tenants', yaml: 'ruler.enabled_tenants', type: 'stringList', default: [], help: 'Tenants.' },
  banner: { yaml: 'server.banner', type: 'string', default: 'hello', help: 'Only in YAML.' },
  level: { flag: 'log.level', type: 'enum', values: ['info', 'debug'], default: 'info', help: 'Only a flag.' },
});

describe('usage', () => {
  const text = usage(opts, { program: 'tessera' });

  it('lists flags sorted by name with type, default, choices and YAML key', () => {
    const heads = text.split('\n').filter((l) => /^ {2}-/.test(l)).map((l) => l.trim());
    expect(heads.slice(0, 7)).toEqual([
      '-auth.enabled',
      '-log.level value',
      '-ruler.enabled-tenants list',
      '-runtime-config.reload-period duration',
      '-s3.secret-access-key string',
      '-server.http-listen-port int',
      '-target value',
    ]);
    expect(text).toContain('HTTP listen port. (default 9009; YAML server.http_listen_port)');
    expect(text).toContain('Reload period. (default 10s; YAML runtime_config.period)');
    expect(text).toContain('Module to run. (default "all"; one of all, ingester; YAML target)');
  });

  it('lists YAML-only options and the loader flags', () => {
    expect(text).toMatch(/Settable only in the YAML file:\n {2}server\.banner string\n/);
    expect(text).toContain('-config.file string');
    expect(text).toContain('-config.expand-env');
  });
});

describe('toYamlObject', () => {
  it('nests values under their YAML keys, formats durations and masks secrets', () => {
    const cfg = loadConfig(opts, ['-s3.secret-access-key=hunter2', '-runtime-config.reload-period=90s', '-ruler.enabled-tenants=a,b']);
    expect(toYamlObject(opts, cfg)).toEqual({
      server: { http_listen_port: 9009, banner: 'hello' },
      auth_enabled: true,
      target: 'all',
      runtime_config: { period: '1m30s' },
      storage: { s3: { secret_access_key: '********' } },
      ruler: { enabled_tenants: ['a', 'b'] },
    });
  });

  it('produces YAML that loads back to the same configuration', () => {
    const cfg = loadConfig(opts, ['-target=ingester', '-auth.enabled=false', '-runtime-config.reload-period=1h5m', '-server.http-listen-port=1234']);
    const yaml = stringify(toYamlObject(opts, cfg));
    expect(loadConfig(opts, ['-config.file=c.yaml'], { readFile: () => yaml })).toEqual(cfg);
  });
});
