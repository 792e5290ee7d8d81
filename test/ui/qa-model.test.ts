import { describe, expect, it } from 'vitest';
import type { Span } from '../../ui/src/model/span-types.js';
import { parseTraceFile } from '../../ui/src/model/parse-trace-file.js';
import { buildTraceModel, computeTiming } from '../../ui/src/model/trace-model.js';
import { summarizeTrace } from '../../ui/src/model/trace-summary.js';
import { dependencyWindow } from '../../ui/src/pages/dependencies/dependency-window.js';
import { layoutGraph, type GraphLayout } from '../../ui/src/pages/dependencies/graph-layout.js';
import { criteriaToQueryString, lookbackMs, parseCriteria, toTraceQuery } from '../../ui/src/pages/search/search-criteria.js';

const DEFAULTS = { queryLimit: 10, defaultLookback: 900_000 };
const T = 1_700_000_000_000_000;

describe('Lens deep links', () => {
  it('accepts every fixed lookback Lens writes', () => {
    const ms: Record<string, number> = {
      '1m': 60_000,
      '5m': 300_000,
      '15m': 900_000,
      '30m': 1_800_000,
      '1h': 3_600_000,
      '2h': 7_200_000,
      '3h': 10_800_000,
      '6h': 21_600_000,
      '12h': 43_200_000,
      '1d': 86_400_000,
      '2d': 172_800_000,
      '7d': 604_800_000,
    };
    for (const [v, want] of Object.entries(ms)) {
      const r = toTraceQuery(parseCriteria(`?serviceName=frontend&lookback=${v}&endTs=5000000&limit=5`), 1, DEFAULTS);
      expect(r, v).toEqual({ query: { serviceName: 'frontend', endTs: 5_000_000, lookback: want, limit: 5 } });
    }
  });

  it('accepts lookback=range with startTs and endTs, and lookback=millis with millis=', () => {
    expect(toTraceQuery(parseCriteria('?lookback=range&startTs=1000&endTs=61000'), 1, DEFAULTS)).toEqual({
      query: { endTs: 61_000, lookback: 60_000, limit: 10 },
    });
    expect(toTraceQuery(parseCriteria('?lookback=millis&millis=90000&endTs=200000'), 1, DEFAULTS)).toEqual({
      query: { endTs: 200_000, lookback: 90_000, limit: 10 },
    });
    // millis is only meaningful with lookback=millis, and round-trips in the URL.
    expect(criteriaToQueryString(parseCriteria('?lookback=millis&millis=90000'))).toBe('lookback=millis&millis=90000');
    expect(criteriaToQueryString(parseCriteria('?lookback=1h&millis=90000'))).toBe('lookback=1h');
    expect('error' in toTraceQuery(parseCriteria('?lookback=millis'), 1, DEFAULTS)).toBe(true);
  });

  it('reads older Skein links (custom, bare milliseconds) as Lens values', () => {
    expect(parseCriteria('?lookback=custom&startTs=1&endTs=2').lookback).toBe('range');
    expect(parseCriteria('?lookback=3600000').lookback).toBe('1h');
    const c = parseCriteria('?lookback=12345');
    expect([c.lookback, c.millis]).toEqual(['millis', '12345']);
    expect(lookbackMs(c, 0, 1)).toBe(12_345);
  });

  it('opens Lens dependency links (startTime/endTime in ms) as well as our own', () => {
    expect(dependencyWindow('?startTime=1000000&endTime=1060000')).toEqual({ endTs: 1_060_000, lookback: '1m' });
    expect(dependencyWindow('?startTime=1000000&endTime=1060001')).toEqual({ endTs: 1_060_001, lookback: '1m' });
    expect(dependencyWindow('?startTime=1000000&endTime=1012345')).toEqual({ endTs: 1_012_345, lookback: '12345' });
    expect(dependencyWindow('?endTs=5000&lookback=2d')).toEqual({ endTs: 5000, lookback: '2d' });
    expect(dependencyWindow('')).toEqual({ endTs: undefined, lookback: '1d' });
  });
});

describe('trace duration (zipkin-lens getMaxDuration)', () => {
  const span = (id: string, parentId: string | undefined, ts: number | undefined, dur: number | undefined): Span => {
    const s: Span = { traceId: 'a'.repeat(16), id: id.padStart(16, '0'), name: `s${id}`, localEndpoint: { serviceName: 'svc' } };
    if (parentId) s.parentId = parentId.padStart(16, '0');
    if (ts !== undefined) s.timestamp = ts;
    if (dur !== undefined) s.duration = dur;
    return s;
  };

  it('is the interval covered by all spans, not the root span', () => {
    // A root that returns after 10ms while an async child runs until 250ms.
    const spans = [span('1', undefined, T, 10_000), span('2', '1', T + 5_000, 245_000)];
    expect(summarizeTrace(spans)!.duration).toBe(250_000);
    const model = buildTraceModel(spans);
    expect(computeTiming(model, true).duration).toBe(250_000);
  });

  it('is unknown, not 1970 and 1μs, when no span has a timestamp', () => {
    const spans = [span('1', undefined, undefined, undefined), span('2', '1', undefined, 300)];
    const timing = computeTiming(buildTraceModel(spans), true);
    expect(timing.known).toBe(false);
    expect(timing.duration).toBeUndefined();
    expect([...timing.timed]).toEqual([0, 0]);
    const summary = summarizeTrace(spans)!;
    expect(summary.timestamp).toBeUndefined();
    expect(summary.duration).toBe(0);
  });
});

type Pt = [number, number];

/** Points along an SVG path of M, L and C commands (absolute), enough to test what it passes over. */
function samplePath(d: string): Pt[] {
  const tokens = d.match(/[MLC]|-?\d+(?:\.\d+)?/g) ?? [];
  const pts: Pt[] = [];
  let cur: Pt = [0, 0];
  let i = 0;
  const num = (): number => Number(tokens[i++]);
  while (i < tokens.length) {
    const cmd = tokens[i++];
    if (cmd === 'M') {
      cur = [num(), num()];
      pts.push(cur);
    } else if (cmd === 'L') {
      const to: Pt = [num(), num()];
      for (let k = 1; k <= 40; k++) pts.push([cur[0] + ((to[0] - cur[0]) * k) / 40, cur[1] + ((to[1] - cur[1]) * k) / 40]);
      cur = to;
    } else if (cmd === 'C') {
      const c1: Pt = [num(), num()];
      const c2: Pt = [num(), num()];
      const to: Pt = [num(), num()];
      for (let k = 1; k <= 60; k++) {
        const t = k / 60;
        const u = 1 - t;
        const b = (a: number, p: number, q: number, r: number): number => u * u * u * a + 3 * u * u * t * p + 3 * u * t * t * q + t * t * t * r;
        pts.push([b(cur[0], c1[0], c2[0], to[0]), b(cur[1], c1[1], c2[1], to[1])]);
      }
      cur = to;
    } else {
      throw new Error(`unexpected path token ${cmd}`);
    }
  }
  return pts;
}

/** "edge a>b crosses c" for every point of an edge inside a node box that is neither of its ends. */
function crossings(g: GraphLayout): string[] {
  const out: string[] = [];
  for (const e of g.edges) {
    for (const n of g.nodes) {
      if (n.name === e.parent || n.name === e.child) continue;
      const inside = samplePath(e.path).some(([x, y]) => x > n.x + 0.5 && x < n.x + n.w - 0.5 && y > n.y + 0.5 && y < n.y + n.h - 0.5);
      if (inside) out.push(`${e.parent}>${e.child} crosses ${n.name}`);
    }
  }
  return out;
}

describe('dependency graph routing', () => {
  it('routes an edge that skips a layer around the node in between (A->C does not read as A->B->C)', () => {
    const g = layoutGraph([
      { parent: 'a', child: 'b', callCount: 1 },
      { parent: 'b', child: 'c', callCount: 1 },
      { parent: 'a', child: 'c', callCount: 1 },
    ]);
    const layerOf = Object.fromEntries(g.nodes.map((n) => [n.name, n.layer]));
    expect(layerOf).toEqual({ a: 0, b: 1, c: 2 });
    expect(crossings(g)).toEqual([]);
    // The long edge starts at a's right side and ends at c's left side.
    const long = g.edges.find((e) => e.parent === 'a' && e.child === 'c')!;
    const pts = samplePath(long.path);
    const a = g.nodes.find((n) => n.name === 'a')!;
    const c = g.nodes.find((n) => n.name === 'c')!;
    expect(pts[0]).toEqual([a.x + a.w, a.y + a.h / 2]);
    expect(pts[pts.length - 1]).toEqual([c.x, c.y + c.h / 2]);
  });

  it('keeps long edges and cycle edges clear of every other box in a bigger graph', () => {
    const links = [
      ['web', 'gateway'],
      ['gateway', 'auth'],
      ['gateway', 'orders'],
      ['orders', 'inventory'],
      ['inventory', 'postgres'],
      ['orders', 'payments'],
      ['payments', 'postgres'],
      ['web', 'postgres'],
      ['gateway', 'postgres'],
      ['web', 'inventory'],
      ['postgres', 'gateway'],
      ['payments', 'orders'],
      ['auth', 'auth'],
    ].map(([parent, child]) => ({ parent: parent!, child: child!, callCount: 3 }));
    const g = layoutGraph(links);
    expect(g.nodes).toHaveLength(7);
    expect(g.edges).toHaveLength(13);
    expect(crossings(g)).toEqual([]);
    // Everything is drawn inside the reported size.
    for (const e of g.edges) for (const [x, y] of samplePath(e.path)) expect(x >= 0 && x <= g.width && y >= -40 && y <= g.height).toBe(true);
  });
});

describe('trace viewer: OTLP/JSON and Jaeger exports use the server mapping', () => {
  const TRACE = '5b8efff798038103d269b633813fc60c';
  const otlp = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'Checkout' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.http', version: '1.2.0' },
            spans: [
              {
                traceId: TRACE,
                spanId: 'eee19b7ec3c1b174',
                name: 'GET /cart',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000150000000',
                attributes: [{ key: 'http.status_code', value: { intValue: '500' } }, { key: 'retry', value: { boolValue: true } }],
                status: { code: 2, message: 'boom' },
                events: [
                  { timeUnixNano: '1700000000010000000', name: 'cache miss' },
                  { timeUnixNano: '1700000000020000000', name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'IOError' } }] },
                ],
              },
              {
                traceId: TRACE,
                spanId: 'eee19b7ec3c1b175',
                parentSpanId: 'eee19b7ec3c1b174',
                name: 'SELECT cart',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: '1700000000020000000',
                endTimeUnixNano: '1700000000020000400',
                attributes: [
                  { key: 'db.name', value: { stringValue: 'carts' } },
                  { key: 'net.peer.ip', value: { stringValue: '10.0.0.7' } },
                  { key: 'server.port', value: { intValue: 5432 } },
                  { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };

  it('converts OTLP/JSON exactly as the server does', async () => {
    const { decodeOtlpJson } = await import('../../src/codec/otlp/otlp-json-codec.js');
    const { otlpToSpans } = await import('../../src/codec/otlp/otlp-span-mapper.js');
    const text = JSON.stringify(otlp);
    const server = otlpToSpans(decodeOtlpJson(new TextEncoder().encode(text))).spans.map(({ links: _l, ...s }) => s);
    const ui = [...parseTraceFile(text).values()].flat();
    expect(server).toHaveLength(2);
    expect(ui).toEqual(server);
    // Spot checks that the comparison is about something.
    expect(ui[0]!.tags).toMatchObject({ error: 'boom', 'otel.status_code': 'ERROR', 'http.status_code': '500', 'host.name': 'h1' });
    expect(ui[1]!.duration).toBe(1);
    expect(ui[1]!.remoteEndpoint).toEqual({ serviceName: 'carts', ipv4: '10.0.0.7', port: 5432 });
  });

  it('converts a Jaeger UI export as the server maps a Jaeger batch', async () => {
    const { jaegerBatchToSpans } = await import('../../src/codec/jaeger/jaeger-span-mapper.js');
    const exported = {
      data: [
        {
          traceID: 'd269b633813fc60c',
          spans: [
            {
              traceID: 'd269b633813fc60c',
              spanID: '1a2b3c4d5e6f7081',
              operationName: 'HTTP GET',
              references: [],
              startTime: 1_700_000_000_000_000,
              duration: 20_000,
              flags: 3,
              tags: [
                { key: 'span.kind', type: 'string', value: 'server' },
                { key: 'http.status_code', type: 'int64', value: 200 },
                { key: 'error', type: 'bool', value: false },
              ],
              logs: [{ timestamp: 1_700_000_000_001_000, fields: [{ key: 'event', type: 'string', value: 'accepted' }] }],
              processID: 'p1',
            },
            {
              traceID: 'd269b633813fc60c',
              spanID: '2a2b3c4d5e6f7081',
              operationName: 'query',
              references: [{ refType: 'CHILD_OF', traceID: 'd269b633813fc60c', spanID: '1a2b3c4d5e6f7081' }],
              startTime: 1_700_000_000_002_000,
              duration: 5_000,
              flags: 1,
              tags: [
                { key: 'span.kind', type: 'string', value: 'client' },
                { key: 'peer.service', type: 'string', value: 'redis' },
                { key: 'peer.port', type: 'int64', value: 6379 },
              ],
              logs: [{ timestamp: 1_700_000_000_003_000, fields: [{ key: 'level', type: 'string', value: 'info' }, { key: 'n', type: 'int64', value: 3 }] }],
              processID: 'p1',
            },
          ],
          processes: { p1: { serviceName: 'Frontend', tags: [{ key: 'ip', type: 'string', value: '10.1.2.3' }, { key: 'jaeger.version', type: 'string', value: 'Go-2.30' }] } },
        },
      ],
    };
    const ui = [...parseTraceFile(JSON.stringify(exported)).values()].flat();
    const tag = (key: string, value: string) => ({ key, value });
    const server = jaegerBatchToSpans({
      process: { serviceName: 'Frontend', tags: [tag('ip', '10.1.2.3'), tag('jaeger.version', 'Go-2.30')] },
      spans: [
        {
          traceId: '0000000000000000d269b633813fc60c',
          spanId: '1a2b3c4d5e6f7081',
          operationName: 'HTTP GET',
          references: [],
          flags: 3,
          startTime: 1_700_000_000_000_000,
          duration: 20_000,
          tags: [tag('span.kind', 'server'), tag('http.status_code', '200'), tag('error', 'false')],
          logs: [{ timestamp: 1_700_000_000_001_000, fields: [tag('event', 'accepted')] }],
        },
        {
          traceId: '0000000000000000d269b633813fc60c',
          spanId: '2a2b3c4d5e6f7081',
          operationName: 'query',
          references: [{ type: 'CHILD_OF', traceId: '0000000000000000d269b633813fc60c', spanId: '1a2b3c4d5e6f7081' }],
          flags: 1,
          startTime: 1_700_000_000_002_000,
          duration: 5_000,
          tags: [tag('span.kind', 'client'), tag('peer.service', 'redis'), tag('peer.port', '6379')],
          logs: [{ timestamp: 1_700_000_000_003_000, fields: [tag('level', 'info'), tag('n', '3')] }],
        },
      ],
    }).map(({ links: _l, ...s }) => s);
    expect(ui).toEqual(server);
    expect(ui[1]!.parentId).toBe('1a2b3c4d5e6f7081');
    expect(ui[1]!.annotations).toEqual([{ timestamp: 1_700_000_000_003_000, value: 'level=info n=3' }]);
    expect(ui[0]!.debug).toBe(true);
  });
});
