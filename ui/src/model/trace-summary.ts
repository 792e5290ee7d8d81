import type { Span } from './span-types';
import { buildTraceModel, computeTiming } from './trace-model';

/** What a search result row shows about one trace. */
export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  /** Epoch μs of the earliest span. */
  timestamp: number;
  duration: number;
  spanCount: number;
  services: Array<{ name: string; count: number; errors: number }>;
  errorCount: number;
}

export function summarizeTrace(spans: readonly Span[]): TraceSummary | undefined {
  if (spans.length === 0) return undefined;
  const model = buildTraceModel(spans);
  const timing = computeTiming(model, true);
  const first = model.rows[model.roots[0] ?? 0];
  // zipkin-lens: the trace duration is the root span's when present, otherwise the covered interval.
  const rootDuration = model.roots.length === 1 ? first?.span.duration : undefined;
  return {
    traceId: model.traceId,
    rootService: first?.serviceName ?? '',
    rootName: first?.span.name ?? '',
    timestamp: timing.traceStart,
    duration: rootDuration ?? timing.traceEnd - timing.traceStart,
    spanCount: model.rows.length,
    services: model.services,
    errorCount: model.errorCount,
  };
}
