import { describe, expect, it } from 'vitest';
import { normalizeSpan, type SpanInput } from './normalize-span.js';
import type { Span } from './span.js';
import { mergeTrace } from './trace-merge.js';

const TRACE_ID = '463ac35c9f6413ad48485a3953bb6124';
const LOW = TRACE_ID.slice(16);
const FRONTEND = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND = { serviceName: 'backend', ipv4: '172.17.0.9' };

const s = (input: SpanInput): Span => normalizeSpan({ traceId: TRACE_ID, ...input });

describe('mergeTrace', () => {
  it('returns a copy for zero or one span', () => {
    const one = [s({ id: '1' })];
    expect(mergeTrace([])).toEqual([]);
    const out = mergeTrace(one);
    expect(out).toEqual(one);
    expect(out).not.toBe(one);
  });

  it('sorts by id, and a client before the shared server with its id', () => {
    const server = s({ id: '2', kind: 'SERVER', shared: true, localEndpoint: BACKEND });
    const client = s({ id: '2', parentId: '1', kind: 'CLIENT', localEndpoint: FRONTEND });
    const root = s({ id: '1', kind: 'SERVER', localEndpoint: FRONTEND });
    const out = mergeTrace([server, client, root]);
    expect(out.map((x) => [x.id, x.kind])).toEqual([
      ['0000000000000001', 'SERVER'],
      ['0000000000000002', 'CLIENT'],
      ['0000000000000002', 'SERVER'],
    ]);
  });

  it('rewrites 64-bit trace ids to the 128-bit one when the trace has one', () => {
    const out = mergeTrace([
      s({ traceId: LOW, id: '1' }),
      s({ id: '2', parentId: '1' }),
      s({ traceId: LOW, id: '3', parentId: '1' }),
    ]);
    expect(out.map((x) => x.traceId)).toEqual([TRACE_ID, TRACE_ID, TRACE_ID]);
  });

  it('keeps 64-bit ids when no span has a 128-bit one', () => {
    const out = mergeTrace([s({ traceId: LOW, id: '1' }), s({ traceId: LOW, id: '2' })]);
    expect(out.map((x) => x.traceId)).toEqual([LOW, LOW]);
  });

  it('merges fragments of one span: first value wins, annotations and tags union, flags OR', () => {
    const first = s({
      id: '2',
      parentId: '1',
      kind: 'CLIENT',
      name: 'get',
      timestamp: 10,
      localEndpoint: { serviceName: 'frontend' },
      annotations: [{ timestamp: 12, value: 'ws' }],
      tags: { 'http.path': '/api', same: 'first' },
    });
    const late = s({
      id: '2',
      name: 'other',
      duration: 200,
      localEndpoint: { ipv4: '172.17.0.13', port: 8080 },
      remoteEndpoint: BACKEND,
      annotations: [
        { timestamp: 11, value: 'wr' },
        { timestamp: 12, value: 'ws' },
      ],
      tags: { same: 'late', 'http.status_code': '200' },
      debug: true,
    });
    const out = mergeTrace([late, first]);
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual({
      traceId: TRACE_ID,
      parentId: '0000000000000001',
      id: '0000000000000002',
      kind: 'CLIENT',
      name: 'get',
      timestamp: 10,
      duration: 200,
      localEndpoint: { serviceName: 'frontend', ipv4: '172.17.0.13', port: 8080 },
      remoteEndpoint: BACKEND,
      annotations: [
        { timestamp: 11, value: 'wr' },
        { timestamp: 12, value: 'ws' },
      ],
      tags: { 'http.path': '/api', same: 'late', 'http.status_code': '200' },
      debug: true,
    });
    // Still a valid, canonical span: normalization does not change it, nor its JSON field order.
    expect(JSON.stringify(normalizeSpan(out[0]!))).toBe(JSON.stringify(out[0]));
  });

  it('does not merge fragments whose local endpoints conflict', () => {
    const out = mergeTrace([
      s({ id: '2', localEndpoint: { serviceName: 'a' } }),
      s({ id: '2', localEndpoint: { serviceName: 'b' } }),
    ]);
    expect(out.map((x) => x.localEndpoint?.serviceName)).toEqual(['a', 'b']);
  });

  it('does not merge a client with the shared server of its id', () => {
    const out = mergeTrace([
      s({ id: '2', kind: 'CLIENT', localEndpoint: FRONTEND }),
      s({ id: '2', kind: 'SERVER', shared: true, localEndpoint: BACKEND }),
    ]);
    expect(out).toHaveLength(2);
  });

  it('merges a shared server reported in two pieces, one without endpoint', () => {
    const out = mergeTrace([
      s({ id: '2', kind: 'SERVER', shared: true, localEndpoint: BACKEND, timestamp: 5 }),
      s({ id: '2', shared: true, duration: 7 }),
      s({ id: '2', kind: 'CLIENT', localEndpoint: FRONTEND }),
    ]);
    expect(out).toHaveLength(2);
    expect(out[1]).toMatchObject({ kind: 'SERVER', shared: true, timestamp: 5, duration: 7 });
  });

  it('back-fills shared on a SERVER following a CLIENT with the same id, and its parent id', () => {
    const out = mergeTrace([
      s({ id: '2', kind: 'SERVER', localEndpoint: BACKEND }),
      s({ id: '2', parentId: '1', kind: 'CLIENT', localEndpoint: FRONTEND }),
    ]);
    expect(out[1]).toEqual({
      traceId: TRACE_ID,
      parentId: '0000000000000001',
      id: '0000000000000002',
      kind: 'SERVER',
      localEndpoint: BACKEND,
      shared: true,
    });
    expect(Object.keys(out[1]!)).toEqual(['traceId', 'parentId', 'id', 'kind', 'localEndpoint', 'shared']);
  });

  it('does not mutate its input and returns unchanged spans as-is', () => {
    const input = [
      s({ id: '2', kind: 'SERVER', localEndpoint: BACKEND }),
      s({ id: '2', parentId: '1', kind: 'CLIENT', localEndpoint: FRONTEND }),
    ];
    const snapshot = JSON.stringify(input);
    const out = mergeTrace(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(out[0]).toBe(input[1]);
  });
});
