import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../model/decode-error.js';
import type { Endpoint, Span } from '../../model/span.js';
import type { V1Annotation, V1BinaryAnnotation, V1Span } from './v1-span.js';
import { v1ToV2 } from './v1-to-v2.js';

const FRONTEND: Endpoint = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND: Endpoint = { serviceName: 'backend', ipv4: '172.17.0.9', port: 8080 };
const KAFKA: Endpoint = { serviceName: 'kafka', ipv4: '10.0.0.5', port: 9092 };

const T0 = 1_700_000_000_000_000;

function ann(offset: number, value: string, endpoint?: Endpoint): V1Annotation {
  return endpoint ? { timestamp: T0 + offset, value, endpoint } : { timestamp: T0 + offset, value };
}
function tag(key: string, value: string, endpoint?: Endpoint): V1BinaryAnnotation {
  return endpoint ? { key, value, type: 'STRING', endpoint } : { key, value, type: 'STRING' };
}
function addr(key: 'ca' | 'sa' | 'ma', endpoint: Endpoint): V1BinaryAnnotation {
  return { key, value: true, type: 'BOOL', endpoint };
}
function v1(fields: Partial<V1Span>): V1Span {
  return {
    traceId: '1',
    parentId: '2',
    id: '3',
    name: 'get',
    annotations: [],
    binaryAnnotations: [],
    ...fields,
  };
}
/** The fields every span converted from v1(...) carries. */
const IDS = {
  traceId: '0000000000000001',
  parentId: '0000000000000002',
  id: '0000000000000003',
  name: 'get',
};

describe('v1ToV2: RPC spans', () => {
  it('splits a client+server shared span: client owns the v1 timestamp, server is shared with sr..ss', () => {
    const spans = v1ToV2(
      v1({
        timestamp: T0,
        duration: 207_000,
        annotations: [
          ann(0, 'cs', FRONTEND),
          ann(39_000, 'ws', FRONTEND),
          ann(51_000, 'sr', BACKEND),
          ann(151_000, 'ss', BACKEND),
          ann(204_000, 'wr', FRONTEND),
          ann(207_000, 'cr', FRONTEND),
        ],
        binaryAnnotations: [
          tag('http.path', '/api', FRONTEND),
          tag('http.path', '/backend', BACKEND),
          tag('clnt/finagle.version', '6.45.0', FRONTEND),
          tag('srv/finagle.version', '6.44.0', BACKEND),
          addr('ca', FRONTEND),
          addr('sa', BACKEND),
        ],
      }),
    );
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        kind: 'CLIENT',
        timestamp: T0,
        duration: 207_000,
        localEndpoint: FRONTEND,
        remoteEndpoint: BACKEND,
        // ws/wr without messaging annotations are plain annotations
        annotations: [
          { timestamp: T0 + 39_000, value: 'ws' },
          { timestamp: T0 + 204_000, value: 'wr' },
        ],
        tags: { 'clnt/finagle.version': '6.45.0', 'http.path': '/api' },
      },
      {
        ...IDS,
        kind: 'SERVER',
        timestamp: T0 + 51_000,
        duration: 100_000,
        localEndpoint: BACKEND,
        remoteEndpoint: FRONTEND,
        tags: { 'http.path': '/backend', 'srv/finagle.version': '6.44.0' },
        shared: true,
      },
    ]);
  });

  it('loopback: cs and sr from one service still become a client and a shared server span', () => {
    const spans = v1ToV2(
      v1({
        timestamp: T0,
        duration: 207_000,
        annotations: [
          ann(0, 'cs', FRONTEND),
          ann(51_000, 'sr', FRONTEND),
          ann(151_000, 'ss', FRONTEND),
          ann(207_000, 'cr', FRONTEND),
        ],
      }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CLIENT', timestamp: T0, duration: 207_000, localEndpoint: FRONTEND },
      {
        ...IDS,
        kind: 'SERVER',
        timestamp: T0 + 51_000,
        duration: 100_000,
        localEndpoint: FRONTEND,
        shared: true,
      },
    ]);
  });

  it('one-way loopback (cs, sr, no cr, no v1 duration): neither side has a duration', () => {
    const spans = v1ToV2(v1({ annotations: [ann(0, 'cs', FRONTEND), ann(51_000, 'sr', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CLIENT', timestamp: T0, localEndpoint: FRONTEND },
      { ...IDS, kind: 'SERVER', timestamp: T0 + 51_000, localEndpoint: FRONTEND, shared: true },
    ]);
  });

  it('cs+cr without v1 timestamp: the client is timed by its annotations', () => {
    const spans = v1ToV2(v1({ annotations: [ann(0, 'cs', FRONTEND), ann(90, 'cr', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CLIENT', timestamp: T0, duration: 90, localEndpoint: FRONTEND },
    ]);
  });

  it('a lone cs makes a CLIENT span started at cs', () => {
    const spans = v1ToV2(v1({ annotations: [ann(5, 'cs', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CLIENT', timestamp: T0 + 5, localEndpoint: FRONTEND },
    ]);
  });

  it('a lone cr is kept as a plain annotation on a CLIENT span', () => {
    const spans = v1ToV2(v1({ annotations: [ann(90, 'cr', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        kind: 'CLIENT',
        localEndpoint: FRONTEND,
        annotations: [{ timestamp: T0 + 90, value: 'cr' }],
      },
    ]);
  });

  it('a lone cr with a v1 timestamp keeps cr as an annotation and takes the v1 timing', () => {
    const spans = v1ToV2(v1({ timestamp: T0, duration: 50, annotations: [ann(90, 'cr', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        kind: 'CLIENT',
        timestamp: T0,
        duration: 50,
        localEndpoint: FRONTEND,
        annotations: [{ timestamp: T0 + 90, value: 'cr' }],
      },
    ]);
  });

  it('recovers a missing cs when the v1 timestamp+duration ends exactly at cr (bridged data)', () => {
    const spans = v1ToV2(v1({ timestamp: T0, duration: 90, annotations: [ann(90, 'cr', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CLIENT', timestamp: T0, duration: 90, localEndpoint: FRONTEND },
    ]);
  });

  it('recovers a missing sr when the v1 timestamp+duration ends exactly at ss; the owner is not shared', () => {
    const spans = v1ToV2(v1({ timestamp: T0, duration: 90, annotations: [ann(90, 'ss', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', timestamp: T0, duration: 90, localEndpoint: BACKEND },
    ]);
  });

  it('a lone sr without a v1 timestamp is a shared SERVER span started at sr', () => {
    const spans = v1ToV2(v1({ annotations: [ann(10, 'sr', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', timestamp: T0 + 10, localEndpoint: BACKEND, shared: true },
    ]);
  });

  it('sr+ss without a v1 timestamp is shared and timed by sr..ss', () => {
    const spans = v1ToV2(v1({ annotations: [ann(10, 'sr', BACKEND), ann(60, 'ss', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', timestamp: T0 + 10, duration: 50, localEndpoint: BACKEND, shared: true },
    ]);
  });

  it('sr+ss with a v1 timestamp but no duration (a MySQL row shared with the client) is shared', () => {
    const spans = v1ToV2(
      v1({ timestamp: T0, annotations: [ann(10, 'sr', BACKEND), ann(60, 'ss', BACKEND)] }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', timestamp: T0 + 10, duration: 50, localEndpoint: BACKEND, shared: true },
    ]);
  });

  it('sr+ss with v1 timestamp and duration owns the span: not shared, v1 timing wins', () => {
    const spans = v1ToV2(
      v1({ timestamp: T0, duration: 70, annotations: [ann(10, 'sr', BACKEND), ann(60, 'ss', BACKEND)] }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', timestamp: T0, duration: 70, localEndpoint: BACKEND },
    ]);
  });

  it('a lone ss is kept as a plain annotation on a SERVER span', () => {
    const spans = v1ToV2(v1({ annotations: [ann(60, 'ss', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', localEndpoint: BACKEND, annotations: [{ timestamp: T0 + 60, value: 'ss' }] },
    ]);
  });

  it('core annotations without an endpoint are plain annotations and set no kind', () => {
    const spans = v1ToV2(v1({ annotations: [ann(0, 'cs'), ann(90, 'cr')] }));
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        annotations: [
          { timestamp: T0, value: 'cs' },
          { timestamp: T0 + 90, value: 'cr' },
        ],
      },
    ]);
  });

  it('annotations are processed in timestamp order whatever order they arrived in', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(151_000, 'ss', BACKEND), ann(51_000, 'sr', BACKEND), ann(0, 'cs', FRONTEND)] }),
    );
    // cs is earliest, so the frontend client is the first span
    expect(spans.map((s) => [s.kind, s.localEndpoint?.serviceName])).toEqual([
      ['CLIENT', 'frontend'],
      ['SERVER', 'backend'],
    ]);
  });
});

describe('v1ToV2: addresses', () => {
  it('sa becomes the client remote endpoint, ca the server remote endpoint', () => {
    const client = v1ToV2(
      v1({
        annotations: [ann(0, 'cs', FRONTEND), ann(9, 'cr', FRONTEND)],
        binaryAnnotations: [addr('sa', BACKEND)],
      }),
    );
    expect(client[0]?.remoteEndpoint).toEqual(BACKEND);
    const server = v1ToV2(
      v1({
        annotations: [ann(0, 'sr', BACKEND), ann(9, 'ss', BACKEND)],
        binaryAnnotations: [addr('ca', FRONTEND)],
      }),
    );
    expect(server).toHaveLength(1);
    expect(server[0]?.kind).toBe('SERVER');
    expect(server[0]?.remoteEndpoint).toEqual(FRONTEND);
  });

  it('sa on a client span known only by cr still becomes its remote endpoint', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(9, 'cr', FRONTEND)], binaryAnnotations: [addr('sa', BACKEND)] }),
    );
    expect(spans[0]?.remoteEndpoint).toEqual(BACKEND);
  });

  it("ca with the server's own service name loses the name (Finagle client socket), keeping the address", () => {
    const socket: Endpoint = { serviceName: 'backend', ipv4: '172.17.0.13', port: 53_000 };
    const spans = v1ToV2(
      v1({
        timestamp: T0,
        duration: 9,
        annotations: [ann(0, 'sr', BACKEND), ann(9, 'ss', BACKEND)],
        binaryAnnotations: [addr('ca', socket), addr('sa', BACKEND)],
      }),
    );
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        kind: 'SERVER',
        timestamp: T0,
        duration: 9,
        localEndpoint: BACKEND,
        remoteEndpoint: { ipv4: '172.17.0.13', port: 53_000 },
      },
    ]);
  });

  it('ca equal to the server endpoint is not a remote endpoint', () => {
    const spans = v1ToV2(
      v1({
        annotations: [ann(0, 'sr', BACKEND), ann(9, 'ss', BACKEND)],
        binaryAnnotations: [addr('ca', BACKEND)],
      }),
    );
    expect(spans[0]?.remoteEndpoint).toBeUndefined();
  });

  it('no core annotations, ca+sa: local is ca, remote is sa, no kind', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [addr('ca', FRONTEND), addr('sa', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, localEndpoint: FRONTEND, remoteEndpoint: BACKEND }]);
  });

  it('no core annotations, sa alone: only a remote endpoint, not a client span', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [addr('sa', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, remoteEndpoint: BACKEND }]);
  });

  it('no core annotations, ca alone: a SERVER span whose remote is ca', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [tag('lc', '', BACKEND), addr('ca', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'SERVER', localEndpoint: BACKEND, remoteEndpoint: FRONTEND },
    ]);
  });

  it('a BOOL false address is ignored, a string "1" address (zipkin-ruby) is accepted', () => {
    const ignored = v1ToV2(
      v1({ binaryAnnotations: [{ key: 'sa', value: false, type: 'BOOL', endpoint: BACKEND }] }),
    );
    expect(ignored).toStrictEqual<Span[]>([{ ...IDS }]);
    const lenient = v1ToV2(v1({ binaryAnnotations: [tag('sa', '1', BACKEND)] }));
    expect(lenient).toStrictEqual<Span[]>([{ ...IDS, remoteEndpoint: BACKEND }]);
  });

  it('an address binary annotation is never a tag', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [addr('sa', BACKEND)] }));
    expect(spans[0]?.tags).toBeUndefined();
  });
});

describe('v1ToV2: local spans and binary annotation types', () => {
  it('lc="" only sets the local endpoint', () => {
    const spans = v1ToV2(v1({ timestamp: T0, duration: 5, binaryAnnotations: [tag('lc', '', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, timestamp: T0, duration: 5, localEndpoint: FRONTEND }]);
  });

  it('a non-empty lc is an ordinary tag', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [tag('lc', 'cache', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, localEndpoint: FRONTEND, tags: { lc: 'cache' } }]);
  });

  it('only STRING binary annotations become tags: numbers, bytes and plain booleans are dropped', () => {
    const spans = v1ToV2(
      v1({
        binaryAnnotations: [
          tag('http.path', '/api', FRONTEND),
          { key: 'count', value: 3, type: 'OTHER', endpoint: FRONTEND },
          { key: 'blob', value: new Uint8Array([1, 2]), type: 'OTHER', endpoint: FRONTEND },
          { key: 'cached', value: true, type: 'BOOL', endpoint: FRONTEND },
        ],
      }),
    );
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, localEndpoint: FRONTEND, tags: { 'http.path': '/api' } }]);
  });

  it('tags come out in key order, as zipkin sorts v1 binary annotations by key', () => {
    const spans = v1ToV2(v1({ binaryAnnotations: [tag('z', '1', FRONTEND), tag('a', '2', FRONTEND)] }));
    expect(Object.keys(spans[0]?.tags ?? {})).toEqual(['a', 'z']);
  });
});

describe('v1ToV2: messaging', () => {
  it('ms alone: PRODUCER started at ms, remote is the broker (ma)', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(0, 'ms', FRONTEND)], binaryAnnotations: [addr('ma', KAFKA)] }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'PRODUCER', timestamp: T0, localEndpoint: FRONTEND, remoteEndpoint: KAFKA },
    ]);
  });

  it('ms+ws: the producer lasts until the wire send', () => {
    const spans = v1ToV2(v1({ annotations: [ann(0, 'ms', FRONTEND), ann(30, 'ws', FRONTEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'PRODUCER', timestamp: T0, duration: 30, localEndpoint: FRONTEND },
    ]);
  });

  it('mr alone: CONSUMER started at mr', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(50, 'mr', BACKEND)], binaryAnnotations: [addr('ma', KAFKA)] }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CONSUMER', timestamp: T0 + 50, localEndpoint: BACKEND, remoteEndpoint: KAFKA },
    ]);
  });

  it('wr+mr: the consumer runs from the wire receive to mr', () => {
    const spans = v1ToV2(v1({ annotations: [ann(40, 'wr', BACKEND), ann(50, 'mr', BACKEND)] }));
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'CONSUMER', timestamp: T0 + 40, duration: 10, localEndpoint: BACKEND },
    ]);
  });

  it('producer and consumer in one v1 span: split, consumer shared, both get the broker', () => {
    const spans = v1ToV2(
      v1({
        annotations: [
          ann(0, 'ms', FRONTEND),
          ann(30, 'ws', FRONTEND),
          ann(200, 'wr', BACKEND),
          ann(210, 'mr', BACKEND),
        ],
        binaryAnnotations: [addr('ma', KAFKA)],
      }),
    );
    expect(spans).toStrictEqual<Span[]>([
      {
        ...IDS,
        kind: 'PRODUCER',
        timestamp: T0,
        duration: 30,
        localEndpoint: FRONTEND,
        remoteEndpoint: KAFKA,
      },
      {
        ...IDS,
        kind: 'CONSUMER',
        timestamp: T0 + 200,
        duration: 10,
        localEndpoint: BACKEND,
        remoteEndpoint: KAFKA,
        shared: true,
      },
    ]);
  });

  it('producer and consumer of one service (loopback) still become two spans', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(0, 'ms', FRONTEND), ann(30, 'ws', FRONTEND), ann(210, 'mr', FRONTEND)] }),
    );
    expect(spans).toStrictEqual<Span[]>([
      { ...IDS, kind: 'PRODUCER', timestamp: T0, duration: 30, localEndpoint: FRONTEND },
      { ...IDS, kind: 'CONSUMER', timestamp: T0 + 210, localEndpoint: FRONTEND, shared: true },
    ]);
  });
});

describe('v1ToV2: splitting and identity', () => {
  it('one span per service name; data without an endpoint goes to the first span', () => {
    const spans = v1ToV2(
      v1({
        parentId: undefined,
        annotations: [
          ann(0, 'foo', FRONTEND),
          ann(10, 'bar', FRONTEND),
          ann(20, 'baz', BACKEND),
          ann(30, 'qux', BACKEND),
          ann(40, 'missing'),
        ],
        binaryAnnotations: [tag('foo', 'bar', FRONTEND), tag('baz', 'qux', BACKEND), tag('missing', '')],
      }),
    );
    const { parentId: _none, ...ids } = IDS;
    expect(spans).toStrictEqual<Span[]>([
      {
        ...ids,
        localEndpoint: FRONTEND,
        annotations: [
          { timestamp: T0, value: 'foo' },
          { timestamp: T0 + 10, value: 'bar' },
          { timestamp: T0 + 40, value: 'missing' },
        ],
        tags: { foo: 'bar', missing: '' },
      },
      {
        ...ids,
        localEndpoint: BACKEND,
        annotations: [
          { timestamp: T0 + 20, value: 'baz' },
          { timestamp: T0 + 30, value: 'qux' },
        ],
        tags: { baz: 'qux' },
      },
    ]);
  });

  it('endpoints are normalized: service names lowercased, IPv4-mapped IPv6 moved to ipv4', () => {
    const spans = v1ToV2(
      v1({ annotations: [ann(0, 'cs', { serviceName: 'FrontEnd', ipv6: '::ffff:10.1.2.3' })] }),
    );
    expect(spans[0]?.localEndpoint).toEqual({ serviceName: 'frontend', ipv4: '10.1.2.3' });
  });

  it('an empty endpoint is no endpoint: a core annotation carrying one is a plain annotation', () => {
    const spans = v1ToV2(v1({ annotations: [ann(0, 'cs', {})] }));
    expect(spans).toStrictEqual<Span[]>([{ ...IDS, annotations: [{ timestamp: T0, value: 'cs' }] }]);
  });

  it('joins trace_id_high into a 128-bit trace id, and ignores an all-zero high half', () => {
    const high = v1ToV2(v1({ traceIdHigh: '463ac35c9f6413ad', traceId: '48485a3953bb6124' }));
    expect(high[0]?.traceId).toBe('463ac35c9f6413ad48485a3953bb6124');
    const zero = v1ToV2(v1({ traceIdHigh: '0000000000000000', traceId: '48485a3953bb6124' }));
    expect(zero[0]?.traceId).toBe('48485a3953bb6124');
  });

  it('applies the v2 rules: name lowercased, debug kept, parentId equal to id dropped', () => {
    const spans = v1ToV2(v1({ name: 'GET /Api', debug: true, parentId: '3' }));
    expect(spans).toStrictEqual<Span[]>([
      { traceId: IDS.traceId, id: IDS.id, name: 'get /api', debug: true },
    ]);
  });

  it('rejects invalid ids and out-of-range ports with a DecodeError naming the field', () => {
    expect(() => v1ToV2(v1({ traceId: '0' }))).toThrow(new DecodeError('traceId must not be all zeros'));
    expect(() => v1ToV2(v1({ id: 'XYZ' }))).toThrow(DecodeError);
    expect(() => v1ToV2(v1({ annotations: [ann(0, 'cs', { serviceName: 'a', port: 70_000 })] }))).toThrow(
      /annotations\[0\]\.endpoint: invalid port 70000/,
    );
  });
});
