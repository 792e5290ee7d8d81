import pg from 'pg';
import type { PostgresOptions } from './postgres-config.js';

/** The PostgreSQL the tests use: the one on this machine, trust auth, database `test`. */
export const TEST_PG: PostgresOptions = {
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'test',
  maxConnections: 4,
  useSsl: false,
};

/** A schema name no other test file or run uses, so runs in parallel do not see each other's rows. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Drops test schemas (identifiers made by uniqueSchema, quoted all the same). */
export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const c = new pg.Client(TEST_PG);
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s.replaceAll('"', '""')}" CASCADE`);
  } finally {
    await c.end();
  }
}
