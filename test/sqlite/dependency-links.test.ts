import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTraces } from '../../src/demo/trace-generator.js';
import type { DependencyLink } from '../../src/model/dependency-link.js';
import { normalizeSpan } from '../../src/model/normalize-span.js';
import type { Span } from '../../src/model/span.js';
import { linkDependencies } from '../../src/storage/dependency-linker.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/storage/sqlite/sqlite-schema.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.now();

function open(
  path: string,
  opts: { strictTraceId?: boolean; retentionMs?: number } = {},
): Promise<SqliteStorage> {
  return openSqliteStorage({
    path,
    strictTraceId: opts.strictTraceId ?? true,
    searchEnabled: true,
    autocompleteKeys: [],
    retentionMs: opts.retentionMs ?? 365 * DAY,
    retentionMaxBytes: 1024 ** 3,
  });
}

// The window reaches a few hours ahead: the retention case stamps its traces after their arrival.
const deps = (s: SqliteStorage) => s.spanStore().getDependencies(NOW + 4 * HOUR, DAY);

/** Stored per-group links, read on a connection of our own (WAL: the store keeps running). */
function cachedRows(path: string): { trace_low: string; links: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT trace_low, links FROM trace_links ORDER BY trace_low').all() as {
      trace_low: string;
      links: string;
    }[];
  } finally {
    db.close();
  }
}

/** frontend's server span and its client call to backend, at `tsMs`. */
function frontendTrace(traceId: string, tsMs: number): Span[] {
  return [
    normalizeSpan({
      traceId,
      id: '1',
      kind: 'SERVER',
      name: 'get /',
      timestamp: tsMs * 1000,
      duration: 10_000,
      localEndpoint: { serviceName: 'frontend' },
    }),
    normalizeSpan({
      traceId,
      parentId: '1',
      id: '2',
      kind: 'CLIENT',
      name: 'get /api',
      timestamp: tsMs * 1000 + 100,
      duration: 5_000,
      localEndpoint: { serviceName: 'frontend' },
      remoteEndpoint: { serviceName: 'backend' },
    }),
  ];
}

/** A later span of the same trace: frontend calls a cache, and the call fails. */
function cacheCall(traceId: string, tsMs: number): Span {
  return normalizeSpan({
    traceId,
    parentId: '1',
    id: '3',
    kind: 'CLIENT',
    name: 'get',
    timestamp: tsMs * 1000 + 200,
    duration: 1_000,
    localEndpoint: { serviceName: 'frontend' },
    remoteEndpoint: { serviceName: 'cache' },
    tags: { error: 'timeout' },
  });
}

const link = (parent: string, child: string, callCount = 1, errorCount = 0): DependencyLink =>
  errorCount > 0 ? { parent, child, callCount, errorCount } : { parent, child, callCount };

describe('sqlite dependency links cache', () => {
  it('relinks a trace that gains a span after its links were stored', async () => {
    const path = join(dir, 'grow.sqlite');
    const s = await open(path);
    try {
      const traceId = '00000000000000a1';
      await s.spanConsumer().accept(frontendTrace(traceId, NOW - HOUR));
      expect(await deps(s)).toEqual([link('frontend', 'backend')]);
      expect(await deps(s)).toEqual([link('frontend', 'backend')]);
      expect(cachedRows(path)).toEqual([{ trace_low: traceId, links: '[["frontend","backend",1,0]]' }]);

      await s.spanConsumer().accept([cacheCall(traceId, NOW - HOUR)]);
      expect(await deps(s)).toEqual([link('frontend', 'backend'), link('frontend', 'cache', 1, 1)]);
      expect(await deps(s)).toEqual([link('frontend', 'backend'), link('frontend', 'cache', 1, 1)]);
      expect(cachedRows(path)).toEqual([
        { trace_low: traceId, links: '[["frontend","backend",1,0],["frontend","cache",1,1]]' },
      ]);
    } finally {
      await s.close();
    }
  });

  it('drops the links of traces that retention deleted, with their stored rows', async () => {
    const path = join(dir, 'retention.sqlite');
    // Long enough that background retention never runs into the traces; the test runs it with its clock.
    const retentionMs = 30 * DAY;
    const s = await open(path, { retentionMs });
    try {
      const old = '00000000000000b1';
      const young = '00000000000000b2';
      await s
        .spanConsumer()
        .accept([
          // Stamped ahead of their arrival (now), so their timestamps, not the arrival, decide retention.
          ...frontendTrace(old, NOW + HOUR),
          ...frontendTrace(young, NOW + 3 * HOUR),
          cacheCall(young, NOW + 3 * HOUR),
        ]);
      expect(await deps(s)).toEqual([link('frontend', 'backend', 2), link('frontend', 'cache', 1, 1)]);
      await deps(s);
      expect(cachedRows(path).map((r) => r.trace_low)).toEqual([old, young]);

      expect((await s.runRetention(NOW + 2 * HOUR + retentionMs)).deletedTraces).toBe(1);
      expect(await deps(s)).toEqual([link('frontend', 'backend'), link('frontend', 'cache', 1, 1)]);
      expect(cachedRows(path).map((r) => r.trace_low)).toEqual([young]);
    } finally {
      await s.close();
    }
  });

  it('answers from stored links after a restart, and relinks a group once it changes', async () => {
    const path = join(dir, 'restart.sqlite');
    const traceId = '00000000000000c1';
    let s = await open(path);
    try {
      await s.spanConsumer().accept(frontendTrace(traceId, NOW - HOUR));
      const before = await deps(s);
      await deps(s);
      await s.close();
      s = await open(path);
      expect(await deps(s)).toEqual(before);
      await s.close();

      // Plant links no span could produce under the group's current stamp: a restarted store must serve
      // them as they are, which proves it sums stored rows instead of reading spans.
      const db = new Database(path);
      db.prepare('UPDATE trace_links SET links = \'[["planted","row",7,2]]\' WHERE trace_low = ?').run(
        traceId,
      );
      db.close();
      s = await open(path);
      expect(await deps(s)).toEqual([link('planted', 'row', 7, 2)]);

      // A new span stamps the group anew: the planted row is stale and the spans are linked again.
      await s.spanConsumer().accept([cacheCall(traceId, NOW - HOUR)]);
      expect(await deps(s)).toEqual([link('frontend', 'backend'), link('frontend', 'cache', 1, 1)]);
    } finally {
      await s.close();
    }
  });

  it('relinks a stored 128-bit trace when a 64-bit fragment with its low bits arrives (strict mode)', async () => {
    const path = join(dir, 'mixed.sqlite');
    const s = await open(path, { strictTraceId: true });
    try {
      const traceId = 'aaaaaaaaaaaaaaaa00000000000000d1';
      const first = frontendTrace(traceId, NOW - HOUR);
      await s.spanConsumer().accept(first);
      expect(await deps(s)).toEqual([link('frontend', 'backend')]);
      await deps(s);

      // zipkin: linking groups by the low 64 bits even in strict mode; backend dropped the high bits.
      const fragment = [
        normalizeSpan({
          traceId: traceId.slice(16),
          parentId: '2',
          id: '4',
          kind: 'SERVER',
          timestamp: (NOW - HOUR) * 1000 + 300,
          duration: 3_000,
          localEndpoint: { serviceName: 'backend' },
        }),
        normalizeSpan({
          traceId: traceId.slice(16),
          parentId: '4',
          id: '5',
          kind: 'CLIENT',
          timestamp: (NOW - HOUR) * 1000 + 400,
          duration: 1_000,
          localEndpoint: { serviceName: 'backend' },
          remoteEndpoint: { serviceName: 'db' },
        }),
      ];
      await s.spanConsumer().accept(fragment);
      const expected = [link('backend', 'db'), link('frontend', 'backend')];
      expect(linkDependencies([first, fragment])).toEqual(expected);
      expect(await deps(s)).toEqual(expected);
      expect(await deps(s)).toEqual(expected);
      expect(cachedRows(path).map((r) => r.trace_low)).toEqual([traceId.slice(16)]);
    } finally {
      await s.close();
    }
  });

  it.each([true, false])(
    'equals linking every stored span at once while traces arrive in pieces (strictTraceId=%s)',
    async (strictTraceId) => {
      const path = join(dir, `generated-${strictTraceId}.sqlite`);
      const s = await open(path, { strictTraceId });
      try {
        const traces = generateTraces({ seed: 7, traces: 120, endTsMicros: (NOW - MINUTE) * 1000 });
        const firstHalves = traces.map((t) => t.slice(0, Math.ceil(t.length / 2)));
        const secondHalves = traces.map((t) => t.slice(Math.ceil(t.length / 2)));
        await s.spanConsumer().accept(firstHalves.flat());
        const partial = linkDependencies(firstHalves);
        expect(partial.length).toBeGreaterThan(3);
        expect(await deps(s)).toEqual(partial);
        expect(await deps(s)).toEqual(partial);

        // Every other trace is completed; then the rest.
        await s.spanConsumer().accept(secondHalves.filter((_, i) => i % 2 === 0).flat());
        const mixed = linkDependencies(traces.map((t, i) => (i % 2 === 0 ? t : firstHalves[i]!)));
        expect(mixed).not.toEqual(partial);
        expect(await deps(s)).toEqual(mixed);
        await s.spanConsumer().accept(secondHalves.filter((_, i) => i % 2 === 1).flat());
        expect(await deps(s)).toEqual(linkDependencies(traces));
      } finally {
        await s.close();
      }
    },
  );

  it('links the traces of a file written before links were stored (schema 1), then keeps them current', async () => {
    const path = join(dir, 'schema-1.sqlite');
    const traceId = '00000000000000e1';
    const db = new Database(path);
    migrate(db, path, MIGRATIONS.slice(0, 1));
    const tsUs = (NOW - HOUR) * 1000;
    const { tid } = db
      .prepare(
        'INSERT INTO traces (trace_id, trace_low, root_ts, min_ts, arrived_us) VALUES (?, ?, ?, ?, ?) RETURNING tid',
      )
      .get(traceId, traceId, tsUs, tsUs, tsUs) as { tid: number };
    for (const span of frontendTrace(traceId, NOW - HOUR)) {
      db.prepare('INSERT INTO spans (tid, span_id, duration, json) VALUES (?, ?, ?, ?)').run(
        tid,
        span.id,
        span.duration ?? null,
        JSON.stringify(span),
      );
    }
    db.close();

    const s = await open(path);
    try {
      expect(await deps(s)).toEqual([link('frontend', 'backend')]);
      await s.spanConsumer().accept([cacheCall(traceId, NOW - HOUR)]);
      expect(await deps(s)).toEqual([link('frontend', 'backend'), link('frontend', 'cache', 1, 1)]);
      await deps(s);
      expect(cachedRows(path)).toHaveLength(1);
    } finally {
      await s.close();
    }
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    after.close();
  });
});
