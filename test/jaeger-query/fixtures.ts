import { writeBatch } from '../jaeger/jaeger-thrift-writer.js';
import type { RunningSkein } from '../../src/server/skein-server.js';

/**
 * Three traces sent the three ways Skein ingests them: Zipkin JSON (with a shared client/server span and
 * a service name containing '/'), OTLP JSON (status, an event with attributes, a link) and Jaeger thrift.
 * Timestamps are a minute ago, inside every default search window.
 */
export const T0 = (Date.now() - 60_000) * 1000;

export const ZIPKIN_TRACE = 'a1b2c3d4e5f60718';
export const OTLP_TRACE = '5b8efff798038103d269b633813fc60c';
export const JAEGER_TRACE = '00000000000000000000000000c0ffee';

export const zipkinSpans = [
  {
    traceId: ZIPKIN_TRACE,
    id: '0000000000000011',
    kind: 'CLIENT',
    name: 'get /api',
    timestamp: T0,
    duration: 100_000,
    localEndpoint: { serviceName: 'front/end', ipv4: '10.0.0.1' },
    remoteEndpoint: { serviceName: 'backend', port: 8080 },
  },
  {
    traceId: ZIPKIN_TRACE,
    id: '0000000000000011',
    kind: 'SERVER',
    shared: true,
    name: 'get /api',
    timestamp: T0 + 1_000,
    duration: 80_000,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
    tags: { 'http.status_code': '500', error: 'boom' },
  },
  {
    traceId: ZIPKIN_TRACE,
    parentId: '0000000000000011',
    id: '0000000000000012',
    kind: 'CLIENT',
    name: 'select',
    timestamp: T0 + 2_000,
    duration: 5_000,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
    annotations: [{ timestamp: T0 + 3_000, value: 'cache miss' }],
    tags: { 'db.type': 'sql' },
  },
];

const ns = (us: number) => `${us}000`;

export const otlpBody = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-svc' } }] },
      scopeSpans: [
        {
          scope: { name: 'my-lib', version: '1.2.3' },
          spans: [
            {
              traceId: OTLP_TRACE,
              spanId: '00000000000000a1',
              name: 'work',
              kind: 2,
              startTimeUnixNano: ns(T0 + 10_000_000),
              endTimeUnixNano: ns(T0 + 10_000_000 + 2_000),
              attributes: [{ key: 'http.method', value: { stringValue: 'GET' } }],
              events: [
                {
                  timeUnixNano: ns(T0 + 10_000_500),
                  name: 'exception',
                  attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }],
                },
              ],
              links: [{ traceId: `0000000000000000${ZIPKIN_TRACE}`, spanId: '0000000000000011' }],
              status: { code: 2, message: 'bad input' },
            },
            {
              traceId: OTLP_TRACE,
              spanId: '00000000000000a2',
              parentSpanId: '00000000000000a1',
              name: 'inner',
              kind: 1,
              startTimeUnixNano: ns(T0 + 10_000_100),
              endTimeUnixNano: ns(T0 + 10_000_100 + 500),
            },
          ],
        },
      ],
    },
  ],
};

export const jaegerBatch = () =>
  writeBatch({
    process: { serviceName: 'jaeger-svc', tags: [{ key: 'ip', str: '10.1.1.1' }] },
    spans: [
      {
        traceIdLow: 'c0ffee',
        spanId: '00000000000000b1',
        operationName: 'jop',
        startTime: T0 + 20_000_000,
        duration: 3_000,
        tags: [
          { key: 'span.kind', str: 'server' },
          { key: 'retries', long: 3n },
        ],
        logs: [{ timestamp: T0 + 20_000_100, fields: [{ key: 'event', str: 'started' }] }],
        references: [{ refType: 1, traceIdLow: 'a1b2c3d4e5f60718', spanId: '0000000000000012' }],
      },
    ],
  });

/** Stores the three traces; each POST resolves once its spans are stored. */
export async function sendAll(server: RunningSkein): Promise<void> {
  const post = async (path: string, body: BodyInit, type: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': type },
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await post('/api/v2/spans', JSON.stringify(zipkinSpans), 'application/json');
  await post('/v1/traces', JSON.stringify(otlpBody), 'application/json');
  await post('/api/traces', new Uint8Array(jaegerBatch()), 'application/x-thrift');
}
