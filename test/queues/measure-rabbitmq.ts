/**
 * Measures spans consumed from RabbitMQ against the HTTP collector in the same run: the same pre-encoded
 * JSON v2 messages (generator traces, one trace per message) published to a fresh queue, and POSTed to
 * /api/v2/spans, each into its own in-process Skein with mem storage. A measurement, not a test: run it by
 * hand and read the figures (needs the RabbitMQ of .ci/run on 127.0.0.1:5672).
 * The RabbitMQ time includes Skein's start-up; the HTTP time includes the fetch client, which runs in the
 * same process as the server, so the ratio favours RabbitMQ somewhat. Messages are published before the
 * consumer starts, so the RabbitMQ figure is consumption alone.
 *
 *   npx tsx test/queues/measure-rabbitmq.ts [messages=5000] [rabbitConcurrency=1] [httpConcurrency=8]
 */
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { generateTraces } from '../../src/demo/trace-generator.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const messages = Number(process.argv[2] ?? 5000);
const rabbitConcurrency = process.argv[3] ?? '1';
const httpConcurrency = Number(process.argv[4] ?? 8);

const bodies = generateTraces({ traces: messages, maxSpans: 20, seed: 7 }).map((t) =>
  Buffer.from(encodeJsonV2List(t)),
);
const spans = bodies.reduce((n, b) => n + (JSON.parse(b.toString()) as unknown[]).length, 0);

async function counter(url: string, name: string, transport: string): Promise<number> {
  const text = await (await fetch(`${url}/prometheus`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{transport="${transport}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

function report(what: string, ms: number): { spansPerS: number } {
  const spansPerS = (spans / ms) * 1000;
  console.log(
    `${what.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${((messages / ms) * 1000).toFixed(0).padStart(6)} msg/s  ${spansPerS.toFixed(0).padStart(7)} spans/s`,
  );
  return { spansPerS };
}

async function measureRabbit(): Promise<number> {
  const queue = `skein-measure-${process.pid}-${Date.now().toString(36)}`;
  const pub = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await pub.createChannel();
  await ch.assertQueue(queue, { durable: true });
  // Published before the consumer starts, so the figure is consumption alone, not the publisher's pace.
  for (const b of bodies) if (!ch.sendToQueue(queue, b)) await new Promise((r) => ch.once('drain', r));
  await waitFor(
    async () => ((await ch.checkQueue(queue)).messageCount === messages ? true : undefined),
    'all published',
    60_000,
  );
  const t0 = performance.now();
  const server = await startTestServer({
    RABBIT_ADDRESSES: '127.0.0.1:5672',
    RABBIT_QUEUE: queue,
    RABBIT_CONCURRENCY: rabbitConcurrency,
  });
  await waitFor(
    async () =>
      (await counter(server.url, 'zipkin_collector_spans_total', 'rabbitmq')) >= spans ? true : undefined,
    'every span consumed',
    300_000,
  );
  await waitFor(
    async () => ((await ch.checkQueue(queue)).messageCount === 0 ? true : undefined),
    'an empty queue',
    60_000,
  );
  const ms = performance.now() - t0;
  await server.close();
  await ch.deleteQueue(queue);
  await pub.close();
  return report(`rabbitmq (RABBIT_CONCURRENCY=${rabbitConcurrency})`, ms).spansPerS;
}

async function measureHttp(): Promise<number> {
  const server = await startTestServer();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: httpConcurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${server.url}/api/v2/spans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (res.status !== 202) throw new Error(`POST /api/v2/spans -> ${res.status}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  await server.close();
  return report(`http (${httpConcurrency} concurrent POSTs)`, ms).spansPerS;
}

console.log(`${messages} messages, ${spans} spans (JSON v2, one trace per message), mem storage`);
const http = await measureHttp();
const rabbit = await measureRabbit();
console.log(`rabbitmq / http spans/s: x${(rabbit / http).toFixed(2)}`);
