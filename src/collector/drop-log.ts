import type { TransportName } from './collector-metrics.js';

export interface DropLogSink {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where a message came from: the client address (HTTP, gRPC, UDP) or the broker and queue. */
export type MessageSource = string | undefined;

/**
 * The log line for a dropped message: it names the transport, the client and why, so an operator can find
 * the misconfigured reporter. Drops come in floods (a broken client retries, a saturated store refuses
 * everyone), so each (transport, reason) logs at most once per interval; the next line carries how many
 * were left out meanwhile. The metrics still count every drop.
 */
export class DropLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly sink: DropLogSink,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  dropped(
    level: 'warn' | 'error',
    transport: TransportName,
    client: MessageSource,
    reason: string,
    detail: Record<string, unknown> = {},
  ): void {
    const key = `${transport}\u0000${reason}`;
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(key, { at: t, suppressed: 0 });
    // Bounded: one entry per (transport, reason), and reasons are fixed strings, never span data.
    this.sink[level](
      {
        transport,
        client: client ?? 'unknown',
        ...detail,
        ...(suppressed ? { suppressedSinceLast: suppressed } : {}),
      },
      `dropped message: ${reason}`,
    );
  }
}
