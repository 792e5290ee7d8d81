import { StorageError } from '../../model/failure.js';
import type { Span } from '../../model/span.js';

/**
 * Group commit in front of a backend's write: accepts that arrive while `maxConcurrent` writes are running
 * wait in one queue and go to the backend together in the next write, so a store pays its per-commit
 * cost (a transaction, an fsync, a round trip) once per group instead of once per request.
 *
 * - The queue is bounded in bytes (an estimate of each span's size), not in batches: 256 waiting 64 MiB
 *   bodies must not fit where 256 small ones do. Past the bound an accept fails at once with an
 *   over-capacity StorageError (503 + Retry-After, requeue), before anything is queued.
 * - Each accept resolves only after the write that carried its spans resolved, and rejects with that
 *   write's error.
 */
export class BatchingWriter {
  private queue: {
    spans: readonly Span[];
    bytes: number;
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private queuedBytes = 0;
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly write: (spans: readonly Span[]) => Promise<void>,
    private readonly maxQueuedBytes: number,
    private readonly maxConcurrent: number,
    /** Spans per write at most; a longer queue is written in several groups. */
    private readonly maxSpansPerWrite = 20_000,
  ) {}

  /** Bytes waiting for a write now (metrics). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  accept(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    const bytes = estimateBytes(spans);
    // One batch larger than the whole bound still goes through when nothing waits, or it could never.
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) {
      return Promise.reject(
        new StorageError(
          'over-capacity',
          `Skein is saturated: ${this.queuedBytes} bytes of spans are waiting for storage; retry after 1s`,
          1,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ spans, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      let count = 0;
      let take = 0;
      while (
        take < this.queue.length &&
        (take === 0 || count + this.queue[take]!.spans.length <= this.maxSpansPerWrite)
      ) {
        count += this.queue[take]!.spans.length;
        take++;
      }
      const group = this.queue.splice(0, take);
      for (const g of group) this.queuedBytes -= g.bytes;
      const spans = group.length === 1 ? group[0]!.spans : group.flatMap((g) => g.spans);
      this.running++;
      this.write(spans)
        .then(
          () => {
            for (const g of group) g.resolve();
          },
          (e: unknown) => {
            for (const g of group) g.reject(e);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const done of this.idle.splice(0)) done();
        });
    }
  }

  /** Resolves when every queued and running write has finished. */
  drain(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * About how many bytes a span holds as JSON: its strings plus a fixed overhead per field. Cheap (no
 * serialisation) and within a small factor of the real size, which is all a queue bound needs.
 */
export function estimateBytes(spans: readonly Span[]): number {
  let total = 0;
  for (const s of spans) {
    total += 160 + (s.name?.length ?? 0);
    if (s.localEndpoint) total += 40 + (s.localEndpoint.serviceName?.length ?? 0);
    if (s.remoteEndpoint) total += 40 + (s.remoteEndpoint.serviceName?.length ?? 0);
    if (s.tags) for (const k in s.tags) total += 6 + k.length + s.tags[k]!.length;
    if (s.annotations) for (const a of s.annotations) total += 30 + a.value.length;
  }
  return total;
}
