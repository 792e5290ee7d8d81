import type { FastifyInstance } from 'fastify';
import type { Span } from '../../model/span.js';
import { parseQueryRequest } from '../../storage/query-request.js';
import type { StorageComponent } from '../../storage/storage-component.js';
import { jaegerSpanKind, spanFailed } from '../span-metrics.js';
import { boolParam, intParam, invalid, param, queryParams } from './jaeger-params.js';

/**
 * RED metrics for Jaeger UI's Monitor tab (GET /api/metrics/{latencies,calls,errors}), computed by Skein
 * from the stored spans at query time, so they work on every store without Prometheus. Parameters and
 * defaults follow jaeger v2.20.0 JQ/internal/query_parser.go parseMetricsQueryParams and
 * default_params.go; the answer is the MetricFamily JSON jaeger's metricsquery proto defines.
 *
 * Each point at time t covers the spans that started in (t - ratePer, t]:
 * - calls: their number per second (Prometheus rate() over ratePer);
 * - errors: the share of them that failed (Zipkin: an `error` tag other than "false");
 * - latencies: the `quantile` of their durations in milliseconds, by nearest rank.
 * A point is only sent when at least one span falls in its window.
 */

export type MetricKind = 'latencies' | 'calls' | 'errors';

export interface MetricsQuery {
  services: string[];
  groupByOperation: boolean;
  /** Lowercase Jaeger kinds: server, client, producer, consumer, internal. */
  spanKinds: string[];
  /** Epoch ms. */
  endTs: number;
  lookback: number;
  step: number;
  ratePer: number;
  quantile?: number;
}

export interface MetricFamily {
  name: string;
  type: 'GAUGE';
  help: string;
  metrics: Array<{
    labels: Array<{ name: string; value: string }>;
    metricPoints: Array<{ timestamp: string; gaugeValue: { doubleValue: number } }>;
  }>;
}

const DEFAULT_LOOKBACK_MS = 3600_000;
const DEFAULT_STEP_MS = 5_000;
const DEFAULT_RATE_PER_MS = 600_000;
/** The most points one series may have, so a tiny step over a long lookback cannot exhaust the server. */
const MAX_POINTS = 10_000;
/** The most traces read per service for one answer. */
const MAX_TRACES = 10_000;

export function parseMetricsQuery(
  params: URLSearchParams,
  kind: MetricKind,
  nowMs = Date.now(),
): MetricsQuery {
  const services = params.getAll('service').filter((s) => s !== '');
  if (services.length === 0) {
    throw invalid("unable to parse param 'service': please provide at least one service name");
  }
  const spanKinds = params
    .getAll('spanKind')
    .filter((k) => k !== '')
    .map((k) => k.toLowerCase().replace(/^span_kind_/, ''));
  const positive = (name: string, fallback: number) => {
    const v = intParam(name, param(params, name)) ?? fallback;
    if (v <= 0) throw invalid(`unable to parse param '${name}': must be a positive number of milliseconds`);
    return v;
  };
  const query: MetricsQuery = {
    services: services.map((s) => s.toLowerCase()),
    groupByOperation: boolParam('groupByOperation', param(params, 'groupByOperation')),
    spanKinds: spanKinds.length > 0 ? spanKinds : ['server'],
    endTs: positive('endTs', nowMs),
    lookback: positive('lookback', DEFAULT_LOOKBACK_MS),
    step: positive('step', DEFAULT_STEP_MS),
    ratePer: positive('ratePer', DEFAULT_RATE_PER_MS),
  };
  if (query.lookback / query.step > MAX_POINTS) {
    throw invalid(`unable to parse param 'step': lookback/step must not exceed ${MAX_POINTS} points`);
  }
  if (kind === 'latencies') {
    const raw = param(params, 'quantile');
    const q = raw === undefined ? NaN : Number(raw);
    if (raw === undefined || !Number.isFinite(q) || q < 0 || q > 1) {
      throw invalid(
        `unable to parse param 'quantile': expected a number from 0 to 1, got ${JSON.stringify(raw ?? '')}`,
      );
    }
    query.quantile = q;
  }
  return query;
}

const NAMES: Record<MetricKind, string> = {
  calls: 'service_call_rate',
  errors: 'service_error_rate',
  latencies: 'service_latencies',
};

interface Sample {
  startMs: number;
  durationMs: number;
  failed: boolean;
}

/** The metric family of `kind` over the given spans (any spans; those not asked for are skipped). */
export function computeMetrics(spans: Iterable<Span>, query: MetricsQuery, kind: MetricKind): MetricFamily {
  const series = new Map<string, { labels: Array<{ name: string; value: string }>; samples: Sample[] }>();
  const from = query.endTs - query.lookback - query.ratePer;
  for (const s of spans) {
    const service = s.localEndpoint?.serviceName;
    if (service === undefined || !query.services.includes(service) || s.timestamp === undefined) continue;
    if (!query.spanKinds.includes(jaegerSpanKind(s))) continue;
    const startMs = s.timestamp / 1000;
    if (startMs <= from || startMs > query.endTs) continue;
    const labels = [{ name: 'service_name', value: service }];
    if (query.groupByOperation) labels.push({ name: 'operation', value: s.name ?? '' });
    const key = JSON.stringify(labels);
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { labels, samples: [] }));
    entry.samples.push({ startMs, durationMs: (s.duration ?? 0) / 1000, failed: spanFailed(s) });
  }
  const metrics: MetricFamily['metrics'] = [];
  for (const { labels, samples } of series.values()) {
    const metricPoints: MetricFamily['metrics'][number]['metricPoints'] = [];
    for (let t = query.endTs - query.lookback; t <= query.endTs; t += query.step) {
      const inWindow = samples.filter((x) => x.startMs > t - query.ratePer && x.startMs <= t);
      if (inWindow.length === 0) continue;
      metricPoints.push({
        timestamp: new Date(t).toISOString(),
        gaugeValue: { doubleValue: value(inWindow, query, kind) },
      });
    }
    if (metricPoints.length > 0) metrics.push({ labels, metricPoints });
  }
  const quantile = query.quantile ?? 0;
  const help: Record<MetricKind, string> = {
    calls: 'calls/sec, grouped by service',
    errors: 'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service',
    latencies: `${quantile}th quantile latency, grouped by service`,
  };
  const by = query.groupByOperation ? ' & operation' : '';
  return { name: NAMES[kind], type: 'GAUGE', help: `${help[kind]}${by}`, metrics };
}

function value(samples: Sample[], query: MetricsQuery, kind: MetricKind): number {
  if (kind === 'calls') return samples.length / (query.ratePer / 1000);
  if (kind === 'errors') return samples.filter((s) => s.failed).length / samples.length;
  const sorted = samples.map((s) => s.durationMs).sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((query.quantile ?? 0) * sorted.length));
  return sorted[rank - 1]!;
}

/** GET /api/metrics/{latencies,calls,errors}; errors reach the surrounding plugin's envelope handler. */
export function registerJaegerMetricsRoutes(
  app: FastifyInstance,
  storage: StorageComponent,
  timed: <T>(p: Promise<T>) => Promise<T>,
): void {
  for (const kind of ['latencies', 'calls', 'errors'] as const) {
    app.get(`/api/metrics/${kind}`, async (req, reply) => {
      const query = parseMetricsQuery(queryParams(req.url), kind);
      const spans: Span[] = [];
      for (const serviceName of query.services) {
        const request = parseQueryRequest(
          { serviceName, endTs: query.endTs, lookback: query.lookback + query.ratePer, limit: MAX_TRACES },
          { nowMs: query.endTs, lookbackMs: query.lookback },
        );
        for (const trace of await timed(storage.spanStore().getTraces(request))) spans.push(...trace);
      }
      // Each span once, even when two asked-for services share a trace.
      const unique = new Map(
        spans.map((s) => [`${s.traceId}/${s.id}/${s.shared === true}/${s.localEndpoint?.serviceName}`, s]),
      );
      return reply
        .type('application/json')
        .send(JSON.stringify(computeMetrics(unique.values(), query, kind)));
    });
  }
}
