import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { TcpProxy } from '../../../test/support/tcp-proxy.js';
import { StorageError } from '../../model/failure.js';
import { baseSpan, newTraceId } from '../conformance/fixtures.js';
import type { CoreStorage } from '../core/storage-core.js';
import { openPostgresStorage, type PostgresBackend } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

const OPTIONS = { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], checkTimeoutMs: 2000 };

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function failureOf(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageError);
  return e as StorageError;
}

const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schema = uniqueSchema('skein_unreachable');
afterAll(() => dropSchemas([schema]));

describe.skipIf(!available)('postgres: an unreachable server', () => {
  it('refuses to open on a closed port with a transient error naming the address', async () => {
    const port = await closedPort();
    const e = await failureOf(openPostgresStorage(OPTIONS, { ...TEST_PG, port, schema }));
    expect(e.kind).toBe('transient');
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('ECONNREFUSED');
  });

  describe('behind a proxy that is cut and restored', () => {
    let proxy: TcpProxy;
    let storage: CoreStorage<PostgresBackend>;

    beforeAll(async () => {
      proxy = await TcpProxy.start({ host: TEST_PG.host!, port: TEST_PG.port });
      storage = await openPostgresStorage(OPTIONS, {
        ...TEST_PG,
        host: '127.0.0.1',
        port: proxy.port,
        schema,
        connectTimeoutMs: 1000,
      });
    });
    afterAll(async () => {
      await storage?.close();
      await proxy?.close();
    });

    it('says why it is down, fails writes as transient, and recovers by itself', async () => {
      const before = baseSpan({ traceId: newTraceId() });
      await storage.spanConsumer().accept([before]);
      expect(await storage.check()).toEqual({ ok: true });

      await proxy.cut();
      const health = await storage.check();
      expect(health.ok).toBe(false);
      expect(!health.ok && health.error).toMatch(
        /^postgres health check: .*(ECONNREFUSED|ECONNRESET|Connection terminated)/,
      );
      const write = await failureOf(storage.spanConsumer().accept([baseSpan({ traceId: newTraceId() })]));
      expect(write.kind).toBe('transient');
      const read = await failureOf(storage.traces().getTrace(before.traceId));
      expect(read.kind).toBe('transient');

      await proxy.restore();
      expect(await storage.check()).toEqual({ ok: true });
      const after = baseSpan({ traceId: newTraceId() });
      await storage.spanConsumer().accept([after]);
      expect(await storage.traces().getTrace(before.traceId)).toEqual([before]);
      expect(await storage.traces().getTrace(after.traceId)).toEqual([after]);
    });

    it('does not hang when the server stops answering: health, writes and reads fail in bounded time', async () => {
      await proxy.cut('hang');
      try {
        const health = await storage.check();
        expect(health.ok).toBe(false);
        const write = await failureOf(storage.spanConsumer().accept([baseSpan({ traceId: newTraceId() })]));
        expect(write.kind).toBe('transient');
        expect(write.message).toMatch(/timeout/i);
        const read = await failureOf(storage.traces().getTrace(newTraceId()));
        expect(read.kind).toBe('transient');
      } finally {
        await proxy.restore();
      }
      expect(await storage.check()).toEqual({ ok: true });
    });
  });
});
