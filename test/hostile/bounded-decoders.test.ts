import { createSocket } from 'node:dgram';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import {
  compactEmitBatchDeclaring,
  grpcCall,
  udpMessagesDropped,
  jaegerProtoEmptySpans,
  jsonEmptyObjects,
  otlpJsonEmptySpans,
  otlpProtoEmptySpans,
  thriftListDeclaring,
  zipkinProto3EmptySpans,
} from './hostile-bodies.js';

/**
 * Issue 15: every decoder bounds what a message can claim before it allocates. Each case is a small
 * (gzip) body whose structure would decode to gigabytes (a million empty messages or objects, or a count
 * its bytes cannot hold); each is refused with the protocol's bad-input answer, the process grows by far
 * less than the decoded objects would take, and the server keeps serving and keeps its data.
 */

let server: RunningSkein;
const GOOD_TRACE = 'a1b2c3d4e5f60718';
beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        traceId: GOOD_TRACE,
        id: GOOD_TRACE,
        name: 'before',
        timestamp: Date.now() * 1000,
        duration: 5,
        localEndpoint: { serviceName: 'hostile-test' },
      },
    ]),
  });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await server?.close();
});

/** Generous: the refused bodies inflate to 2-3 MB; decoding them used to take 200-500 MB each. */
const RSS_GROWTH_LIMIT = 128 * 1024 * 1024;

async function withRss<T>(send: () => Promise<T>): Promise<T> {
  const before = process.memoryUsage().rss;
  const out = await send();
  expect(process.memoryUsage().rss - before).toBeLessThan(RSS_GROWTH_LIMIT);
  return out;
}

function post(port: number, path: string, contentType: string, body: string | Buffer) {
  return withRss(async () => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(body)),
    });
    return { status: res.status, text: await res.text() };
  });
}

const TOO_MANY = /too many empty or tiny elements/;

describe('bounded decoders: a small body claiming huge memory is refused at once', () => {
  it('Zipkin JSON v2: a million empty span objects -> 400', async () => {
    const r = await post(server.port, '/api/v2/spans', 'application/json', jsonEmptyObjects());
    expect(r.status).toBe(400);
    expect(r.text).toMatch(TOO_MANY);
  });

  it('Zipkin JSON v1: a million empty span objects -> 400', async () => {
    const r = await post(server.port, '/api/v1/spans', 'application/json', jsonEmptyObjects());
    expect(r.status).toBe(400);
    expect(r.text).toMatch(TOO_MANY);
  });

  it('Zipkin thrift: a 5-byte list declaring 2^31-1 spans -> 400 naming the count', async () => {
    const r = await post(
      server.port,
      '/api/v1/spans',
      'application/x-thrift',
      thriftListDeclaring(0x7fffffff),
    );
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/declares 2147483647 elements but only 0 bytes remain/);
  });

  it('Zipkin proto3: a million empty spans -> 400', async () => {
    const r = await post(server.port, '/api/v2/spans', 'application/x-protobuf', zipkinProto3EmptySpans());
    expect(r.status).toBe(400);
    expect(r.text).toMatch(TOO_MANY);
  });

  it('Zipkin gRPC (h2c on the query port): a million empty spans -> INVALID_ARGUMENT', async () => {
    const r = await withRss(() =>
      grpcCall(server.port, '/zipkin.proto3.SpanService/Report', zipkinProto3EmptySpans()),
    );
    expect(r.code).toBe(3);
    expect(r.details).toMatch(TOO_MANY);
  });

  it('OTLP/HTTP protobuf: a million empty spans -> 400', async () => {
    const r = await post(
      server.listeners['otlp-http']!,
      '/v1/traces',
      'application/x-protobuf',
      otlpProtoEmptySpans(),
    );
    expect(r.status).toBe(400);
  });

  it('OTLP/HTTP JSON: a million empty spans -> 400', async () => {
    const r = await post(
      server.listeners['otlp-http']!,
      '/v1/traces',
      'application/json',
      otlpJsonEmptySpans(),
    );
    expect(r.status).toBe(400);
  });

  it('OTLP/gRPC: a million empty spans -> INVALID_ARGUMENT', async () => {
    const r = await withRss(() =>
      grpcCall(
        server.listeners['otlp-grpc']!,
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        otlpProtoEmptySpans(),
      ),
    );
    expect(r.code).toBe(3);
    expect(r.details).toMatch(TOO_MANY);
  });

  it('Jaeger gRPC PostSpans: a million empty spans -> INVALID_ARGUMENT', async () => {
    const r = await withRss(() =>
      grpcCall(
        server.listeners['jaeger-grpc']!,
        '/jaeger.api_v2.CollectorService/PostSpans',
        jaegerProtoEmptySpans(),
      ),
    );
    expect(r.code).toBe(3);
    expect(r.details).toMatch(TOO_MANY);
  });

  it('Jaeger UDP compact: a packet declaring 2^31-1 spans is dropped and counted', async () => {
    const dropped = () => udpMessagesDropped(server.url);
    const before = await dropped();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      socket.send(
        compactEmitBatchDeclaring(0x7fffffff),
        server.listeners['jaeger-udp-compact']!,
        '127.0.0.1',
        (e) => (e ? reject(e) : resolve()),
      ),
    );
    socket.close();
    await waitFor(
      async () => ((await dropped()) > before ? true : undefined),
      'the UDP packet counted as dropped',
    );
  });

  it('keeps serving, and the span stored before is still readable', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/v2/trace/${GOOD_TRACE}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Array<{ name: string }>)[0]?.name).toBe('before');
  });
});
