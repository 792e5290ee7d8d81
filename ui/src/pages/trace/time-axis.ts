/** Evenly spaced "nice" tick offsets (μs from the range start) for a time axis. */
export function timeTicks(rangeUs: number, count: number): number[] {
  if (rangeUs <= 0) return [0];
  const raw = rangeUs / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let t = 0; t <= rangeUs + 1e-9; t += step) out.push(t);
  return out;
}
