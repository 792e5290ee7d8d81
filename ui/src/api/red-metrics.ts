import { getJson } from './client';

/** Jaeger's MetricFamily JSON (GET /api/metrics/{calls,errors,latencies}), computed by Skein from spans. */
export interface MetricFamily {
  name: string;
  metrics: Array<{
    labels: Array<{ name: string; value: string }>;
    metricPoints: Array<{ timestamp: string; gaugeValue: { doubleValue: number } }>;
  }>;
}

export type RedKind = 'calls' | 'errors' | 'p50' | 'p95' | 'p99';
export const RED_KINDS: readonly RedKind[] = ['calls', 'errors', 'p50', 'p95', 'p99'];

export interface RedQuery {
  service: string;
  byOperation: boolean;
  spanKind: string;
  /** Epoch ms. */
  endTs: number;
  lookbackMs: number;
  stepMs: number;
}

/** One series: a time (epoch ms) and value per point; calls per second, error share 0..1, latency ms. */
export type Series = Array<[number, number]>;

/** Per operation ('' for the whole service): the five RED series. */
export type RedSeries = Map<string, Record<RedKind, Series>>;

/**
 * Fetches the five RED families for one service. Each point covers the spans that started in the
 * step before it (ratePer = step), so points add up to the whole range without overlap.
 */
export async function fetchRed(q: RedQuery, signal?: AbortSignal): Promise<RedSeries> {
  const out: RedSeries = new Map();
  await Promise.all(
    RED_KINDS.map(async (kind) => {
      const p = new URLSearchParams({
        service: q.service,
        groupByOperation: String(q.byOperation),
        spanKind: q.spanKind,
        endTs: String(q.endTs),
        lookback: String(q.lookbackMs),
        step: String(q.stepMs),
        ratePer: String(q.stepMs),
      });
      const path = kind === 'calls' || kind === 'errors' ? kind : 'latencies';
      if (path === 'latencies') p.set('quantile', String(Number(kind.slice(1)) / 100));
      const fam = await getJson<MetricFamily>(`/api/metrics/${path}?${p.toString()}`, signal);
      for (const m of fam.metrics) {
        const op = q.byOperation ? (m.labels.find((l) => l.name === 'operation')?.value ?? '') : '';
        let entry = out.get(op);
        if (!entry) out.set(op, (entry = { calls: [], errors: [], p50: [], p95: [], p99: [] }));
        entry[kind] = m.metricPoints.map((pt) => [Date.parse(pt.timestamp), pt.gaugeValue.doubleValue]);
      }
    }),
  );
  return out;
}

/** The value of a one-window query (step = lookback) at its end, or undefined when nothing started then. */
export function lastValue(series: Series | undefined, endTs: number): number | undefined {
  return series?.find(([t]) => t === endTs)?.[1];
}
