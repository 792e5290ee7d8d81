import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { model, option, TraceId } from 'zipkin';
import { DecodeError } from '../../model/decode-error.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span } from '../../model/span.js';
import { v1ToV2 } from '../v1/v1-to-v2.js';
import { v2ToV1 } from '../v1/v2-to-v1.js';
import { decodeThriftList, decodeThriftSpan, encodeThriftList, encodeThriftSpan } from './thrift-codec.js';

const require = createRequire(import.meta.url);
/** The zipkin-js thrift encoder (zipkin-encoder-thrift): one bare Span struct per call, TBinaryProtocol. */
const zipkinJsThrift = require('zipkin-encoder-thrift') as { encode(span: model.Span): Buffer };

// ---- hand-written TBinaryProtocol fixtures --------------------------------------------------------------
const T = { STOP: 0, BOOL: 2, BYTE: 3, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, LIST: 15 };
const bytes = (...parts: Array<Uint8Array | number[]>) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const header = (type: number, id: number) => bytes([type], i16(id));
const fI64hex = (id: number, hex: string) => bytes(header(T.I64, id), Buffer.from(hex, 'hex'));
const fI64 = (id: number, n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return bytes(header(T.I64, id), b);
};
const fI32 = (id: number, n: number) => bytes(header(T.I32, id), i32(n));
const fI16 = (id: number, n: number) => bytes(header(T.I16, id), i16(n));
const fBin = (id: number, v: string | Uint8Array | number[]) => {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
  return bytes(header(T.STRING, id), i32(b.length), b);
};
const fStruct = (id: number, ...fields: Uint8Array[]) => bytes(header(T.STRUCT, id), ...fields, [T.STOP]);
const fList = (id: number, structs: Uint8Array[]) =>
  bytes(header(T.LIST, id), [T.STRUCT], i32(structs.length), ...structs);
const struct = (...fields: Uint8Array[]) => bytes(...fields, [T.STOP]);
const list = (...spans: Uint8Array[]) => bytes([T.STRUCT], i32(spans.length), ...spans);

const TRACE = '463ac35c9f6413ad';
const ID = '72485a3953bb6124';
const ids = [fI64hex(1, TRACE), fI64hex(4, ID)];

// ---- model fixtures ----------------------------------------------------------------------------------------
const client: Span = normalizeSpan({
  traceId: TRACE,
  parentId: '463ac35c9f6413ad',
  id: ID,
  kind: 'CLIENT',
  name: 'get-traces',
  timestamp: 1472470996199000,
  duration: 207000,
  localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.101', ipv6: '2001:db8::c001', port: 9000 },
  remoteEndpoint: { serviceName: 'backend', ipv4: '172.17.0.13', port: 65535 },
  annotations: [
    { timestamp: 1472470996238000, value: 'foo' },
    { timestamp: 1472470996403000, value: 'bar' },
  ],
  tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0', empty: '' },
  debug: true,
});

const sharedServer: Span = normalizeSpan({
  traceId: '5af7183fb1d4cf5f463ac35c9f6413ad',
  parentId: '0000000000000002',
  id: '0000000000000003',
  kind: 'SERVER',
  name: 'post',
  timestamp: 1472470996250000,
  duration: 100,
  localEndpoint: { serviceName: 'backend', ipv6: 'fe80::1', port: 32768 },
  remoteEndpoint: { ipv4: '10.0.0.1', port: 1 },
  shared: true,
});

const spansOfEveryKind: Span[] = [
  client,
  sharedServer,
  normalizeSpan({
    traceId: 'a',
    id: 'b',
    kind: 'PRODUCER',
    timestamp: 10,
    duration: 5,
    localEndpoint: { serviceName: 'p' },
    remoteEndpoint: { serviceName: 'kafka' },
  }),
  normalizeSpan({
    traceId: 'a',
    id: 'c',
    parentId: 'b',
    kind: 'CONSUMER',
    timestamp: 20,
    duration: 5,
    localEndpoint: { serviceName: 'c' },
    remoteEndpoint: { serviceName: 'kafka' },
  }),
  normalizeSpan({
    traceId: 'a',
    id: 'd',
    name: 'local',
    timestamp: 30,
    duration: 1,
    localEndpoint: { serviceName: 'c' },
  }),
  normalizeSpan({ traceId: '1', id: '2' }),
];

/** What a trip through the v1 model gives, the reference for thrift round trips. */
const throughV1 = (spans: Span[]) => spans.flatMap((s) => v1ToV2(v2ToV1(s)));

describe('thrift codec round trips (through the v1 model)', () => {
  it('round-trips every kind, 64 and 128-bit ids, IPv4/IPv6, ports, annotations, tags and debug', () => {
    expect(decodeThriftList(encodeThriftList(spansOfEveryKind))).toEqual(throughV1(spansOfEveryKind));
  });

  it('round-trips a complete client span exactly', () => {
    expect(decodeThriftList(encodeThriftList([client]))).toEqual([client]);
  });

  it('keeps shared, the 128-bit trace id and the unsigned port of a server span', () => {
    const [span] = decodeThriftList(encodeThriftList([sharedServer]));
    expect(span).toEqual(sharedServer);
  });

  it('round-trips one bare span struct', () => {
    expect(decodeThriftSpan(encodeThriftSpan(client))).toEqual([client]);
  });

  it('decodes an empty body and an empty list to no spans', () => {
    expect(decodeThriftList(new Uint8Array(0))).toEqual([]);
    expect(decodeThriftList(encodeThriftList([]))).toEqual([]);
  });

  it('writes the list header zipkin writes: type 12 (struct) then a big-endian i32 count', () => {
    const encoded = encodeThriftList([client, client]);
    expect([...encoded.subarray(0, 5)]).toEqual([12, 0, 0, 0, 2]);
  });
});

describe('thrift codec against zipkin-js (zipkin-encoder-thrift)', () => {
  function zipkinJsSpan(traceId: string, spanId: string, parentId?: string): model.Span {
    const id = new TraceId({
      traceId,
      spanId,
      parentId: parentId ? new option.Some(parentId) : option.None,
      sampled: new option.Some(true),
    });
    return new model.Span(id);
  }

  it('decodes a client span with every field zipkin-js writes', () => {
    const span = zipkinJsSpan(TRACE, ID, '0000000000000001');
    span.setName('GET');
    span.setKind('CLIENT');
    span.setTimestamp(1472470996199000);
    span.setDuration(207000);
    span.setLocalEndpoint(
      new model.Endpoint({ serviceName: 'Frontend', ipv4: '192.168.99.101', port: 9000 }),
    );
    span.setRemoteEndpoint(new model.Endpoint({ serviceName: 'backend', ipv4: '172.17.0.13', port: 50000 }));
    span.addAnnotation(1472470996238000, 'retry');
    span.putTag('http.path', '/api');
    span.setDebug(true);
    const encoded = zipkinJsThrift.encode(span);

    const expected: Span = {
      traceId: TRACE,
      parentId: '0000000000000001',
      id: ID,
      kind: 'CLIENT',
      name: 'get',
      timestamp: 1472470996199000,
      duration: 207000,
      localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.101', port: 9000 },
      remoteEndpoint: { serviceName: 'backend', ipv4: '172.17.0.13', port: 50000 },
      annotations: [{ timestamp: 1472470996238000, value: 'retry' }],
      tags: { 'http.path': '/api' },
      debug: true,
    };
    expect(decodeThriftSpan(encoded)).toEqual([expected]);
    expect(decodeThriftList(list(encoded))).toEqual([expected]);
  });

  it('decodes a 128-bit trace id split into trace_id_high and a shared server span', () => {
    const span = zipkinJsSpan('5af7183fb1d4cf5f463ac35c9f6413ad', '0000000000000003');
    span.setKind('SERVER');
    span.setShared(true);
    span.setTimestamp(1472470996250000);
    span.setDuration(100);
    span.setLocalEndpoint(new model.Endpoint({ serviceName: 'backend', port: 8080 }));
    span.setRemoteEndpoint(new model.Endpoint({ ipv4: '10.0.0.1' }));
    const [decoded] = decodeThriftList(list(zipkinJsThrift.encode(span)));
    expect(decoded).toEqual({
      traceId: '5af7183fb1d4cf5f463ac35c9f6413ad',
      id: '0000000000000003',
      kind: 'SERVER',
      timestamp: 1472470996250000,
      duration: 100,
      localEndpoint: { serviceName: 'backend', port: 8080 },
      remoteEndpoint: { ipv4: '10.0.0.1' },
      shared: true,
    });
  });

  it('decodes several zipkin-js spans in one list', () => {
    const a = zipkinJsSpan('000000000000000a', '000000000000000b');
    a.setLocalEndpoint(new model.Endpoint({ serviceName: 'a' }));
    a.putTag('k', 'v');
    const b = zipkinJsSpan('000000000000000a', '000000000000000c', '000000000000000b');
    b.setName('child');
    b.setLocalEndpoint(new model.Endpoint({ serviceName: 'b' }));
    b.addAnnotation(5, 'x');
    // The zipkin-js encoder reuses its output buffer between calls; copy each result.
    const encoded = [Buffer.from(zipkinJsThrift.encode(a)), Buffer.from(zipkinJsThrift.encode(b))];
    expect(decodeThriftList(list(...encoded))).toEqual([
      {
        traceId: '000000000000000a',
        id: '000000000000000b',
        localEndpoint: { serviceName: 'a' },
        tags: { k: 'v' },
      },
      {
        traceId: '000000000000000a',
        parentId: '000000000000000b',
        id: '000000000000000c',
        name: 'child',
        localEndpoint: { serviceName: 'b' },
        annotations: [{ timestamp: 5, value: 'x' }],
      },
    ]);
  });
});

describe('thrift decoding of hand-written structs', () => {
  const server = (...extra: Uint8Array[]) =>
    fStruct(3, fI32(1, (10 << 24) | 1), fI16(2, -1), fBin(3, 'Backend'), ...extra);

  it('reads ipv4 as an i32, an unsigned port, ipv6 bytes and lowercases the service name', () => {
    const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x01];
    const span = struct(...ids, fList(6, [struct(fI64(1, 100), fBin(2, 'sr'), server(fBin(4, ipv6)))]));
    expect(decodeThriftList(list(span))).toEqual([
      {
        traceId: TRACE,
        id: ID,
        kind: 'SERVER',
        timestamp: 100,
        localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.1', ipv6: '2001:db8::c001', port: 65535 },
        shared: true,
      },
    ]);
  });

  it('joins trace_id_high with trace_id and ignores a zero trace_id_high', () => {
    const withHigh = struct(...ids, fI64hex(12, '5af7183fb1d4cf5f'));
    const zeroHigh = struct(...ids, fI64hex(12, '0000000000000000'));
    expect(decodeThriftList(list(withHigh, zeroHigh)).map((s) => s.traceId)).toEqual([
      `5af7183fb1d4cf5f${TRACE}`,
      TRACE,
    ]);
  });

  it('reads a BOOL address only when its value is the byte 1, and keeps only STRING tags', () => {
    const ba = (key: string, value: number[] | string, type: number) =>
      struct(fBin(1, key), fBin(2, value), fI32(3, type), fStruct(4, fBin(3, key === 'sa' ? 'db' : 'x')));
    const span = struct(
      ...ids,
      fBin(3, 'query'),
      fList(8, [
        ba('sa', [1], 0),
        ba('ca', [0], 0), // BOOL false: not an address
        ba('retries', [0, 0, 0, 3], 3), // I32: dropped, as zipkin does
        ba('bytes', [1, 2], 1), // BYTES: dropped
        ba('http.method', 'GET', 6),
      ]),
    );
    expect(decodeThriftList(list(span))).toEqual([
      {
        traceId: TRACE,
        id: ID,
        name: 'query',
        localEndpoint: { serviceName: 'x' },
        remoteEndpoint: { serviceName: 'db' },
        tags: { 'http.method': 'GET' },
      },
    ]);
  });

  it('reads debug only when the byte is 1, timestamp, duration and parent_id', () => {
    const span = (debugByte: number) =>
      struct(
        ...ids,
        fI64hex(5, '0000000000000009'),
        bytes(header(T.BOOL, 9), [debugByte]),
        fI64(10, 7),
        fI64(11, 3),
      );
    expect(decodeThriftList(list(span(1), span(2)))).toEqual([
      { traceId: TRACE, parentId: '0000000000000009', id: ID, timestamp: 7, duration: 3, debug: true },
      { traceId: TRACE, parentId: '0000000000000009', id: ID, timestamp: 7, duration: 3 },
    ]);
  });

  it('skips unknown fields and known ids sent with another type, and drops incomplete annotations', () => {
    const span = struct(
      fI64hex(1, TRACE),
      fBin(2, 'unknown field 2'),
      bytes(header(T.LIST, 7), [T.I32], i32(2), i32(1), i32(2)), // unknown list field
      fI32(3, 5), // name (3) as an i32: not the name
      fI64hex(4, ID),
      fStruct(20, fBin(1, 'nested unknown struct')),
      fList(6, [struct(fBin(2, 'no timestamp')), struct(fI64(1, 9)), struct(fI64(1, 8), fBin(2, 'ok'))]),
    );
    expect(decodeThriftList(list(span))).toEqual([
      { traceId: TRACE, id: ID, annotations: [{ timestamp: 8, value: 'ok' }] },
    ]);
  });

  it('accepts the list type 11 an old zipkin-reporter-java wrote (openzipkin/zipkin-reporter-java#133)', () => {
    const body = bytes([T.STRING], i32(1), struct(...ids));
    expect(decodeThriftList(body)).toEqual([{ traceId: TRACE, id: ID }]);
  });
});

describe('thrift codec rejects bad input with DecodeError', () => {
  function rejects(body: Uint8Array, message: RegExp, decode: (b: Uint8Array) => unknown = decodeThriftList) {
    let error: unknown;
    try {
      decode(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(message);
  }
  const prefix = /^Malformed reading List<Span> from TBinaryProtocol: /;

  it('rejects every truncation of a valid body', () => {
    const good = encodeThriftList([client, sharedServer]);
    for (let n = 1; n < good.length; n++) rejects(good.subarray(0, n), prefix);
  });

  it('fails fast on a 5-byte body declaring 2^31-1 spans', () => {
    rejects(
      bytes([T.STRUCT], i32(0x7fffffff)),
      /list at byte 5 declares 2147483647 elements but only 0 bytes remain/,
    );
  });

  it('rejects huge declared sizes inside a span', () => {
    rejects(
      list(bytes(fI64hex(1, TRACE), header(T.STRING, 3), i32(0x7fffffff), [1, 2, 3])),
      /span\[0\]: truncated input: needed 2147483647 bytes/,
    );
    rejects(
      list(bytes(...ids, header(T.LIST, 6), [T.STRUCT], i32(0x7fffffff), [0])),
      /declares 2147483647 elements but only 1 bytes remain/,
    );
    rejects(
      list(bytes(...ids, header(T.LIST, 8), [T.STRUCT], i32(-5))),
      /list at byte \d+ declares an invalid size -5/,
    );
    rejects(list(bytes(header(T.STRING, 3), i32(-1))), /Negative string size/);
  });

  it('rejects garbage bytes', () => {
    rejects(Buffer.from('\f not thrift at all, but a string that starts like a list', 'latin1'), prefix);
    rejects(bytes([T.I32], i32(1), [0]), /expected a list of structs \(type 12\) but the list type was 8/);
    rejects(list(bytes([99], i16(1), [0])), /Invalid type: 99/);
  });

  it('rejects unknown fields nested deeper than the skip limit instead of overflowing the stack', () => {
    const nested = Array.from({ length: 200 }, () => bytes([T.LIST], i32(1))); // list<list<list<...>>>
    rejects(list(bytes(...ids, header(T.LIST, 30), ...nested)), /Maximum skip depth exceeded/);
  });

  it('rejects spans without ids or with ids zipkin refuses', () => {
    rejects(list(struct(fI64hex(4, ID))), /span\[0\]: span is missing trace_id \(field 1\)/);
    rejects(list(struct(fI64hex(1, TRACE))), /span is missing id \(field 4\)/);
    rejects(
      list(struct(fI64hex(1, '0000000000000000'), fI64hex(4, ID))),
      /span\[0\]: traceId must not be all zeros/,
    );
  });

  it('names a bare span in the message', () => {
    rejects(struct(fI64hex(1, TRACE)), /^Malformed reading Span from TBinaryProtocol: /, decodeThriftSpan);
  });
});
