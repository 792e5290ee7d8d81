import type { Annotation, Endpoint, Span } from './span.js';

/**
 * Size limits on what one span may carry (SPAN_MAX_* settings). Span data is attacker-controlled: one
 * span with a 10 MB service name slowed every later SQLite write and grew /api/v2/services to 10 MB, and
 * one with 100k tags stalled all ingest for seconds (issue 15).
 *
 * Over a limit the value is truncated, not refused: a refusal would lose the whole batch (a 400 is not
 * retried by any reporter), and OpenTelemetry SDKs truncate the same way (attribute count and value
 * length limits). Each truncation is counted by field, so it shows on /prometheus.
 * Lengths are UTF-16 code units (JavaScript string length), cut so that no surrogate pair is split.
 */
export interface SpanLimits {
  /** Span names and service names (local and remote endpoint). */
  maxNameLength: number;
  maxTagKeyLength: number;
  /** Tag values and annotation values. */
  maxTagValueLength: number;
  /** Tags per span; past it, the first ones in the span's order are kept. */
  maxTags: number;
  /** Annotations per span; past it, the earliest are kept. */
  maxAnnotations: number;
}

/** What was truncated, the label of the truncation counter. */
export type LimitedField =
  'name' | 'serviceName' | 'tagKey' | 'tagValue' | 'tags' | 'annotations' | 'annotationValue';

/** Called once per truncated field kind per span, with how many values of it were cut or dropped. */
export type TruncationCounter = (field: LimitedField, n: number) => void;

/** Cuts `s` to at most `max` code units without leaving half a surrogate pair at the end. */
export function truncateString(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end);
}

function overAny(span: Span, l: SpanLimits): boolean {
  if (span.name !== undefined && span.name.length > l.maxNameLength) return true;
  if ((span.localEndpoint?.serviceName?.length ?? 0) > l.maxNameLength) return true;
  if ((span.remoteEndpoint?.serviceName?.length ?? 0) > l.maxNameLength) return true;
  const annotations = span.annotations;
  if (annotations) {
    if (annotations.length > l.maxAnnotations) return true;
    for (const a of annotations) if (a.value.length > l.maxTagValueLength) return true;
  }
  if (span.tags) {
    let n = 0;
    for (const k in span.tags) {
      if (++n > l.maxTags || k.length > l.maxTagKeyLength || span.tags[k]!.length > l.maxTagValueLength)
        return true;
    }
  }
  return false;
}

/**
 * The span within `limits`: the same object when nothing is over (the common case, no copy), else a copy
 * with the over-long values cut and the excess tags and annotations dropped, each counted.
 */
export function limitSpan(span: Span, limits: SpanLimits, count: TruncationCounter): Span {
  if (!overAny(span, limits)) return span;
  const out: Span = { ...span };
  if (span.name !== undefined && span.name.length > limits.maxNameLength) {
    out.name = truncateString(span.name, limits.maxNameLength);
    count('name', 1);
  }
  let services = 0;
  const endpoint = (e: Endpoint | undefined): Endpoint | undefined => {
    if (e?.serviceName === undefined || e.serviceName.length <= limits.maxNameLength) return e;
    services++;
    return { ...e, serviceName: truncateString(e.serviceName, limits.maxNameLength) };
  };
  if (span.localEndpoint) out.localEndpoint = endpoint(span.localEndpoint)!;
  if (span.remoteEndpoint) out.remoteEndpoint = endpoint(span.remoteEndpoint)!;
  if (services) count('serviceName', services);
  if (span.annotations) out.annotations = limitAnnotations(span.annotations, limits, count);
  if (span.tags) out.tags = limitTags(span.tags, limits, count);
  return out;
}

function limitAnnotations(list: Annotation[], limits: SpanLimits, count: TruncationCounter): Annotation[] {
  // Already sorted by timestamp (normalizeSpan), so the first ones are the earliest.
  const kept = list.length > limits.maxAnnotations ? list.slice(0, limits.maxAnnotations) : list;
  if (kept !== list) count('annotations', list.length - kept.length);
  let cut = 0;
  const out = kept.map((a) => {
    if (a.value.length <= limits.maxTagValueLength) return a;
    cut++;
    return { timestamp: a.timestamp, value: truncateString(a.value, limits.maxTagValueLength) };
  });
  if (cut) count('annotationValue', cut);
  return out;
}

function limitTags(
  tags: Record<string, string>,
  limits: SpanLimits,
  count: TruncationCounter,
): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  let keys = 0;
  let values = 0;
  for (const [k0, v0] of Object.entries(tags)) {
    if (n === limits.maxTags) break;
    let k = k0;
    if (k.length > limits.maxTagKeyLength) {
      k = truncateString(k, limits.maxTagKeyLength);
      keys++;
      // Two long keys with the same prefix: the first one keeps it.
      if (Object.prototype.hasOwnProperty.call(out, k)) continue;
    }
    let v = v0;
    if (v.length > limits.maxTagValueLength) {
      v = truncateString(v, limits.maxTagValueLength);
      values++;
    }
    // A "__proto__" key is data like any other (as in normalizeSpan).
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    n++;
  }
  // Dropped: those past the count, and a truncated key that collided with an earlier one.
  const total = Object.keys(tags).length;
  if (total > n) count('tags', total - n);
  if (keys) count('tagKey', keys);
  if (values) count('tagValue', values);
  return out;
}
