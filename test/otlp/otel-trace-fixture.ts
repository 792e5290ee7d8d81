import { SpanKind, SpanStatusCode, context, trace, type Link } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ZIPKIN_V2_FIELDS as SPAN_FIELDS } from '../../src/model/span.js';

/** Every Zipkin v2 field: what comes out of the Zipkin API must use only these. */
export const ZIPKIN_V2_FIELDS: ReadonlySet<string> = new Set(SPAN_FIELDS);

export interface ExportedTrace {
  traceId: string;
  ids: Record<'server' | 'client' | 'producer' | 'consumer' | 'internal', string>;
  linkedTraceId: string;
  linkedSpanId: string;
  /** Epoch seconds of every span start; each span starts at a fixed nanosecond offset inside it. */
  second: number;
}

/**
 * Makes one trace with an OpenTelemetry SDK, as an instrumented app would, covering every mapping rule:
 * a SERVER root with typed attributes and events, a CLIENT with peer attributes and ERROR status, a
 * PRODUCER over the attribute/event limits, a CONSUMER with links (one over the limit), an INTERNAL span.
 */
export async function exportOtelTrace(
  exporter: SpanExporter,
  serviceName: string,
  setup: 'basic+simple' | 'node+batch' = 'basic+simple',
): Promise<ExportedTrace> {
  const config = {
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'shop' }),
    spanLimits: { attributeCountLimit: 5, eventCountLimit: 2, linkCountLimit: 1 },
  };
  // The two setups apps use: export each span as it ends, or batch them and flush.
  const provider =
    setup === 'node+batch'
      ? new NodeTracerProvider({ ...config, spanProcessors: [new BatchSpanProcessor(exporter)] })
      : new BasicTracerProvider({ ...config, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('skein-e2e', '9.9.9');
  const second = Math.floor(Date.now() / 1000);
  const at = (ms: number): [number, number] => [second, ms * 1_000_000 + 456_789];

  const server = tracer.startSpan('GET /Checkout', {
    kind: SpanKind.SERVER,
    startTime: at(100),
    attributes: {
      'http.method': 'GET',
      'http.status_code': 200,
      'app.retry': true,
      'app.ratio': 0.5,
      'app.items': ['a', 'b'],
    },
  });
  const parent = trace.setSpan(context.active(), server);
  server.addEvent('cache miss', { 'cache.key': 'user:1' }, at(110));
  server.addEvent('plain', at(120));
  server.setStatus({ code: SpanStatusCode.OK });

  const client = tracer.startSpan(
    'charge',
    {
      kind: SpanKind.CLIENT,
      startTime: at(200),
      attributes: {
        'peer.service': 'Payments',
        'server.address': 'pay.internal',
        'network.peer.address': '10.0.0.9',
        'network.peer.port': 8443,
      },
    },
    parent,
  );
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  client.end(at(250));

  const producer = tracer.startSpan(
    'send order',
    {
      kind: SpanKind.PRODUCER,
      startTime: at(300),
      attributes: {
        'messaging.system': 'kafka',
        'server.address': 'Kafka-1',
        a: '1',
        b: '2',
        c: '3',
        d: '4',
      },
    },
    parent,
  );
  for (const n of ['e1', 'e2', 'e3']) producer.addEvent(n, at(310));
  producer.end(at(320));

  const linkedTraceId = 'abcdef0123456789abcdef0123456789';
  const linkedSpanId = '0123456789abcdef';
  // The SDK keeps the newest links within its limit, so the second one is stored.
  const links: Link[] = [
    { context: { traceId: linkedTraceId, spanId: 'fedcba9876543210', traceFlags: 1 } },
    {
      context: { traceId: linkedTraceId, spanId: linkedSpanId, traceFlags: 1 },
      attributes: { 'link.why': 'batch' },
    },
  ];
  const consumer = tracer.startSpan(
    'receive order',
    { kind: SpanKind.CONSUMER, startTime: at(400), links },
    parent,
  );
  consumer.end(at(450));

  const internal = tracer.startSpan('compute', { kind: SpanKind.INTERNAL, startTime: at(500) }, parent);
  internal.end(at(510));
  server.end(at(900));

  await provider.forceFlush();
  await provider.shutdown();
  const ids = {
    server: server.spanContext().spanId,
    client: client.spanContext().spanId,
    producer: producer.spanContext().spanId,
    consumer: consumer.spanContext().spanId,
    internal: internal.spanContext().spanId,
  };
  return { traceId: server.spanContext().traceId, ids, linkedTraceId, linkedSpanId, second };
}
