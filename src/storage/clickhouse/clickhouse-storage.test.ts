import { createClient } from '@clickhouse/client';
import { afterAll, describe } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeStorageConformance } from '../conformance/index.js';
import type { CoreStorage } from '../core/storage-core.js';
import { chIdentifier } from './clickhouse-literal.js';
import { openClickhouseStorage } from './clickhouse-storage.js';
import { TEST_CH, TEST_CH_PORT, uniqueDatabase } from './clickhouse-test-support.js';

const available = await requireService('ClickHouse', '127.0.0.1', TEST_CH_PORT);
const databases: string[] = [];
afterAll(async () => {
  const c = createClient({ url: TEST_CH.urls[0]! });
  for (const db of databases) await c.command({ query: `DROP DATABASE IF EXISTS ${chIdentifier(db)}` });
  await c.close();
});

describe.skipIf(!available)('clickhouse', () => {
  describeStorageConformance({
    name: 'clickhouse',
    create: (options) => {
      const database = uniqueDatabase('skein_conformance');
      databases.push(database);
      return openClickhouseStorage(options, { ...TEST_CH, database });
    },
    clear: (storage) => (storage as CoreStorage).clear(),
  });
});
