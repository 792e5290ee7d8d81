import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotation, BatchRecorder, ExplicitContext, InetAddress, TraceId, Tracer, jsonEncoder, model } from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import thriftEncoder from 'zipkin-encoder-thrift';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '../../src/model/span.js';
import { startTestServer } from '../support/server.js';
import { getJson, waitFor } from '../support/wait.js';
import type { RunningSkein } from '../../src/server/skein-server.js';

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const trace = (id: string) =>
  waitFor(() => getJson<Span[]>(`${server.url}/api/v2/trace/${id}`), `trace ${id} through the API`);

/** Records a server span the way instrumented zipkin-js code does. */
function recordServerSpan(tracer: Tracer, service: string): string {
  let traceId = '';
  tracer.scoped(() => {
    const id = tracer.createRootId();
    tracer.setId(id);
    traceId = id.traceId;
    tracer.recordServiceName(service);
    tracer.recordRpc('GET /Checkout');
    tracer.recordAnnotation(new Annotation.ServerRecv());
    tracer.recordAnnotation(new Annotation.LocalAddr({ host: new InetAddress('10.0.0.7'), port: 8080 }));
    tracer.recordBinary('http.path', '/checkout');
    tracer.recordMessage('cart loaded');
    tracer.recordAnnotation(new Annotation.ServerSend());
  });
  return traceId;
}

describe('zipkin-js with zipkin-transport-http', () => {
  for (const [label, encoder, path] of [
    ['JSON_V1', jsonEncoder.JSON_V1, '/api/v1/spans'],
    ['JSON_V2', jsonEncoder.JSON_V2, '/api/v2/spans'],
  ] as const) {
    it(`stores spans sent with the ${label} encoder and serves them back`, async () => {
      const logger = new HttpLogger({ endpoint: `${server.url}${path}`, jsonEncoder: encoder, httpInterval: 50 });
      const errors: unknown[] = [];
      (logger as unknown as NodeJS.EventEmitter).on('error', (e: unknown) => errors.push(e));
      const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: `Shop-${label}` });
      const traceId = recordServerSpan(tracer, `Shop-${label}`);
      const spans = await trace(traceId);
      expect(errors).toEqual([]);
      expect(spans).toHaveLength(1);
      const s = spans[0]!;
      expect(s.kind).toBe('SERVER');
      expect(s.name).toBe('get /checkout');
      expect(s.localEndpoint).toEqual({ serviceName: `shop-${label.toLowerCase()}`, ipv4: '10.0.0.7', port: 8080 });
      expect(s.tags).toEqual({ 'http.path': '/checkout' });
      expect(s.annotations?.map((a) => a.value)).toEqual(['cart loaded']);
      expect(s.duration).toBeGreaterThanOrEqual(0);
      const services = await getJson<string[]>(`${server.url}/api/v2/services`);
      expect(services).toContain(`shop-${label.toLowerCase()}`);
    });
  }
});

describe('zipkin-encoder-thrift', () => {
  it('accepts a TBinaryProtocol list of spans encoded by the zipkin thrift encoder', async () => {
    const traceId = 'a1b2c3d4e5f60718';
    const built = new model.Span(new TraceId({ traceId, spanId: '1122334455667788' }));
    built.setName('thrift-op');
    built.setKind('CLIENT');
    built.setTimestamp(1_700_000_000_000_000);
    built.setDuration(1500);
    built.setLocalEndpoint(new model.Endpoint({ serviceName: 'thrift-svc', ipv4: '192.168.1.2', port: 9000 }));
    built.setRemoteEndpoint(new model.Endpoint({ serviceName: 'db' }));
    built.putTag('sql', 'select 1');
    const one = thriftEncoder.encode(built);
    // A thrift list: element type STRUCT (12), i32 count, then the structs.
    const header = Buffer.from([12, 0, 0, 0, 1]);
    const res = await fetch(`${server.url}/api/v1/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift' },
      body: Buffer.concat([header, Buffer.from(one)]),
    });
    expect(res.status).toBe(202);
    const spans = await trace(traceId);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      traceId,
      id: '1122334455667788',
      kind: 'CLIENT',
      name: 'thrift-op',
      timestamp: 1_700_000_000_000_000,
      duration: 1500,
      localEndpoint: { serviceName: 'thrift-svc', ipv4: '192.168.1.2', port: 9000 },
      remoteEndpoint: { serviceName: 'db' },
      tags: { sql: 'select 1' },
    });
  });
});

describe('@opentelemetry/exporter-zipkin', () => {
  it('stores SDK spans exported as Zipkin JSON v2', async () => {
    const exporter = new ZipkinExporter({ url: `${server.url}/api/v2/spans` });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'OtelCheckout' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const span = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments', amount: 42 } });
    span.addEvent('retrying');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
    span.end();
    await provider.forceFlush();
    const traceId = span.spanContext().traceId;
    const spans = await trace(traceId);
    expect(spans).toHaveLength(1);
    const s = spans[0]!;
    expect(s.traceId).toBe(traceId);
    expect(s.id).toBe(span.spanContext().spanId);
    expect(s.kind).toBe('CLIENT');
    expect(s.name).toBe('charge card');
    expect(s.localEndpoint?.serviceName).toBe('otelcheckout');
    // exporter-zipkin sends peer.service as a tag; it is stored as sent.
    expect(s.tags).toMatchObject({ amount: '42', error: 'declined', 'peer.service': 'payments' });
    expect(s.annotations?.map((a) => a.value)).toEqual(['retrying']);
    await provider.shutdown();
  });
});
