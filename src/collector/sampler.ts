import type { Span } from '../model/span.js';
import { lowTraceId } from '../model/ids.js';

const LONG_MAX = (1n << 63n) - 1n;

/**
 * zipkin CollectorSampler: keep a trace when abs(low 64 bits of its id, as a signed long) <= Long.MAX * rate.
 * Deciding by trace id keeps or drops whole traces consistently across collectors; debug spans are always kept.
 */
export class CollectorSampler {
  private readonly boundary: bigint;

  constructor(readonly rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`sample rate must be between 0.0 and 1.0: ${rate}`);
    // Scale in parts per 10^6 so the boundary stays exact in bigint arithmetic.
    this.boundary = (LONG_MAX * BigInt(Math.round(rate * 1_000_000))) / 1_000_000n;
  }

  isSampled(span: Span): boolean {
    if (span.debug) return true;
    if (this.rate === 1) return true;
    if (this.rate === 0) return false;
    let v = BigInt.asIntN(64, BigInt(`0x${lowTraceId(span.traceId)}`));
    if (v < 0n) v = v === -(1n << 63n) ? LONG_MAX : -v;
    return v <= this.boundary;
  }
}
