import pg from 'pg';
import { afterAll } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeCancellation } from '../conformance/cancel-cases.js';
import { openPostgresStorage, type PostgresBackend } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

/** The shared cancellation suite (conformance/cancel-cases.ts) on PostgreSQL: aborts run pg_cancel_backend. */
const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_cancel');
afterAll(() => dropSchemas([schema]));
/** Holds the locks. */
let admin: pg.Client | undefined;
/** Watches pg_stat_activity from outside admin's transaction, whose snapshot of it would stay frozen. */
let observer: pg.Client | undefined;

describeCancellation<PostgresBackend>({
  name: 'postgres',
  available,
  open: async (queryTimeoutMs) => {
    admin = new pg.Client(TEST_PG);
    await admin.connect();
    observer = new pg.Client(TEST_PG);
    await observer.connect();
    return openPostgresStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], queryTimeoutMs },
      { ...TEST_PG, schema, maxConnections: 3 },
    );
  },
  lock: async (storage, what) => {
    await admin!.query('BEGIN');
    const table = what === 'search' ? storage.backend.tables.traces : storage.backend.tables.spans;
    await admin!.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  },
  unlock: async () => {
    await admin?.query('COMMIT');
  },
  running: async (marker) => {
    const { rows } = await observer!.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE application_name = 'skein' AND state <> 'idle' AND query LIKE $1`,
      [`%${marker}%`],
    );
    return rows.map((r) => r.query);
  },
  markers: { search: 'skein_traces', spans: 'skein_spans' },
  sleep: { sql: 'SELECT pg_sleep(60)', marker: 'pg_sleep' },
  cleanup: async () => {
    await admin?.query('ROLLBACK').catch(() => undefined);
    await admin?.end();
    await observer?.end();
  },
});
