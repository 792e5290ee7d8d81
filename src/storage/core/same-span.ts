import type { Span } from '../../model/span.js';

/**
 * Structural equality of two spans, so a re-sent span is stored once (zipkin keeps spans in a set). A
 * property whose value is undefined counts as absent.
 */
export function sameSpan(a: Span, b: Span): boolean {
  return a === b || (a.id === b.id && a.traceId === b.traceId && sameValue(a, b));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    defined++;
    if (!sameValue(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) defined--;
  return defined === 0;
}
