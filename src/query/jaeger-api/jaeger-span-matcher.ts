import type { JaegerKeyValue, JaegerUiSpan, JaegerUiTrace } from './jaeger-ui-model.js';

/**
 * Jaeger's search semantics, which differ from Zipkin's (where each criterion may be met by a different
 * span): a trace matches when ONE span meets every condition (jaeger internal/storage/v2/memory/tenant.go
 * validSpan). Applied to the UI model, so a tag matches what the user sees: span tags, process tags and
 * log fields, with `error` and `span.kind` as the special keys.
 */
export interface JaegerSpanQuery {
  /** Lowercase, as Skein stores names. */
  serviceName?: string;
  operationName?: string;
  /** Epoch microseconds, inclusive. */
  startMin?: number;
  startMax?: number;
  /** Microseconds, inclusive. */
  durationMin?: number;
  durationMax?: number;
  tags: Map<string, string>;
}

export function traceMatchesJaeger(q: JaegerSpanQuery, trace: JaegerUiTrace): boolean {
  return trace.spans.some((s) => spanMatches(q, trace, s));
}

function spanMatches(q: JaegerSpanQuery, trace: JaegerUiTrace, s: JaegerUiSpan): boolean {
  const process = trace.processes[s.processID];
  if (q.serviceName !== undefined && process?.serviceName !== q.serviceName) return false;
  if (q.operationName !== undefined && s.operationName !== q.operationName) return false;
  if (q.startMin !== undefined && s.startTime < q.startMin) return false;
  if (q.startMax !== undefined && s.startTime > q.startMax) return false;
  if (q.durationMin !== undefined && s.duration < q.durationMin) return false;
  if (q.durationMax !== undefined && s.duration > q.durationMax) return false;
  for (const [key, want] of q.tags) {
    if (key === 'error') {
      // tenant.go: error=true|false tests the status, not a string attribute.
      const failed = s.tags.some((t) => t.key === 'error' && t.value === true);
      if (want === 'true' ? !failed : want === 'false' ? failed : !hasValue(s.tags, key, want)) return false;
      continue;
    }
    if (key === 'span.kind') {
      if (!hasValue(s.tags, key, want.toLowerCase())) return false;
      continue;
    }
    if (
      !hasValue(s.tags, key, want) &&
      !hasValue(process?.tags ?? [], key, want) &&
      !s.logs.some((l) => hasValue(l.fields, key, want))
    ) {
      return false;
    }
  }
  return true;
}

function hasValue(kvs: readonly JaegerKeyValue[], key: string, want: string): boolean {
  return kvs.some((kv) => kv.key === key && String(kv.value) === want);
}
