import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { startSkeinOnProxied, type ProxiedSkein } from '../support/proxied-skein.js';

/**
 * A database of its own for one test file (skein_test_<random>), so files and runs never see each other's
 * rows, and Skein starts on it exactly as on a fresh production database (schema `public`, created by
 * Skein). Dropped with FORCE afterwards, which also ends connections a failed test left behind.
 */
export async function createTestDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  // Letters and digits only: the name is an identifier written into the DDL, made here, never from input.
  const name = `skein_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return { name, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

async function admin(work: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const c = new pg.Client(TEST_PG);
  await c.connect();
  try {
    await work(c);
  } finally {
    await c.end();
  }
}

/** A Skein on a database of its own, reached through a TCP proxy a test can cut and restore. */
export type ProxiedPostgresSkein = ProxiedSkein;

/** Starts Skein (STORAGE_TYPE=postgres) behind a TcpProxy: the outage tests' database that really goes away. */
export function startSkeinOnProxiedPostgres(): Promise<ProxiedPostgresSkein> {
  return startSkeinOnProxied({
    target: { host: TEST_PG.host!, port: TEST_PG.port },
    createDatabase: createTestDatabase,
    env: (port, database) => ({
      STORAGE_TYPE: 'postgres',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(port),
      POSTGRES_USER: 'postgres',
      POSTGRES_DB: database,
    }),
  });
}
