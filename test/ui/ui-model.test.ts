import { describe, expect, it } from 'vitest';
import { computeCriticalPath } from '../../ui/src/model/critical-path.js';
import { parseTraceFile } from '../../ui/src/model/parse-trace-file.js';
import { buildTraceModel, computeTiming } from '../../ui/src/model/trace-model.js';
import { findMatches, visibleRows } from '../../ui/src/model/visible-rows.js';
import { criteriaToQueryString, lookbackMs, parseCriteria, parseDuration, toTraceQuery } from '../../ui/src/pages/search/search-criteria.js';
import { layoutGraph } from '../../ui/src/pages/dependencies/graph-layout.js';
import { checkoutTrace } from './fixtures.js';

const T = 1_700_000_000_000_000;
const DEFAULTS = { queryLimit: 10, defaultLookback: 900_000 };

describe('UI trace model', () => {
  const model = buildTraceModel(checkoutTrace(T));

  it('flattens the tree in order and applies the clock-skew correction only to the skewed host', () => {
    expect(model.rows.map((r) => `${r.depth}:${r.serviceName}:${r.span.name}`)).toEqual([
      '0:frontend:get /checkout',
      '1:frontend:post /pay',
      '2:payment:post /pay',
      '3:payment:select cards',
      '1:frontend:render',
    ]);
    expect(model.rows.map((r) => r.skew)).toEqual([0, 0, -5_005_000, -5_005_000, 0]);
    expect(model.rows[0]!.descendants).toBe(4);
    const on = computeTiming(model, true);
    const off = computeTiming(model, false);
    expect(on.start[2]! - on.traceStart).toBe(15_000);
    expect(off.traceStart).toBe(T + 10_000 - 5_000_000);
  });

  it('finds the critical path: last-finishing child first, then the parent self time between children', () => {
    const timing = computeTiming(model, true);
    const cp = computeCriticalPath(model, timing);
    const rel = (i: number): Array<[number, number]> => (cp.get(i) ?? []).map(([a, b]) => [(a - T) / 1000, (b - T) / 1000]);
    expect(rel(0)).toEqual([[90, 100], [60, 70], [0, 10]]);
    expect(rel(4)).toEqual([[70, 90]]);
    // The client waits for the server (15..55ms) on both sides of it.
    expect(rel(1)).toEqual([[55, 60], [10, 15]]);
    expect(rel(3)).toEqual([[17, 37]]);
  });

  it('handles a trace 20,000 spans deep without overflowing the stack', () => {
    const spans = Array.from({ length: 20_000 }, (_, i) => ({
      traceId: '00000000000000aa',
      id: (i + 1).toString(16).padStart(16, '0'),
      ...(i > 0 ? { parentId: i.toString(16).padStart(16, '0') } : {}),
      name: `level ${i}`,
      timestamp: T + i,
      duration: 40_000 - 2 * i,
      localEndpoint: { serviceName: 'deep' },
    }));
    const deep = buildTraceModel(spans);
    expect(deep.maxDepth).toBe(19_999);
    const cp = computeCriticalPath(deep, computeTiming(deep, true));
    expect(cp.size).toBe(20_000);
  });

  it('hides collapsed subtrees and finds spans by tag value and remote service', () => {
    expect(visibleRows(model, new Set([1]))).toEqual([0, 1, 4]);
    expect([...findMatches(model, 'TIMEOUT')]).toEqual([3]);
    expect([...findMatches(model, 'mysql')]).toEqual([3]);
    expect([...findMatches(model, '')]).toEqual([]);
  });
});

describe('search criteria (Lens URL parameters)', () => {
  it('round-trips the URL and ignores spanName=all', () => {
    const c = parseCriteria('?serviceName=frontend&spanName=all&lookback=1h&limit=5');
    expect(c.spanName).toBe('');
    expect(criteriaToQueryString(c)).toBe('serviceName=frontend&lookback=1h&limit=5');
  });

  it('accepts preset, millisecond and custom lookbacks', () => {
    const c = parseCriteria('');
    expect(lookbackMs({ ...c, lookback: '7d' }, 0, 1)).toBe(604_800_000);
    expect(lookbackMs({ ...c, lookback: '12345' }, 0, 1)).toBe(12_345);
    expect(lookbackMs({ ...c, lookback: 'custom', startTs: '1000', endTs: '5000' }, 0, 1)).toBe(4000);
    expect(lookbackMs({ ...c, lookback: '' }, 0, 777)).toBe(777);
    expect(lookbackMs({ ...c, lookback: '3 weeks' }, 0, 1)).toBeUndefined();
  });

  it('parses durations into microseconds', () => {
    expect(parseDuration('150ms')).toBe(150_000);
    expect(parseDuration('1.5s')).toBe(1_500_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000_000);
    expect(parseDuration('fast')).toBeUndefined();
  });

  it('applies zipkin query rules before calling the API', () => {
    const q = toTraceQuery(parseCriteria('?serviceName=a&minDuration=100&maxDuration=50'), 1000, DEFAULTS);
    expect(q).toEqual({ error: 'Max duration must not be below min duration.' });
    expect(toTraceQuery(parseCriteria('?maxDuration=50'), 1000, DEFAULTS)).toEqual({ error: 'Max duration needs a min duration too (zipkin rule).' });
    expect(toTraceQuery(parseCriteria('?serviceName=a&endTs=5000&lookback=1h'), 1000, DEFAULTS)).toEqual({
      query: { serviceName: 'a', endTs: 5000, lookback: 3_600_000, limit: 10 },
    });
  });
});

describe('trace files', () => {
  it('splits a v1 span with client and server annotations into a client and a shared server span', () => {
    const traces = parseTraceFile(
      JSON.stringify([
        {
          traceId: 'a',
          id: 'b',
          name: 'GET',
          annotations: [
            { timestamp: 10, value: 'cs', endpoint: { serviceName: 'Web' } },
            { timestamp: 12, value: 'sr', endpoint: { serviceName: 'api' } },
            { timestamp: 18, value: 'ss', endpoint: { serviceName: 'api' } },
            { timestamp: 20, value: 'cr', endpoint: { serviceName: 'Web' } },
          ],
          binaryAnnotations: [{ key: 'sa', value: true, endpoint: { serviceName: 'api', ipv4: '1.2.3.4' } }],
        },
      ]),
    );
    const spans = traces.get('000000000000000a')!;
    expect(spans).toEqual([
      { traceId: '000000000000000a', id: '000000000000000b', name: 'get', kind: 'CLIENT', localEndpoint: { serviceName: 'web' }, timestamp: 10, duration: 10, remoteEndpoint: { serviceName: 'api', ipv4: '1.2.3.4' } },
      { traceId: '000000000000000a', id: '000000000000000b', name: 'get', kind: 'SERVER', localEndpoint: { serviceName: 'api' }, shared: true, timestamp: 12, duration: 6 },
    ]);
  });

  it('rejects files that are not span lists with a readable message', () => {
    expect(() => parseTraceFile('nope')).toThrow(/not JSON/);
    expect(() => parseTraceFile('[{"traceId": 5, "id": "a"}]')).toThrow(/traceId must be a hex string/);
    expect(() => parseTraceFile('[]')).toThrow(/no spans/);
  });
});

describe('dependency graph layout', () => {
  it('puts callers left of callees and survives cycles and self calls', () => {
    const g = layoutGraph([
      { parent: 'web', child: 'api', callCount: 10 },
      { parent: 'api', child: 'db', callCount: 5, errorCount: 1 },
      { parent: 'db', child: 'api', callCount: 1 },
      { parent: 'api', child: 'api', callCount: 2 },
    ]);
    const x = Object.fromEntries(g.nodes.map((n) => [n.name, n.x]));
    expect(x.web!).toBeLessThan(x.api!);
    expect(x.api!).toBeLessThan(x.db!);
    expect(g.edges).toHaveLength(4);
    expect(g.edges.every((e) => e.path.startsWith('M'))).toBe(true);
  });
});
