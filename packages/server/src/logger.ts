/**
 * The root logger: pino, JSON, one line an event. Components take `logger.child({ component })`;
 * request loggers carry the request id and tenant. Nothing is ever logged per sample.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Options of the root logger. */
export interface LoggerConfig {
  level: LevelWithSilent;
  /** Where to write; defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

/**
 * Paths the logger always censors: credentials in any logged headers object (a request, a
 * response of an outgoing call, an error carrying its request), one or two levels deep.
 */
export const REDACTED_PATHS: readonly string[] = [
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  '*.*.headers.cookie',
];

/** Creates the root logger. Called once, in the CLI's main; everything else gets it injected. */
export function createLogger(config: LoggerConfig): Logger {
  const opts = {
    level: config.level,
    base: { app: 'tessera' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return config.destination === undefined ? pino(opts) : pino(opts, config.destination);
}
