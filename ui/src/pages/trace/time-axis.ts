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

/**
 * How many axis labels fit in widthPx without overlapping, given the widest label (about 64px for
 * "1.25s" or "100ms" at 11px); at least 2 (start and end), at most `max`. Narrow screens get fewer.
 */
export function tickCountFor(widthPx: number, labelPx = 64, max = 6): number {
  if (!(widthPx > 0)) return max;
  return Math.max(2, Math.min(max, Math.floor(widthPx / labelPx)));
}
