/**
 * The bookkeeping every QueueSession does the same way: an `ended` promise that resolves once (with why the
 * connection was lost, or undefined after close), whether the session is closing, and the handlers still
 * running, so close() can let them ack or requeue before the connection goes.
 */
export class SessionTracker {
  readonly ended: Promise<Error | undefined>;
  private end!: (why: Error | undefined) => void;
  private isClosing = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor() {
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  /** True from the first loss or close(): deliveries after it are not handled. */
  get closing(): boolean {
    return this.isClosing;
  }

  /**
   * The connection is lost: `teardown` (which must not throw) drops what is left of it, and the session
   * ends with `why`. Only the first loss counts, and none after close() began.
   */
  lost(why: Error, teardown: () => void): void {
    if (this.isClosing) return;
    this.isClosing = true;
    teardown();
    this.end(why);
  }

  /** Tracks one running handler; its failure is the handler's own business (the broker redelivers). */
  track(handler: Promise<void>): void {
    const p = handler.catch(() => undefined).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /**
   * Closes once: `stop` stops deliveries, the running handlers finish, then `shutdown` closes the connection.
   * After a loss, only waits for the handlers (the connection is already gone).
   */
  async close(stop: () => Promise<void>, shutdown: () => Promise<void>): Promise<void> {
    if (this.isClosing) {
      await Promise.allSettled([...this.inFlight]);
      return;
    }
    this.isClosing = true;
    await stop().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await shutdown().catch(() => undefined);
    this.end(undefined);
  }
}
