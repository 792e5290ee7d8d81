import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span } from '../../model/span.js';
import { parseQueryRequest, type QueryRequestInput } from '../query-request.js';
import { openSqliteStorage } from './sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const TRACE = '00000000000000a1';

function span(id: string, fields: Partial<Span>): Span {
  return normalizeSpan({ traceId: TRACE, id, localEndpoint: { serviceName: 'api' }, ...fields });
}

const search = (endTs: number, lookback: number, input: QueryRequestInput = {}) =>
  parseQueryRequest({ endTs, lookback, limit: 10, ...input }, { nowMs: endTs, lookbackMs: lookback });

function rows(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('sqlite search index', () => {
  it('re-keys a trace when its root arrives after its children, so the window follows the root', async () => {
    const path = join(dir, 'rekey.sqlite');
    const storage = await openSqliteStorage({
      path,
      strictTraceId: true,
      searchEnabled: true,
      autocompleteKeys: [],
      retentionMs: 365 * 86_400_000,
      retentionMaxBytes: 1024 ** 3,
    });
    try {
      // The child starts 10 minutes after the root (a slow queue), and is reported first.
      const child = span('00000000000000c1', {
        parentId: '00000000000000b1',
        name: 'child-op',
        timestamp: (T0 + 10 * MINUTE) * 1000,
        duration: 5,
        tags: { stage: 'late' },
      });
      const root = span('00000000000000b1', { name: 'root-op', timestamp: T0 * 1000, duration: 700 });
      await storage.spanConsumer().accept([child]);
      const store = storage.spanStore();
      // Before the root arrives the trace's timestamp is the child's.
      expect(
        await store.getTraces(search(T0 + 11 * MINUTE, 2 * MINUTE, { spanName: 'child-op' })),
      ).toHaveLength(1);

      await storage.spanConsumer().accept([root]);
      // zipkin: the root's timestamp now places the trace; the child's minute no longer does.
      expect(await store.getTraces(search(T0 + 11 * MINUTE, 2 * MINUTE, { spanName: 'child-op' }))).toEqual(
        [],
      );
      for (const input of [
        { spanName: 'child-op' },
        { annotationQuery: 'stage=late' },
        { serviceName: 'api', minDuration: 600 },
        {},
      ]) {
        const found = await store.getTraces(search(T0 + MINUTE, 2 * MINUTE, input));
        expect(found.map((t) => t.length)).toEqual([2]);
      }
      // Every term sits at the trace's current timestamp: none was left at the child's.
      expect(rows(path, 'SELECT DISTINCT ts FROM terms')).toEqual([{ ts: T0 * 1000 }]);

      // Deleting the trace (retention, a year after it happened and arrived) removes all its index rows too.
      await storage.runRetention(Math.max(T0, Date.now()) + 400 * 86_400_000);
      expect(rows(path, 'SELECT count(*) AS n FROM terms')).toEqual([{ n: 0 }]);
      expect(rows(path, 'SELECT count(*) AS n FROM spans')).toEqual([{ n: 0 }]);
    } finally {
      await storage.close();
    }
  });

  it('writes no search index when search is disabled, yet serves traces by id', async () => {
    const path = join(dir, 'no-search.sqlite');
    const storage = await openSqliteStorage({
      path,
      strictTraceId: true,
      searchEnabled: false,
      autocompleteKeys: ['stage'],
      retentionMs: 365 * 86_400_000,
      retentionMaxBytes: 1024 ** 3,
    });
    try {
      await storage
        .spanConsumer()
        .accept([span('00000000000000b1', { timestamp: T0 * 1000, tags: { stage: 'x' } })]);
      expect(await storage.traces().getTrace(TRACE)).toHaveLength(1);
      expect(rows(path, 'SELECT count(*) AS n FROM terms')).toEqual([{ n: 0 }]);
      expect(rows(path, 'SELECT count(*) AS n FROM names')).toEqual([{ n: 0 }]);
    } finally {
      await storage.close();
    }
  });
});
