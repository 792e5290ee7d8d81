import { setTimeout as sleep } from 'node:timers/promises';
import { decodeDetectedSpans } from '../../codec/detect-encoding.js';
import { failureOf } from '../../model/failure.js';
import type { Span } from '../../model/span.js';
import type { Collector, CollectorLogger } from '../collector.js';
import type { TransportName } from '../collector-metrics.js';

/** One delivered message and the broker's two answers to it. */
export interface QueueMessage {
  body: Uint8Array;
  /** The message is done with: the broker forgets it. */
  ack(): Promise<void> | void;
  /** The message goes back to the queue, to be delivered again. */
  requeue(): Promise<void> | void;
  /**
   * The message is given up on (undecodable, or unstorable): the broker forgets it, or moves it to the
   * dead-letter queue the operator configured. Without it, a dropped message is acked.
   */
  drop?(): Promise<void> | void;
  /**
   * Set when the transport refused the message before reading it whole (larger than QUERY_MAX_BODY_BYTES):
   * `body` is then empty, and the message is counted as dropped and given up on.
   */
  refused?: { reason: string; bytes: number };
}

/** One live connection to a broker, delivering to the handler given to `QueueTransport.connect`. */
export interface QueueSession {
  /** Resolves when the connection is lost (with why), or after `close()`. Never rejects. */
  readonly ended: Promise<Error | undefined>;
  /**
   * Stops deliveries, waits for the handlers already running (so their messages are acked or requeued),
   * then closes the connection.
   */
  close(): Promise<void>;
}

/**
 * What differs between brokers: how to connect and subscribe. Everything else (ack decisions, backoff,
 * reconnection, drain, state for /health) is QueueConsumer's, once for every queue transport.
 */
export interface QueueTransport {
  readonly transport: TransportName;
  /** The queue or topic, for log lines and /health. */
  readonly queue: string;
  /** Connects and starts consuming; rejects when the broker cannot be reached. */
  connect(handle: (msg: QueueMessage) => Promise<void>): Promise<QueueSession>;
  /** How a message body is decoded, when the broker carries more than span lists; default decodeDetectedSpans. */
  readonly decode?: (bytes: Uint8Array) => Span[];
}

export type ConsumerState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

/**
 * Bounded exponential backoff with full jitter (a random delay in [d/2, d]), so many consumers that lost the
 * same broker do not reconnect in lockstep.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** How long a connection must have lasted for its loss to restart the reconnect backoff. */
const STABLE_CONNECTION_MS = 10_000;

export interface QueueConsumerOptions {
  collector: Collector;
  logger: CollectorLogger & { info(obj: object, msg: string): void };
  /** Between reconnect attempts. Default 100 ms to 30 s. */
  reconnect?: BackoffOptions;
  /** Before a message that storage refused for now is requeued. Default 100 ms to 10 s. */
  retry?: BackoffOptions;
}

/** What /health shows for one consumer. */
export interface ConsumerHealth {
  transport: TransportName;
  queue: string;
  state: ConsumerState;
  /** Why the last connection failed or ended, while not connected. */
  error?: string;
}

/**
 * Stores one queued message through the collector and says what to tell the broker, from
 * `failureOf(err).queue` alone: 'stored' and 'dropped' are acknowledged, 'requeue' is kept for later.
 * A drop gets one log line naming the transport, the queue and the reason (the collector has already
 * counted it in messages_dropped). Shared by the consumers and by Scribe, whose TRY_LATER is a requeue.
 */
export async function acceptQueued(
  opts: Pick<QueueConsumerOptions, 'collector' | 'logger'>,
  transport: TransportName,
  queue: string,
  bytes: Uint8Array,
  decode: (b: Uint8Array) => Span[] = decodeDetectedSpans,
): Promise<'stored' | 'dropped' | 'requeue'> {
  try {
    await opts.collector.acceptMessage(transport, bytes, decode, `queue ${queue}`, { redelivers: true });
    return 'stored';
  } catch (e) {
    const failure = failureOf(e);
    if (failure.queue === 'requeue') return 'requeue';
    opts.logger.warn(
      { transport, queue, reason: failure.kind, err: (e as Error).message },
      `dropped a ${transport} message from queue ${queue}: ${failure.message}`,
    );
    return 'dropped';
  }
}

/**
 * A queue collector: connect, consume, reconnect with backoff, drain on shutdown. Each message goes through
 * the one collector path with its encoding detected (as zipkin's message collectors do), and is acked only
 * once its spans are stored. What happens to a failed message is `failureOf(err).queue`'s decision alone:
 * 'requeue' (storage busy or down) nacks it back after a growing delay, so the broker keeps it and the
 * consumer does not spin on it; 'drop' (undecodable, or a failure retrying cannot fix) acks it with one log
 * line, as zipkin drops what it cannot read.
 */
export class QueueConsumer {
  private currentState: ConsumerState = 'connecting';
  private lastError: string | undefined;
  private session: QueueSession | undefined;
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();
  /** Requeues in a row; reset by any stored message so one recovery does not keep old delays. */
  private retries = 0;
  private readonly reconnect: BackoffOptions;
  private readonly retry: BackoffOptions;

  constructor(
    private readonly broker: QueueTransport,
    private readonly opts: QueueConsumerOptions,
  ) {
    this.reconnect = opts.reconnect ?? { initialMs: 100, maxMs: 30_000 };
    this.retry = opts.retry ?? { initialMs: 100, maxMs: 10_000 };
  }

  get state(): ConsumerState {
    return this.currentState;
  }

  health(): ConsumerHealth {
    const h: ConsumerHealth = {
      transport: this.broker.transport,
      queue: this.broker.queue,
      state: this.state,
    };
    if (this.state !== 'connected' && this.lastError !== undefined) h.error = this.lastError;
    return h;
  }

  /**
   * Starts consuming. Resolves after the first connection attempt, whether or not it succeeded: a broker that
   * is down at start-up is retried in the background (like a broker lost later), so it does not stop Skein.
   */
  async start(): Promise<void> {
    let first!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (first = resolve));
    this.running = this.loop(first);
    await firstAttempt;
  }

  private async loop(firstAttemptDone: () => void): Promise<void> {
    const { transport, queue } = this.broker;
    let attempt = 0;
    while (!this.stop.signal.aborted) {
      try {
        this.session = await this.broker.connect((msg) => this.handle(msg));
      } catch (e) {
        this.lastError = (e as Error).message;
        this.currentState = 'reconnecting';
        firstAttemptDone();
        const delay = backoffDelay(attempt++, this.reconnect);
        this.opts.logger.warn(
          { transport, queue, err: this.lastError, retryInMs: delay },
          `cannot connect to ${transport}; retrying`,
        );
        await this.pause(delay);
        continue;
      }
      if (this.stop.signal.aborted) {
        // close() came while connecting: it had no session to close yet.
        await this.session.close();
        break;
      }
      this.currentState = 'connected';
      this.lastError = undefined;
      this.opts.logger.info({ transport, queue }, `consuming from ${transport}`);
      firstAttemptDone();
      const connectedAt = Date.now();
      const why = await this.session.ended;
      this.session = undefined;
      if (this.stop.signal.aborted) break;
      this.lastError = why?.message ?? 'the connection closed';
      this.currentState = 'reconnecting';
      // A connection that lived a while starts the backoff over; one dropped right after connecting keeps it
      // growing, so a broker that accepts and then closes at once is not hammered.
      if (Date.now() - connectedAt > STABLE_CONNECTION_MS) attempt = 0;
      const delay = backoffDelay(attempt++, this.reconnect);
      this.opts.logger.warn(
        { transport, queue, err: this.lastError, retryInMs: delay },
        `lost the ${transport} connection; reconnecting`,
      );
      await this.pause(delay);
    }
    this.currentState = 'closed';
    firstAttemptDone();
  }

  private async handle(msg: QueueMessage): Promise<void> {
    // zipkin: an empty message is skipped.
    const { transport, queue, decode } = this.broker;
    if (msg.refused) {
      this.opts.collector.rejectMessage(transport, msg.refused.bytes, `queue ${queue}`, msg.refused.reason);
      return msg.drop ? msg.drop() : msg.ack();
    }
    if (msg.body.length === 0) return msg.ack();
    const outcome = await acceptQueued(this.opts, transport, queue, msg.body, decode);
    if (outcome === 'requeue') {
      // Holding the message for the delay is the backoff: with the prefetch bounded by the concurrency, the
      // broker sends nothing new meanwhile. The delay grows with each requeue in a row.
      const delay = backoffDelay(this.retries++, this.retry);
      // Not counted as dropped (it is not lost): one line when an outage starts, one when it ends.
      if (this.retries === 1) {
        this.opts.logger.warn(
          { transport: this.broker.transport, queue: this.broker.queue, retryInMs: delay },
          `storage refused a ${this.broker.transport} message for now; it stays queued and is retried`,
        );
      }
      await this.pause(delay);
      return msg.requeue();
    }
    if (outcome === 'dropped') return msg.drop ? msg.drop() : msg.ack();
    if (this.retries > 0) {
      this.opts.logger.info(
        { transport: this.broker.transport, queue: this.broker.queue, requeues: this.retries },
        `storage accepts ${this.broker.transport} messages again`,
      );
    }
    this.retries = 0;
    return msg.ack();
  }

  /** Waits, or returns early when the consumer is closing. */
  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal });
    } catch {
      // aborted: closing
    }
  }

  /** Stops consuming, lets running handlers finish (ack or requeue), and closes the connection. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.session?.close();
    await this.running;
    this.currentState = 'closed';
  }
}
