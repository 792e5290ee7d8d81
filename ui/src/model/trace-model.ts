import { buildSpanTree, type SpanNode } from '../../../src/model/span-node.js';
import { correctClockSkew } from '../../../src/model/clock-skew.js';
import type { Span } from './span-types';

/** One span of a trace, flattened in tree (pre-)order for rendering. Indices refer to TraceModel.rows. */
export interface TraceRow {
  index: number;
  /** The span as stored. */
  span: Span;
  /** The span after zipkin's clock-skew correction (the same object when nothing was shifted). */
  corrected: Span;
  /** Microseconds subtracted by the correction; 0 when unadjusted. */
  skew: number;
  depth: number;
  parent: number;
  children: number[];
  serviceName: string;
  error: boolean;
  /** Number of spans below this one (for "12 hidden" labels when collapsed). */
  descendants: number;
}

export interface ServiceCount {
  name: string;
  count: number;
  errors: number;
}

export interface TraceModel {
  traceId: string;
  rows: TraceRow[];
  /** Rows at depth 0: the root, or every root-most span when the trace has no single root. */
  roots: number[];
  services: ServiceCount[];
  errorCount: number;
  maxDepth: number;
  /** Rows whose timestamps the clock-skew correction shifted. */
  skewedCount: number;
}

export const UNKNOWN_SERVICE = 'unknown';

export function serviceOf(span: Span): string {
  return span.localEndpoint?.serviceName ?? span.remoteEndpoint?.serviceName ?? UNKNOWN_SERVICE;
}

/** zipkin-lens marks a span as an error when it has an "error" tag or an "error" annotation. */
export function isErrorSpan(span: Span): boolean {
  if (span.tags !== undefined && 'error' in span.tags) return true;
  return span.annotations?.some((a) => a.value === 'error') ?? false;
}

/** Builds the tree (zipkin merge + SpanNode rules) and its clock-skew corrected twin, flattened. */
export function buildTraceModel(spans: readonly Span[]): TraceModel {
  const raw = buildSpanTree(spans);
  const { root: fixed } = correctClockSkew(raw);
  const rows: TraceRow[] = [];
  const roots: number[] = [];
  let maxDepth = 0;
  let skewedCount = 0;

  // Both trees have the same shape (the correction copies node by node), so walk them in step.
  type Item = { a: SpanNode; b: SpanNode; depth: number; parent: number };
  const stack: Item[] = [];
  const pushChildren = (a: SpanNode, b: SpanNode, depth: number, parent: number): void => {
    for (let i = a.children.length - 1; i >= 0; i--) {
      stack.push({ a: a.children[i]!, b: b.children[i] ?? a.children[i]!, depth, parent });
    }
  };
  if (raw.span === undefined) pushChildren(raw, fixed, 0, -1);
  else stack.push({ a: raw, b: fixed, depth: 0, parent: -1 });

  while (stack.length > 0) {
    const { a, b, depth, parent } = stack.pop()!;
    const span = a.span!;
    const corrected = b.span ?? span;
    const skew = span.timestamp !== undefined && corrected.timestamp !== undefined ? span.timestamp - corrected.timestamp : 0;
    if (skew !== 0) skewedCount++;
    const index = rows.length;
    rows.push({
      index,
      span,
      corrected: skew !== 0 || corrected !== span ? corrected : span,
      skew,
      depth,
      parent,
      children: [],
      serviceName: serviceOf(span),
      error: isErrorSpan(span),
      descendants: 0,
    });
    if (parent >= 0) rows[parent]!.children.push(index);
    else roots.push(index);
    if (depth > maxDepth) maxDepth = depth;
    pushChildren(a, b, depth + 1, index);
  }
  // Pre-order: every descendant comes after its ancestor, so one backwards pass sums subtree sizes.
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!;
    if (r.parent >= 0) rows[r.parent]!.descendants += r.descendants + 1;
  }

  const byService = new Map<string, ServiceCount>();
  let errorCount = 0;
  for (const r of rows) {
    let s = byService.get(r.serviceName);
    if (!s) byService.set(r.serviceName, (s = { name: r.serviceName, count: 0, errors: 0 }));
    s.count++;
    if (r.error) {
      s.errors++;
      errorCount++;
    }
  }
  const traceId = rows.find((r) => r.span.traceId.length === 32)?.span.traceId ?? rows[0]?.span.traceId ?? '';
  return {
    traceId,
    rows,
    roots,
    services: [...byService.values()].sort((x, y) => y.count - x.count || x.name.localeCompare(y.name)),
    errorCount,
    maxDepth,
    skewedCount,
  };
}

/** Start/end (epoch μs) of each row under the chosen clock, with absent timestamps borrowed from the parent. */
export interface TraceTiming {
  start: Float64Array;
  end: Float64Array;
  /** 1 when the row has a start time (its own or its parent's); 0 rows have no bar to draw. */
  timed: Uint8Array;
  traceStart: number;
  traceEnd: number;
  /** False when no span or annotation has a timestamp: start and duration are unknown, not 1970 and 0. */
  known: boolean;
  /**
   * zipkin-lens getMaxDuration: earliest span start to latest span end (timestamp + duration) over all
   * spans, not the root's own duration; undefined when no span has a timestamp.
   */
  duration: number | undefined;
}

export function computeTiming(model: TraceModel, corrected: boolean): TraceTiming {
  const n = model.rows.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const timed = new Uint8Array(n);
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  let spanMin = Infinity;
  let spanMax = -Infinity;
  for (const r of model.rows) {
    const s = corrected ? r.corrected : r.span;
    if (s.timestamp !== undefined) {
      spanMin = Math.min(spanMin, s.timestamp);
      spanMax = Math.max(spanMax, s.timestamp + (s.duration ?? 0));
    }
    const ts = s.timestamp ?? (r.parent >= 0 ? start[r.parent]! : NaN);
    start[r.index] = ts;
    end[r.index] = ts + (s.duration ?? 0);
    if (Number.isFinite(ts)) {
      traceStart = Math.min(traceStart, ts);
      traceEnd = Math.max(traceEnd, end[r.index]!);
    }
    for (const an of s.annotations ?? []) {
      traceStart = Math.min(traceStart, an.timestamp);
      traceEnd = Math.max(traceEnd, an.timestamp);
    }
  }
  const known = Number.isFinite(traceStart);
  if (!known) {
    traceStart = 0;
    traceEnd = 0;
  }
  // Spans with no timestamp anywhere up the tree are drawn at the trace start with no width.
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(start[i]!)) timed[i] = 1;
    else {
      start[i] = traceStart;
      end[i] = traceStart;
    }
  }
  const duration = Number.isFinite(spanMin) ? spanMax - spanMin : undefined;
  return { start, end, timed, traceStart, traceEnd: Math.max(traceEnd, traceStart), known, duration };
}
