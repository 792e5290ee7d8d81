import type { Endpoint, Span } from './span.js';
import { buildSpanTree, type SpanNode } from './span-node.js';

/** How much a host's clock is ahead (positive) of its caller's, in microseconds. */
export interface ClockSkew {
  endpoint: Endpoint;
  skew: number;
}

export interface ClockSkewResult {
  /** The corrected tree: a new tree when anything was adjusted, otherwise the input itself. */
  root: SpanNode;
  /**
   * Ids of spans whose timestamps were shifted. A shared server span has its client's id; only the
   * server side is ever shifted.
   */
  adjusted: Set<string>;
}

/**
 * Corrects clock skew the way zipkin-lens does (clock-skew.js), without mutating the input:
 * skew is only detectable on an RPC, a CLIENT parent with a SERVER child on a different host. When the
 * server appears to start before its client, or (synchronous call) to end after it, the server's host
 * is assumed to be skewed by serverTs - (clientDur - serverDur) / 2 - clientTs (the network latency
 * split evenly between request and response). The skew is subtracted from the server span and from
 * every descendant on the same host, until another RPC hop measures a new skew.
 *
 * Like zipkin-lens, nothing is corrected when the trace has no single root (synthetic root, or a
 * second root-level span without parent), since there is no reference clock.
 */
export function correctClockSkew(root: SpanNode): ClockSkewResult {
  const adjusted = new Set<string>();
  if (root.span === undefined) return { root, adjusted };
  for (const child of root.children) {
    const s = child.span;
    if (s !== undefined && s.parentId === undefined && s.shared !== true) return { root, adjusted };
  }

  const newRoot: SpanNode = { span: root.span, children: [] };
  // Iterative depth-first walk: traces can be thousands of spans deep.
  const stack: Array<{ from: SpanNode; to: SpanNode; inherited: ClockSkew | undefined }> = [
    { from: root, to: newRoot, inherited: undefined },
  ];
  while (stack.length > 0) {
    const { from, to, inherited } = stack.pop()!;
    let span = to.span!;
    if (inherited !== undefined && sameHost(inherited.endpoint, span.localEndpoint)) {
      span = shift(span, inherited.skew);
      adjusted.add(span.id);
    }
    to.span = span;

    let skew = to.parent?.span !== undefined ? getClockSkew(to.parent.span, span) : undefined;
    if (skew !== undefined) {
      // This hop's skew may be for a different host than the one inherited, so shift again.
      to.span = shift(span, skew.skew);
      adjusted.add(span.id);
    } else {
      // Same host as the parent (or no RPC boundary): keep applying the parent's correction.
      skew = inherited;
    }

    for (const child of from.children) {
      const copy: SpanNode = { span: child.span!, children: [], parent: to };
      to.children.push(copy);
      stack.push({ from: child, to: copy, inherited: skew });
    }
  }
  return adjusted.size === 0 ? { root, adjusted } : { root: newRoot, adjusted };
}

/** The raw spans of one trace as a merged tree corrected for clock skew (zipkin-lens treeCorrectedForClockSkew). */
export function treeCorrectedForClockSkew(spans: readonly Span[]): SpanNode {
  return correctClockSkew(buildSpanTree(spans)).root;
}

/**
 * The skew of `server`'s host relative to `client`'s, when `client` -> `server` is an RPC between
 * different hosts whose timestamps cannot be right; undefined when none is detectable.
 */
export function getClockSkew(client: Span, server: Span): ClockSkew | undefined {
  if (client.kind !== 'CLIENT' || server.kind !== 'SERVER') return undefined;
  const clientTs = client.timestamp;
  const serverTs = server.timestamp;
  if (clientTs === undefined || serverTs === undefined) return undefined;
  const serverEndpoint = server.localEndpoint;
  const clientEndpoint = client.localEndpoint;
  if (serverEndpoint === undefined || clientEndpoint === undefined) return undefined;
  // zipkin-lens: skew on the same host is an instrumentation bug; adjusting would make it worse.
  if (sameHost(serverEndpoint, clientEndpoint)) return undefined;

  const clientDur = client.duration;
  const serverDur = server.duration;
  if (clientDur === undefined || serverDur === undefined) {
    // One-way: the server must start after the client; push them apart by the minimum (1us).
    const latency = serverTs - clientTs;
    return latency > 0 ? undefined : { endpoint: serverEndpoint, skew: latency - 1 };
  }

  if (serverTs > clientTs) {
    // Starts after its client: skewed only if a server no longer than its client ends after it.
    if (serverDur > clientDur || serverTs + serverDur <= clientTs + clientDur) return undefined;
  }
  if (clientDur < serverDur) {
    // Async: the client returned first, but the server still started after it.
    return { endpoint: serverEndpoint, skew: serverTs - clientTs - 1 };
  }
  const latency = Math.floor((clientDur - serverDur) / 2);
  const skew = serverTs - latency - clientTs;
  return skew === 0 ? undefined : { endpoint: serverEndpoint, skew };
}

/**
 * Whether two endpoints are the same host: equal IPv6, else equal IPv4 when both have one, else (no
 * comparable address) equal service names. zipkin-lens compares only addresses; the service-name
 * fallback lets uninstrumented-address traces (common with OTLP) be corrected too.
 */
export function sameHost(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a.ipv6 !== undefined && a.ipv6 === b.ipv6) return true;
  if (a.ipv4 !== undefined && b.ipv4 !== undefined) return a.ipv4 === b.ipv4;
  if (a.ipv6 !== undefined && b.ipv6 !== undefined) return false;
  return a.serviceName !== undefined && a.serviceName === b.serviceName;
}

function shift(span: Span, skew: number): Span {
  const out: Span = { ...span };
  // Timestamps are positive integers; never shift one to zero (which means absent).
  if (span.timestamp !== undefined) out.timestamp = Math.max(1, span.timestamp - skew);
  if (span.annotations !== undefined) {
    out.annotations = span.annotations.map((a) => ({
      timestamp: Math.max(1, a.timestamp - skew),
      value: a.value,
    }));
  }
  return out;
}
