import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import type { Span } from '../../model/span.js';
import { baseSpan, newTraceId, TODAY } from '../conformance/fixtures.js';
import type { CoreStorage } from '../core/storage-core.js';
import { parseQueryRequest } from '../query-request.js';
import { openPostgresStorage, type PostgresBackend } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

/**
 * Span data is attacker-controlled: names, tags and annotations full of quotes, backslashes, NULs, LIKE
 * wildcards, placeholders and SQL fragments must be stored and returned exactly, be found by exactly the
 * searches that name them, and never change a statement. Every SQL text the pg driver sends during the
 * test is recorded and must contain none of them (they travel only as bound parameters).
 */
const HOSTILE = [
  "it's",
  "''",
  '\\',
  "\\'",
  'nul\0inside',
  '\0',
  "x'); drop table skein_spans; --",
  '"; delete from skein_traces; --',
  '$1',
  '?',
  '%',
  '_',
  "e'\\x00'",
  '*/ select 1 /*',
  ';',
  'ünïcødé 🧵',
  'long '.repeat(60), // over 128 characters: stored as a hashed term
].map((h) => h.trim());

const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_hostile');
afterAll(() => dropSchemas([schema]));

describe.skipIf(!available)('postgres: hostile span text', () => {
  let storage: CoreStorage<PostgresBackend>;
  const sentSql: string[] = [];
  const traces: Span[][] = [];

  beforeAll(async () => {
    storage = await openPostgresStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: HOSTILE.map((h, i) => `ac${i}${h}`) },
      { ...TEST_PG, schema },
    );
    const query = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text !== undefined) sentSql.push(text);
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    HOSTILE.forEach((h, i) => {
      const traceId = newTraceId();
      traces.push([
        baseSpan({
          traceId,
          id: '1',
          name: `name${i}${h}`,
          timestamp: (TODAY + 1000 * i) * 1000,
          localEndpoint: { serviceName: `svc${i}${h}` },
          remoteEndpoint: { serviceName: `remote${i}${h}` },
          tags: { [`key${i}${h}`]: `value${i}${h}`, [`ac${i}${h}`]: `auto${i}${h}` },
          annotations: [{ timestamp: (TODAY + 1000 * i) * 1000 + 1, value: `ann${i}${h}` }],
        }),
      ]);
    });
    await storage.spanConsumer().accept(traces.flat());
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await storage?.close();
  });

  const search = (input: Parameters<typeof parseQueryRequest>[0]) =>
    storage.spanStore().getTraces(
      parseQueryRequest(
        { endTs: TODAY + 86_400_000, lookback: 86_400_000, limit: 100, ...input },
        {
          nowMs: Date.now(),
          lookbackMs: 86_400_000,
        },
      ),
    );

  it('returns every span exactly as written', async () => {
    for (const trace of traces) {
      expect(await storage.traces().getTrace(trace[0]!.traceId)).toEqual(trace);
    }
  });

  it('finds each trace by its hostile service, span name, remote service, tag and annotation, and only it', async () => {
    for (const [i, h] of HOSTILE.entries()) {
      const want = [traces[i]];
      expect(await search({ serviceName: `svc${i}${h}` }), `service ${JSON.stringify(h)}`).toEqual(want);
      expect(await search({ spanName: `name${i}${h}` }), `span name ${JSON.stringify(h)}`).toEqual(want);
      expect(await search({ remoteServiceName: `remote${i}${h}` }), `remote ${JSON.stringify(h)}`).toEqual(
        want,
      );
      expect(
        await search({ annotationQuery: `key${i}${h}=value${i}${h}` }),
        `tag ${JSON.stringify(h)}`,
      ).toEqual(want);
      expect(await search({ annotationQuery: `ann${i}${h}` }), `annotation ${JSON.stringify(h)}`).toEqual(
        want,
      );
    }
  });

  it('does not treat % and _ as wildcards, nor a backslash as an escape', async () => {
    expect(await search({ serviceName: 'svc%' })).toEqual([]);
    expect(await search({ serviceName: 'svc_' })).toEqual([]);
    expect(await search({ annotationQuery: 'key2\\\\=value2\\\\' })).toEqual([]);
  });

  it('lists the hostile names and autocomplete values exactly', async () => {
    const names = storage.serviceAndSpanNames();
    expect(await names.getServiceNames()).toEqual(HOSTILE.map((h, i) => `svc${i}${h}`).sort());
    for (const [i, h] of HOSTILE.entries()) {
      expect(await names.getSpanNames(`svc${i}${h}`)).toEqual([`name${i}${h}`]);
      expect(await names.getRemoteServiceNames(`svc${i}${h}`)).toEqual([`remote${i}${h}`]);
      expect(await storage.autocompleteTags().getValues(`ac${i}${h}`)).toEqual([`auto${i}${h}`]);
    }
  });

  it('never put span text into a statement, and the tables are intact', async () => {
    expect(sentSql.length).toBeGreaterThan(HOSTILE.length * 5);
    for (const sql of sentSql) {
      for (const [i, h] of HOSTILE.entries()) {
        for (const marker of [`svc${i}${h}`, `name${i}${h}`, `value${i}${h}`, `ann${i}${h}`]) {
          expect(sql.includes(marker), `${JSON.stringify(marker)} in: ${sql}`).toBe(false);
        }
      }
    }
    const c = new pg.Client(TEST_PG);
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${storage.backend.tables.spans}`,
      );
      expect(Number(rows[0]!.n)).toBe(HOSTILE.length);
      const tables = await c.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 AND tablename IN
           ('skein_traces', 'skein_spans', 'skein_terms', 'skein_names', 'skein_schema_version')`,
        [schema],
      );
      expect(tables.rows.length).toBe(5);
    } finally {
      await c.end();
    }
  });
});
