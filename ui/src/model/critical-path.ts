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

  // Iterative (an explicit stack of frames): traces can be thousands of spans deep.
  interface Frame {
    i: number;
    from: number;
    cursor: number;
    byEnd: number[];
    k: number;
  }
  const frame = (i: number, children: readonly number[], from: number, until: number): Frame => ({
    i,
    from,
    cursor: until,
    byEnd: [...children].sort((x, y) => end[y]! - end[x]!),
    k: 0,
  });
  const walk = (root: Frame): void => {
    const stack = [root];
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.k < f.byEnd.length && f.cursor > f.from) {
        const c = f.byEnd[f.k++]!;
        if (start[c]! >= f.cursor) continue;
        const childEnd = Math.min(end[c]!, f.cursor);
        if (f.i >= 0) add(f.i, childEnd, f.cursor);
        f.cursor = Math.max(start[c]!, f.from);
        stack.push(frame(c, model.rows[c]!.children, start[c]!, childEnd));
      } else {
        if (f.i >= 0) add(f.i, f.from, f.cursor);
        stack.pop();
      }
    }
  };

  if (model.roots.length === 1) {
    const r = model.roots[0]!;
    walk(frame(r, model.rows[r]!.children, start[r]!, end[r]!));
  } else {
    walk(frame(-1, model.roots, timing.traceStart, timing.traceEnd));
  }
  return out;
}
