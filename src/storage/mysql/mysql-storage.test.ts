import { afterAll, describe, expect, it } from 'vitest';
import { baseSpan } from '../conformance/fixtures.js';
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

describe.skipIf(!available)('mysql: ids that differ in their last bit', () => {
  it('reads back each of several 128-bit traces asked together (ids compare as BIGINT, not as doubles)', async () => {
    const db = await createTestDatabase('ids');
    drops.push(db.drop);
    const storage = await openMysqlStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [] },
      { ...TEST_MYSQL, database: db.name },
    );
    try {
      // 2^53 < these < 2^63: neighbours are one double apart at most, so a double comparison mixes them up.
      const ids = [
        '463ac35c9f6413a148485a3953bb6121',
        '463ac35c9f6413a248485a3953bb6122',
        '463ac35c9f6413a2',
      ];
      await storage.spanConsumer().accept(ids.map((traceId) => baseSpan({ traceId })));
      const traces = await storage.traces().getTraces(ids);
      expect(traces.map((t) => t.map((s) => s.traceId)).sort()).toEqual(ids.map((id) => [id]).sort());
      for (const id of ids) expect((await storage.traces().getTrace(id)).map((s) => s.traceId)).toEqual([id]);
    } finally {
      await storage.close();
    }
  });
});
