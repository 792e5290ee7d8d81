import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeThriftSpan, encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { KafkaTransport } from '../../src/collector/kafka/kafka-transport.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { requireService, serviceMissing, tcpReachable } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import {
  ENCODINGS,
  flakyStorage,
  getTrace,
  healthyConsumer,
  prometheusCounter,
  readTrace,
  runId,
  startConsumer,
  trace,
} from './queue-fixtures.js';

const available = await requireService('Kafka', '127.0.0.1', 9092);
const BOOTSTRAP = '127.0.0.1:9092';
const KAFKA_DIR = process.env.SKEIN_KAFKA_DIR ?? '/var/tmp/skein-kafka';

/** Stops the broker of scripts/services/kafka.sh (its JVM, by the pid it wrote) and starts it again. */
async function restartBroker(): Promise<void> {
  const pid = Number(readFileSync(`${KAFKA_DIR}/kafka.pid`, 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  await waitFor(
    async () => ((await tcpReachable('127.0.0.1', 9092, 500)) ? undefined : true),
    'the Kafka broker to stop',
    120_000,
  );
  execFileSync('bash', ['scripts/services/kafka.sh'], { stdio: 'inherit' });
}

describe.skipIf(!available)('Kafka collector', () => {
  let producer: Producer;
  let admin: Admin;
  const kafka = new Kafka({ clientId: 'skein-test', brokers: [BOOTSTRAP], logLevel: logLevel.NOTHING });
  beforeAll(async () => {
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });
  const send = (topic: string, ...values: Buffer[]) =>
    producer.send({ topic, messages: values.map((value) => ({ value })) });

  describe('through a running Skein (KAFKA_BOOTSTRAP_SERVERS)', () => {
    const topic = `skein-test-${runId}-main`;
    const group = `skein-test-${runId}`;
    let server: RunningSkein;
    beforeAll(async () => {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      server = await startTestServer({
        KAFKA_BOOTSTRAP_SERVERS: BOOTSTRAP,
        KAFKA_TOPIC: topic,
        KAFKA_GROUP_ID: group,
        KAFKA_STREAMS: '2',
      });
    });
    afterAll(async () => {
      await server?.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    });

    for (const [name, encode] of ENCODINGS) {
      it(`stores spans published in ${name} by the kafkajs producer, readable through the API`, async () => {
        const spans = trace();
        await send(topic, encode(spans));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
      });
    }

    it('stores a record of one bare Thrift span (the legacy encoding)', async () => {
      const [span] = trace();
      await send(topic, Buffer.from(encodeThriftSpan(span!)));
      expect(await readTrace(server, span!.traceId, 1)).toEqual([span]);
    });

    it('commits the offsets of stored records for KAFKA_GROUP_ID', async () => {
      const spans = trace();
      await send(topic, Buffer.from(encodeJsonV2List(spans)));
      await readTrace(server, spans[0]!.traceId, 2);
      const [latest] = await Promise.all([admin.fetchTopicOffsets(topic)]);
      const end = latest!.reduce((n, p) => n + Number(p.high), 0);
      await waitFor(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const sum = committed!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        return sum === end ? true : undefined;
      }, `the group's committed offsets to reach the end of ${topic} (${end} records)`);
    });

    it('counts messages per transport in /prometheus and shows the consumer in /health', async () => {
      expect(
        await prometheusCounter(server, 'zipkin_collector_messages_total', 'kafka'),
      ).toBeGreaterThanOrEqual(ENCODINGS.length);
      expect(await healthyConsumer(server, 'kafka')).toEqual({
        status: 'UP',
        details: { queue: topic, state: 'connected' },
      });
    });

    it(
      'goes on by itself after the broker restarts mid-stream, losing and duplicating nothing',
      { timeout: 300_000 },
      async (ctx) => {
        if (!existsSync(`${KAFKA_DIR}/kafka.pid`)) {
          serviceMissing(
            'the Kafka of scripts/services/kafka.sh',
            `no ${KAFKA_DIR}/kafka.pid: this test restarts that broker`,
          );
          ctx.skip();
        }
        const traces = Array.from({ length: 20 }, () => trace());
        for (const [i, t] of traces.entries()) {
          await send(topic, Buffer.from(encodeJsonV2List(t)));
          if (i === 5) {
            await readTrace(server, t[0]!.traceId, 2);
            await restartBroker();
          }
        }
        // toEqual on the whole trace: a record stored twice would show as a repeated span.
        for (const t of traces) expect(await readTrace(server, t[0]!.traceId, 2, 120_000)).toEqual(t);
        expect((await healthyConsumer(server, 'kafka'))?.details?.state).toBe('connected');
      },
    );
  });

  describe('failures (a consumer on the collector path of a running Skein, with a storage that can fail)', () => {
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    async function consumerOn(topic: string, storage: ReturnType<typeof flakyStorage>) {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      const opts = { bootstrapServers: [BOOTSTRAP], topic, groupId: `${topic}-group`, streams: 1 };
      const started = await startConsumer(
        new KafkaTransport(opts, { warn: () => undefined }),
        storage.consumer,
      );
      return { ...started, group: opts.groupId };
    }

    it('drops an undecodable record once (counted and logged) and stores the next one', async () => {
      const topic = `skein-test-${runId}-bad`;
      const storage = flakyStorage(server);
      const { qc, logs, dropped } = await consumerOn(topic, storage);
      try {
        const spans = trace();
        await send(topic, Buffer.from('this is not a span list'), Buffer.from(encodeJsonV2List(spans)));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
        expect(await dropped()).toBe(1);
        expect(storage.state.stored).toBe(1);
        const drops = logs.filter((l) => l.msg.startsWith('dropped a kafka message'));
        expect(drops).toHaveLength(1);
        expect(drops[0]!.obj).toMatchObject({ transport: 'kafka', queue: topic, reason: 'invalid' });
      } finally {
        await qc.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });

    it('leaves records uncommitted during a storage outage and stores each once, in order, when storage returns', async () => {
      const topic = `skein-test-${runId}-outage`;
      const storage = flakyStorage(server);
      storage.state.down = true;
      const { qc, dropped, group } = await consumerOn(topic, storage);
      try {
        const traces = [trace(), trace(), trace()];
        await send(topic, ...traces.map((t) => Buffer.from(encodeThriftList(t))));
        await waitFor(
          async () => (storage.state.refused >= 3 ? true : undefined),
          'storage to refuse 3 attempts',
        );
        for (const t of traces) expect(await getTrace(server, t[0]!.traceId)).toBeUndefined();
        // Nothing committed: a consumer that started now would read every record again.
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        expect(committed!.partitions.every((p) => Number(p.offset) <= 0)).toBe(true);

        storage.state.down = false;
        for (const t of traces) expect(await readTrace(server, t[0]!.traceId, 2)).toEqual(t);
        await waitFor(async () => {
          const [c] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          return Number(c!.partitions[0]!.offset) === traces.length ? true : undefined;
        }, 'the offset of all 3 records committed');
        // Each record stored once: the refused one was fetched again, the ones after it not stored first.
        expect(storage.state.stored).toBe(traces.length);
        expect(await dropped()).toBe(0);
      } finally {
        await qc.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });
  });
});
