import type { TraceModel } from './trace-model';

/** Row indices shown when the rows in `collapsed` hide their descendants (rows are in pre-order). */
export function visibleRows(model: TraceModel, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const rows = model.rows;
  for (let i = 0; i < rows.length; ) {
    out.push(i);
    // Pre-order: a row's subtree is the next `descendants` rows, so skipping it is one jump.
    i += collapsed.has(i) ? rows[i]!.descendants + 1 : 1;
  }
  return out;
}

/** Rows whose name, service, ids, tag keys/values, annotations or endpoints contain `query`. */
export function findMatches(model: TraceModel, query: string): Set<number> {
  const q = query.trim().toLowerCase();
  const out = new Set<number>();
  if (q === '') return out;
  for (const r of model.rows) {
    const s = r.span;
    if (
      r.serviceName.includes(q) ||
      (s.name?.includes(q) ?? false) ||
      s.id.includes(q) ||
      (s.remoteEndpoint?.serviceName?.includes(q) ?? false) ||
      (s.localEndpoint?.ipv4?.includes(q) ?? false) ||
      (s.annotations?.some((a) => a.value.toLowerCase().includes(q)) ?? false) ||
      (s.tags !== undefined && Object.entries(s.tags).some(([k, v]) => k.toLowerCase().includes(q) || v.toLowerCase().includes(q)))
    ) {
      out.add(r.index);
    }
  }
  return out;
}

/** The collapsed set with every ancestor of `index` expanded, so that row becomes visible. */
export function revealRow(model: TraceModel, collapsed: ReadonlySet<number>, index: number): Set<number> {
  const next = new Set(collapsed);
  for (let p = model.rows[index]?.parent ?? -1; p >= 0; p = model.rows[p]!.parent) next.delete(p);
  return next;
}
