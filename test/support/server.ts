import { pino } from 'pino';
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

/** Starts a real Skein in-process over real sockets. `env` overrides settings by their environment names. */
export async function startTestServer(env: Partial<Record<string, string>> = {}): Promise<RunningSkein> {
  const merged = { ...EPHEMERAL, ...env } as NodeJS.ProcessEnv;
  const config = parseConfig(readRawConfig(merged, []));
  return startSkein(config, pino({ level: config.logLevel }));
}
