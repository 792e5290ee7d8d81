import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { KindedError } from '../model/failure.js';

/** The event loop is too far behind to take more work: 503 + Retry-After (gRPC UNAVAILABLE). */
export class EventLoopBusyError extends KindedError {
  override readonly name = 'EventLoopBusyError';
  constructor(delayMs: number, limitMs: number) {
    super(
      'over-capacity',
      `Skein is saturated: its event loop is ${Math.round(delayMs)} ms behind ` +
        `(COLLECTOR_MAX_EVENT_LOOP_DELAY ${limitMs} ms); retry after 1s`,
      1,
    );
  }
}

/** How often the delay is sampled into a decision; the histogram is reset each time. */
const WINDOW_MS = 250;

/**
 * Load shedding by event-loop delay (issue 15: under 2x overload the memory store, which never queues
 * writes and so never hits COLLECTOR_MAX_IN_FLIGHT, answered timeouts and connection resets instead of 503
 * with Retry-After). Every WINDOW_MS the worst delay the loop saw in that window is read; while it is over
 * the limit two windows running, new messages are refused before they are decoded, which is most of their cost, so the
 * backlog drains and senders get the protocol's back-pressure answer instead of a timeout.
 */
export class EventLoopShedder {
  private readonly histogram: ELDHistogram;
  private readonly timer: NodeJS.Timeout;
  /** The worst delay of each of the last two windows. */
  private lastDelayMs = 0;
  private previousDelayMs = 0;

  constructor(private readonly limitMs: number) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      // Nanoseconds; the window's worst delay (a timer that fired late by that much).
      this.previousDelayMs = this.lastDelayMs;
      this.lastDelayMs = this.histogram.max / 1e6;
      this.histogram.reset();
    }, WINDOW_MS).unref();
  }

  /**
   * Throws EventLoopBusyError while the last two windows' delays are both over the limit: sustained lag is
   * overload, while one long synchronous step (a 64 MiB body decoded at once) is not, and must not get the
   * next sender refused.
   */
  check(): void {
    const delay = Math.min(this.lastDelayMs, this.previousDelayMs);
    if (delay > this.limitMs) throw new EventLoopBusyError(delay, this.limitMs);
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
