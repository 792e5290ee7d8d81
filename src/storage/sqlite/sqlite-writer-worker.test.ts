import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../model/normalize-span.js';
import { openSqliteStorage } from './sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex16 = (n: number) => n.toString(16).padStart(16, '0');
const options = {
  strictTraceId: true,
  searchEnabled: true,
  autocompleteKeys: [],
  retentionMs: 365 * 86_400_000,
  retentionMaxBytes: 1024 ** 3,
};

describe('sqlite writer worker', () => {
  it('commits concurrent accept calls together (group commit), each resolving after its commit', async () => {
    const storage = await openSqliteStorage({ ...options, path: join(dir, 'group.sqlite') });
    try {
      const batches = Array.from({ length: 50 }, (_, b) =>
        Array.from({ length: 20 }, (_, i) =>
          normalizeSpan({
            traceId: hex16(b + 1),
            id: hex16(b * 100 + i + 1),
            timestamp: Date.now() * 1000,
            localEndpoint: { serviceName: 'svc' },
          }),
        ),
      );
      const before = await storage.writerStats();
      await Promise.all(batches.map((spans) => storage.spanConsumer().accept(spans)));
      const after = await storage.writerStats();
      // The core's batching writer merges accepts that wait while a write runs, and the worker commits
      // what arrived together: either way 50 accepts take fewer than 50 commits.
      expect(after.batches - before.batches).toBeLessThanOrEqual(50);
      expect(after.commits - before.commits).toBeLessThan(50);
      // Each resolved accept is readable, from another connection, right away.
      const found = await storage.traces().getTraces(batches.map((b) => b[0]!.traceId));
      expect(found.map((t) => t.length)).toEqual(new Array(50).fill(20));
    } finally {
      await storage.close();
    }
  });

  it('rejects accept after the writer thread dies, and reports it in check()', async () => {
    const storage = await openSqliteStorage({ ...options, path: join(dir, 'dies.sqlite') });
    try {
      // The private worker is reached on purpose: a crash of the writer thread cannot be provoked otherwise.
      await (storage.backend as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      const span = normalizeSpan({ traceId: hex16(1), id: hex16(1) });
      await expect(storage.spanConsumer().accept([span])).rejects.toThrow(/sqlite writer exited/);
      expect(await storage.check()).toEqual({
        ok: false,
        error: expect.stringMatching(/sqlite writer exited/),
      });
    } finally {
      await storage.close();
    }
  });
});
