import { describe, expect, it } from 'vitest';
import { normalizeSpan, type SpanInput } from '../model/normalize-span.js';
import type { Span } from '../model/span.js';
import { parseQueryRequest, type QueryRequestInput } from './query-request.js';
import { inQueryWindow, spansMatch, traceMatches, traceTimestamp } from './trace-matcher.js';

const T = 1_700_000_000_000; // epoch ms
const span = (input: SpanInput): Span => normalizeSpan({ traceId: 'a', id: '1', ...input });
const q = (input: QueryRequestInput = {}) =>
  parseQueryRequest({ endTs: T + 1000, lookback: 2000, limit: 10, ...input }, { nowMs: T, lookbackMs: 1 });

describe('traceTimestamp', () => {
  it('prefers the root span, even when a child started earlier', () => {
    expect(
      traceTimestamp([span({ id: '2', parentId: '1', timestamp: 5 }), span({ id: '1', timestamp: 10 })]),
    ).toBe(10);
  });

  it('takes the earliest root when several spans lack a parent (client and shared server)', () => {
    expect(traceTimestamp([span({ timestamp: 30, shared: true }), span({ timestamp: 20 })])).toBe(20);
  });

  it('falls back to the earliest timestamp without a root, and is undefined with none', () => {
    expect(
      traceTimestamp([
        span({ id: '2', parentId: '1', timestamp: 9 }),
        span({ id: '3', parentId: '1', timestamp: 7 }),
        span({ id: '4', parentId: '1' }),
      ]),
    ).toBe(7);
    expect(traceTimestamp([span({}), span({ id: '2', parentId: '1' })])).toBeUndefined();
    expect(traceTimestamp([])).toBeUndefined();
  });
});

describe('inQueryWindow', () => {
  it('includes both edges and never matches a missing timestamp', () => {
    const request = q({ endTs: T, lookback: 10 });
    expect(inQueryWindow(request, (T - 10) * 1000)).toBe(true);
    expect(inQueryWindow(request, T * 1000)).toBe(true);
    expect(inQueryWindow(request, (T - 10) * 1000 - 1)).toBe(false);
    expect(inQueryWindow(request, T * 1000 + 1)).toBe(false);
    expect(inQueryWindow(q({ endTs: 10, lookback: 10 }), undefined)).toBe(false);
    expect(inQueryWindow(q({ endTs: 10, lookback: 10 }), 0)).toBe(false);
  });
});

describe('spansMatch', () => {
  const fe = { serviceName: 'frontend' };
  const be = { serviceName: 'backend' };
  const client = span({
    localEndpoint: fe,
    remoteEndpoint: be,
    name: 'get',
    duration: 100,
    annotations: [{ timestamp: 1, value: 'ws' }],
    tags: { 'http.path': '/a', error: '' },
  });
  const server = span({
    id: '2',
    parentId: '1',
    localEndpoint: be,
    name: 'serve',
    duration: 50,
    tags: { db: 'x' },
  });

  it('matches a bare word against annotation values and tag keys, never tag values', () => {
    expect(spansMatch(q({ annotationQuery: 'ws' }), [client])).toBe(true);
    expect(spansMatch(q({ annotationQuery: 'http.path' }), [client])).toBe(true);
    expect(spansMatch(q({ annotationQuery: '/a' }), [client])).toBe(false);
  });

  it('matches k=v exactly, and treats "k=" like the bare word k (zipkin)', () => {
    expect(spansMatch(q({ annotationQuery: 'http.path=/a' }), [client])).toBe(true);
    expect(spansMatch(q({ annotationQuery: 'http.path=/A' }), [client])).toBe(false);
    expect(spansMatch(q({ annotationQuery: 'error=' }), [client])).toBe(true);
    expect(spansMatch(q({ annotationQuery: 'error=1' }), [client])).toBe(false);
  });

  it('ANDs the terms, each satisfied by any span (of the service when given)', () => {
    expect(spansMatch(q({ annotationQuery: 'ws and db=x' }), [client, server])).toBe(true);
    expect(spansMatch(q({ serviceName: 'frontend', annotationQuery: 'ws and db=x' }), [client, server])).toBe(
      false,
    );
    expect(spansMatch(q({ serviceName: 'backend', annotationQuery: 'db' }), [client, server])).toBe(true);
    expect(spansMatch(q({ serviceName: 'backend', annotationQuery: 'ws' }), [client, server])).toBe(false);
  });

  it('requires the service to be a local service of the trace', () => {
    expect(spansMatch(q({ serviceName: 'backend' }), [client])).toBe(false);
    expect(spansMatch(q({ serviceName: 'frontend' }), [client])).toBe(true);
  });

  it('checks remote service and span name against spans of the service', () => {
    expect(spansMatch(q({ serviceName: 'frontend', remoteServiceName: 'backend' }), [client, server])).toBe(
      true,
    );
    expect(spansMatch(q({ serviceName: 'backend', remoteServiceName: 'backend' }), [client, server])).toBe(
      false,
    );
    expect(spansMatch(q({ remoteServiceName: 'backend' }), [client, server])).toBe(true);
    expect(spansMatch(q({ serviceName: 'backend', spanName: 'get' }), [client, server])).toBe(false);
    expect(spansMatch(q({ spanName: 'serve' }), [client, server])).toBe(true);
  });

  it('needs one span of the service within both duration bounds, inclusive', () => {
    expect(spansMatch(q({ minDuration: 100 }), [client, server])).toBe(true);
    expect(spansMatch(q({ minDuration: 101 }), [client, server])).toBe(false);
    expect(spansMatch(q({ minDuration: 50, maxDuration: 50 }), [client, server])).toBe(true);
    expect(
      spansMatch(q({ serviceName: 'frontend', minDuration: 50, maxDuration: 50 }), [client, server]),
    ).toBe(false);
    expect(spansMatch(q({ minDuration: 1 }), [span({})])).toBe(false);
  });
});

describe('traceMatches', () => {
  it('combines the window on the trace timestamp with the span criteria', () => {
    const root = span({ timestamp: T * 1000, localEndpoint: { serviceName: 'a' } });
    expect(traceMatches(q({ serviceName: 'a' }), [root])).toBe(true);
    expect(traceMatches(q({ serviceName: 'b' }), [root])).toBe(false);
    expect(traceMatches(q({ endTs: T - 1, lookback: 1 }), [root])).toBe(false);
    expect(traceMatches(q(), [span({ localEndpoint: { serviceName: 'a' } })])).toBe(false);
  });
});
