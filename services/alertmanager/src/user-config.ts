/**
 * The body of `POST /api/v1/alerts` (Mimir's format): YAML with `alertmanager_config`, a string
 * holding Alertmanager's own YAML, and optional `template_files` (file name → template text).
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseAlertmanagerConfig, type AlertmanagerConfig } from './config.ts';
import { ConfigProblem, Fields } from './yaml-fields.ts';

/** A tenant's stored configuration, as uploaded. */
export interface UserConfig {
  /** Alertmanager's YAML. */
  readonly alertmanagerConfig: string;
  /** Template files by name (kept and returned; webhooks do not render templates). */
  readonly templateFiles: Readonly<Record<string, string>>;
}

/** A user configuration with its parsed Alertmanager configuration. */
export interface ValidatedUserConfig extends UserConfig {
  readonly parsed: AlertmanagerConfig;
}

/**
 * Parses and validates an uploaded (or stored) user configuration.
 *
 * @throws ConfigProblem with the message for the 400 answer.
 */
export function parseUserConfig(body: string): ValidatedUserConfig {
  let doc: unknown;
  try {
    doc = parseYaml(body);
  } catch (e) {
    throw new ConfigProblem(`invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const f = new Fields(doc, '');
  f.checkKeys(['alertmanager_config', 'template_files']);
  const alertmanagerConfig = f.string('alertmanager_config') ?? '';
  const templateFiles = f.stringMap('template_files') ?? {};
  for (const name of Object.keys(templateFiles)) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
      throw new ConfigProblem(`template_files: invalid template name ${JSON.stringify(name)}: must be a plain file name`);
    }
  }
  const parsed = parseAlertmanagerConfig(alertmanagerConfig);
  return { alertmanagerConfig, templateFiles, parsed };
}

/** The YAML form of a user configuration (what GET answers and what is stored). */
export function formatUserConfig(c: UserConfig): string {
  const out: Record<string, unknown> = {};
  if (Object.keys(c.templateFiles).length > 0) out['template_files'] = c.templateFiles;
  out['alertmanager_config'] = c.alertmanagerConfig;
  return stringifyYaml(out, { blockQuote: 'literal', lineWidth: 0 });
}
