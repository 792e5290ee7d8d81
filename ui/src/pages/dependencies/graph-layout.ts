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
/** The slot a long edge takes in each layer it passes through (its dummy node), and the gap around it. */
const DUMMY_H = 8;
const DUMMY_GAP = 14;
const MARGIN = 24;
/** Spacing between the lanes of edges that loop back below the graph. */
const LANE = 8;

/**
 * A layered (Sugiyama-style) layout, small enough to own: callers left of callees. Cycles are broken by
 * ignoring DFS back edges for layering; layers are the longest path from a source; an edge that skips
 * layers gets a dummy node in every layer it passes, so it has its own slot there and never runs through
 * a service box; order within a layer comes from a few barycenter sweeps, which untangles most graphs.
 * Edges run straight inside a layer's slot and curve only in the empty gaps between columns; edges that
 * go back (cycles) leave through a gap, run below the whole graph and come back up through a gap.
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

  const maxLayer = Math.max(0, ...layer.values());
  const layers: string[][] = Array.from({ length: maxLayer + 1 }, () => []);
  for (const n of sortedNames) layers[layer.get(n)!]!.push(n);

  // Ordering graph: forward edges, with a chain of dummies through every layer a long edge skips.
  const ordOut = new Map<string, string[]>(sortedNames.map((n) => [n, []]));
  const ordIn = new Map<string, string[]>(sortedNames.map((n) => [n, []]));
  const dummiesOf = new Map<GraphEdge, string[]>();
  const link = (a: string, b: string): void => {
    ordOut.get(a)!.push(b);
    ordIn.get(b)!.push(a);
  };
  let dummyCount = 0;
  for (const e of merged.values()) {
    const lp = layer.get(e.parent)!;
    const lc = layer.get(e.child)!;
    if (lc <= lp) continue;
    const chain: string[] = [];
    let prev = e.parent;
    for (let l = lp + 1; l < lc; l++) {
      const d = `\u0001${dummyCount++}`;
      ordOut.set(d, []);
      ordIn.set(d, []);
      layers[l]!.push(d);
      link(prev, d);
      chain.push(d);
      prev = d;
    }
    link(prev, e.child);
    dummiesOf.set(e, chain);
  }
  const isDummy = (n: string): boolean => n.startsWith('\u0001');

  const order = new Map<string, number>();
  layers.forEach((l) => l.forEach((n, i) => order.set(n, i)));
  const bary = (n: string, nb: Map<string, string[]>): number => {
    const xs = nb.get(n)!.map((m) => order.get(m)!);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : order.get(n)!;
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    const down = sweep % 2 === 0;
    const seq = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of seq) {
      const b = new Map(l.map((n) => [n, bary(n, down ? ordIn : ordOut)]));
      l.sort((x, y) => b.get(x)! - b.get(y)! || x.localeCompare(y));
      l.forEach((n, i) => order.set(n, i));
    }
  }

  const widthOf = (n: string): number => Math.min(240, Math.max(96, n.length * 7.6 + 30));
  const colW = layers.map((l) => Math.max(0, ...l.filter((n) => !isDummy(n)).map(widthOf)));
  const colX: number[] = [];
  let x = MARGIN;
  for (let li = 0; li < layers.length; li++) {
    colX.push(x);
    x += colW[li]! + GAP_X;
  }
  const width = x - GAP_X + MARGIN;
  const heightOf = (n: string): number => (isDummy(n) ? DUMMY_H : NODE_H);
  const gapBetween = (a: string, b: string): number => (isDummy(a) || isDummy(b) ? DUMMY_GAP : GAP_Y);
  const colHeight = (l: string[]): number =>
    l.reduce((h, n, i) => h + heightOf(n) + (i > 0 ? gapBetween(l[i - 1]!, n) : 0), 0);
  const inner = Math.max(NODE_H, ...layers.map(colHeight));
  const nodesBottom = MARGIN + inner;

  const nodes = new Map<string, GraphNode>();
  /** Vertical centre of every node and dummy. */
  const midY = new Map<string, number>();
  layers.forEach((l, li) => {
    let y = MARGIN + (inner - colHeight(l)) / 2;
    l.forEach((n, i) => {
      if (i > 0) y += gapBetween(l[i - 1]!, n);
      const h = heightOf(n);
      midY.set(n, y + h / 2);
      if (!isDummy(n)) {
        const w = widthOf(n);
        nodes.set(n, { name: n, layer: li, x: colX[li]! + (colW[li]! - w) / 2, y, w, h });
      }
      y += h;
    });
  });

  const edges = [...merged.values()];
  const colEnd = (li: number): number => colX[li]! + colW[li]!;
  const f = (v: number): string => String(Math.round(v * 10) / 10);
  let lanes = 0;
  for (const e of edges) {
    const a = nodes.get(e.parent)!;
    const b = nodes.get(e.child)!;
    if (a === b) {
      // Self call: a small loop above the node, lower than the gap to the node above.
      const cx = a.x + a.w / 2;
      e.path = `M${f(cx - 12)},${f(a.y)} C${f(cx - 30)},${f(a.y - 34)} ${f(cx + 30)},${f(a.y - 34)} ${f(cx + 12)},${f(a.y)}`;
      e.labelX = cx;
      e.labelY = a.y - 30;
      continue;
    }
    const ay = a.y + a.h / 2;
    const by = b.y + b.h / 2;
    const chain = dummiesOf.get(e);
    if (chain) {
      // Straight through each layer's own slot, an S-curve in each gap between columns.
      const ys = [ay, ...chain.map((d) => midY.get(d)!), by];
      let d = `M${f(a.x + a.w)},${f(ay)} L${f(colEnd(a.layer))},${f(ay)}`;
      for (let k = 1; k < ys.length; k++) {
        const l = a.layer + k;
        const x0 = colEnd(l - 1);
        const x1 = colX[l]!;
        const xm = (x0 + x1) / 2;
        d += ` C${f(xm)},${f(ys[k - 1]!)} ${f(xm)},${f(ys[k]!)} ${f(x1)},${f(ys[k]!)}`;
        d += ` L${f(k === ys.length - 1 ? b.x : colEnd(l))},${f(ys[k]!)}`;
      }
      e.path = d;
      e.labelX = (colEnd(a.layer) + colX[a.layer + 1]!) / 2;
      e.labelY = (ys[0]! + ys[1]!) / 2 - 6;
    } else {
      // Back edge (a cycle): out through the gap after the caller's column, along a lane below every
      // node, and up through the gap before the callee's column.
      const lane = nodesBottom + 22 + LANE * lanes++;
      const outX = colEnd(a.layer) + (a.layer === layers.length - 1 ? MARGIN / 2 : GAP_X / 2 - 6);
      const inX = b.layer === 0 ? MARGIN / 2 : colX[b.layer]! - GAP_X / 2 + 6;
      e.path =
        `M${f(a.x + a.w)},${f(ay)} L${f(outX)},${f(ay)} L${f(outX)},${f(lane)} ` +
        `L${f(inX)},${f(lane)} L${f(inX)},${f(by)} L${f(b.x)},${f(by)}`;
      e.labelX = (outX + inX) / 2;
      e.labelY = lane - 4;
    }
  }
  const height = nodesBottom + MARGIN + (lanes > 0 ? 22 + LANE * lanes : 0);
  return { nodes: [...nodes.values()], edges, width: Math.max(width, 200), height: Math.max(height, 120) };
}
