import { pino, type Logger } from 'pino';
import { parseConfig, readRawConfig } from '../../src/server/config.js';
import type { SettingKey } from '../../src/server/settings.js';
import { startSkein, type RunningSkein } from '../../src/server/skein-server.js';

/** Every listener on an ephemeral port, so tests never collide with each other or a running Skein. */
const EPHEMERAL: Partial<Record<SettingKey, string>> = {
  QUERY_PORT: '0',
  OTLP_HTTP_PORT: '0',
  OTLP_GRPC_PORT: '0',
  JAEGER_AGENT_COMPACT_PORT: '0',
  JAEGER_AGENT_BINARY_PORT: '0',
  JAEGER_HTTP_PORT: '0',
  JAEGER_GRPC_PORT: '0',
  JAEGER_SAMPLING_PORT: '0',
  JAEGER_QUERY_PORT: '0',
  JAEGER_ADMIN_PORT: '0',
  STORAGE_TYPE: 'mem',
  LOG_LEVEL: 'silent',
};

/**
 * Starts a real Skein in-process over real sockets. `env` overrides settings by their environment names;
 * `logger` replaces the silent default (tests that check what is logged).
 */
export async function startTestServer(
  env: Partial<Record<string, string>> = {},
  logger?: Logger,
): Promise<RunningSkein> {
  const merged = { ...EPHEMERAL, ...env } as NodeJS.ProcessEnv;
  const config = parseConfig(readRawConfig(merged, []));
  return startSkein(config, logger ?? pino({ level: config.logLevel }));
}
