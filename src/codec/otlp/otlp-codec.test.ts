import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../model/decode-error.js';
import { decodeOtlpTraces } from './otlp-codec.js';
import { encodeOtlpResponseJson } from './otlp-json-codec.js';
import { encodeOtlpResponseProto } from './otlp-proto-codec.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from './otlp-schema.js';

const TRACE = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
const SPAN = '6b221d5bc9e6496c';
const PARENT = '1b221d5bc9e6496c';

function jsonRequest(
  spans: unknown[],
  resourceAttrs: unknown[] = [{ key: 'service.name', value: { stringValue: 'Frontend' } }],
) {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: resourceAttrs },
          scopeSpans: [{ scope: { name: 'my-lib', version: '1.2.3' }, spans }],
        },
      ],
    }),
  );
}

const clientSpan = {
  traceId: TRACE.toUpperCase(),
  spanId: SPAN,
  parentSpanId: PARENT,
  name: 'GET /Users',
  kind: 3,
  startTimeUnixNano: '1700000000123456789',
  // A JSON number (exactly representable as a double) is accepted as well as a decimal string.
  endTimeUnixNano: 1700000000223456768,
  attributes: [
    { key: 'http.method', value: { stringValue: 'GET' } },
    { key: 'retry', value: { boolValue: true } },
    { key: 'count', value: { intValue: '42' } },
    { key: 'ratio', value: { doubleValue: 0.5 } },
    { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
    { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
    { key: 'raw', value: { bytesValue: Buffer.from('hi').toString('base64') } },
    { key: 'server.address', value: { stringValue: 'Backend' } },
    { key: 'network.peer.address', value: { stringValue: '10.0.0.7' } },
    { key: 'network.peer.port', value: { intValue: 8080 } },
  ],
  droppedAttributesCount: 2,
  events: [
    { timeUnixNano: '1700000000150000000', name: 'retrying' },
    {
      timeUnixNano: '1700000000160000000',
      name: 'exception',
      attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }],
    },
  ],
  links: [
    {
      traceId: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb',
      spanId: 'cccccccccccccccc',
      traceState: 'k=v',
      attributes: [{ key: 'why', value: { stringValue: 'batch' } }],
    },
  ],
  status: { code: 2, message: 'upstream failed' },
};

describe('decodeOtlpTraces (json)', () => {
  it('maps a CLIENT span by the otel zipkin mapping table', () => {
    const { spans, rejectedSpans } = decodeOtlpTraces(jsonRequest([clientSpan]), 'json');
    expect(rejectedSpans).toBe(0);
    expect(spans).toEqual([
      {
        traceId: TRACE,
        parentId: PARENT,
        id: SPAN,
        kind: 'CLIENT',
        name: 'get /users',
        timestamp: 1700000000123456,
        duration: 100000,
        localEndpoint: { serviceName: 'frontend' },
        remoteEndpoint: { serviceName: 'backend', ipv4: '10.0.0.7', port: 8080 },
        annotations: [
          { timestamp: 1700000000150000, value: 'retrying' },
          { timestamp: 1700000000160000, value: '"exception": {"exception.type":"Boom"}' },
        ],
        tags: {
          'http.method': 'GET',
          retry: 'true',
          count: '42',
          ratio: '0.5',
          list: '["a",2]',
          map: '{"k":false}',
          raw: 'aGk=',
          'server.address': 'Backend',
          'network.peer.address': '10.0.0.7',
          'network.peer.port': '8080',
          'otel.scope.name': 'my-lib',
          'otel.scope.version': '1.2.3',
          'otel.status_code': 'ERROR',
          error: 'upstream failed',
          'otel.dropped_attributes_count': '2',
        },
        links: [
          {
            traceId: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb',
            spanId: 'cccccccccccccccc',
            type: 'link',
            tags: { why: 'batch', 'w3c.tracestate': 'k=v' },
          },
        ],
      },
    ]);
  });

  it('drops INTERNAL kind, keeps resource attributes as tags, OK status, prefers peer.service', () => {
    const { spans } = decodeOtlpTraces(
      jsonRequest(
        [
          {
            traceId: TRACE,
            spanId: SPAN,
            name: 'work',
            kind: 'SPAN_KIND_INTERNAL',
            startTimeUnixNano: '1000',
            endTimeUnixNano: '1500',
            status: { code: 1 },
          },
          {
            traceId: TRACE,
            spanId: PARENT,
            kind: 4,
            attributes: [
              { key: 'server.address', value: { stringValue: 'x' } },
              { key: 'peer.service', value: { stringValue: 'Kafka' } },
            ],
          },
        ],
        [
          { key: 'service.name', value: { stringValue: 'svc' } },
          { key: 'service.namespace', value: { stringValue: 'shop' } },
        ],
      ),
      'json',
    );
    expect(spans[0]!.kind).toBeUndefined();
    expect(spans[0]!.duration).toBe(1); // 500ns is kept as 1us, not lost
    expect(spans[0]!.tags).toEqual({
      'service.namespace': 'shop',
      'otel.scope.name': 'my-lib',
      'otel.scope.version': '1.2.3',
      'otel.status_code': 'OK',
    });
    expect(spans[1]!.kind).toBe('PRODUCER');
    expect(spans[1]!.remoteEndpoint).toEqual({ serviceName: 'kafka' });
  });

  it('rejects invalid spans individually with a message (partial success)', () => {
    const out = decodeOtlpTraces(
      jsonRequest([
        { ...clientSpan, traceId: 'abc' },
        { traceId: TRACE, spanId: SPAN, name: 'ok' },
        { traceId: TRACE, spanId: '0000000000000000' },
      ]),
      'json',
    );
    expect(out.spans.map((s) => s.name)).toEqual(['ok']);
    expect(out.rejectedSpans).toBe(2);
    expect(out.errorMessage).toContain('resourceSpans[0].scopeSpans[0].spans[0]: traceId should be 16 bytes');
    expect(out.errorMessage).toContain('and 1 more');
  });

  it('throws DecodeError for an undecodable request', () => {
    expect(() => decodeOtlpTraces(Buffer.from('{"resourceSpans": '), 'json')).toThrow(DecodeError);
    expect(() => decodeOtlpTraces(Buffer.from('{"resourceSpans": {}}'), 'json')).toThrow(
      /resourceSpans should be an array/,
    );
    expect(() => decodeOtlpTraces(Buffer.from('[]'), 'json')).toThrow(/should be an object/);
  });
});

describe('decodeOtlpTraces (protobuf)', () => {
  it('decodes bytes ids and fixed64 times without precision loss', () => {
    const msg = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(TRACE, 'hex'),
                  spanId: Buffer.from(SPAN, 'hex'),
                  name: 'op',
                  kind: 2,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '1700000000123999999',
                  attributes: [{ key: 'n', value: { intValue: '-9007199254740993' } }],
                  links: [{ traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from(PARENT, 'hex') }],
                },
              ],
            },
          ],
        },
      ],
    });
    const { spans } = decodeOtlpTraces(ExportTraceServiceRequest.encode(msg).finish(), 'protobuf');
    expect(spans).toEqual([
      {
        traceId: TRACE,
        id: SPAN,
        kind: 'SERVER',
        name: 'op',
        timestamp: 1700000000123456,
        duration: 543,
        localEndpoint: { serviceName: 'api' },
        tags: { n: '-9007199254740993' },
        links: [{ traceId: TRACE, spanId: PARENT, type: 'link' }],
      },
    ]);
  });

  it('throws DecodeError for bytes that are not an ExportTraceServiceRequest', () => {
    expect(() => decodeOtlpTraces(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf')).toThrow(DecodeError);
  });

  it('encodes responses with and without partial_success', () => {
    expect(encodeOtlpResponseProto().length).toBe(0);
    const decoded = ExportTraceServiceResponse.toObject(
      ExportTraceServiceResponse.decode(encodeOtlpResponseProto({ rejectedSpans: 3, errorMessage: 'bad' })),
      { longs: Number },
    );
    expect(decoded).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'bad' } });
    expect(JSON.parse(encodeOtlpResponseJson({ rejectedSpans: 3, errorMessage: 'bad' }))).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: 'bad' },
    });
  });
});

describe('hostile input', () => {
  it('refuses attribute values nested deeper than 64 levels with a DecodeError', () => {
    let value: object = { stringValue: 'leaf' };
    for (let i = 0; i < 100; i++)
      value =
        i % 2 ? { arrayValue: { values: [value] } } : { kvlistValue: { values: [{ key: 'k', value }] } };
    const body = jsonRequest([{ traceId: TRACE, spanId: SPAN, attributes: [{ key: 'deep', value }] }]);
    expect(() => decodeOtlpTraces(body, 'json')).toThrow(/nests more than 64 values deep/);
  });
});
