import { Counter, type Registry } from 'prom-client';
import type { LimitedField, TruncationCounter } from '../model/span-limits.js';

/** The transports Skein collects from; each gets its own label value in the collector metrics. */
export type TransportName =
  | 'http'
  | 'grpc'
  | 'otlp-http'
  | 'otlp-grpc'
  | 'jaeger-udp'
  | 'jaeger-http'
  | 'jaeger-grpc'
  | 'rabbitmq'
  | 'kafka'
  | 'activemq'
  | 'scribe';

/** zipkin's collector counters, per transport. */
export interface TransportMetrics {
  messages(): void;
  messagesDropped(): void;
  bytes(n: number): void;
  spans(n: number): void;
  spansDropped(n: number): void;
}

export interface CollectorMetrics {
  forTransport(transport: TransportName): TransportMetrics;
}

/** Prometheus counters named as zipkin names them, so existing dashboards keep working. */
export class PrometheusCollectorMetrics implements CollectorMetrics {
  private readonly counters;
  private readonly cache = new Map<TransportName, TransportMetrics>();

  constructor(registry: Registry) {
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['transport'], registers: [registry] });
    this.counters = {
      messages: counter(
        'zipkin_collector_messages_total',
        'Messages received (one POST, one UDP packet, one RPC)',
      ),
      messagesDropped: counter(
        'zipkin_collector_messages_dropped_total',
        'Messages that could not be decoded or stored',
      ),
      bytes: counter('zipkin_collector_bytes_total', 'Bytes received, after decompression'),
      spans: counter('zipkin_collector_spans_total', 'Spans received'),
      spansDropped: counter(
        'zipkin_collector_spans_dropped_total',
        'Spans sampled out, invalid or not stored',
      ),
    };
  }

  forTransport(transport: TransportName): TransportMetrics {
    let m = this.cache.get(transport);
    if (!m) {
      const c = this.counters;
      const l = { transport };
      m = {
        messages: () => c.messages.inc(l),
        messagesDropped: () => c.messagesDropped.inc(l),
        bytes: (n) => c.bytes.inc(l, n),
        spans: (n) => c.spans.inc(l, n),
        spansDropped: (n) => c.spansDropped.inc(l, n),
      };
      this.cache.set(transport, m);
    }
    return m;
  }
}

/** skein_span_values_truncated_total{field}: values cut or dropped by the SPAN_MAX_* limits. */
export function prometheusTruncationCounter(registry: Registry): TruncationCounter {
  const c = new Counter({
    name: 'skein_span_values_truncated_total',
    help: 'Span values over a SPAN_MAX_* limit: names, keys and values truncated, tags and annotations dropped',
    labelNames: ['field'],
    registers: [registry],
  });
  return (field: LimitedField, n: number) => c.inc({ field }, n);
}
