import { describe, expect, it } from 'vitest';
import { encodeJsonV2List } from '../../codec/json-v2/json-v2-codec.js';
import { encodeProto3List } from '../../codec/proto3/proto3-codec.js';
import { encodeThriftList, encodeThriftSpan } from '../../codec/thrift/thrift-codec.js';
import type { Span } from '../../model/span.js';
import { decodeKafkaRecord } from './kafka-transport.js';

const span: Span = {
  traceId: '00000000000000010000000000000002',
  id: '0000000000000003',
  name: 'get',
  timestamp: 1_700_000_000_000_000,
  duration: 10,
  localEndpoint: { serviceName: 'a' },
};

describe('decodeKafkaRecord', () => {
  it('reads a span list in every encoding, and one bare Thrift span (the legacy record)', () => {
    expect(decodeKafkaRecord(Buffer.from(encodeJsonV2List([span])))).toEqual([span]);
    expect(decodeKafkaRecord(encodeProto3List([span]))).toEqual([span]);
    expect(decodeKafkaRecord(encodeThriftList([span]))).toEqual([span]);
    // A bare span starts with its trace_id field header (i64, type 10, id 1): 0x0a 0x00, not proto3.
    const bare = encodeThriftSpan(span);
    expect(bare[0]).toBe(10);
    expect(decodeKafkaRecord(bare)).toEqual([span]);
  });

  it('reads an empty record as no spans and refuses bytes that are no encoding', () => {
    expect(decodeKafkaRecord(new Uint8Array(0))).toEqual([]);
    expect(() => decodeKafkaRecord(Buffer.from('hello'))).toThrow(/Expected a JSON, PROTO3 or THRIFT/);
  });
});
