import type { CallGraph } from './call-graph';

/** One side of a compared node: the spans of one trace at that path. Times are μs. */
export interface Side {
  count: number;
  total: number;
  errors: number;
}

/** A node of the merged tree: the same service+operation path in trace A and/or trace B. */
export interface DiffNode {
  service: string;
  name: string;
  depth: number;
  a: Side | undefined;
  b: Side | undefined;
  children: DiffNode[];
}

export type DiffKind = 'both' | 'only-a' | 'only-b';

export function diffKind(n: DiffNode): DiffKind {
  return n.a && n.b ? 'both' : n.a ? 'only-a' : 'only-b';
}

/**
 * The structural difference of two traces, as Jaeger UI's compare: both span trees collapsed by
 * service and operation (buildCallGraph), then matched level by level by service and name. A node
 * present on one side only is "only in A" or "only in B", with its whole subtree.
 */
export function compareGraphs(a: CallGraph, b: CallGraph): DiffNode[] {
  const side = (g: CallGraph, id: number): Side => {
    const n = g.nodes[id]!;
    return { count: n.count, total: n.total, errors: n.errors };
  };
  const merge = (as: readonly number[], bs: readonly number[], depth: number): DiffNode[] => {
    const out = new Map<string, { node: DiffNode; ak: number[]; bk: number[] }>();
    const put = (g: CallGraph, id: number, which: 'a' | 'b'): void => {
      const n = g.nodes[id]!;
      const key = `${n.service}\u0000${n.name}`;
      let e = out.get(key);
      if (!e) out.set(key, (e = { node: { service: n.service, name: n.name, depth, a: undefined, b: undefined, children: [] }, ak: [], bk: [] }));
      e.node[which] = side(g, id);
      (which === 'a' ? e.ak : e.bk).push(...n.children);
    };
    for (const id of as) put(a, id, 'a');
    for (const id of bs) put(b, id, 'b');
    const nodes = [...out.values()];
    for (const e of nodes) e.node.children = merge(e.ak, e.bk, depth + 1);
    return nodes.map((e) => e.node);
  };
  return merge(a.roots, b.roots, 0);
}

/** Depth-first list of the merged tree (for a virtualised list). */
export function flattenDiff(roots: readonly DiffNode[]): DiffNode[] {
  const out: DiffNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}
