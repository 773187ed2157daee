/**
 * The evaluator's options (`-ruler.*`), with Mimir's flag names, YAML paths and defaults. Merge
 * into a CLI's option set with `defineOptions({ ...own.defs, ...rulerEvalOptions.defs })`.
 */
import { hostname } from 'node:os';
import { defineOptions, type ValuesOf } from '@tessera/server';

/** Option definitions of rule evaluation. */
export const rulerEvalOptions = defineOptions({
  rulerEvaluationInterval: {
    flag: 'ruler.evaluation-interval',
    yaml: 'ruler.evaluation_interval',
    type: 'duration',
    default: '1m',
    min: '1ms',
    help: 'How often rule groups without an interval of their own are evaluated.',
  },
  rulerPollInterval: {
    flag: 'ruler.poll-interval',
    yaml: 'ruler.poll_interval',
    type: 'duration',
    default: '1m',
    min: '100ms',
    help: 'How often the ruler re-reads the rule groups from storage (changes made through this process\'s API apply at once).',
  },
  rulerResendDelay: {
    flag: 'ruler.resend-delay',
    yaml: 'ruler.resend_delay',
    type: 'duration',
    default: '1m',
    min: 1,
    help: 'Least time between two notifications of the same firing alert.',
  },
  rulerForOutageTolerance: {
    flag: 'ruler.for-outage-tolerance',
    yaml: 'ruler.for_outage_tolerance',
    type: 'duration',
    default: '1h',
    min: '1s',
    help: 'Longest ruler outage after which the "for" state of alerts is restored from ALERTS_FOR_STATE.',
  },
  rulerForGracePeriod: {
    flag: 'ruler.for-grace-period',
    yaml: 'ruler.for_grace_period',
    type: 'duration',
    default: '10m',
    help: 'Least time a restored alert stays pending before it fires, when "for" is at least this long.',
  },
  rulerExternalUrl: {
    flag: 'ruler.external.url',
    yaml: 'ruler.external_url',
    type: 'string',
    default: '',
    help: 'URL of the Tessera (or Grafana) UI, for alerts\' generatorURL and $externalURL in templates.',
  },
  rulerRingInstanceId: {
    flag: 'ruler.ring.instance-id',
    yaml: 'ruler.ring.instance_id',
    type: 'string',
    default: hostname(),
    check: (v: string) => (v === '' || v === '__proto__' ? 'must be a non-empty name' : undefined),
    help: 'Name of this ruler in the ruler ring (-target=ruler). Default: the host name.',
  },
  rulerRingInstanceAddr: {
    flag: 'ruler.ring.instance-addr',
    yaml: 'ruler.ring.instance_addr',
    type: 'string',
    default: '',
    help: 'Address this ruler advertises in the ruler ring: host or host:port (without a port, the HTTP listen port). Default: 127.0.0.1:<HTTP port>.',
  },
  rulerRingNumTokens: {
    flag: 'ruler.ring.num-tokens',
    yaml: 'ruler.ring.num_tokens',
    type: 'int',
    default: 128,
    min: 1,
    max: 4096,
    help: 'Tokens each ruler owns in the ruler ring; a rule group belongs to the ruler owning the token after the hash of tenant/namespace/group.',
  },
  rulerRingHeartbeatPeriod: {
    flag: 'ruler.ring.heartbeat-period',
    yaml: 'ruler.ring.heartbeat_period',
    type: 'duration',
    default: '15s',
    min: '100ms',
    help: 'How often a ruler renews its entry in the ruler ring.',
  },
  rulerRingHeartbeatTimeout: {
    flag: 'ruler.ring.heartbeat-timeout',
    yaml: 'ruler.ring.heartbeat_timeout',
    type: 'duration',
    default: '1m',
    min: '1s',
    help: 'Time without a heartbeat after which a ruler counts as dead and its rule groups move to the others.',
  },
});

/** The values of {@link rulerEvalOptions}, as loaded. */
export type RulerEvalOptionValues = ValuesOf<typeof rulerEvalOptions.defs>;
