import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../../src/model/span.js';
import { normalizeSpan } from '../../src/model/normalize-span.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const hex16 = (n: number) => n.toString(16).padStart(16, '0');

function trace(n: number, service: string, timestampMs: number | undefined, spans = 1, tagBytes = 0): Span[] {
  return Array.from({ length: spans }, (_, i) =>
    normalizeSpan({
      traceId: hex16(n),
      id: hex16(n * 1000 + i + 1),
      ...(i > 0 ? { parentId: hex16(n * 1000 + 1) } : {}),
      name: 'work',
      ...(timestampMs === undefined ? {} : { timestamp: timestampMs * 1000 + i, duration: 10 }),
      localEndpoint: { serviceName: service },
      tags: { payload: 'x'.repeat(tagBytes), seq: String(n) },
    }),
  );
}

async function open(name: string, retentionMs: number, retentionMaxBytes: number): Promise<SqliteStorage> {
  return openSqliteStorage({
    path: join(dir, name),
    strictTraceId: true,
    searchEnabled: true,
    autocompleteKeys: [],
    retentionMs,
    retentionMaxBytes,
  });
}

describe('sqlite retention', () => {
  it('deletes whole traces older than RETENTION, keeps younger ones, and forgets names only they had', async () => {
    const storage = await open('age.sqlite', HOUR, 1024 ** 3);
    try {
      const now = Date.now();
      // Timestamps an hour and a bit old, but the spans arrive now: each is kept RETENTION after the later
      // of the two, so an acknowledged span is never deleted right after its 202.
      const old = trace(1, 'old-service', now - HOUR - 60_000, 3);
      const young = trace(2, 'young-service', now + 60_000, 3);
      const untimed = trace(3, 'untimed-service', undefined, 2);
      await storage.spanConsumer().accept([...old, ...young, ...untimed]);

      const traces = storage.traces();
      expect((await storage.runRetention(now)).deletedTraces).toBe(0);
      expect(await traces.getTrace(hex16(1))).toHaveLength(3);

      // Just over RETENTION after arrival: the arrival-dated traces go, the one stamped later stays.
      const later = await storage.runRetention(now + HOUR + 30_000);
      expect(later.deletedTraces).toBe(2);
      expect(await traces.getTrace(hex16(1))).toEqual([]);
      expect(await traces.getTrace(hex16(3))).toEqual([]);
      expect(await traces.getTrace(hex16(2))).toHaveLength(3);
      expect(await storage.serviceAndSpanNames().getServiceNames()).toEqual(['young-service']);

      const much = await storage.runRetention(now + 2 * HOUR);
      expect(much.deletedTraces).toBe(1);
      expect(await traces.getTrace(hex16(2))).toEqual([]);
      expect(await storage.serviceAndSpanNames().getServiceNames()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('holds the file plus WAL within RETENTION_MAX_BYTES by deleting the oldest traces', async () => {
    const budget = 1024 * 1024;
    const storage = await open('size.sqlite', 365 * 24 * HOUR, budget);
    try {
      const start = Date.now() - HOUR;
      const perRound = 40;
      const rounds = 60; // about 60 x 40 x 5 spans x ~700 bytes: 8 MB written, 8x the budget
      const sizes: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const batch: Span[] = [];
        for (let t = 0; t < perRound; t++) {
          const n = r * perRound + t + 1;
          batch.push(...trace(n, `svc-${n % 3}`, start + n, 5, 600));
        }
        await storage.spanConsumer().accept(batch);
        const { size } = await storage.runRetention();
        sizes.push(size.fileBytes + size.walBytes);
      }
      const over = sizes.filter((s) => s > budget);
      expect(over).toEqual([]);
      // It kept data (the newest traces), not an empty file.
      const newest = rounds * perRound;
      expect(await storage.traces().getTrace(hex16(newest))).toHaveLength(5);
      expect(await storage.traces().getTrace(hex16(1))).toEqual([]);
      const kept = await storage.spanStore().getTraces({
        annotationQuery: { tags: new Map(), words: new Set() },
        endTs: Date.now(),
        lookback: 2 * HOUR,
        limit: 100_000,
      });
      // Most of the budget holds data: at least a quarter of it (the file is not emptied needlessly).
      expect(kept.length * 5 * 700).toBeGreaterThan(budget / 4);
      expect(kept.length).toBeLessThan(newest);
    } finally {
      await storage.close();
    }
  }, 120_000);
});
