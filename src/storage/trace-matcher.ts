import type { Span } from '../model/span.js';
import type { QueryRequest } from './query-request.js';

/**
 * Zipkin's trace-search semantics (zipkin QueryRequest.test), as pure functions over the raw spans of one
 * trace. Any store that narrows candidates with its own indexes can post-filter them with `traceMatches`
 * and get exactly the zipkin answer.
 */

/**
 * The timestamp a trace is searched and ordered by (epoch microseconds): the root span's (a span without
 * parentId; the earliest if several), else the earliest span timestamp. Undefined when no span has one;
 * zipkin: such a trace never matches a search.
 */
export function traceTimestamp(spans: readonly Span[]): number | undefined {
  let root: number | undefined;
  let earliest: number | undefined;
  for (const span of spans) {
    const ts = span.timestamp;
    if (ts === undefined) continue;
    if (earliest === undefined || ts < earliest) earliest = ts;
    if (span.parentId === undefined && (root === undefined || ts < root)) root = ts;
  }
  return root ?? earliest;
}

/** zipkin: both edges of [endTs - lookback, endTs] are inclusive; no timestamp never matches. */
export function inQueryWindow(request: QueryRequest, timestampMicros: number | undefined): boolean {
  if (timestampMicros === undefined || timestampMicros <= 0) return false;
  return (
    timestampMicros >= (request.endTs - request.lookback) * 1000 && timestampMicros <= request.endTs * 1000
  );
}

/** Whether the trace made of `spans` answers `request`: its timestamp is in the window and `spansMatch`. */
export function traceMatches(request: QueryRequest, spans: readonly Span[]): boolean {
  return inQueryWindow(request, traceTimestamp(spans)) && spansMatch(request, spans);
}

/**
 * Every QueryRequest criterion except the time window. When serviceName is given, only spans whose local
 * service is that service may satisfy the other criteria, and each criterion (remote service, span name,
 * each annotationQuery term, the duration range) may be satisfied by a different span of it (zipkin).
 */
export function spansMatch(request: QueryRequest, spans: readonly Span[]): boolean {
  const { serviceName, remoteServiceName, spanName, minDuration, maxDuration } = request;
  const remainingTags = new Map<string, string>();
  const remainingWords = new Set(request.annotationQuery.words);
  for (const [key, value] of request.annotationQuery.tags) {
    // zipkin: "k=" carries an empty value, which it treats like the bare word "k".
    if (value === '') remainingWords.add(key);
    else remainingTags.set(key, value);
  }
  let serviceSeen = serviceName === undefined;
  let remoteSeen = remoteServiceName === undefined;
  let nameSeen = spanName === undefined;
  let durationSeen = minDuration === undefined && maxDuration === undefined;

  for (const span of spans) {
    if (serviceName !== undefined && span.localEndpoint?.serviceName !== serviceName) continue;
    serviceSeen = true;
    if (!remoteSeen && span.remoteEndpoint?.serviceName === remoteServiceName) remoteSeen = true;
    if (!nameSeen && span.name === spanName) nameSeen = true;
    if (!durationSeen && durationInRange(span.duration, minDuration, maxDuration)) durationSeen = true;
    if (remainingWords.size > 0 && span.annotations) {
      for (const a of span.annotations) remainingWords.delete(a.value);
    }
    if ((remainingWords.size > 0 || remainingTags.size > 0) && span.tags) {
      for (const key in span.tags) {
        remainingWords.delete(key);
        if (remainingTags.get(key) === span.tags[key]) remainingTags.delete(key);
      }
    }
  }
  return (
    serviceSeen &&
    remoteSeen &&
    nameSeen &&
    durationSeen &&
    remainingWords.size === 0 &&
    remainingTags.size === 0
  );
}

/** zipkin: both bounds inclusive; a span without a duration satisfies no bound. */
function durationInRange(
  duration: number | undefined,
  min: number | undefined,
  max: number | undefined,
): boolean {
  if (duration === undefined) return false;
  if (min !== undefined && duration < min) return false;
  if (max !== undefined && duration > max) return false;
  return true;
}
