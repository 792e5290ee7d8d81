/**
 * A small seeded PRNG (mulberry32). Math.random cannot be seeded, and the generator must give the same
 * traces for the same seed so tests and demos are reproducible.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** 16 lower-hex characters, never all zeros (an invalid span or trace id). */
  hex64(): string {
    for (;;) {
      const hi = Math.floor(this.next() * 4294967296);
      const lo = Math.floor(this.next() * 4294967296);
      if (hi !== 0 || lo !== 0) return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
    }
  }
}
