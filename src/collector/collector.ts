import type { Span } from '../model/span.js';
import { isDecodeError } from '../model/decode-error.js';
import { failureOf, KindedError } from '../model/failure.js';
import { limitSpan, type SpanLimits, type TruncationCounter } from '../model/span-limits.js';
import { boundFutureTimestamps } from '../model/future-timestamps.js';
import type { SpanConsumer } from '../storage/storage-component.js';
import { BodyBudget } from './body-budget.js';
import { EventLoopShedder } from './event-loop-shedder.js';
import type { CollectorMetrics, TransportName } from './collector-metrics.js';
import { DropLog, type MessageSource } from './drop-log.js';
import type { CollectorSampler } from './sampler.js';

/** Thrown when too many batches are waiting on storage: transports answer 503/429/UNAVAILABLE with a retry hint. */
export class CollectorBusyError extends KindedError {
  override readonly name = 'CollectorBusyError';
  constructor(override readonly retryAfterSeconds: number) {
    super(
      'over-capacity',
      `Skein is saturated: storage is behind; retry after ${retryAfterSeconds}s`,
      retryAfterSeconds,
    );
  }
}

export interface CollectorLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CollectorOptions {
  consumer: SpanConsumer;
  sampler: CollectorSampler;
  metrics: CollectorMetrics;
  logger: CollectorLogger;
  /** Batches allowed to wait on storage at once before new ones are refused with CollectorBusyError. */
  maxInFlight?: number;
  /** Bytes of messages being received and decoded at once (COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT). */
  maxBodyBytesInFlight?: number;
  /** SPAN_MAX_*: every span from every transport is cut to these before it is sampled and stored. */
  spanLimits?: SpanLimits;
  /** Counts what `spanLimits` cut (skein_span_values_truncated_total). */
  truncated?: TruncationCounter;
  /** RETENTION_MAX_FUTURE in µs: a span timestamp further ahead of arrival is replaced by the arrival time. */
  maxFutureUs?: number;
  /** COLLECTOR_MAX_EVENT_LOOP_DELAY in ms: past it new messages are refused before decoding; 0 or unset: off. */
  maxEventLoopDelayMs?: number;
}

/** Future-timestamp log lines: at most one per this interval, with the count since the last. */
const FUTURE_LOG_INTERVAL_MS = 10_000;

/** How a transport handles a message storage refused. */
export interface AcceptOptions {
  /**
   * The transport keeps a message that storage refused for now (a queue requeues it and delivers it again),
   * so such a refusal is not counted as dropped; only what is given up on is.
   */
  redelivers?: boolean;
}

export interface AcceptResult {
  /** Spans stored (after sampling). */
  accepted: number;
  /** Spans dropped by the sampler. */
  sampledOut: number;
}

/**
 * The one path from a transport to storage: count, decode, sample, store, count again.
 * Every transport calls it, so metrics, sampling and back-pressure behave the same everywhere.
 * The returned promise resolves only when storage has the spans (so a transport may then acknowledge),
 * and rejects with the DecodeError (bad input, messages_dropped), CollectorBusyError, or the storage error.
 */
export class Collector {
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly drops: DropLog;
  private readonly shedder: EventLoopShedder | undefined;
  private futureSince = 0;
  private futureLoggedAt = 0;
  /** Shared by every transport: message bytes held from the first byte read until decoding is done. */
  readonly bodies: BodyBudget;

  constructor(private readonly opts: CollectorOptions) {
    this.maxInFlight = opts.maxInFlight ?? 256;
    this.bodies = new BodyBudget(opts.maxBodyBytesInFlight ?? 256 * 1024 * 1024);
    this.drops = new DropLog(opts.logger);
    if (opts.maxEventLoopDelayMs) this.shedder = new EventLoopShedder(opts.maxEventLoopDelayMs);
  }

  /**
   * Decodes and stores one message (a POST body, a UDP packet, a queue message). `from` names the client
   * (its address) or the queue for the log line of a dropped message.
   */
  async acceptMessage(
    transport: TransportName,
    bytes: Uint8Array,
    decode: (b: Uint8Array) => Span[],
    from?: MessageSource,
    accept: AcceptOptions = {},
  ): Promise<AcceptResult> {
    const m = this.opts.metrics.forTransport(transport);
    m.messages();
    m.bytes(bytes.length);
    this.shed(transport, from, accept);
    let spans: Span[];
    try {
      spans = decode(bytes);
    } catch (e) {
      m.messagesDropped();
      if (isDecodeError(e)) this.drops.dropped('warn', transport, from, 'malformed', { err: e.message });
      throw e;
    }
    return this.store(transport, spans, from, accept);
  }

  /**
   * Stores spans that a transport already decoded (gRPC, where the framework decodes). Counts the message
   * but not its bytes, which the caller reports with `countBytes` when it knows them.
   */
  async acceptSpans(
    transport: TransportName,
    spans: Span[],
    bytes?: number,
    from?: MessageSource,
  ): Promise<AcceptResult> {
    const m = this.opts.metrics.forTransport(transport);
    m.messages();
    if (bytes !== undefined) m.bytes(bytes);
    this.shed(transport, from);
    return this.store(transport, spans, from);
  }

  /**
   * Counts and logs a message that was refused before decoding. `reason` is a fixed phrase chosen by the
   * transport ('body too large', 'unsupported content type'), never text from the message.
   */
  rejectMessage(
    transport: TransportName,
    bytes = 0,
    from?: MessageSource,
    reason = 'refused before decoding',
  ): void {
    const m = this.opts.metrics.forTransport(transport);
    m.messages();
    if (bytes) m.bytes(bytes);
    m.messagesDropped();
    this.drops.dropped('warn', transport, from, reason);
  }

  /** Counts spans a transport dropped itself (e.g. OTLP partial success). */
  dropSpans(transport: TransportName, n: number): void {
    if (n > 0) this.opts.metrics.forTransport(transport).spansDropped(n);
  }

  private async store(
    transport: TransportName,
    spans: Span[],
    from: MessageSource,
    accept: AcceptOptions = {},
  ): Promise<AcceptResult> {
    const m = this.opts.metrics.forTransport(transport);
    m.spans(spans.length);
    if (spans.length === 0) return { accepted: 0, sampledOut: 0 };
    const limits = this.opts.spanLimits;
    if (limits) {
      const count = this.opts.truncated ?? (() => {});
      spans = spans.map((s) => limitSpan(s, limits, count));
    }
    if (this.opts.maxFutureUs !== undefined)
      spans = this.boundFuture(transport, spans, this.opts.maxFutureUs, from);
    const kept = spans.filter((s) => this.opts.sampler.isSampled(s));
    const sampledOut = spans.length - kept.length;
    if (sampledOut) m.spansDropped(sampledOut);
    if (kept.length === 0) return { accepted: 0, sampledOut };
    // A message that will be delivered again is not dropped (yet): counting each requeue would make one
    // message held through a storage outage look like thousands lost. It is logged by its consumer instead.
    const dropped = (e: unknown) => {
      if (accept.redelivers && failureOf(e).queue === 'requeue') return false;
      m.spansDropped(kept.length);
      m.messagesDropped();
      return true;
    };
    if (this.inFlight >= this.maxInFlight) {
      const busy = new CollectorBusyError(1);
      if (!dropped(busy)) throw busy;
      this.drops.dropped('warn', transport, from, 'collector saturated (COLLECTOR_MAX_IN_FLIGHT)', {
        spans: kept.length,
      });
      throw busy;
    }
    this.inFlight++;
    const p = this.opts.consumer.accept(kept);
    this.pending.add(p);
    try {
      await p;
    } catch (e) {
      if (!dropped(e)) throw e;
      this.drops.dropped('error', transport, from, 'storage failed to accept spans', {
        err: (e as Error).message,
        spans: kept.length,
      });
      throw e;
    } finally {
      this.inFlight--;
      this.pending.delete(p);
    }
    return { accepted: kept.length, sampledOut };
  }

  private boundFuture(
    transport: TransportName,
    spans: Span[],
    maxFutureUs: number,
    from: MessageSource,
  ): Span[] {
    const arrivalUs = Date.now() * 1000;
    let adjusted = 0;
    const out = spans.map((s) => {
      const b = boundFutureTimestamps(s, arrivalUs, maxFutureUs);
      if (b !== s) adjusted++;
      return b;
    });
    if (adjusted === 0) return spans;
    this.futureSince += adjusted;
    const now = Date.now();
    if (now - this.futureLoggedAt >= FUTURE_LOG_INTERVAL_MS) {
      this.opts.logger.warn(
        { transport, from, spans: this.futureSince },
        'span timestamps beyond RETENTION_MAX_FUTURE were replaced by their arrival time (tag skein.future_timestamp)',
      );
      this.futureLoggedAt = now;
      this.futureSince = 0;
    }
    return out;
  }

  /** Refuses the message while the event loop is too far behind (COLLECTOR_MAX_EVENT_LOOP_DELAY). */
  private shed(transport: TransportName, from: MessageSource, accept: AcceptOptions = {}): void {
    try {
      this.shedder?.check();
    } catch (e) {
      if (!accept.redelivers) this.opts.metrics.forTransport(transport).messagesDropped();
      this.drops.dropped('warn', transport, from, 'event loop saturated (COLLECTOR_MAX_EVENT_LOOP_DELAY)');
      throw e;
    }
  }

  /** Resolves when every accepted batch has reached storage (graceful shutdown). */
  async drain(): Promise<void> {
    this.shedder?.close();
    await Promise.allSettled([...this.pending]);
  }
}
