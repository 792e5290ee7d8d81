import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/model/decode-error.js';
import { writeBatch, writeEmitBatch, type BatchFixture } from './jaeger-thrift-writer.js';
import { decodePostSpansRequest, PostSpansRequest } from '../../src/codec/jaeger/jaeger-proto-codec.js';
import {
  decodeJaegerAgentPacket,
  decodeJaegerThriftBatch,
} from '../../src/codec/jaeger/jaeger-thrift-codec.js';

const batch: BatchFixture = {
  process: {
    serviceName: 'Checkout',
    tags: [
      { key: 'ip', str: '10.1.2.3' },
      { key: 'hostname', str: 'box-1' },
      { key: 'jaeger.version', str: 'Node-3.19.0' },
    ],
  },
  spans: [
    {
      traceIdHigh: '463ac35c9f6413ad',
      traceIdLow: '48485a3953bb6124',
      spanId: 'a2fb4a1d1a96d312',
      parentSpanId: '0',
      operationName: 'GET /Cart',
      references: [
        {
          refType: 0,
          traceIdHigh: '463ac35c9f6413ad',
          traceIdLow: '48485a3953bb6124',
          spanId: '00000000000000ab',
        },
        { refType: 1, traceIdLow: '1111111111111111', spanId: '2222222222222222' },
      ],
      flags: 3,
      startTime: 1700000000000000,
      duration: 2500,
      tags: [
        { key: 'span.kind', str: 'client' },
        { key: 'error', bool: true },
        { key: 'http.status_code', long: 503n },
        { key: 'ratio', double: 0.25 },
        { key: 'blob', binary: Buffer.from('hi') },
        { key: 'peer.service', str: 'Inventory' },
        { key: 'peer.ipv4', long: 167772161n },
        { key: 'peer.port', long: 9000n },
      ],
      logs: [
        { timestamp: 1700000000000100, fields: [{ key: 'event', str: 'retry' }] },
        {
          timestamp: 1700000000000200,
          fields: [
            { key: 'event', str: 'error' },
            { key: 'message', str: 'boom' },
          ],
        },
      ],
    },
    {
      traceIdLow: '48485a3953bb6124',
      spanId: '00000000000000ac',
      parentSpanId: 'a2fb4a1d1a96d312',
      operationName: 'work',
      startTime: 1700000000000010,
      duration: 10,
      flags: 1,
      tags: [
        { key: 'span.kind', str: 'internal' },
        { key: 'error', bool: false },
      ],
    },
  ],
};

const expected = [
  {
    traceId: '463ac35c9f6413ad48485a3953bb6124',
    parentId: '00000000000000ab',
    id: 'a2fb4a1d1a96d312',
    kind: 'CLIENT',
    name: 'get /cart',
    timestamp: 1700000000000000,
    duration: 2500,
    localEndpoint: { serviceName: 'checkout', ipv4: '10.1.2.3' },
    remoteEndpoint: { serviceName: 'inventory', ipv4: '10.0.0.1', port: 9000 },
    annotations: [
      { timestamp: 1700000000000100, value: 'retry' },
      { timestamp: 1700000000000200, value: 'event=error message=boom' },
    ],
    tags: {
      hostname: 'box-1',
      'jaeger.version': 'Node-3.19.0',
      error: 'true',
      'http.status_code': '503',
      ratio: '0.25',
      blob: 'aGk=',
      'peer.service': 'Inventory',
      'peer.ipv4': '167772161',
      'peer.port': '9000',
    },
    debug: true,
    links: [{ traceId: '1111111111111111', spanId: '2222222222222222', type: 'FOLLOWS_FROM' }],
  },
  {
    traceId: '48485a3953bb6124',
    parentId: 'a2fb4a1d1a96d312',
    id: '00000000000000ac',
    name: 'work',
    timestamp: 1700000000000010,
    duration: 10,
    localEndpoint: { serviceName: 'checkout', ipv4: '10.1.2.3' },
    tags: { hostname: 'box-1', 'jaeger.version': 'Node-3.19.0' },
  },
];

describe('jaeger thrift', () => {
  it('decodes a bare Batch (thrift binary, the collector HTTP body)', () => {
    expect(decodeJaegerThriftBatch(writeBatch(batch))).toEqual(expected);
  });

  it('decodes Agent.emitBatch packets in compact and binary', () => {
    expect(decodeJaegerAgentPacket(writeEmitBatch(batch, 'compact'), 'compact')).toEqual(expected);
    expect(decodeJaegerAgentPacket(writeEmitBatch(batch, 'binary'), 'binary')).toEqual(expected);
  });

  it('rejects other messages, truncated and garbage input with a DecodeError', () => {
    expect(() =>
      decodeJaegerAgentPacket(writeEmitBatch(batch, 'binary', 'emitZipkinBatch'), 'binary'),
    ).toThrow(/expected an Agent.emitBatch message/);
    const whole = writeEmitBatch(batch, 'compact');
    expect(() => decodeJaegerAgentPacket(whole.subarray(0, whole.length - 30), 'compact')).toThrow(
      DecodeError,
    );
    expect(() => decodeJaegerAgentPacket(Buffer.from('hello world'), 'compact')).toThrow(
      /Malformed reading jaeger.Batch from thrift compact/,
    );
    expect(() => decodeJaegerThriftBatch(Buffer.from([1, 2, 3]))).toThrow(DecodeError);
  });

  it('names the span that breaks a model rule', () => {
    const bad = { ...batch, spans: [{ ...batch.spans[1]!, spanId: '0' }] };
    expect(() => decodeJaegerThriftBatch(writeBatch(bad))).toThrow(/spans\[0\]: id must not be all zeros/);
  });
});

describe('jaeger api_v2 proto', () => {
  it('decodes PostSpansRequest with per-span and batch processes', () => {
    const req = PostSpansRequest.fromObject({
      batch: {
        process: { serviceName: 'batch-svc', tags: [{ key: 'ip', vStr: '::1' }] },
        spans: [
          {
            traceId: Buffer.from('0000000000000000000000000000abcd', 'hex'),
            spanId: Buffer.from('0000000000000001', 'hex'),
            operationName: 'Consume',
            references: [
              {
                traceId: Buffer.from('0000000000000000000000000000abcd', 'hex'),
                spanId: Buffer.from('0000000000000002', 'hex'),
                refType: 1,
              },
            ],
            startTime: { seconds: 1700000000, nanos: 1500 },
            duration: { seconds: 1, nanos: 2000 },
            tags: [
              { key: 'span.kind', vStr: 'consumer' },
              { key: 'n', vType: 2, vInt64: -7 },
              { key: 'ok', vType: 1, vBool: true },
              { key: 'f', vType: 3, vFloat64: 1.5 },
            ],
            logs: [
              { timestamp: { seconds: 1700000000, nanos: 5000 }, fields: [{ key: 'event', vStr: 'got' }] },
            ],
          },
          {
            traceId: Buffer.from('0000000000000000000000000000abcd', 'hex'),
            spanId: Buffer.from('0000000000000003', 'hex'),
            operationName: 'own',
            references: [
              {
                traceId: Buffer.from('0000000000000000000000000000abcd', 'hex'),
                spanId: Buffer.from('0000000000000001', 'hex'),
                refType: 0,
              },
            ],
            process: { serviceName: 'span-svc' },
          },
        ],
      },
    });
    expect(decodePostSpansRequest(PostSpansRequest.encode(req).finish())).toEqual([
      {
        traceId: '000000000000abcd',
        id: '0000000000000001',
        kind: 'CONSUMER',
        name: 'consume',
        timestamp: 1700000000000001,
        duration: 1000002,
        localEndpoint: { serviceName: 'batch-svc', ipv6: '::1' },
        annotations: [{ timestamp: 1700000000000005, value: 'got' }],
        tags: { n: '-7', ok: 'true', f: '1.5' },
        links: [{ traceId: '000000000000abcd', spanId: '0000000000000002', type: 'FOLLOWS_FROM' }],
      },
      {
        traceId: '000000000000abcd',
        parentId: '0000000000000001',
        id: '0000000000000003',
        name: 'own',
        localEndpoint: { serviceName: 'span-svc' },
      },
    ]);
  });

  it('rejects wrong-size ids and unreadable bytes', () => {
    const req = PostSpansRequest.fromObject({
      batch: {
        spans: [{ traceId: Buffer.from('abcd', 'hex'), spanId: Buffer.from('0000000000000001', 'hex') }],
      },
    });
    expect(() => decodePostSpansRequest(PostSpansRequest.encode(req).finish())).toThrow(
      /traceId should be 16 bytes but was 2/,
    );
    expect(() => decodePostSpansRequest(Buffer.from([0x0a, 0x10, 0x01]))).toThrow(
      /Malformed reading PostSpansRequest/,
    );
  });
});
