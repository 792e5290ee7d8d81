import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { requireService } from '../support/require-service.js';
import { describeStorageOutage } from '../support/storage-outage.js';
import { startSkeinOnProxiedPostgres } from './test-database.js';

/** The shared outage suite (test/support/storage-outage.ts) on PostgreSQL. */
describeStorageOutage({
  name: 'postgres',
  available: await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port),
  start: startSkeinOnProxiedPostgres,
  storageName: /^PostgresStorage\(127\.0\.0\.1:\d+\/skein_test_/,
  refusedReason: /ECONNREFUSED|ECONNRESET|Connection terminated/,
});
