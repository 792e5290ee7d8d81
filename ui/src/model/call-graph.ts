import { selfTimes } from './trace-stats';
import type { TraceModel, TraceTiming } from './trace-model';

/**
 * The call tree collapsed by service and operation: siblings with the same service and name (under the
 * same collapsed parent) become one node, as in Jaeger UI's trace graph. Times are μs.
 */
export interface GraphNode {
  id: number;
  service: string;
  name: string;
  /** Spans merged into this node. */
  count: number;
  total: number;
  self: number;
  errors: number;
  depth: number;
  parent: number;
  children: number[];
  /** Row indices of the merged spans. */
  rows: number[];
}

export interface CallGraph {
  nodes: GraphNode[];
  roots: number[];
}

/** Nodes are created in the rows' pre-order, so every child's id is greater than its parent's. */
export function buildCallGraph(model: TraceModel, timing: TraceTiming): CallGraph {
  const self = selfTimes(model, timing);
  const nodes: GraphNode[] = [];
  const roots: number[] = [];
  const nodeOfRow = new Int32Array(model.rows.length);
  const childIndex = new Map<string, number>();
  for (const r of model.rows) {
    const parentNode = r.parent >= 0 ? nodeOfRow[r.parent]! : -1;
    const name = r.span.name ?? '';
    const key = `${parentNode}\u0000${r.serviceName}\u0000${name}`;
    let id = childIndex.get(key);
    if (id === undefined) {
      id = nodes.length;
      childIndex.set(key, id);
      nodes.push({
        id,
        service: r.serviceName,
        name,
        count: 0,
        total: 0,
        self: 0,
        errors: 0,
        depth: parentNode >= 0 ? nodes[parentNode]!.depth + 1 : 0,
        parent: parentNode,
        children: [],
        rows: [],
      });
      if (parentNode >= 0) nodes[parentNode]!.children.push(id);
      else roots.push(id);
    }
    const n = nodes[id]!;
    n.count++;
    n.total += timing.end[r.index]! - timing.start[r.index]!;
    n.self += self[r.index]!;
    if (r.error) n.errors++;
    n.rows.push(r.index);
    nodeOfRow[r.index] = id;
  }
  return { nodes, roots };
}

/** Node ids shown when the nodes in `collapsed` hide their subtrees, in depth-first order. */
export function visibleNodes(graph: CallGraph, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const stack = [...graph.roots].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    out.push(id);
    if (collapsed.has(id)) continue;
    const ch = graph.nodes[id]!.children;
    for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]!);
  }
  return out;
}
