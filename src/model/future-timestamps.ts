import type { Span } from './span.js';

/** The tag a span gets when its timestamp was too far ahead of its arrival; the value is what it sent. */
export const FUTURE_TIMESTAMP_TAG = 'skein.future_timestamp';

/**
 * RETENTION_MAX_FUTURE (issue 15): a span timestamp of 1e308 or 2^63 µs was accepted and never expired,
 * whatever RETENTION said, because retention keeps a trace until the later of its timestamp and its
 * arrival. Within `maxFutureUs` of arrival (clock skew between hosts) the span is kept as sent. Beyond
 * it, the span's timestamp becomes its arrival time, so retention and search place it where it arrived, and
 * the original value is kept in the FUTURE_TIMESTAMP_TAG tag. Annotations beyond the bound move to the same
 * time (their offsets from a timestamp that large mean nothing: a double has no precision left there).
 * Returns the same object when nothing is beyond the bound.
 */
export function boundFutureTimestamps(span: Span, arrivalUs: number, maxFutureUs: number): Span {
  const limit = arrivalUs + maxFutureUs;
  const tsOver = span.timestamp !== undefined && span.timestamp > limit;
  const annotationsOver = span.annotations?.some((a) => a.timestamp > limit) ?? false;
  if (!tsOver && !annotationsOver) return span;
  const out: Span = { ...span };
  const at = tsOver || span.timestamp === undefined ? arrivalUs : span.timestamp;
  if (tsOver) out.timestamp = arrivalUs;
  if (annotationsOver) {
    const moved = span.annotations!.map((a) => (a.timestamp > limit ? { timestamp: at, value: a.value } : a));
    moved.sort((x, y) => x.timestamp - y.timestamp || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
    // normalizeSpan's rule: no two annotations with the same time and value.
    out.annotations = moved.filter(
      (a, i) => i === 0 || a.timestamp !== moved[i - 1]!.timestamp || a.value !== moved[i - 1]!.value,
    );
  }
  const sent = tsOver ? span.timestamp! : Math.max(...span.annotations!.map((a) => a.timestamp));
  out.tags = { ...span.tags, [FUTURE_TIMESTAMP_TAG]: String(sent) };
  return out;
}
