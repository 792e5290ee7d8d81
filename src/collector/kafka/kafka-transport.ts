import { Kafka, logLevel, type Consumer, type LogEntry } from 'kafkajs';
import { decodeDetectedSpans } from '../../codec/detect-encoding.js';
import { decodeThriftSpan } from '../../codec/thrift/thrift-codec.js';
import type { Span } from '../../model/span.js';
import type { QueueMessage, QueueSession, QueueTransport } from '../queue/queue-consumer.js';
import { SessionTracker } from '../queue/session-tracker.js';

/** zipkin's KAFKA_* settings (zipkin-server-shared.yml), typed. */
export interface KafkaOptions {
  /** host:port entries of the bootstrap brokers. */
  bootstrapServers: string[];
  topic: string;
  groupId: string;
  /** Partitions consumed at once (zipkin's consumer threads); within a partition, records go in order. */
  streams: number;
}

/** What the transport logs: kafkajs' own warnings and errors, tagged with the transport. */
export interface KafkaLogger {
  warn(obj: object, msg: string): void;
}

const EMPTY = new Uint8Array(0);
/** TBinaryProtocol field types a bare Span struct can start with: its first field header's type (<= 16). */
const THRIFT_MAX_TYPE = 16;
const THRIFT_STRUCT = 12;

/**
 * One Kafka record: a list of spans in any encoding, or (as older zipkin senders wrote, and zipkin's
 * KafkaCollector still reads) one bare Thrift span. A bare span starts with a Thrift field header, whose
 * type byte is small and not the STRUCT (12) that starts a Thrift list; a proto3 list also starts with
 * 0x0a but its length byte is not 0, where a Thrift i64 field (type 10) is followed by the field id's high
 * byte, 0.
 */
export function decodeKafkaRecord(bytes: Uint8Array): Span[] {
  if (bytes.length === 0) return [];
  const first = bytes[0]!;
  const proto3 = first === 10 && bytes.length > 1 && bytes[1] !== 0;
  if (!proto3 && first <= THRIFT_MAX_TYPE && first !== THRIFT_STRUCT && first !== 11) {
    return decodeThriftSpan(bytes);
  }
  return decodeDetectedSpans(bytes);
}

/**
 * Kafka via kafkajs: one consumer in group KAFKA_GROUP_ID on KAFKA_TOPIC. Offsets are the acknowledgement:
 * a record's offset is resolved only once its spans are stored, and only resolved offsets are ever
 * committed, so a restart resumes at the first record not stored. A record storage refused for now
 * ("requeue") ends its batch unresolved: the next fetch starts at that record again, after the backoff the
 * consumer already waited while holding it, so nothing after it is skipped and nothing spins.
 *
 * kafkajs retries lost brokers itself a few times; when it gives up it crashes the consumer, which ends the
 * session, and QueueConsumer reconnects with its own backoff (kafkajs' own restart is turned off, so there
 * is one reconnect policy, and /health sees it).
 */
export class KafkaTransport implements QueueTransport {
  readonly transport = 'kafka' as const;
  readonly queue: string;
  readonly decode = decodeKafkaRecord;

  constructor(
    private readonly opts: KafkaOptions,
    private readonly logger: KafkaLogger,
  ) {
    this.queue = opts.topic;
  }

  async connect(handle: (msg: QueueMessage) => Promise<void>): Promise<QueueSession> {
    const { topic } = this.opts;
    const kafka = new Kafka({
      clientId: 'skein',
      brokers: this.opts.bootstrapServers,
      connectionTimeout: 5000,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ namespace, log }: LogEntry) => {
          const { message, ...rest } = log;
          this.logger.warn({ transport: 'kafka', topic, kafkajs: namespace, ...rest }, `kafkajs: ${message}`);
        },
    });
    const consumer: Consumer = kafka.consumer({
      groupId: this.opts.groupId,
      // Only resolved (stored) offsets are committed; at most half a second's worth is delivered again
      // after a crash between storing and committing.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000, restartOnFailure: async () => false },
    });

    const session = new SessionTracker();
    // disconnect() lets the running batch finish, commits the resolved offsets and leaves the group.
    const disconnect = () => consumer.disconnect();
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      session.lost(payload.error, () => void disconnect().catch(() => undefined)),
    );

    try {
      await consumer.connect();
      // A group with no committed offset starts at the oldest record: spans sent before Skein first
      // started are collected, not skipped.
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
    } catch (e) {
      await session.close(async () => undefined, disconnect);
      throw new Error(
        `cannot consume Kafka topic ${topic} from ${this.opts.bootstrapServers.join(',')} (KAFKA_BOOTSTRAP_SERVERS): ${(e as Error).message}`,
        { cause: e },
      );
    }

    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.streams,
      eachBatch: async (b) => {
        const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets } = b;
        for (const record of batch.messages) {
          if (session.closing || !b.isRunning() || b.isStale()) break;
          let keep = false;
          await handle({
            body: record.value ?? EMPTY,
            ack: () => resolveOffset(record.offset),
            // Left unresolved, the record is fetched again; the batch stops here so none after it is
            // stored first (and then stored twice).
            requeue: () => {
              keep = true;
            },
          });
          if (keep) break;
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        // The batch's stored records, committed now rather than at the next interval.
        await commitOffsetsIfNecessary(uncommittedOffsets()).catch(() => undefined);
      },
    });

    return {
      ended: session.ended,
      close: () => session.close(async () => undefined, disconnect),
    };
  }
}
