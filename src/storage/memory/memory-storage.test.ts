import { describe, expect, it } from 'vitest';
import { normalizeSpan, type SpanInput } from '../../model/normalize-span.js';
import type { Span } from '../../model/span.js';
import { describeStorageConformance } from '../conformance/index.js';
import { parseQueryRequest, type QueryRequestInput } from '../query-request.js';
import { MemoryStorage } from './memory-storage.js';

describeStorageConformance({
  name: 'mem',
  create: async (options) => new MemoryStorage({ ...options, maxSpans: 500_000 }),
});

const T = 1_700_000_000_000; // epoch ms
const DAY = 86_400_000;
const span = (input: SpanInput): Span => normalizeSpan(input);
const query = (input: QueryRequestInput = {}) =>
  parseQueryRequest(
    { endTs: T + DAY, lookback: 2 * DAY, limit: 100, ...input },
    { nowMs: T, lookbackMs: DAY },
  );
const memory = (maxSpans: number, autocompleteKeys: string[] = []) =>
  new MemoryStorage({ strictTraceId: true, searchEnabled: true, autocompleteKeys, maxSpans });

/** A trace of `count` spans of `service`, rooted at T + offsetMs. */
function trace(
  traceId: string,
  service: string,
  offsetMs: number,
  count: number,
  extra: SpanInput = {},
): Span[] {
  return Array.from({ length: count }, (_, i) =>
    span({
      traceId,
      id: (i + 1).toString(16),
      parentId: i === 0 ? undefined : '1',
      name: `op${i}`,
      timestamp: (T + offsetMs + i) * 1000,
      duration: 10,
      localEndpoint: { serviceName: service },
      ...extra,
    }),
  );
}

describe('MemoryStorage', () => {
  it('rejects a non-positive maxSpans', () => {
    expect(() => memory(0)).toThrow(/maxSpans/);
  });

  it('evicts whole oldest traces once maxSpans is exceeded', async () => {
    const s = memory(5);
    const a = trace('a1', 'svc', 1, 3);
    const b = trace('b1', 'svc', 2, 2);
    const c = trace('c1', 'svc', 3, 1);
    await s.spanConsumer().accept([...a, ...b]);
    expect(s.spanCount).toBe(5);
    await s.spanConsumer().accept(c);

    expect(s.spanCount).toBe(3);
    expect(s.traceCount).toBe(2);
    expect(await s.traces().getTrace('a1')).toEqual([]);
    expect(await s.traces().getTrace('b1')).toHaveLength(2);
    expect(await s.traces().getTrace('c1')).toHaveLength(1);
    const found = await s.spanStore().getTraces(query({ serviceName: 'svc' }));
    expect(found.map((t) => t[0]!.traceId)).toEqual(['00000000000000c1', '00000000000000b1']);
  });

  it('evicts by trace timestamp, not arrival order, and untimestamped traces first', async () => {
    const s = memory(3);
    // ids: e = newest, 0 = oldest, d = no timestamp, 5 and 6 in between
    await s.spanConsumer().accept(trace('e', 'svc', 100, 1));
    await s.spanConsumer().accept(trace('0a', 'svc', 1, 1));
    await s.spanConsumer().accept([span({ traceId: 'd', id: '1', localEndpoint: { serviceName: 'svc' } })]);
    await s.spanConsumer().accept(trace('5', 'svc', 50, 1));
    expect(await s.traces().getTrace('d')).toEqual([]);
    expect(s.traceCount).toBe(3);
    await s.spanConsumer().accept(trace('6', 'svc', 60, 1));
    expect(await s.traces().getTrace('0a')).toEqual([]);
    expect(await s.traces().getTrace('e')).toHaveLength(1);
    expect(await s.traces().getTrace('5')).toHaveLength(1);
    expect(await s.traces().getTrace('6')).toHaveLength(1);
  });

  it('removes an evicted trace from name lists, search and autocomplete values', async () => {
    const s = memory(3, ['k']);
    await s
      .spanConsumer()
      .accept(trace('a1', 'gone', 1, 2, { remoteEndpoint: { serviceName: 'remote' }, tags: { k: 'v1' } }));
    await s.spanConsumer().accept(trace('b1', 'kept', 2, 1, { tags: { k: 'v2' } }));
    const names = s.serviceAndSpanNames();
    expect(await names.getServiceNames()).toEqual(['gone', 'kept']);
    expect(await s.autocompleteTags().getValues('k')).toEqual(['v1', 'v2']);

    await s.spanConsumer().accept(trace('c1', 'kept', 3, 1, { name: 'other', tags: { k: 'v2' } }));
    expect(await names.getServiceNames()).toEqual(['kept']);
    expect(await names.getSpanNames('gone')).toEqual([]);
    expect(await names.getRemoteServiceNames('gone')).toEqual([]);
    expect(await names.getSpanNames('kept')).toEqual(['op0', 'other']);
    expect(await s.autocompleteTags().getValues('k')).toEqual(['v2']);
    expect(await s.spanStore().getTraces(query({ serviceName: 'gone' }))).toEqual([]);
    expect(await s.spanStore().getTraces(query({ annotationQuery: 'k=v1' }))).toEqual([]);
    expect(await s.spanStore().getTraces(query({ annotationQuery: 'k=v2' }))).toHaveLength(2);
    expect(await s.spanStore().getDependencies(T + DAY, 2 * DAY)).toEqual([]);
  });

  it('keeps names and search exact through many eviction and index compaction cycles', async () => {
    const s = memory(10, ['k']);
    for (let i = 0; i < 1000; i++) {
      const id = (i + 1).toString(16);
      await s.spanConsumer().accept(trace(id, `svc${i % 37}`, i, 1, { tags: { k: `v${i % 13}` } }));
    }
    const kept = Array.from({ length: 10 }, (_, j) => 990 + j);
    const services = [...new Set(kept.map((i) => `svc${i % 37}`))].sort();
    expect(s.traceCount).toBe(10);
    expect(await s.serviceAndSpanNames().getServiceNames()).toEqual(services);
    expect(await s.autocompleteTags().getValues('k')).toEqual(
      [...new Set(kept.map((i) => `v${i % 13}`))].sort(),
    );
    const found = await s.spanStore().getTraces(query({ annotationQuery: `k=v${999 % 13}` }));
    expect(found.map((t) => t[0]!.timestamp)).toEqual(
      kept.filter((i) => i % 13 === 999 % 13).map((i) => (T + i) * 1000),
    );
    // svc27 last appeared in trace 989, evicted; svc0 is in trace 999 (kept) and in evicted ones
    expect(await s.spanStore().getTraces(query({ serviceName: 'svc27' }))).toEqual([]);
    expect(await s.spanStore().getTraces(query({ serviceName: 'svc0' }))).toHaveLength(1);
    expect(
      await s.spanStore().getTraces(query({ serviceName: 'svc0', endTs: T + 500, lookback: 500 })),
    ).toEqual([]);
  });

  it('stores a span accepted twice once, so it neither counts nor evicts twice', async () => {
    const s = memory(2);
    const [root] = trace('a1', 'svc', 1, 1);
    await s.spanConsumer().accept([root!, root!]);
    await s.spanConsumer().accept([span({ ...root! })]);
    expect(s.spanCount).toBe(1);
    await s.spanConsumer().accept([span({ ...root!, duration: 11 })]);
    expect(s.spanCount).toBe(2);
    expect(await s.traces().getTrace('a1')).toHaveLength(2);
  });

  it('does not mutate accepted spans, and hands out arrays callers cannot use to change the store', async () => {
    const s = memory(10);
    const spans = trace('a1', 'svc', 1, 2).map(deepFreeze);
    await s.spanConsumer().accept(spans);
    const first = await s.traces().getTrace('a1');
    first.pop();
    expect(await s.traces().getTrace('a1')).toHaveLength(2);
    const [found] = await s.spanStore().getTraces(query());
    found!.length = 0;
    expect((await s.spanStore().getTraces(query()))[0]).toHaveLength(2);
  });

  it('returns the newest traces when an indexed filter matches very many traces', async () => {
    const s = memory(100_000);
    const spans: Span[] = [];
    for (let i = 0; i < 10_050; i++) spans.push(...trace((i + 1).toString(16), 'busy', i, 1));
    await s.spanConsumer().accept(spans);
    const found = await s.spanStore().getTraces(query({ serviceName: 'busy', limit: 3 }));
    expect(found.map((t) => t[0]!.timestamp)).toEqual([10_049, 10_048, 10_047].map((i) => (T + i) * 1000));
    const windowed = await s.spanStore().getTraces(query({ serviceName: 'busy', endTs: T + 5, lookback: 1 }));
    expect(windowed.map((t) => t[0]!.timestamp)).toEqual([(T + 5) * 1000, (T + 4) * 1000]);
  });

  it('links a strict 128-bit trace with its 64-bit part even when that part lies outside the window', async () => {
    const s = memory(10);
    const high = 'a'.repeat(16);
    const low = 'b'.repeat(16);
    await s.spanConsumer().accept([
      span({
        traceId: high + low,
        id: '1',
        kind: 'SERVER',
        timestamp: T * 1000,
        localEndpoint: { serviceName: 'fe' },
      }),
      span({
        traceId: high + low,
        parentId: '1',
        id: '2',
        kind: 'CLIENT',
        timestamp: (T + 1) * 1000,
        localEndpoint: { serviceName: 'fe' },
      }),
      span({
        traceId: low,
        parentId: '1',
        id: '2',
        kind: 'SERVER',
        shared: true,
        timestamp: (T + 3 * DAY) * 1000,
        localEndpoint: { serviceName: 'be' },
      }),
    ]);
    expect(await s.spanStore().getDependencies(T + 10, 100)).toEqual([
      expect.objectContaining({ parent: 'fe', child: 'be', callCount: 1 }),
    ]);
    // strict mode keeps them separate traces for lookup
    expect(await s.traces().getTrace(high + low)).toHaveLength(2);
    expect(await s.traces().getTrace(low)).toHaveLength(1);
  });

  it('looks up ids leniently (trimmed, case-insensitive, padded) and ignores invalid ones', async () => {
    const s = memory(10);
    await s.spanConsumer().accept(trace('abc', 'svc', 1, 1));
    expect(await s.traces().getTrace(' 0000000000000ABC ')).toHaveLength(1);
    expect(await s.traces().getTrace('not-hex')).toEqual([]);
    expect(await s.traces().getTraces(['abc', '0abc', 'zz'])).toHaveLength(1);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
