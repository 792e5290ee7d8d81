import type { PoolConfig } from 'pg';

/** POSTGRES_* settings, as the server's config parsed them. */
export interface PostgresOptions {
  /** POSTGRES_URL: a postgres:// connection string; when set it wins over host, port, user, pass and db. */
  url?: string;
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  maxConnections: number;
  useSsl: boolean;
  /** The schema Skein's tables live in (created when missing). Tests give each file its own. */
  schema?: string;
  /** RETENTION in ms: day partitions wholly older than this are dropped. Unset or 0: keep everything. */
  retentionMs?: number;
  /** Connect timeout, so an unreachable server fails a call instead of hanging it. */
  connectTimeoutMs?: number;
}

export function poolConfig(o: PostgresOptions): PoolConfig {
  const base: PoolConfig = {
    max: o.maxConnections,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000,
    ssl: o.useSsl ? { rejectUnauthorized: true } : false,
    application_name: 'skein',
  };
  if (o.url !== undefined) return { ...base, connectionString: o.url };
  return {
    ...base,
    host: o.host,
    port: o.port,
    database: o.database,
    ...(o.user === undefined ? {} : { user: o.user }),
    ...(o.password === undefined ? {} : { password: o.password }),
  };
}
