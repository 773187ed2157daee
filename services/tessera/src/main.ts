/**
 * The `tessera` command: parses flags and the config file, starts the configured target, and
 * stops it cleanly on SIGTERM or SIGINT (the WAL is flushed and fsynced before exit).
 */
import { ConfigError, helpRequested, isConfigError, loadConfig, usage } from '@tessera/server';
import { tesseraOptions } from './config.ts';
import { startTessera } from './app.ts';

async function main(argv: string[]): Promise<number> {
  if (helpRequested(argv)) {
    process.stdout.write(usage(tesseraOptions, { program: 'tessera' }));
    return 0;
  }
  let config;
  try {
    config = loadConfig(tesseraOptions, argv);
  } catch (e) {
    if (isConfigError(e)) {
      process.stderr.write(`tessera: ${(e as ConfigError).message}\n`);
      return 1;
    }
    throw e;
  }
  let handle;
  try {
    handle = await startTessera(config);
  } catch (e) {
    // Bad runtime files (overrides, tenants) are configuration errors too: say so without a trace.
    if (isConfigError(e)) {
      process.stderr.write(`tessera: ${(e as ConfigError).message}\n`);
      return 1;
    }
    throw e;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void handle.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`tessera: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
