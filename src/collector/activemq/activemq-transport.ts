import stompit from 'stompit';
import type { Client } from 'stompit';
import type { QueueMessage, QueueSession, QueueTransport } from '../queue/queue-consumer.js';
import { SessionTracker } from '../queue/session-tracker.js';
import type { StompServer } from './activemq-url.js';

/** zipkin's ACTIVEMQ_* settings, typed; ACTIVEMQ_URL already turned into STOMP endpoints. */
export interface ActiveMqOptions {
  /** Tried in order (failover:(a,b) lists several). */
  servers: StompServer[];
  queue: string;
  /** Messages handled at once: the subscription's prefetch, so at most that many are unacknowledged. */
  concurrency: number;
  /** '' = connect without a login. */
  username: string;
  password: string;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** STOMP heart-beats both ways, so a broker that vanished without closing the socket is noticed. */
const HEART_BEAT = '10000,10000';

/**
 * ActiveMQ over STOMP (stompit). Java senders publish JMS messages over OpenWire; ActiveMQ hands the same
 * queue to STOMP subscribers, a BytesMessage with a content-length header, so bodies are read as bytes and
 * never as text. The subscription acks client-individual and only after a message's spans are stored.
 *
 * A message storage refused for now is not NACKed: ActiveMQ sends a NACKed STOMP message to its dead-letter
 * queue rather than back to the queue. It stays unacknowledged (the broker still owns it, and gives it to
 * another consumer if this connection dies) and is handed to the collector again after the consumer's
 * backoff; with the prefetch at ACTIVEMQ_CONCURRENCY the broker sends nothing new meanwhile.
 */
export class ActiveMqTransport implements QueueTransport {
  readonly transport = 'activemq' as const;
  readonly queue: string;

  constructor(
    private readonly opts: ActiveMqOptions,
    private readonly maxMessageBytes: number,
  ) {
    this.queue = opts.queue;
  }

  private async open(): Promise<Client> {
    const failures: string[] = [];
    for (const s of this.opts.servers) {
      try {
        return await connectOnce(s, this.opts);
      } catch (e) {
        failures.push(`${s.ssl ? 'stomp+ssl' : 'stomp'}://${s.host}:${s.port}: ${(e as Error).message}`);
      }
    }
    throw new Error(`cannot connect to ActiveMQ over STOMP (ACTIVEMQ_URL): ${failures.join('; ')}`);
  }

  async connect(handle: (msg: QueueMessage) => Promise<void>): Promise<QueueSession> {
    const client = await this.open();
    const session = new SessionTracker();
    const lost = (why: Error) => session.lost(why, () => client.destroy(why));
    client.on('error', (e: Error) => lost(e));
    client.on('end', () => lost(new Error('the ActiveMQ connection closed')));

    const consume = async (message: Client.Message) => {
      const body = await readBytes(message, this.maxMessageBytes);
      if (typeof body === 'number') {
        const refused = { reason: 'body too large (QUERY_MAX_BODY_BYTES)', bytes: body };
        return handle({
          body: new Uint8Array(0),
          refused,
          ack: () => client.ack(message),
          requeue: () => undefined,
        });
      }
      for (;;) {
        let again = false;
        await handle({
          body,
          ack: () => client.ack(message),
          requeue: () => {
            again = true;
          },
        });
        // Closing: the message stays unacknowledged and goes back to the queue with the connection.
        if (!again || session.closing) return;
      }
    };
    client.subscribe(
      {
        destination: `/queue/${this.queue}`,
        ack: 'client-individual',
        'activemq.prefetchSize': String(this.opts.concurrency),
      },
      (err, message) => {
        if (err) return lost(err);
        session.track(consume(message));
      },
    );

    return {
      ended: session.ended,
      close: () =>
        session.close(
          // Nothing to cancel first: with the prefetch at the concurrency, the broker sends nothing new
          // while the running handlers hold their messages.
          async () => undefined,
          // DISCONNECT with a receipt: the acks sent before it have reached the broker when it answers.
          () =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(
                () => (client.destroy(new Error('DISCONNECT timed out')), resolve()),
                5000,
              );
              client.disconnect(() => (clearTimeout(timer), resolve()));
            }),
        ),
    };
  }
}

function connectOnce(s: StompServer, opts: ActiveMqOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const connectHeaders: Record<string, string> = { host: '/', 'heart-beat': HEART_BEAT };
    if (opts.username !== '') {
      connectHeaders.login = opts.username;
      connectHeaders.passcode = opts.password;
    }
    let done = false;
    const client = stompit.connect(
      s.ssl
        ? { host: s.host, port: s.port, ssl: true, servername: s.host, connectHeaders }
        : { host: s.host, port: s.port, connectHeaders },
      (err, c) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(c);
      },
    );
    // An 'error' without a listener would crash the process; the connect callback reports it.
    client.on('error', (e: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(e);
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      const e = new Error(`no STOMP CONNECTED within ${CONNECT_TIMEOUT_MS} ms`);
      client.destroy(e);
      reject(e);
    }, CONNECT_TIMEOUT_MS);
  });
}

/** The whole body as bytes, or its size when it passes `max` (the rest is counted, not buffered). */
function readBytes(message: Client.Message, max: number): Promise<Uint8Array | number> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    message.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    message.on('end', () => resolve(over ? size : Buffer.concat(chunks)));
    message.on('error', reject);
  });
}
