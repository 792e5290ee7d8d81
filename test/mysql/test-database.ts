import { createTestDatabase, TEST_MYSQL } from '../../src/storage/mysql/mysql-test-support.js';
import { startSkeinOnProxied, type ProxiedSkein } from '../support/proxied-skein.js';

/** Starts Skein (STORAGE_TYPE=mysql) on a database of its own behind a TcpProxy a test can cut. */
export function startSkeinOnProxiedMysql(): Promise<ProxiedSkein> {
  return startSkeinOnProxied({
    target: { host: TEST_MYSQL.host, port: TEST_MYSQL.port },
    createDatabase: () => createTestDatabase('test'),
    env: (port, database) => ({
      STORAGE_TYPE: 'mysql',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_TCP_PORT: String(port),
      MYSQL_USER: 'root',
      MYSQL_DB: database,
    }),
  });
}
