import type { DependencyLink } from '../model/dependency-link.js';
import { lowTraceId } from '../model/ids.js';
import type { Span } from '../model/span.js';
import { buildSpanTree, traverseBreadthFirst, type SpanNode } from '../model/span-node.js';

/**
 * Computes dependency links from whole traces with zipkin's DependencyLinker rules
 * (reference/zipkin.md section 5). Shared by every store so each gets a dependency graph without a batch job.
 * Each element of `traces` is all stored spans of one trace (raw, unmerged; merging happens here).
 * The result is aggregated: one link per (parent, child), sorted by parent then child.
 *
 * zipkin: linking always groups spans by the low 64 bits of the trace id, so 64-bit instrumentation
 * joins 128-bit traces even when the store keeps them apart (STRICT_TRACE_ID=true). Spans are therefore
 * regrouped across the given elements before linking.
 */
export function linkDependencies(traces: Iterable<readonly Span[]>): DependencyLink[] {
  const byLowId = new Map<string, Span[]>();
  for (const trace of traces) {
    for (const span of trace) {
      const key = lowTraceId(span.traceId);
      const group = byLowId.get(key);
      if (group === undefined) byLowId.set(key, [span]);
      else group.push(span);
    }
  }
  const linker = new DependencyLinker();
  for (const spans of byLowId.values()) linker.putTrace(spans);
  return linker.link();
}

/**
 * Incremental form of linkDependencies for callers that already hold complete traces (all spans
 * sharing the low 64 bits of their trace id) and want to avoid buffering: putTrace each, then link().
 */
export class DependencyLinker {
  private readonly counts = new Map<
    string,
    { parent: string; child: string; calls: number; errors: number }
  >();

  putTrace(spans: readonly Span[]): this {
    if (spans.length === 0) return this;
    const root = buildSpanTree(spans);
    // The nearest ancestor with a kind, per node. Filled breadth-first (parents before children) so the
    // lookup is O(1) per span instead of a walk up a possibly deep chain of local spans.
    const remoteAncestor = new Map<SpanNode, Span | undefined>();

    for (const node of traverseBreadthFirst(root)) {
      const span = node.span!;
      const parentNode = node.parent;
      const ancestor =
        parentNode?.span === undefined
          ? undefined
          : parentNode.span.kind !== undefined
            ? parentNode.span
            : remoteAncestor.get(parentNode);
      remoteAncestor.set(node, ancestor);
      this.linkSpan(node, span, root, ancestor);
    }
    return this;
  }

  /** The aggregated links, sorted by parent then child; errorCount omitted when zero. */
  link(): DependencyLink[] {
    return toLinks(this.counts.values());
  }

  private linkSpan(node: SpanNode, span: Span, root: SpanNode, ancestor: Span | undefined): void {
    let kind = span.kind;
    // zipkin: for an RPC the server's view is preferred; a client with children (its server) is skipped.
    if (kind === 'CLIENT' && node.children.length > 0) return;

    const local = span.localEndpoint?.serviceName;
    const remote = span.remoteEndpoint?.serviceName;
    if (kind === undefined) {
      // zipkin: a span of unknown kind that knows both sides is treated as a client.
      if (local === undefined || remote === undefined) return;
      kind = 'CLIENT';
    }

    let parent: string | undefined;
    let child: string | undefined;
    if (kind === 'SERVER' || kind === 'CONSUMER') {
      child = local;
      parent = remote;
      // The root-most server has nobody upstream to name unless it recorded its caller.
      if (node === root && parent === undefined) return;
    } else {
      parent = local;
      child = remote;
    }

    // zipkin: failure is an `error` tag; an annotation named "error" is only a timeline event.
    let isError = span.tags !== undefined && 'error' in span.tags;
    if (kind === 'PRODUCER' || kind === 'CONSUMER') {
      // Messaging links only to and from the broker, and only when both names are known.
      if (parent !== undefined && child !== undefined) this.add(parent, child, isError);
      return;
    }

    const ancestorName = ancestor?.localEndpoint?.serviceName;
    if (ancestor !== undefined && ancestorName !== undefined) {
      // A client whose service differs from the nearest remote ancestor's implies a hop nobody recorded.
      if (kind === 'CLIENT' && local !== undefined && ancestorName !== local) {
        this.add(ancestorName, local, false);
      }
      if (kind === 'SERVER' || parent === undefined) parent = ancestorName;
      // The client side of a split RPC was skipped above, so its error counts on the server's link.
      if (
        !isError &&
        ancestor.kind === 'CLIENT' &&
        span.parentId !== undefined &&
        span.parentId === ancestor.id
      ) {
        isError = ancestor.tags !== undefined && 'error' in ancestor.tags;
      }
    }
    if (parent === undefined || child === undefined) return;
    this.add(parent, child, isError);
  }

  private add(parent: string, child: string, isError: boolean): void {
    const key = `${parent}\u0000${child}`;
    let entry = this.counts.get(key);
    if (entry === undefined) {
      entry = { parent, child, calls: 0, errors: 0 };
      this.counts.set(key, entry);
    }
    entry.calls++;
    if (isError) entry.errors++;
  }
}

/**
 * Sums links with the same (parent, child), e.g. per-day links stored by a backend (zipkin
 * DependencyLinker.merge). Sorted by parent then child.
 */
export function mergeDependencyLinks(links: Iterable<DependencyLink>): DependencyLink[] {
  const sums = new Map<string, { parent: string; child: string; calls: number; errors: number }>();
  for (const l of links) {
    const key = `${l.parent}\u0000${l.child}`;
    const entry = sums.get(key);
    if (entry === undefined) {
      sums.set(key, { parent: l.parent, child: l.child, calls: l.callCount, errors: l.errorCount ?? 0 });
    } else {
      entry.calls += l.callCount;
      entry.errors += l.errorCount ?? 0;
    }
  }
  return toLinks(sums.values());
}

function toLinks(
  entries: Iterable<{ parent: string; child: string; calls: number; errors: number }>,
): DependencyLink[] {
  const out: DependencyLink[] = [];
  for (const e of entries) {
    const link: DependencyLink = { parent: e.parent, child: e.child, callCount: e.calls };
    if (e.errors > 0) link.errorCount = e.errors;
    out.push(link);
  }
  return out.sort((a, b) => compare(a.parent, b.parent) || compare(a.child, b.child));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
