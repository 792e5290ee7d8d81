import { afterAll, describe } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeStorageConformance } from '../conformance/index.js';
import type { CoreStorage } from '../core/storage-core.js';
import { openMysqlStorage } from './mysql-storage.js';
import { createTestDatabase, TEST_MYSQL } from './mysql-test-support.js';

const available = await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port);
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

describe.skipIf(!available)('mysql', () => {
  describeStorageConformance({
    name: 'mysql',
    create: async (options) => {
      const db = await createTestDatabase('conformance');
      drops.push(db.drop);
      return openMysqlStorage(options, { ...TEST_MYSQL, database: db.name });
    },
    clear: (storage) => (storage as CoreStorage).clear(),
    capabilities: {
      noSpanLinks: "Zipkin's MySQL schema has no place for span links",
      mergesFragments: 'one zipkin_spans row per span id, upserted as zipkin-server does',
    },
  });
});
