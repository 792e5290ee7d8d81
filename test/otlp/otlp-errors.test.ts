import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from '../../src/codec/otlp/otlp-schema.js';
import { startTestServer } from '../support/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer({ QUERY_MAX_BODY_BYTES: '64kb' });
});
afterAll(async () => {
  await server?.close();
});

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const validJson = (spanId: string, extra: object[] = []) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'errors-test' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE,
                spanId,
                name: 'ok',
                startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              },
              ...extra,
            ],
          },
        ],
      },
    ],
  });

const urls = (): Array<[string, string]> => [
  ['OTLP_HTTP_PORT', `http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`],
  ['QUERY_PORT', `${server.url}/v1/traces`],
];

describe.each(['OTLP_HTTP_PORT', 'QUERY_PORT'])('OTLP/HTTP on %s', (where) => {
  const url = () => urls().find(([w]) => w === where)![1];
  const post = (body: BodyInit, headers: Record<string, string>) =>
    fetch(url(), { method: 'POST', body, headers });

  it('answers 400 with a google.rpc.Status in JSON for undecodable JSON', async () => {
    const res = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const status = (await res.json()) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/Malformed reading ExportTraceServiceRequest from json/);
  });

  it('answers 400 with a protobuf google.rpc.Status for undecodable protobuf', async () => {
    const res = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]), {
      'content-type': 'application/x-protobuf',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer())));
    expect(status).toMatchObject({ code: 3, message: expect.stringMatching(/from protobuf/) });
  });

  it('answers 400 for a broken gzip body and 413 over QUERY_MAX_BODY_BYTES', async () => {
    const badGzip = await post(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01]), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(badGzip.status).toBe(400);
    expect(((await badGzip.json()) as { code: number }).code).toBe(3);
    // 100 KiB of JSON inflated from a small gzip: the limit applies after decompression.
    const big = gzipSync(Buffer.from(validJson('00f067aa0ba902b7').padEnd(100 * 1024, ' ')));
    const tooBig = await post(big, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toMatch(/larger than/);
  });

  it('answers 415 for a content type OTLP does not define', async () => {
    const res = await post('hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('answers partial_success for invalid spans and keeps the valid ones', async () => {
    const spanId = where === 'QUERY_PORT' ? '00f067aa0ba90201' : '00f067aa0ba90202';
    const res = await post(validJson(spanId, [{ traceId: 'nothex', spanId: '00f067aa0ba90203' }]), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/spans\[1\]: traceId should be 16 bytes/);
    const stored = (await (await fetch(`${server.url}/api/v2/trace/${TRACE}`)).json()) as Array<{
      id: string;
    }>;
    expect(stored.map((s) => s.id)).toContain(spanId);
  });

  it('answers 200 with an empty ExportTraceServiceResponse in protobuf, gzip accepted', async () => {
    const req = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(TRACE, 'hex'),
                    spanId: Buffer.from('00f067aa0ba90299', 'hex'),
                    name: 'gz',
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const res = await post(gzipSync(req), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body))).toEqual({});
  });
});

describe('OTLP/gRPC', () => {
  it('answers INVALID_ARGUMENT for a malformed request, partial_success for invalid spans, and keeps serving', async () => {
    const client = new grpc.Client(
      `127.0.0.1:${server.listeners['otlp-grpc']}`,
      grpc.credentials.createInsecure(),
    );
    const call = (body: Uint8Array) =>
      new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) =>
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(body),
          (err, res) => resolve({ err, res }),
        ),
      );
    const bad = await call(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]));
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.err?.details).toMatch(/Malformed reading ExportTraceServiceRequest/);

    const partial = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(TRACE, 'hex'),
                    spanId: Buffer.from('00f067aa0ba90301', 'hex'),
                    name: 'fine',
                  },
                  { traceId: Buffer.from('abcd', 'hex'), spanId: Buffer.from('00f067aa0ba90302', 'hex') },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const ok = await call(partial);
    expect(ok.err).toBeNull();
    expect(
      ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(ok.res!), { longs: Number }),
    ).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringMatching(/traceId should be 16 bytes/) },
    });
    client.close();
  });
});

describe('Zipkin gRPC (zipkin.proto3.SpanService/Report) on QUERY_PORT', () => {
  it('is served over h2c next to HTTP/1.1, with gRPC errors for bad input and unknown methods', async () => {
    const { encodeProto3List } = await import('../../src/codec/proto3/proto3-codec.js');
    const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const call = (path: string, body: Uint8Array) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(body),
          (err) => resolve(err),
        ),
      );
    const now = Date.now() * 1000;
    const spans = encodeProto3List([
      {
        traceId: '00000000000000000000000000c0ffee',
        id: '0000000000000001',
        name: 'grpc-report',
        timestamp: now,
        duration: 7,
        localEndpoint: { serviceName: 'grpc-client' },
      },
    ]);
    expect(await call('/zipkin.proto3.SpanService/Report', spans)).toBeNull();
    expect((await call('/zipkin.proto3.SpanService/Report', new Uint8Array([0x0a, 0xff, 0x01])))?.code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await call('/zipkin.proto3.SpanService/Nope', spans))?.code).toBe(grpc.status.UNIMPLEMENTED);
    client.close();
    // HTTP/1.1 still works on the same port.
    const stored = (await (await fetch(`${server.url}/api/v2/trace/c0ffee`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(stored).toEqual([
      {
        traceId: '0000000000c0ffee',
        id: '0000000000000001',
        name: 'grpc-report',
        timestamp: now,
        duration: 7,
        localEndpoint: { serviceName: 'grpc-client' },
      },
    ]);
    const text = await (await fetch(`${server.url}/prometheus`)).text();
    expect(text).toMatch(/zipkin_collector_spans_total\{transport="grpc"\} [1-9]/);
  });
});

describe('switches', () => {
  it('off frees a port but keeps QUERY_PORT routes; COLLECTOR_GRPC_ENABLED=false turns Zipkin gRPC off', async () => {
    const s = await startTestServer({
      OTLP_HTTP_PORT: 'off',
      OTLP_GRPC_PORT: 'off',
      JAEGER_HTTP_PORT: 'off',
      COLLECTOR_GRPC_ENABLED: 'false',
    });
    try {
      expect(Object.keys(s.listeners).sort()).toEqual([
        'jaeger-admin',
        'jaeger-grpc',
        'jaeger-query',
        'jaeger-sampling',
        'jaeger-udp-binary',
        'jaeger-udp-compact',
      ]);
      const res = await fetch(`${s.url}/v1/traces`, {
        method: 'POST',
        body: validJson('00f067aa0ba90401'),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      const client = new grpc.Client(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          '/zipkin.proto3.SpanService/Report',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (e) => resolve(e),
        ),
      );
      client.close();
      expect(err?.code).not.toBe(grpc.status.OK);
      expect(err).not.toBeNull();
    } finally {
      await s.close();
    }
  });
});
