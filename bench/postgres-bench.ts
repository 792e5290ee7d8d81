import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { tcpReachable } from '../test/support/require-service.js';
import { databaseCpuMeter, type DatabaseCpuMeter } from './database-cpu.js';

/**
 * The PostgreSQL side of `npm run bench`: a database of its own for the run (skein_bench_<random>, dropped
 * at the end), one schema per Skein server in it, and a CPU meter of the database's work. The server is
 * the machine's PostgreSQL (SKEIN_BENCH_POSTGRES_HOST/PORT/USER, default 127.0.0.1:5432 postgres): when it
 * cannot be reached, the postgres rows are skipped and the run says so.
 */
export interface PostgresBench {
  database: string;
  /** STORAGE_TYPE=postgres settings for one server, in a schema of its own. */
  env(server: string): Record<string, string>;
  /** CPU of this run's backends (every process of the bench database, autovacuum included). */
  backends: DatabaseCpuMeter;
  /**
   * CPU of the server-wide background processes (WAL writer, checkpointer, background writer). They work
   * for every database on the server, so on a shared machine other users' writes land here too.
   */
  shared: DatabaseCpuMeter;
  close(): Promise<void>;
}

export async function openPostgresBench(): Promise<PostgresBench | undefined> {
  const host = process.env.SKEIN_BENCH_POSTGRES_HOST ?? '127.0.0.1';
  const port = Number(process.env.SKEIN_BENCH_POSTGRES_PORT ?? 5432);
  const user = process.env.SKEIN_BENCH_POSTGRES_USER ?? 'postgres';
  if (!(await tcpReachable(host, port))) return undefined;
  // The admin connection sits in another database, so it is not one of the measured backends.
  const admin = new pg.Client({ host, port, user, database: 'postgres' });
  await admin.connect();
  const database = `skein_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const pids = async (sql: string, params: unknown[]) =>
    (await admin.query<{ pid: number }>(sql, params)).rows.map((r) => r.pid);
  return {
    database,
    env: (server) => ({
      POSTGRES_HOST: host,
      POSTGRES_PORT: String(port),
      POSTGRES_USER: user,
      POSTGRES_DB: database,
      POSTGRES_SCHEMA: `s_${server.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`,
    }),
    backends: databaseCpuMeter(() => pids('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])),
    shared: databaseCpuMeter(() =>
      pids(
        `SELECT pid FROM pg_stat_activity WHERE backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
        [],
      ),
    ),
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}
