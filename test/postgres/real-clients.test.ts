import { context, SpanKind, trace as otelTrace } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Annotation,
  BatchRecorder,
  ExplicitContext,
  jsonEncoder,
  Tracer,
  type Logger,
  type model,
} from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { exportOtelTrace } from '../otlp/otel-trace-fixture.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { getJson, waitFor } from '../support/wait.js';
import { createTestDatabase } from './test-database.js';

/**
 * Real clients (zipkin-js over zipkin-transport-http, the OTel Zipkin exporter, OTLP exporters over HTTP
 * protobuf and gRPC) send to a Skein on STORAGE_TYPE=postgres, and the spans are read back through
 * /api/v2. Each client's spans go, identically, to a second Skein on memory storage too: what postgres
 * answers (the trace, the search, the name lists) must equal what the reference store answers, so every
 * mapping the client tests check elsewhere is checked here through PostgreSQL without restating it.
 */
const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);

type Json = Record<string, unknown> & { id: string };

describe.skipIf(!available)('real clients on STORAGE_TYPE=postgres', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pgServer: RunningSkein;
  let memServer: RunningSkein;

  beforeAll(async () => {
    db = await createTestDatabase();
    pgServer = await startTestServer({
      STORAGE_TYPE: 'postgres',
      POSTGRES_URL: `postgresql://postgres@127.0.0.1:${TEST_PG.port}/${db.name}`,
    });
    memServer = await startTestServer({ STORAGE_TYPE: 'mem' });
  });
  afterAll(async () => {
    await pgServer?.close();
    await memServer?.close();
    await db?.drop();
  });

  const byId = (spans: Json[]) => [...spans].sort((a, b) => a.id.localeCompare(b.id));
  const trace = async (server: RunningSkein, traceId: string, spans: number) =>
    byId(
      await waitFor(
        async () => {
          const found = await getJson<Json[]>(`${server.url}/api/v2/trace/${traceId}`);
          return found !== undefined && found.length >= spans ? found : undefined;
        },
        `${spans} spans of trace ${traceId} on ${server.storage === pgServer.storage ? 'postgres' : 'mem'}`,
      ),
    );

  /** The trace, a search by its service and the service's span names agree between postgres and mem. */
  async function expectSameAnswers(traceId: string, service: string, spans: number): Promise<Json[]> {
    const fromPg = await trace(pgServer, traceId, spans);
    expect(fromPg).toHaveLength(spans);
    expect(fromPg).toEqual(await trace(memServer, traceId, spans));
    const search = `/api/v2/traces?serviceName=${encodeURIComponent(service)}&lookback=86400000&limit=10`;
    const searchOn = async (s: RunningSkein) => ((await getJson<Json[][]>(s.url + search)) ?? []).map(byId);
    // Seen once in a CI run: the trace was found by id with all its spans, but a search at that moment did
    // not list it yet (cause not found; noted on the issue). The search is waited for, with a deadline.
    await waitFor(
      async () => ((await searchOn(pgServer)).some((t) => t[0]?.['traceId'] === traceId) ? true : undefined),
      `trace ${traceId} in a search by ${service} on postgres`,
    );
    const [pgTraces = [], memTraces] = await Promise.all([pgServer, memServer].map(searchOn));
    expect(pgTraces.map((t) => t[0]?.['traceId'])).toContain(traceId);
    expect(pgTraces).toEqual(memTraces);
    const names = `/api/v2/spans?serviceName=${encodeURIComponent(service)}`;
    expect(await getJson(pgServer.url + names)).toEqual(await getJson(memServer.url + names));
    expect(await getJson<string[]>(`${pgServer.url}/api/v2/services`)).toContain(service);
    return fromPg;
  }

  it('zipkin-js (zipkin-transport-http, JSON v2)', async () => {
    const loggers = [pgServer, memServer].map(
      (s) =>
        new HttpLogger({
          endpoint: `${s.url}/api/v2/spans`,
          jsonEncoder: jsonEncoder.JSON_V2,
          httpInterval: 50,
        }),
    );
    const errors: unknown[] = [];
    for (const l of loggers)
      (l as unknown as NodeJS.EventEmitter).on('error', (e: unknown) => errors.push(e));
    const tee: Logger = { logSpan: (span: model.Span) => loggers.forEach((l) => l.logSpan(span)) };
    const tracer = new Tracer({
      ctxImpl: new ExplicitContext(),
      recorder: new BatchRecorder({ logger: tee }),
      localServiceName: 'pg-zipkin-js',
    });
    let traceId = '';
    tracer.scoped(() => {
      const id = tracer.createRootId();
      tracer.setId(id);
      traceId = id.traceId;
      tracer.recordServiceName('pg-zipkin-js');
      tracer.recordRpc("GET /it's \\ a path");
      tracer.recordAnnotation(new Annotation.ServerRecv());
      tracer.recordBinary('http.path', "/it's");
      tracer.recordMessage('cart loaded');
      tracer.recordAnnotation(new Annotation.ServerSend());
    });
    const [span] = await expectSameAnswers(traceId, 'pg-zipkin-js', 1);
    expect(errors).toEqual([]);
    expect(span).toMatchObject({
      traceId,
      kind: 'SERVER',
      name: "get /it's \\ a path",
      tags: { 'http.path': "/it's" },
    });
  });

  it('@opentelemetry/exporter-zipkin', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'pg-otel-zipkin' }),
      spanProcessors: [
        new SimpleSpanProcessor(
          tee([pgServer, memServer].map((s) => new ZipkinExporter({ url: `${s.url}/api/v2/spans` }))),
        ),
      ],
    });
    const tracer = provider.getTracer('skein-e2e');
    const root = tracer.startSpan('checkout', { kind: SpanKind.SERVER, attributes: { 'app.cart': 3 } });
    const child = tracer.startSpan(
      'charge card',
      { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments' } },
      otelTrace.setSpan(context.active(), root),
    );
    child.end();
    root.end();
    await provider.forceFlush();
    const spans = await expectSameAnswers(root.spanContext().traceId, 'pg-otel-zipkin', 2);
    expect(spans.map((s) => s['name']).sort()).toEqual(['charge card', 'checkout']);
    await provider.shutdown();
  });

  for (const [label, make] of [
    [
      'exporter-trace-otlp-proto (OTLP/HTTP)',
      (s: RunningSkein) =>
        new ProtoExporter({ url: `http://127.0.0.1:${s.listeners['otlp-http']}/v1/traces` }),
    ],
    [
      'exporter-trace-otlp-grpc (OTLP/gRPC)',
      (s: RunningSkein) => new GrpcExporter({ url: `http://127.0.0.1:${s.listeners['otlp-grpc']}` }),
    ],
  ] as const) {
    it(label, async () => {
      const service = `pg-${label.includes('grpc') ? 'otlp-grpc' : 'otlp-http'}`;
      const t = await exportOtelTrace(tee([pgServer, memServer].map(make)), service);
      const spans = await expectSameAnswers(t.traceId, service, 5);
      expect(spans.map((s) => s.id).sort()).toEqual(Object.values(t.ids).sort());
    });
  }
});

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];
/** @opentelemetry/core's ExportResultCode.SUCCESS (core is not a direct dependency). */
const SUCCESS = 0;

/** One exporter that exports every batch to each of `exporters` and fails if any of them fails. */
function tee(exporters: SpanExporter[]): SpanExporter {
  const one = (e: SpanExporter, spans: ReadableSpan[]) =>
    new Promise<ExportResult>((resolve) => e.export(spans, resolve));
  return {
    export(spans, done) {
      void Promise.all(exporters.map((e) => one(e, spans))).then((results) =>
        done(results.find((r) => r.code !== SUCCESS) ?? results[0]!),
      );
    },
    shutdown: async () => {
      await Promise.all(exporters.map((e) => e.shutdown()));
    },
    forceFlush: async () => {
      await Promise.all(exporters.map((e) => e.forceFlush?.()));
    },
  };
}
