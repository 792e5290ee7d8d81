import { TEST_MYSQL } from '../../src/storage/mysql/mysql-test-support.js';
import { requireService } from '../support/require-service.js';
import { describeStorageOutage } from '../support/storage-outage.js';
import { startSkeinOnProxiedMysql } from './test-database.js';

/** The shared outage suite (test/support/storage-outage.ts) on MySQL/MariaDB. */
describeStorageOutage({
  name: 'mysql',
  available: await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port),
  start: startSkeinOnProxiedMysql,
  storageName: /^MySQLStorage\(127\.0\.0\.1:\d+\/skein_test_/,
  refusedReason: /ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST/,
});
