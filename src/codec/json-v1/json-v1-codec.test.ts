import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../model/decode-error.js';
import type { Span } from '../../model/span.js';
import { decodeJsonV2List } from '../json-v2/json-v2-codec.js';
import { decodeJsonV1List, encodeJsonV1List } from './json-v1-codec.js';

const FRONTEND = '{"serviceName":"frontend","ipv4":"172.17.0.13"}';
const BACKEND = '{"serviceName":"backend","ipv4":"172.17.0.9","port":8080}';

/** A v1 span as a Finagle-era tracer reported it: client and server sides in one span. */
const SHARED_RPC = `[{
  "traceId": "86154a4ba6e91385", "name": "get", "id": "4d1e00c0db9010db", "parentId": "86154a4ba6e91385",
  "timestamp": 1472470996199000, "duration": 207000,
  "annotations": [
    {"timestamp": 1472470996199000, "value": "cs", "endpoint": ${FRONTEND}},
    {"timestamp": 1472470996250000, "value": "sr", "endpoint": ${BACKEND}},
    {"timestamp": 1472470996350000, "value": "ss", "endpoint": ${BACKEND}},
    {"timestamp": 1472470996406000, "value": "cr", "endpoint": ${FRONTEND}}
  ],
  "binaryAnnotations": [
    {"key": "http.path", "value": "/api", "endpoint": ${FRONTEND}},
    {"key": "ca", "value": true, "endpoint": ${FRONTEND}},
    {"key": "sa", "value": true, "endpoint": ${BACKEND}}
  ]
}]`;

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeJsonV1List', () => {
  it('converts a shared client+server v1 span into a client span and a shared server span', () => {
    const spans = decodeJsonV1List(new TextEncoder().encode(SHARED_RPC));
    const ids = {
      traceId: '86154a4ba6e91385',
      parentId: '86154a4ba6e91385',
      id: '4d1e00c0db9010db',
      name: 'get',
    };
    expect(spans).toStrictEqual<Span[]>([
      {
        ...ids,
        kind: 'CLIENT',
        timestamp: 1472470996199000,
        duration: 207000,
        localEndpoint: { serviceName: 'frontend', ipv4: '172.17.0.13' },
        remoteEndpoint: { serviceName: 'backend', ipv4: '172.17.0.9', port: 8080 },
        tags: { 'http.path': '/api' },
      },
      {
        ...ids,
        kind: 'SERVER',
        timestamp: 1472470996250000,
        duration: 100000,
        localEndpoint: { serviceName: 'backend', ipv4: '172.17.0.9', port: 8080 },
        remoteEndpoint: { serviceName: 'frontend', ipv4: '172.17.0.13' },
        shared: true,
      },
    ]);
  });

  it('binary annotation values: strings are tags, true ca/sa/ma are addresses, the rest is dropped', () => {
    const [span] = decodeJsonV1List(`[{"traceId":"a","id":"b","binaryAnnotations":[
      {"key":"http.path","value":"/api","endpoint":${FRONTEND}},
      {"key":"retries","value":3,"endpoint":${FRONTEND}},
      {"key":"cached","value":true,"endpoint":${FRONTEND}},
      {"key":"nothing","value":null,"endpoint":${FRONTEND}},
      {"key":"object","value":{"a":1},"endpoint":${FRONTEND}},
      {"key":"sa","value":true,"endpoint":${BACKEND}},
      {"key":"ma","value":false,"endpoint":${BACKEND}}
    ]}]`);
    expect(span).toStrictEqual<Span>({
      traceId: '000000000000000a',
      id: '000000000000000b',
      localEndpoint: { serviceName: 'frontend', ipv4: '172.17.0.13' },
      remoteEndpoint: { serviceName: 'backend', ipv4: '172.17.0.9', port: 8080 },
      tags: { 'http.path': '/api' },
    });
  });

  it('keeps a 32-character trace id', () => {
    const [span] = decodeJsonV1List('[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"b","name":"x"}]');
    expect(span?.traceId).toBe('463ac35c9f6413ad48485a3953bb6124');
  });

  it('skips null and unknown fields; empty input is an empty list', () => {
    const spans = decodeJsonV1List(
      '[{"traceId":"a","id":"b","parentId":null,"name":null,"timestamp":null,"annotations":null,"binaryAnnotations":null,"x":[1]}]',
    );
    expect(spans).toStrictEqual<Span[]>([{ traceId: '000000000000000a', id: '000000000000000b' }]);
    expect(decodeJsonV1List('')).toEqual([]);
    expect(decodeJsonV1List('[]')).toEqual([]);
  });

  it('rejects a v2 body as the wrong flavour', () => {
    for (const field of [
      '"localEndpoint":{"serviceName":"a"}',
      '"remoteEndpoint":{}',
      '"kind":"CLIENT"',
      '"tags":{}',
    ]) {
      expect(decodeError(() => decodeJsonV1List(`[{"traceId":"a","id":"b",${field}}]`)).message).toBe(
        'Expected a JSON_V1 encoded list, but received: JSON_V2',
      );
    }
  });

  it('rejects malformed input with an actionable message', () => {
    expect(decodeError(() => decodeJsonV1List(SHARED_RPC.slice(0, 100))).message).toMatch(
      /^Malformed reading List<Span> from json: /,
    );
    expect(
      decodeError(() => decodeJsonV1List('[{"traceId":"a","id":"b","binaryAnnotations":[{"value":"x"}]}]'))
        .message,
    ).toBe('No key at binaryAnnotations[0] reading List<Span> from json at $[0]');
    expect(
      decodeError(() => decodeJsonV1List('[{"traceId":"a","id":"b","annotations":[{"value":"cs"}]}]'))
        .message,
    ).toMatch(/^Incomplete annotation at annotations\[0\]/);
    expect(decodeError(() => decodeJsonV1List('[{"traceId":"A","id":"b"}]')).message).toMatch(
      /^traceId should be lower-hex encoded with no prefix: A reading List<Span> from json at \$\[0\]/,
    );
    expect(
      decodeError(() =>
        decodeJsonV1List(
          '[{"traceId":"a","id":"b","annotations":[{"timestamp":1,"value":"cs","endpoint":{"port":99999}}]}]',
        ),
      ).message,
    ).toMatch(/^annotations\[0\]\.endpoint: invalid port 99999/);
  });
});

describe('encodeJsonV1List', () => {
  it("writes zipkin's v1 layout: core annotations, endpoints with serviceName, sorted binary annotations", () => {
    const spans = decodeJsonV2List(
      '[{"traceId":"86154a4ba6e91385","parentId":"86154a4ba6e91385","id":"4d1e00c0db9010db","kind":"CLIENT",' +
        '"name":"get","timestamp":1472470996199000,"duration":207000,"localEndpoint":{"ipv4":"127.0.0.1"},' +
        '"remoteEndpoint":{"serviceName":"backend","ipv4":"192.168.99.101","port":9000},' +
        '"annotations":[{"timestamp":1472470996238000,"value":"foo"}],"tags":{"http.path":"/api","clnt/finagle.version":"6.45.0"}}]',
    );
    const local = '{"serviceName":"","ipv4":"127.0.0.1"}';
    expect(encodeJsonV1List(spans)).toBe(
      '[{"traceId":"86154a4ba6e91385","parentId":"86154a4ba6e91385","id":"4d1e00c0db9010db","name":"get",' +
        '"timestamp":1472470996199000,"duration":207000,"annotations":[' +
        `{"timestamp":1472470996199000,"value":"cs","endpoint":${local}},` +
        `{"timestamp":1472470996238000,"value":"foo","endpoint":${local}},` +
        `{"timestamp":1472470996406000,"value":"cr","endpoint":${local}}],"binaryAnnotations":[` +
        `{"key":"clnt/finagle.version","value":"6.45.0","endpoint":${local}},` +
        `{"key":"http.path","value":"/api","endpoint":${local}},` +
        '{"key":"sa","value":true,"endpoint":{"serviceName":"backend","ipv4":"192.168.99.101","port":9000}}]}]',
    );
  });

  it('always writes a name, and nothing else for a bare span', () => {
    expect(encodeJsonV1List([{ traceId: '000000000000000a', id: '000000000000000b' }])).toBe(
      '[{"traceId":"000000000000000a","id":"000000000000000b","name":""}]',
    );
  });

  it('v2 -> v1 JSON -> v2 is stable for typical spans', () => {
    const v2 = decodeJsonV2List(`[
      {"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"000000000000000b","kind":"CLIENT","name":"get","timestamp":10,"duration":5,
       "localEndpoint":{"serviceName":"web","ipv6":"2001:db8::1"},"remoteEndpoint":{"serviceName":"api","port":80},"tags":{"e":"✓"}},
      {"traceId":"463ac35c9f6413ad48485a3953bb6124","parentId":"000000000000000a","id":"000000000000000b","kind":"SERVER","name":"get",
       "timestamp":11,"duration":3,"localEndpoint":{"serviceName":"api","port":80},"shared":true},
      {"traceId":"463ac35c9f6413ad48485a3953bb6124","parentId":"000000000000000b","id":"000000000000000c","name":"compute",
       "timestamp":12,"duration":1,"localEndpoint":{"serviceName":"api"},"annotations":[{"timestamp":12,"value":"start"}]}
    ]`);
    expect(decodeJsonV1List(encodeJsonV1List(v2))).toStrictEqual(v2);
  });
});
