import { Counter, Histogram, type Registry } from 'prom-client';
import type { Span } from '../model/span.js';
import type { SpanConsumer } from '../storage/storage-component.js';

/**
 * RED span metrics on /prometheus, in the names and labels of the OpenTelemetry Collector's spanmetrics
 * connector (namespace traces.span.metrics), which is what Jaeger's own Prometheus-backed Monitor tab
 * queries: `traces_span_metrics_calls_total` and `traces_span_metrics_duration_milliseconds` (a histogram),
 * labelled service_name, span_name, span_kind (SPAN_KIND_SERVER...) and status_code (STATUS_CODE_ERROR or
 * STATUS_CODE_UNSET). They count the spans storage accepted, with the rules /api/metrics/* uses when it
 * computes the same figures from stored spans: spans without a service are not counted, a span without a
 * kind is SPAN_KIND_INTERNAL, a span failed when it has an `error` tag other than "false".
 *
 * Span names and service names are attacker-controlled, so the label set is bounded: each service keeps
 * its first `maxOperations` span names and at most `maxServices` services are named. A span past either
 * cap is folded into its service's overflow series, which has no span_name and carries
 * otel_metric_overflow="true" (the connector's overflow attribute), and is counted in
 * `skein_span_metrics_overflow_total{service_name}` (service_name empty when the service itself was over
 * the cap). Label values are cut to MAX_LABEL_CHARS so the text a scrape returns stays bounded too.
 */
export interface SpanMetricsOptions {
  /** SPAN_METRICS_MAX_OPERATIONS: span names kept per service. */
  maxOperations: number;
  /** Services named before further services fold into one overflow series. */
  maxServices?: number;
}

/** The spanmetrics connector's default histogram buckets, in milliseconds. */
export const SPAN_METRICS_BUCKETS_MS = [
  2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000,
];
const DEFAULT_MAX_SERVICES = 1000;
const MAX_LABEL_CHARS = 200;

/** Zipkin's rule, shared with /api/metrics/errors: an `error` tag whose value is not "false". */
export function spanFailed(span: Span): boolean {
  const error = span.tags?.error;
  return error !== undefined && error !== 'false';
}

/** The lowercase Jaeger kind of a span: server, client, producer, consumer, or internal when it has none. */
export function jaegerSpanKind(span: Span): string {
  return span.kind?.toLowerCase() ?? 'internal';
}

type Labels = Record<string, string>;

interface Series {
  calls: Counter.Internal;
  duration: Histogram.Internal<string>;
}

export class SpanMetrics {
  private readonly calls: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly overflow: Counter<string>;
  /** Span names admitted per service; its size never exceeds maxOperations. */
  private readonly operations = new Map<string, Set<string>>();
  /** Label children by series key, so a span costs one map lookup rather than a label hash. */
  private readonly series = new Map<string, Series>();
  private readonly maxServices: number;

  constructor(
    registry: Registry,
    private readonly options: SpanMetricsOptions,
  ) {
    this.maxServices = options.maxServices ?? DEFAULT_MAX_SERVICES;
    const labelNames = ['service_name', 'span_name', 'span_kind', 'status_code', 'otel_metric_overflow'];
    this.calls = new Counter({
      name: 'traces_span_metrics_calls_total',
      help: 'Spans stored, by service, span name, kind and status (spanmetrics connector names)',
      labelNames,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'traces_span_metrics_duration_milliseconds',
      help: 'Span durations in milliseconds, by service, span name, kind and status',
      labelNames,
      buckets: SPAN_METRICS_BUCKETS_MS,
      registers: [registry],
    });
    this.overflow = new Counter({
      name: 'skein_span_metrics_overflow_total',
      help: 'Spans folded into an overflow series because their service had too many span names (or there were too many services)',
      labelNames: ['service_name'],
      registers: [registry],
    });
  }

  /** Counts stored spans. Never throws: metrics must not fail ingest. */
  record(spans: readonly Span[]): void {
    for (const span of spans) {
      const rawService = span.localEndpoint?.serviceName;
      if (rawService === undefined) continue;
      const service = cut(rawService);
      const name = cut(span.name ?? '');
      const kind = `SPAN_KIND_${jaegerSpanKind(span).toUpperCase()}`;
      const status = spanFailed(span) ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET';
      const admitted = this.admit(service, name);
      const labels: Labels =
        admitted === 'named'
          ? { service_name: service, span_name: name, span_kind: kind, status_code: status }
          : {
              service_name: admitted === 'service-overflow' ? '' : service,
              span_kind: kind,
              status_code: status,
              otel_metric_overflow: 'true',
            };
      if (admitted !== 'named') this.overflow.inc({ service_name: labels.service_name! });
      const s = this.seriesOf(labels);
      s.calls.inc();
      s.duration.observe((span.duration ?? 0) / 1000);
    }
  }

  /** A consumer that stores through `inner` and counts what it stored (after the store accepted it). */
  counting(inner: SpanConsumer): SpanConsumer {
    return {
      accept: async (spans) => {
        await inner.accept(spans);
        this.record(spans);
      },
    };
  }

  private admit(service: string, name: string): 'named' | 'overflow' | 'service-overflow' {
    let names = this.operations.get(service);
    if (names === undefined) {
      if (this.operations.size >= this.maxServices) return 'service-overflow';
      this.operations.set(service, (names = new Set()));
    }
    if (names.has(name)) return 'named';
    if (names.size >= this.options.maxOperations) return 'overflow';
    names.add(name);
    return 'named';
  }

  private seriesOf(labels: Labels): Series {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { calls: this.calls.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, s);
    }
    return s;
  }
}

function cut(value: string): string {
  return value.length <= MAX_LABEL_CHARS ? value : value.slice(0, MAX_LABEL_CHARS);
}
