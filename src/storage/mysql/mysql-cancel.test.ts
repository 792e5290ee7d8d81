import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { waitFor } from '../../../test/support/wait.js';
import { KindedError } from '../../model/failure.js';
import { baseSpan, DAY, newTraceId, TODAY } from '../conformance/fixtures.js';
import type { CoreStorage } from '../core/storage-core.js';
import { parseQueryRequest } from '../query-request.js';
import { openMysqlStorage, type MysqlBackend } from './mysql-storage.js';
import { createTestDatabase, TEST_MYSQL } from './mysql-test-support.js';

/**
 * QUERY_TIMEOUT and client aborts stop the work in MySQL itself (KILL QUERY), not only the answer: a
 * statement stuck behind a table lock, or sleeping, is gone from the process list afterwards, and the
 * pool keeps serving.
 */
const available = await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port);

describe.skipIf(!available)('mysql: cancelling stuck statements', () => {
  let drop: () => Promise<void> = async () => undefined;
  let database: string;
  let storage: CoreStorage<MysqlBackend>;
  /** Holds the table locks. */
  let locker: mysql.Connection;
  /** Watches the process list. */
  let observer: mysql.Connection;
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
  /** Statements of this database still running in the server (not sleeping between commands). */
  const running = async (like: string) => {
    const [rows] = await observer.query(
      `SELECT INFO AS info FROM information_schema.PROCESSLIST
       WHERE DB = ? AND COMMAND <> 'Sleep' AND INFO LIKE ? AND ID <> CONNECTION_ID()`,
      [database, like],
    );
    return (rows as { info: string }[]).map((r) => r.info);
  };
  const noneRunning = (like: string) =>
    waitFor(
      async () => ((await running(like)).length === 0 ? true : undefined),
      `no running ${like} statement`,
    );

  beforeAll(async () => {
    const db = await createTestDatabase('cancel');
    drop = db.drop;
    database = db.name;
    storage = await openMysqlStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], queryTimeoutMs: 500 },
      { ...TEST_MYSQL, database, maxConnections: 3 },
    );
    await storage.spanConsumer().accept([baseSpan({ traceId })]);
    const { maxConnections: _m, useSsl: _s, ...target } = TEST_MYSQL;
    locker = await mysql.createConnection({ ...target, database });
    observer = await mysql.createConnection({ ...target, database });
  });

  afterAll(async () => {
    await locker?.query('UNLOCK TABLES').catch(() => undefined);
    await locker?.end();
    await observer?.end();
    await storage?.close();
    await drop();
  });

  it('kills a search blocked behind a table lock at QUERY_TIMEOUT, with a 503 kind, and keeps serving', async () => {
    await locker.query('LOCK TABLES zipkin_spans WRITE, zipkin_annotations WRITE');
    try {
      // More searches than connections: each is killed in turn, none is left holding a connection.
      for (let i = 0; i < 4; i++) {
        const failure = await search().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(failure).toBeInstanceOf(KindedError);
        expect((failure as KindedError).kind).toBe('over-capacity');
        expect((failure as Error).message).toMatch(/QUERY_TIMEOUT \(500 ms\)/);
        await noneRunning('%zipkin_spans%');
      }
    } finally {
      await locker.query('UNLOCK TABLES');
    }
    // Serving again on every connection; a search timed out on a busy machine is asked again.
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

  it('kills a lookup by id when its caller aborts', async () => {
    await locker.query('LOCK TABLES zipkin_spans WRITE');
    try {
      const controller = new AbortController();
      // Straight to the backend: through the core, QUERY_TIMEOUT (500 ms) would answer first.
      const pending = storage.backend.getSpans([traceId], controller.signal);
      await waitFor(
        async () => ((await running('%FROM zipkin_spans%')).length > 0 ? true : undefined),
        'the lookup to wait on the lock',
      );
      controller.abort(new Error('client went away'));
      await expect(pending).rejects.toThrow('client went away');
      await noneRunning('%FROM zipkin_spans%');
    } finally {
      await locker.query('UNLOCK TABLES');
    }
    expect(await storage.traces().getTrace(traceId)).toHaveLength(1);
  });

  it('kills SLEEP run through the same path (test hook) and reuses the pool', async () => {
    const controller = new AbortController();
    const pending = storage.backend.queryForTest('SELECT SLEEP(60)', [], controller.signal);
    await waitFor(
      async () => ((await running('%SLEEP(60)%')).length > 0 ? true : undefined),
      'SLEEP to start',
    );
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await noneRunning('%SLEEP(60)%');
    for (let i = 0; i < 5; i++) {
      expect(await storage.backend.queryForTest('SELECT 1 AS one', [], new AbortController().signal)).toEqual(
        [{ one: 1 }],
      );
    }
    expect(await storage.check()).toEqual({ ok: true });
  });
});
