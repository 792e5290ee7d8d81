import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../model/normalize-span.js';
import { parseQueryRequest } from '../query-request.js';
import { openSqliteStorage } from './sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite reader: a cancelled query', () => {
  it('terminates the reader worker running it (better-sqlite3 has no interrupt), and the next query gets a new one', async () => {
    const storage = await openSqliteStorage({
      strictTraceId: true,
      searchEnabled: true,
      autocompleteKeys: [],
      retentionMs: 365 * 86_400_000,
      retentionMaxBytes: 1024 ** 3,
      path: join(dir, 'cancel.sqlite'),
    });
    try {
      const now = Date.now();
      const span = normalizeSpan({
        traceId: '000000000000000a',
        id: '1',
        timestamp: now * 1000,
        localEndpoint: { serviceName: 'svc' },
      });
      await storage.spanConsumer().accept([span]);
      // The private worker is reached on purpose: which thread runs the query is the point of the test.
      const client = (storage.backend as unknown as { queries: { worker: Worker } }).queries;
      const before = client.worker.threadId;

      const controller = new AbortController();
      const request = parseQueryRequest({ endTs: now + 1000 }, { nowMs: now, lookbackMs: 60_000 });
      const search = storage.spanStore().getTraces(request, controller.signal);
      controller.abort(new Error('client went away'));
      await expect(search).rejects.toThrow('client went away');

      expect(await storage.traces().getTrace('000000000000000a')).toEqual([span]);
      expect(client.worker.threadId).not.toBe(before);
      expect(await storage.check()).toEqual({ ok: true });
    } finally {
      await storage.close();
    }
  });
});
