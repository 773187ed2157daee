/**
 * Options of the alertmanager and of the ruler's alert sender, with Mimir's flag names. Merge
 * into a CLI's option set with `defineOptions({ ...alertmanagerOptions.defs })`. The external
 * Alertmanager URLs are a per-tenant limit (`-ruler.alertmanager-url`, in @tessera/limits).
 */
import { defineOptions } from '@tessera/server';

/** Option definitions of the alertmanager and the alert sender. */
export const alertmanagerOptions = defineOptions({
  alertmanagerExternalUrl: {
    flag: 'alertmanager.web.external-url',
    yaml: 'alertmanager.external_url',
    type: 'string',
    default: '',
    check: (v: string) => {
      if (v === '') return undefined;
      try {
        new URL(v);
        return undefined;
      } catch {
        return 'must be a URL';
      }
    },
    help: 'The URL under which the Alertmanager is reached from outside: the externalURL of webhook notifications. Empty: http://localhost:<HTTP port>/alertmanager.',
  },
  alertmanagerPollInterval: {
    flag: 'alertmanager.configs.poll-interval',
    yaml: 'alertmanager.poll_interval',
    type: 'duration',
    default: '15s',
    min: '100ms',
    help: 'How often tenants\' Alertmanager configurations are read from the bucket (changes made through this process apply at once).',
  },
  rulerNotificationQueueCapacity: {
    flag: 'ruler.notification-queue-capacity',
    yaml: 'ruler.notification_queue_capacity',
    type: 'int',
    default: 10000,
    min: 1,
    help: 'Alerts each tenant may have waiting to be sent to external Alertmanagers; beyond it the oldest are dropped.',
  },
  rulerNotificationTimeout: {
    flag: 'ruler.notification-timeout',
    yaml: 'ruler.notification_timeout',
    type: 'duration',
    default: '10s',
    min: '10ms',
    help: 'Deadline of one request to an external Alertmanager.',
  },
});
