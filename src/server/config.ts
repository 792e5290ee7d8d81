import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './config-file.js';
import { SETTINGS, flagName, type Setting, type SettingKey } from './settings.js';
import type { UiSettings } from '../query/ui-config.js';
import type { RabbitMqOptions } from '../collector/rabbitmq/rabbitmq-transport.js';
import type { KafkaOptions } from '../collector/kafka/kafka-transport.js';
import { parseActiveMqUrl } from '../collector/activemq/activemq-url.js';
import type { ActiveMqOptions } from '../collector/activemq/activemq-transport.js';
import type { PostgresOptions } from '../storage/postgres/postgres-config.js';
import { parseMysqlUrl, type MysqlOptions } from '../storage/mysql/mysql-config.js';
import type { ClickhouseOptions } from '../storage/clickhouse/clickhouse-config.js';
import type { ConnectionLimits } from './connection-guard.js';
import type { SpanLimits } from '../model/span-limits.js';
import type { QueryGateOptions } from '../query/query-gate.js';
import { parseTlsFiles, type TlsFiles } from './tls/tls-front.js';
import { parseOidcSettings, type OidcSettings } from './auth/oidc-sign-in.js';

export { ConfigError };

/** Raw values by env name: defaults, then the environment, then CLI flags (last wins). */
export type RawConfig = Record<SettingKey, string>;

/**
 * Reads settings, merged in this one place: defaults, then the SKEIN_CONFIG file, then the environment,
 * then CLI flags (last wins). The only place (with main.ts) that touches process.env. Flags are
 * `--query-port 9412` or `--query-port=9412`; unknown flags are an error naming the flag. The file is named
 * by `--skein-config` or SKEIN_CONFIG and is read before the environment is applied.
 */
export function readRawConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): RawConfig {
  const raw = Object.fromEntries(SETTINGS.map((s) => [s.env, s.default])) as RawConfig;
  const file = configFileArg(argv) ?? env['SKEIN_CONFIG'];
  if (file) Object.assign(raw, readConfigFile(file), { SKEIN_CONFIG: file });
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined) raw[s.env as SettingKey] = v;
  }
  const byFlag = new Map<string, Setting>(SETTINGS.map((s) => [flagName(s.env), s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const setting = byFlag.get(flag);
    if (!setting) throw new ConfigError(`unknown option ${flag} (see --help)`);
    let value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) {
      if (setting.type !== 'bool') throw new ConfigError(`${flag} needs a value`);
      value = 'true';
    }
    raw[setting.env as SettingKey] = value;
  }
  return raw;
}

/** The value of `--skein-config path` or `--skein-config=path`, if given. */
function configFileArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--skein-config') return argv[i + 1];
    if (arg.startsWith('--skein-config=')) return arg.slice('--skein-config='.length);
  }
  return undefined;
}

export function parseBool(key: string, v: string): boolean {
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new ConfigError(`${key}: expected true or false, got "${v}"`);
}

export function parseInt10(key: string, v: string, min = 0): number {
  if (!/^-?\d+$/.test(v.trim())) throw new ConfigError(`${key}: expected an integer, got "${v}"`);
  const n = Number(v.trim());
  if (n < min) throw new ConfigError(`${key}: must be at least ${min}, got ${n}`);
  return n;
}

export function parsePort(key: string, v: string): number {
  const n = parseInt10(key, v);
  if (n > 65535) throw new ConfigError(`${key}: a port is 0-65535, got ${n}`);
  return n;
}

/** A port number, or 'off' (also 'false'/'disabled') which disables the listener: returned as null. */
export function parsePortOrOff(key: string, v: string): number | null {
  const s = v.trim().toLowerCase();
  if (s === 'off' || s === 'false' || s === 'disabled') return null;
  return parsePort(key, v);
}

export function parseRate(key: string, v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`${key}: expected a number between 0.0 and 1.0, got "${v}"`);
  }
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "11s", "500ms", "7d", "12h"; a bare number is milliseconds. Returns milliseconds. */
/**
 * "11s", "500ms", "7d", "12h"; returns milliseconds. The unit is required: a bare "7" meant as days but
 * read as milliseconds would make retention delete everything. Below `minMs` is refused for the same reason.
 */
export function parseDuration(key: string, v: string, minMs = 1): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(v.trim());
  if (!m)
    throw new ConfigError(`${key}: expected a duration with a unit, like 500ms, 11s, 12h or 7d, got "${v}"`);
  const ms = Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
  if (ms < minMs) throw new ConfigError(`${key}: must be at least ${formatMs(minMs)}, got "${v}"`);
  return ms;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "64MiB", "10GiB", "500kb", or a bare byte count. */
/** "64MiB", "10GiB", "500kb", or a bare byte count; below `minBytes` is refused (a 0 budget deletes everything). */
export function parseBytes(key: string, v: string, minBytes = 1): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
  const unit = m?.[2]?.toLowerCase() ?? '';
  if (!m || !(unit in BYTE_UNITS))
    throw new ConfigError(`${key}: expected a size like 64MiB or 10GiB, got "${v}"`);
  const bytes = Math.round(Number(m[1]) * BYTE_UNITS[unit]!);
  if (bytes < minBytes) throw new ConfigError(`${key}: must be at least ${minBytes} bytes, got "${v}"`);
  return bytes;
}

export function parseList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseEnum<T extends string>(key: string, v: string, values: readonly T[]): T {
  const s = v.trim().toLowerCase() as T;
  if (!values.includes(s)) throw new ConfigError(`${key}: expected one of ${values.join(', ')}, got "${v}"`);
  return s;
}

export interface Config {
  queryPort: number;
  queryEnabled: boolean;
  queryLookbackMs: number;
  queryTimeoutMs: number;
  /** QUERY_MAX_LIMIT and QUERY_MAX_CONCURRENT (query/query-gate.ts). */
  queryGate: QueryGateOptions;
  maxBodyBytes: number;
  allowedOrigins: string[];
  searchEnabled: boolean;
  uiEnabled: boolean;
  ui: UiSettings;
  logLevel: string;
  collector: {
    sampleRate: number;
    httpEnabled: boolean;
    grpcEnabled: boolean;
    maxInFlight: number;
    /** COLLECTOR_MAX_QUEUED_BYTES: the storage core's write queue bound (bytes, not batches). */
    maxQueuedBytes: number;
    /** COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT: message bytes being received and decoded at once. */
    maxBodyBytesInFlight: number;
    /** SPAN_MAX_*: what one span may carry; over a limit it is truncated and counted. */
    spanLimits: SpanLimits;
    /** RETENTION_MAX_FUTURE: how far ahead of its arrival a span timestamp is kept as sent. */
    maxFutureMs: number;
    /** COLLECTOR_MAX_EVENT_LOOP_DELAY: load shedding by event-loop delay; 0 = off. */
    maxEventLoopDelayMs: number;
  };
  /** LISTENER_HEADER_TIMEOUT, LISTENER_IDLE_TIMEOUT, LISTENER_MAX_CONNECTIONS: every TCP listener. */
  listeners: ConnectionLimits;
  /** LISTEN_ADDRESS: undefined = all interfaces (node's default, dual-stack where the host has IPv6). */
  listenAddress: string | undefined;
  /** LISTENER_ADDRESSES: an address for some listeners by name, over LISTEN_ADDRESS and JAEGER_AGENT_ADDRESS. */
  listenerAddresses: Record<string, string>;
  /** JAEGER_AGENT_ADDRESS, resolved: the UDP ports' address (undefined = all interfaces). */
  agentAddress: string | undefined;
  /** AUTH_ENABLED / AUTH_TOKENS_FILE: null when authentication is off (the default, as Zipkin). */
  auth: { tokensFile: string } | null;
  /** OIDC_*: OpenID Connect sign-in for the UI, null when OIDC_ISSUER_URL is empty. */
  oidc: OidcSettings | null;
  /** TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE: null when TLS is off (the default). */
  tls: TlsFiles | null;
  otlp: { httpPort: number | null; grpcPort: number | null };
  jaeger: {
    agentCompactPort: number | null;
    agentBinaryPort: number | null;
    /** JAEGER_AGENT_RECEIVE_BUFFER: SO_RCVBUF of the UDP sockets. */
    agentReceiveBufferBytes: number;
    httpPort: number | null;
    grpcPort: number | null;
    samplingPort: number | null;
    samplingStrategiesFile: string;
    /** JAEGER_QUERY_PORT: a second front door to the query app, where Jaeger UI and Grafana look. */
    queryPort: number | null;
    /** JAEGER_ADMIN_PORT: Jaeger's admin port (health JSON at /, Prometheus text at /metrics). */
    adminPort: number | null;
    /** SPAN_METRICS_MAX_OPERATIONS: span names per service in /prometheus span metrics; 0 = no span metrics. */
    spanMetricsMaxOperations: number;
    /** JAEGER_UI_DIR: a Jaeger UI build served with Skein's capabilities injected; '' = none. */
    uiDir: string;
  };
  /** null unless RABBIT_ADDRESSES or RABBIT_URI is set (as zipkin enables it). */
  rabbitmq: RabbitMqOptions | null;
  /** null unless KAFKA_BOOTSTRAP_SERVERS is set. */
  kafka: KafkaOptions | null;
  /** null unless ACTIVEMQ_URL is set. */
  activemq: ActiveMqOptions | null;
  /** null unless COLLECTOR_SCRIBE_ENABLED or SCRIBE_ENABLED is true. */
  scribe: { port: number; category: string } | null;
  storage: {
    type: 'mem' | 'sqlite' | 'postgres' | 'mysql' | 'clickhouse';
    strictTraceId: boolean;
    searchEnabled: boolean;
    autocompleteKeys: string[];
    memMaxSpans: number;
    sqlitePath: string;
    retentionMs: number;
    retentionMaxBytes: number;
    postgres: PostgresOptions;
    mysql: MysqlOptions;
    clickhouse: ClickhouseOptions;
  };
}

/** Validates every raw value; the first bad one stops start-up with a ConfigError naming its key. */
export function parseConfig(raw: RawConfig): Config {
  const bool = (k: SettingKey) => parseBool(k, raw[k]);
  const int = (k: SettingKey, min = 0) => parseInt10(k, raw[k], min);
  const rate = (k: SettingKey) => parseRate(k, raw[k]);
  const portOrOff = (k: SettingKey) => parsePortOrOff(k, raw[k]);
  const searchEnabled = bool('SEARCH_ENABLED');
  const lowErrorRate = rate('ZIPKIN_UI_DEPENDENCY_LOW_ERROR_RATE');
  const highErrorRate = rate('ZIPKIN_UI_DEPENDENCY_HIGH_ERROR_RATE');
  if (lowErrorRate > highErrorRate) {
    throw new ConfigError(
      'ZIPKIN_UI_DEPENDENCY_LOW_ERROR_RATE must not exceed ZIPKIN_UI_DEPENDENCY_HIGH_ERROR_RATE',
    );
  }
  const auth = parseAuth(raw);
  return {
    queryPort: parsePort('QUERY_PORT', raw.QUERY_PORT),
    queryEnabled: bool('QUERY_ENABLED'),
    queryLookbackMs: int('QUERY_LOOKBACK', 1),
    queryTimeoutMs: parseDuration('QUERY_TIMEOUT', raw.QUERY_TIMEOUT, 100),
    queryGate: { maxLimit: int('QUERY_MAX_LIMIT', 1), maxConcurrent: int('QUERY_MAX_CONCURRENT', 1) },
    maxBodyBytes: parseBytes('QUERY_MAX_BODY_BYTES', raw.QUERY_MAX_BODY_BYTES, 1024),
    allowedOrigins: parseList(raw.ZIPKIN_QUERY_ALLOWED_ORIGINS),
    searchEnabled,
    uiEnabled: bool('UI_ENABLED'),
    ui: {
      environment: raw.ZIPKIN_UI_ENVIRONMENT,
      queryLimit: int('ZIPKIN_UI_QUERY_LIMIT', 1),
      defaultLookback: int('ZIPKIN_UI_DEFAULT_LOOKBACK', 1),
      searchEnabled: bool('ZIPKIN_UI_SEARCH_ENABLED') && searchEnabled,
      dependencyEnabled: bool('ZIPKIN_UI_DEPENDENCY_ENABLED'),
      lowErrorRate,
      highErrorRate,
      logsUrl: raw.ZIPKIN_UI_LOGS_URL,
      supportUrl: raw.ZIPKIN_UI_SUPPORT_URL,
      archiveUrl: raw.ZIPKIN_UI_ARCHIVE_URL,
      archivePostUrl: raw.ZIPKIN_UI_ARCHIVE_POST_URL,
    },
    logLevel: parseEnum('LOG_LEVEL', raw.LOG_LEVEL, [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    collector: {
      sampleRate: rate('COLLECTOR_SAMPLE_RATE'),
      httpEnabled: bool('COLLECTOR_HTTP_ENABLED'),
      grpcEnabled: bool('COLLECTOR_GRPC_ENABLED'),
      maxInFlight: int('COLLECTOR_MAX_IN_FLIGHT', 1),
      maxQueuedBytes: parseBytes('COLLECTOR_MAX_QUEUED_BYTES', raw.COLLECTOR_MAX_QUEUED_BYTES, 1024 * 1024),
      maxBodyBytesInFlight: parseBytes(
        'COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT',
        raw.COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT,
        1024,
      ),
      spanLimits: {
        maxNameLength: int('SPAN_MAX_NAME_LENGTH', 16),
        maxTagKeyLength: int('SPAN_MAX_TAG_KEY_LENGTH', 16),
        maxTagValueLength: int('SPAN_MAX_TAG_VALUE_LENGTH', 16),
        maxTags: int('SPAN_MAX_TAGS', 1),
        maxAnnotations: int('SPAN_MAX_ANNOTATIONS', 1),
      },
      maxFutureMs: parseDuration('RETENTION_MAX_FUTURE', raw.RETENTION_MAX_FUTURE, 1000),
      maxEventLoopDelayMs: parseDuration('COLLECTOR_MAX_EVENT_LOOP_DELAY', raw.COLLECTOR_MAX_EVENT_LOOP_DELAY, 0),
    },
    listeners: {
      headerTimeoutMs: parseDuration('LISTENER_HEADER_TIMEOUT', raw.LISTENER_HEADER_TIMEOUT, 100),
      idleTimeoutMs: parseDuration('LISTENER_IDLE_TIMEOUT', raw.LISTENER_IDLE_TIMEOUT, 100),
      maxConnections: int('LISTENER_MAX_CONNECTIONS', 1),
    },
    listenAddress: parseAddress('LISTEN_ADDRESS', raw.LISTEN_ADDRESS),
    listenerAddresses: parseListenerAddresses(raw.LISTENER_ADDRESSES),
    // UDP carries no credentials: with authentication on, the agent ports stay on loopback unless told.
    agentAddress: parseAddress('JAEGER_AGENT_ADDRESS', raw.JAEGER_AGENT_ADDRESS) ??
      (auth ? '127.0.0.1' : parseAddress('LISTEN_ADDRESS', raw.LISTEN_ADDRESS)),
    auth,
    oidc: parseOidc(raw, auth !== null),
    tls: parseTlsFiles(raw.TLS_CERT_FILE, raw.TLS_KEY_FILE, raw.TLS_CLIENT_CA_FILE),
    otlp: { httpPort: portOrOff('OTLP_HTTP_PORT'), grpcPort: portOrOff('OTLP_GRPC_PORT') },
    jaeger: {
      agentCompactPort: portOrOff('JAEGER_AGENT_COMPACT_PORT'),
      agentBinaryPort: portOrOff('JAEGER_AGENT_BINARY_PORT'),
      agentReceiveBufferBytes: parseBytes('JAEGER_AGENT_RECEIVE_BUFFER', raw.JAEGER_AGENT_RECEIVE_BUFFER, 4096),
      httpPort: portOrOff('JAEGER_HTTP_PORT'),
      grpcPort: portOrOff('JAEGER_GRPC_PORT'),
      samplingPort: portOrOff('JAEGER_SAMPLING_PORT'),
      samplingStrategiesFile: raw.JAEGER_SAMPLING_STRATEGIES_FILE,
      queryPort: portOrOff('JAEGER_QUERY_PORT'),
      adminPort: portOrOff('JAEGER_ADMIN_PORT'),
      spanMetricsMaxOperations: int('SPAN_METRICS_MAX_OPERATIONS', 0),
      uiDir: parseJaegerUiDir(raw.JAEGER_UI_DIR),
    },
    rabbitmq: parseRabbitMq(raw),
    kafka: parseKafka(raw),
    activemq: parseActiveMq(raw),
    scribe:
      bool('COLLECTOR_SCRIBE_ENABLED') || bool('SCRIBE_ENABLED')
        ? { port: parsePort('SCRIBE_PORT', raw.SCRIBE_PORT), category: raw.SCRIBE_CATEGORY }
        : null,
    storage: {
      type: parseEnum('STORAGE_TYPE', raw.STORAGE_TYPE, ['mem', 'sqlite', 'postgres', 'mysql', 'clickhouse']),
      strictTraceId: bool('STRICT_TRACE_ID'),
      searchEnabled,
      autocompleteKeys: parseList(raw.AUTOCOMPLETE_KEYS),
      memMaxSpans: int('MEM_MAX_SPANS', 1),
      sqlitePath: raw.SQLITE_PATH,
      retentionMs: parseDuration('RETENTION', raw.RETENTION, 60_000),
      retentionMaxBytes: parseBytes('RETENTION_MAX_BYTES', raw.RETENTION_MAX_BYTES, 1024 * 1024),
      postgres: parsePostgres(raw),
      mysql: parseMysql(raw),
      clickhouse: parseClickhouse(raw),
    },
  };
}

/** POSTGRES_*: the URL form wins over the parts, as in zipkin's JDBC URL for MySQL. */
function parsePostgres(raw: RawConfig): PostgresOptions {
  const url = raw.POSTGRES_URL.trim();
  if (url !== '' && !/^postgres(ql)?:\/\//.test(url)) {
    // The URL may carry a password, so it is not echoed.
    throw new ConfigError('POSTGRES_URL: expected a URL starting with postgres:// or postgresql://');
  }
  const schema = raw.POSTGRES_SCHEMA.trim();
  if (schema === '') throw new ConfigError('POSTGRES_SCHEMA: must not be empty');
  return {
    ...(url === '' ? {} : { url }),
    host: raw.POSTGRES_HOST,
    port: parsePort('POSTGRES_PORT', raw.POSTGRES_PORT),
    ...(raw.POSTGRES_USER === '' ? {} : { user: raw.POSTGRES_USER }),
    ...(raw.POSTGRES_PASS === '' ? {} : { password: raw.POSTGRES_PASS }),
    database: raw.POSTGRES_DB,
    schema,
    maxConnections: parseInt10('POSTGRES_MAX_CONNECTIONS', raw.POSTGRES_MAX_CONNECTIONS, 2),
    useSsl: parseBool('POSTGRES_USE_SSL', raw.POSTGRES_USE_SSL),
    retentionMs: parseDuration('RETENTION', raw.RETENTION, 60_000),
  };
}

/** CLICKHOUSE_*: endpoints are http(s) URLs (a password in one is not echoed). */
function parseClickhouse(raw: RawConfig): ClickhouseOptions {
  const urls = parseList(raw.CLICKHOUSE_URLS);
  if (urls.length === 0)
    throw new ConfigError('CLICKHOUSE_URLS: must name at least one http:// or https:// endpoint');
  for (const u of urls) {
    if (!/^https?:\/\/[^/]/.test(u))
      throw new ConfigError('CLICKHOUSE_URLS: each endpoint must start with http:// or https://');
  }
  const database = raw.CLICKHOUSE_DATABASE.trim();
  if (database === '') throw new ConfigError('CLICKHOUSE_DATABASE: must not be empty');
  const cluster = raw.CLICKHOUSE_CLUSTER.trim();
  const replicated = parseBool('CLICKHOUSE_REPLICATED', raw.CLICKHOUSE_REPLICATED);
  if (replicated && cluster === '') throw new ConfigError('CLICKHOUSE_REPLICATED: needs CLICKHOUSE_CLUSTER');
  const quorum = parseInt10('CLICKHOUSE_INSERT_QUORUM', raw.CLICKHOUSE_INSERT_QUORUM, 0);
  return {
    urls,
    database,
    user: raw.CLICKHOUSE_USER,
    password: raw.CLICKHOUSE_PASSWORD,
    ...(cluster === '' ? {} : { cluster }),
    replicated,
    ...(quorum > 1 ? { insertQuorum: quorum } : {}),
    retentionMs: parseDuration('RETENTION', raw.RETENTION, 60_000),
  };
}

function parseOidc(raw: RawConfig, authOn: boolean): OidcSettings | null {
  const oidc = parseOidcSettings(raw);
  if (oidc && !authOn) throw new ConfigError('OIDC_ISSUER_URL: needs authentication on (AUTH_TOKENS_FILE)');
  return oidc;
}

function parseAuth(raw: RawConfig): { tokensFile: string } | null {
  const file = raw.AUTH_TOKENS_FILE.trim();
  const enabled = parseBool('AUTH_ENABLED', raw.AUTH_ENABLED) || file !== '';
  if (!enabled) return null;
  if (file === '')
    throw new ConfigError('AUTH_ENABLED: needs AUTH_TOKENS_FILE, the file of tokens (create one with: skein token create --role admin)');
  return { tokensFile: file };
}

export const LISTENER_NAMES = [
  'zipkin',
  'jaeger-query',
  'otlp-http',
  'otlp-grpc',
  'jaeger-http',
  'jaeger-grpc',
  'jaeger-sampling',
  'jaeger-admin',
  'jaeger-udp-compact',
  'jaeger-udp-binary',
  'scribe',
] as const;

function parseListenerAddresses(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of parseList(v)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    if (eq === -1 || !(LISTENER_NAMES as readonly string[]).includes(name))
      throw new ConfigError(`LISTENER_ADDRESSES: expected name=ip with a name among ${LISTENER_NAMES.join(', ')}, got "${entry}"`);
    out[name] = parseAddress(`LISTENER_ADDRESSES (${name})`, entry.slice(eq + 1)) ?? '';
    if (out[name] === '') throw new ConfigError(`LISTENER_ADDRESSES: ${name} has no address`);
  }
  return out;
}

/** An IP literal to bind to, or undefined for all interfaces. Host names are refused: they may resolve to several. */
export function parseAddress(key: string, v: string): string | undefined {
  const s = v.trim().replace(/^\[(.*)\]$/, '$1');
  if (s === '') return undefined;
  if (isIP(s) === 0) throw new ConfigError(`${key}: expected an IP address such as 127.0.0.1, 0.0.0.0 or ::, got "${v}"`);
  return s;
}

/** MYSQL_*: zipkin-server's names and defaults; MYSQL_JDBC_URL wins over host, port, db and SSL, as in zipkin. */
function parseMysql(raw: RawConfig): MysqlOptions {
  const url = raw.MYSQL_JDBC_URL.trim();
  if (url !== '') {
    try {
      parseMysqlUrl(url);
    } catch (e) {
      // The message never echoes the URL: it may carry a password.
      throw new ConfigError((e as Error).message);
    }
  }
  return {
    ...(url === '' ? {} : { url }),
    host: raw.MYSQL_HOST,
    port: parsePort('MYSQL_TCP_PORT', raw.MYSQL_TCP_PORT),
    ...(raw.MYSQL_USER === '' ? {} : { user: raw.MYSQL_USER }),
    ...(raw.MYSQL_PASS === '' ? {} : { password: raw.MYSQL_PASS }),
    database: raw.MYSQL_DB,
    maxConnections: parseInt10('MYSQL_MAX_CONNECTIONS', raw.MYSQL_MAX_CONNECTIONS, 2),
    useSsl: parseBool('MYSQL_USE_SSL', raw.MYSQL_USE_SSL),
  };
}

function parseJaegerUiDir(dir: string): string {
  if (dir !== '' && !existsSync(join(dir, 'index.html'))) {
    throw new ConfigError(
      `JAEGER_UI_DIR: ${join(dir, 'index.html')} does not exist; point it at a Jaeger UI build folder`,
    );
  }
  return dir;
}

function parseRabbitMq(raw: RawConfig): RabbitMqOptions | null {
  const addresses = parseList(raw.RABBIT_ADDRESSES);
  const uri = raw.RABBIT_URI.trim();
  if (addresses.length === 0 && uri === '') return null;
  if (uri !== '' && !/^amqps?:\/\//.test(uri)) {
    // The URI may carry a password, so it is not echoed.
    throw new ConfigError('RABBIT_URI: expected a URI starting with amqp:// or amqps://');
  }
  for (const a of addresses) {
    if (!/^(\[[^\]]+\]|[^:\s]+)(:\d{1,5})?$/.test(a)) {
      throw new ConfigError(`RABBIT_ADDRESSES: expected host or host:port entries, got "${a}"`);
    }
  }
  return {
    addresses,
    uri,
    user: raw.RABBIT_USER,
    password: raw.RABBIT_PASSWORD,
    virtualHost: raw.RABBIT_VIRTUAL_HOST,
    useSsl: parseBool('RABBIT_USE_SSL', raw.RABBIT_USE_SSL),
    concurrency: parseInt10('RABBIT_CONCURRENCY', raw.RABBIT_CONCURRENCY, 1),
    connectionTimeoutMs: parseInt10('RABBIT_CONNECTION_TIMEOUT', raw.RABBIT_CONNECTION_TIMEOUT, 1),
    queue: raw.RABBIT_QUEUE,
  };
}

function parseKafka(raw: RawConfig): KafkaOptions | null {
  const bootstrapServers = parseList(raw.KAFKA_BOOTSTRAP_SERVERS);
  if (bootstrapServers.length === 0) return null;
  for (const a of bootstrapServers) {
    if (!/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(a)) {
      throw new ConfigError(`KAFKA_BOOTSTRAP_SERVERS: expected host:port entries, got "${a}"`);
    }
  }
  if (raw.KAFKA_TOPIC.trim() === '') throw new ConfigError('KAFKA_TOPIC: must not be empty');
  if (raw.KAFKA_GROUP_ID.trim() === '') throw new ConfigError('KAFKA_GROUP_ID: must not be empty');
  return {
    bootstrapServers,
    topic: raw.KAFKA_TOPIC.trim(),
    groupId: raw.KAFKA_GROUP_ID.trim(),
    streams: parseInt10('KAFKA_STREAMS', raw.KAFKA_STREAMS, 1),
  };
}

function parseActiveMq(raw: RawConfig): ActiveMqOptions | null {
  if (raw.ACTIVEMQ_URL.trim() === '') return null;
  const stompPort = parsePort('ACTIVEMQ_STOMP_PORT', raw.ACTIVEMQ_STOMP_PORT);
  let servers;
  try {
    servers = parseActiveMqUrl(raw.ACTIVEMQ_URL, stompPort);
  } catch (e) {
    throw new ConfigError(`ACTIVEMQ_URL: ${(e as Error).message}`);
  }
  if (raw.ACTIVEMQ_QUEUE.trim() === '') throw new ConfigError('ACTIVEMQ_QUEUE: must not be empty');
  return {
    servers,
    queue: raw.ACTIVEMQ_QUEUE.trim(),
    concurrency: parseInt10('ACTIVEMQ_CONCURRENCY', raw.ACTIVEMQ_CONCURRENCY, 1),
    username: raw.ACTIVEMQ_USERNAME,
    password: raw.ACTIVEMQ_PASSWORD,
  };
}

/** The text of `--help`: every setting with its env name, flag and default. */
export function helpText(): string {
  const lines = [
    'Usage: skein [--flag value]...   (every flag also reads from its environment variable)',
    '       skein token create --role ingest|read|admin [--name NAME] [--file AUTH_TOKENS_FILE]',
    '',
    'Settings merge as: defaults, then the YAML file named by SKEIN_CONFIG (or --skein-config), then the',
    'environment, then flags; the last wins. The file is a flat mapping whose keys are the environment',
    'names or the flag names without the dashes, e.g.  QUERY_PORT: 9412  or  storage-type: sqlite.',
    '',
  ];
  for (const s of SETTINGS) {
    const def = s.default === '' ? '(empty)' : s.default;
    lines.push(`  ${flagName(s.env).padEnd(40)} ${s.env.padEnd(38)} default ${def}`);
    lines.push(`      ${s.help}${'values' in s ? ` (${s.values.join('|')})` : ''}`);
  }
  return lines.join('\n');
}
