import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { MysqlOptions } from './mysql-config.js';

/** The MariaDB the tests use: the one on this machine, root without a password. */
export const TEST_MYSQL: MysqlOptions = {
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  database: 'test',
  maxConnections: 4,
  useSsl: false,
};

/**
 * A database of its own for one test file (skein_<prefix>_<random>), so files and runs never see each
 * other's rows, and Skein starts on it as on a fresh production database. The name is made here from
 * letters, digits and underscores, never from input, so it can be written into the DDL.
 */
export async function createTestDatabase(
  prefix: string,
): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `skein_${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const drop = async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
  };
  return { name, drop };
}

export async function admin<T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const { database: _db, maxConnections: _m, useSsl: _s, ...target } = TEST_MYSQL;
  const c = await mysql.createConnection({ ...target, password: '' });
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}
