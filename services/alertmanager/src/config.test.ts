import { describe, expect, it } from 'vitest';
import { parseAlertmanagerConfig } from './config.ts';
import { Route } from './route.ts';
import { parseUserConfig, formatUserConfig } from './user-config.ts';

const wrap = (route: string, extra = ''): string => `
route:
${route}
receivers:
  - name: r
    webhook_configs: [{ url: 'http://h.example/x' }]
  - name: s
${extra}`;

describe('alertmanager_config validation', () => {
  it.each([
    ['', "configuration provided is empty"],
    ['route: [', 'invalid YAML'],
    ['receivers: [{ name: r }]', 'no routes provided'],
    [wrap('  group_by: [a]'), 'root route must specify a default receiver'],
    [wrap('  receiver: nope'), 'undefined receiver "nope" used in route'],
    [wrap('  receiver: r\n  routes: [{ receiver: nope2 }]'), 'undefined receiver "nope2" used in route'],
    [wrap('  receiver: r\n  matchers: [a="b"]'), 'root route must not have any matchers'],
    [wrap('  receiver: r\n  continue: true'), 'cannot have continue in root route'],
    [wrap('  receiver: r\n  group_by: [a, a]'), 'duplicated label "a" in group_by'],
    [wrap("  receiver: r\n  group_by: ['...', a]"), 'cannot have wildcard group_by'],
    [wrap('  receiver: r\n  group_by: [a-b]'), 'invalid label name "a-b"'],
    [wrap('  receiver: r\n  group_wait: 5x'), 'route.group_wait: not a valid duration string: "5x"'],
    [wrap('  receiver: r\n  group_interval: 0s'), 'group_interval cannot be zero'],
    [wrap('  receiver: r\n  repeat_interval: 0'), 'repeat_interval cannot be zero'],
    [wrap('  receiver: r\n  routes: [{ matchers: [\'a=~"("\'] }]'), 'invalid regular expression'],
    [wrap('  receiver: r\n  routes: [{ matchers: [\'a=="b"\'] }]'), 'matcher value contains unescaped double quote'],
    [wrap('  receiver: r\n  routes: [{ matchers: [\'!a\'] }]'), 'bad matcher format'],
    [wrap('  receiver: r\n  routes: [{ match_re: { a: "[" } }]'), 'invalid regular expression'],
    [wrap('  receiver: r\n  recevier: r'), 'route.recevier: field recevier not found'],
    [wrap('  receiver: r\n  mute_time_intervals: [night]'), 'route.mute_time_intervals: not supported by Tessera'],
    [wrap('  receiver: r', '  - name: r'), 'notification config name "r" is not unique'],
    [wrap('  receiver: r', '  - webhook_configs: []'), 'missing name in receiver'],
    [wrap('  receiver: r', '  - name: m\n    email_configs: [{ to: a@b.c }]'), 'receivers[2].email_configs: not supported by Tessera'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ send_resolved: true }]'), 'one of url or url_file must be configured'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "ftp://x" }]'), 'unsupported scheme "ftp"'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "not a url" }]'), 'invalid URL'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", max_alerts: -1 }]'), 'max_alerts: expected a non-negative integer'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", url_file: /etc/passwd }]'), 'url_file: not supported by Tessera'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", http_config: { bearer_token: a, basic_auth: { username: u } } }]'), 'at most one of basic_auth, bearer_token & authorization'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", http_config: { authorization: { type: Basic, credentials: x } } }]'), 'authorization type cannot be set to "basic"'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", http_config: { basic_auth: { username: u, password_file: /etc/shadow } } }]'), 'password_file: not supported by Tessera'],
    [wrap('  receiver: r', '  - name: w\n    webhook_configs: [{ url: "http://x", http_config: { bearer_token_file: /x } }]'), 'bearer_token_file: not supported by Tessera'],
    [wrap('  receiver: r') + 'inhibit_rules: [{ source_matchers: [a="1"], equal: [b-c] }]', 'inhibit_rules[0].equal: invalid label name "b-c"'],
    [wrap('  receiver: r') + 'inhibit_rules: [{ source_matches: { a: "1" } }]', 'field source_matches not found'],
    [wrap('  receiver: r') + 'global: { resolve_timeout: forever }', 'global.resolve_timeout'],
    [wrap('  receiver: r') + 'global: { smtp_hello: x, unknown_global: 1 }', 'global.unknown_global: field unknown_global not found'],
  ])('refuses %#: %s', (yaml, message) => {
    expect(() => parseAlertmanagerConfig(yaml)).toThrow(message);
  });

  it('accepts a full configuration and resolves inheritance and auth', () => {
    const c = parseAlertmanagerConfig(`
global:
  resolve_timeout: 1m
  smtp_smarthost: 'localhost:25'
  http_config: { authorization: { credentials: 'gl0bal' } }
templates: ['/etc/am/*.tmpl']
route:
  receiver: r
  group_by: ['...']
  group_wait: 10s
  routes:
    - match: { team: db }
      receiver: s
      group_interval: 1m
      routes:
        - matchers: ['{env!="prod", tier=~"a|b"}', 'x="a,b"']
          continue: true
receivers:
  - name: r
    webhook_configs:
      - url: 'http://h.example/r'
      - url: 'https://h.example/r2'
        send_resolved: false
        max_alerts: 5
        timeout: 3s
        http_config: { basic_auth: { username: u, password: p } }
  - name: s
    webhook_configs: [{ url: 'http://h.example/s', http_config: { bearer_token: tok } }]
inhibit_rules:
  - source_match: { severity: critical }
    target_match_re: { severity: 'warn.*' }
    equal: [cluster]
`);
    expect(c.resolveTimeoutMs).toBe(60_000);
    const r = c.receivers.get('r')!.webhooks;
    expect(r[0]).toMatchObject({ sendResolved: true, maxAlerts: 0, http: { authorization: 'Bearer gl0bal' } });
    expect(r[1]).toMatchObject({ sendResolved: false, maxAlerts: 5, timeoutMs: 3000, http: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
    expect(c.receivers.get('s')!.webhooks[0]!.http.authorization).toBe('Bearer tok');
    const root = new Route(c.route, null);
    const leaf = root.routes[0]!.routes[0]!;
    expect(leaf).toMatchObject({ receiver: 's', groupByAll: true, groupWaitMs: 10_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3600_000, continue: true });
    expect(leaf.key).toBe('{}/{team="db"}/{env!="prod",tier=~"a|b",x="a,b"}');
    expect(c.inhibitRules[0]!.equal).toEqual(['cluster']);
  });
});

describe('user configuration (POST /api/v1/alerts body)', () => {
  const am = 'route: { receiver: r }\nreceivers: [{ name: r }]\n';
  it('round-trips through the stored form', () => {
    const c = parseUserConfig(formatUserConfig({ alertmanagerConfig: am, templateFiles: { 'a.tmpl': '{{ define "a" }}A{{ end }}\n' } }));
    expect(c.alertmanagerConfig).toBe(am);
    expect(c.templateFiles).toEqual({ 'a.tmpl': '{{ define "a" }}A{{ end }}\n' });
  });
  it.each([
    ['alertmanager_config: ""', 'configuration provided is empty'],
    ['{}', 'configuration provided is empty'],
    ['alertmanager_config: [1]', 'alertmanager_config: expected a string'],
    ['alertmanager_confg: x', 'field alertmanager_confg not found'],
    [`alertmanager_config: |\n  route: {}\n`, 'root route must specify a default receiver'],
    [`template_files: { '../x': 'y' }\nalertmanager_config: x`, 'invalid template name'],
    ['- a list', 'expected a mapping'],
  ])('refuses %j', (body, message) => {
    expect(() => parseUserConfig(body)).toThrow(message);
  });
});
