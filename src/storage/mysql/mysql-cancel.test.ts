import mysql from 'mysql2/promise';
import { afterAll } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeCancellation } from '../conformance/cancel-cases.js';
import { openMysqlStorage, type MysqlBackend } from './mysql-storage.js';
import { createTestDatabase, TEST_MYSQL } from './mysql-test-support.js';

/** The shared cancellation suite (conformance/cancel-cases.ts) on MySQL/MariaDB: aborts run KILL QUERY. */
const available = await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port);
let drop: () => Promise<void> = async () => undefined;
afterAll(() => drop());
let database = '';
/** Holds the table locks, and watches the process list. */
let locker: mysql.Connection | undefined;
let observer: mysql.Connection | undefined;

describeCancellation<MysqlBackend>({
  name: 'mysql',
  available,
  open: async (queryTimeoutMs) => {
    const db = await createTestDatabase('cancel');
    drop = db.drop;
    database = db.name;
    const { maxConnections: _m, useSsl: _s, ...target } = TEST_MYSQL;
    locker = await mysql.createConnection({ ...target, database });
    observer = await mysql.createConnection({ ...target, database });
    return openMysqlStorage(
      { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], queryTimeoutMs },
      { ...TEST_MYSQL, database, maxConnections: 3 },
    );
  },
  // LOCK TABLES ... WRITE makes every other session's read of those tables wait.
  lock: async (_storage, what) => {
    await locker!.query(
      what === 'search'
        ? 'LOCK TABLES zipkin_spans WRITE, zipkin_annotations WRITE'
        : 'LOCK TABLES zipkin_spans WRITE',
    );
  },
  unlock: async () => {
    await locker?.query('UNLOCK TABLES');
  },
  running: async (marker) => {
    const [rows] = await observer!.query(
      `SELECT INFO AS info FROM information_schema.PROCESSLIST
       WHERE DB = ? AND COMMAND <> 'Sleep' AND INFO LIKE ? AND ID <> CONNECTION_ID()`,
      [database, `%${marker}%`],
    );
    return (rows as { info: string }[]).map((r) => r.info);
  },
  markers: { search: 'zipkin_spans', spans: 'FROM zipkin_spans' },
  sleep: { sql: 'SELECT SLEEP(60)', marker: 'SLEEP(60)' },
  cleanup: async () => {
    await locker?.end();
    await observer?.end();
  },
});
