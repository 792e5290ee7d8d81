import type { TraceModel, TraceTiming } from './trace-model';

/** Time ranges (epoch μs) of each row that lie on the critical path. */
export type CriticalPath = Map<number, Array<[number, number]>>;

/**
 * The critical path as Jaeger UI defines it: walking back from the end of a span, the time spent in
 * the child that finished last (and, recursively, its own critical path) is critical; then the cursor
 * jumps to that child's start and the next child that started before it is considered; gaps with no
 * child running are the span's own (self) time. Children ending after their parent are clipped to it.
 * With no single root, the root-most spans are treated as children of one virtual root.
 */
export function computeCriticalPath(model: TraceModel, timing: TraceTiming): CriticalPath {
  const { start, end } = timing;
  const out: CriticalPath = new Map();
  const add = (i: number, a: number, b: number): void => {
    if (b <= a) return;
    let list = out.get(i);
    if (!list) out.set(i, (list = []));
    list.push([a, b]);
  };

  const walk = (i: number, children: readonly number[], from: number, until: number): void => {
    let cursor = until;
    const byEnd = [...children].sort((x, y) => end[y]! - end[x]!);
    for (const c of byEnd) {
      if (start[c]! >= cursor) continue;
      const childEnd = Math.min(end[c]!, cursor);
      if (i >= 0) add(i, childEnd, cursor);
      walk(c, model.rows[c]!.children, start[c]!, childEnd);
      cursor = Math.max(start[c]!, from);
      if (cursor <= from) break;
    }
    if (i >= 0) add(i, from, cursor);
  };

  if (model.roots.length === 1) {
    const r = model.roots[0]!;
    walk(r, model.rows[r]!.children, start[r]!, end[r]!);
  } else {
    walk(-1, model.roots, timing.traceStart, timing.traceEnd);
  }
  return out;
}
