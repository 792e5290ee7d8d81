/**
 * Every setting Skein reads: its environment name (zipkin's spelling where zipkin has one), its CLI flag,
 * default and help. `--help`, the README table and config validation all come from this one list.
 */
export type SettingType =
  'port' | 'port-or-off' | 'int' | 'bool' | 'rate' | 'string' | 'list' | 'duration' | 'bytes' | 'enum';

export interface Setting {
  env: string;
  type: SettingType;
  default: string;
  help: string;
  values?: readonly string[];
}

export const SETTINGS = [
  {
    env: 'SKEIN_CONFIG',
    type: 'string',
    default: '',
    help: 'A YAML file of settings, applied before the environment and flags (see --help)',
  },
  // Server and query
  {
    env: 'QUERY_PORT',
    type: 'port',
    default: '9411',
    help: 'HTTP port for the Zipkin API, collector and UI',
  },
  {
    env: 'QUERY_ENABLED',
    type: 'bool',
    default: 'true',
    help: 'Serve the query API (collector-only node when false)',
  },
  {
    env: 'QUERY_LOOKBACK',
    type: 'int',
    default: '86400000',
    help: 'Default lookback of trace searches and dependencies, ms',
  },
  {
    env: 'QUERY_TIMEOUT',
    type: 'duration',
    default: '11s',
    help: 'Longest a query may run before answering 500',
  },
  {
    env: 'QUERY_MAX_LIMIT',
    type: 'int',
    default: '1000',
    help: 'Largest limit of a trace search; a larger one is lowered to it (Zipkin has no cap)',
  },
  {
    env: 'QUERY_MAX_CONCURRENT',
    type: 'int',
    default: '4',
    help: 'Searches, dependency queries and multi-trace reads running at once; past it new ones get 503 + Retry-After',
  },
  {
    env: 'QUERY_MAX_BODY_BYTES',
    type: 'bytes',
    default: '64MiB',
    help: 'Largest accepted request body after decompression (413 above)',
  },
  {
    env: 'ZIPKIN_QUERY_ALLOWED_ORIGINS',
    type: 'string',
    default: '*',
    help: 'CORS allowed origins, comma-separated',
  },
  {
    env: 'SEARCH_ENABLED',
    type: 'bool',
    default: 'true',
    help: 'Index and serve trace search and name lists',
  },
  { env: 'UI_ENABLED', type: 'bool', default: 'true', help: 'Serve the web UI at /zipkin/' },
  { env: 'ZIPKIN_UI_ENVIRONMENT', type: 'string', default: '', help: 'Environment label shown in the UI' },
  { env: 'ZIPKIN_UI_QUERY_LIMIT', type: 'int', default: '10', help: 'Default result limit in the UI' },
  { env: 'ZIPKIN_UI_DEFAULT_LOOKBACK', type: 'int', default: '900000', help: 'Default UI lookback, ms' },
  { env: 'ZIPKIN_UI_SEARCH_ENABLED', type: 'bool', default: 'true', help: 'Show the search page in the UI' },
  {
    env: 'ZIPKIN_UI_DEPENDENCY_ENABLED',
    type: 'bool',
    default: 'true',
    help: 'Show the dependency page in the UI',
  },
  {
    env: 'ZIPKIN_UI_DEPENDENCY_LOW_ERROR_RATE',
    type: 'rate',
    default: '0.5',
    help: 'Error rate from which an edge is drawn amber',
  },
  {
    env: 'ZIPKIN_UI_DEPENDENCY_HIGH_ERROR_RATE',
    type: 'rate',
    default: '0.75',
    help: 'Error rate from which an edge is drawn red',
  },
  {
    env: 'ZIPKIN_UI_LOGS_URL',
    type: 'string',
    default: '',
    help: 'Logs link template for a trace ({traceId} is replaced)',
  },
  { env: 'ZIPKIN_UI_SUPPORT_URL', type: 'string', default: '', help: 'Support link shown in the UI' },
  { env: 'ZIPKIN_UI_ARCHIVE_URL', type: 'string', default: '', help: 'Archive UI link template' },
  { env: 'ZIPKIN_UI_ARCHIVE_POST_URL', type: 'string', default: '', help: 'Archive collector URL' },
  {
    env: 'LOG_LEVEL',
    type: 'enum',
    default: 'info',
    help: 'Log level',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  // Collector
  {
    env: 'COLLECTOR_SAMPLE_RATE',
    type: 'rate',
    default: '1.0',
    help: 'Fraction of traces kept, 0.0-1.0 (debug spans always kept)',
  },
  {
    env: 'COLLECTOR_HTTP_ENABLED',
    type: 'bool',
    default: 'true',
    help: 'Accept spans on POST /api/v1/spans and /api/v2/spans',
  },
  {
    env: 'COLLECTOR_GRPC_ENABLED',
    type: 'bool',
    default: 'true',
    help: 'Accept zipkin.proto3.SpanService/Report (h2c) on QUERY_PORT',
  },
  {
    env: 'COLLECTOR_MAX_IN_FLIGHT',
    type: 'int',
    default: '256',
    help: 'Batches waiting on storage before new ones get 503 + Retry-After',
  },
  {
    env: 'COLLECTOR_MAX_QUEUED_BYTES',
    type: 'bytes',
    default: '256MiB',
    help: 'Bytes of spans waiting for a group-commit store write before new ones get 503 + Retry-After',
  },
  {
    env: 'COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT',
    type: 'bytes',
    default: '256MiB',
    help: 'Bytes of messages being received, inflated and decoded at once, every transport together; past it new ones get 503 + Retry-After (gRPC UNAVAILABLE)',
  },
  {
    env: 'COLLECTOR_MAX_EVENT_LOOP_DELAY',
    type: 'duration',
    default: '2s',
    help: 'While the event loop runs this far behind, new messages get 503 + Retry-After before decoding (load shedding, every store); 0ms disables',
  },
  {
    env: 'SPAN_MAX_NAME_LENGTH',
    type: 'int',
    default: '1024',
    help: 'Longest span name and service name kept, in characters; longer ones are truncated and counted (skein_span_values_truncated_total)',
  },
  {
    env: 'SPAN_MAX_TAG_KEY_LENGTH',
    type: 'int',
    default: '256',
    help: 'Longest tag key kept, in characters; longer ones are truncated and counted',
  },
  {
    env: 'SPAN_MAX_TAG_VALUE_LENGTH',
    type: 'int',
    default: '65536',
    help: 'Longest tag or annotation value kept, in characters; longer ones are truncated and counted',
  },
  {
    env: 'SPAN_MAX_TAGS',
    type: 'int',
    default: '1024',
    help: 'Tags kept per span (the first ones); the rest are dropped and counted',
  },
  {
    env: 'SPAN_MAX_ANNOTATIONS',
    type: 'int',
    default: '1024',
    help: 'Annotations (OTLP events, Jaeger logs) kept per span (the earliest); the rest are dropped and counted',
  },
  {
    env: 'LISTENER_HEADER_TIMEOUT',
    type: 'duration',
    default: '10s',
    help: 'A TCP connection that has not sent a whole request header (or HTTP/2 preface) by then is closed',
  },
  {
    env: 'LISTENER_MAX_CONNECTIONS',
    type: 'int',
    default: '1000',
    help: 'Connections at once per TCP listener; past it new ones are refused and a line is logged',
  },
  {
    env: 'LISTENER_IDLE_TIMEOUT',
    type: 'duration',
    default: '65s',
    help: 'A connection with no request in progress (HTTP/1 keep-alive, HTTP/2 and gRPC sessions) is closed after this long',
  },
  {
    env: 'LISTEN_ADDRESS',
    type: 'string',
    default: '',
    help: 'IP address every listener binds to (127.0.0.1 for this host only); empty is all interfaces, as Zipkin',
  },
  {
    env: 'LISTENER_ADDRESSES',
    type: 'list',
    default: '',
    help: 'Per-listener IP addresses over LISTEN_ADDRESS, name=ip comma-separated (zipkin, jaeger-query, otlp-http, otlp-grpc, jaeger-http, jaeger-grpc, jaeger-sampling, jaeger-admin, jaeger-udp-compact, jaeger-udp-binary, scribe)',
  },
  {
    env: 'JAEGER_AGENT_ADDRESS',
    type: 'string',
    default: '',
    help: 'IP address of the Jaeger agent UDP ports; empty is LISTEN_ADDRESS, or 127.0.0.1 while authentication is on (UDP carries no credentials)',
  },
  {
    env: 'AUTH_ENABLED',
    type: 'bool',
    default: 'false',
    help: 'Require a token (Bearer or Basic) on every listener but /health and /info; on when AUTH_TOKENS_FILE is set',
  },
  {
    env: 'AUTH_TOKENS_FILE',
    type: 'string',
    default: '',
    help: 'File of token hashes with roles ingest, read, admin (create with: skein token create --role ingest); re-read on SIGHUP',
  },
  {
    env: 'OIDC_ISSUER_URL',
    type: 'string',
    default: '',
    help: 'OpenID Connect provider for UI sign-in (https; needs AUTH_TOKENS_FILE); the sign-in page then offers it',
  },
  { env: 'OIDC_CLIENT_ID', type: 'string', default: '', help: 'Client id registered at the OIDC provider' },
  { env: 'OIDC_CLIENT_SECRET', type: 'string', default: '', help: 'Client secret registered at the OIDC provider' },
  {
    env: 'OIDC_REDIRECT_URL',
    type: 'string',
    default: '',
    help: 'Skein URL the provider sends browsers back to: https://<host>:9411/zipkin/signin/oidc/callback',
  },
  {
    env: 'OIDC_ROLE',
    type: 'enum',
    default: 'read',
    values: ['read', 'admin'],
    help: 'Role of a session started by OIDC sign-in',
  },
  {
    env: 'TLS_CERT_FILE',
    type: 'string',
    default: '',
    help: 'PEM certificate (chain) served by every TCP listener but Scribe; with TLS_KEY_FILE turns TLS on; re-read on SIGHUP',
  },
  { env: 'TLS_KEY_FILE', type: 'string', default: '', help: 'PEM private key of TLS_CERT_FILE' },
  {
    env: 'TLS_CLIENT_CA_FILE',
    type: 'string',
    default: '',
    help: 'PEM CA: the collector-only ports (OTLP and Jaeger HTTP/gRPC) then require a client certificate it signed (mTLS)',
  },
  {
    env: 'OTLP_HTTP_PORT',
    type: 'port-or-off',
    default: '4318',
    help: 'OTLP/HTTP port (POST /v1/traces); also served on QUERY_PORT; off disables',
  },
  {
    env: 'OTLP_GRPC_PORT',
    type: 'port-or-off',
    default: '4317',
    help: 'OTLP/gRPC port (TraceService/Export); off disables',
  },
  {
    env: 'JAEGER_AGENT_COMPACT_PORT',
    type: 'port-or-off',
    default: '6831',
    help: 'Jaeger agent UDP port, thrift compact; off disables',
  },
  {
    env: 'JAEGER_AGENT_BINARY_PORT',
    type: 'port-or-off',
    default: '6832',
    help: 'Jaeger agent UDP port, thrift binary; off disables',
  },
  {
    env: 'JAEGER_AGENT_RECEIVE_BUFFER',
    type: 'bytes',
    default: '4MiB',
    help: 'Kernel receive buffer of each Jaeger agent UDP socket (capped by net.core.rmem_max); datagrams past it are lost, counted in skein_udp_receive_drops',
  },
  {
    env: 'JAEGER_HTTP_PORT',
    type: 'port-or-off',
    default: '14268',
    help: 'Jaeger collector HTTP port (POST /api/traces); also on QUERY_PORT; off disables',
  },
  {
    env: 'JAEGER_GRPC_PORT',
    type: 'port-or-off',
    default: '14250',
    help: 'Jaeger collector gRPC port (api_v2 PostSpans); off disables',
  },
  {
    env: 'JAEGER_SAMPLING_PORT',
    type: 'port-or-off',
    default: '5778',
    help: 'Jaeger remote sampling port (GET /sampling); off disables',
  },
  {
    env: 'JAEGER_SAMPLING_STRATEGIES_FILE',
    type: 'string',
    default: '',
    help: 'JSON file of per-service sampling strategies',
  },
  {
    env: 'JAEGER_QUERY_PORT',
    type: 'port-or-off',
    default: '16686',
    help: 'Jaeger query port for Jaeger UI and Grafana (/api/*, /api/v3/*; also on QUERY_PORT) and the Skein UI; off disables',
  },
  {
    env: 'JAEGER_ADMIN_PORT',
    type: 'port-or-off',
    default: '14269',
    help: "Jaeger admin port: / answers Jaeger's health JSON (503 while storage is down), /metrics Prometheus text; off disables",
  },
  {
    env: 'JAEGER_UI_DIR',
    type: 'string',
    default: '',
    help: "A Jaeger UI build folder to serve on its routes (/search, /trace/{id}, ...) with Skein's capabilities injected; empty redirects them to the Skein UI",
  },
  {
    env: 'SPAN_METRICS_MAX_OPERATIONS',
    type: 'int',
    default: '100',
    help: 'Span names per service in the span-metric series on /prometheus; later names fold into an overflow series. 0 turns span metrics off',
  },
  // RabbitMQ collector (zipkin's RABBIT_* settings; on when RABBIT_ADDRESSES or RABBIT_URI is set)
  {
    env: 'RABBIT_ADDRESSES',
    type: 'list',
    default: '',
    help: 'RabbitMQ host[:port] list, comma-separated, tried in order; setting it enables the collector',
  },
  {
    env: 'RABBIT_URI',
    type: 'string',
    default: '',
    help: 'RabbitMQ URI (amqp://user:pass@host:5672/vhost); wins over the other RABBIT_* connection settings',
  },
  { env: 'RABBIT_USER', type: 'string', default: 'guest', help: 'RabbitMQ user' },
  { env: 'RABBIT_PASSWORD', type: 'string', default: 'guest', help: 'RabbitMQ password' },
  { env: 'RABBIT_VIRTUAL_HOST', type: 'string', default: '/', help: 'RabbitMQ virtual host' },
  { env: 'RABBIT_USE_SSL', type: 'bool', default: 'false', help: 'Connect to RabbitMQ with TLS (amqps)' },
  {
    env: 'RABBIT_CONCURRENCY',
    type: 'int',
    default: '1',
    help: 'RabbitMQ messages handled at once (unacknowledged messages held)',
  },
  {
    env: 'RABBIT_CONNECTION_TIMEOUT',
    type: 'int',
    default: '60000',
    help: 'RabbitMQ connection timeout, ms',
  },
  {
    env: 'RABBIT_QUEUE',
    type: 'string',
    default: 'zipkin',
    help: 'RabbitMQ queue to consume (declared durable if missing)',
  },
  // Kafka collector (zipkin's KAFKA_* settings; on when KAFKA_BOOTSTRAP_SERVERS is set)
  {
    env: 'KAFKA_BOOTSTRAP_SERVERS',
    type: 'list',
    default: '',
    help: 'Kafka bootstrap brokers, host:port comma-separated; setting it enables the collector',
  },
  { env: 'KAFKA_TOPIC', type: 'string', default: 'zipkin', help: 'Kafka topic to consume' },
  {
    env: 'KAFKA_GROUP_ID',
    type: 'string',
    default: 'zipkin',
    help: 'Kafka consumer group (offsets are committed for it)',
  },
  {
    env: 'KAFKA_STREAMS',
    type: 'int',
    default: '1',
    help: 'Kafka partitions consumed at once (zipkin: consumer threads); records of one partition go in order',
  },
  // ActiveMQ collector (zipkin's ACTIVEMQ_* settings, over STOMP; on when ACTIVEMQ_URL is set)
  {
    env: 'ACTIVEMQ_URL',
    type: 'string',
    default: '',
    help: 'ActiveMQ broker: tcp://host:61616, ssl://..., failover:(tcp://a:61616,tcp://b:61616) or stomp://host:61613. Skein speaks STOMP: an OpenWire URL gives the host, the port is ACTIVEMQ_STOMP_PORT',
  },
  {
    env: 'ACTIVEMQ_STOMP_PORT',
    type: 'port',
    default: '61613',
    help: "The broker's STOMP port, used with a tcp://, ssl:// or failover: ACTIVEMQ_URL (Skein-only)",
  },
  { env: 'ACTIVEMQ_QUEUE', type: 'string', default: 'zipkin', help: 'ActiveMQ queue to consume' },
  {
    env: 'ACTIVEMQ_CONCURRENCY',
    type: 'int',
    default: '1',
    help: 'ActiveMQ messages handled at once (unacknowledged messages held)',
  },
  { env: 'ACTIVEMQ_USERNAME', type: 'string', default: '', help: 'ActiveMQ user (empty: none)' },
  { env: 'ACTIVEMQ_PASSWORD', type: 'string', default: '', help: 'ActiveMQ password' },
  // Scribe collector (zipkin's SCRIBE_* settings)
  {
    env: 'COLLECTOR_SCRIBE_ENABLED',
    type: 'bool',
    default: 'false',
    help: 'Accept Scribe Log calls (Thrift framed, base64 Thrift spans) on SCRIBE_PORT',
  },
  { env: 'SCRIBE_ENABLED', type: 'bool', default: 'false', help: 'Same as COLLECTOR_SCRIBE_ENABLED' },
  {
    env: 'SCRIBE_CATEGORY',
    type: 'string',
    default: 'zipkin',
    help: 'Scribe category whose messages are spans; others are ignored',
  },
  { env: 'SCRIBE_PORT', type: 'port', default: '9410', help: 'Scribe port, when Scribe is enabled' },
  // Storage
  {
    env: 'STORAGE_TYPE',
    type: 'enum',
    default: 'sqlite',
    help: 'Span storage',
    values: ['mem', 'sqlite', 'postgres', 'mysql', 'clickhouse'],
  },
  {
    env: 'STRICT_TRACE_ID',
    type: 'bool',
    default: 'true',
    help: 'When false, 64-bit and 128-bit ids with the same low 64 bits are one trace',
  },
  {
    env: 'AUTOCOMPLETE_KEYS',
    type: 'list',
    default: '',
    help: 'Tag keys whose values are offered in the UI, comma-separated',
  },
  {
    env: 'MEM_MAX_SPANS',
    type: 'int',
    default: '500000',
    help: 'mem storage: spans kept before whole oldest traces are evicted',
  },
  {
    env: 'SQLITE_PATH',
    type: 'string',
    default: 'data/skein.sqlite',
    help: 'sqlite storage: database file (its folder is created)',
  },
  {
    env: 'RETENTION',
    type: 'duration',
    default: '7d',
    help: 'sqlite storage: delete traces older than this; postgres, clickhouse: drop day partitions wholly older than this',
  },
  {
    env: 'RETENTION_MAX_BYTES',
    type: 'bytes',
    default: '10GiB',
    help: 'sqlite storage: delete oldest traces when the file grows past this',
  },
  {
    env: 'RETENTION_MAX_FUTURE',
    type: 'duration',
    default: '1h',
    help: 'Clock skew allowed: a span timestamp further ahead of its arrival is replaced by the arrival time (original in tag skein.future_timestamp), so retention can expire it',
  },
  {
    env: 'POSTGRES_URL',
    type: 'string',
    default: '',
    help: 'postgres storage: postgres:// connection string; when set, wins over POSTGRES_HOST..POSTGRES_DB',
  },
  { env: 'POSTGRES_HOST', type: 'string', default: 'localhost', help: 'postgres storage: server host' },
  { env: 'POSTGRES_PORT', type: 'port', default: '5432', help: 'postgres storage: server port' },
  { env: 'POSTGRES_USER', type: 'string', default: 'postgres', help: 'postgres storage: user' },
  { env: 'POSTGRES_PASS', type: 'string', default: '', help: 'postgres storage: password' },
  { env: 'POSTGRES_DB', type: 'string', default: 'skein', help: 'postgres storage: database (must exist)' },
  {
    env: 'POSTGRES_SCHEMA',
    type: 'string',
    default: 'public',
    help: "postgres storage: schema of Skein's tables (created when missing)",
  },
  {
    env: 'POSTGRES_MAX_CONNECTIONS',
    type: 'int',
    default: '10',
    help: 'postgres storage: connection pool size',
  },
  {
    env: 'POSTGRES_USE_SSL',
    type: 'bool',
    default: 'false',
    help: "postgres storage: connect with TLS, verifying the server's certificate",
  },
  {
    env: 'MYSQL_HOST',
    type: 'string',
    default: 'localhost',
    help: "mysql storage (Zipkin's schema): server host",
  },
  { env: 'MYSQL_TCP_PORT', type: 'port', default: '3306', help: 'mysql storage: server port' },
  { env: 'MYSQL_USER', type: 'string', default: '', help: 'mysql storage: user' },
  { env: 'MYSQL_PASS', type: 'string', default: '', help: 'mysql storage: password' },
  {
    env: 'MYSQL_DB',
    type: 'string',
    default: 'zipkin',
    help: "mysql storage: database (must exist; Zipkin's tables are created when missing)",
  },
  {
    env: 'MYSQL_MAX_CONNECTIONS',
    type: 'int',
    default: '10',
    help: 'mysql storage: connection pool size',
  },
  {
    env: 'MYSQL_USE_SSL',
    type: 'bool',
    default: 'false',
    help: "mysql storage: connect with TLS, verifying the server's certificate",
  },
  {
    env: 'MYSQL_JDBC_URL',
    type: 'string',
    default: '',
    help: "mysql storage: zipkin's jdbc:mysql://host:port/db?user=..&password=..&useSSL=.. (or mysql://); wins over host, port, db and SSL",
  },
  {
    env: 'CLICKHOUSE_URLS',
    type: 'list',
    default: 'http://localhost:8123',
    help: 'clickhouse storage: HTTP endpoints of ClickHouse nodes, comma-separated; calls take turns over them',
  },
  {
    env: 'CLICKHOUSE_DATABASE',
    type: 'string',
    default: 'skein',
    help: "clickhouse storage: database of Skein's tables (created when missing)",
  },
  { env: 'CLICKHOUSE_USER', type: 'string', default: 'default', help: 'clickhouse storage: user' },
  { env: 'CLICKHOUSE_PASSWORD', type: 'string', default: '', help: 'clickhouse storage: password' },
  {
    env: 'CLICKHOUSE_CLUSTER',
    type: 'string',
    default: '',
    help: 'clickhouse storage: cluster name (remote_servers); DDL runs ON CLUSTER, Distributed tables over local ones sharded by trace id',
  },
  {
    env: 'CLICKHOUSE_REPLICATED',
    type: 'bool',
    default: 'false',
    help: "clickhouse storage: ReplicatedMergeTree tables through the cluster's ZooKeeper ({shard} and {replica} macros)",
  },
  {
    env: 'CLICKHOUSE_INSERT_QUORUM',
    type: 'int',
    default: '0',
    help: 'clickhouse storage, replicated: replicas that must have a write before it is acknowledged (0 or 1: one)',
  },
] as const satisfies readonly Setting[];

export type SettingKey = (typeof SETTINGS)[number]['env'];

/** QUERY_PORT -> --query-port */
export function flagName(env: string): string {
  return `--${env.toLowerCase().replace(/_/g, '-')}`;
}
