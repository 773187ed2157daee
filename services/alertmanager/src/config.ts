/**
 * A tenant's Alertmanager configuration (`alertmanager_config`), parsed and validated with
 * Alertmanager's rules: the routing tree, inhibit rules and receivers. Tessera delivers through
 * webhooks only; the other integrations, time intervals and server-side files are refused with a
 * message rather than silently ignored.
 */
import { parse as parseYaml } from 'yaml';
import { isValidLabelName } from '@tessera/model';
import { matchersFromMaps, parseMatchers, type AlertMatcher } from './matchers.ts';
import { ConfigProblem, Fields } from './yaml-fields.ts';

/** Authentication and transport of a webhook's HTTP client (Prometheus's `http_config`). */
export interface HttpClientConfig {
  /** The Authorization header value, e.g. `Bearer t0ken` or `Basic dXNlcjpwYXNz`. */
  readonly authorization?: string;
  readonly followRedirects: boolean;
}

/** One `webhook_configs` entry. */
export interface WebhookConfig {
  readonly url: string;
  readonly sendResolved: boolean;
  /** Most alerts in one body; the rest are counted in `truncatedAlerts`. 0 = all. */
  readonly maxAlerts: number;
  /** Deadline of one request in ms; 0 = until the notification's own deadline. */
  readonly timeoutMs: number;
  readonly http: HttpClientConfig;
}

/** A receiver: a name and its integrations (webhooks here). */
export interface ReceiverConfig {
  readonly name: string;
  readonly webhooks: readonly WebhookConfig[];
}

/** A route as written; unset fields are inherited from the parent when the tree is built. */
export interface RouteConfig {
  readonly receiver?: string;
  readonly groupBy?: readonly string[];
  readonly groupWaitMs?: number;
  readonly groupIntervalMs?: number;
  readonly repeatIntervalMs?: number;
  readonly matchers: readonly AlertMatcher[];
  readonly continue: boolean;
  readonly routes: readonly RouteConfig[];
}

/** An inhibit rule: firing alerts matching `source` mute alerts matching `target` with the same `equal` labels. */
export interface InhibitRuleConfig {
  readonly source: readonly AlertMatcher[];
  readonly target: readonly AlertMatcher[];
  readonly equal: readonly string[];
}

/** A validated Alertmanager configuration. */
export interface AlertmanagerConfig {
  /** When an alert without `endsAt` resolves (`global.resolve_timeout`, default 5m). */
  readonly resolveTimeoutMs: number;
  readonly route: RouteConfig;
  readonly inhibitRules: readonly InhibitRuleConfig[];
  readonly receivers: ReadonlyMap<string, ReceiverConfig>;
}

const OTHER_INTEGRATIONS = [
  'email_configs', 'pagerduty_configs', 'slack_configs', 'opsgenie_configs', 'wechat_configs', 'pushover_configs',
  'victorops_configs', 'sns_configs', 'telegram_configs', 'webex_configs', 'discord_configs', 'msteams_configs',
] as const;

const GLOBAL_IGNORED = [
  'smtp_from', 'smtp_hello', 'smtp_smarthost', 'smtp_auth_username', 'smtp_auth_password', 'smtp_auth_password_file',
  'smtp_auth_secret', 'smtp_auth_identity', 'smtp_require_tls', 'slack_api_url', 'slack_api_url_file', 'victorops_api_key',
  'victorops_api_key_file', 'victorops_api_url', 'pagerduty_url', 'opsgenie_api_key', 'opsgenie_api_key_file',
  'opsgenie_api_url', 'wechat_api_url', 'wechat_api_secret', 'wechat_api_corp_id', 'telegram_api_url', 'webex_api_url',
] as const;

/**
 * Parses and validates Alertmanager's YAML.
 *
 * @throws ConfigProblem naming the first problem and where it is.
 */
export function parseAlertmanagerConfig(text: string): AlertmanagerConfig {
  if (text.trim() === '') {
    throw new ConfigProblem("configuration provided is empty, if you'd like to remove your configuration please use the delete configuration endpoint");
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigProblem(`invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const root = new Fields(doc, '');
  root.checkKeys(['global', 'route', 'inhibit_rules', 'receivers', 'templates'], ['mute_time_intervals', 'time_intervals']);
  root.stringList('templates');

  const global = root.object('global') ?? new Fields({}, 'global');
  global.checkKeys(['resolve_timeout', 'http_config', ...GLOBAL_IGNORED]);
  const resolveTimeoutMs = global.duration('resolve_timeout') ?? 5 * 60_000;
  const globalHttp = parseHttpConfig(global.object('http_config'));

  const receivers = new Map<string, ReceiverConfig>();
  for (const r of root.list('receivers')) {
    const rec = parseReceiver(r, globalHttp);
    if (receivers.has(rec.name)) throw new ConfigProblem(`notification config name ${JSON.stringify(rec.name)} is not unique`);
    receivers.set(rec.name, rec);
  }

  const routeFields = root.object('route');
  if (routeFields === undefined) throw new ConfigProblem('no routes provided');
  const route = parseRoute(routeFields);
  if (route.receiver === undefined || route.receiver === '') throw new ConfigProblem('root route must specify a default receiver');
  if (route.matchers.length > 0) throw new ConfigProblem('root route must not have any matchers');
  if (route.continue) throw new ConfigProblem('cannot have continue in root route');
  checkReceiversExist(route, receivers);

  const inhibitRules = root.list('inhibit_rules').map(parseInhibitRule);
  return { resolveTimeoutMs, route, inhibitRules, receivers };
}

function checkReceiversExist(route: RouteConfig, receivers: ReadonlyMap<string, ReceiverConfig>): void {
  if (route.receiver !== undefined && !receivers.has(route.receiver)) {
    throw new ConfigProblem(`undefined receiver ${JSON.stringify(route.receiver)} used in route`);
  }
  for (const child of route.routes) checkReceiversExist(child, receivers);
}

function parseRoute(f: Fields): RouteConfig {
  f.checkKeys(
    ['receiver', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'match', 'match_re', 'matchers', 'continue', 'routes'],
    ['mute_time_intervals', 'active_time_intervals'],
  );
  const groupBy = f.stringList('group_by');
  if (groupBy !== undefined) {
    const seen = new Set<string>();
    for (const l of groupBy) {
      if (l === '...') continue;
      if (!isValidLabelName(l)) throw new ConfigProblem(`${f.at('group_by')}: invalid label name ${JSON.stringify(l)} in group_by list`);
      if (seen.has(l)) throw new ConfigProblem(`${f.at('group_by')}: duplicated label ${JSON.stringify(l)} in group_by`);
      seen.add(l);
    }
    if (groupBy.includes('...') && groupBy.length > 1) {
      throw new ConfigProblem(`${f.at('group_by')}: cannot have wildcard group_by (\`...\`) and other labels at the same time`);
    }
  }
  const groupIntervalMs = f.duration('group_interval');
  if (groupIntervalMs === 0) throw new ConfigProblem(`${f.at('group_interval')}: group_interval cannot be zero`);
  const repeatIntervalMs = f.duration('repeat_interval');
  if (repeatIntervalMs === 0) throw new ConfigProblem(`${f.at('repeat_interval')}: repeat_interval cannot be zero`);
  const groupWaitMs = f.duration('group_wait');
  const matchers = readMatchers(f, 'match', 'match_re', 'matchers');
  const receiver = f.string('receiver');
  return {
    ...(receiver === undefined ? {} : { receiver }),
    ...(groupBy === undefined ? {} : { groupBy }),
    ...(groupWaitMs === undefined ? {} : { groupWaitMs }),
    ...(groupIntervalMs === undefined ? {} : { groupIntervalMs }),
    ...(repeatIntervalMs === undefined ? {} : { repeatIntervalMs }),
    matchers,
    continue: f.bool('continue') ?? false,
    routes: f.list('routes').map(parseRoute),
  };
}

function readMatchers(f: Fields, matchKey: string, matchReKey: string, matchersKey: string): AlertMatcher[] {
  try {
    const out = matchersFromMaps(f.stringMap(matchKey), f.stringMap(matchReKey));
    for (const item of f.stringList(matchersKey) ?? []) out.push(...parseMatchers(item));
    return out;
  } catch (e) {
    if (e instanceof ConfigProblem) throw e;
    throw new ConfigProblem(`${f.path}: ${(e as Error).message}`);
  }
}

function parseInhibitRule(f: Fields): InhibitRuleConfig {
  f.checkKeys(['source_match', 'source_match_re', 'source_matchers', 'target_match', 'target_match_re', 'target_matchers', 'equal']);
  const equal = f.stringList('equal') ?? [];
  for (const l of equal) {
    if (!isValidLabelName(l)) throw new ConfigProblem(`${f.at('equal')}: invalid label name ${JSON.stringify(l)}`);
  }
  return {
    source: readMatchers(f, 'source_match', 'source_match_re', 'source_matchers'),
    target: readMatchers(f, 'target_match', 'target_match_re', 'target_matchers'),
    equal,
  };
}

function parseReceiver(f: Fields, globalHttp: HttpClientConfig): ReceiverConfig {
  f.checkKeys(['name', 'webhook_configs'], OTHER_INTEGRATIONS);
  const name = f.string('name');
  if (name === undefined || name === '') throw new ConfigProblem(`${f.path}: missing name in receiver`);
  return { name, webhooks: f.list('webhook_configs').map((w) => parseWebhook(w, globalHttp)) };
}

function parseWebhook(f: Fields, globalHttp: HttpClientConfig): WebhookConfig {
  f.checkKeys(['send_resolved', 'url', 'http_config', 'max_alerts', 'timeout'], ['url_file']);
  const url = f.string('url');
  if (url === undefined || url === '') throw new ConfigProblem(`${f.path}: one of url or url_file must be configured`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigProblem(`${f.at('url')}: invalid URL ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigProblem(`${f.at('url')}: unsupported scheme ${JSON.stringify(parsed.protocol.slice(0, -1))} for URL`);
  }
  const http = f.has('http_config') ? parseHttpConfig(f.object('http_config')) : globalHttp;
  return {
    url,
    sendResolved: f.bool('send_resolved') ?? true,
    maxAlerts: f.uint('max_alerts') ?? 0,
    timeoutMs: f.duration('timeout') ?? 0,
    http,
  };
}

/**
 * Prometheus's `http_config`, the parts a webhook uses: `authorization` (default type Bearer),
 * `bearer_token`, `basic_auth`, `follow_redirects`. Files on the server are not for tenants.
 */
export function parseHttpConfig(f: Fields | undefined): HttpClientConfig {
  if (f === undefined) return { followRedirects: true };
  f.checkKeys(['authorization', 'basic_auth', 'bearer_token', 'follow_redirects', 'enable_http2', 'tls_config'], [
    'bearer_token_file', 'oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header',
  ]);
  const tls = f.object('tls_config');
  if (tls !== undefined) {
    tls.checkKeys(['server_name', 'min_version', 'max_version', 'insecure_skip_verify'], ['ca', 'cert', 'key', 'ca_file', 'cert_file', 'key_file']);
    if (tls.bool('insecure_skip_verify') === true) throw new ConfigProblem(`${tls.at('insecure_skip_verify')}: not supported by Tessera`);
  }
  const auth = f.object('authorization');
  const basic = f.object('basic_auth');
  const bearer = f.string('bearer_token');
  const set = [auth, basic, bearer].filter((x) => x !== undefined).length;
  if (set > 1) throw new ConfigProblem(`${f.path}: at most one of basic_auth, bearer_token & authorization must be configured`);
  let authorization: string | undefined;
  if (auth !== undefined) {
    auth.checkKeys(['type', 'credentials'], ['credentials_file']);
    const type = auth.string('type') ?? 'Bearer';
    if (type.toLowerCase() === 'basic') throw new ConfigProblem(`${auth.at('type')}: authorization type cannot be set to "basic", use "basic_auth" instead`);
    authorization = `${type} ${auth.string('credentials') ?? ''}`;
  } else if (basic !== undefined) {
    basic.checkKeys(['username', 'password'], ['username_file', 'password_file']);
    const creds = `${basic.string('username') ?? ''}:${basic.string('password') ?? ''}`;
    authorization = `Basic ${Buffer.from(creds, 'utf8').toString('base64')}`;
  } else if (bearer !== undefined) {
    authorization = `Bearer ${bearer}`;
  }
  return { ...(authorization === undefined ? {} : { authorization }), followRedirects: f.bool('follow_redirects') ?? true };
}
