import pg from 'pg';
import { afterAll, expect, vi } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeHostileText } from '../conformance/hostile-text-cases.js';
import { openPostgresStorage } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

/** The shared hostile-text suite (conformance/hostile-text-cases.ts) on PostgreSQL. */
const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_hostile');
afterAll(() => dropSchemas([schema]));

describeHostileText({
  name: 'postgres',
  available,
  open: (autocompleteKeys) =>
    openPostgresStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys },
      { ...TEST_PG, schema },
    ),
  recordSql: () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text !== undefined) sent.push(text);
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    return { sent, stop: () => vi.restoreAllMocks() };
  },
  tablesIntact: async (storage, spans) => {
    const c = new pg.Client(TEST_PG);
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".skein_spans`);
      expect(Number(rows[0]!.n)).toBe(spans);
      const tables = await c.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 AND tablename IN
           ('skein_traces', 'skein_spans', 'skein_terms', 'skein_names', 'skein_schema_version')`,
        [schema],
      );
      expect(tables.rows.length).toBe(5);
    } finally {
      await c.end();
    }
    void storage;
  },
});
