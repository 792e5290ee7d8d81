import { createTestDatabase, TEST_MYSQL } from '../../src/storage/mysql/mysql-test-support.js';
import { describeRealClients } from '../support/real-clients-suite.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';

/**
 * The shared real-clients suite (test/support/real-clients-suite.ts) on MySQL/MariaDB with Zipkin's schema,
 * set by MYSQL_JDBC_URL as a zipkin-server user would. Zipkin's schema has no column for span links
 * (README: Storage: MySQL), so they are left out of both answers before comparing.
 */
describeRealClients({
  name: 'mysql',
  available: await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port),
  prefix: 'my',
  start: async () => {
    const db = await createTestDatabase('clients');
    const server = await startTestServer({
      STORAGE_TYPE: 'mysql',
      MYSQL_JDBC_URL: `jdbc:mysql://127.0.0.1:${TEST_MYSQL.port}/${db.name}?user=root&useSSL=false`,
    });
    return {
      server,
      close: async () => {
        await server.close();
        await db.drop();
      },
    };
  },
  comparable: ({ links: _links, ...span }) => span,
});
