import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTestServer } from '../support/server.js';
import { exportOtelTrace, ZIPKIN_V2_FIELDS } from './otel-trace-fixture.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const otlpHttp = () => `http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`;
const otlpGrpc = () => `http://127.0.0.1:${server.listeners['otlp-grpc']}`;

type Setup = 'basic+simple' | 'node+batch';
const clients: Array<[string, Setup, () => SpanExporter]> = [
  [
    'exporter-trace-otlp-http (JSON) on OTLP_HTTP_PORT',
    'basic+simple',
    () => new HttpJsonExporter({ url: otlpHttp() }),
  ],
  [
    'exporter-trace-otlp-http (JSON, gzip) on QUERY_PORT',
    'node+batch',
    () => new HttpJsonExporter({ url: `${server.url}/v1/traces`, compression: CompressionAlgorithm.GZIP }),
  ],
  [
    'exporter-trace-otlp-proto on OTLP_HTTP_PORT, gzip',
    'basic+simple',
    () => new HttpProtoExporter({ url: otlpHttp(), compression: CompressionAlgorithm.GZIP }),
  ],
  [
    'exporter-trace-otlp-proto on QUERY_PORT',
    'node+batch',
    () => new HttpProtoExporter({ url: `${server.url}/v1/traces` }),
  ],
  ['exporter-trace-otlp-grpc', 'node+batch', () => new GrpcExporter({ url: otlpGrpc() })],
  [
    'exporter-trace-otlp-grpc, gzip',
    'basic+simple',
    () => new GrpcExporter({ url: otlpGrpc(), compression: CompressionAlgorithm.GZIP }),
  ],
];

describe.each(clients)('%s (%s)', (label, setup, makeExporter) => {
  it('stores SDK spans that read back through the Zipkin API with every mapping applied', async () => {
    const service = `Shop-${label.replace(/[^a-z]/gi, '').slice(-12)}`;
    const t = await exportOtelTrace(makeExporter(), service, setup);
    const res = await fetch(`${server.url}/api/v2/trace/${t.traceId}`);
    expect(res.status).toBe(200);
    const spans = (await res.json()) as Array<
      Record<string, unknown> & { id: string; tags?: Record<string, string> }
    >;
    expect(spans).toHaveLength(5);
    for (const s of spans) for (const k of Object.keys(s)) expect(ZIPKIN_V2_FIELDS).toContain(k);
    const byId = (id: string) => spans.find((s) => s.id === id)!;
    const us = (ms: number) => t.second * 1_000_000 + ms * 1000 + 456;
    const local = { serviceName: service.toLowerCase() };
    const scope = {
      'otel.scope.name': 'skein-e2e',
      'otel.scope.version': '9.9.9',
      'service.namespace': 'shop',
    };

    const server_ = byId(t.ids.server);
    expect(server_).toMatchObject({
      traceId: t.traceId,
      kind: 'SERVER',
      name: 'get /checkout',
      timestamp: us(100),
      duration: 800_000,
      localEndpoint: local,
      annotations: [
        { timestamp: us(110), value: '"cache miss": {"cache.key":"user:1"}' },
        { timestamp: us(120), value: 'plain' },
      ],
    });
    expect(server_.parentId).toBeUndefined();
    expect(server_.tags).toMatchObject({
      ...scope,
      'http.method': 'GET',
      'http.status_code': '200',
      'app.retry': 'true',
      'app.ratio': '0.5',
      'app.items': '["a","b"]',
      'otel.status_code': 'OK',
    });
    expect(server_.tags).not.toHaveProperty('service.name');
    expect(server_.tags).not.toHaveProperty('error');

    expect(byId(t.ids.client)).toMatchObject({
      parentId: t.ids.server,
      kind: 'CLIENT',
      name: 'charge',
      duration: 50_000,
      localEndpoint: local,
      remoteEndpoint: { serviceName: 'payments', ipv4: '10.0.0.9', port: 8443 },
      tags: { ...scope, 'otel.status_code': 'ERROR', error: 'card declined', 'peer.service': 'Payments' },
    });

    const producer = byId(t.ids.producer);
    expect(producer).toMatchObject({
      parentId: t.ids.server,
      kind: 'PRODUCER',
      remoteEndpoint: { serviceName: 'kafka-1' },
      tags: { ...scope, 'otel.dropped_attributes_count': '1', 'otel.dropped_events_count': '1' },
    });
    // The SDK keeps the newest events within its limit.
    expect(producer.annotations).toEqual([
      { timestamp: us(310), value: 'e2' },
      { timestamp: us(310), value: 'e3' },
    ]);

    const consumer = byId(t.ids.consumer);
    expect(consumer).toMatchObject({
      parentId: t.ids.server,
      kind: 'CONSUMER',
      tags: { 'otel.dropped_links_count': '1' },
    });
    expect(consumer.remoteEndpoint).toBeUndefined();

    const internal = byId(t.ids.internal);
    expect(internal.kind).toBeUndefined();
    expect(internal).toMatchObject({ parentId: t.ids.server, name: 'compute', duration: 10_000 });

    // Links have no Zipkin field; the stored span keeps them.
    const stored = await server.storage.traces().getTrace(t.traceId);
    expect(stored.find((s) => s.id === t.ids.consumer)?.links).toEqual([
      { traceId: t.linkedTraceId, spanId: t.linkedSpanId, type: 'link', tags: { 'link.why': 'batch' } },
    ]);
  });
});

describe('collector metrics', () => {
  const spansTotal = async (transport: string) => {
    const text = await (await fetch(`${server.url}/prometheus`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`zipkin_collector_spans_total{transport="${transport}"}`));
    return Number(line?.split(' ')[1] ?? 0);
  };

  // Sends its own traces and compares before and after, so it passes alone or after any other test.
  it('count OTLP spans per transport', async () => {
    const exporters = {
      'otlp-http': () => new HttpProtoExporter({ url: otlpHttp() }),
      'otlp-grpc': () => new GrpcExporter({ url: otlpGrpc() }),
    };
    for (const [transport, exporter] of Object.entries(exporters)) {
      const before = await spansTotal(transport);
      await exportOtelTrace(exporter(), `metrics-${transport}`, 'basic+simple');
      expect(await spansTotal(transport)).toBe(before + 5);
    }
  });
});

describe("the README's environment configuration", () => {
  const withEnv = async (env: Record<string, string>, run: () => Promise<void>) => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await run();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  const exportAndRead = async (exporter: () => SpanExporter, service: string) => {
    const t = await exportOtelTrace(exporter(), service, 'node+batch');
    const spans = (await (await fetch(`${server.url}/api/v2/trace/${t.traceId}`)).json()) as Array<{
      localEndpoint?: object;
    }>;
    expect(spans).toHaveLength(5);
    expect(spans[0]!.localEndpoint).toEqual({ serviceName: service });
  };

  it('OTEL_EXPORTER_OTLP_ENDPOINT=http://skein:4318 with gzip (protobuf exporter)', async () => {
    await withEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.listeners['otlp-http']}`,
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      },
      () => exportAndRead(() => new HttpProtoExporter(), 'env-proto'),
    );
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT=http://skein:4317 (gRPC exporter)', async () => {
    await withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.listeners['otlp-grpc']}` }, () =>
      exportAndRead(() => new GrpcExporter(), 'env-grpc'),
    );
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://skein:9411/v1/traces (one port)', async () => {
    await withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${server.url}/v1/traces` }, () =>
      exportAndRead(() => new HttpJsonExporter(), 'env-one-port'),
    );
  });
});
