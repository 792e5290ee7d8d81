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
import { exportOtelTrace } from '../otlp/otel-trace-fixture.js';
import { startTestServer } from './server.js';
import { getJson, waitFor } from './wait.js';

type Json = Record<string, unknown> & { id: string };

export interface RealClientsOptions {
  /** The store's STORAGE_TYPE, shown in the suite name. */
  name: string;
  available: boolean;
  /** Service names are this prefix plus the client's, so runs of several stores never mix. */
  prefix: string;
  /** Starts Skein on the store, on a database of its own; `close` stops it and drops the database. */
  start(): Promise<{ server: RunningSkein; close(): Promise<void> }>;
  /** What the store cannot keep (e.g. span links), taken from both answers before they are compared. */
  comparable?(span: Json): Json;
}

/**
 * Real clients (zipkin-js over zipkin-transport-http, the OTel Zipkin exporter, OTLP exporters over HTTP
 * protobuf and gRPC) send to a Skein on the store, and the spans are read back through /api/v2. Each
 * client's spans go, identically, to a second Skein on memory storage too: what the store answers (the
 * trace, the search, the name lists) must equal what the reference store answers, so every mapping the
 * client tests check elsewhere is checked here through the store without restating it.
 */
export function describeRealClients(o: RealClientsOptions): void {
  describe.skipIf(!o.available)(`real clients on STORAGE_TYPE=${o.name}`, () => {
    let running: { server: RunningSkein; close(): Promise<void> } | undefined;
    let storeServer: RunningSkein;
    let memServer: RunningSkein;

    beforeAll(async () => {
      running = await o.start();
      storeServer = running.server;
      memServer = await startTestServer({ STORAGE_TYPE: 'mem' });
    });
    afterAll(async () => {
      await running?.close();
      await memServer?.close();
    });

    const byId = (spans: Json[]) =>
      [...spans].map((s) => o.comparable?.(s) ?? s).sort((a, b) => a.id.localeCompare(b.id));
    const trace = async (server: RunningSkein, traceId: string, spans: number) =>
      byId(
        await waitFor(
          async () => {
            const found = await getJson<Json[]>(`${server.url}/api/v2/trace/${traceId}`);
            return found !== undefined && found.length >= spans ? found : undefined;
          },
          `${spans} spans of trace ${traceId} on ${server.storage === storeServer.storage ? o.name : 'mem'}`,
        ),
      );

    /** The trace, a search by its service and the service's span names agree between postgres and mem. */
    async function expectSameAnswers(traceId: string, service: string, spans: number): Promise<Json[]> {
      const fromStore = await trace(storeServer, traceId, spans);
      expect(fromStore).toHaveLength(spans);
      expect(fromStore).toEqual(await trace(memServer, traceId, spans));
      const search = `/api/v2/traces?serviceName=${encodeURIComponent(service)}&lookback=86400000&limit=10`;
      const searchOn = async (s: RunningSkein) => ((await getJson<Json[][]>(s.url + search)) ?? []).map(byId);
      // Seen once in a CI run: the trace was found by id with all its spans, but a search at that moment did
      // not list it yet (cause not found; noted on the issue). The search is waited for, with a deadline.
      await waitFor(
        async () =>
          (await searchOn(storeServer)).some((t) => t[0]?.['traceId'] === traceId) ? true : undefined,
        `trace ${traceId} in a search by ${service} on ${o.name}`,
      );
      const [storeTraces = [], memTraces] = await Promise.all([storeServer, memServer].map(searchOn));
      expect(storeTraces.map((t) => t[0]?.['traceId'])).toContain(traceId);
      expect(storeTraces).toEqual(memTraces);
      const names = `/api/v2/spans?serviceName=${encodeURIComponent(service)}`;
      expect(await getJson(storeServer.url + names)).toEqual(await getJson(memServer.url + names));
      expect(await getJson<string[]>(`${storeServer.url}/api/v2/services`)).toContain(service);
      return fromStore;
    }

    it('zipkin-js (zipkin-transport-http, JSON v2)', async () => {
      const loggers = [storeServer, memServer].map(
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
        localServiceName: `${o.prefix}-zipkin-js`,
      });
      let traceId = '';
      tracer.scoped(() => {
        const id = tracer.createRootId();
        tracer.setId(id);
        traceId = id.traceId;
        tracer.recordServiceName(`${o.prefix}-zipkin-js`);
        tracer.recordRpc("GET /it's \\ a path");
        tracer.recordAnnotation(new Annotation.ServerRecv());
        tracer.recordBinary('http.path', "/it's");
        tracer.recordMessage('cart loaded');
        tracer.recordAnnotation(new Annotation.ServerSend());
      });
      const [span] = await expectSameAnswers(traceId, `${o.prefix}-zipkin-js`, 1);
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
        resource: resourceFromAttributes({ 'service.name': `${o.prefix}-otel-zipkin` }),
        spanProcessors: [
          new SimpleSpanProcessor(
            tee([storeServer, memServer].map((s) => new ZipkinExporter({ url: `${s.url}/api/v2/spans` }))),
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
      const spans = await expectSameAnswers(root.spanContext().traceId, `${o.prefix}-otel-zipkin`, 2);
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
        const service = `${o.prefix}-${label.includes('grpc') ? 'otlp-grpc' : 'otlp-http'}`;
        const t = await exportOtelTrace(tee([storeServer, memServer].map(make)), service);
        const spans = await expectSameAnswers(t.traceId, service, 5);
        expect(spans.map((s) => s.id).sort()).toEqual(Object.values(t.ids).sort());
      });
    }
  });
}

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
