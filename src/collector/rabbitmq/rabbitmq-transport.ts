import amqp from 'amqplib';
import type { Channel, ChannelModel, Options } from 'amqplib';
import type { QueueMessage, QueueSession, QueueTransport } from '../queue/queue-consumer.js';
import { SessionTracker } from '../queue/session-tracker.js';

/** zipkin's RABBIT_* settings (zipkin-server-shared.yml), typed. */
export interface RabbitMqOptions {
  /** host[:port] entries, tried in order; ignored when `uri` is set. */
  addresses: string[];
  /** amqp[s]://user:pass@host:port/vhost; when set it decides host, credentials and vhost. */
  uri: string;
  user: string;
  password: string;
  virtualHost: string;
  useSsl: boolean;
  /** Messages handled at once (the channel prefetch). */
  concurrency: number;
  connectionTimeoutMs: number;
  queue: string;
}

/** Where to connect, in the order to try. */
export function rabbitTargets(opts: RabbitMqOptions): Array<string | Options.Connect> {
  if (opts.uri !== '') return [opts.uri];
  const protocol = opts.useSsl ? 'amqps' : 'amqp';
  const defaultPort = opts.useSsl ? 5671 : 5672;
  return opts.addresses.map((address) => {
    const at = address.lastIndexOf(':');
    const hostname = at > 0 && !address.endsWith(']') ? address.slice(0, at) : address;
    const port = at > 0 && !address.endsWith(']') ? Number(address.slice(at + 1)) : defaultPort;
    return {
      protocol,
      hostname: hostname.replace(/^\[|\]$/g, ''),
      port,
      username: opts.user,
      password: opts.password,
      vhost: opts.virtualHost,
    };
  });
}

function describeTarget(t: string | Options.Connect): string {
  // Never log the password a URI carries.
  if (typeof t === 'string') return t.replace(/\/\/[^@/]*@/, '//');
  return `${t.protocol}://${t.hostname}:${t.port}${t.vhost === '/' ? '' : `/${t.vhost}`}`;
}

/**
 * RabbitMQ via amqplib: one connection, one channel, the queue declared durable if missing (as zipkin's
 * RabbitMQCollector declares it), manual acks, and a prefetch of RABBIT_CONCURRENCY so at most that many
 * messages are unacknowledged at a time.
 */
export class RabbitMqTransport implements QueueTransport {
  readonly transport = 'rabbitmq' as const;
  readonly queue: string;

  constructor(private readonly opts: RabbitMqOptions) {
    this.queue = opts.queue;
  }

  private async open(): Promise<ChannelModel> {
    const failures: string[] = [];
    for (const target of rabbitTargets(this.opts)) {
      try {
        return await amqp.connect(target, {
          timeout: this.opts.connectionTimeoutMs,
          // Names the connection in rabbitmqctl list_connections and the management UI.
          clientProperties: { connection_name: `skein collector (queue ${this.queue})` },
        });
      } catch (e) {
        failures.push(`${describeTarget(target)}: ${(e as Error).message || String(e)}`);
      }
    }
    throw new Error(`cannot connect to RabbitMQ (RABBIT_ADDRESSES / RABBIT_URI): ${failures.join('; ')}`);
  }

  async connect(handle: (msg: QueueMessage) => Promise<void>): Promise<QueueSession> {
    const conn = await this.open();
    let lastError: Error | undefined;
    // An 'error' without a listener would crash the process; the 'close' that follows ends the session.
    conn.on('error', (e: Error) => (lastError = e));
    let channel: Channel;
    try {
      channel = await conn.createChannel();
      channel.on('error', (e: Error) => (lastError = e));
      await channel.assertQueue(this.queue, { durable: true });
      await channel.prefetch(this.opts.concurrency);
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw new Error(`RabbitMQ queue ${this.queue}: ${(e as Error).message}`, { cause: e });
    }

    const session = new SessionTracker();
    // A channel can close on its own (queue deleted); the connection then has nothing to do.
    const lost = (why: Error) => session.lost(why, () => void conn.close().catch(() => undefined));
    conn.on('close', (e?: Error) => lost(e ?? lastError ?? new Error('the RabbitMQ connection closed')));
    channel.on('close', () =>
      lost(lastError ?? new Error(`the RabbitMQ channel for queue ${this.queue} closed`)),
    );

    const ch = channel;
    const { consumerTag } = await ch.consume(
      this.queue,
      (m) => {
        if (m === null) {
          lost(new Error(`RabbitMQ cancelled the consumer of queue ${this.queue} (was it deleted?)`));
          return;
        }
        const p = handle({
          body: m.content,
          ack: () => ch.ack(m),
          requeue: () => ch.nack(m, false, true),
          // A reject without requeue is an ack to a plain queue, and a dead-lettering to one whose policy
          // names a dead-letter exchange: so operators get a DLQ without Skein declaring one.
          drop: () => ch.nack(m, false, false),
        });
        // An ack on a channel that closed meanwhile fails; the broker redelivers that message itself.
        session.track(p);
      },
      { noAck: false },
    );

    return {
      ended: session.ended,
      close: () =>
        session.close(
          async () => void (await ch.cancel(consumerTag)),
          async () => {
            await ch.close().catch(() => undefined);
            await conn.close();
          },
        ),
    };
  }
}
