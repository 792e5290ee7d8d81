/** Latency summary of one measured phase, in milliseconds (nearest-rank percentiles). */
export function summarize(samples: Float64Array | number[]): {
  p50: number;
  p99: number;
  mean: number;
  max: number;
} {
  const n = samples.length;
  if (n === 0) return { p50: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
  return { p50: rank(0.5), p99: rank(0.99), mean: sum / n, max: sorted[n - 1]! };
}

/** Grows like an array of numbers without boxing each one. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
