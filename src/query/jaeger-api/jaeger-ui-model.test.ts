import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { parseGoDuration, parseJaegerTraceId } from './jaeger-params.js';
import { toUiTrace } from './jaeger-ui-model.js';

const T = '463ac35c9f6413ad';

describe('toUiTrace', () => {
  it('splits a Zipkin shared span: the server gets a fresh id, its parent is the client, children follow it', () => {
    const spans: Span[] = [
      {
        traceId: T,
        id: 'a',
        kind: 'CLIENT',
        name: 'get',
        timestamp: 10,
        duration: 100,
        localEndpoint: { serviceName: 'front' },
      } as Span,
      {
        traceId: T,
        id: 'a',
        kind: 'SERVER',
        shared: true,
        name: 'get',
        timestamp: 20,
        duration: 50,
        localEndpoint: { serviceName: 'back' },
      } as Span,
      {
        traceId: T,
        parentId: 'a',
        id: 'b',
        name: 'db',
        timestamp: 30,
        duration: 5,
        localEndpoint: { serviceName: 'back' },
      } as Span,
    ].map((s) => ({
      ...s,
      id: s.id.padStart(16, '0'),
      ...(s.parentId ? { parentId: s.parentId.padStart(16, '0') } : {}),
    }));
    const t = toUiTrace(spans)!;
    expect(t.traceID).toBe(T);
    const client = t.spans.find((s) => s.tags.some((k) => k.key === 'span.kind' && k.value === 'client'))!;
    const server = t.spans.find((s) => s.tags.some((k) => k.key === 'span.kind' && k.value === 'server'))!;
    const child = t.spans.find((s) => s.operationName === 'db')!;
    expect(client.spanID).toBe('000000000000000a');
    expect(server.spanID).toBe('0000000000000001');
    expect(server.references).toEqual([{ refType: 'CHILD_OF', traceID: T, spanID: '000000000000000a' }]);
    expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: T, spanID: '0000000000000001' }]);
    expect(client.references).toEqual([]);
    // Two spans of "back" with the same (empty) tags share one process.
    expect(Object.keys(t.processes)).toEqual(['p1', 'p2']);
    expect(t.processes[server.processID]).toEqual({ serviceName: 'back', tags: [] });
    expect(child.processID).toBe(server.processID);
    expect(toUiTrace(spans, { raw: true })!.spans.map((s) => s.spanID)).toContain('000000000000000a');
  });

  it('maps endpoints, tags, error, annotations, links and debug', () => {
    const span: Span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentId: '00000000000000b1',
      id: '00000000000000c1',
      kind: 'CLIENT',
      name: 'call',
      timestamp: 1_000_000,
      duration: 250,
      localEndpoint: { serviceName: 'web', ipv4: '10.0.0.1', port: 8080 },
      remoteEndpoint: { serviceName: 'db', ipv4: '10.0.0.2', port: 5432 },
      annotations: [
        { timestamp: 1_000_010, value: 'retry' },
        { timestamp: 1_000_020, value: '"exception": {"exception.type":"Boom","attempt":2}' },
      ],
      tags: { 'http.path': '/x', error: 'connection reset' },
      debug: true,
      links: [
        { traceId: '00000000000000ee', spanId: '00000000000000ff', type: 'link' },
        { traceId: '00000000000000ee', spanId: '00000000000000fe', type: 'CHILD_OF' },
      ],
    };
    const t = toUiTrace([span])!;
    const s = t.spans[0]!;
    expect(t.traceID).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(s).toMatchObject({
      spanID: '00000000000000c1',
      flags: 3,
      operationName: 'call',
      startTime: 1_000_000,
      duration: 250,
      warnings: null,
    });
    expect(s.references).toEqual([
      { refType: 'CHILD_OF', traceID: t.traceID, spanID: '00000000000000b1' },
      { refType: 'FOLLOWS_FROM', traceID: '00000000000000ee', spanID: '00000000000000ff' },
      { refType: 'CHILD_OF', traceID: '00000000000000ee', spanID: '00000000000000fe' },
    ]);
    expect(s.tags).toEqual([
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'http.path', type: 'string', value: '/x' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'otel.status_description', type: 'string', value: 'connection reset' },
      { key: 'peer.service', type: 'string', value: 'db' },
      { key: 'peer.ipv4', type: 'string', value: '10.0.0.2' },
      { key: 'peer.port', type: 'int64', value: 5432 },
    ]);
    expect(s.logs).toEqual([
      { timestamp: 1_000_010, fields: [{ key: 'event', type: 'string', value: 'retry' }] },
      {
        timestamp: 1_000_020,
        fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.type', type: 'string', value: 'Boom' },
          { key: 'attempt', type: 'int64', value: 2 },
        ],
      },
    ]);
    expect(t.processes).toEqual({
      p1: {
        serviceName: 'web',
        tags: [
          { key: 'ip', type: 'string', value: '10.0.0.1' },
          { key: 'port', type: 'int64', value: 8080 },
        ],
      },
    });
  });

  it('gives a span without a timestamp the earliest start of its trace', () => {
    const t = toUiTrace([
      { traceId: T, id: '0000000000000001', name: 'a', timestamp: 500, duration: 10 },
      { traceId: T, parentId: '0000000000000001', id: '0000000000000002', name: 'b' },
    ])!;
    expect(t.spans.map((s) => [s.operationName, s.startTime, s.duration])).toEqual([
      ['a', 500, 10],
      ['b', 500, 0],
    ]);
  });

  it('never answers a trace without spans', () => {
    expect(toUiTrace([])).toBeUndefined();
  });
});

describe('jaeger parameters', () => {
  it('parses Go durations to nanoseconds', () => {
    expect(parseGoDuration('1.2ms')).toBeCloseTo(1.2e6);
    expect(parseGoDuration('100us')).toBe(1e5);
    expect(parseGoDuration('100µs')).toBe(1e5);
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('250ns')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('10')).toThrow('time: missing unit');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
  });

  it('reads trace ids as 128-bit numbers, hex in any case or base64', () => {
    expect(parseJaegerTraceId('1')).toBe('0000000000000001');
    expect(parseJaegerTraceId('00000000000000000000000000000001')).toBe('0000000000000001');
    expect(parseJaegerTraceId('0000000000000000463AC35C9F6413AD')).toBe(T);
    expect(parseJaegerTraceId('10000000000000000')).toBe('00000000000000010000000000000000');
    expect(
      parseJaegerTraceId(Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64')),
    ).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(() => parseJaegerTraceId('1'.repeat(33))).toThrow(
      'TraceID cannot be longer than 32 hex characters',
    );
    expect(() => parseJaegerTraceId('xyz!')).toThrow('strconv.ParseUint: parsing "xyz!": invalid syntax');
  });
});
