import { once } from 'node:events';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeProto3List } from '../../codec/proto3/proto3-codec.js';
import type { Span } from '../../model/span.js';
import { Collector } from '../collector.js';
import { CollectorSampler } from '../sampler.js';
import { zipkinGrpcStreamHandler } from './zipkin-grpc-stream.js';

const stored: Span[] = [];
const collector = new Collector({
  consumer: { accept: async (spans) => void stored.push(...spans) },
  sampler: new CollectorSampler(1),
  metrics: {
    forTransport: () => ({ messages() {}, messagesDropped() {}, bytes() {}, spans() {}, spansDropped() {} }),
  },
  logger: pino({ level: 'silent' }),
});
const h2 = createServer();
h2.on(
  'stream',
  zipkinGrpcStreamHandler({ collector, logger: pino({ level: 'silent' }), maxMessageBytes: 4096 }),
);
h2.listen(0, '127.0.0.1');
await once(h2, 'listening');
const client = new grpc.Client(
  `127.0.0.1:${(h2.address() as AddressInfo).port}`,
  grpc.credentials.createInsecure(),
);
afterAll(async () => {
  client.close();
  h2.close();
});

const call = (path: string, body: Uint8Array, options: grpc.CallOptions = {}) =>
  new Promise<grpc.ServiceError | null>((resolve) =>
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      new grpc.Metadata(),
      options,
      (err) => resolve(err),
    ),
  );
const span: Span = {
  traceId: '000000000000000a',
  id: '000000000000000b',
  name: 'x',
  localEndpoint: { serviceName: 'svc' },
};

describe('zipkinGrpcStreamHandler', () => {
  it('stores a ListOfSpans and answers OK', async () => {
    expect(await call('/zipkin.proto3.SpanService/Report', encodeProto3List([span]))).toBeNull();
    expect(stored).toEqual([span]);
  });

  it('accepts an empty message as an empty list', async () => {
    expect(await call('/zipkin.proto3.SpanService/Report', new Uint8Array())).toBeNull();
  });

  it('answers INVALID_ARGUMENT for a malformed list and UNIMPLEMENTED for other methods', async () => {
    const bad = await call('/zipkin.proto3.SpanService/Report', new Uint8Array([0x0a, 0xff, 0x01]));
    expect(bad?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call('/zipkin.proto3.SpanService/Other', new Uint8Array()))?.code).toBe(
      grpc.status.UNIMPLEMENTED,
    );
  });

  it('refuses messages over the limit with RESOURCE_EXHAUSTED', async () => {
    const big = encodeProto3List(
      Array.from({ length: 200 }, (_, i) => ({ ...span, id: (i + 1).toString(16).padStart(16, '0') })),
    );
    expect((await call('/zipkin.proto3.SpanService/Report', big))?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(gzipSync(big).length).toBeLessThan(4096);
  });
});
