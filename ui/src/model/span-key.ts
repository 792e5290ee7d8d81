import type { TraceModel } from './trace-model';

/**
 * A span's address inside its trace, for URLs: its id, or `id.2` for the second row with that id
 * (zipkin's shared client/server spans use one id for two rows). Stable for the same stored spans.
 */
export function spanKeyOf(model: TraceModel, index: number): string {
  const id = model.rows[index]?.span.id ?? '';
  let n = 0;
  for (let i = 0; i <= index; i++) if (model.rows[i]!.span.id === id) n++;
  return n <= 1 ? id : `${id}.${n}`;
}

/** The row a span key names, or undefined when the trace has no such span. */
export function rowOfSpanKey(model: TraceModel, key: string): number | undefined {
  const m = /^([0-9a-f]{1,16})(?:\.(\d+))?$/i.exec(key.trim());
  if (!m) return undefined;
  const id = m[1]!.toLowerCase().padStart(16, '0');
  let want = m[2] ? Number(m[2]) : 1;
  for (const r of model.rows) if (r.span.id === id && --want === 0) return r.index;
  return undefined;
}
