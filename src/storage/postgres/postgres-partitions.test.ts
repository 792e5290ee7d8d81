import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { baseSpan, DAY, newTraceId, TODAY } from '../conformance/fixtures.js';
import type { CoreStorage } from '../core/storage-core.js';
import { parseQueryRequest } from '../query-request.js';
import { partitionDays } from './postgres-schema.js';
import { openPostgresStorage, type PostgresBackend } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_partitions');
afterAll(() => dropSchemas([schema]));

const today = TODAY / DAY;

describe.skipIf(!available)('postgres: day partitions and RETENTION', () => {
  let storage: CoreStorage<PostgresBackend>;
  let admin: pg.Client;
  const days = async () => {
    const c = await new pg.Pool({ ...TEST_PG, max: 1 }).connect();
    try {
      return await partitionDays(c, schema);
    } finally {
      c.release(true);
    }
  };
  const count = async (table: string) =>
    Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  beforeAll(async () => {
    storage = await openPostgresStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [] },
      { ...TEST_PG, schema, retentionMs: 3 * DAY },
    );
    admin = new pg.Client(TEST_PG);
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await storage?.close();
  });

  it('creates today and the next two days at open, before any span arrives', async () => {
    expect(await days()).toEqual([today, today + 1, today + 2]);
  });

  it('creates the partition of a day a span needs, and keeps far-future spans in the newest one', async () => {
    const old = baseSpan({ traceId: newTraceId(), timestamp: (TODAY - 10 * DAY) * 1000 + 5 });
    const future = baseSpan({ traceId: newTraceId(), timestamp: (TODAY + 400 * DAY) * 1000 });
    await storage.spanConsumer().accept([old, future]);
    expect(await days()).toEqual([today - 10, today, today + 1, today + 2]);
    expect(await storage.traces().getTrace(future.traceId)).toEqual([future]);
    const rows = await admin.query<{ day: number }>(
      `SELECT day FROM ${storage.backend.tables.spans} WHERE trace_id = $1`,
      [future.traceId],
    );
    expect(rows.rows).toEqual([{ day: today + 2 }]);
  });

  it('drops whole partitions older than RETENTION, keeping the traces inside it', async () => {
    await storage.clear();
    const byAge = new Map<number, string>();
    for (const age of [10, 5, 3, 2, 0]) {
      const ts = (TODAY - age * DAY) * 1000 + 1000;
      const s = baseSpan({ traceId: newTraceId(), timestamp: ts });
      byAge.set(age, s.traceId);
      await storage
        .spanConsumer()
        .accept([s, baseSpan({ traceId: s.traceId, id: '2', parentId: '1', timestamp: ts + 1 })]);
    }
    const now = TODAY + DAY / 2; // midday: the cutoff is midday three days ago
    const dropped = await storage.backend.retain(now, new AbortController().signal);
    // Day -3 ends after the cutoff (midday of that day), so it stays, whole, until it is wholly older.
    expect(dropped.sort((a, b) => a - b)).toEqual([today - 10, today - 5]);
    expect(await days()).toEqual([today - 3, today - 2, today, today + 1, today + 2]);
    for (const [age, traceId] of byAge) {
      expect((await storage.traces().getTrace(traceId)).length, `trace aged ${age} days`).toBe(
        age > 3 ? 0 : 2,
      );
    }
    const found = await storage
      .spanStore()
      .getTraces(
        parseQueryRequest(
          { serviceName: 'frontend', endTs: now, lookback: 20 * DAY, limit: 100 },
          { nowMs: now, lookbackMs: DAY },
        ),
      );
    expect(found.map((t) => t[0]!.traceId).sort()).toEqual([byAge.get(3), byAge.get(2), byAge.get(0)].sort());
    // Their trace rows went with them, and the partition tables no longer exist.
    expect(await count(storage.backend.tables.traces)).toBe(3);
    const leftover = await admin.query(
      `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND relname IN ($2, $3, $4, $5)`,
      [
        schema,
        `skein_spans_d${today - 10}`,
        `skein_terms_d${today - 10}`,
        `skein_spans_d${today - 5}`,
        `skein_terms_d${today - 5}`,
      ],
    );
    expect(leftover.rows).toEqual([]);
  });

  it('keeps creating partitions ahead as days pass, and a second maintenance run is a no-op', async () => {
    const signal = new AbortController().signal;
    await storage.backend.maintain(TODAY + 5 * DAY, signal);
    await storage.backend.maintain(TODAY + 5 * DAY, signal);
    const after = await days();
    expect(after).toEqual(expect.arrayContaining([today + 5, today + 6, today + 7]));
    // RETENTION is 3 days from the simulated day +5: everything before day +2 went.
    expect(after.filter((d) => d < today + 2)).toEqual([]);
  });
});
