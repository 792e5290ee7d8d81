import type { TraceModel, TraceTiming } from './trace-model';

/** One row of the statistics table: every span of one service and operation. Times are μs. */
export interface OperationStats {
  service: string;
  name: string;
  count: number;
  /** Sum of the spans' durations. */
  total: number;
  /** Sum of their self times (see selfTimes). */
  self: number;
  errors: number;
  max: number;
}

/**
 * Self time of each row: its duration minus the part of it covered by at least one child (children
 * clipped to the parent, overlapping children counted once), as Jaeger UI's trace statistics define it.
 */
export function selfTimes(model: TraceModel, timing: TraceTiming): Float64Array {
  const out = new Float64Array(model.rows.length);
  for (const r of model.rows) {
    const s = timing.start[r.index]!;
    const e = timing.end[r.index]!;
    const spans = r.children
      .map((c): [number, number] => [Math.max(s, timing.start[c]!), Math.min(e, timing.end[c]!)])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    let covered = 0;
    let curA = -Infinity;
    let curB = -Infinity;
    for (const [a, b] of spans) {
      if (a > curB) {
        if (curB > curA) covered += curB - curA;
        curA = a;
        curB = b;
      } else curB = Math.max(curB, b);
    }
    if (curB > curA) covered += curB - curA;
    out[r.index] = Math.max(0, e - s - covered);
  }
  return out;
}

/** Statistics per service and operation, in first-seen (tree) order. */
export function computeStats(model: TraceModel, timing: TraceTiming): OperationStats[] {
  const self = selfTimes(model, timing);
  const byKey = new Map<string, OperationStats>();
  for (const r of model.rows) {
    const name = r.span.name ?? '';
    const key = JSON.stringify([r.serviceName, name]);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { service: r.serviceName, name, count: 0, total: 0, self: 0, errors: 0, max: 0 }));
    const d = timing.end[r.index]! - timing.start[r.index]!;
    s.count++;
    s.total += d;
    s.self += self[r.index]!;
    s.max = Math.max(s.max, d);
    if (r.error) s.errors++;
  }
  return [...byKey.values()];
}

export type StatsColumn = 'service' | 'name' | 'count' | 'total' | 'avg' | 'self' | 'errors' | 'max';

/** Sorted copy; text columns ascending by default, numbers descending, ties by service then name. */
export function sortStats(rows: readonly OperationStats[], column: StatsColumn, descending: boolean): OperationStats[] {
  const val = (r: OperationStats): number | string =>
    column === 'avg' ? r.total / r.count : column === 'service' ? r.service : column === 'name' ? r.name : r[column];
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return dir * c || a.service.localeCompare(b.service) || a.name.localeCompare(b.name);
  });
}
