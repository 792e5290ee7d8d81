import mysql from 'mysql2';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { baseSpan, newTraceId } from '../conformance/fixtures.js';
import { describeHostileText } from '../conformance/hostile-text-cases.js';
import { fitBlob, fitVarchar } from './mysql-rows.js';
import { openMysqlStorage } from './mysql-storage.js';
import { admin, createTestDatabase, TEST_MYSQL } from './mysql-test-support.js';

/** The shared hostile-text suite (conformance/hostile-text-cases.ts) on MySQL/MariaDB with Zipkin's schema. */
const available = await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port);
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});
let database = '';

describeHostileText({
  name: 'mysql',
  available,
  open: async (autocompleteKeys) => {
    const db = await createTestDatabase('hostile');
    drops.push(db.drop);
    database = db.name;
    return openMysqlStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys },
      { ...TEST_MYSQL, database },
    );
  },
  recordSql: () => {
    // mysql2's promise API calls these on the core connection (PoolConnection inherits them).
    const base = Object.getPrototypeOf(mysql.Connection.prototype) as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    const sent: string[] = [];
    for (const method of ['query', 'execute', 'prepare'] as const) {
      const original = base[method]!;
      vi.spyOn(base, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
        const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { sql?: string } | undefined)?.sql;
        if (sql !== undefined) sent.push(sql);
        return original.apply(this, args);
      });
    }
    return { sent, stop: () => vi.restoreAllMocks() };
  },
  tablesIntact: async (_storage, spans) => {
    await admin(async (c) => {
      const [rows] = await c.query(`SELECT count(*) AS n FROM ${database}.zipkin_spans`);
      expect(Number((rows as { n: number }[])[0]!.n)).toBe(spans);
      const [tables] = await c.query(
        `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN
         ('zipkin_spans', 'zipkin_annotations', 'zipkin_dependencies')`,
        [database],
      );
      expect((tables as unknown[]).length).toBe(3);
    });
  },
});

describe.skipIf(!available)('mysql: text that does not fit the column', () => {
  it('cuts names at 255 characters and values at 64 KiB, never inside a character', async () => {
    expect(fitVarchar('é'.repeat(300), true)).toBe('é'.repeat(255));
    expect([...fitVarchar('🧵'.repeat(300), true)]).toHaveLength(255);
    expect(fitVarchar('a🧵b', false)).toBe('a\uFFFDb');
    const blob = fitBlob('€'.repeat(30_000));
    expect(blob.length).toBeLessThanOrEqual(65_535);
    expect(blob.toString('utf8')).toBe('€'.repeat(Math.floor(65_535 / 3)));
  });

  it('stores a span whose name, tag key and value are over the column sizes (cut) instead of losing the batch', async () => {
    const db = await createTestDatabase('fit');
    drops.push(db.drop);
    const storage = await openMysqlStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [] },
      { ...TEST_MYSQL, database: db.name },
    );
    try {
      const traceId = newTraceId();
      const long = 'n'.repeat(300);
      await storage
        .spanConsumer()
        .accept([baseSpan({ traceId, name: long, tags: { [long]: 'v'.repeat(70_000) } })]);
      const [span] = await storage.traces().getTrace(traceId);
      expect(span!.name).toBe('n'.repeat(255));
      expect(span!.tags).toEqual({ ['n'.repeat(255)]: 'v'.repeat(65_535) });
    } finally {
      await storage.close();
    }
  });
});
