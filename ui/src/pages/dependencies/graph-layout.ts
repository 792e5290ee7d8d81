import type { DependencyLink } from '../../model/span-types';

export interface GraphNode {
  name: string;
  layer: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GraphEdge {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
  path: string;
  labelX: number;
  labelY: number;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

const NODE_H = 36;
const GAP_X = 84;
const GAP_Y = 40;
const MARGIN = 24;

/**
 * A layered (Sugiyama-style) layout, small enough to own: callers left of callees. Cycles are broken by
 * ignoring DFS back edges for layering; layers are the longest path from a source; order within a layer
 * comes from a few barycenter sweeps, which untangles most service graphs.
 */
export function layoutGraph(links: readonly DependencyLink[]): GraphLayout {
  const names = new Set<string>();
  const merged = new Map<string, GraphEdge>();
  for (const l of links) {
    names.add(l.parent);
    names.add(l.child);
    const key = `${l.parent}\u0000${l.child}`;
    const e = merged.get(key);
    if (e) {
      e.callCount += l.callCount;
      e.errorCount += l.errorCount ?? 0;
    } else {
      merged.set(key, { parent: l.parent, child: l.child, callCount: l.callCount, errorCount: l.errorCount ?? 0, path: '', labelX: 0, labelY: 0 });
    }
  }
  const sortedNames = [...names].sort();
  const out = new Map<string, string[]>();
  const inc = new Map<string, string[]>();
  for (const n of sortedNames) {
    out.set(n, []);
    inc.set(n, []);
  }
  for (const e of merged.values()) {
    if (e.parent === e.child) continue;
    out.get(e.parent)!.push(e.child);
    inc.get(e.child)!.push(e.parent);
  }

  // Back edges from an iterative DFS (sources first, then anything left in a cycle).
  const back = new Set<string>();
  const state = new Map<string, 0 | 1 | 2>();
  const starts = [...sortedNames.filter((n) => inc.get(n)!.length === 0), ...sortedNames];
  for (const s of starts) {
    if (state.get(s)) continue;
    const stack: Array<[string, number]> = [[s, 0]];
    state.set(s, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const kids = out.get(top[0])!;
      if (top[1] < kids.length) {
        const k = kids[top[1]++]!;
        const st = state.get(k) ?? 0;
        if (st === 1) back.add(`${top[0]}\u0000${k}`);
        else if (st === 0) {
          state.set(k, 1);
          stack.push([k, 0]);
        }
      } else {
        state.set(top[0], 2);
        stack.pop();
      }
    }
  }

  // Longest-path layering over the acyclic part (Kahn order).
  const layer = new Map<string, number>(sortedNames.map((n) => [n, 0]));
  const indeg = new Map<string, number>(sortedNames.map((n) => [n, 0]));
  for (const [p, kids] of out) for (const k of kids) if (!back.has(`${p}\u0000${k}`)) indeg.set(k, indeg.get(k)! + 1);
  const queue = sortedNames.filter((n) => indeg.get(n) === 0);
  for (let h = 0; h < queue.length; h++) {
    const p = queue[h]!;
    for (const k of out.get(p)!) {
      if (back.has(`${p}\u0000${k}`)) continue;
      layer.set(k, Math.max(layer.get(k)!, layer.get(p)! + 1));
      indeg.set(k, indeg.get(k)! - 1);
      if (indeg.get(k) === 0) queue.push(k);
    }
  }

  const layers: string[][] = [];
  for (const n of sortedNames) (layers[layer.get(n)!] ??= []).push(n);
  const order = new Map<string, number>();
  const reindex = (): void => layers.forEach((l) => l.forEach((n, i) => order.set(n, i)));
  reindex();
  const bary = (n: string, nb: Map<string, string[]>): number => {
    const xs = nb.get(n)!.map((m) => order.get(m)!);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : order.get(n)!;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const seq = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of seq) {
      const b = new Map(l.map((n) => [n, bary(n, down ? inc : out)]));
      l.sort((x, y) => b.get(x)! - b.get(y)! || x.localeCompare(y));
      l.forEach((n, i) => order.set(n, i));
    }
  }

  const widthOf = (n: string): number => Math.min(240, Math.max(96, n.length * 7.6 + 30));
  const colW = layers.map((l) => Math.max(...l.map(widthOf)));
  const tallest = Math.max(...layers.map((l) => l.length));
  const height = MARGIN * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const nodes = new Map<string, GraphNode>();
  let x = MARGIN;
  layers.forEach((l, li) => {
    const colHeight = l.length * NODE_H + (l.length - 1) * GAP_Y;
    const y0 = (height - colHeight) / 2;
    l.forEach((n, i) => {
      const w = widthOf(n);
      nodes.set(n, { name: n, layer: li, x: x + (colW[li]! - w) / 2, y: y0 + i * (NODE_H + GAP_Y), w, h: NODE_H });
    });
    x += colW[li]! + GAP_X;
  });
  const width = x - GAP_X + MARGIN;

  const edges = [...merged.values()];
  for (const e of edges) {
    const a = nodes.get(e.parent)!;
    const b = nodes.get(e.child)!;
    if (a === b) {
      // Self call: a small loop above the node.
      const cx = a.x + a.w / 2;
      e.path = `M${cx - 12},${a.y} C${cx - 30},${a.y - 34} ${cx + 30},${a.y - 34} ${cx + 12},${a.y}`;
      e.labelX = cx;
      e.labelY = a.y - 30;
      continue;
    }
    const sx = a.x + a.w;
    const sy = a.y + a.h / 2;
    const tx = b.x;
    const ty = b.y + b.h / 2;
    if (tx > sx) {
      const dx = (tx - sx) / 2;
      e.path = `M${sx},${sy} C${sx + dx},${sy} ${tx - dx},${ty} ${tx},${ty}`;
      e.labelX = (sx + tx) / 2;
      e.labelY = (sy + ty) / 2 - 6;
    } else {
      // Edges going back (cycles) loop below the graph so they do not cross node labels.
      const low = Math.max(a.y + a.h, b.y + b.h) + 40;
      e.path = `M${sx},${sy} C${sx + 60},${low} ${tx - 60},${low} ${tx},${ty}`;
      e.labelX = (sx + tx) / 2;
      e.labelY = low - 8;
    }
  }
  return { nodes: [...nodes.values()], edges, width: Math.max(width, 200), height: Math.max(height, 120) };
}
