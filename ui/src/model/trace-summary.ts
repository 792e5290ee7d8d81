import type { Span } from './span-types';
import { buildTraceModel, computeTiming } from './trace-model';

/** What a search result row shows about one trace. */
export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  /** Epoch μs of the earliest span; undefined when no span has a timestamp. */
  timestamp: number | undefined;
  /** zipkin-lens getMaxDuration: the interval the spans cover; 0 when no span has a timestamp. */
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
  return {
    traceId: model.traceId,
    rootService: first?.serviceName ?? '',
    rootName: first?.span.name ?? '',
    timestamp: timing.known ? timing.traceStart : undefined,
    duration: timing.duration ?? 0,
    spanCount: model.rows.length,
    services: model.services,
    errorCount: model.errorCount,
  };
}
