import type { CallGraph } from './call-graph';

/** One box of the flame graph: x and width are fractions (0..1) of the focused node's width. */
export interface FlameBox {
  node: number;
  depth: number;
  x: number;
  width: number;
}

/**
 * Lays the collapsed call tree out as a flame graph: a node's width is its total time; children sit
 * side by side under their parent, in name order, and are scaled down together when concurrent
 * children add up to more than the parent (parallel calls cannot be wider than their caller). Boxes
 * narrower than `minWidth` (a fraction) are left out with their subtrees, so a 10,000-span trace draws
 * only what is visible. `focus` is the node drawn full width (the whole trace when undefined).
 */
export function layoutFlame(graph: CallGraph, minWidth: number, focus?: number): { boxes: FlameBox[]; hidden: number } {
  const boxes: FlameBox[] = [];
  let hidden = 0;
  const top = focus !== undefined ? [focus] : graph.roots;
  const sum = top.reduce((a, id) => a + graph.nodes[id]!.total, 0);
  const stack: Array<{ id: number; depth: number; x: number; width: number }> = [];
  let x = 0;
  for (const id of top) {
    const w = sum > 0 ? graph.nodes[id]!.total / sum : 1 / top.length;
    stack.push({ id, depth: 0, x, width: w });
    x += w;
  }
  while (stack.length > 0) {
    const b = stack.pop()!;
    if (b.width < minWidth) {
      hidden++;
      continue;
    }
    boxes.push({ node: b.id, depth: b.depth, x: b.x, width: b.width });
    const n = graph.nodes[b.id]!;
    const kids = [...n.children].sort((p, q) => {
      const a = graph.nodes[p]!;
      const c = graph.nodes[q]!;
      return a.service.localeCompare(c.service) || a.name.localeCompare(c.name);
    });
    const kidsTotal = kids.reduce((a, k) => a + graph.nodes[k]!.total, 0);
    const scale = n.total > 0 ? Math.min(1, n.total / Math.max(kidsTotal, 1e-9)) * (b.width / n.total) : 0;
    let cx = b.x;
    for (const k of kids) {
      const w = graph.nodes[k]!.total * scale;
      stack.push({ id: k, depth: b.depth + 1, x: cx, width: w });
      cx += w;
    }
  }
  return { boxes, hidden };
}
