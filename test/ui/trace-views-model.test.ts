import { describe, expect, it } from 'vitest';
import { generateLargeTrace } from '../../src/demo/trace-generator.js';
import { buildCallGraph, visibleNodes } from '../../ui/src/model/call-graph.js';
import { layoutFlame } from '../../ui/src/model/flame-graph.js';
import { rowOfSpanKey, spanKeyOf } from '../../ui/src/model/span-key.js';
import { buildTraceModel, computeTiming } from '../../ui/src/model/trace-model.js';
import { computeStats, selfTimes, sortStats } from '../../ui/src/model/trace-stats.js';
import { checkoutTrace } from './fixtures.js';

const T = 1_700_000_000_000_000;
const MS = 1000;

describe('trace statistics, call graph and flame graph models', () => {
  const model = buildTraceModel(checkoutTrace(T));
  const timing = computeTiming(model, true);

  it('self time is the duration no child covers (overlapping children once, clipped to the parent)', () => {
    // checkout 100ms - (pay 10..60 ∪ render 70..90) = 30ms; client 50 - server 40 = 10; server 40 - 20 = 20.
    expect([...selfTimes(model, timing)]).toEqual([30 * MS, 10 * MS, 20 * MS, 20 * MS, 20 * MS]);
    const overlap = buildTraceModel([
      { traceId: 'a'.repeat(16), id: '1'.padStart(16, '0'), name: 'p', timestamp: T, duration: 100, localEndpoint: { serviceName: 's' } },
      { traceId: 'a'.repeat(16), parentId: '1'.padStart(16, '0'), id: '2'.padStart(16, '0'), name: 'c', timestamp: T + 10, duration: 50, localEndpoint: { serviceName: 's' } },
      { traceId: 'a'.repeat(16), parentId: '1'.padStart(16, '0'), id: '3'.padStart(16, '0'), name: 'c', timestamp: T + 40, duration: 200, localEndpoint: { serviceName: 's' } },
    ]);
    // children cover 10..100 of the parent (the second one runs past it and is clipped): self = 10.
    expect(selfTimes(overlap, computeTiming(overlap, true))[0]).toBe(10);
  });

  it('groups statistics by service and operation and sorts by any column', () => {
    const stats = computeStats(model, timing);
    expect(stats.map((s) => [s.service, s.name, s.count, s.total / MS, s.self / MS, s.errors])).toEqual([
      ['frontend', 'get /checkout', 1, 100, 30, 0],
      ['frontend', 'post /pay', 1, 50, 10, 0],
      ['payment', 'post /pay', 1, 40, 20, 0],
      ['payment', 'select cards', 1, 20, 20, 1],
      ['frontend', 'render', 1, 20, 20, 0],
    ]);
    expect(sortStats(stats, 'self', true).map((s) => s.name)).toEqual(['get /checkout', 'render', 'post /pay', 'select cards', 'post /pay']);
    expect(sortStats(stats, 'errors', true)[0]!.name).toBe('select cards');
    expect(sortStats(stats, 'name', false).map((s) => s.name)).toEqual(['get /checkout', 'post /pay', 'post /pay', 'render', 'select cards']);
  });

  it('collapses siblings with the same service and operation into one graph node', () => {
    const spans = [
      { traceId: 'b'.repeat(16), id: '1'.padStart(16, '0'), name: 'root', timestamp: T, duration: 100, localEndpoint: { serviceName: 'a' } },
      ...[2, 3, 4].map((i) => ({
        traceId: 'b'.repeat(16),
        parentId: '1'.padStart(16, '0'),
        id: String(i).padStart(16, '0'),
        name: 'query',
        timestamp: T + i * 10,
        duration: 10,
        localEndpoint: { serviceName: 'db' },
        ...(i === 3 ? { tags: { error: 'x' } } : {}),
      })),
    ];
    const m = buildTraceModel(spans);
    const g = buildCallGraph(m, computeTiming(m, true));
    expect(g.nodes.map((n) => [n.service, n.name, n.count, n.total, n.self, n.errors, n.depth])).toEqual([
      ['a', 'root', 1, 100, 70, 0, 0],
      ['db', 'query', 3, 30, 30, 1, 1],
    ]);
    expect(visibleNodes(g, new Set([0]))).toEqual([0]);
    expect(visibleNodes(g, new Set())).toEqual([0, 1]);
  });

  it('lays the flame graph out by time spent, scaled to fit concurrent children and culling tiny boxes', () => {
    const g = buildCallGraph(model, timing);
    const { boxes } = layoutFlame(g, 0);
    const byName = new Map(boxes.map((b) => [`${g.nodes[b.node]!.service} ${g.nodes[b.node]!.name}`, b]));
    expect(byName.get('frontend get /checkout')).toMatchObject({ depth: 0, x: 0, width: 1 });
    expect(byName.get('frontend post /pay')!.width).toBeCloseTo(0.5);
    expect(byName.get('frontend render')!.width).toBeCloseTo(0.2);
    expect(byName.get('payment select cards')!.width).toBeCloseTo(0.2);
    const focused = layoutFlame(g, 0, 1).boxes;
    expect(focused[0]).toMatchObject({ node: 1, x: 0, width: 1 });
    // A 10,000-span trace at 1,400px keeps only boxes of 3px and more.
    const big = buildTraceModel(generateLargeTrace(10_000, { seed: 5 }));
    const bg = buildCallGraph(big, computeTiming(big, true));
    const culled = layoutFlame(bg, 3 / 1400);
    expect(culled.boxes.length).toBeLessThan(bg.nodes.length);
    expect(culled.boxes.every((b) => b.width >= 3 / 1400)).toBe(true);
    const sumTop = culled.boxes.filter((b) => b.depth === 0).reduce((a, b) => a + b.width, 0);
    expect(sumTop).toBeCloseTo(1);
  });

  it('addresses a span by id, and a shared id by its occurrence', () => {
    expect(spanKeyOf(model, 1)).toBe('0000000000000002');
    expect(spanKeyOf(model, 2)).toBe('0000000000000002.2');
    expect(rowOfSpanKey(model, '0000000000000002.2')).toBe(2);
    expect(rowOfSpanKey(model, '3')).toBe(3);
    expect(rowOfSpanKey(model, 'ffff')).toBeUndefined();
    expect(rowOfSpanKey(model, '<script>')).toBeUndefined();
  });
});
