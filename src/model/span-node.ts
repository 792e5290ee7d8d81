import type { Endpoint, Span } from './span.js';
import { mergeTrace } from './trace-merge.js';

/**
 * A node of a trace tree. `span` is absent only on a synthetic root, which holds the root-most spans
 * when a trace has no single root (headless or fragmented traces).
 */
export interface SpanNode {
  span?: Span;
  children: SpanNode[];
  parent?: SpanNode;
}

/**
 * Builds the trace tree as zipkin's SpanNode.Builder does, after merging fragments (mergeTrace):
 * - a shared (server) span is keyed by (id, local endpoint) and parented by the client with its id,
 *   because B3 servers reuse their client's span id;
 * - a span whose parent is a shared span on the same local endpoint is placed under that server,
 *   otherwise under the span with its parentId;
 * - the first span without a parent is the root; spans whose parent is missing attach to the root, and
 *   when no root exists a synthetic root (no span) holds them all;
 * - children are sorted by timestamp (absent first), stably.
 * An empty input yields a synthetic root without children. All spans must belong to one trace.
 */
export function buildSpanTree(spans: readonly Span[]): SpanNode {
  const cleaned = mergeTrace(spans);

  // First pass: where each span would like to hang, before knowing which spans exist.
  const spanToParent = new Map<string, string | undefined>();
  for (const span of cleaned) {
    if (span.shared) spanToParent.set(sharedKey(span.id, span.localEndpoint), span.id);
    else spanToParent.set(span.id, span.parentId);
  }

  let root: SpanNode | undefined;
  const keyToNode = new Map<string, SpanNode>();
  // Every non-root node with the key it was indexed under; iterating nodes (not keys) keeps fragments
  // that could not be merged (same id, conflicting endpoints) in the tree instead of dropping them.
  const placed: Array<[SpanNode, string]> = [];
  for (const span of cleaned) {
    const shared = span.shared === true;
    const key = shared ? sharedKey(span.id, span.localEndpoint) : span.id;
    const noEndpointKey = shared ? sharedKey(span.id, undefined) : span.id;

    let parent: string | undefined;
    if (shared) {
      // Clients are not ambiguous by id, so the client key needs no endpoint.
      parent = span.id;
    } else if (span.parentId !== undefined) {
      // Most specific first: a local child of a shared server span on the same endpoint.
      const sharedParent = sharedKey(span.parentId, span.localEndpoint);
      if (spanToParent.has(sharedParent)) {
        spanToParent.set(noEndpointKey, sharedParent);
        parent = sharedParent;
      } else {
        parent = span.parentId;
      }
    }

    const node: SpanNode = { span, children: [] };
    if (parent === undefined && root === undefined) {
      // zipkin: the first span without a parent is assumed to be the real root.
      root = node;
      spanToParent.delete(noEndpointKey);
    } else {
      keyToNode.set(noEndpointKey, node);
      // A shared span is addressable both ways, in case its children lack endpoint data.
      if (shared) keyToNode.set(key, node);
      placed.push([node, key]);
    }
  }
  root ??= { children: [] };

  for (const [child, childKey] of placed) {
    const parentKey = spanToParent.get(childKey);
    const parent = (parentKey !== undefined && keyToNode.get(parentKey)) || root;
    if (parent === child) {
      // A cycle of one (e.g. two fragments claiming each other); keep the span visible under the root.
      addChild(root, child);
    } else {
      addChild(parent, child);
    }
  }
  breakCycles(root, placed);
  sortByTimestamp(root);
  return root;
}

/**
 * Visits the tree breadth-first, starting at the root-most spans: the root itself, or the children of
 * a synthetic root (which is never yielded).
 */
export function* traverseBreadthFirst(root: SpanNode): IterableIterator<SpanNode> {
  const queue: SpanNode[] = root.span === undefined ? [...root.children] : [root];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    yield node;
    for (const child of node.children) queue.push(child);
  }
}

/** Number of spans in the tree (a synthetic root is not counted). */
export function countSpans(root: SpanNode): number {
  let n = 0;
  for (const _ of traverseBreadthFirst(root)) n++;
  return n;
}

function addChild(parent: SpanNode, child: SpanNode): void {
  parent.children.push(child);
  child.parent = parent;
}

/**
 * Bad data (a -> b -> a parent ids) can form cycles no root reaches. Zipkin would drop those spans
 * silently; we re-attach one node of each cycle to the root so every span stays visible and traversal
 * terminates.
 */
function breakCycles(root: SpanNode, placed: ReadonlyArray<[SpanNode, string]>): void {
  const reached = new Set<SpanNode>();
  const mark = (from: SpanNode) => {
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  mark(root);
  for (const [node] of placed) {
    if (reached.has(node)) continue;
    const parent = node.parent;
    if (parent !== undefined) parent.children.splice(parent.children.indexOf(node), 1);
    addChild(root, node);
    mark(node);
  }
}

function sortByTimestamp(root: SpanNode): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.children.length > 1) node.children.sort(byTimestamp);
    for (const c of node.children) stack.push(c);
  }
}

function byTimestamp(a: SpanNode, b: SpanNode): number {
  return (a.span?.timestamp ?? 0) - (b.span?.timestamp ?? 0);
}

function sharedKey(id: string, e: Endpoint | undefined): string {
  if (e === undefined) return `${id}|shared`;
  return `${id}|shared|${e.serviceName ?? ''}|${e.ipv4 ?? ''}|${e.ipv6 ?? ''}|${e.port ?? ''}`;
}
