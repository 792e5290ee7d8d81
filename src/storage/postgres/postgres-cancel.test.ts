import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { waitFor } from '../../../test/support/wait.js';
import { KindedError } from '../../model/failure.js';
import { baseSpan, DAY, newTraceId, TODAY } from '../conformance/fixtures.js';
import type { CoreStorage } from '../core/storage-core.js';
import { parseQueryRequest } from '../query-request.js';
import { openPostgresStorage, type PostgresBackend } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

/**
 * QUERY_TIMEOUT and client aborts stop the work in PostgreSQL itself (pg_cancel_backend), not only the
 * answer: a statement stuck behind a lock, or sleeping, is gone from pg_stat_activity afterwards, and the
 * pool keeps serving.
 */
const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_cancel');
afterAll(() => dropSchemas([schema]));

describe.skipIf(!available)('postgres: cancelling stuck statements', () => {
  let storage: CoreStorage<PostgresBackend>;
  /** Holds the locks. */
  let admin: pg.Client;
  /** Watches pg_stat_activity from outside admin's transaction, whose snapshot of it would stay frozen. */
  let observer: pg.Client;
  const traceId = newTraceId();
  const search = () =>
    storage
      .spanStore()
      .getTraces(
        parseQueryRequest(
          { serviceName: 'frontend', endTs: TODAY + DAY, lookback: DAY },
          { nowMs: TODAY, lookbackMs: DAY },
        ),
      );
  /** Statements of this store's connections still running in the server (not idle). */
  const running = async (like: string) => {
    const { rows } = await observer.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE application_name = 'skein' AND state <> 'idle' AND query LIKE $1`,
      [like],
    );
    return rows.map((r) => r.query);
  };
  const noneRunning = (like: string) =>
    waitFor(
      async () => ((await running(like)).length === 0 ? true : undefined),
      `no running ${like} statement`,
    );

  beforeAll(async () => {
    storage = await openPostgresStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], queryTimeoutMs: 500 },
      { ...TEST_PG, schema, maxConnections: 3 },
    );
    await storage.spanConsumer().accept([baseSpan({ traceId })]);
    admin = new pg.Client(TEST_PG);
    await admin.connect();
    observer = new pg.Client(TEST_PG);
    await observer.connect();
  });

  afterAll(async () => {
    await admin?.query('ROLLBACK').catch(() => undefined);
    await admin?.end();
    await observer?.end();
    await storage?.close();
  });

  it('cancels a search blocked behind a lock at QUERY_TIMEOUT, with a 503 kind, and keeps serving', async () => {
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${storage.backend.tables.traces} IN ACCESS EXCLUSIVE MODE`);
    try {
      // More searches than connections: each is cancelled in turn, none is left holding a connection.
      for (let i = 0; i < 4; i++) {
        const failure = await search().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(failure).toBeInstanceOf(KindedError);
        expect((failure as KindedError).kind).toBe('over-capacity');
        expect((failure as Error).message).toMatch(/QUERY_TIMEOUT \(500 ms\)/);
        await noneRunning('%skein_traces%');
      }
    } finally {
      await admin.query('COMMIT');
    }
    // Serving again: every connection answers. The 500 ms QUERY_TIMEOUT this store needs for the locked
    // phase can also pass for a plain search on a busy machine, so a timed-out search is asked again.
    for (let i = 0; i < 6; i++) {
      const traces = await waitFor(
        () =>
          search().catch((e: unknown) =>
            e instanceof KindedError && e.kind === 'over-capacity' ? undefined : Promise.reject(e),
          ),
        'a search to answer once the lock is released',
        30_000,
      );
      expect(traces.map((t) => t[0]!.traceId)).toEqual([traceId]);
    }
  });

  it('cancels a lookup by id when its caller aborts', async () => {
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${storage.backend.tables.spans} IN ACCESS EXCLUSIVE MODE`);
    try {
      const controller = new AbortController();
      // Straight to the backend: through the core, QUERY_TIMEOUT (500 ms) would answer first.
      const pending = storage.backend.getSpans([traceId], controller.signal);
      await waitFor(
        async () => ((await running('%skein_spans%')).length > 0 ? true : undefined),
        'the lookup to wait on the lock',
      );
      controller.abort(new Error('client went away'));
      await expect(pending).rejects.toThrow('client went away');
      await noneRunning('%skein_spans%');
    } finally {
      await admin.query('COMMIT');
    }
    expect(await storage.traces().getTrace(traceId)).toHaveLength(1);
  });

  it('cancels pg_sleep run through the same path (test hook) and reuses the pool', async () => {
    const controller = new AbortController();
    const pending = storage.backend.queryForTest('SELECT pg_sleep(60)', [], controller.signal);
    await waitFor(
      async () => ((await running('%pg_sleep%')).length > 0 ? true : undefined),
      'pg_sleep to start',
    );
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await noneRunning('%pg_sleep%');
    for (let i = 0; i < 5; i++) {
      expect(await storage.backend.queryForTest('SELECT 1 AS one', [], new AbortController().signal)).toEqual(
        [{ one: 1 }],
      );
    }
    expect(await storage.check()).toEqual({ ok: true });
  });
});
