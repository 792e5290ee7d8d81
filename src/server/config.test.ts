import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, readRawConfig } from './config.js';

const load = (env: Record<string, string>, argv: string[] = []) => parseConfig(readRawConfig(env, argv));

describe('configuration', () => {
  it('has zipkin defaults', () => {
    const c = load({});
    expect(c.queryPort).toBe(9411);
    expect(c.queryLookbackMs).toBe(86_400_000);
    expect(c.maxBodyBytes).toBe(64 * 1024 * 1024);
    expect(c.storage).toMatchObject({ type: 'sqlite', strictTraceId: true, searchEnabled: true, memMaxSpans: 500_000 });
    expect(c.collector.sampleRate).toBe(1);
    expect(c.otlp).toEqual({ httpPort: 4318, grpcPort: 4317 });
    expect(c.ui).toMatchObject({ queryLimit: 10, defaultLookback: 900_000, lowErrorRate: 0.5, highErrorRate: 0.75 });
  });

  it('reads environment names, and flags override them', () => {
    const c = load({ QUERY_PORT: '9412', STORAGE_TYPE: 'mem', AUTOCOMPLETE_KEYS: 'env, http.method' }, ['--query-port', '9413', '--otlp-grpc-port=off', '--strict-trace-id', 'false']);
    expect(c.queryPort).toBe(9413);
    expect(c.storage.type).toBe('mem');
    expect(c.storage.autocompleteKeys).toEqual(['env', 'http.method']);
    expect(c.otlp.grpcPort).toBeNull();
    expect(c.storage.strictTraceId).toBe(false);
  });

  it('parses durations and sizes', () => {
    const c = load({ RETENTION: '12h', RETENTION_MAX_BYTES: '2GiB', QUERY_TIMEOUT: '500ms' });
    expect(c.storage.retentionMs).toBe(12 * 3_600_000);
    expect(c.storage.retentionMaxBytes).toBe(2 * 1024 ** 3);
    expect(c.queryTimeoutMs).toBe(500);
  });

  it('reads the postgres settings, the URL form winning over the parts', () => {
    const parts = load({ STORAGE_TYPE: 'postgres', POSTGRES_HOST: 'db', POSTGRES_PORT: '6432', POSTGRES_PASS: 's3cret', POSTGRES_USE_SSL: 'true' });
    expect(parts.storage.type).toBe('postgres');
    expect(parts.storage.postgres).toMatchObject({ host: 'db', port: 6432, user: 'postgres', password: 's3cret', database: 'skein', schema: 'public', maxConnections: 10, useSsl: true, retentionMs: 7 * 86_400_000 });
    expect(parts.storage.postgres.url).toBeUndefined();
    const url = load({ STORAGE_TYPE: 'postgres', POSTGRES_URL: 'postgresql://u:p@h:1/d' });
    expect(url.storage.postgres.url).toBe('postgresql://u:p@h:1/d');
  });

  it('reads the clickhouse settings', () => {
    const c = load({ STORAGE_TYPE: 'clickhouse', CLICKHOUSE_URLS: 'http://a:8123, http://b:8123', CLICKHOUSE_CLUSTER: 'skein', CLICKHOUSE_REPLICATED: 'true', CLICKHOUSE_INSERT_QUORUM: '2' });
    expect(c.storage.type).toBe('clickhouse');
    expect(c.storage.clickhouse).toEqual({ urls: ['http://a:8123', 'http://b:8123'], database: 'skein', user: 'default', password: '', cluster: 'skein', replicated: true, insertQuorum: 2, retentionMs: 7 * 86_400_000 });
  });

  const bad: Array<[Record<string, string>, string[], RegExp]> = [
    [{ QUERY_PORT: 'abc' }, [], /^QUERY_PORT: expected an integer/],
    [{ QUERY_PORT: '70000' }, [], /^QUERY_PORT: a port is 0-65535/],
    [{ COLLECTOR_SAMPLE_RATE: '1.5' }, [], /^COLLECTOR_SAMPLE_RATE: expected a number between 0.0 and 1.0/],
    [{ STORAGE_TYPE: 'cassandra' }, [], /^STORAGE_TYPE: expected one of mem, sqlite/],
    [{ POSTGRES_URL: 'mysql://root:hunter2@h/d' }, [], /^POSTGRES_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\/$/],
    [{ POSTGRES_MAX_CONNECTIONS: '1' }, [], /^POSTGRES_MAX_CONNECTIONS: must be at least 2/],
    [{ CLICKHOUSE_URLS: 'localhost:8123' }, [], /^CLICKHOUSE_URLS: each endpoint must start with http:\/\/ or https:\/\//],
    [{ CLICKHOUSE_URLS: ' , ' }, [], /^CLICKHOUSE_URLS: must name at least one/],
    [{ CLICKHOUSE_REPLICATED: 'true' }, [], /^CLICKHOUSE_REPLICATED: needs CLICKHOUSE_CLUSTER/],
    [{ STRICT_TRACE_ID: 'maybe' }, [], /^STRICT_TRACE_ID: expected true or false/],
    [{ RETENTION: 'a week' }, [], /^RETENTION: expected a duration/],
    // A bare number is not read as milliseconds: RETENTION=7 would otherwise delete everything.
    [{ RETENTION: '7' }, [], /^RETENTION: expected a duration with a unit/],
    [{ RETENTION: '0d' }, [], /^RETENTION: must be at least 1m/],
    [{ RETENTION_MAX_BYTES: '10' }, [], /^RETENTION_MAX_BYTES: must be at least 1048576 bytes/],
    [{ QUERY_MAX_BODY_BYTES: '0' }, [], /^QUERY_MAX_BODY_BYTES: must be at least 1024 bytes/],
    [{ QUERY_TIMEOUT: '0s' }, [], /^QUERY_TIMEOUT: must be at least 100ms/],
    [{ RETENTION_MAX_BYTES: '10 potatoes' }, [], /^RETENTION_MAX_BYTES: expected a size/],
    [{ MEM_MAX_SPANS: '0' }, [], /^MEM_MAX_SPANS: must be at least 1/],
    [{ ZIPKIN_UI_DEPENDENCY_LOW_ERROR_RATE: '0.9' }, [], /LOW_ERROR_RATE must not exceed/],
    [{}, ['--no-such-flag', '1'], /unknown option --no-such-flag/],
    [{}, ['--query-port'], /--query-port needs a value/],
  ];
  for (const [env, argv, message] of bad) {
    it(`stops with a message naming the key: ${JSON.stringify(env)} ${argv.join(' ')}`, () => {
      expect(() => load(env, argv)).toThrow(ConfigError);
      expect(() => load(env, argv)).toThrow(message);
    });
  }
});
