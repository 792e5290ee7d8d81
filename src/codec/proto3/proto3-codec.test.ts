import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../model/decode-error.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span } from '../../model/span.js';
import {
  decodeProto3List,
  decodeProto3Span,
  encodeProto3List,
  encodeProto3Span,
  listOfSpansType,
  proto3MessageToSpans,
} from './proto3-codec.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** A length-delimited field: key byte (hex), then the length (one varint byte; fixtures stay < 128), then content. */
const ld = (key: string, content: string) => {
  const n = content.replace(/\s+/g, '').length / 2;
  if (n > 127) throw new Error('fixture too long for a one-byte length');
  return `${key} ${n.toString(16).padStart(2, '0')} ${content}`;
};

/** Every field set, 64-bit ids, IPv4 local and IPv6 remote endpoint. */
const client: Span = normalizeSpan({
  traceId: '463ac35c9f6413ad',
  parentId: '463ac35c9f6413ad',
  id: '72485a3953bb6124',
  kind: 'CLIENT',
  name: 'get-traces',
  timestamp: 1472470996199000,
  duration: 207000,
  localEndpoint: { serviceName: 'frontend', ipv4: '127.0.0.1', port: 8080 },
  remoteEndpoint: { serviceName: 'backend', ipv6: '2001:db8::c001', port: 65535 },
  annotations: [
    { timestamp: 1472470996238000, value: 'ws' },
    { timestamp: 1472470996403000, value: 'wr' },
  ],
  tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0', empty: '' },
  debug: true,
});

/** 128-bit trace id, a shared SERVER with both address families on one endpoint. */
const server: Span = normalizeSpan({
  traceId: '5af7183fb1d4cf5f463ac35c9f6413ad',
  id: '0000000000000001',
  kind: 'SERVER',
  name: 'post',
  timestamp: 1,
  duration: 1,
  localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2', ipv6: 'fe80::1', port: 1 },
  shared: true,
});

describe('proto3 codec round trips', () => {
  it('round-trips a list with every field, 64 and 128-bit ids, IPv4 and IPv6', () => {
    expect(decodeProto3List(encodeProto3List([client, server]))).toEqual([client, server]);
  });

  it.each(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'] as const)('round-trips kind %s', (kind) => {
    const span = normalizeSpan({ traceId: 'a', id: 'b', kind, localEndpoint: { serviceName: 's' } });
    expect(decodeProto3List(encodeProto3List([span]))).toEqual([span]);
  });

  it('round-trips a minimal span without optional fields', () => {
    const span = normalizeSpan({ traceId: '1', id: '2' });
    expect(span).toEqual({ traceId: '0000000000000001', id: '0000000000000002' });
    expect(decodeProto3List(encodeProto3List([span]))).toEqual([span]);
  });

  it('round-trips one bare Span message', () => {
    expect(decodeProto3Span(encodeProto3Span(server))).toEqual(server);
  });

  it('decodes an empty body and an empty list to no spans', () => {
    expect(decodeProto3List(new Uint8Array(0))).toEqual([]);
    expect(decodeProto3List(encodeProto3List([]))).toEqual([]);
  });
});

describe('proto3 wire format (hand-encoded per zipkin.proto)', () => {
  // ListOfSpans{ spans(1): Span{ trace_id(1)=8 bytes, id(3)=8 bytes, kind(4)=SERVER, name(5)="get",
  //   timestamp(6) fixed64, duration(7) varint 150, local_endpoint(8){ service_name(1)="a",
  //   ipv4(2)=7f000001, port(4)=80 }, annotations(10){ timestamp(1) fixed64 2, value(2)="x" },
  //   tags(11){ key "k" value "v" }, debug(12)=1, shared(13)=1 } }
  const span = [
    '0a 08 0000000000000001', // trace_id
    '1a 08 0000000000000002', // id
    '20 02', // kind SERVER
    '2a 03 676574', // name
    '31 0100000000000000', // timestamp 1 (fixed64 little-endian)
    '38 9601', // duration 150
    ld('42', '0a0161 1204 7f000001 2050'), // local_endpoint
    ld('52', '09 0200000000000000 1201 78'), // annotation
    ld('5a', '0a016b 120176'), // tags
    '60 01', // debug
    '68 01', // shared
  ].join('');
  const spanBytes = hex(span);
  const list = new Uint8Array([0x0a, spanBytes.length, ...spanBytes]);

  const expected: Span = {
    traceId: '0000000000000001',
    id: '0000000000000002',
    kind: 'SERVER',
    name: 'get',
    timestamp: 1,
    duration: 150,
    localEndpoint: { serviceName: 'a', ipv4: '127.0.0.1', port: 80 },
    annotations: [{ timestamp: 2, value: 'x' }],
    tags: { k: 'v' },
    debug: true,
    shared: true,
  };

  it('decodes hand-encoded bytes to the expected span', () => {
    expect(decodeProto3List(list)).toEqual([expected]);
  });

  it('encodes to bytes a hand-written decoder would read back (same field numbers and wire types)', () => {
    // Field order on the wire is the field-number order, exactly as in the hand-written fixture.
    expect(Buffer.from(encodeProto3List([expected])).toString('hex')).toBe(Buffer.from(list).toString('hex'));
  });

  it('reads a trace id whose high 8 bytes are zero as a 64-bit id', () => {
    const bytes = hex(ld('0a', '0a10 00000000000000000000000000000009 1a08 0000000000000003'));
    expect(decodeProto3List(bytes)).toEqual([{ traceId: '0000000000000009', id: '0000000000000003' }]);
  });

  it('moves an IPv4-mapped IPv6 address to ipv4 and drops ips of the wrong length', () => {
    const endpoint = '1a10 00000000000000000000ffff0a000001 1203 010203';
    const bytes = hex(ld('0a', `0a08 0000000000000001 1a08 0000000000000002 ${ld('42', endpoint)}`));
    expect(decodeProto3List(bytes)[0]?.localEndpoint).toEqual({ ipv4: '10.0.0.1' });
  });

  it('ignores an unknown kind number and unknown fields, as zipkin does', () => {
    // kind 9, and field 111 (varint key f8 06) with value 1
    const bytes = hex(ld('0a', '0a08 0000000000000001 1a08 0000000000000002 2009 f80601'));
    expect(decodeProto3List(bytes)).toEqual([{ traceId: '0000000000000001', id: '0000000000000002' }]);
  });

  it('exposes the ListOfSpans type for the gRPC service', () => {
    const message = listOfSpansType.decode(encodeProto3List([client]));
    expect(proto3MessageToSpans(message)).toEqual([client]);
  });
});

describe('proto3 codec rejects bad input with DecodeError', () => {
  const good = encodeProto3List([client, server]);

  function rejects(bytes: Uint8Array, message: RegExp) {
    let error: unknown;
    try {
      decodeProto3List(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(/^Malformed reading List<Span> from proto3: /);
    expect((error as Error).message).toMatch(message);
  }

  it('rejects every truncation of a valid body', () => {
    for (let n = 1; n < good.length; n++) {
      // Some prefixes end exactly at a span boundary and are a valid shorter list; all others must fail.
      let result: Span[] | undefined;
      try {
        result = decodeProto3List(good.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as Error).message).toMatch(/^Malformed reading List<Span> from proto3: /);
      }
      if (result) expect(result).toEqual([client]);
    }
  });

  it('rejects a declared length far beyond the body without allocating it', () => {
    rejects(hex('0a ffffffff07 00'), /ListOfSpans.spans declares 2147483647 bytes but only 1 remain/);
  });

  it('rejects garbage bytes', () => {
    rejects(hex('0aff'), /index out of range/);
    rejects(hex('0f 01'), /invalid wire type 7/);
    rejects(Uint8Array.from(Buffer.from('not a protobuf message', 'utf8')), /./);
  });

  it('rejects a known field sent with the wrong wire type', () => {
    // trace_id (field 1) as a varint instead of length-delimited bytes.
    rejects(
      hex(ld('0a', '0801 1a08 0000000000000002')),
      /spans\[0\]\.traceId \(field 1\) has wire type 0 but should be 2/,
    );
    // annotations timestamp (field 1) as a varint instead of fixed64.
    rejects(
      hex(ld('0a', '0a08 0000000000000001 1a08 0000000000000002 5202 0801')),
      /annotations\[0\]\.timestamp \(field 1\) has wire type 0 but should be 1/,
    );
    // spans (field 1 of ListOfSpans) as fixed64.
    rejects(hex('09 0000000000000000'), /ListOfSpans\.spans \(field 1\) has wire type 1 but should be 2/);
  });

  it('rejects groups, which proto3 does not have', () => {
    rejects(hex(ld('0a', '0a08 0000000000000001 1a08 0000000000000002 5b5c')), /group|wire type/);
    rejects(hex('0b 0c'), /group|wire type/);
  });

  it('rejects ids of the wrong length and spans failing model rules', () => {
    rejects(
      hex(ld('0a', '0a03 010203 1a08 0000000000000002')),
      /spans\[0\]: traceId should be 8 or 16 bytes but was 3/,
    );
    rejects(hex(ld('0a', '0a08 0000000000000001')), /spans\[0\]: id is required/);
    rejects(hex(ld('0a', '0a08 0000000000000000 1a08 0000000000000002')), /traceId must not be all zeros/);
    rejects(
      hex(ld('0a', `0a08 0000000000000001 1a08 0000000000000002 ${ld('42', '20c0c407')}`)),
      /localEndpoint: invalid port 123456/,
    );
  });

  it('names the failing message for a bare span', () => {
    expect(() => decodeProto3Span(hex('0aff'))).toThrow(/^Malformed reading Span from proto3: /);
  });
});
