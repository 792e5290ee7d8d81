/**
 * The queue section of `npm run bench`: messages/s and spans/s that Skein consumes from RabbitMQ and from
 * Kafka, as a ratio to its HTTP collector (POST /api/v2/spans) in the same run, on the same pre-encoded
 * JSON v2 messages (one generated trace per message, as a sender flushes one batch per message).
 *
 * Each round, every queue target gets its messages published first (a fresh queue or topic), then a fresh
 * Skein server (mem store) is started on it, so the figure is consumption alone, not the publisher's pace.
 * Its time runs from the first counted message (polled on /prometheus) to the last, which leaves Skein's
 * start-up out. The HTTP target gets the same messages from 8 concurrent POSTs of this process. Targets
 * take turns within each round, so the machine's wandering load falls on all of them alike.
 * Needs the brokers of scripts/services.sh; a broker that does not answer has its rows skipped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { encodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import { generateTraces } from '../src/demo/trace-generator.js';
import { tcpReachable } from '../test/support/require-service.js';
import type { Child } from './children.js';
import type { FromServer, ToServer } from './protocol.js';
import { fmt, table } from './table.js';

type SkeinChild = Child<ToServer, FromServer>;
type StartSkein = (name: string, env: Record<string, string>) => Promise<{ child: SkeinChild; port: number }>;

export interface QueueRow {
  name: string;
  messages: number;
  spans: number;
  seconds: number;
  messagesPerSec: number;
  spansPerSec: number;
  /** spans/s over the HTTP collector's in the same rounds. */
  vsHttp: number;
}

interface Target {
  name: string;
  /** Publishes the round's messages where a new consumer will find them; returns the Skein env for it. */
  prepare?(round: number): Promise<Record<string, string>>;
}

const HTTP_CONCURRENCY = 8;

async function counter(port: number, transport: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/prometheus`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`zipkin_collector_messages_total{transport="${transport}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Seconds from the first message counted to the last; the first poll's count is left out of `counted`. */
async function consumed(
  port: number,
  transport: string,
  total: number,
): Promise<{ seconds: number; counted: number }> {
  const deadline = Date.now() + 600_000;
  let first: { at: number; n: number } | undefined;
  for (;;) {
    const n = await counter(port, transport);
    const at = performance.now();
    if (first === undefined && n > 0) first = { at, n };
    if (first && n >= total) return { seconds: (at - first.at) / 1000, counted: total - first.n };
    if (Date.now() > deadline)
      throw new Error(`${transport}: ${n} of ${total} messages consumed after 600 s`);
    await sleep(20);
  }
}

async function postAll(port: number, bodies: Uint8Array<ArrayBuffer>[]): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: HTTP_CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`http://127.0.0.1:${port}/api/v2/spans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (res.status !== 202) throw new Error(`HTTP collector answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  return (performance.now() - t) / 1000;
}

export async function queueSection(
  startSkein: StartSkein,
  say: (s: string) => void,
  sizes: { messages: number; rounds: number },
): Promise<QueueRow[]> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const bodies = generateTraces({ traces: sizes.messages, maxSpans: 20, seed: 7 }).map((t) =>
    Buffer.from(encodeJsonV2List(t)),
  );
  // fetch takes a Uint8Array over a plain ArrayBuffer; copied once here, outside the timed part.
  const httpBodies = bodies.map((b) => new Uint8Array(b));
  const spansPerRound = bodies.reduce((n, b) => n + (JSON.parse(b.toString()) as unknown[]).length, 0);
  const targets: Target[] = [{ name: `http (${HTTP_CONCURRENCY} concurrent POSTs)` }];
  const cleanups: Array<() => Promise<void>> = [];

  if (await tcpReachable('127.0.0.1', 5672)) {
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createConfirmChannel();
    const queues: string[] = [];
    cleanups.push(async () => {
      for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
      await conn.close();
    });
    for (const concurrency of [1, 8]) {
      targets.push({
        name: `rabbitmq (RABBIT_CONCURRENCY=${concurrency})`,
        async prepare(round) {
          const queue = `skein-bench-${run}-r${round}-c${concurrency}`;
          queues.push(queue);
          await ch.assertQueue(queue, { durable: true });
          for (const b of bodies) ch.sendToQueue(queue, b);
          await ch.waitForConfirms();
          return {
            RABBIT_ADDRESSES: '127.0.0.1:5672',
            RABBIT_QUEUE: queue,
            RABBIT_CONCURRENCY: String(concurrency),
          };
        },
      });
    }
  } else say('queues: RabbitMQ does not answer on 127.0.0.1:5672; its rows are skipped');

  if (await tcpReachable('127.0.0.1', 9092)) {
    const kafka = new Kafka({
      clientId: 'skein-bench',
      brokers: ['127.0.0.1:9092'],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    const topics: string[] = [];
    cleanups.push(async () => {
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    });
    for (const partitions of [1, 4]) {
      targets.push({
        name: `kafka (${partitions} partition${partitions > 1 ? 's' : ''}, KAFKA_STREAMS=${partitions})`,
        async prepare(round) {
          const topic = `skein-bench-${run}-r${round}-p${partitions}`;
          topics.push(topic);
          await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
          for (let i = 0; i < bodies.length; i += 100) {
            await producer.send({ topic, messages: bodies.slice(i, i + 100).map((value) => ({ value })) });
          }
          return {
            KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
            KAFKA_TOPIC: topic,
            KAFKA_GROUP_ID: `${topic}-group`,
            KAFKA_STREAMS: String(partitions),
          };
        },
      });
    }
  } else say('queues: Kafka does not answer on 127.0.0.1:9092; its rows are skipped');

  const totals = targets.map(() => ({ messages: 0, spans: 0, seconds: 0 }));
  // Two servers run at once (the HTTP one stays up): the Jaeger ports with fixed defaults are turned off.
  const start = (name: string, env: Record<string, string>) =>
    startSkein(name, { JAEGER_QUERY_PORT: 'off', JAEGER_ADMIN_PORT: 'off', ...env });
  const http = await start('queues-http', {});
  try {
    await postAll(http.port, httpBodies.slice(0, 500)); // warm-up
    for (let round = 0; round < sizes.rounds; round++) {
      for (const [i, target] of targets.entries()) {
        const sum = totals[i]!;
        if (!target.prepare) {
          sum.seconds += await postAll(http.port, httpBodies);
          sum.messages += bodies.length;
          sum.spans += spansPerRound;
          continue;
        }
        const env = await target.prepare(round);
        const transport = target.name.split(' ')[0]!;
        const skein = await start(`queues-${transport}`, env);
        try {
          const r = await consumed(skein.port, transport, bodies.length);
          sum.seconds += r.seconds;
          sum.messages += r.counted;
          // The messages left out (counted at the first poll) are taken as average-sized.
          sum.spans += (spansPerRound * r.counted) / bodies.length;
        } finally {
          await skein.child.stop({ type: 'stop' });
        }
      }
      say(`queues: round ${round + 1} of ${sizes.rounds} done`);
    }
  } finally {
    await http.child.stop({ type: 'stop' });
    for (const c of cleanups) await c().catch(() => undefined);
  }
  const httpSpansPerSec = totals[0]!.spans / totals[0]!.seconds;
  return targets.map((t, i) => {
    const s = totals[i]!;
    const spansPerSec = s.spans / s.seconds;
    return {
      name: t.name,
      messages: s.messages,
      spans: Math.round(s.spans),
      seconds: s.seconds,
      messagesPerSec: s.messages / s.seconds,
      spansPerSec,
      vsHttp: spansPerSec / httpSpansPerSec,
    };
  });
}

export function printQueues(rows: QueueRow[]): string {
  return table(
    ['collector', 'messages', 'spans', 's', 'messages/s', 'spans/s', 'x http'],
    rows.map((r) => [
      r.name,
      r.messages,
      r.spans,
      fmt(r.seconds),
      fmt(r.messagesPerSec),
      fmt(r.spansPerSec),
      fmt(r.vsHttp),
    ]),
  );
}
