import { KindedError } from '../model/failure.js';

/** Too many body bytes are being read, inflated or decoded at once: transports answer 503 / UNAVAILABLE. */
export class BodiesBusyError extends KindedError {
  override readonly name = 'BodiesBusyError';
  constructor(limit: number) {
    super(
      'over-capacity',
      `Skein is saturated: more than ${limit} bytes of messages are being received and decoded ` +
        '(COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT); retry after 1s',
      1,
    );
  }
}

/** The bytes one message holds against the budget; release() once, when the message is done with. */
export interface BodyReservation {
  /** Adds `n` bytes to this message's share; throws BodiesBusyError when the budget has no room. */
  take(n: number): void;
  /** Gives back `n` bytes (e.g. the compressed body once it is inflated). */
  give(n: number): void;
  release(): void;
}

/**
 * Bounds the bytes of messages held at once between the first byte read and the end of decoding
 * (issue 15: many 64 MiB bodies at once must get 503 with Retry-After, not an OOM). Refusing is
 * immediate, never a wait: a waiting body still holds its memory. A message that is alone in flight is
 * always let through, so a limit below QUERY_MAX_BODY_BYTES slows the largest bodies but never refuses
 * them forever.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  open(): BodyReservation {
    let mine = 0;
    let released = false;
    return {
      take: (n) => {
        if (released || n <= 0) return;
        const othersHold = this.used - mine;
        if (othersHold > 0 && this.used + n > this.limit) throw new BodiesBusyError(this.limit);
        mine += n;
        this.used += n;
      },
      give: (n) => {
        const back = Math.min(n, mine);
        mine -= back;
        this.used -= back;
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= mine;
        mine = 0;
      },
    };
  }

  /** Holds `bytes` while `work` runs (a message the framework already read, e.g. a gRPC request). */
  async hold<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const r = this.open();
    try {
      r.take(bytes);
      return await work();
    } finally {
      r.release();
    }
  }
}
