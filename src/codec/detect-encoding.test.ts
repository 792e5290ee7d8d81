import { describe, expect, it } from 'vitest';
import { DecodeError } from '../model/decode-error.js';
import type { Span } from '../model/span.js';
import { decodeDetectedSpans, decodeSpans, detectEncoding } from './detect-encoding.js';
import { encodeJsonV1List } from './json-v1/json-v1-codec.js';
import { encodeJsonV2List } from './json-v2/json-v2-codec.js';
import { encodeProto3List } from './proto3/proto3-codec.js';
import { encodeThriftList } from './thrift/thrift-codec.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const SPAN: Span = {
  traceId: '86154a4ba6e91385',
  id: '4d1e00c0db9010db',
  kind: 'CLIENT',
  name: 'get',
  timestamp: 1472470996199000,
  duration: 207000,
  localEndpoint: { serviceName: 'frontend', ipv4: '127.0.0.1' },
  remoteEndpoint: { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 },
  tags: { 'http.path': '/api' },
};

describe('detectEncoding', () => {
  it('binary formats by first byte: 12 or 11 is a thrift list, 10 then non-zero is proto3', () => {
    expect(detectEncoding(new Uint8Array([12, 0, 0, 0, 1]))).toBe('THRIFT');
    expect(detectEncoding(new Uint8Array([11, 0, 0, 0, 1]))).toBe('THRIFT');
    expect(detectEncoding(new Uint8Array([10, 5, 1, 2, 3, 4, 5]))).toBe('PROTO3');
  });

  it('JSON v2 when v2-only keys are present', () => {
    expect(detectEncoding(utf8(encodeJsonV2List([SPAN])))).toBe('JSON_V2');
    expect(detectEncoding(utf8('[{"traceId":"a","id":"b","tags":{"k":"v"}}]'))).toBe('JSON_V2');
    expect(detectEncoding(utf8('[{"traceId":"a","id":"b","kind" : "SERVER"}]'))).toBe('JSON_V2');
    // a tag key named "endpoint" does not make it v1
    expect(detectEncoding(utf8('[{"traceId":"a","id":"b","tags":{"endpoint":"/x"}}]'))).toBe('JSON_V2');
  });

  it('JSON v1 when binaryAnnotations or annotation endpoints are present', () => {
    expect(detectEncoding(utf8(encodeJsonV1List([SPAN])))).toBe('JSON_V1');
    expect(detectEncoding(utf8('[{"traceId":"a","id":"b","binaryAnnotations":[]}]'))).toBe('JSON_V1');
    expect(
      detectEncoding(
        utf8(
          '[{"traceId":"a","id":"b","annotations":[{"timestamp":1,"value":"cs","endpoint":{"serviceName":"x"}}]}]',
        ),
      ),
    ).toBe('JSON_V1');
    // "tags" as a binary annotation key is a value, not a field
    expect(
      detectEncoding(utf8('[{"traceId":"a","id":"b","binaryAnnotations":[{"key":"tags","value":"kind"}]}]')),
    ).toBe('JSON_V1');
  });

  it('JSON with neither marker (decodes the same either way) is v2; leading whitespace is allowed', () => {
    expect(detectEncoding(utf8('[{"traceId":"a","id":"b","name":"x"}]'))).toBe('JSON_V2');
    expect(detectEncoding(utf8('  \r\n[]'))).toBe('JSON_V2');
  });

  it('anything else is a DecodeError naming what was seen', () => {
    expect(() => detectEncoding(utf8('{"traceId":"a"}'))).toThrow(
      new DecodeError(
        "Expected a JSON, PROTO3 or THRIFT encoded span list, but the message starts with '{' (0x7b)",
      ),
    );
    expect(() => detectEncoding(new Uint8Array([10, 0]))).toThrow(/starts with byte 0x00/);
    expect(() => detectEncoding(new Uint8Array([0xff, 1]))).toThrow(/starts with byte 0xff/);
    expect(() => detectEncoding(new Uint8Array(0))).toThrow(DecodeError);
  });
});

describe('decodeSpans', () => {
  it('decodes every encoding to the same span', () => {
    const bodies: Uint8Array[] = [
      utf8(encodeJsonV2List([SPAN])),
      utf8(encodeJsonV1List([SPAN])),
      encodeThriftList([SPAN]),
      encodeProto3List([SPAN]),
    ];
    for (const body of bodies) {
      expect(decodeSpans(body, detectEncoding(body))).toStrictEqual([SPAN]);
    }
  });

  it('decodeDetectedSpans detects and decodes; an empty message is no spans', () => {
    expect(decodeDetectedSpans(encodeThriftList([SPAN]))).toStrictEqual([SPAN]);
    expect(decodeDetectedSpans(utf8(encodeJsonV1List([SPAN])))).toStrictEqual([SPAN]);
    expect(decodeDetectedSpans(new Uint8Array(0))).toEqual([]);
    expect(() => decodeDetectedSpans(utf8('hello'))).toThrow(/starts with 'h'/);
  });

  it('passes decoder errors through', () => {
    expect(() => decodeSpans(utf8('[{"traceId":"a","id":"b","binaryAnnotations":[]}]'), 'JSON_V2')).toThrow(
      'Expected a JSON_V2 encoded list, but received: JSON_V1',
    );
  });
});
