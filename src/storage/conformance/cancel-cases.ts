import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait.js';
import { KindedError } from '../../model/failure.js';
import type { Span } from '../../model/span.js';
import type { CoreStorage } from '../core/storage-core.js';
import { parseQueryRequest } from '../query-request.js';
import type { StorageBackend } from '../storage-backend.js';
import { baseSpan, DAY, newTraceId, TODAY } from './fixtures.js';

/** A backend with the test hook every SQL store has: one statement through its cancellable path. */
export interface TestQueryBackend extends StorageBackend {
  queryForTest(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<unknown[]>;
}

export interface CancelOptions<B extends TestQueryBackend> {
  name: string;
  available: boolean;
  /** Opens a store with QUERY_TIMEOUT `queryTimeoutMs` and a pool of 3 connections. */
  open(queryTimeoutMs: number): Promise<CoreStorage<B>>;
  /** Blocks every search ('search') or every span lookup ('spans') behind a lock held from outside. */
  lock(storage: CoreStorage<B>, what: 'search' | 'spans'): Promise<void>;
  unlock(): Promise<void>;
  /** SQL texts of the store's statements still running in the server that contain `marker`. */
  running(marker: string): Promise<string[]>;
  /** What a search's and a span lookup's SQL contain (to find them in `running`). */
  markers: { search: string; spans: string };
  /** A statement that sleeps 60 s, and what its SQL contains. */
  sleep: { sql: string; marker: string };
  /** Releases the lock holder and the observer. */
  cleanup(): Promise<void>;
}

/**
 * QUERY_TIMEOUT and client aborts stop the work in the database itself, not only the answer: a statement
 * stuck behind a lock, or sleeping, is gone from the server's list of running statements afterwards, and
 * the pool keeps serving. Shared by the server-backed SQL stores.
 */
export function describeCancellation<B extends TestQueryBackend>(o: CancelOptions<B>): void {
  describe.skipIf(!o.available)(`${o.name}: cancelling stuck statements`, () => {
    let storage: CoreStorage<B>;
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
    const noneRunning = (marker: string) =>
      waitFor(
        async () => ((await o.running(marker)).length === 0 ? true : undefined),
        `no running statement with ${marker}`,
      );

    beforeAll(async () => {
      storage = await o.open(500);
      await storage.spanConsumer().accept([baseSpan({ traceId })]);
    });

    afterAll(async () => {
      await o.unlock().catch(() => undefined);
      await o.cleanup();
      await storage?.close();
    });

    it('cancels a search blocked behind a lock at QUERY_TIMEOUT, with a 503 kind, and keeps serving', async () => {
      await o.lock(storage, 'search');
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
          await noneRunning(o.markers.search);
        }
      } finally {
        await o.unlock();
      }
      // Serving again: every connection answers. The 500 ms QUERY_TIMEOUT the locked phase needs can also
      // pass for a plain search on a busy machine, so a timed-out search is asked again.
      for (let i = 0; i < 6; i++) {
        const traces: Span[][] = await waitFor(
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
      await o.lock(storage, 'spans');
      try {
        const controller = new AbortController();
        // Straight to the backend: through the core, QUERY_TIMEOUT (500 ms) would answer first.
        const pending = storage.backend.getSpans([traceId], controller.signal);
        await waitFor(
          async () => ((await o.running(o.markers.spans)).length > 0 ? true : undefined),
          'the lookup to wait on the lock',
        );
        controller.abort(new Error('client went away'));
        await expect(pending).rejects.toThrow('client went away');
        await noneRunning(o.markers.spans);
      } finally {
        await o.unlock();
      }
      expect(await storage.traces().getTrace(traceId)).toHaveLength(1);
    });

    it('cancels a sleep run through the same path (test hook) and reuses the pool', async () => {
      const controller = new AbortController();
      const pending = storage.backend.queryForTest(o.sleep.sql, [], controller.signal);
      await waitFor(
        async () => ((await o.running(o.sleep.marker)).length > 0 ? true : undefined),
        'the sleep to start',
      );
      controller.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
      await noneRunning(o.sleep.marker);
      for (let i = 0; i < 5; i++) {
        expect(
          await storage.backend.queryForTest('SELECT 1 AS one', [], new AbortController().signal),
        ).toEqual([{ one: 1 }]);
      }
      expect(await storage.check()).toEqual({ ok: true });
    });
  });
}
