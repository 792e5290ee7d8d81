import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { CoreStorage } from '../../src/storage/core/storage-core.js';
import type { PostgresBackend } from '../../src/storage/postgres/postgres-storage.js';
import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { createTestDatabase } from '../postgres/test-database.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 15: expensive queries cannot take search down. QUERY_MAX_LIMIT lowers any search's limit, on the
 * Zipkin and the Jaeger APIs; QUERY_MAX_CONCURRENT bounds heavy reads in flight, and the rest get 503 with
 * Retry-After at once. The read held in flight is a real one: a PostgreSQL search blocked behind a table
 * lock another connection holds, so the test needs no timing.
 */

const hex = (n: number) => n.toString(16).padStart(16, '0');
const nowUs = Date.now() * 1000;
const spans = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    traceId: hex(0xb000 + i),
    id: hex(1),
    name: 'get',
    timestamp: nowUs - i * 1000,
    duration: 10,
    localEndpoint: { serviceName: 'bounded' },
  }));
const post = (url: string, body: unknown) =>
  fetch(`${url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('QUERY_MAX_LIMIT', () => {
  let server: RunningSkein;
  beforeAll(async () => {
    server = await startTestServer({ QUERY_MAX_LIMIT: '3' });
    expect((await post(server.url, spans(5))).status).toBe(202);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lowers limit=1000000000 to the cap on the Zipkin API', async () => {
    const traces = await waitFor(async () => {
      const all = (await (
        await fetch(`${server.url}/api/v2/traces?serviceName=bounded&limit=3`)
      ).json()) as unknown[];
      return all.length === 3 ? all : undefined;
    }, 'the stored traces to be searchable');
    expect(traces).toHaveLength(3);
    const res = await fetch(`${server.url}/api/v2/traces?serviceName=bounded&limit=1000000000`);
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown[]).toHaveLength(3);
  });

  it('and on the Jaeger API', async () => {
    const res = await fetch(`${server.url}/api/traces?service=bounded&limit=1000000000`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(3);
  });
});

const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);

describe.skipIf(!available)('QUERY_MAX_CONCURRENT (postgres, a search held behind a lock)', () => {
  let server: RunningSkein;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      STORAGE_TYPE: 'postgres',
      POSTGRES_HOST: TEST_PG.host!,
      POSTGRES_PORT: String(TEST_PG.port),
      POSTGRES_USER: 'postgres',
      POSTGRES_DB: db.name,
      QUERY_MAX_CONCURRENT: '1',
      QUERY_TIMEOUT: '60s',
    });
    expect((await post(server.url, spans(2))).status).toBe(202);
    admin = new pg.Client({ ...TEST_PG, database: db.name });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query('ROLLBACK').catch(() => undefined);
    await admin?.end();
    await server?.close();
    await db?.drop();
  });

  it(
    'a search past the bound gets 503 + Retry-After at once; the held one finishes; search works after',
    { timeout: 90_000 },
    async () => {
      const traces = (server.storage as CoreStorage<PostgresBackend>).backend.tables.traces;
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${traces} IN ACCESS EXCLUSIVE MODE`);
      const held = fetch(`${server.url}/api/v2/traces?serviceName=bounded&limit=1000000000`);
      // The held search is waiting on the lock in PostgreSQL.
      await waitFor(
        async () => {
          const { rows } = await admin.query(
            `SELECT 1 FROM pg_locks WHERE relation = '${traces}'::regclass AND NOT granted`,
          );
          return rows.length > 0 ? true : undefined;
        },
        'the first search to wait on the table lock',
        30_000,
      );
      for (const path of [
        '/api/v2/traces?serviceName=bounded',
        `/api/v2/dependencies?endTs=${Date.now()}`,
        '/api/traces?service=bounded',
      ]) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.status, path).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await res.text()).toContain('QUERY_MAX_CONCURRENT');
      }
      // Cheap reads are not gated.
      expect((await fetch(`${server.url}/api/v2/services`)).status).toBe(200);
      await admin.query('ROLLBACK');
      const first = await held;
      expect(first.status).toBe(200);
      expect((await first.json()) as unknown[]).toHaveLength(2);
      const after = await fetch(`${server.url}/api/v2/traces?serviceName=bounded`);
      expect(after.status).toBe(200);
    },
  );
});
