import type { PoolOptions } from 'mysql2';

/** MYSQL_* settings (zipkin-server's names and defaults), as the server's config parsed them. */
export interface MysqlOptions {
  /**
   * MYSQL_JDBC_URL: zipkin's `jdbc:mysql://host:port/db?...` (or `jdbc:mariadb://`, `mysql://`). When set it
   * wins over host, port and db, as in zipkin; user and password come from the URL when it has them.
   */
  url?: string;
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  maxConnections: number;
  useSsl: boolean;
  /** Connect timeout, so an unreachable server fails a call instead of hanging it. */
  connectTimeoutMs?: number;
}

/** What a connection needs, after the URL (if any) has been read. */
export interface MysqlTarget {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  useSsl: boolean;
}

/**
 * Reads MYSQL_JDBC_URL. JDBC query parameters zipkin users set are honoured where they mean something here:
 * user, password, useSSL / sslMode; the rest (autoReconnect, useUnicode, ...) is driver tuning and ignored.
 * Throws with a message that never echoes the URL (it may carry a password).
 */
export function parseMysqlUrl(url: string): Partial<MysqlTarget> {
  const bare = url.trim().replace(/^jdbc:/, '');
  if (!/^(mysql|mariadb):\/\//.test(bare)) {
    throw new Error('MYSQL_JDBC_URL: expected jdbc:mysql://host:port/db (or jdbc:mariadb://, mysql://)');
  }
  let u: URL;
  try {
    u = new URL(bare.replace(/^(mysql|mariadb):/, 'http:'));
  } catch {
    throw new Error('MYSQL_JDBC_URL: not a valid URL');
  }
  const out: Partial<MysqlTarget> = {};
  if (u.hostname !== '') out.host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.port !== '') out.port = Number(u.port);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db !== '') out.database = db;
  const user = u.username !== '' ? decodeURIComponent(u.username) : u.searchParams.get('user');
  const password = u.password !== '' ? decodeURIComponent(u.password) : u.searchParams.get('password');
  if (user !== null && user !== '') out.user = user;
  if (password !== null && password !== '') out.password = password;
  const useSsl = u.searchParams.get('useSSL') ?? u.searchParams.get('useSsl');
  const sslMode = u.searchParams.get('sslMode')?.toUpperCase();
  if (useSsl !== null) out.useSsl = useSsl.toLowerCase() === 'true';
  if (sslMode !== undefined) out.useSsl = sslMode !== 'DISABLED';
  return out;
}

/** Where to connect: the URL's parts win over MYSQL_HOST/PORT/DB/USE_SSL; MYSQL_USER/PASS fill what it lacks. */
export function mysqlTarget(o: MysqlOptions): MysqlTarget {
  const fromUrl = o.url === undefined ? {} : parseMysqlUrl(o.url);
  const user = fromUrl.user ?? o.user;
  const password = fromUrl.password ?? o.password;
  return {
    host: fromUrl.host ?? o.host,
    port: fromUrl.port ?? o.port,
    database: fromUrl.database ?? o.database,
    useSsl: fromUrl.useSsl ?? o.useSsl,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  };
}

/** mysql2 pool options: ids as decimal strings (BIGINT past 2^53), utf8mb4 on the wire, UTC dates. */
export function poolOptions(o: MysqlOptions): PoolOptions {
  const t = mysqlTarget(o);
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    ...(t.user === undefined ? {} : { user: t.user }),
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.useSsl ? { ssl: { rejectUnauthorized: true } } : {}),
    connectionLimit: o.maxConnections,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    // Idle connections are checked by the pool; a dead one is replaced on the next call.
    enableKeepAlive: true,
  };
}

/** How the store names itself in logs and /health: never the password. */
export function mysqlDisplayName(o: MysqlOptions): string {
  const t = mysqlTarget(o);
  return `MySQLStorage(${t.host}:${t.port}/${t.database})`;
}
