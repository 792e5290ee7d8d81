#!/usr/bin/env node
import { pino } from 'pino';
import { ConfigError, helpText, parseConfig, readRawConfig } from './config.js';
import { ListenError } from './listen-error.js';
import { startSkein } from './skein-server.js';
import { runTokenCommand } from './auth/token-command.js';

/** CLI entry: `npm start -- --help`, flags or environment variables, graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'token') {
    try {
      process.stdout.write(`${runTokenCommand(argv.slice(1), process.env)}\n`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`skein token: ${e.message}\n`);
      process.exit(2);
    }
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let config;
  try {
    config = parseConfig(readRawConfig(process.env, argv));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`skein: invalid configuration: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = pino({ level: config.logLevel });
  let server;
  try {
    server = await startSkein(config, logger);
  } catch (e) {
    // Problems the operator fixes with a setting get one readable line, like configuration errors.
    if (e instanceof ListenError || e instanceof ConfigError) {
      process.stderr.write(`skein: ${e.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err: e }, 'failed to start');
    process.exit(1);
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing accepted work');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => {
    try {
      server.reload();
    } catch (e) {
      logger.error(`reload on SIGHUP failed, still serving with the previous settings: ${(e as Error).message}`);
    }
  });
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
