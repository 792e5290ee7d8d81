import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { describeRealClients } from '../support/real-clients-suite.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { createTestDatabase } from './test-database.js';

/** The shared real-clients suite (test/support/real-clients-suite.ts) on PostgreSQL. */
describeRealClients({
  name: 'postgres',
  available: await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port),
  prefix: 'pg',
  start: async () => {
    const db = await createTestDatabase();
    const server = await startTestServer({
      STORAGE_TYPE: 'postgres',
      POSTGRES_URL: `postgresql://postgres@127.0.0.1:${TEST_PG.port}/${db.name}`,
    });
    return {
      server,
      close: async () => {
        await server.close();
        await db.drop();
      },
    };
  },
});
